"""How the extract reader finds a file's header, specified by behaviour (whatever engine
reads the cells): title and blank rows above the header, the delimiter, the header's case and
spacing, and messages that name the row read as the header (issue 11, item 8)."""

from __future__ import annotations

import openpyxl
import pytest
from conftest import STAFF_HEADER, staff_row

from pipeline.extracts import ExtractError, read_extract
from pipeline.schemas import allowed_codes

LPUS = frozenset({"BHM", "SOL"})
ROWS = [staff_row(f"P{i}", "W1") for i in range(3)]


def _read(settings, name: str, content: str | bytes):
    path = settings.paths.inbox / name
    if isinstance(content, str):
        content = content.encode("utf-8")
    path.write_bytes(content)
    return read_extract(path, "staff_snapshot", settings, allowed_codes(settings, LPUS))


def test_title_rows_above_the_header_are_skipped(tiny_force):
    text = "Staff in post at 31 March 2026\nRun by: HR analytics\n\n" + STAFF_HEADER + "\n"
    got = _read(tiny_force, "staff_snapshot_x.csv", text + "\n".join(ROWS) + "\n")
    assert list(got.typed["source_row"]) == [5, 6, 7]  # as the analyst sees them
    assert got.problems == ()


def test_a_semicolon_file_under_a_title_with_commas(tiny_force):
    text = "Staff in post, March 2026, all commands\n" + STAFF_HEADER.replace(",", ";") + "\n"
    got = _read(tiny_force, "staff_snapshot_x.csv", text + "\n".join(ROWS).replace(",", ";"))
    assert len(got.frame) == 3


def test_header_case_and_spacing_do_not_matter(tiny_force):
    header = ",".join(f"  {c.upper().replace('_', ' ')} " for c in STAFF_HEADER.split(","))
    header = header.replace("STAFF ID", "staff_id")  # underscores and spaces alike
    got = _read(tiny_force, "staff_snapshot_x.csv", header + "\n" + "\n".join(ROWS))
    assert len(got.frame) == 3


def test_a_workbook_with_a_report_title_and_blank_rows(tiny_force):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Establishment"
    sheet.append(["West Midlands Police: establishment report"])
    sheet.append([])
    sheet.append(["Produced 01/04/2026"])
    sheet.append([])
    sheet.append(STAFF_HEADER.split(","))
    for row in ROWS:
        sheet.append(row.split(","))
    path = tiny_force.paths.inbox / "staff_snapshot_x.xlsx"
    book.save(path)
    got = read_extract(path, "staff_snapshot", tiny_force, allowed_codes(tiny_force, LPUS))
    assert list(got.typed["source_row"]) == [6, 7, 8]


def test_a_header_below_titles_missing_a_column_names_the_row_it_read(tiny_force):
    header = ",".join(c for c in STAFF_HEADER.split(",") if c != "ethnicity_code")
    text = "Staff report\n\n" + header + "\n" + "\n".join(ROWS)
    with pytest.raises(ExtractError) as error:
        _read(tiny_force, "staff_snapshot_x.csv", text)
    assert str(error.value).startswith(
        "staff_snapshot_x.csv: Required column(s) missing: 'ethnicity_code' (the header was "
        "read from row 3, the row with most of the extract's columns; the rows above it were "
        "skipped)."
    )


def test_no_header_at_all_says_where_it_is_expected(tiny_force):
    text = "Staff report\n" + "\n".join(ROWS)
    with pytest.raises(ExtractError) as error:
        _read(tiny_force, "staff_snapshot_x.csv", text)
    message = str(error.value)
    assert "Required column(s) missing: 'staff_id', 'snapshot_date'" in message
    assert (
        "(no row among the first 20 has any of the extract's columns; the header is expected "
        "in row 1, above the data)"
    ) in message
    assert "[extracts.staff_snapshot.columns]" in message


def test_a_mapped_header_under_a_title(tmp_path):
    from conftest import write_config

    from pipeline.config import load_settings

    config = write_config(
        tmp_path, '[extracts.staff_snapshot.columns]\nstaff_id = "Payroll Number"\n'
    )
    settings = load_settings(config)
    text = "Report\n" + STAFF_HEADER.replace("staff_id", "payroll  number") + "\n" + ROWS[0]
    assert len(_read(settings, "staff_snapshot_x.csv", text).frame) == 1
