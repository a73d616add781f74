"""Retention: what a run deletes because it has been kept long enough (``[retention]``).

Quarantined rows are deleted inside the run's build database, so their removal is published
with everything else or not at all. Extract files (the archived copies, and the files in
the inbox) are deleted only after publication, and only those the database records as
loaded, so a failed run never loses an extract.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.config import Settings

if TYPE_CHECKING:  # only named in annotations: a night with nothing new imports neither
    import duckdb

    from pipeline.inputs import InputFile


@dataclass
class Purge:
    quarantine_rows: int = 0
    extract_files: list[str] = field(default_factory=list)
    """Names of inbox files deleted."""
    archived_copies: list[str] = field(default_factory=list)
    """Archived copies deleted (``<sha256>.<ext>``)."""

    def __bool__(self) -> bool:
        return bool(self.quarantine_rows or self.extract_files or self.archived_copies)


@dataclass(frozen=True)
class Expired:
    inbox: list[InputFile]
    archived: list[Path]


def _cutoff(days: int | None, now: datetime) -> datetime | None:
    return None if days is None else now - timedelta(days=days)


def quarantine_due(con: duckdb.DuckDBPyConnection, settings: Settings, now: datetime) -> int:
    """How many quarantined rows are past their retention period."""
    cutoff = _cutoff(settings.retention.quarantine_days, now)
    if cutoff is None:
        return 0
    (count,) = con.execute(
        "select count(*) from ops.quarantine where quarantined_at < ?", [cutoff]
    ).fetchone()
    return int(count)


def purge_quarantine(con: duckdb.DuckDBPyConnection, settings: Settings, now: datetime) -> int:
    due = quarantine_due(con, settings, now)
    if due:
        cutoff = _cutoff(settings.retention.quarantine_days, now)
        con.execute("delete from ops.quarantine where quarantined_at < ?", [cutoff])
    return due


def expired_extracts(
    con: duckdb.DuckDBPyConnection,
    settings: Settings,
    inbox: list[InputFile],
    hashes: dict[str, str],
    now: datetime,
) -> Expired:
    """Extract files first loaded before the retention period began, by content hash: the
    archived copies, and those of ``inbox`` (``hashes`` maps their names to their hashes)."""
    cutoff = _cutoff(settings.retention.extract_days, now)
    if cutoff is None:
        return Expired([], [])
    old = {
        row[0]
        for row in con.execute(
            """select source_file_hash from ops.load_history
               group by source_file_hash having min(loaded_at) < ?""",
            [cutoff],
        ).fetchall()
    }
    archive = settings.paths.archive
    archived = sorted(
        path
        for path in (archive.iterdir() if archive.is_dir() else [])
        if path.is_file() and path.name.split(".")[0] in old
    )
    return Expired([item for item in inbox if hashes.get(item.name) in old], archived)


def delete(expired: Expired, purge: Purge) -> None:
    for item in expired.inbox:
        item.path.unlink(missing_ok=True)
        purge.extract_files.append(item.name)
    for path in expired.archived:
        path.unlink(missing_ok=True)
        purge.archived_copies.append(path.name)
