"""Words and formats shared by the sections that compare two groups' rates.

The figures and the verdict come from the analytics views (pipeline.rates); this module only
chooses the words that go around them. A difference is called "unlikely to be chance" only
when it survives the false discovery rate control of its family
(``is_significant_after_adjustment``), so no sentence claims more than its table.
"""

from __future__ import annotations

import math

import pandas as pd

from pipeline.report import formatting as fmt

COMPARISON_FIGURES = (
    "ratio",
    "ci_lower_ratio",
    "ci_upper_ratio",
    "p_value",
    "adjusted_p_value",
    "is_significant",
    "is_significant_after_adjustment",
    "verdict",
)
"""The columns computed from both groups' counts: withheld when any of those counts is."""

UNLIKELY = "unlikely to be chance"
COULD_BE = "could be chance"


def missing(value) -> bool:
    return value is None or (not isinstance(value, str) and bool(pd.isna(value)))


def _p(value) -> str:
    return "p < 0.001" if value < 0.001 else f"p = {value:.3f}"


def how_sure(p_value, adjusted_p_value, family_count, is_finding) -> str:
    """The plain-English reading of a score-test p-value and its adjusted value.

    'unlikely to be chance' only when the comparison survives the false discovery rate
    control of its family (``is_finding``), else 'could be chance'; the raw p-value, and
    the adjusted one when the family has more than one comparison, follow in brackets."""
    if missing(p_value):
        return fmt.SUPPRESSED_MARK
    words = UNLIKELY if not missing(is_finding) and bool(is_finding) else COULD_BE
    figures = _p(p_value)
    if not missing(adjusted_p_value) and not missing(family_count) and int(family_count) > 1:
        figures += f"; {_p(adjusted_p_value)} allowing for {_how_many(int(family_count))}"
    return f"{words} ({figures})"


_SMALL_NUMBERS = ("two", "three", "four", "five", "six", "seven", "eight", "nine")


def _how_many(comparisons: int) -> str:
    """'five comparisons', '40 comparisons': below 10 in words (ONS style), which also keeps a
    small number in a sentence from reading like a count of people."""
    return f"{_SMALL_NUMBERS[comparisons - 2] if comparisons < 10 else comparisons} comparisons"


def how_sure_column(raw: pd.DataFrame, shown: pd.DataFrame) -> list[str]:
    """The 'How sure' cells of a table: withheld with the p-value, a dash where no test
    could be made."""
    figures = zip(
        shown["p_value"],
        shown["adjusted_p_value"],
        shown["family_comparison_count"],
        shown["is_significant_after_adjustment"],
        strict=True,
    )
    texts = [how_sure(*row) for row in figures]
    shown = shown.assign(how_sure=[None if t == fmt.SUPPRESSED_MARK else t for t in texts])
    return column(raw.assign(how_sure=raw["p_value"]), shown, "how_sure", str)


def rules(
    counts: dict[str, tuple[str, ...]], also: tuple[str, ...] = ()
) -> dict[str, tuple[str, ...]]:
    """Suppression rules: each count withholds its own derived columns and the comparison
    (with ``also``, further comparison columns the table has, such as the WRES relative
    likelihood)."""
    return {count: (*derived, *COMPARISON_FIGURES, *also) for count, derived in counts.items()}


NOT_COMPUTABLE = "\u2013"
"""Shown where a figure does not exist (nobody in a group, no passes to divide by), as
opposed to SUPPRESSED_MARK, a figure that exists but is withheld."""
UNBOUNDED = "no upper limit"


def bound(value) -> str:
    """An interval bound: two decimals, or 'no upper limit' for an infinite upper bound."""
    return UNBOUNDED if math.isinf(value) else f"{value:.2f}"


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


def chance_clause(row, noun: str = "difference") -> str:
    """'a difference this size is unlikely to be chance (p = 0.002; ...)', or 'could be
    chance', from a row with the comparison columns."""
    words = how_sure(
        row["p_value"],
        row["adjusted_p_value"],
        row["family_comparison_count"],
        row["is_significant_after_adjustment"],
    )
    if words == fmt.SUPPRESSED_MARK:
        return f"whether a {noun} this size could be chance is withheld"
    verb = "is " if words.startswith("unlikely") else ""
    return f"a {noun} this size {verb}{words}"


def is_finding(row) -> bool:
    """The comparison survives the false discovery rate control (and is shown)."""
    value = row["is_significant_after_adjustment"]
    return not missing(value) and bool(value)


def interval_text(row) -> str:
    """'0.35 to 0.83', '0.88 to no upper limit' (the comparator's rate was 0)."""
    return f"{bound(row['ci_lower_ratio'])} to {bound(row['ci_upper_ratio'])}"


def join_interval(lowers: list[str], uppers: list[str]) -> list[str]:
    """'0.35 to 0.83' from formatted bounds, or the bound's mark when it has none."""
    return [
        lower if lower in (fmt.SUPPRESSED_MARK, NOT_COMPUTABLE) else f"{lower} to {upper}"
        for lower, upper in zip(lowers, uppers, strict=True)
    ]
