"""The census reader and lookups, checked against counts read independently from the file."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from pipeline.config import BUNDLED_REFERENCE
from pipeline.geography import GeographyError
from pipeline.reference import (
    ReferenceDataError,
    read_area_lookup,
    read_census,
    read_force_areas,
)

TS021 = BUNDLED_REFERENCE / "census2021-ts021-ltla.csv"
QS201 = BUNDLED_REFERENCE / "census2011-qs201ew-la.csv"
FORCES = BUNDLED_REFERENCE / "lad21-to-police-force-area.csv"
WEST_MIDLANDS = {f"E080000{n}" for n in range(25, 32)}


def _raw_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def test_west_midlands_force_area_from_the_real_census():
    rows = [r for r in _raw_rows(TS021) if r["geography code"] in WEST_MIDLANDS]
    total = sum(int(r["Ethnic group: Total: All usual residents"]) for r in rows)
    broad_minorities = [
        "Ethnic group: Asian, Asian British or Asian Welsh",
        "Ethnic group: Black, Black British, Black Welsh, Caribbean or African",
        "Ethnic group: Mixed or Multiple ethnic groups",
        "Ethnic group: Other ethnic group",
    ]
    minority = sum(int(r[c]) for r in rows for c in broad_minorities)
    assert total == 2_919_655

    census = read_census(TS021)
    areas = read_force_areas(FORCES, "West Midlands")
    assert set(areas["district_code"]) == WEST_MIDLANDS
    assert set(areas["force_code"]) == {"E23000014"}
    wm = census[census["area_code"].isin(areas["district_code"])]
    assert wm["population_count"].sum() == total
    not_white = wm[~wm["ethnicity_code"].str.startswith("W")]["population_count"].sum()
    assert not_white / total == pytest.approx(minority / total, abs=0)
    assert minority / total == pytest.approx(0.3858, abs=5e-5)


def test_roma_is_folded_into_w9_and_every_area_sums_to_its_total():
    census = read_census(TS021)
    birmingham = _raw_rows(TS021)
    row = next(r for r in birmingham if r["geography code"] == "E08000025")
    w9 = int(row["Ethnic group: White: Roma"]) + int(row["Ethnic group: White: Other White"])
    got = census.query("area_code == 'E08000025' and ethnicity_code == 'W9'")
    assert int(got["population_count"].iloc[0]) == w9
    assert census["area_code"].nunique() == 331
    assert census["ethnicity_code"].nunique() == 18


def test_census_2011_layout_is_read_by_its_labels():
    census = read_census(QS201)
    row = next(r for r in _raw_rows(QS201) if r["geography code"] == "E08000025")
    total = int(row["Ethnic Group: All categories: Ethnic group; measures: Value"])
    got = census[census["area_code"] == "E08000025"]
    assert got["population_count"].sum() == total
    assert set(got["census_year"]) == {2011}
    arab = int(row["Ethnic Group: Other ethnic group: Arab; measures: Value"])
    assert int(got.query("ethnicity_code == 'O2'")["population_count"].iloc[0]) == arab


def test_a_census_file_with_a_column_missing_says_which(tmp_path: Path):
    rows = _raw_rows(TS021)[:3]
    header = [c for c in rows[0] if c != "Ethnic group: Black, Black British, Black Welsh, "
              "Caribbean or African: African"]  # fmt: skip
    path = tmp_path / "census.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, header, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    with pytest.raises(ReferenceDataError, match="no column for B2"):
        read_census(path)


def test_detailed_groups_must_add_up_to_the_total(tmp_path: Path):
    text = TS021.read_text(encoding="utf-8").splitlines()
    fields = text[1].split(",")
    fields[3] = str(int(fields[3]) + 1)
    path = tmp_path / "census.csv"
    path.write_text("\n".join([text[0], ",".join(fields)]) + "\n", encoding="utf-8")
    with pytest.raises(ReferenceDataError, match=r"do not add up .* in row 2 \(area E06000001\)"):
        read_census(path)


TOTAL = "Ethnic group: Total: All usual residents"
INDIAN = "Ethnic group: Asian, Asian British or Asian Welsh: Indian"


def _census_with(tmp_path: Path, total: str, indian: str) -> Path:
    """The real TS021 file's first area, its total and Indian count written as given."""
    row = _raw_rows(TS021)[0]
    row[TOTAL], row[INDIAN] = total, indian
    path = tmp_path / "census.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, list(row))
        writer.writeheader()
        writer.writerow(row)
    return path


@pytest.mark.parametrize(
    "written",
    ["1E+03", "1e3", "nan", "inf", "-inf", "12.5", "-4", "0x1F", "", "many", "1,2", "9" * 20],
)
def test_a_census_count_that_is_not_a_whole_number_of_people_names_its_row_and_column(
    tmp_path: Path, written: str
):
    """Read as the nightly extracts read a count (``parse_whole_numbers``): a count a spreadsheet
    rewrote is refused with its row and column, never read (``inf`` used to end in exit 1)."""
    path = _census_with(tmp_path, "inf", written)
    with pytest.raises(ReferenceDataError, match=r"not a whole number of people in row 2, col"):
        read_census(path)
    row = _raw_rows(TS021)[0]
    path = _census_with(tmp_path, row[TOTAL], written)
    with pytest.raises(ReferenceDataError, match=f"row 2, column {INDIAN!r}"):
        read_census(path)


@pytest.mark.parametrize(("written", "count"), [("1,234", 1234), ("12.0", 12), ("+7", 7)])
def test_a_census_count_is_read_as_an_extract_count_is(tmp_path: Path, written: str, count: int):
    row = _raw_rows(TS021)[0]
    total = int(row[TOTAL]) - int(row[INDIAN]) + count
    census = read_census(_census_with(tmp_path, str(total), written))
    assert census.query("ethnicity_code == 'A1'")["population_count"].tolist() == [count]


def test_an_unknown_force_is_a_configuration_error_listing_the_valid_names():
    with pytest.raises(GeographyError, match=r"Set it to one of the 43 names there: .*West Midl"):
        read_force_areas(FORCES, "Midsomer")
    with pytest.raises(GeographyError, match=r"did you mean 'West Midlands'"):
        read_force_areas(FORCES, "West Midland")


@pytest.mark.parametrize(
    "written",
    ["west midlands", "West Midlands Police", "  WEST MIDLANDS  "],
)
def test_a_force_name_written_another_way_is_the_same_force(written):
    assert set(read_force_areas(FORCES, written)["force_name"]) == {"West Midlands"}


def test_ampersand_and_city_of_london_spellings():
    assert len(read_force_areas(FORCES, "Devon and Cornwall Police")) == 12
    assert set(read_force_areas(FORCES, "City of London Police")["district_code"]) == {"E09000001"}


def test_every_one_of_the_43_forces_has_areas():
    forces = {r["PFANM"] for r in _raw_rows(FORCES)}
    assert len(forces) == 43
    for force in forces:
        assert len(read_force_areas(FORCES, force)) >= 1


def test_area_lookup_rejects_an_area_in_two_lpus(tmp_path: Path):
    path = tmp_path / "lookup.csv"
    path.write_text("area_code,area_name,lpu_code,lpu_name\nE1,A,X,X\nE1,A,Y,Y\n", encoding="utf-8")
    with pytest.raises(ReferenceDataError, match="repeated in row 3"):
        read_area_lookup(path)


def test_an_empty_reference_file_is_named_and_not_called_an_extract(tmp_path: Path):
    path = tmp_path / "lookup.csv"
    path.write_text("", encoding="utf-8")
    with pytest.raises(ReferenceDataError) as caught:
        read_area_lookup(path)
    message = str(caught.value)
    assert message.startswith("lookup.csv (")
    assert "extract" not in message
    assert "correct its path in the configuration" in message


def test_invisible_characters_around_an_area_code_are_not_part_of_it(tmp_path: Path):
    """hostile-10: a zero-width space or a byte-order mark (two files joined) around a code
    made it match nothing, as a non-breaking space around it did not."""
    path = tmp_path / "lookup.csv"
    rows = ["\u200bE08000025,Birmingham,BHM,Birmingham", "\ufeffE08000026\u00a0,Coventry,COV,C"]
    path.write_text("area_code,area_name,lpu_code,lpu_name\n" + "\n".join(rows) + "\n")
    assert read_area_lookup(path)["area_code"].tolist() == ["E08000025", "E08000026"]
