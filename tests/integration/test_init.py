"""`progression init` sets up a force other than the demo's, and its first night runs:
init, a small extract in the HR system's own wording dropped into the inbox, `progression
run` (issue 11: a set-up path for a new force)."""

from __future__ import annotations

import csv
import os
import stat
import tomllib
from pathlib import Path

import pytest
from conftest import write_workbook
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.config import load_settings
from pipeline.demo import HEADERS, write_demo_force
from pipeline.extracts import read_extract
from pipeline.runs import ExitCode
from pipeline.schemas import allowed_codes
from pipeline.warehouse import connect

HR_HEADER = [
    "Payroll Number", "Surname", "As At Date", "Employee Type", "Rank/Grade", "Department",
    "LPU", "Job Title", "Gender", "Ethnic Origin", "DOB", "Continuous Service Date",
    "Date in Rank", "FTE", "Temporary/Acting",
]  # fmt: skip
ETHNIC_ORIGINS = ["White - British", "Asian or Asian British - Pakistani", "White  -  Irish",
                  "Black - Caribbean", "White -British", "Mixed - White and Asian"]  # fmt: skip


def invoke(*args: str):
    result = CliRunner().invoke(app, list(args), env={"PROGRESSION_PSEUDONYM_KEY": ""})
    result.text = " ".join(result.output.split())
    return result


def hr_extract(path: Path, lpus: list[str], people: int = 40, title: bool = False) -> None:
    """A staff snapshot as the force's HR system writes it: its own headers and wording, UK
    dates, a surname to drop, optionally a report title above the header."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        if title:
            writer.writerows([["Establishment report, 31 March 2026"], []])
        writer.writerow(HR_HEADER)
        for i in range(people):
            writer.writerow([
                f"{i + 1:08d}", "Smith", "31/03/2026",
                "Police Officer" if i % 4 else "Police Staff", "PC" if i % 4 else "Band C",
                "Local Policing", lpus[i % len(lpus)], "Response",
                "Female" if i % 2 else "Male", ETHNIC_ORIGINS[i % len(ETHNIC_ORIGINS)],
                "01/01/1990", "01/09/2015", "01/09/2018", "1", "N",
            ])  # fmt: skip


def test_init_then_the_first_night_runs_for_thames_valley(tmp_path):
    folder = tmp_path / "thames-valley"
    sample = tmp_path / "HR_Establishment_20260331.csv"
    hr_extract(sample, ["REA"], people=5, title=True)

    result = invoke("init", "--force", "Thames Valley", str(folder), "--sample", str(sample))
    assert result.exit_code == ExitCode.SUCCESS, result.text
    assert "Set up Thames Valley in" in result.text
    assert "13 local authorities, one LPU each" in result.text
    assert "Back it up now" in result.text
    key = folder / "pseudonym.key"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600 and len(key.read_text().strip()) == 64

    config = tomllib.loads((folder / "progression.toml").read_text(encoding="utf-8"))
    assert config["force"]["name"] == "Thames Valley"
    spec = config["extracts"]["staff_snapshot"]
    assert spec["file_pattern"] == "HR_Establishment_*"
    assert spec["columns"]["staff_id"] == "Payroll Number"
    assert spec["columns"]["ethnicity_code"] == "Ethnic Origin"
    assert spec["columns"]["snapshot_date"] == "As At Date"
    with (folder / "area_to_lpu.csv").open(encoding="utf-8") as handle:
        lookup = list(csv.DictReader(handle))
    assert len(lookup) == 13 and {r["lpu_code"] for r in lookup} >= {"REA", "OXF", "MK"}

    lpus = [r["lpu_code"] for r in lookup]
    hr_extract(folder / "inbox" / "HR_Establishment_20260331.csv", lpus)
    result = invoke("run", "--config", str(folder / "progression.toml"))
    assert result.exit_code in (ExitCode.SUCCESS, ExitCode.SUCCESS_WITH_WARNINGS), result.text
    assert "0 row(s) quarantined" in result.text
    assert "Dropped columns not on the allow-list: Surname" in result.text
    settings = load_settings(folder / "progression.toml")
    with connect(settings.paths.database, read_only=True) as con:
        force = con.execute(
            """select area_name, total_population_count from analytics.population_benchmark
               where area_level = 'force' limit 1"""
        ).fetchone()
        headcount = con.execute(
            """select headcount from analytics.representation where worker_type = 'All'
               and lpu_code = 'All' and rank_or_band = 'All' limit 1"""
        ).fetchone()[0]
    assert force == ("Thames Valley", 2_515_204)
    assert headcount == 40
    page = (settings.paths.reports_dir / "latest" / "index.html").read_text(encoding="utf-8")
    assert "Thames Valley" in page


def test_the_demo_exports_headers_are_all_recognised(tmp_path):
    """The demo force's HR headers (its own names for every column), given as samples, give
    a configuration that reads each of them with nothing missing."""
    demo = tmp_path / "demo"
    write_demo_force(demo)
    samples = sorted(p for p in (demo / "inbox").glob("*2026*") if "03-31" not in p.stem)
    samples.append(demo / "inbox" / "staff_snapshot_2026-03-31.csv")
    assert len(samples) == len(HEADERS)  # one of every extract kind
    args = [arg for path in samples for arg in ("--sample", str(path))]
    folder = tmp_path / "wm"
    result = invoke("init", "--force", "west midlands police", str(folder), *args)
    assert result.exit_code == ExitCode.SUCCESS, result.text
    assert "not found" not in result.text
    config = tomllib.loads((folder / "progression.toml").read_text(encoding="utf-8"))
    for kind, headers in HEADERS.items():
        mapped = config["extracts"][kind]["columns"]
        for canonical, header in headers.items():
            assert mapped.get(canonical, header) == header, (kind, canonical)
    settings = load_settings(folder / "progression.toml")
    allowed = allowed_codes(settings, frozenset(["BHM"]))
    for path in samples:
        read_extract(path, path.name.split("_20")[0], settings, allowed)  # no missing column


def hr_rows(header: list[str] = HR_HEADER) -> list[list[str]]:
    rows = [
        ["00000001", "Smith", "31/03/2026", "Police Officer", "PC", "Local Policing", "REA",
         "Response", "Female", "White - British", "01/01/1990", "01/09/2015", "01/09/2018",
         "1", "N"],
    ]  # fmt: skip
    positions = [HR_HEADER.index(h) for h in header]
    return [header, *([row[i] for i in positions] for row in rows)]


NOTES = [["Extracted from Oracle HR on 01/04/2026"], ["Do not edit"]]


@pytest.mark.parametrize("name", ["HR_Establishment_20260331.xlsx", "staff_snapshot_2026.xlsx"])
def test_init_reads_the_sheet_that_has_the_extract_not_a_notes_sheet_in_front(tmp_path, name):
    """Hostile 10: init read the first sheet, a cover note, and wrote a configuration with
    every column missing; the nightly reader skipped the note (``extracts.read_table``)."""
    sample = write_workbook(tmp_path / name, {"Notes": NOTES, "Data": hr_rows()})
    folder = tmp_path / "force"
    result = invoke("init", "--force", "Thames Valley", str(folder), "--sample", str(sample))
    assert result.exit_code == ExitCode.SUCCESS, result.text
    text = (folder / "progression.toml").read_text(encoding="utf-8")
    assert f"# From the sample {name}, sheet 'Data'." in text
    columns = tomllib.loads(text)["extracts"]["staff_snapshot"]["columns"]
    assert columns["staff_id"] == "Payroll Number"
    assert columns["snapshot_date"] == "As At Date"
    assert "not found" not in result.text


def test_init_reads_the_sheet_with_most_of_the_extract_when_none_has_all(tmp_path):
    header = [h for h in HR_HEADER if h != "As At Date"]
    sample = tmp_path / "staff_snapshot_2026.xlsx"
    write_workbook(sample, {"Notes": NOTES, "Data": hr_rows(header)})
    result = invoke(
        "init", "--force", "Thames Valley", str(tmp_path / "f"), "--sample", str(sample)
    )
    assert result.exit_code == ExitCode.SUCCESS, result.text
    assert "not found: snapshot_date" in result.text
    config = tomllib.loads((tmp_path / "f" / "progression.toml").read_text(encoding="utf-8"))
    assert config["extracts"]["staff_snapshot"]["columns"]["staff_id"] == "Payroll Number"


@pytest.mark.parametrize(
    ("sheets", "problem"),
    [
        (
            {"Notes": NOTES, "Data": hr_rows(), "Copy": hr_rows()},
            "Sheets 'Data', 'Copy' all have the extract's columns.",
        ),
        (
            {"Notes": NOTES, "Contents": [["Sheet", "Description"], ["Notes", "About"]]},
            "No sheet has the extract's columns (its sheets are 'Notes', 'Contents').",
        ),
    ],
    ids=["two-fit", "none-has-any"],
)
def test_init_refuses_a_workbook_whose_sheet_is_not_known(tmp_path, sheets, problem):
    sample = write_workbook(tmp_path / "staff_snapshot_2026.xlsx", sheets)
    result = invoke("init", "--force", "Kent", str(tmp_path / "kent"), "--sample", str(sample))
    assert result.exit_code == ExitCode.CONFIG_ERROR, result.text
    assert f"Sample staff_snapshot_2026.xlsx: {problem}" in result.text
    assert "Delete the other sheets" in result.text
    assert not (tmp_path / "kent" / "progression.toml").exists()


def test_an_unknown_force_is_a_configuration_error(tmp_path):
    result = invoke("init", "--force", "Thames Vale", str(tmp_path / "x"))
    assert result.exit_code == ExitCode.CONFIG_ERROR
    assert "did you mean 'Thames Valley'" in result.text
    assert not (tmp_path / "x").exists()


def test_init_never_overwrites_a_configuration_or_a_key(tmp_path):
    folder = tmp_path / "force"
    assert invoke("init", "--force", "Kent", str(folder)).exit_code == ExitCode.SUCCESS
    key = (folder / "pseudonym.key").read_bytes()
    again = invoke("init", "--force", "Kent", str(folder))
    assert again.exit_code == ExitCode.CONFIG_ERROR
    assert "progression.toml already exists" in again.text
    (folder / "progression.toml").unlink()
    assert invoke("init", "--force", "Kent", str(folder)).exit_code == ExitCode.SUCCESS
    assert (folder / "pseudonym.key").read_bytes() == key


@pytest.mark.skipif(os.name != "posix", reason="file modes")
def test_a_key_file_elsewhere(tmp_path):
    key = tmp_path / "secrets" / "kent.key"
    result = invoke("init", "--force", "Kent", str(tmp_path / "kent"), "--key-file", str(key))
    assert result.exit_code == ExitCode.SUCCESS, result.text
    settings = load_settings(tmp_path / "kent" / "progression.toml")
    assert settings.paths.pseudonym_key_file == key
    assert len(settings.pseudonym_key()) == 64


def test_version():
    result = invoke("--version")
    assert result.exit_code == 0
    assert result.output.startswith("progression ")
