"""Reading a built report back, output by output, and auditing it for disclosure.

Shared by the demo's integration tests and the unit tests on tiny forces: everything here
works from the files alone (``tables.json`` says which cell each count is), through the same
audit the pipeline runs on every output before publishing
(:func:`pipeline.report.audit.audit_folder`).
"""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

from pipeline.report.audit import audit_folder, read_page

THRESHOLD = 5  # the default, used by the demo and the tiny test forces

# Any whole number from 1 to the threshold standing alone in a generated sentence is a leak,
# except in the rule's own wording, the day of a written date, a run id and an exit code;
# codes (A2, W1) are not numbers. (The report's own sentences are also in the audit, which
# checks each quoted count against the tables; this check is for messages about a run.)
_SMALL = re.compile(rf"(?<![\w.,])([1-{THRESHOLD}])(?![\d.,%])")
_MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
_ALLOWED = re.compile(
    rf"from 1 to {THRESHOLD}|2021 Census|18\+1|\b\d{{1,2}} (?:{_MONTHS}) \d{{4}}"
    r"|\b\d{8}T\d{6}Z-[0-9a-f]{8}\b|exit code \d"
)


def small_numbers_in(sentences: list[str]) -> list[str]:
    """The sentences that quote a count from 1 to the threshold (delivery messages)."""
    return [s for s in sentences if _SMALL.search(_ALLOWED.sub("", s))]


def parse_page(path: Path):
    """Tables by id (rows of cell texts), prose by class."""
    return read_page(path)


def scan_report(folder: Path) -> list[str]:
    """Every way the report folder's outputs, read back, disclose something."""
    return [str(p) for p in audit_folder(folder)]


def manifest(folder: Path) -> dict:
    return json.loads((folder / "tables.json").read_text(encoding="utf-8"))


def csv_rows(path: Path) -> tuple[list[str], list[dict]]:
    """A CSV file's marking line, then its rows by header."""
    with path.open(encoding="utf-8", newline="") as handle:
        marking = handle.readline().strip()
        rows = list(csv.DictReader(handle))
    return [marking], rows


def page_table(folder: Path, table_id: str) -> dict[str, dict[str, str]]:
    """A table of the page, as {row label: {header: cell text}}."""
    header, *rows = parse_page(folder / "index.html").tables[f"{table_id}-table"]
    return {row[0]: dict(zip(header, row, strict=True)) for row in rows}
