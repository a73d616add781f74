"""Reading a built report back, output by output, and auditing it for disclosure.

Shared by the demo's integration scan and the unit tests on tiny forces: everything here
works from the files alone (tables.json says what each table holds and how it adds up).
"""

from __future__ import annotations

import csv
import json
import re
from html.parser import HTMLParser
from pathlib import Path

from openpyxl import load_workbook

from pipeline.disclosure import NOT_SHOWN_MARKS, Layout, audit_table

THRESHOLD = 5  # the default, used by the demo and the tiny test forces

# Any whole number from 1 to the threshold standing alone in a generated sentence is a leak,
# except in the rule's own wording, the day of a written date, a run id and an exit code;
# codes (A2, W1) are not numbers.
_SMALL = re.compile(rf"(?<![\w.,])([1-{THRESHOLD}])(?![\d.,%])")
_MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
_ALLOWED = re.compile(
    rf"from 1 to {THRESHOLD}|2021 Census|18\+1|\b\d{{1,2}} (?:{_MONTHS}) \d{{4}}"
    r"|\b\d{8}T\d{6}Z-[0-9a-f]{8}\b|exit code \d"
)


def small_numbers_in(sentences: list[str]) -> list[str]:
    """The sentences that quote a count from 1 to the threshold."""
    return [s for s in sentences if _SMALL.search(_ALLOWED.sub("", s))]


class _Page(HTMLParser):
    """Tables by id (rows of cell texts), prose by class, every visible text, every URL."""

    PROSE = frozenset({"findings", "changes", "caveats", "message", "chart-title"})

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self.prose: list[str] = []
        self.text: list[str] = []
        self.urls: list[str] = []
        self.tags: list[str] = []
        self._table: str | None = None
        self._cell: list[str] | None = None
        self._prose_depth = 0
        self._stack: list[bool] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        self.tags.append(tag)
        for name in ("src", "href", "data", "action", "poster"):
            if attributes.get(name):
                self.urls.append(attributes[name])
        if tag in ("style", "script"):
            self._skip += 1
        if tag == "table":
            self._table = attributes.get("id", f"table-{len(self.tables)}")
            self.tables[self._table] = []
        elif tag == "tr" and self._table:
            self.tables[self._table].append([])
        elif tag in ("td", "th") and self._table:
            self._cell = []
        classes = set((attributes.get("class") or "").split())
        is_prose = bool(classes & self.PROSE) or attributes.get("id", "").endswith("-desc")
        if tag not in ("br", "img", "meta", "link", "input", "path", "use"):
            self._stack.append(is_prose)
            if is_prose:
                self._prose_depth += 1
                self.prose.append("")

    def handle_endtag(self, tag):
        if tag in ("style", "script"):
            self._skip -= 1
        if tag in ("td", "th") and self._table and self._cell is not None:
            self.tables[self._table][-1].append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "table":
            self._table = None
        void = tag in ("br", "img", "meta", "link", "input", "path", "use")
        if not void and self._stack and self._stack.pop():
            self._prose_depth -= 1

    def handle_data(self, data):
        if self._skip:
            return
        self.text.append(data)
        if self._cell is not None:
            self._cell.append(data)
        if self._prose_depth:
            self.prose[-1] += data


def parse_page(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page


def layout_of(entry: dict) -> Layout | None:
    spec = entry["layout"]
    if spec is None:
        return None
    return Layout(
        count_columns=tuple(spec["count_columns"]),
        row_sums=tuple((s["total"], tuple(s["parts"])) for s in spec["row_sums"]),
        total_row=spec["total_row"],
        derived={k: tuple(v) for k, v in spec["derived"].items()},
    )


def check_table(rows: list[list], headers: list[str], entry: dict, where: str) -> list[str]:
    """Small counts in every count column; the full audit where the layout is known."""
    problems = []
    for index, kind in enumerate(entry["column_kinds"]):
        if kind != "count":
            continue
        for row in rows:
            value = row[index]
            text = str(value).strip()
            if text in NOT_SHOWN_MARKS:
                continue
            number = value if isinstance(value, int | float) else float(text.replace(",", ""))
            if 1 <= number <= THRESHOLD:
                problems.append(f"{where}: small count in {headers[index]!r}, row {row[0]!r}")
    layout = layout_of(entry)
    if layout is not None:
        problems += [f"{where}: {p}" for p in audit_table(rows, headers, layout, THRESHOLD)]
    return problems


def csv_rows(path: Path, entry: dict) -> tuple[list[str], list[list]]:
    with path.open(encoding="utf-8", newline="") as handle:
        _, *rows = list(csv.reader(handle))
    # CSV headers carry " (%)" on percent columns; the manifest names them without it.
    return entry["headers"], [[c.replace("%", "") for c in r] for r in rows]


def sheet_rows(workbook, entry: dict) -> tuple[list[str], list[list]]:
    sheet = workbook[entry["sheet"]]
    (table,) = sheet.tables.values()
    cells = [[c.value for c in row] for row in sheet[table.ref]]
    # An Excel table needs one data row, so an empty table is written with a blank one.
    return [str(h) for h in cells[0]], [r for r in cells[1:] if any(v is not None for v in r)]


def scan_report(folder: Path) -> list[str]:
    """Every table of a report folder, in HTML, CSV and the workbook: what discloses."""
    manifest = json.loads((folder / "tables.json").read_text(encoding="utf-8"))
    page = parse_page(folder / "index.html")
    workbook = load_workbook(folder / manifest["workbook"])
    problems = []
    for entry in manifest["tables"]:
        header, *rows = page.tables[f"{entry['id']}-table"]
        problems += check_table(rows, header, entry, f"index.html {entry['id']}")
        headers, rows = csv_rows(folder / entry["csv"], entry)
        problems += check_table(rows, headers, entry, entry["csv"])
        headers, rows = sheet_rows(workbook, entry)
        problems += check_table(rows, headers, entry, entry["sheet"])
    return problems
