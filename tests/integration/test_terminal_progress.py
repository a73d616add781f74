"""Progress on the terminal: spinners and bars for a person at a terminal, silence for cron
(not a terminal) and for --quiet."""

from __future__ import annotations

import fcntl
import os
import pty
import struct
import subprocess
import termios

from conftest import STAFF_HEADER, staff_row, write_config
from processes import PROGRESSION

from pipeline.config import load_settings

STEPS = ("Reading reference data", "Reading extracts", "Loading raw tables", "Rendering the report",
         "Publishing")  # fmt: skip


def _force(tmp_path):
    config = write_config(tmp_path)
    settings = load_settings(config)
    rows = [staff_row(f"P{i}", ["W1", "A2", "B1"][i % 3]) for i in range(6)]
    for month in ("03", "04"):
        (settings.paths.inbox / f"staff_snapshot_2026-{month}-28.csv").write_text(
            STAFF_HEADER + "\n" + "\n".join(rows).replace("2026-03-31", f"2026-{month}-28") + "\n"
        )
    return config


def _on_a_terminal(config, *args: str) -> str:
    """Run with stdout and stderr on a pseudo-terminal; return what it showed."""
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": "120"}
    env.pop("NO_COLOR", None)
    process = subprocess.Popen(
        [str(PROGRESSION), "run", "--config", str(config), *args],
        stdin=follower,
        stdout=follower,
        stderr=follower,
        env=env,
    )
    os.close(follower)
    shown = b""
    while True:
        try:
            chunk = os.read(leader, 1 << 16)
        except OSError:  # EIO: the terminal's other end has closed
            break
        if not chunk:
            break
        shown += chunk
    os.close(leader)
    assert process.wait(timeout=120) == 0
    return shown.decode("utf-8", errors="replace")


def test_a_terminal_gets_a_spinner_per_step_and_a_bar_over_files(tmp_path):
    shown = _on_a_terminal(_force(tmp_path))
    for step in STEPS:
        assert step in shown
    assert "━" in shown  # a bar
    assert "✓" in shown  # finished steps stay listed
    assert "\x1b[" in shown  # drawn with terminal control sequences


def test_quiet_on_a_terminal_shows_nothing(tmp_path):
    assert _on_a_terminal(_force(tmp_path), "--quiet").strip() == ""


def test_not_a_terminal_gets_the_summary_only(tmp_path):
    done = subprocess.run(
        [str(PROGRESSION), "run", "--config", str(_force(tmp_path))],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert "Loaded 12 rows from 2 file(s)" in done.stderr
    for step in STEPS:
        assert step not in done.stderr
    assert "\x1b[" not in done.stderr
