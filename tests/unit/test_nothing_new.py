"""A night with nothing new is decided from what the last successful run recorded, without
the full run's imports (pandas, Great Expectations) or work; anything that could change
the release takes the full run."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from conftest import STAFF_HEADER, staff_row, write_inbox

from pipeline.config import ConfigError
from pipeline.contracts import BlockedError
from pipeline.extracts import ExtractError
from pipeline.nightly import log_path, run_nightly
from pipeline.quarantine import blocked_run_path


def _snapshot(settings, name: str, date: str, first: int = 1) -> None:
    rows = [staff_row(f"P{first + i}", ("W1", "A2", "B1")[i % 3], snapshot=date) for i in range(9)]
    write_inbox(settings, name, STAFF_HEADER + "\n" + "\n".join(rows) + "\n")


def _last_run(settings) -> dict:
    lines = [json.loads(line) for line in log_path(settings).read_text().splitlines()]
    return [line for line in lines if line["event"].startswith("run_")][-1]


def test_a_night_with_nothing_new_imports_neither_pandas_nor_great_expectations(tiny_force):
    """Nor numpy, DuckDB (the fingerprint needs no database) or jinja2 (the archive's
    index is confirmed by its stamp, not rendered)."""
    _snapshot(tiny_force, "staff_snapshot_2026-03-31.csv", "2026-03-31")
    run_nightly(tiny_force)
    config = tiny_force.paths.inbox.parent / "progression.toml"
    script = (
        "import sys\n"
        "from pipeline.cli import app\n"
        f"sys.argv = ['progression', 'run', '--config', {str(config)!r}, '--quiet']\n"
        "try:\n"
        "    app()\n"
        "except SystemExit as exc:\n"
        "    heavy = {'pandas', 'great_expectations', 'numpy', 'duckdb', 'jinja2'}\n"
        "    heavy &= set(sys.modules)\n"
        "    print(exc.code, sorted(heavy))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )

    assert done.stdout.split("\n")[0] == "0 []", done.stdout + done.stderr
    last = _last_run(tiny_force)
    assert (last["event"], last["outcome"], last["files_unchanged"]) == (
        "run_finished",
        "unchanged",
        1,
    )
    assert "nothing_new" in last["stage_seconds"]


def test_anything_that_could_change_the_release_takes_the_full_run(tiny_force):
    _snapshot(tiny_force, "staff_snapshot_2026-03-31.csv", "2026-03-31")
    run_nightly(tiny_force)
    assert not run_nightly(tiny_force).changed
    assert "nothing_new" in _last_run(tiny_force)["stage_seconds"]

    # The same bytes, touched: the full run hashes the file and finds it loaded before.
    path = tiny_force.paths.inbox / "staff_snapshot_2026-03-31.csv"
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 1_000_000_000))
    assert not run_nightly(tiny_force).changed
    assert "read_extracts" in _last_run(tiny_force)["stage_seconds"]
    run_nightly(tiny_force)
    assert "nothing_new" in _last_run(tiny_force)["stage_seconds"]

    # Another key: refused (exit 2), not waved through as nothing new.
    key = tiny_force.paths.pseudonym_key_file
    original = key.read_text()
    key.write_text("another-key-of-more-than-16-bytes")
    with pytest.raises(ConfigError):
        run_nightly(tiny_force)
    key.write_text(original)

    # A file that blocks the night, then taken away: the full run clears the blocked run.
    write_inbox(tiny_force, "staff_snapshot_2026-04-30.csv", "not,an,extract\n1,2,3\n")
    with pytest.raises(BlockedError):
        run_nightly(tiny_force)
    assert blocked_run_path(tiny_force).exists()
    (tiny_force.paths.inbox / "staff_snapshot_2026-04-30.csv").unlink()
    assert not run_nightly(tiny_force).changed
    assert "read_extracts" in _last_run(tiny_force)["stage_seconds"]
    assert not blocked_run_path(tiny_force).exists()

    # A new snapshot is loaded.
    _snapshot(tiny_force, "staff_snapshot_2026-04-30.csv", "2026-04-30")
    result = run_nightly(tiny_force)
    assert result.changed and result.rows_loaded == 9

    # No inbox folder at all: said, not taken for a night with nothing new.
    tiny_force.paths.inbox.rename(tiny_force.paths.inbox.with_name("elsewhere"))
    with pytest.raises(ExtractError, match="inbox folder does not exist"):
        run_nightly(tiny_force)
