"""The groups that selection, promotion and leaving rates are compared across.

Each *comparison* partitions people into groups (ethnic minority vs White, by both
definitions of the minority, the five broad groups, women vs men, ethnicity within each sex)
and names, for every group, the group it is compared with: the configured reference group of
the same comparison (and, for ethnicity within sex, of the same sex). The models join people
to groups through ``ref.comparison_members``, where a blank ethnicity code or sex means "any".
"""

from __future__ import annotations

from typing import NamedTuple

import pandas as pd

from pipeline import codes, groupings
from pipeline.config import Settings

ALL = "all"


class Group(NamedTuple):
    comparison_code: str
    group_code: str
    group_label: str
    ethnicity_codes: frozenset[str] | None
    """None: any ethnicity, including not stated."""
    sex: str | None
    """None: either sex."""
    reference_key: tuple[str | None, str | None]
    """(ethnic group, sex) this group stands for, to find the configured reference."""


COMPARISON_LABELS: dict[str, str] = {
    ALL: "Everyone",
    "ethnic_minority": "Ethnic minority and White",
    "ethnic_minority_incl_white": "Ethnic minority (including White minorities) and White British",
    "broad_group": "Broad ethnic groups",
    "sex": "Women and men",
    "ethnic_minority_by_sex": "Ethnic minority and White, within each sex",
}
SEX_LABELS = {"F": "Women", "M": "Men"}
SEX_CODES = {"F": "female", "M": "male"}


def _members(grouping_code: str) -> frozenset[str]:
    return next(g.member_codes for g in codes.GROUPINGS if g.code == grouping_code)


def groups(settings: Settings) -> list[Group]:
    """Every comparison's groups, in reporting order."""
    labels = settings.groups
    ethnic = [
        ("minority_excl_white", labels.minority_excl_white),
        ("white", labels.white),
    ]
    out = [Group(ALL, ALL, "Everyone", None, None, (None, None))]
    out += [
        Group("ethnic_minority", code, label, _members(code), None, (code, None))
        for code, label in ethnic
    ]
    # The second headline definition: White minorities join the minority, compared with
    # White British, which stands for the reference White group in this comparison.
    white_british = next(g for g in groupings.groupings(settings) if g.code == "white_british")
    out += [
        Group("ethnic_minority_incl_white", "minority_incl_white", labels.minority_incl_white,
              _members("minority_incl_white"), None, ("minority_incl_white", None)),
        Group("ethnic_minority_incl_white", "white_british", white_british.label,
              white_british.members, None, ("white", None)),
    ]  # fmt: skip
    out += [
        Group("broad_group", code, getattr(labels, code), _members(code), None, (code, None))
        for code in codes.BROAD_GROUPS
    ]
    out += [
        Group("sex", SEX_CODES[sex], label, None, sex, (None, sex))
        for sex, label in SEX_LABELS.items()
    ]
    out += [
        Group(
            "ethnic_minority_by_sex",
            f"{code}_{SEX_CODES[sex]}",
            f"{label}: {SEX_LABELS[sex].lower()}",
            _members(code),
            sex,
            (code, sex),
        )
        for sex in SEX_LABELS
        for code, label in ethnic
    ]
    return out


def _reference_for(group: Group, all_groups: list[Group], settings: Settings) -> str | None:
    if group.comparison_code == ALL:
        return None
    _ethnic, sex = group.reference_key
    wanted = (
        (None, settings.fairness.sex_reference_group)
        if group.comparison_code == "sex"
        else (settings.fairness.reference_group, sex)
    )
    for candidate in all_groups:
        if candidate.comparison_code == group.comparison_code and candidate.reference_key == wanted:
            return candidate.group_code
    return None


def comparison_groups_frame(settings: Settings) -> pd.DataFrame:
    """``ref.comparison_groups``: one row per group, with the group it is compared with."""
    all_groups = groups(settings)
    comparison_order = {code: i for i, code in enumerate(COMPARISON_LABELS)}
    rows = []
    for order, group in enumerate(all_groups, start=1):
        reference = _reference_for(group, all_groups, settings)
        rows.append(
            {
                "comparison_code": group.comparison_code,
                "comparison_label": COMPARISON_LABELS[group.comparison_code],
                "comparison_sort_order": comparison_order[group.comparison_code],
                "group_code": group.group_code,
                "group_label": group.group_label,
                "group_sort_order": order,
                "reference_group_code": reference,
                "is_reference_group": reference == group.group_code,
            }
        )
    return pd.DataFrame(rows).astype({"reference_group_code": "str"})


def comparison_members_frame(settings: Settings) -> pd.DataFrame:
    """``ref.comparison_members``: which ethnicity codes and sex make up each group."""
    rows = [
        (group.comparison_code, group.group_code, ethnicity, group.sex)
        for group in groups(settings)
        for ethnicity in (sorted(group.ethnicity_codes) if group.ethnicity_codes else [None])
    ]
    return pd.DataFrame(
        rows, columns=["comparison_code", "group_code", "ethnicity_code", "sex"]
    ).astype({"ethnicity_code": "str", "sex": "str"})


def selection_outcomes_frame(settings: Settings) -> pd.DataFrame:
    """``ref.selection_outcomes``: whether each stage outcome counts in the selection base."""
    excluded = set(settings.fairness.excluded_outcomes)
    return pd.DataFrame(
        [(outcome, outcome not in excluded) for outcome in codes.OUTCOMES],
        columns=["outcome", "is_in_selection_base"],
    )


def fairness_settings_frame(settings: Settings) -> pd.DataFrame:
    """``ref.fairness_settings``: the one-row settings the Python models read."""
    return pd.DataFrame([{"confidence": settings.fairness.confidence}])
