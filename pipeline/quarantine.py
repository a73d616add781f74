"""The quarantined rows as the analyst needs them to fix the source: file, row, rule, message.

Values are shown only for code-like columns a problem is about (a rank, an ethnicity code,
an FTE), as the file had them: never an identifier (not even its pseudonym), a date (a date
of birth is personal data) or free text.
"""

from __future__ import annotations

import json

import pandas as pd

from pipeline.config import Settings
from pipeline.contracts import format_value
from pipeline.history import current_history
from pipeline.schemas import shown_columns
from pipeline.warehouse import connect

COLUMNS = ["source_file", "source_row", "rule", "column_name", "values", "message"]


def shown_values(kind: str, column_names: str, values_json: str) -> str:
    """``column 'value'`` for each code-like column the row's problems name."""
    shown = shown_columns(kind)
    values = json.loads(values_json or "{}")
    named = [c.strip() for part in column_names.split(";") for c in part.split(",")]
    picked = dict.fromkeys(c for c in named if c in shown and c in values)
    return ", ".join(f"{column} {format_value(values[column])}" for column in picked)


def quarantined_rows(settings: Settings, source_file: str | None = None) -> pd.DataFrame:
    """Rows quarantined in the published release's history, in file and row order (the
    history is readable by the service user only: quarantined rows are about people)."""
    path = current_history(settings)
    if not path.exists():
        return pd.DataFrame(columns=COLUMNS)
    with connect(path, read_only=True) as con:
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
