"""Words and formats shared by the sections that compare two groups' rates."""

from __future__ import annotations

import pandas as pd

from pipeline.report import formatting as fmt

ALPHA = 0.05
COMPARISON_FIGURES = ("ratio", "ci_lower_ratio", "ci_upper_ratio", "fisher_p_value", "verdict")
"""The columns computed from both groups' counts: withheld when any of those counts is."""


def missing(value) -> bool:
    return value is None or (not isinstance(value, str) and bool(pd.isna(value)))


def how_sure(p_value) -> str:
    """The plain-English reading of a Fisher p-value used throughout the report."""
    if missing(p_value):
        return fmt.SUPPRESSED_MARK
    shown = "p < 0.001" if p_value < 0.001 else f"p = {p_value:.3f}"
    words = "unlikely to be chance" if p_value < ALPHA else "could be chance"
    return f"{words} ({shown})"


def rules(counts: dict[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
    """Suppression rules: each count withholds its own derived columns and the comparison."""
    return {count: (*derived, *COMPARISON_FIGURES) for count, derived in counts.items()}


NOT_COMPUTABLE = "\u2013"
"""Shown where a figure does not exist (nobody in a group, no passes to divide by), as
opposed to SUPPRESSED_MARK, a figure that exists but is withheld."""


def column(raw: pd.DataFrame, shown: pd.DataFrame, name: str, formatter) -> list[str]:
    """Formatted cells of one column: withheld where suppression removed a value (and any
    gap in a row with something withheld, so a dash can't hint at a small count), a dash
    where the value never existed."""
    return [
        NOT_COMPUTABLE
        if missing(after) and missing(before) and not withheld
        else fmt.SUPPRESSED_MARK
        if missing(after)
        else formatter(after)
        for before, after, withheld in zip(
            raw[name], shown[name], shown["is_suppressed"], strict=True
        )
    ]


def mid_sentence(label: str) -> str:
    """A configured group label inside a sentence: 'Ethnic minority (...)' reads as
    'ethnic minority (...)'; names of groups ('White', 'Black') keep their capital."""
    first, _, rest = label.partition(" ")
    return f"{first.lower()} {rest}" if first in {"Ethnic", "Minority"} else label


def short_label(label: str) -> str:
    """The label without its parenthesis, for column headings: the caption gives it whole."""
    return label.split(" (")[0]


def chance_clause(p_value, noun: str = "difference") -> str:
    """'a difference this size is unlikely to be chance (p = 0.002)', or 'could be chance'."""
    words = how_sure(p_value)
    if words == fmt.SUPPRESSED_MARK:
        return f"whether a {noun} this size could be chance is withheld"
    verb = "is " if words.startswith("unlikely") else ""
    return f"a {noun} this size {verb}{words}"


def join_interval(lowers: list[str], uppers: list[str]) -> list[str]:
    """'0.35 to 0.83' from formatted bounds, or the bound's mark when it has none."""
    return [
        lower if lower in (fmt.SUPPRESSED_MARK, NOT_COMPUTABLE) else f"{lower} to {upper}"
        for lower, upper in zip(lowers, uppers, strict=True)
    ]
