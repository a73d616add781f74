"""The analysts' interface: the published database, opened read-only, and its documentation.

The ``analytics`` schema is the stable interface: one documented view per mart (see
docs/analysts.md). Opening read-only takes only a shared lock on the published file, and
the nightly run never writes that file (it builds the next release aside and switches a
link), so analysts never block a run and a run never changes what an open connection sees.
"""

from __future__ import annotations

import csv
import json
import math
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import TextIO

import duckdb
import pandas as pd

from pipeline.config import Settings
from pipeline.disclosure import SUPPRESSED_MARK
from pipeline.safe_text import safe_cell

INTERFACE_SCHEMA = "analytics"
_NO_DOWNLOADS = {"autoinstall_known_extensions": False, "autoload_known_extensions": False}


class NotPublishedError(Exception):
    """No database has been published at the configured path yet."""


def connect_published(settings_or_path: Settings | Path) -> duckdb.DuckDBPyConnection:
    """A read-only connection to the published database (for notebooks and scripts)."""
    path = (
        settings_or_path.paths.database
        if isinstance(settings_or_path, Settings)
        else Path(settings_or_path)
    )
    if not path.exists():
        raise NotPublishedError(
            f"No database has been published at {path} yet: run `progression run` first."
        )
    return duckdb.connect(str(path), read_only=True, config=_NO_DOWNLOADS)


@dataclass(frozen=True)
class ColumnDoc:
    name: str
    data_type: str
    comment: str


@dataclass(frozen=True)
class ViewDoc:
    name: str
    comment: str
    columns: tuple[ColumnDoc, ...]


def describe(con: duckdb.DuckDBPyConnection) -> list[ViewDoc]:
    """Every view of the interface schema with its columns, as documented by COMMENT ON."""
    views = con.execute(
        """select view_name, coalesce(comment, '') from duckdb_views()
           where database_name = current_database() and schema_name = ?
           order by view_name""",
        [INTERFACE_SCHEMA],
    ).fetchall()
    columns: dict[str, list[ColumnDoc]] = {}
    for view, column, data_type, comment in con.execute(
        """select table_name, column_name, data_type, coalesce(comment, '')
           from duckdb_columns()
           where database_name = current_database() and schema_name = ?
           order by table_name, column_index""",
        [INTERFACE_SCHEMA],
    ).fetchall():
        columns.setdefault(view, []).append(ColumnDoc(column, data_type, comment))
    return [ViewDoc(name, comment, tuple(columns.get(name, ()))) for name, comment in views]


@dataclass(frozen=True)
class QueryResult:
    columns: list[str]
    rows: list[tuple]


def run_query(con: duckdb.DuckDBPyConnection, sql: str) -> QueryResult:
    """Run an analyst's SQL with no access to files (so it can only read the database)."""
    con.execute("set enable_external_access = false")
    cursor = con.execute(sql)
    if cursor.description is None:
        return QueryResult([], [])
    return QueryResult([d[0] for d in cursor.description], cursor.fetchall())


def cell_text(value: object) -> str:
    """A value as an analyst expects to read it: dates in ISO form, no float noise."""
    if value is None:
        return ""
    if isinstance(value, float):
        return "" if math.isnan(value) else repr(value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, (list, dict)):
        return json.dumps(value, default=cell_text, ensure_ascii=False)
    return str(value)


def write_csv(result: QueryResult, out: TextIO) -> None:
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(result.columns)
    writer.writerows([safe_cell(cell_text(v)) for v in row] for row in result.rows)


def for_display(frame: pd.DataFrame, digits: int = 3) -> pd.DataFrame:
    """A suppressed table as text to read: numbers rounded, withheld values marked [c].

    ``disclosure.suppress`` withholds a value by setting it to None, while a value that was
    never there stays NaN: the first is shown as [c], the second left blank.
    """

    def text(value: object) -> str:
        if value is None:
            return SUPPRESSED_MARK
        if not isinstance(value, (str, list, dict)) and pd.isna(value):
            return ""
        if isinstance(value, float):
            return f"{value:.{digits}f}"
        if isinstance(value, datetime) and value.time() == datetime.min.time():
            return value.date().isoformat()
        return cell_text(value)

    return frame.drop(columns=["is_suppressed"], errors="ignore").astype("object").map(text)
