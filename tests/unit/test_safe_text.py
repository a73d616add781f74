"""The one function per renderer that keeps text from a file inert."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import Workbook, load_workbook

from pipeline.analysts import QueryResult, write_csv
from pipeline.safe_text import identifier, printable, protect_workbook, safe_cell, trim, visible


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("+44 121 626 5000", "'+44 121 626 5000"),
        ("-1+2", "'-1+2"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("-", "'-"),
        ("Response", "Response"),
        ("-12", "-12"),
        ("+0.5", "+0.5"),
        ("-1,234.5", "-1,234.5"),
        ("12.3%", "12.3%"),
        (-5, -5),
        (None, None),
    ],
)
def test_safe_cell_quotes_what_a_spreadsheet_would_run_and_nothing_else(value, expected):
    assert safe_cell(value) == expected


def test_a_workbook_keeps_formula_like_text_as_text(tmp_path):
    workbook = Workbook()
    sheet = workbook.active
    sheet["A1"], sheet["A2"], sheet["A3"], sheet["A4"] = "=1+1", "@x", -5, "Response"
    assert protect_workbook(workbook) == 2
    workbook.save(tmp_path / "w.xlsx")
    cells = load_workbook(tmp_path / "w.xlsx").active["A"]
    assert [(c.value, c.data_type, c.quotePrefix) for c in cells] == [
        ("=1+1", "s", True),
        ("@x", "s", True),
        (-5, "n", False),
        ("Response", "s", False),
    ]


def test_query_csv_quotes_formula_like_text():
    out = io.StringIO()
    write_csv(QueryResult(["label", "n"], [("=cmd|' /C calc'!A0", -3)]), out)
    assert list(csv.reader(io.StringIO(out.getvalue()))) == [
        ["label", "n"],
        ["'=cmd|' /C calc'!A0", "-3"],
    ]


def test_identifiers_name_no_other_folder_and_never_collide():
    assert identifier("INSP-2025") == "insp-2025"
    odd = [identifier(t) for t in ("../../x", "..\\..\\x", "A/B", "a b", "", "中文")]
    assert all(i and set(i) <= set("abcdefghijklmnopqrstuvwxyz0123456789-") for i in odd)
    assert len(set(odd)) == len(odd)


def test_printable_removes_escape_sequences_and_shortens():
    assert printable("Surname\x1b[2J\u202e") == "Surname?[2J?"
    assert len(printable("x" * 500)) == 60


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("row 2 (E08\u00a0000025)", "row 2 (E08\\xa0000025)"),
        ("E08\u200b000025 \ufeffBHM\u2060", "E08\\u200b000025 \\ufeffBHM\\u2060"),
        ("a\x1b[2Jb\rc", "a\\x1b[2Jb\\rc"),
        ("Caf\u00e9 \u2013 Martin\u2019s \u2192 BHM", "Caf\u00e9 \u2013 Martin\u2019s \u2192 BHM"),
        ("first line\nsecond line", "first line\nsecond line"),
    ],
)
def test_a_message_shows_every_character_that_does_not_show_itself(text, shown):
    assert visible(text) == shown


def test_invisible_characters_around_a_value_are_trimmed_and_inside_it_kept():
    assert trim("\ufeff \u00a0E08\u200b000025\u3000\u2060\u200b ") == "E08\u200b000025"
