"""The report's tables in the forms analysts reuse: a CSV per table, one Excel workbook
(a contents sheet, a notes sheet, one sheet per table formatted as an Excel table), a
``summary.json`` of the headline figures and a ``tables.json`` describing every table.

Values are exported exactly as the page shows them (parsed back from the shown text), so no
output is more precise or less protected than the page: withheld stays ``[c]``.
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

from pipeline.disclosure import NOT_SHOWN_MARKS
from pipeline.report.model import ColumnKind, Table
from pipeline.safe_text import protect_workbook, safe_cell

_COUNT = re.compile(r"^-?\d{1,3}(,\d{3})*$|^-?\d+$")
_PERCENT = re.compile(r"^-?\d+(\.\d+)?%$")
_DECIMAL = re.compile(r"^-?\d+\.\d+$")


@dataclass(frozen=True)
class ExportTable:
    """A table with the name its CSV file, sheet and Excel table go by."""

    id: str
    section_title: str
    theme: str
    table: Table

    @property
    def csv_name(self) -> str:
        return f"csv/{self.id}.csv"


def infer_kinds(table: Table) -> tuple[ColumnKind, ...]:
    """Column kinds from the shown values, for builders that do not declare them.

    Whole numbers are taken to be counts, so disclosure checks err on the safe side."""
    if table.column_kinds is not None:
        return table.column_kinds
    kinds: list[ColumnKind] = ["label"]
    for index in range(1, len(table.headers)):
        values = [str(r[index]).strip() for r in table.rows]
        values = [v for v in values if v not in NOT_SHOWN_MARKS]
        if values and all(_COUNT.match(v) for v in values):
            kinds.append("count")
        elif values and all(_PERCENT.match(v) for v in values):
            kinds.append("percent")
        elif values and all(_DECIMAL.match(v) for v in values):
            kinds.append("ratio")
        else:
            kinds.append("text")
    return tuple(kinds)


def typed_value(text: str, kind: ColumnKind):
    """The shown text as a number where it is one: '1,234' -> 1234, '12.3%' -> 0.123."""
    text = str(text).strip()
    if text in NOT_SHOWN_MARKS or kind in ("label", "text"):
        return text
    try:
        if kind == "percent" and text.endswith("%"):
            return round(float(text[:-1]) / 100, 6)
        if kind == "count":
            return int(text.replace(",", ""))
        return float(text.replace(",", ""))
    except ValueError:
        return text


def _csv_header(header: str, kind: ColumnKind) -> str:
    return f"{header} (%)" if kind == "percent" else header


def _csv_value(value, kind: ColumnKind):
    if kind == "percent" and isinstance(value, float):
        return f"{value * 100:.1f}"
    return value


def write_csv(export: ExportTable, out_dir: Path) -> Path:
    """One table: plain numbers (no thousands separators), percentages as 12.3 under a
    header ending "(%)", [c] where withheld and [x] where not applicable."""
    path = out_dir / export.csv_name
    path.parent.mkdir(parents=True, exist_ok=True)
    kinds = infer_kinds(export.table)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            [safe_cell(_csv_header(h, k)) for h, k in zip(export.table.headers, kinds, strict=True)]
        )
        for row in export.table.rows:
            writer.writerow(
                [
                    safe_cell(_csv_value(typed_value(v, k), k))
                    for v, k in zip(row, kinds, strict=True)
                ]
            )
    return path


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
    """Excel allows 31 characters and no []:*?/\\ in a sheet name."""
    cleaned = [re.sub(r"[\[\]:*?/\\]", "-", e.id) for e in exports]
    return _unique(cleaned, 31)


def _excel_table_name(sheet: str) -> str:
    return "T_" + re.sub(r"\W", "_", sheet)


def _unique_headers(headers: Sequence[str]) -> list[str]:
    return _unique([str(h) or f"Column {i + 1}" for i, h in enumerate(headers)], 255)


def write_workbook(
    path: Path,
    title: str,
    about: Sequence[str],
    exports: Sequence[ExportTable],
    notes: Sequence[tuple[str, Sequence[str]]],
) -> Path:
    """Contents, Notes, then one sheet per table, each an Excel table analysts can paste."""
    workbook = Workbook()
    contents = workbook.active
    contents.title = "Contents"
    contents["A1"] = title
    contents["A1"].font = Font(bold=True, size=14)
    row = 2
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

    notes_sheet = workbook.create_sheet("Notes")
    notes_sheet["A1"] = "Notes"
    notes_sheet["A1"].font = Font(bold=True, size=14)
    row = 2
    for heading, lines in notes:
        row += 1
        notes_sheet.cell(row=row, column=1, value=heading).font = Font(bold=True)
        for line in lines:
            row += 1
            cell = notes_sheet.cell(row=row, column=1, value=line)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    notes_sheet.column_dimensions["A"].width = 120

    for export, sheet in zip(exports, names, strict=True):
        _table_sheet(workbook.create_sheet(sheet), export, sheet)
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


_NUMBER_FORMATS = {"count": "#,##0", "percent": "0.0%", "ratio": "0.00", "number": "#,##0"}


def _table_sheet(sheet, export: ExportTable, name: str) -> None:
    table = export.table
    kinds = infer_kinds(table)
    sheet["A1"] = table.caption
    sheet["A1"].font = Font(bold=True, size=12)
    sheet["A2"] = f"Section: {export.section_title}. [c] withheld, [x] not applicable."
    for offset, note in enumerate(table.notes):
        sheet.cell(row=3 + offset, column=1, value=note)
    first = 4 + len(table.notes)
    for column, header in enumerate(_unique_headers(table.headers), start=1):
        cell = sheet.cell(row=first, column=column, value=header)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for r, values in enumerate(table.rows, start=first + 1):
        for c, (text, kind) in enumerate(zip(values, kinds, strict=True), start=1):
            value = typed_value(text, kind)
            cell = sheet.cell(row=r, column=c, value=value)
            if not isinstance(value, str) and kind in _NUMBER_FORMATS:
                cell.number_format = _NUMBER_FORMATS[kind]
            elif isinstance(value, str) and kind not in ("label", "text"):
                cell.alignment = Alignment(horizontal="right")
    last = f"{get_column_letter(len(table.headers))}{first + max(len(table.rows), 1)}"
    sheet.add_table(_excel_table(_excel_table_name(name), f"A{first}:{last}"))
    sheet.freeze_panes = sheet.cell(row=first + 1, column=2)
    sheet.column_dimensions["A"].width = 42
    for column in range(2, len(table.headers) + 1):
        sheet.column_dimensions[get_column_letter(column)].width = 16


def write_json(path: Path, content: dict) -> Path:
    path.write_text(json.dumps(content, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def tables_manifest(exports: Sequence[ExportTable], workbook_name: str) -> dict:
    """What each table is and how its counts add up: lets anyone (and the tests) audit the
    outputs for disclosure from the shown values alone."""
    names = sheet_names(exports)
    return {
        "workbook": workbook_name,
        "tables": [
            {
                "id": e.id,
                "caption": e.table.caption,
                "section": e.section_title,
                "theme": e.theme,
                "csv": e.csv_name,
                "sheet": sheet,
                "headers": list(e.table.headers),
                "column_kinds": list(infer_kinds(e.table)),
                "layout": e.table.layout.as_dict() if e.table.layout else None,
                "notes": list(e.table.notes),
            }
            for e, sheet in zip(exports, names, strict=True)
        ],
    }
