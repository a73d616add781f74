"""A run's lifecycle: exit codes, the lock against overlapping runs, the JSON-lines run log."""

from __future__ import annotations

import fcntl
import json
import os
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import IntEnum
from pathlib import Path


class ExitCode(IntEnum):
    """Part of the interface: cron and systemd alert on these (docs/operations.md)."""

    SUCCESS = 0
    INTERNAL_ERROR = 1
    CONFIG_ERROR = 2
    BLOCKED = 3
    LOCKED = 4
    SUCCESS_WITH_WARNINGS = 5

    @property
    def outcome(self) -> str:
        """The name the run log and ``ops.runs`` use for this exit code."""
        return self.name.lower()


class LockedError(Exception):
    """Another run holds the lock."""


@contextmanager
def run_lock(lock_path: Path) -> Iterator[None]:
    """An OS advisory lock: released by the kernel when the process dies, so never stale."""
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise LockedError(
                f"Another run holds {lock_path}; this run did nothing. "
                "Wait for it to finish (the lock frees itself if that run dies)."
            ) from None
        yield
    finally:
        os.close(fd)


def new_run_id() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ-") + uuid.uuid4().hex[:8]


@dataclass
class RunLog:
    """Stage timings and events, appended as JSON lines so a failed night is easy to find.

    Each event is one line written with a single ``write`` on a file opened for appending,
    so lines from a run and from a second run refused by the lock never interleave.
    """

    path: Path
    run_id: str
    command: str = "run"
    started_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    stage_seconds: dict[str, float] = field(default_factory=dict)
    failed_stage: str | None = None
    """The first stage an exception left (the one a failed night's alert names)."""

    def event(self, event: str, **fields) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        record = {
            "time": datetime.now(UTC).isoformat(),
            "run_id": self.run_id,
            "command": self.command,
            "event": event,
        }
        record.update(fields)
        with self.path.open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(record, default=str) + "\n")

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        start = time.perf_counter()
        self.event("stage_started", stage=name)
        try:
            yield
        except BaseException:
            self.failed_stage = self.failed_stage or name
            raise
        finally:
            self.stage_seconds[name] = round(time.perf_counter() - start, 3)
            self.event("stage_finished", stage=name, seconds=self.stage_seconds[name])

    def end(self, event: str, code: ExitCode, outcome: str | None = None, **fields) -> None:
        """The run's last line: every run ends with exactly one, whatever happened."""
        seconds = round((datetime.now(UTC) - self.started_at).total_seconds(), 3)
        self.event(
            event,
            outcome=outcome or code.outcome,
            exit_code=int(code),
            duration_seconds=seconds,
            stage_seconds=self.stage_seconds,
            **fields,
        )
