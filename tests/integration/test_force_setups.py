"""Forces other than the demo, set up as a new user would with the real ONS and Nomis
files: each fault issue 11 found (numbered as there) through `progression run`, with the
exit code, the message and the published figures asserted.

Expected figures are read from the raw census file by the test's own code (csv module).
"""

from __future__ import annotations

import csv
import json
import textwrap
from pathlib import Path

import pytest
from conftest import STAFF_HEADER, staff_row
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.config import BUNDLED_REFERENCE, load_settings
from pipeline.nightly import log_path
from pipeline.runs import ExitCode
from pipeline.warehouse import connect

LTLA = BUNDLED_REFERENCE / "census2021-ts021-ltla.csv"
MSOA = BUNDLED_REFERENCE / "census2021-ts021-msoa.csv"
LAD21 = BUNDLED_REFERENCE / "lad21-to-police-force-area.csv"
LAD23 = BUNDLED_REFERENCE / "lad23-to-police-force-area-ons-2023.csv"
TOTAL = "Ethnic group: Total: All usual residents"
WHITE = "Ethnic group: White"
LOOKUP_HEADER = "area_code,area_name,lpu_code,lpu_name"


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def districts_of(force: str) -> list[tuple[str, str]]:
    """The force's Census 2021 districts, from the 2021 lookup (code, name)."""
    return [(r["LAD21CD"], r["LAD21NM"]) for r in _rows(LAD21) if r["PFANM"] == force]


def census_figures(codes: set[str]) -> tuple[int, float]:
    """Usual residents and the ethnic-minority (not White) share of these districts."""
    rows = [r for r in _rows(LTLA) if r["geography code"] in codes]
    total = sum(int(r[TOTAL]) for r in rows)
    return total, sum(int(r[TOTAL]) - int(r[WHITE]) for r in rows) / total


def lpu_lookup(districts: list[tuple[str, str]]) -> str:
    """One LPU a district, coded L1, L2, ..."""
    rows = [f'{code},"{name}",L{i},"{name}"' for i, (code, name) in enumerate(districts, 1)]
    return "\n".join([LOOKUP_HEADER, *rows]) + "\n"


def setup(
    root: Path,
    force: str,
    lookup: str | bytes,
    reference: str = "",
    people: int = 20,
    lpu: str = "L1",
) -> Path:
    """A force folder: configuration, area -> LPU lookup, key and one staff snapshot."""
    (root / "inbox").mkdir(parents=True, exist_ok=True)
    path = root / "area_to_lpu.csv"
    path.write_bytes(lookup if isinstance(lookup, bytes) else lookup.encode("utf-8"))
    (root / "test.key").write_text("a-test-key-of-more-than-16-bytes", encoding="utf-8")
    config = root / "progression.toml"
    config.write_text(
        textwrap.dedent(
            f"""\
            [force]
            name = "{force}"
            [paths]
            inbox = "inbox"
            database = "var/progression.duckdb"
            reports_dir = "var/reports"
            work_dir = "var/work"
            pseudonym_key_file = "test.key"
            [reference]
            area_lookup_file = "area_to_lpu.csv"
            census_2011_file = ""
            """
        )
        + textwrap.dedent(reference)
        + textwrap.dedent(
            """\
            [[codes.departments]]
            name = "Local Policing"
            [report]
            pdf = false
            """
        ),
        encoding="utf-8",
    )
    if people:
        ethnicities = ["W1", "A2", "B1", "W1", "M1"]
        rows = [staff_row(f"P{i}", ethnicities[i % 5], lpu=lpu) for i in range(people)]
        (root / "inbox" / "staff_snapshot_2026-03-31.csv").write_text(
            STAFF_HEADER + "\n" + "\n".join(rows) + "\n", encoding="utf-8"
        )
    return config


def run(config: Path):
    result = CliRunner().invoke(app, ["run", "--config", str(config)])
    result.text = " ".join(result.output.split())
    return result


def benchmark(config: Path, level: str = "force") -> dict:
    settings = load_settings(config)
    with connect(settings.paths.database, read_only=True) as con:
        row = con.execute(
            """select area_code, area_name, total_population_count, population_share
               from analytics.population_benchmark
               where area_level = ? and group_code = 'minority_excl_white'""",
            [level],
        ).df()
    return row.iloc[0].to_dict() if level == "force" else row


def events(config: Path, name: str) -> list[dict]:
    lines = log_path(load_settings(config)).read_text(encoding="utf-8").splitlines()
    return [e for e in map(json.loads, lines) if e["event"] == name]


# 1. Duplicate lookup rows double-count a district.


def test_1_the_ons_2023_lookup_counts_buckinghamshire_once(tmp_path):
    districts = districts_of("Thames Valley")
    config = setup(
        tmp_path, "Thames Valley", lpu_lookup(districts), f'force_lookup_file = "{LAD23}"\n'
    )
    result = run(config)
    assert result.exit_code == ExitCode.SUCCESS, result.text
    got = benchmark(config)
    total, share = census_figures({code for code, _ in districts})
    assert (got["total_population_count"], total) == (2_515_204, 2_515_204)
    assert got["population_share"] == pytest.approx(share, rel=1e-12)
    assert round(got["population_share"] * 100, 2) == 21.58
    notes = [e["message"] for e in events(config, "force_geography")]
    assert any("E06000060 Buckinghamshire more than once" in n for n in notes), notes


def test_1_two_rows_for_one_district_count_it_once(tmp_path):
    lookup = tmp_path / "force_lookup.csv"
    lookup.write_text(
        "LAD23CD,LAD23NM,CSP23CD,CSP23NM,PFA23CD,PFA23NM\n"
        "E06000060,Buckinghamshire,E22000303,Aylesbury Vale,E23000029,Thames Valley\n"
        "E06000060,Buckinghamshire,E22000306,Chiltern,E23000029,Thames Valley\n",
        encoding="utf-8",
    )
    bucks = [("E06000060", "Buckinghamshire")]
    config = setup(
        tmp_path, "Thames Valley", lpu_lookup(bucks), 'force_lookup_file = "force_lookup.csv"\n'
    )
    assert run(config).exit_code == ExitCode.SUCCESS
    assert benchmark(config)["total_population_count"] == census_figures({"E06000060"})[0]


# 2. Districts that are not in the census drop out silently.


@pytest.mark.parametrize(
    ("force", "total", "percent"),
    [("North Yorkshire", 818_320, 4.28), ("Cumbria", 499_847, 2.37)],
)
def test_2_the_2023_unitary_authorities_are_their_2021_districts(tmp_path, force, total, percent):
    districts = districts_of(force)
    config = setup(tmp_path, force, lpu_lookup(districts), f'force_lookup_file = "{LAD23}"\n')
    result = run(config)
    assert result.exit_code == ExitCode.SUCCESS, result.text
    got = benchmark(config)
    assert got["total_population_count"] == total == census_figures({c for c, _ in districts})[0]
    assert round(got["population_share"] * 100, 2) == percent
    lpus = benchmark(config, "lpu")
    assert lpus["total_population_count"].sum() == total
    report = (load_settings(config).paths.reports_dir / "latest" / "index.html").read_text()
    assert "[x] of the force area" not in report


def test_2_a_district_the_census_cannot_cover_is_a_configuration_error(tmp_path):
    lookup = tmp_path / "force_lookup.csv"
    lookup.write_text(
        "LAD25CD,LAD25NM,PFA25CD,PFA25NM\n"
        "E06000014,York,E23000009,North Yorkshire\n"
        "E06000099,New Yorkshire Dales,E23000009,North Yorkshire\n",
        encoding="utf-8",
    )
    config = setup(
        tmp_path, "North Yorkshire", lpu_lookup([("E06000014", "York")]),
        'force_lookup_file = "force_lookup.csv"\n',
    )  # fmt: skip
    result = run(config)
    assert result.exit_code == ExitCode.CONFIG_ERROR, result.text
    assert "Configuration error, nothing published" in result.text
    assert "force_lookup.csv puts E06000099 New Yorkshire Dales in North Yorkshire" in result.text
    assert "[reference] district_changes_file" in result.text
    assert not load_settings(config).paths.database.exists()


# 3. The LPU lookup is never checked against the force.


def test_3_an_lpu_lookup_of_another_force_is_a_configuration_error(tmp_path):
    config = setup(tmp_path, "West Midlands", lpu_lookup(districts_of("Dorset")))
    result = run(config)
    assert result.exit_code == ExitCode.CONFIG_ERROR, result.text
    assert (
        "area_to_lpu.csv: row 2 (E06000058 → LPU L1, in Dorset), row 3 (E06000059 → LPU L2, "
        "in Dorset) lie outside West Midlands, the configured force"
    ) in result.text
    assert not load_settings(config).paths.database.exists()


def test_3_lpus_that_leave_part_of_the_force_out_are_a_configuration_error(tmp_path):
    config = setup(tmp_path, "West Midlands", lpu_lookup(districts_of("West Midlands")[:5]))
    result = run(config)
    assert result.exit_code == ExitCode.CONFIG_ERROR, result.text
    assert "the LPUs do not cover the whole of West Midlands" in result.text
    assert "Walsall (E08000030); Wolverhampton (E08000031) are in no LPU" in result.text


def test_3_an_area_in_two_lpus_blocks_naming_the_row(tmp_path):
    lookup = lpu_lookup(districts_of("West Midlands")) + "E08000025,Birmingham,L9,Again\n"
    result = run(setup(tmp_path, "West Midlands", lookup))
    assert result.exit_code == ExitCode.BLOCKED
    assert "area code E08000025 repeated in row 9" in result.text


# 4. A census at another geography loses the force benchmark.


def _msoa_totals(district_names: set[str]) -> int:
    names = {n.split(",")[0] for n in district_names}
    return sum(int(r[TOTAL]) for r in _rows(MSOA) if r["geography"].rsplit(" ", 1)[0] in names)


def test_4_an_msoa_census_with_a_district_lpu_lookup_keeps_every_benchmark(tmp_path):
    districts = districts_of("West Midlands")
    config = setup(tmp_path, "West Midlands", lpu_lookup(districts), f'census_file = "{MSOA}"\n')
    result = run(config)
    assert result.exit_code == ExitCode.SUCCESS, result.text
    got = benchmark(config)
    assert got["total_population_count"] == _msoa_totals({n for _, n in districts})
    assert (
        benchmark(config, "lpu")["total_population_count"].sum() == (got["total_population_count"])
    )
    settings = load_settings(config)
    with connect(settings.paths.database, read_only=True) as con:
        missing, rows = con.execute(
            """select count(*) filter (where population_share is null), count(*)
               from analytics.representation where lpu_code = 'All'"""
        ).fetchone()
        local = con.execute(
            """select count(*) from analytics.population_benchmark
               where area_level = 'local_authority' and group_code = 'white'"""
        ).fetchone()[0]
    assert rows > 0 and missing == 0
    assert local == 7


def test_4_an_msoa_lpu_lookup_splitting_a_district(tmp_path):
    msoas = [r for r in _rows(MSOA) if r["geography"].startswith("Birmingham ")]
    rows = [
        f"{r['geography code']},{r['geography']},{'BN' if i % 2 else 'BS'},Birmingham"
        for i, r in enumerate(msoas)
    ]
    others = [(c, n) for c, n in districts_of("West Midlands") if n != "Birmingham"]
    lookup = lpu_lookup(others) + "\n".join(rows) + "\n"
    config = setup(tmp_path, "West Midlands", lookup, f'census_file = "{MSOA}"\n', lpu="BN")
    result = run(config)
    assert result.exit_code == ExitCode.SUCCESS, result.text
    lpus = benchmark(config, "lpu").set_index("area_code")
    assert lpus.loc["BN", "total_population_count"] + lpus.loc["BS", "total_population_count"] == (
        sum(int(r[TOTAL]) for r in msoas)
    )
    assert lpus["total_population_count"].sum() == benchmark(config)["total_population_count"]


def test_4_a_ward_census_needs_and_then_uses_an_area_district_lookup(tmp_path):
    """Ward names do not start with their authority's: the run says which setting places
    them, and with that lookup the wards add up to the force."""
    census = LTLA.read_text(encoding="utf-8").splitlines()
    districts = dict(districts_of("West Midlands"))
    wards, placed = [census[0]], ["WD22CD,WD22NM,LAD22CD,LAD22NM"]
    for number, row in enumerate(r for r in census[1:] if r.split(",")[2] in districts):
        code = row.split(",")[2]
        ward = f"E0501{number:04d}"
        wards.append(row.replace(f",{districts[code]},{code},", f",Ward {number},{ward},"))
        placed.append(f"{ward},Ward {number},{code},{districts[code]}")
    (tmp_path / "wards.csv").write_text("\n".join(wards) + "\n", encoding="utf-8")
    (tmp_path / "wards_to_lad.csv").write_text("\n".join(placed) + "\n", encoding="utf-8")
    lookup = lpu_lookup(list(districts.items()))
    config = setup(tmp_path, "West Midlands", lookup, 'census_file = "wards.csv"\n')
    result = run(config)
    assert result.exit_code == ExitCode.CONFIG_ERROR, result.text
    assert "7 of its 7 areas (E05010000 'Ward 0', E05010001 'Ward 1', E05010002" in result.text
    assert "Set [reference] area_district_file" in result.text

    reference = 'census_file = "wards.csv"\narea_district_file = "wards_to_lad.csv"\n'
    config = setup(tmp_path, "West Midlands", lookup, reference)
    result = run(config)
    assert result.exit_code == ExitCode.SUCCESS, result.text
    assert benchmark(config)["total_population_count"] == 2_919_655


# 5. Reference-file faults end as software faults.


def test_5_a_windows_1252_area_lookup_is_read(tmp_path):
    districts = districts_of("West Midlands")
    text = lpu_lookup(districts).replace('L1,"Birmingham"', 'L1,"Birmingham \u2013 City"')
    config = setup(tmp_path, "West Midlands", text.encode("cp1252"))
    result = run(config)
    assert result.exit_code == ExitCode.SUCCESS, result.text
    lpus = benchmark(config, "lpu").set_index("area_code")
    assert lpus.loc["L1", "area_name"] == "Birmingham \u2013 City"


def test_5_lower_case_headers_in_the_force_lookup(tmp_path):
    with (tmp_path / "lookup.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["lad21cd", "lad21nm", "pfa21cd", "pfa21nm"])
        writer.writerows([r["LAD21CD"], r["LAD21NM"], r["PFACD"], r["PFANM"]] for r in _rows(LAD21))
    districts = districts_of("West Midlands")
    config = setup(
        tmp_path, "West Midlands", lpu_lookup(districts), 'force_lookup_file = "lookup.csv"\n'
    )
    result = run(config)
    assert result.exit_code == ExitCode.SUCCESS, result.text
    assert benchmark(config)["total_population_count"] == 2_919_655


def test_5_an_unquoted_comma_in_a_lookup_names_the_row(tmp_path):
    districts = districts_of("West Midlands")
    text = lpu_lookup(districts).replace('"Birmingham",L1', "Birmingham, City of,L1")
    result = run(setup(tmp_path, "West Midlands", text))
    assert result.exit_code == ExitCode.BLOCKED, result.text
    assert (
        "area_to_lpu.csv (the area → LPU lookup ([reference] area_lookup_file)): row 2 has 5 "
        "fields but the header (row 1) has 4"
    ) in result.text


def test_5_a_force_lookup_without_the_columns_names_them(tmp_path):
    (tmp_path / "lookup.csv").write_text("code,name\nE08000025,Birmingham\n", encoding="utf-8")
    districts = districts_of("West Midlands")
    config = setup(
        tmp_path, "West Midlands", lpu_lookup(districts), 'force_lookup_file = "lookup.csv"\n'
    )
    result = run(config)
    assert result.exit_code == ExitCode.BLOCKED, result.text
    assert (
        "lookup.csv (the district → police force area lookup ([reference] force_lookup_file)): "
        "no column for district_code, district_name, force_code, force_name in the header "
        "(row 1: 'code', 'name')"
    ) in result.text


def test_5_an_empty_inbox_on_the_first_night_says_so(tmp_path):
    config = setup(tmp_path, "West Midlands", lpu_lookup(districts_of("West Midlands")), people=0)
    (tmp_path / "inbox" / "notes.txt").write_text("not an extract", encoding="utf-8")
    result = run(config)
    assert result.exit_code == ExitCode.BLOCKED, result.text
    assert "Internal error" not in result.text
    assert "inbox: The inbox holds no extract to load" in result.text
    assert "notes.txt" in result.text and "staff_snapshot*" in result.text


def test_5_a_first_night_without_a_staff_snapshot_says_so(tmp_path):
    config = setup(tmp_path, "West Midlands", lpu_lookup(districts_of("West Midlands")), people=0)
    stages = [f"SGT-2025,Sergeant 2025,Sergeant,P{i},1,Exam,passed,2025-06-01" for i in range(9)]
    (tmp_path / "inbox" / "promotion_candidates_2025.csv").write_text(
        "process_id,process_name,target_rank,staff_id,stage_order,stage_name,outcome,"
        "outcome_date\n" + "\n".join(stages) + "\n",
        encoding="utf-8",
    )
    result = run(config)
    assert result.exit_code == ExitCode.BLOCKED, result.text
    assert (
        "inbox: No staff snapshot among the extracts read, and nothing has been published yet: "
        "every measure starts from one (read promotion_candidates_2025.csv)."
    ) in result.text


def test_5_a_reference_file_that_is_not_there_is_a_configuration_error(tmp_path):
    districts = districts_of("West Midlands")
    config = setup(tmp_path, "West Midlands", lpu_lookup(districts), 'census_file = "nomis.csv"\n')
    result = run(config)
    assert result.exit_code == ExitCode.CONFIG_ERROR, result.text
    assert "the census file: " in result.text and "nomis.csv does not exist" in result.text


def test_5_a_wrong_force_name_is_a_configuration_error(tmp_path):
    config = setup(tmp_path, "Thames Vally", lpu_lookup(districts_of("Thames Valley")))
    result = run(config)
    assert result.exit_code == ExitCode.CONFIG_ERROR, result.text
    assert "[force] name 'Thames Vally' is not a police force area" in result.text
    assert "did you mean 'Thames Valley'?" in result.text


def test_5_a_census_download_with_metadata_lines_above_the_header(tmp_path):
    text = LTLA.read_text(encoding="utf-8")
    metadata = '"Ethnic group (TS021)"\n"ONS Crown Copyright Reserved"\n\n"Units","Persons"\n\n'
    footer = '\n"In order to protect against disclosure of personal information ..."\n'
    (tmp_path / "census.csv").write_text(metadata + text + footer, encoding="utf-8")
    districts = districts_of("West Midlands")
    config = setup(tmp_path, "West Midlands", lpu_lookup(districts), 'census_file = "census.csv"\n')
    result = run(config)
    assert result.exit_code == ExitCode.SUCCESS, result.text
    assert benchmark(config)["total_population_count"] == 2_919_655
