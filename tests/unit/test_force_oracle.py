"""Every one of the 43 forces' population benchmark, against figures worked out here from
the raw Census and ONS files by simpler code of the test's own (csv module, column labels,
no product code), for each shipped lookup and for the census at two geographies.

The oracle's force membership comes from ``lad21-to-police-force-area.csv`` (2021 districts,
the census's own); the product reads the 2023 and 2016 ONS lookups as published (a row per
community safety partnership, 2023 unitary authorities, districts merged 2019-2021) and must
arrive at the same areas. For the MSOA census the oracle places each MSOA in its district by
the name ONS gives it ("Birmingham 001"), with the four names written differently in the
local authority file listed by hand below.
"""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from functools import cache
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from pipeline import geography, reference, warehouse
from pipeline.config import BUNDLED_REFERENCE, Settings

LTLA = BUNDLED_REFERENCE / "census2021-ts021-ltla.csv"
MSOA = BUNDLED_REFERENCE / "census2021-ts021-msoa.csv"
LAD21 = BUNDLED_REFERENCE / "lad21-to-police-force-area.csv"
LAD23 = BUNDLED_REFERENCE / "lad23-to-police-force-area-ons-2023.csv"
LAD16 = BUNDLED_REFERENCE / "lad16-to-police-force-area-ons-2016.csv"
CHANGES = BUNDLED_REFERENCE / "lad-changes-2019-2023.csv"

TOTAL = "Ethnic group: Total: All usual residents"
BROAD = {
    "asian": "Ethnic group: Asian, Asian British or Asian Welsh",
    "black": "Ethnic group: Black, Black British, Black Welsh, Caribbean or African",
    "mixed": "Ethnic group: Mixed or Multiple ethnic groups",
    "white": "Ethnic group: White",
    "other": "Ethnic group: Other ethnic group",
}
WHITE_BRITISH = "Ethnic group: White: English, Welsh, Scottish, Northern Irish or British"
MSOA_DISTRICT_NAMES = {
    "Bristol": "Bristol, City of",
    "Herefordshire": "Herefordshire, County of",
    "Kingston upon Hull": "Kingston upon Hull, City of",
    "Rhondda Cynon Taf": "Rhondda Cynon Taff",
}
"""MSOA name prefixes that the local authority file spells differently."""


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


@cache
def oracle() -> dict[str, dict[str, dict[str, int]]]:
    """census file name -> force -> grouping -> population (and 'total')."""
    district_force = {r["LAD21CD"]: r["PFANM"] for r in _rows(LAD21)}
    ltla = _rows(LTLA)
    district_by_name = {r["geography"]: r["geography code"] for r in ltla}
    found: dict[str, dict[str, dict[str, int]]] = {}
    for path in (LTLA, MSOA):
        sums: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        for row in _rows(path):
            if path == LTLA:
                district = row["geography code"]
            else:
                prefix = re.fullmatch(r"(.*) \d{3}", row["geography"])[1]
                district = district_by_name[MSOA_DISTRICT_NAMES.get(prefix, prefix)]
            force = sums[district_force[district]]
            total = int(row[TOTAL])
            force["total"] += total
            for group, column in BROAD.items():
                force[group] += int(row[column])
            force["minority_excl_white"] += total - int(row[BROAD["white"]])
            force["minority_incl_white"] += total - int(row[WHITE_BRITISH])
        found[path.name] = {force: dict(groups) for force, groups in sums.items()}
    return found


def test_the_oracle_covers_43_forces_and_every_resident():
    figures = oracle()
    for census in (LTLA, MSOA):
        forces = figures[census.name]
        assert len(forces) == 43
        assert sum(f["total"] for f in forces.values()) == sum(int(r[TOTAL]) for r in _rows(census))
    assert figures[LTLA.name]["West Midlands"]["total"] == 2_919_655  # SOURCES.md


UNITARIES_2023 = {
    "E06000063": {"E07000026", "E07000028", "E07000029"},  # Cumberland
    "E06000064": {"E07000027", "E07000030", "E07000031"},  # Westmorland and Furness
    "E06000065": {f"E0700016{n}" for n in range(3, 10)},  # North Yorkshire
    "E06000066": {"E07000187", "E07000188", "E07000189", "E07000246"},  # Somerset
}
"""The 2023 unitary authorities and the 2021 districts they replaced (the Cumbria, North
Yorkshire and Somerset (Structural Changes) Orders 2022), written out here by hand."""


def test_the_oracles_membership_is_the_raw_2023_lookups():
    """The oracle's force membership (the 2021 lookup the project built) agrees with ONS's
    December 2023 lookup as published, read here row by row with the 2023 unitaries
    expanded by hand: two derivations of which districts make each force."""
    from_2023: dict[str, set[str]] = defaultdict(set)
    for row in _rows(LAD23):
        from_2023[row["PFA23NM"]] |= UNITARIES_2023.get(row["LAD23CD"], {row["LAD23CD"]})
    from_2021: dict[str, set[str]] = defaultdict(set)
    for row in _rows(LAD21):
        from_2021[row["PFANM"]].add(row["LAD21CD"])
    assert from_2023 == from_2021


@cache
def _read(path: Path):
    if path in (LTLA, MSOA):
        return reference.read_census(path)
    if path == CHANGES:
        return reference.read_district_changes(path)
    return reference.read_force_lookup(path)


def _settings(tmp_path: Path) -> Settings:
    return Settings.model_validate(
        {
            "force": {"name": "West Midlands"},
            "paths": {k: tmp_path / k for k in ("inbox", "database", "reports_dir", "work_dir")},
            "reference": {"area_lookup_file": tmp_path / "area_to_lpu.csv"},
        }
    )


def product(census: Path, lookup: Path, force: str, con) -> pd.DataFrame:
    """The product's population_benchmark for one force: its geography step on the files as
    read, then the SQL models. The LPU lookup lists the force's 2021 districts (from the
    oracle's file), all in one LPU, so the LPU must add up to the force as well."""
    districts = [r for r in _rows(LAD21) if r["PFANM"] == force]
    area_lookup = pd.DataFrame(
        {
            "area_code": [r["LAD21CD"] for r in districts],
            "area_name": [r["LAD21NM"] for r in districts],
            "lpu_code": "ALL",
            "lpu_name": "The whole force",
        }
    )
    names = geography.district_names(*(_read(p) for p in (lookup, CHANGES, LAD21, LAD23, LAD16)))
    resolved = geography.resolve(
        geography.Inputs(
            census=_read(census),
            census_file=census,
            force_lookup=_read(lookup),
            force_lookup_file=lookup,
            force_name=force,
            area_lookup=area_lookup,
            area_lookup_file=Path("area_to_lpu.csv"),
            changes=_read(CHANGES),
            changes_file=CHANGES,
            district_names=names,
        )
    )
    warehouse.replace_table(con, "raw.force_areas", resolved.force_areas)
    warehouse.replace_table(con, "raw.lpu_areas", resolved.lpu_areas)
    warehouse.run_models(con, [m for m in _models() if m.name == "population_benchmark"])
    return con.execute(
        """select area_level, group_code, population_count, total_population_count,
                  population_share
           from marts.population_benchmark where area_level in ('force', 'lpu')"""
    ).df()


@cache
def _models():
    wanted = {"stg_census__population", "population_benchmark"}
    return tuple(m for m in warehouse.discover_models() if m.name in wanted)


@pytest.mark.parametrize(
    ("census", "lookup"),
    [(LTLA, LAD21), (LTLA, LAD23), (LTLA, LAD16), (MSOA, LAD23)],
    ids=["ltla-lad21", "ltla-lad23", "ltla-lad16", "msoa-lad23"],
)
def test_every_force_benchmark_equals_the_oracle(tmp_path, census, lookup):
    expected = oracle()[census.name]
    con = duckdb.connect()
    warehouse.create_schemas(con)
    warehouse.load_code_tables(con, _settings(tmp_path))
    warehouse.replace_table(con, "raw.census_population", _read(census))
    warehouse.run_models(con, [m for m in _models() if m.name == "stg_census__population"])
    checked = 0
    for force, groups in expected.items():
        got = product(census, lookup, force, con)
        for level in ("force", "lpu"):
            rows = got[got["area_level"] == level].set_index("group_code")
            assert (rows["total_population_count"] == groups["total"]).all(), (force, level)
            for grouping, count in groups.items():
                if grouping == "total":
                    continue
                assert rows.at[grouping, "population_count"] == count, (force, grouping)
                share = rows.at[grouping, "population_share"]
                assert share == pytest.approx(count / groups["total"], rel=1e-12)
        checked += 1
    assert checked == 43


def test_the_changed_forces_named_in_the_issue(tmp_path):
    """Thames Valley (Buckinghamshire four times in the 2023 lookup) and North Yorkshire
    (the 2023 unitary) get their 2021 figures, not 4,174,438 / 20.97% and 202,821 / 7.2%."""
    con = duckdb.connect()
    warehouse.create_schemas(con)
    warehouse.load_code_tables(con, _settings(tmp_path))
    warehouse.replace_table(con, "raw.census_population", _read(LTLA))
    warehouse.run_models(con, [m for m in _models() if m.name == "stg_census__population"])
    for force, total, share in (
        ("Thames Valley", 2_515_204, 0.2158),
        ("North Yorkshire", 818_320, 0.0428),
        ("Cumbria", 499_847, 0.0237),
    ):
        got = product(LTLA, LAD23, force, con).query(
            "area_level == 'force' and group_code == 'minority_excl_white'"
        )
        assert got["total_population_count"].iloc[0] == total
        assert got["population_share"].iloc[0] == pytest.approx(share, abs=5e-5)
