"""`progression backfill DIR`: an archive of past extracts loads in date order, once."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from conftest import STAFF_HEADER, staff_row
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.history import current_history
from pipeline.inputs import date_in_path
from pipeline.nightly import log_path
from pipeline.runs import ExitCode
from pipeline.warehouse import connect

WARNINGS_OR_NONE = {ExitCode.SUCCESS, ExitCode.SUCCESS_WITH_WARNINGS}


def _snapshot(path: Path, date_text: str, people: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    rows = [
        staff_row(f"P{i}", ["W1", "A2", "B1"][i % 3], snapshot=date_text) for i in range(people)
    ]
    path.write_text(STAFF_HEADER + "\n" + "\n".join(rows) + "\n")


@pytest.fixture
def archive(tiny_force) -> Path:
    root = tiny_force.paths.inbox.parent / "archive"
    # One folder per delivery, the HR system always using the same file name.
    _snapshot(root / "2026-01-31" / "staff_snapshot.csv", "2026-01-31", 5)
    _snapshot(root / "2026-02-28" / "staff_snapshot.csv", "2026-02-28", 6)
    _snapshot(root / "2026-03-31" / "staff_snapshot.csv", "2026-03-31", 4)
    # March re-sent in April with three people who had been missed: it must win.
    _snapshot(root / "2026-04-05" / "staff_snapshot.csv", "2026-03-31", 7)
    # No date in the path: ordered by the date in its content.
    _snapshot(root / "staff_snapshot_oldest.csv", "2025-12-31", 3)
    (root / "README.txt").write_text("not an extract")
    _snapshot(root / ".trash" / "staff_snapshot.csv", "2020-01-01", 2)
    return root


def _invoke(settings, *args):
    config = settings.paths.inbox.parent / "progression.toml"
    return CliRunner().invoke(app, [*args, "--config", str(config)])


def test_backfill_loads_years_of_history_in_date_order(tiny_force, archive):
    result = _invoke(tiny_force, "backfill", str(archive))

    # Headcounts move by more than 10% between these tiny snapshots: the checks warn.
    assert result.exit_code == ExitCode.SUCCESS_WITH_WARNINGS, result.stderr
    assert "headcount_change" in result.stderr
    with connect(current_history(tiny_force), read_only=True) as con:
        per_date = con.execute(
            """select cast(snapshot_date as date), count(*), min(source_file)
               from raw.staff_snapshot group by 1 order by 1"""
        ).fetchall()
        (command,) = con.execute("select command from ops.runs").fetchone()
        history = con.execute("select source_file from ops.load_history").fetchall()
    assert [(d.isoformat(), n, f) for d, n, f in per_date] == [
        ("2025-12-31", 3, "staff_snapshot_oldest.csv"),
        ("2026-01-31", 5, "2026-01-31/staff_snapshot.csv"),
        ("2026-02-28", 6, "2026-02-28/staff_snapshot.csv"),
        ("2026-03-31", 7, "2026-04-05/staff_snapshot.csv"),
    ]
    assert command == "backfill"
    assert len(history) == 5  # every delivery recorded, hidden folders skipped
    events = [json.loads(line) for line in log_path(tiny_force).read_text().splitlines()]
    order = [e["source_file"] for e in events if e["event"] == "rows_changed"]
    assert order == [
        "staff_snapshot_oldest.csv",
        "2026-01-31/staff_snapshot.csv",
        "2026-02-28/staff_snapshot.csv",
        "2026-03-31/staff_snapshot.csv",
        "2026-04-05/staff_snapshot.csv",
    ]
    replaced = [e for e in events if e["event"] == "rows_changed" and e["rows_before"]]
    assert [(e["value"], e["rows_before"], e["rows_after"]) for e in replaced] == [
        ("2026-03-31", 4, 7)
    ]


def test_backfill_again_changes_nothing(tiny_force, archive):
    assert _invoke(tiny_force, "backfill", str(archive)).exit_code in WARNINGS_OR_NONE
    again = _invoke(tiny_force, "backfill", str(archive))
    assert again.exit_code == ExitCode.SUCCESS
    assert "No new or changed extracts, nothing to do" in again.stderr


def test_backfill_of_a_folder_without_extracts_is_a_usage_error(tiny_force, tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    result = _invoke(tiny_force, "backfill", str(empty))
    assert result.exit_code == ExitCode.CONFIG_ERROR
    assert "No file in the archive matches an extract's file pattern" in result.stderr


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("staff_snapshot_2026-03-31.csv", date(2026, 3, 31)),
        ("staff_snapshot_20260331.xlsx", date(2026, 3, 31)),
        ("2026-04-05/staff_snapshot.csv", date(2026, 4, 5)),
        ("2024/03/staff_snapshot.csv", date(2024, 3, 31)),
        ("2024_02/staff_snapshot.csv", date(2024, 2, 29)),
        ("joiners_leavers_2025.csv", date(2025, 12, 31)),
        ("2026-04-05/staff_snapshot_2026-03-31.csv", date(2026, 3, 31)),
        ("promotion_candidates_SGT-2024-1.csv", date(2024, 12, 31)),
        ("staff_snapshot.csv", None),
        ("staff_snapshot_v12345.csv", None),
    ],
)
def test_the_date_in_a_path(path, expected):
    assert date_in_path(path) == expected


def test_a_blocked_archive_file_is_named_by_its_path_in_the_archive(tiny_force, archive):
    broken = archive / "2026-02-28" / "staff_snapshot.csv"
    broken.write_text(broken.read_text().replace("staff_id,", "payroll,", 1))
    wrong_date = archive / "2026-01-31" / "staff_snapshot.csv"
    wrong_date.write_text(wrong_date.read_text().replace("2026-01-31", "2099-01-31"))

    result = _invoke(tiny_force, "backfill", str(archive))

    assert result.exit_code == ExitCode.BLOCKED
    assert "2026-02-28/staff_snapshot.csv: Required column(s) missing: 'staff_id'" in result.stderr
    assert "2026-01-31/staff_snapshot.csv: column snapshot_date" in result.stderr
