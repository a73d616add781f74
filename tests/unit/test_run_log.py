"""Exit codes, the JSON-lines run log and ops.runs: what an operator and an alert rely on."""

from __future__ import annotations

import hashlib
import json

from conftest import STAFF_HEADER, staff_row, write_config, write_inbox
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.config import load_settings
from pipeline.nightly import lock_path, log_path
from pipeline.runs import ExitCode, run_lock
from pipeline.warehouse import connect

TERMINAL_EVENTS = {"run_finished", "run_failed", "run_locked"}


def _invoke(settings, *args: str):
    config = settings.paths.inbox.parent / "progression.toml"
    return CliRunner().invoke(app, [*args, "--config", str(config)])


def _events(settings) -> list[dict]:
    return [json.loads(line) for line in log_path(settings).read_text().splitlines()]


def _last(settings) -> dict:
    return _events(settings)[-1]


def _snapshot(settings, name="staff_snapshot_2026-03-31.csv", bad_row=False):
    codes = ["W1", "A2", "B1", "NS", "W9"] * 3
    rows = [staff_row(f"P{i}", code) for i, code in enumerate(codes)]
    if bad_row:
        rows.append(staff_row("X99", "ZZ"))  # not an ethnicity code: quarantined
    return write_inbox(settings, name, STAFF_HEADER + "\n" + "\n".join(rows) + "\n")


def test_a_published_run_is_recorded_in_ops_runs(tiny_force):
    path = _snapshot(tiny_force, bad_row=True)

    result = _invoke(tiny_force, "run")

    assert result.exit_code == ExitCode.SUCCESS_WITH_WARNINGS, result.stderr
    with connect(tiny_force.paths.database, read_only=True) as con:
        cursor = con.execute("select * from ops.runs")
        names = [d[0] for d in cursor.description]
        runs = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    assert len(runs) == 1
    run = runs[0]
    assert run["outcome"] == "success_with_warnings"
    assert run["command"] == "run"
    assert list(run["input_files"]) == [
        {
            "source_file": path.name,
            "extract_kind": "staff_snapshot",
            "source_file_hash": hashlib.sha256(path.read_bytes()).hexdigest(),
            "status": "loaded",
        }
    ]
    assert (run["rows_read"], run["rows_loaded"], run["rows_quarantined"]) == (16, 15, 1)
    stages = json.loads(run["stage_seconds"])
    assert {"prepare", "reference", "read_extracts", "load", "transform", "report"} <= set(stages)
    assert run["finished_at"] > run["started_at"]
    assert run["duration_seconds"] >= sum(stages.values()) - 0.01
    finished = _last(tiny_force)
    assert finished["event"] == "run_finished"
    assert (finished["outcome"], finished["exit_code"]) == ("success_with_warnings", 5)
    assert finished["run_id"] == run["run_id"]


def test_a_blocked_run_is_logged_and_publishes_nothing(tiny_force):
    _snapshot(tiny_force)
    assert _invoke(tiny_force, "run").exit_code == ExitCode.SUCCESS
    published = tiny_force.paths.database.read_bytes()
    write_inbox(tiny_force, "staff_snapshot_2026-04-30.csv", "staff_id,snapshot_date\nP1,2026\n")

    result = _invoke(tiny_force, "run")

    assert result.exit_code == ExitCode.BLOCKED
    assert "Blocked, nothing published:" in result.stderr
    assert "staff_snapshot_2026-04-30.csv: Required column(s) missing" in result.stderr
    assert f"Run log: {log_path(tiny_force)}" in result.stderr
    failed = _last(tiny_force)
    assert (failed["event"], failed["outcome"], failed["exit_code"]) == ("run_failed", "blocked", 3)
    assert failed["error_type"] == "BlockedError"
    assert tiny_force.paths.database.read_bytes() == published


def test_a_mapped_header_a_file_lacks_is_a_warning_in_the_output_and_the_log(tmp_path):
    """A header mapped for a column a file may leave out (a joiner's entry_route), missing
    from the file: read as blank, and said (exit 5), not silent."""
    extra = '[extracts.joiners_leavers.columns]\nentry_route = "Route of Entry"\n'
    settings = load_settings(write_config(tmp_path, extra))
    _snapshot(settings)
    header = ("staff_id,movement_type,movement_date,worker_type,rank_or_band,department,"
              "lpu_code,sex,ethnicity_code,service_start_date,leaving_reason")  # fmt: skip
    joiner = "J1,joiner,2025-09-01,police_officer,Constable,Local Policing,BHM,F,W1,2025-09-01,"
    write_inbox(settings, "joiners_leavers_2026.csv", f"{header}\n{joiner}\n")

    result = _invoke(settings, "run")

    assert result.exit_code == ExitCode.SUCCESS_WITH_WARNINGS, result.stderr
    warning = (
        "joiners_leavers_2026.csv: [extracts.joiners_leavers.columns] entry_route = "
        "'Route of Entry': the file's header has no such column, so every row's entry_route "
        "is read as blank."
    )
    assert f"Warning: {warning}" in " ".join(result.stderr.split())
    finished = _last(settings)
    assert finished["event"] == "run_finished"
    assert any(w.startswith(warning) for w in finished["warnings"])


def test_an_internal_error_is_exit_code_1_and_logged(tiny_force, monkeypatch):
    from pipeline import warehouse

    def fault(*_args):  # a fault of the software itself, not of any input
        raise ValueError("a model could not be built")

    _snapshot(tiny_force)
    monkeypatch.setattr(warehouse, "run_models", fault)
    result = _invoke(tiny_force, "run")
    assert result.exit_code == ExitCode.INTERNAL_ERROR
    assert "Internal error, nothing published: ValueError" in result.stderr
    failed = _last(tiny_force)
    assert (failed["event"], failed["outcome"], failed["exit_code"]) == (
        "run_failed",
        "internal_error",
        1,
    )
    assert not tiny_force.paths.database.exists()


def test_a_second_run_is_refused_at_once_while_the_lock_is_held(tiny_force):
    _snapshot(tiny_force)
    with run_lock(lock_path(tiny_force)):
        result = _invoke(tiny_force, "run")
    assert result.exit_code == ExitCode.LOCKED
    assert "Locked: Another run holds" in result.stderr
    assert "the lock frees itself if that run dies" in result.stderr
    locked = _last(tiny_force)
    assert (locked["event"], locked["outcome"], locked["exit_code"]) == ("run_locked", "locked", 4)
    assert not tiny_force.paths.database.exists()


def test_a_configuration_error_is_exit_code_2(tmp_path):
    bad = tmp_path / "progression.toml"
    bad.write_text('[force]\nname = "West Midlands"\nunknown_key = 1\n')
    result = CliRunner().invoke(app, ["run", "--config", str(bad)])
    assert result.exit_code == ExitCode.CONFIG_ERROR
    assert "Configuration error" in result.stderr


def test_every_run_ends_with_exactly_one_terminal_line(tiny_force):
    _invoke(tiny_force, "run")  # blocked: the first night's inbox is empty
    _snapshot(tiny_force)
    _invoke(tiny_force, "run")  # success
    _invoke(tiny_force, "run")  # unchanged
    with run_lock(lock_path(tiny_force)):
        _invoke(tiny_force, "run")  # locked
    events = _events(tiny_force)
    runs = {e["run_id"] for e in events}
    assert len(runs) == 4
    for run_id in runs:
        ends = [e for e in events if e["run_id"] == run_id and e["event"] in TERMINAL_EVENTS]
        assert len(ends) == 1
        assert ends[0]["exit_code"] in {int(code) for code in ExitCode}
        assert ends[0] is [e for e in events if e["run_id"] == run_id][-1]
    assert [e["outcome"] for e in events if e["event"] in TERMINAL_EVENTS] == [
        "blocked",
        "success",
        "unchanged",
        "locked",
    ]
