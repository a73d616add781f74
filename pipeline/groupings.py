"""Every ethnic grouping the product measures, defined once, from the code lists and the
configuration: who is in each group, what it is called, and at which level of detail the
report shows it.

Built into ``ref.groupings``, ``ref.grouping_members`` and ``ref.grouping_levels`` (by
:func:`pipeline.warehouse.load_code_tables`); the marts compute every share for every
grouping, and the report reads the groups and levels back from those tables rather than
defining its own. The comparisons of rates (who is compared with whom) are in
:mod:`pipeline.comparisons`, built on the same members.

Levels, coarsest last, are what disclosure control steps through when a breakdown would be
mostly withheld: ``detailed`` (the police 18+1 codes) -> ``broad`` (Asian, Black, Mixed,
White, Other) -> ``binary`` (the headline group against the rest). Every level partitions
the stated codes, and the headline group is a union of each level's groups, so a table's
headline count is always the sum of the groups it shows. "Not stated" is not a grouping
(shares are of those who stated); it is a column of its own (``not_stated_headcount``).
"""

from __future__ import annotations

from typing import NamedTuple

import pandas as pd

from pipeline import codes
from pipeline.config import Settings


class Grouping(NamedTuple):
    code: str
    label: str
    members: frozenset[str]
    kind: str
    """headline, broad, white_split or detailed (one code)."""


class Level(NamedTuple):
    code: str
    label: str
    group_codes: tuple[str, ...]
    """The level's groups of stated codes, in reading order ("not stated" is added by readers)."""


HEADLINE_CODES = ("minority_excl_white", "minority_incl_white")
STATED = frozenset(e.code for e in codes.ETHNICITIES if e.code != codes.NOT_STATED)
WHITE = frozenset(e.code for e in codes.ETHNICITIES if e.broad_group_code == "white")
WHITE_BRITISH = frozenset({"W1"})


def _broad(code: str) -> frozenset[str]:
    return frozenset(e.code for e in codes.ETHNICITIES if e.broad_group_code == code)


def groupings(settings: Settings) -> list[Grouping]:
    """Every grouping, in the order reports list them."""
    labels = settings.groups
    out = [
        Grouping("minority_excl_white", labels.minority_excl_white, STATED - WHITE, "headline"),
        Grouping("minority_incl_white", labels.minority_incl_white, STATED - WHITE_BRITISH,
                 "headline"),
        *(Grouping(b, getattr(labels, b), _broad(b), "broad") for b in codes.BROAD_GROUPS),
        Grouping("white_british", "White: British", WHITE_BRITISH, "white_split"),
        Grouping("white_other", "White: other White backgrounds", WHITE - WHITE_BRITISH,
                 "white_split"),
    ]  # fmt: skip
    out += [
        Grouping(e.code, f"{e.label} ({e.code})", frozenset({e.code}), "detailed")
        for e in codes.ETHNICITIES
        if e.code != codes.NOT_STATED
    ]
    return out


def members(settings: Settings, code: str) -> frozenset[str]:
    return next(g.members for g in groupings(settings) if g.code == code)


def headline(settings: Settings) -> Grouping:
    return next(g for g in groupings(settings) if g.code == settings.groups.headline)


def rest_of_headline(settings: Settings) -> str:
    """The grouping that is everyone stated outside the headline group."""
    return "white" if settings.groups.headline == "minority_excl_white" else "white_british"


def levels(settings: Settings) -> list[Level]:
    """detailed -> broad -> binary, each partitioning the stated codes with the headline
    group a union of its groups (with White minorities in the headline, White is split)."""
    detailed = tuple(e.code for e in codes.ETHNICITIES if e.code != codes.NOT_STATED)
    whites = ("white",) if settings.groups.headline == "minority_excl_white" else (
        "white_british", "white_other")  # fmt: skip
    broad = ("asian", "black", "mixed", *whites, "other")
    headline_label = getattr(settings.groups, settings.groups.headline)
    return [
        Level("detailed", "detailed ethnic groups (police 18+1 codes)", detailed),
        Level("broad", "broad ethnic groups", broad),
        Level(
            "binary",
            f"{headline_label} against the rest",
            (settings.groups.headline, rest_of_headline(settings)),
        ),
    ]


def groupings_frame(settings: Settings) -> pd.DataFrame:
    """``ref.groupings``: one row per grouping."""
    return pd.DataFrame(
        [
            {
                "group_code": g.code,
                "group_label": g.label,
                "grouping_kind": g.kind,
                "sort_order": order,
                "is_headline": g.code == settings.groups.headline,
            }
            for order, g in enumerate(groupings(settings), start=1)
        ]
    )


def grouping_members_frame(settings: Settings) -> pd.DataFrame:
    """``ref.grouping_members``: the ethnicity codes in each grouping."""
    return pd.DataFrame(
        [(g.code, code) for g in groupings(settings) for code in sorted(g.members)],
        columns=["group_code", "ethnicity_code"],
    )


def grouping_levels_frame(settings: Settings) -> pd.DataFrame:
    """``ref.grouping_levels``: which groupings make up each level of detail, in order."""
    return pd.DataFrame(
        [
            (level_order, level.code, level.label, code, order)
            for level_order, level in enumerate(levels(settings), start=1)
            for order, code in enumerate(level.group_codes, start=1)
        ],
        columns=["level_order", "level_code", "level_label", "group_code", "sort_order"],
    )
