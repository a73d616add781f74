"""Retention: old quarantined rows and old extract files are purged by the run, and logged."""

from __future__ import annotations

import hashlib
import json

import pytest
from conftest import STAFF_HEADER, staff_row, write_config
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.config import ConfigError, load_settings
from pipeline.contracts import BlockedError
from pipeline.history import current_history
from pipeline.nightly import log_path, run_nightly
from pipeline.warehouse import connect


def _force(tmp_path, retention: str):
    return load_settings(write_config(tmp_path, f"[retention]\n{retention}\n"))


def _snapshot(settings, name: str, date: str, bad_row: bool = False):
    codes = ["W1", "A2", "B1"] * 4  # one bad row in 13 stays under the 10% quarantine limit
    rows = [staff_row(f"P{i}", code, snapshot=date) for i, code in enumerate(codes)]
    if bad_row:
        rows.append(staff_row("X99", "ZZ", snapshot=date))
    path = settings.paths.inbox / name
    path.write_text(STAFF_HEADER + "\n" + "\n".join(rows) + "\n")
    return path


def _age(settings, table: str, column: str, days: int, source_file: str) -> None:
    """Make rows look ``days`` old, as if loaded that long ago."""
    with connect(current_history(settings)) as con:
        con.execute(
            f"update ops.{table} set {column} = {column} - to_days(?) where source_file = ?",
            [days, source_file],
        )


def _purges(settings) -> list[dict]:
    lines = [json.loads(line) for line in log_path(settings).read_text().splitlines()]
    return [line for line in lines if line["event"] == "retention_purged"]


def _invoke(settings):
    config = settings.paths.inbox.parent / "progression.toml"
    return CliRunner().invoke(app, ["run", "--config", str(config)])


def test_old_quarantined_rows_are_purged_and_the_purge_logged(tmp_path):
    force = _force(tmp_path, "quarantine_days = 30")
    _snapshot(force, "staff_snapshot_03.csv", "2026-03-31", bad_row=True)
    _snapshot(force, "staff_snapshot_04.csv", "2026-04-30", bad_row=True)
    run_nightly(force)
    _age(force, "quarantine", "quarantined_at", 31, "staff_snapshot_03.csv")

    result = _invoke(force)

    assert "Retention: deleted 1 quarantined row(s)." in result.stderr
    with connect(current_history(force), read_only=True) as con:
        left = con.execute("select source_file from ops.quarantine").fetchall()
        (purged,) = con.execute(
            "select quarantine_rows_purged from ops.runs order by started_at desc limit 1"
        ).fetchone()
    assert left == [("staff_snapshot_04.csv",)]
    assert purged == 1
    (purge,) = _purges(force)
    assert (purge["quarantine_rows"], purge["quarantine_days"]) == (1, 30)


def test_old_extracts_are_deleted_from_the_archive_and_inbox_after_publication(tmp_path):
    force = _force(tmp_path, "extract_days = 10")
    old = _snapshot(force, "staff_snapshot_03.csv", "2026-03-31")
    old_copy = force.paths.archive / f"{hashlib.sha256(old.read_bytes()).hexdigest()}.csv"
    run_nightly(force)
    assert old_copy.exists()
    recent = _snapshot(force, "staff_snapshot_04.csv", "2026-04-30")
    recent_copy = force.paths.archive / f"{hashlib.sha256(recent.read_bytes()).hexdigest()}.csv"
    unrecognised = force.paths.inbox / "notes.csv"
    unrecognised.write_text("not an extract\n")
    run_nightly(force)
    _age(force, "load_history", "loaded_at", 11, old.name)

    result = _invoke(force)

    assert f"Retention: deleted the extract file {old.name} from the inbox." in result.stderr
    assert "Retention: deleted 1 archived extract(s)" in result.stderr
    assert not old.exists() and not old_copy.exists()
    assert recent.exists() and recent_copy.exists() and unrecognised.exists()
    (purge,) = _purges(force)
    assert purge["extract_files"] == [old.name]
    assert purge["archived_copies"] == [old_copy.name]
    assert purge["extract_days"] == 10
    # The history the file brought stays in the database.
    with connect(current_history(force), read_only=True) as con:
        (rows,) = con.execute(
            "select count(*) from raw.staff_snapshot where source_file = ?", [old.name]
        ).fetchone()
    assert rows == 12


def test_extracts_are_kept_90_days_and_quarantined_rows_365_by_default(tmp_path):
    force = _force(tmp_path, "")
    assert (force.retention.extract_days, force.retention.quarantine_days) == (90, 365)
    old = _snapshot(force, "staff_snapshot_03.csv", "2026-03-31", bad_row=True)
    run_nightly(force)
    _age(force, "load_history", "loaded_at", 89, old.name)
    _age(force, "quarantine", "quarantined_at", 300, old.name)
    result = run_nightly(force)
    assert not result.changed
    assert old.exists()
    assert _purges(force) == []
    _age(force, "load_history", "loaded_at", 2, old.name)
    run_nightly(force)
    assert not old.exists()
    assert [p["extract_files"] for p in _purges(force)] == [[old.name]]


def test_a_failed_run_deletes_no_extract(tmp_path):
    force = _force(tmp_path, "extract_days = 10")
    old = _snapshot(force, "staff_snapshot_03.csv", "2026-03-31")
    run_nightly(force)
    _age(force, "load_history", "loaded_at", 11, old.name)
    (force.paths.inbox / "staff_snapshot_broken.csv").write_text("staff_id\nP1\n")
    with pytest.raises(BlockedError):
        run_nightly(force)
    assert old.exists()


def test_a_retention_period_must_be_a_positive_number_of_days(tmp_path):
    with pytest.raises(ConfigError, match=r"retention\.extract_days"):
        _force(tmp_path, "extract_days = 0")


def test_archived_copies_kept_readable_by_others_become_owner_only(tmp_path):
    """An installation from before archived copies were owner-only (mode 0644) is put right
    by its next run that archives a file, old copies included."""
    force = _force(tmp_path, "extract_days = 10")
    old = _snapshot(force, "staff_snapshot_03.csv", "2026-03-31")
    run_nightly(force)
    old_copy = force.paths.archive / f"{hashlib.sha256(old.read_bytes()).hexdigest()}.csv"
    old_copy.chmod(0o644)
    _snapshot(force, "staff_snapshot_04.csv", "2026-04-30")

    run_nightly(force)

    modes = {path.name: path.stat().st_mode & 0o777 for path in force.paths.archive.iterdir()}
    assert len(modes) == 2
    assert set(modes.values()) == {0o600}, modes
