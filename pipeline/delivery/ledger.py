"""``ops.deliveries``: every delivery of a published report and every operator message, with
its outcome. What makes delivery idempotent (a report delivered once per channel) and
retried (what is still pending is tried again by the next run).

The ledger is written after publication, so it cannot live in the published database
(sealed before it is published, and never written after). It is a small SQLite file,
``<work_dir>/deliveries.sqlite``, written only under the run lock, because SQLite lets a
reader (the dry run, an operator's ``sqlite3`` shell) look at it without ever stopping a
run from writing, which a DuckDB file opened read-only elsewhere would. Each build copies
it into the database it publishes as the documented table ``ops.deliveries``
(``copy_into``), so analysts see every delivery up to the last publication.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import astuple, dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.config import Settings

if TYPE_CHECKING:  # a night with nothing new reads the channels without importing DuckDB
    import duckdb

LEDGER_NAME = "deliveries.sqlite"
BUSY_SECONDS = 30
"""How long a write waits for a reader's transaction to end before failing."""

REPORT_CHANNELS = ("folder", "email")
"""A published report's deliveries, in the order they are made: the folder first, so that
an e-mail's link to it works when the message arrives."""

PENDING, DELIVERED, FAILED, SKIPPED, SUPERSEDED = (
    "pending",
    "delivered",
    "failed",
    "skipped",
    "superseded",
)
OPEN = (PENDING, FAILED)

_COLUMNS = (
    ("run_id", "varchar", "The release delivered (a report), or the run an alert is about."),
    ("channel", "varchar", "email, folder (the report); alert, digest (to operators)."),
    ("status", "varchar", "pending, delivered, failed (retried next run), skipped (the same "
     "report was delivered before), superseded (a newer report was published first)."),
    ("attempts", "integer", "Attempts so far."),
    ("recipients_count", "integer", "Recipients the server accepted (e-mail)."),
    ("message_id", "varchar", "The Message-ID header (the same on every attempt)."),
    ("destination", "varchar", "The mail server, or the folder written."),
    ("detail", "varchar", "What was sent: the PDF attached or a link; files copied."),
    ("report_fingerprint", "varchar", "SHA-256 of the report's summary and tables."),
    ("snapshot_date", "date", "The report's staff snapshot."),
    ("queued_at", "timestamptz", "When the report was published (the delivery queued)."),
    ("attempted_at", "timestamptz", "The last attempt."),
    ("delivered_at", "timestamptz", "When it was delivered."),
    ("attempted_by", "varchar", "The run id of the run (or deliver command) that tried last."),
    ("last_error", "varchar", "Why the last attempt failed."),
)  # fmt: skip
_SQLITE_TYPES = {"varchar": "text", "integer": "integer", "date": "text", "timestamptz": "text"}
"""Dates and times are stored as ISO 8601 text (times in UTC, with their offset)."""


@dataclass(frozen=True)
class Delivery:
    run_id: str
    channel: str
    status: str
    attempts: int
    recipients_count: int | None
    message_id: str | None
    destination: str | None
    detail: str | None
    report_fingerprint: str | None
    snapshot_date: date | None
    queued_at: datetime | None
    attempted_at: datetime | None
    delivered_at: datetime | None
    attempted_by: str | None
    last_error: str | None

    @classmethod
    def from_row(cls, row: tuple) -> Delivery:
        values = []
        for (_, kind, _), value in zip(_COLUMNS, row, strict=True):
            if value is not None and kind == "date":
                value = date.fromisoformat(value)
            elif value is not None and kind == "timestamptz":
                value = datetime.fromisoformat(value)
            values.append(value)
        return cls(*values)


def ledger_path(settings: Settings) -> Path:
    return settings.paths.work_dir / LEDGER_NAME


@contextmanager
def open_ledger(settings: Settings, read_only: bool = False) -> Iterator[sqlite3.Connection]:
    """The ledger, created on first use (not when ``read_only``: raises FileNotFoundError).

    Every statement commits at once (autocommit), so a kill loses at most the statement
    under way."""
    path = ledger_path(settings)
    if read_only:
        if not path.exists():
            raise FileNotFoundError(path)
        con = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True, timeout=BUSY_SECONDS)
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
        con = sqlite3.connect(path, timeout=BUSY_SECONDS, isolation_level=None)
    with closing(con):
        if not read_only:
            columns = ", ".join(f"{name} {_SQLITE_TYPES[kind]}" for name, kind, _ in _COLUMNS)
            con.execute(f"create table if not exists deliveries ({columns})")
        yield con


def _now() -> str:
    return datetime.now(UTC).isoformat()


def _marks(values) -> str:
    return ", ".join("?" for _ in values)


def _rows(con, where: str, parameters: list) -> list[Delivery]:
    names = ", ".join(name for name, _, _ in _COLUMNS)
    found = con.execute(
        f"select {names} from deliveries where {where} order by queued_at, channel", parameters
    ).fetchall()
    return [Delivery.from_row(row) for row in found]


def get(con, run_id: str, channel: str) -> Delivery | None:
    found = _rows(con, "run_id = ? and channel = ?", [run_id, channel])
    return found[0] if found else None


def queue(
    con, run_id: str, channels: list[str], fingerprint: str, snapshot_date: date, message_id: str
) -> None:
    """A pending delivery of release ``run_id`` on each channel that has none yet."""
    for channel in channels:
        if get(con, run_id, channel) is None:
            con.execute(
                """insert into deliveries
                   (run_id, channel, status, attempts, message_id, report_fingerprint,
                    snapshot_date, queued_at)
                   values (?, ?, ?, 0, ?, ?, ?, ?)""",
                [run_id, channel, PENDING, message_id if channel == "email" else None,
                 fingerprint, snapshot_date.isoformat(), _now()],
            )  # fmt: skip


def supersede(con, current: str) -> list[Delivery]:
    """Mark undelivered reports older than release ``current`` superseded; return them."""
    where = f"run_id <> ? and channel in ({_marks(REPORT_CHANNELS)}) and status in ({_marks(OPEN)})"
    parameters = [current, *REPORT_CHANNELS, *OPEN]
    older = _rows(con, where, parameters)
    con.execute(f"update deliveries set status = ? where {where}", [SUPERSEDED, *parameters])
    return older


def open_deliveries(con, run_id: str) -> list[Delivery]:
    """Release ``run_id``'s deliveries not yet made, in ``REPORT_CHANNELS`` order."""
    found = _rows(
        con,
        f"run_id = ? and channel in ({_marks(REPORT_CHANNELS)}) and status in ({_marks(OPEN)})",
        [run_id, *REPORT_CHANNELS, *OPEN],
    )
    return sorted(found, key=lambda d: REPORT_CHANNELS.index(d.channel))


def last_delivered(con, channel: str, before: str) -> Delivery | None:
    """The newest report delivered on ``channel`` other than release ``before``."""
    found = _rows(con, "channel = ? and status = ? and run_id <> ?", [channel, DELIVERED, before])
    return max(found, key=lambda d: d.delivered_at) if found else None


def attempt(con, delivery: Delivery, by: str) -> None:
    con.execute(
        """update deliveries set attempts = attempts + 1, attempted_at = ?, attempted_by = ?
           where run_id = ? and channel = ?""",
        [_now(), by, delivery.run_id, delivery.channel],
    )


def finish(
    con,
    delivery: Delivery,
    status: str,
    *,
    recipients_count: int | None = None,
    destination: str | None = None,
    detail: str | None = None,
    error: str | None = None,
) -> None:
    """Record an attempt's outcome: delivered, skipped or failed (with ``error``)."""
    con.execute(
        """update deliveries set status = ?, recipients_count = ?, destination = ?,
               detail = ?, last_error = ?,
               delivered_at = case when ? = 'failed' then delivered_at else ? end
           where run_id = ? and channel = ?""",
        [status, recipients_count, destination, detail, error, status, _now(),
         delivery.run_id, delivery.channel],
    )  # fmt: skip


def record_message(
    con,
    run_id: str,
    channel: str,
    by: str,
    *,
    message_id: str,
    destination: str,
    recipients_count: int | None,
    error: str | None,
) -> None:
    """An operator's message (alert or digest): sent once, not retried."""
    now = _now()
    con.execute(
        """insert into deliveries
           (run_id, channel, status, attempts, recipients_count, message_id, destination,
            queued_at, attempted_at, delivered_at, attempted_by, last_error)
           values (?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?, ?)""",
        [run_id, channel, FAILED if error else DELIVERED, recipients_count, message_id,
         destination, now, now, None if error else now, by, error],
    )  # fmt: skip


def copy_into(con: duckdb.DuckDBPyConnection, settings: Settings) -> None:
    """``ops.deliveries`` in the database about to be published: the ledger as it stands
    (empty when nothing was ever delivered, or when the ledger cannot be read: the deliver
    stage then fails and says why, and the night is published all the same), typed and
    documented."""
    try:
        with open_ledger(settings, read_only=True) as ledger:
            rows = [astuple(d) for d in _rows(ledger, "1 = 1", [])]
    except (FileNotFoundError, sqlite3.Error):
        rows = []
    columns = ", ".join(f"{name} {kind}" for name, kind, _ in _COLUMNS)
    con.execute(f"create or replace table ops.deliveries ({columns})")
    if rows:
        con.executemany(f"insert into ops.deliveries values ({_marks(_COLUMNS)})", rows)
    con.execute(
        "comment on table ops.deliveries is 'Each published report''s deliveries (e-mail, "
        "shared folder) and the messages to operators, as of this publication "
        "(docs/operations.md)'"
    )
    for name, _, comment in _COLUMNS:
        escaped = comment.replace("'", "''")
        con.execute(f"comment on column ops.deliveries.{name} is '{escaped}'")
