"""A run killed (SIGKILL) half-way through copying its report into the shared folder: the
folder shows only whole reports meanwhile, and the next run, with nothing new to load,
finishes the copy."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap

from conftest import STAFF_HEADER, staff_row, write_config, write_inbox
from processes import run

from pipeline.config import load_settings
from pipeline.delivery import folder, ledger
from pipeline.nightly import run_nightly
from pipeline.publish import Layout
from pipeline.report.archive import run_date
from pipeline.runs import ExitCode

KILL_AFTER_FILES = 4

# The nightly run in a process of its own whose shared-folder copy kills that process,
# with SIGKILL, right after the n-th file is written.
DRIVER = textwrap.dedent(
    """
    import os, signal, sys
    from pathlib import Path

    from pipeline.config import load_settings
    from pipeline.delivery import folder
    from pipeline.nightly import run_nightly

    copied = []
    real_copy = folder.copy_file

    def copy_then_die(source, destination):
        real_copy(source, destination)
        copied.append(destination)
        if len(copied) == int(sys.argv[2]):
            os.kill(os.getpid(), signal.SIGKILL)

    folder.copy_file = copy_then_die
    run_nightly(load_settings(Path(sys.argv[1])))
    """
)


def _snapshot(settings, date: str, people: int) -> None:
    ethnicities = ["W1", "A2", "B1", "W1", "NS", "A1", "W1", "M1"]
    rows = [staff_row(f"P{i}", ethnicities[i % 8], snapshot=date) for i in range(people)]
    write_inbox(settings, f"staff_snapshot_{date}.csv", STAFF_HEADER + "\n" + "\n".join(rows))


def _files(root) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def test_a_copy_killed_half_way_is_never_visible_and_the_next_run_completes_it(tmp_path):
    share = tmp_path / "share"
    share.mkdir()
    config = write_config(tmp_path, '[delivery.folder]\npath = "share"\n')
    settings = load_settings(config)
    layout = Layout.of(settings)
    _snapshot(settings, "2026-03-31", 40)
    first = run_nightly(settings)
    (delivered,) = first.deliveries
    assert delivered.status == ledger.DELIVERED, delivered.text
    dated = share / run_date(first.run_id)
    first_report = _files(layout.releases / first.run_id / "report")
    assert _files(dated) == first_report

    _snapshot(settings, "2026-04-30", 48)
    killed = subprocess.run(
        [sys.executable, "-c", DRIVER, str(config), str(KILL_AFTER_FILES)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    second = layout.current_release()
    assert second != first.run_id  # published before it was killed
    (staged,) = share.glob(f"{folder.STAGING_PREFIX}*")
    assert len([p for p in staged.rglob("*") if p.is_file()]) == KILL_AFTER_FILES
    visible = [p for p in share.iterdir() if not p.name.startswith(".")]
    assert visible == [dated]  # the same day's earlier report, whole
    assert _files(dated) == first_report

    finished = run(config, "run")
    assert finished.returncode == ExitCode.SUCCESS, finished.stderr
    assert "No new or changed extracts" in finished.stderr
    assert "Delivered to the shared folder" in finished.stderr
    assert [p.name for p in share.iterdir()] == [dated.name]
    assert _files(dated) == _files(layout.releases / second / "report")
    assert _files(dated) != first_report
    with ledger.open_ledger(settings, read_only=True) as con:
        row = ledger.get(con, second, "folder")
    assert (row.status, row.attempts) == (ledger.DELIVERED, 2)
