"""The quarantined rows as the analyst needs them to fix the source: file, row, rule, message.

Values are shown only for code-like columns a problem is about (a rank, an ethnicity code,
an FTE), as the file had them: never an identifier (not even its pseudonym), a date (a date
of birth is personal data) or free text.
"""

from __future__ import annotations

import json

import pandas as pd

from pipeline.config import Settings
from pipeline.schemas import EXTRACT_COLUMNS
from pipeline.warehouse import connect

SHOWN_TYPES = {"code", "int", "number", "flag", "year"}
COLUMNS = ["source_file", "source_row", "rule", "column_name", "values", "message"]


def shown_values(kind: str, column_names: str, values_json: str) -> str:
    """``column 'value'`` for each code-like column the row's problems name."""
    shown = {c.name for c in EXTRACT_COLUMNS.get(kind, ()) if c.type in SHOWN_TYPES}
    values = json.loads(values_json or "{}")
    named = [c.strip() for part in column_names.split(";") for c in part.split(",")]
    picked = dict.fromkeys(c for c in named if c in shown and c in values)
    return ", ".join(f"{column} {values[column]!r}" for column in picked)


def quarantined_rows(settings: Settings, source_file: str | None = None) -> pd.DataFrame:
    """Rows quarantined in the published database, in file and row order."""
    if not settings.paths.database.exists():
        return pd.DataFrame(columns=COLUMNS)
    with connect(settings.paths.database, read_only=True) as con:
        frame = con.execute(
            """
            select extract_kind, source_file, source_row, rule, column_name, message, values_json
            from ops.quarantine
            where ? is null or source_file = ?
            order by source_file, source_row
            """,
            [source_file, source_file],
        ).df()
    frame["values"] = [
        shown_values(kind, columns, values)
        for kind, columns, values in zip(
            frame["extract_kind"], frame["column_name"], frame["values_json"], strict=True
        )
    ]
    return frame[COLUMNS]
