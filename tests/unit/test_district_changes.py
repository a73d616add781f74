"""The shipped district changes lookup, checked against the ONS files it was derived from
(data/reference/SOURCES.md says how): codes and names, police force areas, and the
community safety partnerships that link the 2016 districts to the 2023 ones."""

from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path

from pipeline.config import BUNDLED_REFERENCE

CHANGES = BUNDLED_REFERENCE / "lad-changes-2019-2023.csv"
LAD16 = BUNDLED_REFERENCE / "lad16-to-police-force-area-ons-2016.csv"
LAD21 = BUNDLED_REFERENCE / "lad21-to-police-force-area.csv"
LAD23 = BUNDLED_REFERENCE / "lad23-to-police-force-area-ons-2023.csv"
CENSUS = BUNDLED_REFERENCE / "census2021-ts021-ltla.csv"


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def _groups() -> dict[str, set[str]]:
    groups: dict[str, set[str]] = defaultdict(set)
    for row in _rows(CHANGES):
        groups[row["new_code"]].add(row["old_code"])
    return groups


def test_codes_and_names_are_those_of_the_shipped_files():
    names16 = {r["LAD16CD"]: r["LAD16NM"] for r in _rows(LAD16)}
    names21 = {r["geography code"]: r["geography"] for r in _rows(CENSUS)}
    names23 = {r["LAD23CD"]: r["LAD23NM"] for r in _rows(LAD23)}
    for row in _rows(CHANGES):
        old, new = row["old_code"], row["new_code"]
        assert row["old_name"] == (names16.get(old) or names21[old])
        assert row["new_name"] == (names21.get(new) or names23[new])
        # an old district is gone from the later files; a new one is absent from the earlier
        assert old not in names23
        assert new not in names16
    # every district that disappears between the shipped vintages is accounted for
    olds = {r["old_code"] for r in _rows(CHANGES)}
    assert set(names16) - set(names21) <= olds
    assert set(names21) - set(names23) <= olds
    news = {r["new_code"] for r in _rows(CHANGES)}
    assert set(names23) - set(names21) <= news
    assert set(names21) - set(names16) <= news


def test_every_change_stays_within_one_police_force_area():
    force = {r["LAD16CD"]: r["PFA16NM"] for r in _rows(LAD16)}
    force |= {r["LAD21CD"]: r["PFANM"] for r in _rows(LAD21)}
    force |= {r["LAD23CD"]: r["PFA23NM"] for r in _rows(LAD23)}
    for new, olds in _groups().items():
        assert {force[o] for o in olds} == {force[new]}, new


def test_community_safety_partnerships_link_the_same_districts():
    """Districts sharing a CSP code (2016 and 2023 lookups) fall in the same changes group:
    each group lies within one linked component, and each component with a changed district
    is the union of its groups and of unchanged districts."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        parent.setdefault(x, x)
        while parent[x] != x:
            x = parent[x]
        return x

    def join(a: str, b: str) -> None:
        parent[find(a)] = find(b)

    for row in _rows(LAD16):
        join(row["LAD16CD"], "csp:" + row["CSP16CD"])
    for row in _rows(LAD23):
        join(row["LAD23CD"], "csp:" + row["CSP23CD"])
    groups = _groups()
    # Somerset West and Taunton (2019) is in neither ONS lookup; it links through its parts.
    for old in groups["E07000246"]:
        join("E07000246", old)
    for new, olds in groups.items():
        assert len({find(code) for code in {new, *olds}}) == 1, new
    components: dict[str, set[str]] = defaultdict(set)
    for code in list(parent):
        if not code.startswith("csp:"):
            components[find(code)].add(code)
    changed = {c for new, olds in groups.items() for c in {new, *olds}}
    for members in components.values():
        if members & changed:
            unchanged = members - changed
            census = {r["geography code"] for r in _rows(CENSUS)}
            assert unchanged <= census  # Babergh, Mid Suffolk: unchanged districts only
