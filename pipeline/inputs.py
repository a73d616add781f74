"""Which files a run reads, under what name they are recorded, and in what order they load.

Order matters only when two files describe the same snapshot date, process or campaign
(``pipeline.overlaps`` says when they may): the later delivery, or the correction, must win.
So files load in the order of the date they describe (from their content), corrections after
the rest, then the date in their path (an archive's dated folder or file name), then their
modification time, then their name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd

from pipeline import extracts
from pipeline.config import Settings
from pipeline.overlaps import is_correction

CONTENT_DATE_COLUMN = {
    "staff_snapshot": "snapshot_date",
    "joiners_leavers": "movement_date",
    "promotion_candidates": "outcome_date",
    "recruitment_applicants": "outcome_date",
    "misconduct_cases": "opened_date",
    "grievances": "raised_date",
    "training_development": "outcome_date",
    "appraisal_ratings": "appraisal_year",
    "staff_survey": "survey_date",
}
"""The column whose latest value is the date an extract describes (a year: its 31 March)."""

_DATE_IN_PATH = re.compile(
    r"(?<!\d)(?P<year>(?:19|20)\d\d)(?:[-_./]?(?P<month>0[1-9]|1[0-2])"
    r"(?:[-_./]?(?P<day>0[1-9]|[12]\d|3[01]))?)?(?!\d)"
)


@dataclass(frozen=True)
class InputFile:
    kind: str
    path: Path
    name: str
    """As recorded in ``raw.*.source_file`` and ``ops.load_history``: the path relative to
    the folder read, so that same-named files in an archive's dated folders stay distinct."""


def inbox_inputs(settings: Settings) -> list[InputFile]:
    return [InputFile(kind, path, path.name) for kind, path in extracts.inbox_files(settings)]


def archive_inputs(directory: Path, settings: Settings) -> list[InputFile]:
    """Every extract anywhere under ``directory`` (an archive, often one folder a delivery)."""
    if not directory.is_dir():
        raise extracts.ExtractError(
            directory, "The archive folder does not exist.", "Give the folder of past extracts."
        )
    found = []
    for path in sorted(directory.rglob("*")):
        relative = path.relative_to(directory)
        if not path.is_file() or any(p.startswith((".", "~$")) for p in relative.parts):
            continue
        if path.suffix.lower() not in extracts.EXCEL_SUFFIXES | extracts.CSV_SUFFIXES:
            continue
        if (kind := extracts.classify(path, settings)) is not None:
            extracts.check_name(path, relative.as_posix())
            found.append(InputFile(kind, path, relative.as_posix()))
    if not found:
        raise extracts.ExtractError(
            directory,
            "No file in the archive matches an extract's file pattern.",
            "Check the folder, or [extracts.<kind>] file_pattern in the configuration.",
        )
    return found


def date_in_path(name: str) -> date | None:
    """The last date written in a path: ``2024-03-31``, ``20240331``, ``2024/03`` or ``2024``
    (a month or a year stands for its last day).

    The last one wins because the file name is more specific than the folders above it.
    """
    found = None
    for match in _DATE_IN_PATH.finditer(name):
        year, month, day = match["year"], match["month"] or "12", match["day"]
        if day is None:
            day = str(pd.Timestamp(f"{year}-{month}-01").days_in_month)
        try:
            found = date(int(year), int(month), int(day))
        except ValueError:
            continue
    return found


def content_date(extract: extracts.Extract) -> date | None:
    values = extract.frame.get(CONTENT_DATE_COLUMN[extract.kind])
    if values is None or values.dropna().empty:
        return None
    if pd.api.types.is_integer_dtype(values):  # a reporting year ends on 31 March
        return date(int(values.max()), 3, 31)
    return pd.Timestamp(values.max()).date()


def load_order(extract: extracts.Extract, name: str) -> tuple:
    """Sort key: loading in this order lets a later delivery replace an earlier one, and a
    correction (``pipeline.overlaps``) the file it corrects."""
    described = content_date(extract) or date_in_path(name) or date.min
    delivered = date_in_path(name) or date.min
    return (described, is_correction(name), delivered, extract.path.stat().st_mtime_ns, name)
