"""Identifiers are the same person across CSV and Excel (text or number, leading zeros,
spaces) before they are pseudonymised; a promotion process none of whose candidates is in
a staff snapshot is named as such in the report and the run's warnings (issue 11, item 6)."""

from __future__ import annotations

import openpyxl
import pandas as pd
import pytest
from conftest import STAFF_HEADER, staff_row, write_inbox

from pipeline import extracts
from pipeline.extracts import normalise_identifiers, pseudonymise, read_extract
from pipeline.nightly import run_nightly
from pipeline.quarantine import quarantined_rows
from pipeline.schemas import EXTRACT_COLUMNS, KEY_COLUMN_FOR_ID, allowed_codes
from pipeline.warehouse import connect

PROMOTION_COLUMNS = ["process_id", "process_name", "target_rank", "staff_id", "stage_order",
                     "stage_name", "outcome", "outcome_date"]  # fmt: skip
LPUS = frozenset({"BHM", "SOL"})


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("00100170", "100170"),
        ("100170", "100170"),
        ("100170.0", "100170"),
        (" 100170 ", "100170"),
        ("1.00170E+05", "100170"),  # every digit written: exact
        ("1.2300E+02", "123"),
        ("1.23456789012E+11", "123456789012"),
        ("1.234567890123456789E+18", "1234567890123456789"),  # beyond a float's digits
        ("1.0017E+05", "1.0017E+05"),  # the units digit implied: not made a number
        ("1.23457E+11", "1.23457E+11"),
        ("1,00170E+05", "100170"),  # a decimal comma (a continental spreadsheet)
        ("1.00170E05", "100170"),  # no plus sign (as some programs write)
        ("10.0170E04", "100170"),
        ("1,00170e05", "100170"),
        ("1.23457E11", "1.23457E11"),
        ("1,23457E+11", "1,23457E+11"),
        ("WM10\u200b0025", "WM100025"),
        ("\u200c1\u200d0\u20600\ufeff", "100"),
        ("0000", "0"),
        ("wm\u00a0123 4", "WM1234"),
        ("A00123", "A00123"),
        ("12e4", "12E4"),  # an identifier with a letter in it, not 120000
    ],
)
def test_one_spelling_per_identifier(written, expected):
    assert normalise_identifiers(pd.Series([written])).iloc[0] == expected


@pytest.mark.parametrize(
    ("written", "rounded"),
    [
        ("1.23457E+11", True),  # Excel's General format for 123456789012 (or 123457000001)
        ("1E+11", True),
        ("1.0017E+05", True),  # 100170 or 100174 shown to five digits
        ("1.001705E+05", True),  # not a whole number
        (" 1.23457e+11 ", True),
        ("1.23457E11", True),  # no plus sign, but a decimal point: a number
        ("1,23457E+11", True),  # a decimal comma
        ("1,23457e11", True),
        ("12.3457E10", True),  # more than one digit before the point: still a number
        ("1,0017E+05", True),
        ("1.00170E+05", False),
        ("1,00170E+05", False),
        ("1.00170E05", False),
        ("1.2300E+02", False),
        ("100170", False),
        ("WE12", False),
        ("12E4", False),  # an identifier with a letter in it: a number has E+ or a point
        ("4E12", False),
        ("12,E4", False),
        ("1,2,3E4", False),
        ("", False),
    ],
)
def test_a_rounded_number_is_told_apart(written, rounded):
    assert extracts.rounded_identifiers(pd.Series([written], dtype="str")).tolist() == [rounded]


def _read_both_ways(force, rows: list[str]):
    """The staff snapshot of ``rows``, read by the fast and the slow reader: (fast, extract)."""
    write_inbox(force, "staff_snapshot_2026-03-31.csv", STAFF_HEADER + "\n" + "\n".join(rows))
    path = force.paths.inbox / "staff_snapshot_2026-03-31.csv"
    allowed = allowed_codes(force, LPUS)
    for fast in (True, False):
        yield fast, read_extract(path, "staff_snapshot", force, allowed, fast=fast)


def test_numbers_a_spreadsheet_rounded_are_quarantined_not_merged(tiny_force):
    """Excel saves 123456789012 and 123456789013 in a CSV as 1.23457E+11 (General format
    shows about six digits): read as 123457000000, two people became one pseudonym. A number
    whose written digits stop short of its units is quarantined in its row, naming the
    column; one written in full is the person it says."""
    rows = [
        staff_row("1.23457E+11", "W1"),
        staff_row("1.23457E+11", "A2"),
        staff_row("1.23456789014E+11", "W1"),
        staff_row("123456789015", "B1"),
    ]
    for _fast, extract in _read_both_ways(tiny_force, rows):
        problems = {(p.source_row, p.column, p.rule): p.message for p in extract.problems}
        assert set(problems) == {
            (2, "staff_id", "invalid_number"),
            (3, "staff_id", "invalid_number"),
        }
        assert "rounded" in problems[(2, "staff_id", "invalid_number")]
        assert "as text" in problems[(2, "staff_id", "invalid_number")]
        keys = extract.typed["staff_key"]
        assert keys[:2].isna().all()
        key = tiny_force.pseudonym_key()
        expected = pseudonymise(pd.Series(["123456789014", "123456789015"]), key).tolist()
        assert keys[2:].tolist() == expected


def test_scientific_notation_without_a_plus_or_with_a_decimal_comma_is_one_person(tiny_force):
    """``1.23457E11`` (no plus sign) and ``1,23457E+11`` (a decimal comma) are rounded like
    ``1.23457E+11``: quarantined, not a second pseudonym. ``1,00170E+05`` and ``1.00170E05``
    carry every digit: the person ``100170`` is (review)."""
    rows = [
        staff_row("1.23457E11", "W1"),
        staff_row('"1,23457E+11"', "A2"),
        staff_row('"1,00170E+05"', "W1"),
        staff_row("1.00170E05", "B1"),
        staff_row("100170", "W1"),
    ]
    for fast, extract in _read_both_ways(tiny_force, rows):
        problems = {(p.source_row, p.column, p.rule) for p in extract.problems}
        assert problems == {(2, "staff_id", "invalid_number"), (3, "staff_id", "invalid_number")}
        keys = extract.typed["staff_key"]
        assert keys[:2].isna().all()
        assert keys[2:].nunique() == 1, fast


def test_a_rounded_number_quarantines_its_row_in_a_run(tiny_force):
    """Not an internal error, nor a blocked run for one row: the row is set aside and the
    quarantine names its row, column and what to do."""
    rows = [staff_row(f"{100100 + i}", ["W1", "A2", "B1"][i % 3]) for i in range(60)]
    rows.append(staff_row("1.23457E+11", "W1"))
    write_inbox(tiny_force, "staff_snapshot_2026-03-31.csv", STAFF_HEADER + "\n" + "\n".join(rows))
    result = run_nightly(tiny_force)
    assert result.rows_quarantined == 1
    rows = quarantined_rows(tiny_force)
    assert rows[["source_row", "rule", "column_name", "status"]].values.tolist() == [
        [62, "invalid_number", "staff_id", "quarantined"]
    ]
    assert "rounded by a spreadsheet" in rows["message"].iloc[0]


def _workbook(path, rows: list[list]) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(PROMOTION_COLUMNS)
    for row in rows:
        sheet.append(row)
    book.save(path)


def _promotion_rows(ids) -> list[list]:
    return [
        ["SGT-2025", "Sergeant 2025", "Sergeant", staff_id, 1, "Exam",
         "passed" if i % 3 else "failed", "2025-06-01"]
        for i, staff_id in enumerate(ids)
    ]  # fmt: skip


def _snapshot(settings, ids: list[str]) -> None:
    ethnicities = ["W1", "A2", "B1", "W1", "M1", "W1"]
    rows = [staff_row(staff_id, ethnicities[i % 6]) for i, staff_id in enumerate(ids)]
    write_inbox(settings, "staff_snapshot_2026-03-31.csv", STAFF_HEADER + "\n" + "\n".join(rows))


def test_text_in_csv_and_numbers_in_a_workbook_get_the_same_pseudonym(tiny_force):
    _snapshot(tiny_force, ["00100170", " 00100171"])
    _workbook(
        tiny_force.paths.inbox / "promotion_candidates_2025.xlsx",
        _promotion_rows([100170, 100171.0]),
    )
    allowed = allowed_codes(tiny_force, LPUS)
    staff = read_extract(
        tiny_force.paths.inbox / "staff_snapshot_2026-03-31.csv",
        "staff_snapshot",
        tiny_force,
        allowed,
    )
    candidates = read_extract(
        tiny_force.paths.inbox / "promotion_candidates_2025.xlsx",
        "promotion_candidates",
        tiny_force,
        allowed,
    )
    assert list(candidates.frame["staff_key"]) == list(staff.frame["staff_key"])


def test_candidates_found_across_formats_are_analysed(tiny_force):
    ids = [f"{100100 + i:08d}" for i in range(60)]  # 00100100 ... as HR's text
    _snapshot(tiny_force, ids)
    _workbook(
        tiny_force.paths.inbox / "promotion_candidates_2025.xlsx",
        _promotion_rows([int(i) for i in ids]),  # the same numbers, as Excel keeps them
    )
    result = run_nightly(tiny_force)
    assert not [w for w in result.warnings if "candidate_in_staff_snapshot" in w]
    with connect(tiny_force.paths.database, read_only=True) as con:
        entered = con.execute(
            """select group_code, entered_count from analytics.selection_rates
               where comparison_code = 'ethnic_minority' and stage_order = 1
               order by group_code"""
        ).fetchall()
    assert dict(entered) == {"minority_excl_white": 30, "white": 30}
    page = (tiny_force.paths.reports_dir / "latest" / "index.html").read_text(encoding="utf-8")
    assert "none of its candidates is in a loaded staff snapshot" not in page


def test_a_process_whose_candidates_match_no_snapshot_says_so(tiny_force):
    _snapshot(tiny_force, [f"S{i}" for i in range(60)])
    _workbook(
        tiny_force.paths.inbox / "promotion_candidates_2025.xlsx",
        _promotion_rows([f"X{i}" for i in range(60)]),
    )
    result = run_nightly(tiny_force)
    warning = next(w for w in result.warnings if "candidate_in_staff_snapshot" in w)
    assert "Process SGT-2025: none of its 60 candidates is in a loaded staff snapshot" in warning
    page = (tiny_force.paths.reports_dir / "latest" / "index.html").read_text(encoding="utf-8")
    assert (
        "Sergeant 2025: none of its candidates is in a loaded staff snapshot, so their "
        "ethnicity is unknown and the stages cannot be compared"
    ) in " ".join(page.split())
    assert "Sergeant 2025: too few" not in page


SAMPLE = {"date": "2025-06-01", "code": "x", "text": "x", "int": "1", "number": "1",
          "flag": "N", "year": "2025"}  # fmt: skip
"""A value of each column type: the reader's typing of the other columns is not under test."""
ID_KINDS = sorted(k for k, cols in EXTRACT_COLUMNS.items() if any(c.type == "id" for c in cols))


def _extract_file(path, kind: str, identifier, excel: bool = False) -> None:
    """One row of ``kind`` with ``identifier`` in every id column, as CSV text or in a
    workbook (where a number stays a number, as Excel keeps a payroll number)."""
    columns = EXTRACT_COLUMNS[kind]
    row = [identifier if c.type == "id" else SAMPLE[c.type] for c in columns]
    if excel:
        book = openpyxl.Workbook()
        book.active.append([c.name for c in columns])
        book.active.append(row)
        book.save(path)
    else:
        lines = [",".join(c.name for c in columns), ",".join(str(v) for v in row)]
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.mark.parametrize("kind", ID_KINDS)
def test_every_id_column_gives_one_person_whatever_the_leading_zeros(tiny_force, kind):
    """Hostile-8 #3a: '000123' in one extract and '123' in another (text in a CSV, a number
    in a workbook, through the fast and the exact CSV path) are one person, so a snapshot's
    and a movements file's ids join: every id column of every extract kind is read as text
    and given one spelling before it is hashed, never inferred as a number by one reader."""
    settings = tiny_force
    allowed = allowed_codes(settings, LPUS)
    inbox = settings.paths.inbox
    written = {
        "zeros.csv": "000123",
        "plain.csv": "123",
        "spaced.csv": " 000 123 ",
        "number.xlsx": 123,
        "text.xlsx": "000123",
    }
    id_keys = [KEY_COLUMN_FOR_ID[c.name] for c in EXTRACT_COLUMNS[kind] if c.type == "id"]
    keys = {}
    for name, identifier in written.items():
        path = inbox / f"{kind}_{name}"
        _extract_file(path, kind, identifier, excel=name.endswith(".xlsx"))
        for fast in (True, False):
            typed = read_extract(path, kind, settings, allowed, fast=fast).typed
            for key in id_keys:
                keys[(name, fast, key)] = typed[key].tolist()
    expected = pseudonymise(pd.Series(["123"]), settings.pseudonym_key()).tolist()
    assert keys and all(value == expected for value in keys.values()), keys
    other = inbox / f"{kind}_other.csv"
    _extract_file(other, kind, "000124")
    assert read_extract(other, kind, settings, allowed).typed[id_keys[0]].tolist() != expected
