"""A night with nothing new, decided in milliseconds and before the heavy imports.

Every run that succeeds from the inbox records what it was built from (``record``): the
published release, each inbox file's size and modification time (taken before the file was
hashed) with its content hash, the settings fingerprint (``pipeline.dependencies``: every
setting, every reference file's contents, the product's models and contracts), the key, and
the first moment retention would delete anything. The next run compares (``standing``): if
all of it holds, nothing can differ from the published release, so the run logs itself as
``unchanged`` without copying the history, reading the reference data, hashing the extracts,
or importing pandas and Great Expectations. Anything else (a new, touched or removed file, a
changed setting, a retention deadline passed, another release published, ``--force``, a
backfill or key rotation) takes the full run, which forgets the record when it starts and
writes it again only when it succeeds: a failed or blocked night is never followed by a
fast one.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from pipeline import dependencies, publish
from pipeline.config import ConfigError, Settings
from pipeline.runs import (
    ExitCode,
    LockedError,
    RunLog,
    RunResult,
    lock_path,
    log_finished,
    log_path,
    new_run_id,
    run_lock,
    sigterm_raises,
)

STATE = "nothing-new.json"
STATE_VERSION = 1
_KEY_TEXT = b"progression: the key the last successful run used"


def state_path(settings: Settings) -> Path:
    return settings.paths.work_dir / STATE


def inbox_state(settings: Settings) -> dict[str, list[int]] | None:
    """Every file the inbox holds that a run might read: name -> [size, mtime in ns]; None
    without an inbox folder (the full run says so)."""
    inbox = settings.paths.inbox
    if not inbox.is_dir():
        return None
    found = {}
    for entry in sorted(os.scandir(inbox), key=lambda e: e.name):
        if entry.name.startswith((".", "~$")) or not entry.is_file():
            continue
        found[entry.name] = _stat(Path(entry.path))
    return found


def _stat(path: Path) -> list[int] | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    return [stat.st_size, stat.st_mtime_ns]


def _key_digest(settings: Settings) -> str:
    return hmac.new(settings.pseudonym_key(), _KEY_TEXT, hashlib.sha256).hexdigest()


def forget(settings: Settings) -> None:
    """A full run has started: until it succeeds, no night may be decided fast."""
    state_path(settings).unlink(missing_ok=True)


def due_at(con, settings: Settings, present_hashes: set[str]) -> datetime | None:
    """The first moment retention would delete something: a quarantined row, or an extract
    still kept (``present_hashes``: in the inbox or the archive) past its period."""
    moments = []
    if settings.retention.quarantine_days is not None:
        (first,) = con.execute("select min(quarantined_at) from ops.quarantine").fetchone()
        if first is not None:
            moments.append(first + timedelta(days=settings.retention.quarantine_days))
    if settings.retention.extract_days is not None and present_hashes:
        (first,) = con.execute(
            """select min(loaded_at) from (
                   select min(loaded_at) as loaded_at from ops.load_history
                   where list_contains(?::varchar[], source_file_hash)
                   group by source_file_hash)""",
            [sorted(present_hashes)],
        ).fetchone()
        if first is not None:
            moments.append(first + timedelta(days=settings.retention.extract_days))
    return min(moments) if moments else None


def record(
    settings: Settings,
    *,
    inbox: dict[str, list[int]],
    result: RunResult,
    due: datetime | None,
    notes: list[str],
) -> None:
    """What tonight's successful run was built from; ``inbox`` as it was before hashing."""
    kept = {name: stat for name, stat in inbox.items() if name not in result.purged.extract_files}
    layout = publish.Layout.of(settings)
    state = {
        "version": STATE_VERSION,
        "release": layout.current_release(),
        "history": _stat(layout.current / publish.PRIVATE / publish.HISTORY),
        "inbox": kept,
        "hashes": {n: h for n, h in result.file_hashes.items() if n in kept},
        "kinds": {n: k for n, k in result.file_kinds.items() if n in kept},
        "fingerprint": result.fingerprint,
        "key": _key_digest(settings),
        "due_at": due.isoformat() if due else None,
        "geography_notes": notes,
    }
    path = state_path(settings)
    partial = path.with_name(f".{path.name}.partial")
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC
    with open(os.open(partial, flags, 0o600), "w", encoding="utf-8") as handle:
        handle.write(json.dumps(state, sort_keys=True))
    os.replace(partial, path)


def standing(settings: Settings, now: datetime) -> dict | None:
    """The recorded state if nothing has changed since it was recorded, else None."""
    try:
        state = json.loads(state_path(settings).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if state.get("version") != STATE_VERSION or not settings.paths.database.exists():
        return None
    layout = publish.Layout.of(settings)
    if state["release"] is None or state["release"] != layout.current_release():
        return None
    if state["history"] != _stat(layout.current / publish.PRIVATE / publish.HISTORY):
        return None  # the history was changed in place (by hand, or by a test)
    if state["due_at"] is not None and now >= datetime.fromisoformat(state["due_at"]):
        return None
    if state["inbox"] != inbox_state(settings):
        return None
    try:
        if state["key"] != _key_digest(settings):
            return None
    except ConfigError:
        return None  # the full run reports it
    if state["fingerprint"] != dependencies.fingerprint(settings):
        return None
    return state


def night(settings: Settings, progress, command: str = "run") -> RunResult | None:
    """A whole night, if nothing is new (lock, SIGTERM, run log as ``run_nightly``'s);
    None, having logged nothing, if a full run is needed."""
    log = RunLog(log_path(settings), new_run_id(), command)
    with sigterm_raises():
        try:
            with run_lock(lock_path(settings)):
                return run(settings, log, progress, datetime.now(UTC))
        except LockedError as exc:
            log.end("run_locked", ExitCode.LOCKED, error=str(exc))
            raise


def run(settings: Settings, log: RunLog, progress, now: datetime) -> RunResult | None:
    """Under the run lock: if nothing has changed, log the night as unchanged (its archive
    kept in step and pending deliveries retried, as on any night) and return its result;
    else None, having logged nothing."""
    started = time.perf_counter()
    state = standing(settings, now)
    if state is None:
        return None
    log.event("run_started", inbox=str(settings.paths.inbox))
    log.stage_seconds["nothing_new"] = round(time.perf_counter() - started, 3)
    result = RunResult(
        log.run_id,
        settings.paths.database,
        None,
        command=log.command,
        files_unchanged=list(state["hashes"]),
        file_hashes=state["hashes"],
        file_kinds=state["kinds"],
        fingerprint=state["fingerprint"],
        changed=False,
    )
    try:
        for note in state["geography_notes"]:
            log.event("force_geography", message=note)
        progress("No new or changed extracts: the published database and report stand.")
        with log.stage("archive"):
            from pipeline.report import archive

            layout = publish.Layout.of(settings)
            if archived := archive.sync(
                settings.paths.reports_dir, layout.releases, settings.report.marking
            ):
                log.event("archive_repaired", dates=archived)
        if _delivers(settings):
            from pipeline.delivery import dispatch

            dispatch.after_run(settings, log, result, progress)
    except BaseException as exc:
        from pipeline.nightly import log_failure

        log_failure(settings, log, exc)
        raise
    log_finished(log, result)
    return result


def _delivers(settings: Settings) -> bool:
    """Whether a report channel is configured (``dispatch.after_run`` has work on a night
    with nothing new only then); without one, the delivery modules are not imported."""
    from pipeline.delivery.ledger import REPORT_CHANNELS

    return any(getattr(settings.delivery, channel) for channel in REPORT_CHANNELS)
