"""The two databases of a release: the private history and the analysts' database.

::

    releases/<run id>/
        progression.duckdb   the analysts' database (the path they open links here): the
                             documented analytics views, the mart tables behind them, the
                             code lists and the record of runs, loads and checks. Aggregates
                             only: no row about a person.
        private/             mode 0700: the service user only
            history.duckdb   mode 0600: what the next run builds on: the loaded rows
                             (pseudonymised and minimised), the models, the quarantined rows
                             and the key's fingerprint
        report/

Each run copies the current release's history, builds in it, then writes the analysts'
database from it (``export_published``); both switch with the release, in one rename. An
installation published before the history was kept apart has one database holding both: the
first run takes it as the history, minimises what it stored (``minimise_stored``) and
publishes the split, whether or not there is anything new to load.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import duckdb

from pipeline import warehouse
from pipeline.config import Settings
from pipeline.dictionary import withheld_select
from pipeline.publish import HISTORY, PRIVATE, Layout
from pipeline.schemas import STORED_INSTEAD, not_stored, shown_values_json

PUBLISHED_TABLES = {
    "ref": None,
    "marts": None,
    "ops": ("runs", "load_history", "contract_results", "deliveries"),
}
"""What the analysts' database copies from the history: every ``ref`` and ``marts`` table
and the ``ops`` tables that record runs, loads, checks and deliveries (None: all of the
schema's). Never ``raw``, ``ops.quarantine`` or the key's fingerprint."""
PRIVATE_DIR_MODE = 0o700
PRIVATE_FILE_MODE = 0o600


def private_dir(folder: Path) -> Path:
    """``folder/private``, created owner-only."""
    path = folder / PRIVATE
    path.mkdir(mode=PRIVATE_DIR_MODE, exist_ok=True)
    path.chmod(PRIVATE_DIR_MODE)
    return path


def make_private(folder: Path) -> None:
    """Make ``folder`` and the files in it owner-only (0700, 0600), those an earlier version
    left readable by others included."""
    folder.chmod(PRIVATE_DIR_MODE)
    for path in folder.iterdir():
        if path.is_file() and path.stat().st_mode & 0o077:
            path.chmod(PRIVATE_FILE_MODE)


def history_of(release: Path) -> Path:
    return release / PRIVATE / HISTORY


def current_history(settings: Settings) -> Path:
    """The published release's history (it may not exist yet)."""
    return history_of(Layout.of(settings).current)


def seed(layout: Layout, work_db: Path, *, fresh: bool) -> str | None:
    """Start a build's history: a copy of the current release's ("copied"), or of the
    database of an installation that kept no separate history ("migrated"); None for a first
    run or a new history (``fresh``)."""
    if fresh:
        return None
    for source, how in ((history_of(layout.current), "copied"), (layout.database, "migrated")):
        if source.exists():
            shutil.copyfile(source, work_db)
            work_db.chmod(PRIVATE_FILE_MODE)
            return how
    return None


def _columns(
    con: duckdb.DuckDBPyConnection, schema: str, table: str, database: str | None = None
) -> list[str]:
    """The table's columns in order (of the current database, or of ``database``)."""
    rows = con.execute(
        """select column_name from duckdb_columns()
           where database_name = coalesce(?, current_database()) and schema_name = ?
             and table_name = ? order by column_index""",
        [database, schema, table],
    ).fetchall()
    return [name for (name,) in rows]


def minimise_stored(con: duckdb.DuckDBPyConnection) -> bool:
    """Bring rows stored before minimisation into line with what is stored now: bands
    derived, dates of birth and service start dropped, quarantined rows' values cut to
    codes. Returns whether anything changed."""
    changed = False
    for kind, derived in STORED_INSTEAD.items():
        columns = set(_columns(con, "raw", kind))
        for name, (sql, replaced) in derived.items():
            if name not in columns and set(replaced) <= columns:
                con.execute(f"alter table raw.{kind} add column {name} varchar")
                con.execute(f"update raw.{kind} set {name} = {sql}")
                changed = True
        for column in not_stored(kind):
            if column in columns:
                con.execute(f"alter table raw.{kind} drop column {column}")
                changed = True
    if "values_json" in _columns(con, "ops", "quarantine"):
        rows = con.execute("select rowid, extract_kind, values_json from ops.quarantine").fetchall()
        for rowid, kind, values in rows:
            kept = shown_values_json(kind, values)
            if json.loads(kept) != json.loads(values or "{}"):
                con.execute("update ops.quarantine set values_json = ? where rowid = ?",
                            [kept, rowid])  # fmt: skip
                changed = True
    return changed


def export_published(
    history: Path, target: Path, models: list[warehouse.Model], min_people: int
) -> None:
    """Write the analysts' database from a finished history: the published tables copied,
    then the documented analytics views over them. A statistic of people's own values over
    fewer than ``min_people`` people (``[disclosure] threshold``) is withheld in the mart
    tables as copied and in the views (:func:`pipeline.dictionary.withheld_select`), so
    neither shows one person's years in rank or FTE in a row of its own. Such a value can
    still be worked out by difference from a shown total (docs/data-protection.md): there
    is no complementary withholding of these values yet."""
    with warehouse.connect(target) as con:
        con.execute(f"attach '{str(history).replace(chr(39), chr(39) * 2)}' as history (read_only)")
        try:
            for schema, only in PUBLISHED_TABLES.items():
                con.execute(f"create schema if not exists {schema}")
                tables = con.execute(
                    """select table_name from duckdb_tables()
                       where database_name = 'history' and schema_name = ? order by 1""",
                    [schema],
                ).fetchall()
                for (table,) in tables:
                    if only is None or table in only:
                        source = f"history.{schema}.{table}"
                        columns = ["*"]
                        if schema == "marts":
                            columns = withheld_select(_columns(con, schema, table, "history"),
                                                      min_people)  # fmt: skip
                        con.execute(
                            f"create table {schema}.{table} as "
                            f"select {', '.join(columns)} from {source}"
                        )
                        _copy_comments(con, schema, table)
            con.execute("create schema if not exists analytics")
            warehouse.publish_analytics_views(con, models, min_people=min_people)
        finally:
            con.execute("detach history")


def _copy_comments(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> None:
    """A table's documentation (``COMMENT ON``) travels with it."""

    def literal(text: str) -> str:
        return "'" + text.replace("'", "''") + "'"

    (comment,) = con.execute(
        """select comment from duckdb_tables()
           where database_name = 'history' and schema_name = ? and table_name = ?""",
        [schema, table],
    ).fetchone()
    if comment:
        con.execute(f"comment on table {schema}.{table} is {literal(comment)}")
    for column, text in con.execute(
        """select column_name, comment from duckdb_columns() where database_name = 'history'
           and schema_name = ? and table_name = ? and comment is not null""",
        [schema, table],
    ).fetchall():
        con.execute(f'comment on column {schema}.{table}."{column}" is {literal(text)}')


def protect_retired(layout: Layout, release: str | None) -> None:
    """A release published before the split held people's rows in the file analysts open:
    once it is no longer current (it stays for a roll-back), only the owner may read it."""
    if release is None:
        return
    database = layout.releases / release / layout.database.name
    if database.exists() and not history_of(layout.releases / release).exists():
        os.chmod(database, PRIVATE_FILE_MODE)
