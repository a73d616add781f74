"""A run's lifecycle: exit codes, the lock against overlapping runs, the JSON-lines run log."""

from __future__ import annotations

import fcntl
import json
import os
import signal
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import IntEnum
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.retention import Purge

if TYPE_CHECKING:
    from pipeline.config import Settings
    from pipeline.delivery.dispatch import Outcome


class ExitCode(IntEnum):
    """Part of the interface: cron and systemd alert on these (docs/operations.md)."""

    SUCCESS = 0
    INTERNAL_ERROR = 1
    CONFIG_ERROR = 2
    BLOCKED = 3
    LOCKED = 4
    SUCCESS_WITH_WARNINGS = 5
    TERMINATED = 143
    """Stopped by SIGTERM (128 + 15, the shell's convention): a scheduler's timeout."""

    @property
    def outcome(self) -> str:
        """The name the run log and ``ops.runs`` use for this exit code."""
        return self.name.lower()


class LockedError(Exception):
    """Another run holds the lock."""


class Terminated(BaseException):
    """The process was asked to stop (SIGTERM: a scheduler's timeout, a shutdown).

    A ``BaseException``, like ``KeyboardInterrupt``, so that no ``except Exception`` on the
    way (a PDF that failed, a delivery) takes it for a fault to work around."""


_stop_requested = threading.Event()


def stop_requested() -> bool:
    """SIGTERM arrived during the current ``sigterm_raises`` block. DuckDB checks for
    signals while a query runs and stops it with its own error ("Query interrupted"), so a
    run stopped inside a query fails with that error, not ``Terminated``: this says why."""
    return _stop_requested.is_set()


@contextmanager
def sigterm_raises() -> Iterator[None]:
    """While inside, SIGTERM raises ``Terminated`` in the main thread, so a run unwinds as
    from any failure: the build folder is removed, nothing is published, and the run log
    gets its last line. (Python runs the handler between bytecodes: a DuckDB query already
    running finishes first.) Outside the main thread nothing changes."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum, _frame):
        _stop_requested.set()
        raise Terminated(
            f"Stopped by {signal.Signals(signum).name} (a scheduler's timeout or a "
            "shutdown) before the run finished; nothing was published."
        )

    _stop_requested.clear()
    previous = signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


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


def lock_path(settings: Settings) -> Path:
    return settings.paths.work_dir / "progression.lock"


def log_path(settings: Settings) -> Path:
    return settings.paths.work_dir / "logs" / "runs.jsonl"


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
        try:
            self.event("stage_started", stage=name)
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


@dataclass
class RunResult:
    run_id: str
    database: Path
    report: Path | None
    command: str = "run"
    files_loaded: list[str] = field(default_factory=list)
    files_unchanged: list[str] = field(default_factory=list)
    file_hashes: dict[str, str] = field(default_factory=dict)
    file_kinds: dict[str, str] = field(default_factory=dict)
    rows_read: int = 0
    rows_loaded: int = 0
    rows_quarantined: int = 0
    dropped_columns: dict[str, list[str]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    """What the analyst should see that is no fault: an event extract with a header and no
    rows, read as no events in its period (``schemas.EMPTY_FILE_MEANS``)."""
    changes: list[dict] = field(default_factory=list)
    """Rows before and after, per snapshot date, process, campaign or file an extract loaded."""
    purged: Purge = field(default_factory=Purge)
    changed: bool = True
    deliveries: list[Outcome] = field(default_factory=list)
    """The report's deliveries this run made or tried (``pipeline.delivery``)."""
    fingerprint: dict[str, str] = field(default_factory=dict)
    """Settings, reference files and models the release is built from (``dependencies``)."""
    settings_changed: list[str] = field(default_factory=list)
    """What differs from the published release's fingerprint: a reason to rebuild."""

    @property
    def replaced(self) -> list[dict]:
        """The changes that replaced rows already loaded (a corrected extract)."""
        return [change for change in self.changes if change["rows_before"]]

    @property
    def exit_code(self) -> ExitCode:
        failed_delivery = any(outcome.failed for outcome in self.deliveries)
        if self.rows_quarantined or self.warnings or failed_delivery:
            return ExitCode.SUCCESS_WITH_WARNINGS
        return ExitCode.SUCCESS

    @property
    def outcome(self) -> str:
        return self.exit_code.outcome if self.changed else "unchanged"


def log_finished(log: RunLog, result: RunResult) -> None:
    """A finished run's last line in the run log."""
    log.end(
        "run_finished",
        result.exit_code,
        outcome=result.outcome,
        files_loaded=result.files_loaded,
        files_unchanged=len(result.files_unchanged),
        rows_read=result.rows_read,
        rows_loaded=result.rows_loaded,
        rows_quarantined=result.rows_quarantined,
        rows_replaced=result.replaced,
        warnings=result.warnings,
        notes=result.notes,
        deliveries=[outcome.as_log() for outcome in result.deliveries],
    )
