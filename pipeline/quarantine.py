"""The quarantined rows as the analyst needs them to fix the source: file, row, rule, message.

Two sources: the published release's history (rows set aside by a run that published), and
the record a blocked run leaves (``<work_dir>/blocked-run.json``: its blocking problems and
the rows it would have quarantined; nothing of it is published). A blocked run's rows are
often the very reason it blocked ("95% of rows break a rule"), so they must be readable
without publishing anything. Every run that loads its configuration removes the record as it
starts (under the lock), so it is the last such run's: one stopped before the file checks by
a reference file or a setting checked against one leaves none. A configuration file that
cannot be loaded at all stops the command before the work folder is known, and leaves the
record as it was.

Values are shown only for code-like columns a problem is about (a rank, an ethnicity code,
an FTE), as the file had them: never an identifier (not even its pseudonym), a date (a date
of birth is personal data) or free text.
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from pipeline.config import Settings
from pipeline.contracts import format_value
from pipeline.history import current_history
from pipeline.schemas import shown_columns
from pipeline.warehouse import connect

COLUMNS = ["source_file", "source_row", "rule", "column_name", "values", "message", "status"]
"""``status``: ``quarantined`` (published run) or ``blocked`` (the blocked run's record)."""
BLOCKED_RUN = "blocked-run.json"


def shown_values(kind: str, column_names: str, values_json: str) -> str:
    """``column 'value'`` for each code-like column the row's problems name."""
    shown = shown_columns(kind)
    values = json.loads(values_json or "{}")
    named = [c.strip() for part in column_names.split(";") for c in part.split(",")]
    picked = dict.fromkeys(c for c in named if c in shown and c in values)
    return ", ".join(f"{column} {format_value(values[column])}" for column in picked)


def quarantined_rows(settings: Settings, source_file: str | None = None) -> pd.DataFrame:
    """The rows a blocked run would have quarantined, then those quarantined in the published
    release's history (readable by the service user only: quarantined rows are about
    people), each in file and row order."""
    blocked = blocked_run(settings)
    rows = pd.DataFrame(blocked["rows"] if blocked else [], columns=COLUMNS[:-1])
    rows = rows.assign(status="blocked")
    path = current_history(settings)
    if path.exists():
        with connect(path, read_only=True) as con:
            frame = con.execute(
                """
                select extract_kind, source_file, source_row, rule, column_name, message,
                       values_json
                from ops.quarantine
                order by source_file, source_row
                """
            ).df()
        frame["values"] = [
            shown_values(kind, columns, values)
            for kind, columns, values in zip(
                frame["extract_kind"], frame["column_name"], frame["values_json"], strict=True
            )
        ]
        rows = pd.concat([rows, frame.assign(status="quarantined")[COLUMNS]], ignore_index=True)
    if source_file is not None:
        rows = rows[rows["source_file"] == source_file]
    return rows[COLUMNS].reset_index(drop=True)


def blocked_run_path(settings: Settings) -> Path:
    return settings.paths.work_dir / BLOCKED_RUN


def record_blocked_run(
    settings: Settings, run_id: str, problems: list[str], extracts: list, names: dict
) -> Path:
    """Keep what a blocked run found, for ``progression quarantine``: its blocking problems
    and, for every file it read, the rows it would have quarantined. Owner-only (row
    numbers and codes of people's rows), replaced whole."""
    rows = [
        {
            "source_file": names[extract.path],
            "source_row": int(row.source_row),
            "rule": row.rule,
            "column_name": row.column_name,
            "values": shown_values(extract.kind, row.column_name, row.values_json),
            "message": row.message,
        }
        for extract in extracts
        for row in extract.quarantined.itertuples(index=False)
    ]
    record = {
        "run_id": run_id,
        "blocked_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "problems": problems,
        "rows": rows,
    }
    path = blocked_run_path(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    staged = path.with_name(f".{path.name}.incoming")
    staged.unlink(missing_ok=True)
    with open(os.open(staged, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as handle:
        json.dump(record, handle, ensure_ascii=False, indent=1)
    os.replace(staged, path)
    return path


def blocked_run(settings: Settings) -> dict | None:
    """The last blocked run's record, or None when the last run was not blocked."""
    try:
        return json.loads(blocked_run_path(settings).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def clear_blocked_run(settings: Settings) -> None:
    blocked_run_path(settings).unlink(missing_ok=True)
