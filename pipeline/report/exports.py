"""The report's tables in the forms analysts reuse: a CSV per table, one Excel workbook
(a contents sheet, a notes sheet, one sheet per table formatted as an Excel table), a
``summary.json`` of the headline figures and a ``tables.json`` describing every table.

Every value comes from the declared, protected table (:meth:`DeclaredTable.export_rows`),
at the precision the page shows, so no output is more precise or less protected than the
page. Numbers are numbers: counts are integers, percentages numbers (a fraction formatted as
a percentage in the workbook, 12.3 under a header ending "(%)" in a CSV), an interval is a
lower and an upper column, a p-value a number; ``[c]`` is withheld and ``[x]`` not
applicable. Every file carries the protective marking: the first line of a CSV (``#``,
so ``pandas.read_csv(..., comment="#")`` skips it), the top and the print header and footer
of every sheet, a ``protective_marking`` key in every JSON file.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.worksheet.table import Table as ExcelTable
from openpyxl.worksheet.table import TableStyleInfo

from pipeline.disclosure import Universe
from pipeline.report.declared import PERCENT_KINDS, DeclaredTable
from pipeline.safe_text import protect_workbook, safe_cell


@dataclass(frozen=True)
class ExportTable:
    """A table with the name its CSV file, sheet and Excel table go by."""

    id: str
    section_title: str
    theme: str
    table: DeclaredTable

    @property
    def csv_name(self) -> str:
        return f"csv/{self.id}.csv"


def csv_marking(marking: str) -> str:
    return f"# {marking}"


def write_csv(export: ExportTable, out_dir: Path, marking: str) -> Path:
    """One table: its marking on a comment line, then the header and the rows."""
    path = out_dir / export.csv_name
    path.parent.mkdir(parents=True, exist_ok=True)
    table = export.table
    kinds = table.export_kinds()
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.write(csv_marking(marking) + "\n")
        writer = csv.writer(handle)
        writer.writerow([safe_cell(h) for h in table.export_headers()])
        for row in table.export_rows():
            writer.writerow([safe_cell(_csv_value(v, k)) for v, k in zip(row, kinds, strict=True)])
    return path


def _csv_value(value, kind: str):
    if isinstance(value, float) and kind in (
        "share",
        "rate",
        "years",
        "points",
        "percent",
        "percent_interval",
    ):
        return f"{value:.1f}"
    if isinstance(value, float) and kind in ("ratio", "ratio_to", "interval", "points2"):
        return f"{value:.2f}"
    return value


def _unique(names: Sequence[str], limit: int) -> list[str]:
    out: list[str] = []
    for name in names:
        candidate, n = name[:limit], 2
        while candidate.lower() in (o.lower() for o in out):
            suffix = f"-{n}"
            candidate, n = name[: limit - len(suffix)] + suffix, n + 1
        out.append(candidate)
    return out


def sheet_names(exports: Sequence[ExportTable]) -> list[str]:
    """Excel allows 31 characters and no []:*?/\\ in a sheet name. A longer id loses words
    from its middle, not its end, where tables of one section differ
    (``what-it-would-take-inspectors-2031`` and ``…-2031-counts``)."""
    cleaned = [re.sub(r"[\[\]:*?/\\]", "-", e.id) for e in exports]
    return _unique([_elide_middle(name, 31) for name in cleaned], 31)


def _elide_middle(name: str, limit: int) -> str:
    """``name`` within ``limit`` characters: its first words and as many of its last as fit,
    joined by ``~``; the name itself when it fits or has no words to drop."""
    parts = name.split("-")
    if len(name) <= limit or len(parts) < 3:
        return name
    for tail in range(len(parts) - 1, 0, -1):
        for head in range(len(parts) - tail, 0, -1):
            candidate = "-".join(parts[:head]) + "~" + "-".join(parts[-tail:])
            if len(candidate) <= limit:
                return candidate
    return name


def _excel_table_name(sheet: str) -> str:
    return "T_" + re.sub(r"\W", "_", sheet)


def _unique_headers(headers: Sequence[str]) -> list[str]:
    return _unique([str(h) or f"Column {i + 1}" for i, h in enumerate(headers)], 255)


def _mark_sheet(sheet, marking: str) -> None:
    """The marking at the top and bottom of every printed page of a sheet."""
    sheet.oddHeader.center.text = marking
    sheet.oddFooter.center.text = marking
    sheet.evenHeader.center.text = marking
    sheet.evenFooter.center.text = marking


def write_workbook(
    path: Path,
    title: str,
    about: Sequence[str],
    exports: Sequence[ExportTable],
    notes: Sequence[tuple[str, Sequence[str]]],
    marking: str,
) -> Path:
    """Contents, Notes, then one sheet per table, each an Excel table analysts can paste."""
    workbook = Workbook()
    contents = workbook.active
    contents.title = "Contents"
    contents["A1"] = marking
    contents["A1"].font = Font(bold=True)
    contents["A2"] = title
    contents["A2"].font = Font(bold=True, size=14)
    row = 3
    for line in about:
        contents.cell(row=row, column=1, value=line)
        row += 1
    row += 1
    header_row = row
    for column, heading in enumerate(["Sheet", "Table", "Section", "Theme"], start=1):
        contents.cell(row=row, column=column, value=heading).font = Font(bold=True)
    names = sheet_names(exports)
    for export, sheet in zip(exports, names, strict=True):
        row += 1
        _link(contents.cell(row=row, column=1, value=sheet), sheet)
        contents.cell(row=row, column=2, value=export.table.caption)
        contents.cell(row=row, column=3, value=export.section_title)
        contents.cell(row=row, column=4, value=export.theme)
    row += 1
    _link(contents.cell(row=row, column=1, value="Notes"), "Notes")
    contents.cell(row=row, column=2, value="Definitions, the disclosure rule and caveats")
    if len(exports):
        contents.add_table(
            _excel_table("T_Contents", f"A{header_row}:D{header_row + len(exports)}")
        )
    for column, width in zip("ABCD", (34, 80, 60, 24), strict=True):
        contents.column_dimensions[column].width = width
    contents.cell(row=row + 2, column=1, value=marking).font = Font(bold=True)
    _mark_sheet(contents, marking)

    notes_sheet = workbook.create_sheet("Notes")
    notes_sheet["A1"] = marking
    notes_sheet["A1"].font = Font(bold=True)
    notes_sheet["A2"] = "Notes"
    notes_sheet["A2"].font = Font(bold=True, size=14)
    row = 3
    for heading, lines in notes:
        row += 1
        notes_sheet.cell(row=row, column=1, value=heading).font = Font(bold=True)
        for line in lines:
            row += 1
            cell = notes_sheet.cell(row=row, column=1, value=line)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    notes_sheet.cell(row=row + 2, column=1, value=marking).font = Font(bold=True)
    notes_sheet.column_dimensions["A"].width = 120
    _mark_sheet(notes_sheet, marking)

    for export, sheet in zip(exports, names, strict=True):
        _table_sheet(workbook.create_sheet(sheet), export, sheet, marking)
    path.parent.mkdir(parents=True, exist_ok=True)
    protect_workbook(workbook)
    workbook.save(path)
    return path


def _link(cell, sheet: str) -> None:
    """A link to cell A1 of another sheet of the same workbook."""
    cell.hyperlink = Hyperlink(ref=cell.coordinate, location=f"'{sheet}'!A1", display=sheet)
    cell.style = "Hyperlink"


def _excel_table(name: str, ref: str) -> ExcelTable:
    table = ExcelTable(displayName=name, ref=ref)
    table.tableStyleInfo = TableStyleInfo(name="TableStyleMedium2", showRowStripes=True)
    return table


_NUMBER_FORMATS = {
    "count": "#,##0",
    "share": "0.0%",
    "rate": "0.0",
    "years": "0.0",
    "points": "+0.0;-0.0;0.0",
    "points2": "+0.00;-0.00;0.00",
    "ratio": "0.00",
    "ratio_to": "0.00",
    "interval": "0.00",
    "percent": "0.0%",
    "percent_interval": "0.0%",
    "number": "#,##0",
    "gap": "#,##0",
    "p_value": "0.0000",
}


def _table_sheet(sheet, export: ExportTable, name: str, marking: str) -> None:
    table = export.table
    kinds = table.export_kinds()
    sheet["A1"] = marking
    sheet["A1"].font = Font(bold=True)
    sheet["A2"] = table.caption
    sheet["A2"].font = Font(bold=True, size=12)
    sheet["A3"] = f"Section: {export.section_title}. [c] withheld, [x] not applicable."
    for offset, note in enumerate(table.notes):
        sheet.cell(row=4 + offset, column=1, value=note)
    first = 5 + len(table.notes)
    headers = table.export_headers()
    for column, header in enumerate(_unique_headers(headers), start=1):
        cell = sheet.cell(row=first, column=column, value=header)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    rows = table.export_rows()
    for r, values in enumerate(rows, start=first + 1):
        for c, (value, kind) in enumerate(zip(values, kinds, strict=True), start=1):
            if kind in PERCENT_KINDS and isinstance(value, float):
                value = round(value / 100, 6)
            cell = sheet.cell(row=r, column=c, value=value)
            if not isinstance(value, str) and kind in _NUMBER_FORMATS:
                cell.number_format = _NUMBER_FORMATS[kind]
            elif isinstance(value, str) and kind not in ("label", "text"):
                cell.alignment = Alignment(horizontal="right")
    last_row = first + max(len(rows), 1)
    sheet.add_table(
        _excel_table(
            _excel_table_name(name), f"A{first}:{get_column_letter(len(headers))}{last_row}"
        )
    )
    sheet.cell(row=last_row + 2, column=1, value=marking).font = Font(bold=True)
    sheet.freeze_panes = sheet.cell(row=first + 1, column=2)
    sheet.column_dimensions["A"].width = 42
    for column in range(2, len(headers) + 1):
        sheet.column_dimensions[get_column_letter(column)].width = 16
    _mark_sheet(sheet, marking)


def write_json(path: Path, content: dict, marking: str) -> Path:
    """A JSON file whose first key is the protective marking."""
    document = {"protective_marking": marking, **content}
    path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def json_rows(table: DeclaredTable) -> list[dict]:
    """A table's rows as JSON objects by column name: numbers as numbers (shares as
    fractions), withheld as null, not applicable as "[x]"."""
    out = []
    for row in table.shown_rows or []:
        record = {}
        for column, value in zip(table.columns, row, strict=True):
            if column.kind == "label":
                record[column.name] = value
            elif getattr(value, "mark", None) == "[c]":
                record[column.name] = None
            elif getattr(value, "mark", None) == "[x]":
                record[column.name] = "[x]"
            elif column.kind in ("share", "percent"):
                record[column.name] = round(value / 100, 6)
            elif column.kind == "percent_interval":
                record[column.name] = [round(v / 100, 6) for v in value]
            elif column.kind == "interval":
                record[column.name] = column.exported(value)
            elif column.kind == "p_value":
                record[column.name] = column.exported(value)[0]
            else:
                record[column.name] = value
        out.append(record)
    return out


def tables_manifest(exports: Sequence[ExportTable], workbook_name: str, universe: Universe) -> dict:
    """What each table is: its columns and their kinds, the cell behind every count and the
    counts behind every figure, and the dimensions the cells are sets of, so anyone can
    check the outputs for disclosure from the shown values alone
    (:func:`pipeline.report.audit.audit_folder`)."""
    names = sheet_names(exports)
    return {
        "workbook": workbook_name,
        "populations": {
            population: {dim: sorted(values) for dim, values in dims.items()}
            for population, dims in universe.domains.items()
        },
        "listing": sorted(universe.listing),
        "rests": universe.rests_manifest(),
        "equalities": universe.equalities_manifest(),
        "known_zeros": sorted(k.id for k in universe.known),
        "tables": [
            {
                **e.table.manifest(),
                "section": e.section_title,
                "theme": e.theme,
                "csv": e.csv_name,
                "sheet": sheet,
            }
            for e, sheet in zip(exports, names, strict=True)
        ],
    }
