"""A whole night with a header-only misconduct file (hostile-9 #9): a small force's year
without a case. It used to block the night (exit 3, "The file has a header but no rows");
now it is read as no cases in its period, recorded, said plainly, and the report counts
zero cases for the period instead of leaving it without data."""

from __future__ import annotations

import json

from conftest import STAFF_HEADER, staff_row, write_config, write_inbox
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.config import load_settings
from pipeline.history import current_history
from pipeline.nightly import log_path
from pipeline.runs import ExitCode
from pipeline.schemas import EXTRACT_COLUMNS
from pipeline.warehouse import connect

MISCONDUCT_HEADER = ",".join(c.name for c in EXTRACT_COLUMNS["misconduct_cases"])


def _snapshot(settings, date: str) -> None:
    rows = [
        staff_row(f"P{i}", "W1" if i % 3 else "A1", snapshot=date, sex="F" if i % 2 else "M")
        for i in range(30)
    ]
    write_inbox(settings, f"staff_snapshot_{date}.csv", "\n".join([STAFF_HEADER, *rows]) + "\n")


def test_a_header_only_misconduct_file_is_a_year_without_cases(tmp_path):
    config = write_config(tmp_path)
    settings = load_settings(config)
    _snapshot(settings, "2025-03-31")
    _snapshot(settings, "2026-03-31")
    write_inbox(settings, "misconduct_cases_2026.csv", MISCONDUCT_HEADER + "\n")
    movements = ",".join(c.name for c in EXTRACT_COLUMNS["joiners_leavers"])
    write_inbox(settings, "joiners_leavers_2026.csv", movements + "\n")  # nobody came or went

    result = CliRunner().invoke(app, ["run", "--config", str(config)])

    assert result.exit_code in (ExitCode.SUCCESS, ExitCode.SUCCESS_WITH_WARNINGS), result.output
    note = (
        "misconduct_cases_2026.csv: a header and no rows: read as no misconduct cases in its period"
    )
    assert note in " ".join(result.output.split())
    warnings = [line for line in result.output.splitlines() if "Warning" in line]
    assert not [w for w in warnings if "misconduct" in w], warnings
    assert (settings.paths.reports_dir / "latest" / "index.html").is_file()
    events = [json.loads(line) for line in log_path(settings).read_text().splitlines()]
    moves = (
        "joiners_leavers_2026.csv: a header and no rows: "
        "read as no joiners or leavers in its period"
    )
    assert moves in " ".join(result.output.split())
    assert [e["message"] for e in events if e["event"] == "empty_extract"] == [moves, note]
    assert events[-1]["notes"] == [moves, note]
    with connect(current_history(settings), read_only=True) as con:
        history = con.execute(
            "select rows_read, rows_loaded from ops.load_history where source_file = ?",
            ["misconduct_cases_2026.csv"],
        ).fetchall()
        rates = con.execute(
            """select distinct period_end_date, event_count, base_count
               from analytics.misconduct_rates
               where measure_code = 'misconduct_case' and worker_type = 'police_officer'
                 and group_code = reference_group_code"""
        ).fetchall()
        files = con.execute(
            "select source_file, read_row_count from analytics.source_files"
            " where extract_code = 'joiners_leavers'"
        ).fetchall()
    assert history == [(0, 0)]
    assert files == [("joiners_leavers_2026.csv", 0)]  # listed: the figures rest on it
    # The period the file covers has rates of zero cases out of everyone in post: not no data.
    assert rates and {(str(end)[:10], events) for end, events, _ in rates} == {("2026-03-31", 0)}
    assert all(base > 0 for *_, base in rates)


def test_a_case_register_sent_again_empty_withdraws_its_earlier_cases(tmp_path):
    """docs/extracts.md: a register re-sent under its name replaces that file's earlier
    delivery wholly; sent again with no rows, its earlier cases are withdrawn (they were
    kept: an empty frame replaced nothing)."""
    config = write_config(tmp_path)
    settings = load_settings(config)
    _snapshot(settings, "2025-03-31")
    _snapshot(settings, "2026-03-31")
    case = "C1,P1,2025-06-01,public_complaint,assessment,,,"
    write_inbox(settings, "misconduct_cases_2026.csv", f"{MISCONDUCT_HEADER}\n{case}\n")
    first = CliRunner().invoke(app, ["run", "--config", str(config)])
    assert first.exit_code in (ExitCode.SUCCESS, ExitCode.SUCCESS_WITH_WARNINGS), first.output
    write_inbox(settings, "misconduct_cases_2026.csv", MISCONDUCT_HEADER + "\n")
    second = CliRunner().invoke(app, ["run", "--config", str(config)])
    assert second.exit_code in (ExitCode.SUCCESS, ExitCode.SUCCESS_WITH_WARNINGS), second.output
    assert "1 rows before, 0 after" in " ".join(second.output.split())
    with connect(current_history(settings), read_only=True) as con:
        (cases,) = con.execute("select count(*) from raw.misconduct_cases").fetchone()
    assert cases == 0
