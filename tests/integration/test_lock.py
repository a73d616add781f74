"""The run lock between real processes: a second run leaves at once with exit code 4, and a
run killed while holding the lock does not leave it stale."""

from __future__ import annotations

import os
import signal
import time

from conftest import STAFF_HEADER, staff_row, write_config
from processes import LogTap, run, start

from pipeline.config import load_settings
from pipeline.nightly import lock_path, log_path
from pipeline.runs import ExitCode


def _force(tmp_path):
    config = write_config(tmp_path)
    settings = load_settings(config)
    rows = [staff_row(f"P{i}", ["W1", "A2", "B1"][i % 3]) for i in range(6)]
    (settings.paths.inbox / "staff_snapshot.csv").write_text(
        STAFF_HEADER + "\n" + "\n".join(rows) + "\n"
    )
    return config, settings


def _at_stage(stage: str):
    return lambda line: line.get("event") == "stage_started" and line.get("stage") == stage


def test_a_second_run_exits_at_once_while_another_holds_the_lock(tmp_path):
    config, settings = _force(tmp_path)
    with LogTap(log_path(settings)) as tap:
        first: dict[str, int] = {}
        # Freeze the first run in the middle of its load stage, holding the lock.
        paused = tap.on(_at_stage("load"), lambda _: os.kill(first["pid"], signal.SIGSTOP))
        holder = start(config, "run")
        first["pid"] = holder.pid
        paused.wait()

        began = time.monotonic()
        second = run(config, "run", timeout=60)
        elapsed = time.monotonic() - began

        os.kill(holder.pid, signal.SIGCONT)
        _, stderr = holder.communicate(timeout=120)
        assert holder.returncode == ExitCode.SUCCESS, stderr
        tap.sync()
        lines = list(tap.lines)
    assert second.returncode == ExitCode.LOCKED
    assert "Locked: Another run holds" in second.stderr
    assert str(lock_path(settings)) in second.stderr
    assert elapsed < 15  # Python start-up, not a wait for the first run
    refused = [line for line in lines if line.get("event") == "run_locked"]
    assert len(refused) == 1 and refused[0]["exit_code"] == ExitCode.LOCKED
    finished = [line for line in lines if line.get("event") == "run_finished"]
    assert [line["outcome"] for line in finished] == ["success"]


def test_a_run_killed_holding_the_lock_does_not_leave_it_stale(tmp_path):
    config, settings = _force(tmp_path)
    with LogTap(log_path(settings)) as tap:
        first: dict[str, int] = {}
        tap.on(_at_stage("transform"), lambda _: os.kill(first["pid"], signal.SIGKILL))
        holder = start(config, "run")
        first["pid"] = holder.pid
        holder.communicate(timeout=120)
    assert holder.returncode == -signal.SIGKILL
    assert lock_path(settings).exists()  # the file stays; the kernel dropped the lock

    after = run(config, "run")

    assert after.returncode == ExitCode.SUCCESS, after.stderr
    assert "Loaded 6 rows from 1 file(s)" in after.stderr
