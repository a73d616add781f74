"""Analysts reading while the nightly run publishes: in other processes, for real.

An analyst holding a read-only connection takes DuckDB's shared lock on the published file,
which would stop any process opening that file for writing. The nightly run never does: it
builds the next release aside and switches a link. So it is not blocked, the open
connection goes on seeing the release it opened (even once that release is deleted), and a
reader connecting at any instant sees one whole release, never a mixture.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import time

import duckdb
import pytest
from conftest import STAFF_HEADER, staff_row, write_config

from pipeline.config import load_settings
from pipeline.nightly import run_nightly
from pipeline.publish import Layout

STATE_SQL = """
select
    (select count(distinct snapshot_date) from analytics.representation) as snapshots,
    (select max(run_id) from ops.runs) as last_run,
    (select count(*) from analytics.representation) as representation_rows,
    (select count(*) from ops.runs) as runs
"""

ANALYST = textwrap.dedent(
    """
    import json, sys, time
    from pathlib import Path
    from pipeline.analysts import connect_published

    database, mode = Path(sys.argv[1]), sys.argv[2]
    state = lambda con: list(con.execute(sys.argv[3]).fetchone())
    if mode == "hold":
        con = connect_published(database)
        print(json.dumps(state(con)), flush=True)
        sys.stdin.readline()
        print(json.dumps(state(con)), flush=True)
    else:
        stop, seen, errors = Path(sys.argv[4]), {}, []
        while not stop.exists():
            try:
                con = connect_published(database)
                key = json.dumps(state(con))
                con.close()
                seen[key] = seen.get(key, 0) + 1
            except Exception as exc:
                errors.append(f"{type(exc).__name__}: {exc}")
        print(json.dumps({"seen": seen, "errors": errors}), flush=True)
    """
)


def _analyst(database, mode: str, *extra: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", ANALYST, str(database), mode, STATE_SQL, *extra],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _snapshot(settings, date: str) -> None:
    rows = [staff_row(f"P{i}", ["W1", "A2", "B1", "NS"][i % 4], snapshot=date) for i in range(8)]
    path = settings.paths.inbox / f"staff_snapshot_{date}.csv"
    path.write_text(STAFF_HEADER + "\n" + "\n".join(rows) + "\n")


def test_an_analyst_neither_blocks_the_run_nor_sees_a_half_written_state(tmp_path):
    config = write_config(tmp_path)
    settings = load_settings(config)
    _snapshot(settings, "2026-03-31")
    run_nightly(settings)
    layout = Layout.of(settings)
    first_release = layout.releases / layout.current_release()

    holder = _analyst(layout.database, "hold")
    held = json.loads(holder.stdout.readline())
    assert held[:2] == [1, layout.current_release()]
    # DuckDB's locking: the analyst's read-only connection holds a shared lock that would
    # stop a writer opening the published file. The nightly run must therefore never do so.
    with pytest.raises(duckdb.IOException, match="lock"):
        duckdb.connect(str(layout.database)).close()

    stop = tmp_path / "stop-spinning"
    spinner = _analyst(layout.database, "spin", str(stop))
    time.sleep(0.5)
    states = [held[:2]]
    for date in ("2026-04-30", "2026-05-31"):
        _snapshot(settings, date)
        began = time.monotonic()
        assert run_nightly(settings).exit_code == 0  # not blocked by the analysts
        assert time.monotonic() - began < 60
        states.append([states[-1][0] + 1, layout.current_release()])
    time.sleep(0.5)
    stop.touch()
    spun = json.loads(spinner.communicate(timeout=60)[0])

    assert not first_release.exists()  # deleted: two releases have been published since
    holder.stdin.write("again\n")
    holder.stdin.flush()
    assert json.loads(holder.stdout.readline()) == held  # still the release it opened
    holder.communicate(timeout=30)

    assert spun["errors"] == []
    seen = [json.loads(key) for key in spun["seen"]]
    assert {tuple(state[:2]) for state in seen} <= {tuple(state) for state in states}
    assert tuple(states[0]) in {tuple(s[:2]) for s in seen}
    assert tuple(states[-1]) in {tuple(s[:2]) for s in seen}
    # Whole releases only: each run's state has its own representation rows and run count.
    for snapshots, _run_id, representation_rows, runs in seen:
        assert runs == snapshots
        assert representation_rows > 0
