"""A run stopped by SIGTERM (a scheduler's timeout, a shutdown) ends its run log with the
`run_failed` line every run promises, exits 143, publishes nothing and leaves nothing behind."""

from __future__ import annotations

import os
import signal

from conftest import STAFF_HEADER, staff_row, write_config
from processes import LogTap, start

from pipeline.config import load_settings
from pipeline.nightly import log_path, run_nightly
from pipeline.publish import Layout
from pipeline.runs import ExitCode


def _snapshot(settings, day: int) -> None:
    date = f"2024-03-{day:02d}"
    rows = [staff_row(f"P{i}", ["W1", "A2", "B1", "NS"][i % 4], snapshot=date) for i in range(9)]
    path = settings.paths.inbox / f"staff_snapshot_{date}.csv"
    path.write_text(STAFF_HEADER + "\n" + "\n".join(rows) + "\n")


def test_a_run_stopped_by_sigterm_logs_run_failed_and_publishes_nothing(tmp_path):
    config = write_config(tmp_path)
    settings = load_settings(config)
    _snapshot(settings, 1)
    run_nightly(settings)
    layout = Layout.of(settings)
    published = layout.database.read_bytes()
    _snapshot(settings, 2)
    with LogTap(log_path(settings)) as tap:
        target: dict[str, int] = {}
        tap.on(
            lambda line: line.get("event") == "stage_started" and line["stage"] == "transform",
            lambda _: os.kill(target["pid"], signal.SIGTERM),
        )
        process = start(config, "run")
        target["pid"] = process.pid
        _, stderr = process.communicate(timeout=120)
        tap.sync()
        lines = tap.since(0)
    assert process.returncode == ExitCode.TERMINATED == 143, stderr
    assert "Stopped" in stderr and "SIGTERM" in stderr
    last = lines[-1]
    assert last["event"] == "run_failed"
    assert last["outcome"] == "terminated" and last["exit_code"] == 143
    assert last["error_type"] == "Terminated" and "SIGTERM" in last["error"]
    assert "transform" in last["stage_seconds"], last
    assert layout.database.read_bytes() == published
    assert not [p for p in layout.releases.iterdir() if p.name.startswith(".")]
    assert run_nightly(settings).exit_code == ExitCode.SUCCESS
