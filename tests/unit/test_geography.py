"""Force geography on tiny inline tables: LSOA names, districts of other vintages met part
by part, and the messages for what cannot be matched."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from pipeline.geography import GeographyError, Inputs, district_names, resolve

CHANGES = pd.DataFrame(
    {
        "old_code": ["E07000004", "E07000005", "E07000006", "E07000007"],
        "old_name": ["Aylesbury Vale", "Chiltern", "South Bucks", "Wycombe"],
        "new_code": ["E06000060"] * 4,
        "new_name": ["Buckinghamshire"] * 4,
    }
)


def census(*areas: tuple[str, str]) -> pd.DataFrame:
    return pd.DataFrame(
        [(code, name, 2021, "W1", 10) for code, name in areas],
        columns=["area_code", "area_name", "census_year", "ethnicity_code", "population_count"],
    )


def lookup(*rows: tuple[str, str, str]) -> pd.DataFrame:
    return pd.DataFrame(
        [(code, name, "E23000029", force) for code, name, force in rows],
        columns=["district_code", "district_name", "force_code", "force_name"],
    )


def lpus(*rows: tuple[str, str]) -> pd.DataFrame:
    return pd.DataFrame(
        [(code, code, lpu, lpu) for code, lpu in rows],
        columns=["area_code", "area_name", "lpu_code", "lpu_name"],
    )


def inputs(census_frame, force_lookup, area_lookup, force="Thames Valley") -> Inputs:
    return Inputs(
        census=census_frame,
        census_file=Path("census.csv"),
        force_lookup=force_lookup,
        force_lookup_file=Path("forces.csv"),
        force_name=force,
        area_lookup=area_lookup,
        area_lookup_file=Path("area_to_lpu.csv"),
        changes=CHANGES,
        changes_file=Path("changes.csv"),
        district_names=district_names(force_lookup, CHANGES),
    )


def test_lsoas_are_placed_in_their_district_by_name():
    got = resolve(
        inputs(
            census(
                ("E01000001", "Reading 001A"),
                ("E01000002", "Reading 001B"),
                ("E01000003", "Slough 004C"),
            ),
            lookup(("E06000038", "Reading", "Thames Valley"), ("E06000039", "Slough", "Kent")),
            lpus(("E06000038", "RDG")),
        )
    )
    assert list(got.force_areas["area_code"]) == ["E01000001", "E01000002"]
    assert set(got.force_areas["district_name"]) == {"Reading"}
    assert list(got.lpu_areas["lpu_code"]) == ["RDG", "RDG"]


def test_a_2016_lookup_meets_the_2021_census_by_its_parts():
    force_lookup = lookup(*((code, name, "Thames Valley")
                            for code, name in zip(CHANGES["old_code"], CHANGES["old_name"],
                                                  strict=True)))  # fmt: skip
    got = resolve(inputs(census(("E06000060", "Buckinghamshire")), force_lookup,
                         lpus(("E06000060", "BUCKS"))))  # fmt: skip
    assert list(got.force_areas["district_code"]) == ["E06000060"]
    assert got.force_areas["listed_as"].iloc[0] == "E07000004 E07000005 E07000006 E07000007"
    assert any("is E06000060 Buckinghamshire in the census" in n for n in got.notes)


def test_a_census_district_only_partly_in_the_force_is_named():
    force_lookup = lookup(("E07000004", "Aylesbury Vale", "Thames Valley"))
    with pytest.raises(GeographyError) as error:
        resolve(inputs(census(("E06000060", "Buckinghamshire")), force_lookup, lpus()))
    message = str(error.value)
    assert "Census district E06000060 Buckinghamshire is only partly in Thames Valley" in message
    assert "it lists E07000004 Aylesbury Vale but not E07000005 Chiltern" in message


def test_an_lpu_row_for_part_of_a_census_district_is_named():
    force_lookup = lookup(("E06000060", "Buckinghamshire", "Thames Valley"))
    with pytest.raises(GeographyError, match=r"row 2 \(E07000004, part of E06000060 Buck"):
        resolve(inputs(census(("E06000060", "Buckinghamshire")), force_lookup,
                       lpus(("E07000004", "AV"), ("E06000060", "B"))))  # fmt: skip


def test_a_census_mixing_geographies_is_refused():
    with pytest.raises(GeographyError, match="mixes local authorities"):
        resolve(
            inputs(
                census(("E06000038", "Reading"), ("E01000001", "Reading 001A")),
                lookup(("E06000038", "Reading", "Thames Valley")),
                lpus(("E06000038", "RDG")),
            )
        )
