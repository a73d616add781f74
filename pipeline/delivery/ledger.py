"""``ops.deliveries``: every delivery of a published report and every operator message, with
its outcome. What makes delivery idempotent (a report delivered once per channel) and
retried (what is still pending is tried again by the next run).

It lives in its own small DuckDB file, ``<work_dir>/deliveries.duckdb``, written only under
the run lock: the published database is sealed before it is published and never written
after, so, like ``ops.runs`` for a failed night, it cannot record what happens once it is
out. Analysts read it with ``duckdb -readonly <work_dir>/deliveries.duckdb``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb

from pipeline import warehouse
from pipeline.config import Settings

LEDGER_NAME = "deliveries.duckdb"

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


def ledger_path(settings: Settings) -> Path:
    return settings.paths.work_dir / LEDGER_NAME


@contextmanager
def open_ledger(settings: Settings, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
    """The ledger, created on first use (not when ``read_only``: raises FileNotFoundError)."""
    path = ledger_path(settings)
    if read_only and not path.exists():
        raise FileNotFoundError(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with warehouse.connect(path, read_only=read_only) as con:
        if not read_only:
            _create(con)
        yield con


def _create(con: duckdb.DuckDBPyConnection) -> None:
    """The table, documented like the analysts' views; columns only ever added."""
    (exists,) = con.execute(
        "select count(*) from duckdb_tables() where schema_name = 'ops' "
        "and table_name = 'deliveries' and database_name = current_database()"
    ).fetchone()
    con.execute("create schema if not exists ops")
    columns = ", ".join(f"{name} {kind}" for name, kind, _ in _COLUMNS)
    con.execute(f"create table if not exists ops.deliveries ({columns})")
    for name, kind, comment in _COLUMNS:
        con.execute(f"alter table ops.deliveries add column if not exists {name} {kind}")
        if not exists:
            con.execute(f"comment on column ops.deliveries.{name} is '{_quote(comment)}'")
    if not exists:
        con.execute(
            "comment on table ops.deliveries is 'Deliveries of each published report and "
            "messages to operators (docs/operations.md)'"
        )


def _quote(text: str) -> str:
    return text.replace("'", "''")


def _rows(con, where: str, parameters: list) -> list[Delivery]:
    names = ", ".join(name for name, _, _ in _COLUMNS)
    found = con.execute(
        f"select {names} from ops.deliveries where {where} order by queued_at, channel",
        parameters,
    ).fetchall()
    return [Delivery(*row) for row in found]


def get(con, run_id: str, channel: str) -> Delivery | None:
    found = _rows(con, "run_id = ? and channel = ?", [run_id, channel])
    return found[0] if found else None


def queue(
    con, run_id: str, channels: list[str], fingerprint: str, snapshot_date: date, message_id: str
) -> None:
    """A pending delivery of release ``run_id`` on each channel that has none yet."""
    now = datetime.now(UTC)
    for channel in channels:
        if get(con, run_id, channel) is None:
            con.execute(
                """insert into ops.deliveries
                   (run_id, channel, status, attempts, message_id, report_fingerprint,
                    snapshot_date, queued_at)
                   values (?, ?, ?, 0, ?, ?, ?, ?)""",
                [run_id, channel, PENDING, message_id if channel == "email" else None,
                 fingerprint, snapshot_date, now],
            )  # fmt: skip


def supersede(con, current: str) -> list[Delivery]:
    """Mark undelivered reports older than release ``current`` superseded; return them."""
    older = _rows(
        con,
        "run_id <> ? and list_contains(?, channel) and list_contains(?, status)",
        [current, list(REPORT_CHANNELS), list(OPEN)],
    )
    con.execute(
        "update ops.deliveries set status = ? where run_id <> ? "
        "and list_contains(?, channel) and list_contains(?, status)",
        [SUPERSEDED, current, list(REPORT_CHANNELS), list(OPEN)],
    )
    return older


def open_deliveries(con, run_id: str) -> list[Delivery]:
    """Release ``run_id``'s deliveries not yet made, in ``REPORT_CHANNELS`` order."""
    found = _rows(
        con,
        "run_id = ? and list_contains(?, channel) and list_contains(?, status)",
        [run_id, list(REPORT_CHANNELS), list(OPEN)],
    )
    return sorted(found, key=lambda d: REPORT_CHANNELS.index(d.channel))


def last_delivered(con, channel: str, before: str) -> Delivery | None:
    """The newest report delivered on ``channel`` other than release ``before``."""
    found = _rows(con, "channel = ? and status = ? and run_id <> ?", [channel, DELIVERED, before])
    return max(found, key=lambda d: d.delivered_at) if found else None


def attempt(con, delivery: Delivery, by: str) -> None:
    con.execute(
        """update ops.deliveries set attempts = attempts + 1, attempted_at = ?, attempted_by = ?
           where run_id = ? and channel = ?""",
        [datetime.now(UTC), by, delivery.run_id, delivery.channel],
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
        """update ops.deliveries set status = ?, recipients_count = ?, destination = ?,
               detail = ?, last_error = ?,
               delivered_at = case when ? = 'failed' then delivered_at else ? end
           where run_id = ? and channel = ?""",
        [status, recipients_count, destination, detail, error, status, datetime.now(UTC),
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
    now = datetime.now(UTC)
    con.execute(
        """insert into ops.deliveries
           (run_id, channel, status, attempts, recipients_count, message_id, destination,
            queued_at, attempted_at, delivered_at, attempted_by, last_error)
           values (?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?, ?)""",
        [run_id, channel, FAILED if error else DELIVERED, recipients_count, message_id,
         destination, now, now, None if error else now, by, error],
    )  # fmt: skip
