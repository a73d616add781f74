"""Whole nightly runs through the CLI: exit codes, blocked runs that publish nothing,
corrected files that replace quarantined rows, the quarantine listing, and the checks
across nights and extracts."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from conftest import STAFF_HEADER, staff_row, write_config, write_inbox
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.config import BUNDLED_REFERENCE, load_settings
from pipeline.history import current_history
from pipeline.runs import ExitCode
from pipeline.warehouse import connect

PROMOTION_HEADER = (
    "process_id,process_name,target_rank,staff_id,stage_order,stage_name,outcome,outcome_date"
)


def _run(config: Path, *args: str):
    return CliRunner().invoke(app, ["run", "--config", str(config), *args])


def _snapshot(settings, name: str, rows: list[str]) -> None:
    write_inbox(settings, name, STAFF_HEADER + "\n" + "\n".join(rows) + "\n")


def _good(count: int = 20, snapshot: str = "2026-03-31") -> list[str]:
    return [staff_row(f"P{i}", "W1", snapshot=snapshot) for i in range(count)]


def _published(settings) -> dict[str, bytes]:
    """Every byte of the published database and report."""
    files = [settings.paths.database, *sorted((settings.paths.reports_dir / "latest").rglob("*"))]
    return {str(p): p.read_bytes() for p in files if p.is_file()}


def _query(settings, sql: str, params=None):
    """Against the history: it has the analytics views too, and the loaded rows."""
    with connect(current_history(settings), read_only=True) as con:
        return con.execute(sql, params or []).df()


@pytest.fixture
def config(tmp_path) -> Path:
    return write_config(tmp_path)


@pytest.fixture
def settings(config):
    return load_settings(config)


def test_clean_run_exits_success(config, settings):
    _snapshot(settings, "staff_snapshot_2026-03-31.csv", _good())
    result = _run(config)
    assert result.exit_code == ExitCode.SUCCESS, result.output


def test_an_export_with_hr_system_dates_and_a_delimiter_ending_each_line_runs(config, settings):
    """hostile-6 #7 and #8: either quarantined every row, exit 3."""
    rows = [
        row.replace("2026-03-31", "31-MAR-26").replace("1990-01-01", "1990-01-01T00:00:00") + ","
        for row in _good()
    ]
    _snapshot(settings, "staff_snapshot_2026-03-31.csv", rows)
    result = _run(config)
    assert result.exit_code == ExitCode.SUCCESS, result.output
    loaded = _query(
        settings, "select snapshot_date, count(*) as n from raw.staff_snapshot group by 1"
    )
    assert [(d.date().isoformat(), n) for d, n in loaded.itertuples(index=False)] == [
        ("2026-03-31", 20)
    ]


def test_quarantined_rows_exit_success_with_warnings(config, settings):
    _snapshot(settings, "staff_snapshot_2026-03-31.csv", [staff_row("X", "X7"), *_good()])
    result = _run(config)
    assert result.exit_code == ExitCode.SUCCESS_WITH_WARNINGS
    assert "1 row(s) quarantined" in result.output
    assert "progression quarantine" in result.output


def test_blocked_run_names_the_file_and_leaves_the_published_state_intact(config, settings):
    _snapshot(settings, "staff_snapshot_2026-02-28.csv", _good(snapshot="2026-02-28"))
    assert _run(config).exit_code == ExitCode.SUCCESS
    before = _published(settings)
    _snapshot(settings, "staff_snapshot_2099-03-31.csv", _good(snapshot="2099-03-31"))
    columns = ",".join(c for c in STAFF_HEADER.split(",") if c != "fte")
    write_inbox(settings, "joiners_leavers_2026.csv", columns + "\n")

    result = _run(config)
    assert result.exit_code == ExitCode.BLOCKED
    output = " ".join(result.output.split())
    assert "Blocked, nothing published" in output
    assert "staff_snapshot_2099-03-31.csv: column snapshot_date (found '2099-03-31')" in output
    assert "[snapshot_date_not_in_future]" in output
    assert "joiners_leavers_2026.csv: Required column(s) missing: 'movement_type'" in output
    assert _published(settings) == before

    (settings.paths.inbox / "staff_snapshot_2099-03-31.csv").unlink()
    (settings.paths.inbox / "joiners_leavers_2026.csv").unlink()
    _snapshot(settings, "staff_snapshot_2026-03-31.csv", _good())
    assert _run(config).exit_code == ExitCode.SUCCESS
    dates = _query(settings, "select distinct snapshot_date from raw.staff_snapshot order by 1")
    assert [d.date().isoformat() for d in dates["snapshot_date"]] == ["2026-02-28", "2026-03-31"]


@pytest.mark.parametrize(
    "corrected_name",
    ["staff_snapshot_2026-03-31.csv", "staff_snapshot_2026-03-31_correction.csv"],
)
def test_a_corrected_file_replaces_the_quarantined_rows(settings, corrected_name):
    from pipeline.nightly import run_nightly

    _snapshot(settings, "staff_snapshot_2026-03-31.csv", [staff_row("X", "X7"), *_good()])
    assert run_nightly(settings).rows_quarantined == 1
    _snapshot(settings, corrected_name, [staff_row("X", "A2"), *_good()])
    result = run_nightly(settings)
    assert (result.rows_loaded, result.rows_quarantined) == (21, 0)
    assert _query(settings, "select count(*) as n from ops.quarantine")["n"].iloc[0] == 0
    raw = _query(settings, "select source_file, count(*) as n from raw.staff_snapshot group by 1")
    assert raw.to_dict("records") == [{"source_file": corrected_name, "n": 21}]
    files = _query(settings, "select source_file from analytics.source_files")
    assert files["source_file"].tolist() == [corrected_name]
    checks = _query(settings, "select * from analytics.data_quality_checks where not is_success")
    assert checks.empty


def test_quarantine_command_lists_rows_with_code_values_only(config, settings):
    rows = [
        staff_row("WM123456", "X7"),
        staff_row("WM654321", "W1", fte="full").replace("1990-01-01", "1990-13-45"),
        *_good(),
    ]
    _snapshot(settings, "staff_snapshot_2026-03-31.csv", rows)
    assert _run(config).exit_code == ExitCode.SUCCESS_WITH_WARNINGS

    result = CliRunner().invoke(app, ["quarantine", "--config", str(config), "--csv"])
    assert result.exit_code == ExitCode.SUCCESS
    listed = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [(r["source_file"], r["source_row"], r["rule"], r["values"]) for r in listed] == [
        ("staff_snapshot_2026-03-31.csv", "2", "ethnicity_code_allowed", "ethnicity_code 'X7'"),
        ("staff_snapshot_2026-03-31.csv", "3", "invalid_date; invalid_number", "fte 'full'"),
    ]
    assert "write it as yyyy-mm-dd or dd/mm/yyyy" in listed[1]["message"]
    table = CliRunner().invoke(app, ["quarantine", "--config", str(config)])
    for secret in ("WM123456", "WM654321", "1990-13-45"):
        assert secret not in result.stdout and secret not in table.output
    assert "ethnicity_code_allowed" in table.output


def test_a_snapshot_row_of_another_date_is_named_by_the_run_and_the_quarantine_command(
    config, settings
):
    """hostile-6 #17: blocked with "(found 2)"; `progression quarantine` did not name row 8."""
    rows = _good()
    rows[6] = staff_row("ODD", "W1", snapshot="30/04/2026")
    _snapshot(settings, "staff_snapshot_2026-03-31.csv", rows)
    blocked = _run(config)
    assert blocked.exit_code == ExitCode.BLOCKED
    named = (
        "staff_snapshot_2026-03-31.csv: column snapshot_date; row 8 (snapshot_date "
        "'2026-04-30'); the other 19 rows: snapshot_date '2026-03-31': Every row of a snapshot"
    )
    assert named in " ".join(blocked.output.split())
    listing = CliRunner().invoke(app, ["quarantine", "--config", str(config)])
    assert "What blocked it:" in listing.stdout
    assert named in " ".join(listing.stdout.split())


def test_quarantine_command_before_anything_is_published(config):
    result = CliRunner().invoke(app, ["quarantine", "--config", str(config)])
    assert result.exit_code == ExitCode.SUCCESS
    assert "No rows are quarantined." in result.output


def _night(settings, date: str, officers: list[tuple[str, str]], staff: int = 10) -> None:
    rows = [
        staff_row(f"O{i}", ethnicity, snapshot=date, rank=rank)
        for i, (rank, ethnicity) in enumerate(officers)
    ] + [
        staff_row(f"S{i}", "W1", snapshot=date, worker_type="police_staff", rank="Band C")
        for i in range(staff)
    ]
    _snapshot(settings, f"staff_snapshot_{date}.csv", rows)


NO_MOVEMENTS = "movements_cover_period"
"""The warning every night below gives: people leave between its snapshots and no
joiners-and-leavers extract is loaded (tested in test_movement_coverage)."""


def _failed_rules(settings) -> list[str]:
    """The rules that failed on the last night, other than :data:`NO_MOVEMENTS`."""
    got = _query(settings, "select rule from ops.contract_results where not success")
    return sorted(rule for rule in got["rule"] if rule != NO_MOVEMENTS)


def test_night_to_night_warnings(config, settings):
    _night(settings, "2026-02-28", [("Constable", "W1")] * 20 + [("Sergeant", "W1")] * 6)
    assert _run(config).exit_code == ExitCode.SUCCESS
    _night(settings, "2026-03-31", [("Constable", "W1")] * 10 + [("Constable", "NS")] * 10)
    result = _run(config)
    assert result.exit_code == ExitCode.SUCCESS_WITH_WARNINGS

    got = _query(
        settings,
        f"""select rule, message from ops.contract_results
           where not success and severity = 'warning' and rule <> '{NO_MOVEMENTS}'
           order by rule, message""",
    )
    messages = [m.split(" Check")[0] for m in got["message"]]
    assert list(zip(got["rule"], messages, strict=True)) == [
        ("declaration_rate_drop", "All worker types: declaration rate 100.0% on 2026-02-28, "
         "66.7% on 2026-03-31 (the limit is a fall of 5 percentage points)."),
        ("declaration_rate_drop", "Police officers: declaration rate 100.0% on 2026-02-28, "
         "50.0% on 2026-03-31 (the limit is a fall of 5 percentage points)."),
        ("headcount_change", "All worker types: headcount 36 on 2026-02-28, 30 on 2026-03-31 "
         "(-16.7%; the limit is 10%)."),
        ("headcount_change", "Police officers: headcount 26 on 2026-02-28, 20 on 2026-03-31 "
         "(-23.1%; the limit is 10%)."),
        ("rank_disappeared", "Police officers: Sergeant had people in post on 2026-02-28 and "
         "has none on 2026-03-31."),
    ]  # fmt: skip
    assert "Warning:" in result.output and "rank_disappeared" in result.output


def test_thresholds_come_from_the_configuration(tmp_path):
    config = write_config(
        tmp_path, "[contracts]\nheadcount_change_share = 0.5\ndeclaration_rate_drop = 0.6\n"
    )
    settings = load_settings(config)
    _night(settings, "2026-02-28", [("Constable", "W1")] * 26)
    _run(config)
    _night(settings, "2026-03-31", [("Constable", "W1")] * 10 + [("Constable", "NS")] * 10)
    assert _run(config).exit_code == ExitCode.SUCCESS_WITH_WARNINGS
    assert _failed_rules(settings) == []


def test_small_groups_are_not_compared_across_nights(config, settings):
    _night(settings, "2026-02-28", [("Constable", "W1")] * 100, staff=5)
    _run(config)
    _night(settings, "2026-03-31", [("Constable", "W1")] * 101, staff=1)
    assert _run(config).exit_code == ExitCode.SUCCESS_WITH_WARNINGS
    assert _failed_rules(settings) == []  # 5 -> 1 staff: too few to compare


def test_promotion_candidates_missing_from_every_snapshot(config, settings):
    _snapshot(settings, "staff_snapshot_2026-03-31.csv", _good())
    stages = [
        f"SGT-2025,Sergeant 2025,Sergeant,{person},1,Exam,passed,2025-06-01"
        for person in [f"P{i}" for i in range(10)] + ["Z1", "Z2"]
    ]
    write_inbox(settings, "promotion_candidates_2025.csv", "\n".join([PROMOTION_HEADER, *stages]))
    result = _run(config)
    assert result.exit_code == ExitCode.SUCCESS_WITH_WARNINGS
    got = _query(
        settings, "select message from ops.contract_results where rule = ?",
        ["candidate_in_staff_snapshot"],
    )["message"].tolist()  # fmt: skip
    assert got[0].startswith("Process SGT-2025: 1 to 5 candidate(s) in no snapshot.")


def _reference_config(tmp_path, lookup: str | None = None, census: str | None = None) -> Path:
    config = write_config(tmp_path)
    if lookup is not None:
        (tmp_path / "area_to_lpu.csv").write_text(lookup, encoding="utf-8")
    if census is not None:
        (tmp_path / "census.csv").write_text(census, encoding="utf-8")
        text = config.read_text(encoding="utf-8")
        config.write_text(
            text.replace("[reference]\n", '[reference]\ncensus_file = "census.csv"\n'),
            encoding="utf-8",
        )
    _snapshot(load_settings(config), "staff_snapshot_2026-03-31.csv", _good())
    return config


def test_census_file_with_a_column_missing_blocks(tmp_path):
    source = (BUNDLED_REFERENCE / "census2021-ts021-ltla.csv").read_text(encoding="utf-8")
    reader = csv.reader(io.StringIO(source))
    header = next(reader)
    drop = header.index("Ethnic group: White: Irish")
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for row in [header, *reader]:
        writer.writerow(row[:drop] + row[drop + 1 :])
    result = _run(_reference_config(tmp_path, census=out.getvalue()))
    assert result.exit_code == ExitCode.BLOCKED
    assert "census.csv: not a complete ethnic-group table: no column for W2" in " ".join(
        result.output.split()
    )


def test_area_code_absent_from_the_census_is_a_configuration_error(tmp_path):
    lookup = "area_code,area_name,lpu_code,lpu_name\nE08000025,Birmingham,BHM,Birmingham\n"
    lookup += "E99999999,Nowhere,NOW,Nowhere\n"
    result = _run(_reference_config(tmp_path, lookup=lookup))
    assert result.exit_code == ExitCode.CONFIG_ERROR
    assert (
        "area_to_lpu.csv: row 3 (E99999999) is neither an area of the census file "
        "census2021-ts021-ltla.csv nor a local authority made of its areas"
    ) in " ".join(result.output.split())


def test_area_lookup_with_a_blank_lpu_blocks_naming_the_row(tmp_path):
    lookup = "area_code,area_name,lpu_code,lpu_name\nE08000025,Birmingham,BHM,Birmingham\n"
    lookup += "E08000029,Solihull,,Solihull\n"
    result = _run(_reference_config(tmp_path, lookup=lookup))
    assert result.exit_code == ExitCode.BLOCKED
    assert "area_to_lpu.csv: column lpu_code (row 3): Every area in the lookup has its lpu " in (
        " ".join(result.output.split())
    )


def test_a_blocked_run_leaves_its_reasons_readable_without_publishing(config, settings):
    """The reported case: after a run blocked for "95% of rows break a rule", `progression
    quarantine` listed nothing."""
    _snapshot(settings, "staff_snapshot_2026-02-28.csv", _good(snapshot="2026-02-28"))
    assert _run(config).exit_code == ExitCode.SUCCESS
    before = _published(settings)
    rows = [staff_row(f"B{i}", "IC1") for i in range(19)] + [staff_row("OK", "W1")]
    _snapshot(settings, "staff_snapshot_2026-03-31.csv", rows)

    blocked = _run(config)

    assert blocked.exit_code == ExitCode.BLOCKED
    assert "95% of rows break a rule" in blocked.output
    assert "progression quarantine" in blocked.output
    assert _published(settings) == before
    listing = CliRunner().invoke(app, ["quarantine", "--config", str(config)])
    out = " ".join(listing.stdout.split())
    assert "was blocked; nothing was published. What blocked it:" in out
    assert "staff_snapshot_2026-03-31.csv: 95% of rows break a rule" in out
    assert "Rows the blocked run would have quarantined:" in out
    assert "staff_snapshot_2026-03-31.csv, row 2: ethnicity_code_allowed" in out
    assert "values: ethnicity_code 'IC1'" in out
    assert "map the force's label onto its code in [codes] ethnicity_synonyms" in out
    as_csv = CliRunner().invoke(app, ["quarantine", "--config", str(config), "--csv"])
    listed = list(csv.DictReader(io.StringIO(as_csv.stdout)))
    assert len(listed) == 19 and {r["status"] for r in listed} == {"blocked"}

    (settings.paths.inbox / "staff_snapshot_2026-03-31.csv").unlink()
    assert _run(config).exit_code == ExitCode.SUCCESS  # nothing new: the record is stale
    again = CliRunner().invoke(app, ["quarantine", "--config", str(config)])
    assert "blocked" not in again.stdout


@pytest.mark.parametrize(
    ("fault", "exit_code"),
    [
        ("area code E08000025 repeated", ExitCode.BLOCKED),  # a reference file's fault
        ("'Brum' = 'BRUM': not one of", ExitCode.CONFIG_ERROR),  # the configuration's
    ],
)
def test_a_run_stopped_before_the_file_checks_leaves_no_earlier_blocked_run(
    config, settings, fault, exit_code
):
    """Before, a run stopped before the file checks kept the last blocked run's record:
    `progression quarantine` then said the last run was blocked, by another run's problems,
    and listed its rows (already corrected)."""
    rows = [staff_row(f"B{i}", "IC1") for i in range(19)] + [staff_row("OK", "W1")]
    _snapshot(settings, "staff_snapshot_2026-03-31.csv", rows)
    assert _run(config).exit_code == ExitCode.BLOCKED
    listing = CliRunner().invoke(app, ["quarantine", "--config", str(config)])
    assert "Rows the blocked run would have quarantined:" in listing.stdout
    _snapshot(settings, "staff_snapshot_2026-03-31.csv", _good())  # corrected
    lookup = settings.reference.area_lookup_file
    if exit_code == ExitCode.BLOCKED:
        lookup.write_text(lookup.read_text() + "E08000025,Birmingham,BHM,Birmingham\n")
    else:
        config.write_text(config.read_text() + '[codes.lpu_synonyms]\n"Brum" = "BRUM"\n')

    stopped = _run(config)

    assert stopped.exit_code == exit_code and fault in stopped.output, stopped.output
    listing = CliRunner().invoke(app, ["quarantine", "--config", str(config)])
    assert listing.exit_code == ExitCode.SUCCESS, listing.output
    assert "blocked" not in listing.output and "IC1" not in listing.output
    assert "No rows are quarantined." in listing.output


def test_a_run_blocked_by_a_whole_file_does_not_send_the_user_to_the_quarantine(config, settings):
    """hostile-10: a file without a required column (nothing read from it, no row set
    aside) still ended with "The rows it would have quarantined, and why: progression
    quarantine", which then listed nothing."""
    rows = [staff_row(f"P{i}", "W1") for i in range(20)]
    write_inbox(
        settings,
        "staff_snapshot_2026-03-31.csv",
        STAFF_HEADER.replace("ethnicity_code", "ethnicity") + "\n" + "\n".join(rows) + "\n",
    )

    blocked = _run(config)

    assert blocked.exit_code == ExitCode.BLOCKED
    assert "Required column(s) missing: 'ethnicity_code'" in blocked.output
    assert "quarantine" not in blocked.output


def test_an_invisible_character_inside_an_area_code_is_shown(tmp_path):
    """hostile-10: 'row 2 (E08 000025) is neither an area of the census file ...', the
    non-breaking space printed as a space: the user could not see what was wrong."""
    lookup = "area_code,area_name,lpu_code,lpu_name\nE08\u00a0000025,Birmingham,BHM,Birmingham\n"
    result = _run(_reference_config(tmp_path, lookup=lookup))
    assert result.exit_code == ExitCode.CONFIG_ERROR
    assert "area_to_lpu.csv: row 2 (E08\\xa0000025) is neither an area" in result.output
