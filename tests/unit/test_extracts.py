"""The extract readers on tiny inline files: mapping, allow-list, pseudonyms, codes, dates."""

from __future__ import annotations

import hashlib
import hmac

import pandas as pd
import pytest
from conftest import STAFF_HEADER, staff_row, write_config, write_inbox

from pipeline import extracts
from pipeline.config import load_settings
from pipeline.extracts import inbox_files, read_extract
from pipeline.schemas import allowed_codes

LPUS = frozenset({"BHM", "SOL"})
KEY = b"a-test-key-of-more-than-16-bytes"


def _read(settings, name: str, text: str, kind: str = "staff_snapshot"):
    path = write_inbox(settings, name, text)
    return read_extract(path, kind, settings, allowed_codes(settings, LPUS))


def test_force_specific_headers_are_mapped_and_other_columns_dropped(tmp_path):
    config = write_config(
        tmp_path,
        """
[extracts.staff_snapshot.columns]
staff_id = "Payroll Number"
ethnicity_code = "Ethnic Origin"
""",
    )
    settings = load_settings(config)
    header = STAFF_HEADER.replace("staff_id", "PAYROLL NUMBER ").replace(
        "ethnicity_code", "ethnic origin"
    )
    extract = _read(
        settings,
        "staff_snapshot_2026.csv",
        f"{header},Surname,NI Number\n{staff_row('WM000001', 'A2')},Smith,QQ123456C\n",
    )
    assert extract.dropped_columns == ["Surname", "NI Number"]
    assert "Surname" not in extract.frame.columns
    assert extract.frame.loc[0, "ethnicity_code"] == "A2"
    assert "Smith" not in extract.quarantined.to_string()


def test_identifiers_are_replaced_by_a_keyed_hash(tiny_force):
    extract = _read(
        tiny_force, "staff_snapshot_2026.csv", f"{STAFF_HEADER}\n{staff_row('WM1', 'W1')}\n"
    )
    expected = hmac.new(KEY, b"WM1", hashlib.sha256).hexdigest()[:32]
    assert extract.frame.loc[0, "staff_key"] == expected
    assert "staff_id" not in extract.frame.columns
    assert hashlib.sha256(b"WM1").hexdigest()[:32] != expected  # not an unkeyed hash


def test_synonyms_case_and_temporary_ranks_are_normalised(tiny_force):
    rows = [
        staff_row("A", "asian - pakistani", rank="PC", worker_type="Police Officer"),
        staff_row("B", "b1", rank="T/Insp"),
        staff_row("C", "Prefer not to say", rank="det sgt"),
    ]
    extract = _read(tiny_force, "staff_snapshot_2026.csv", STAFF_HEADER + "\n" + "\n".join(rows))
    frame = extract.frame
    assert frame["ethnicity_code"].tolist() == ["A2", "B1", "NS"]
    assert frame["rank_or_band"].tolist() == ["Constable", "Inspector", "Sergeant"]
    assert frame["worker_type"].tolist() == ["police_officer"] * 3
    assert frame["is_temporary_rank"].tolist() == [False, True, False]


def test_unknown_codes_are_kept_as_written_for_the_contracts_to_judge(tiny_force):
    rows = [staff_row("A", "W1"), staff_row("B", "Martian", rank="Admiral")]
    extract = _read(tiny_force, "staff_snapshot_2026.csv", STAFF_HEADER + "\n" + "\n".join(rows))
    assert extract.problems == ()
    assert extract.typed["ethnicity_code"].tolist() == ["W1", "Martian"]
    assert extract.typed["rank_or_band"].tolist() == ["Constable", "Admiral"]


def test_uk_dates_and_excel_serials_are_read(tiny_force):
    row = staff_row("A", "W1").replace("1990-01-01", "01/02/1990").replace("2015-01-01", "42005")
    extract = _read(tiny_force, "staff_snapshot_2026.csv", f"{STAFF_HEADER}\n{row}\n")
    assert extract.frame.loc[0, "date_of_birth"] == pd.Timestamp("1990-02-01")
    assert extract.frame.loc[0, "service_start_date"] == pd.Timestamp("2015-01-01")


HR_SYSTEM_DATES = {
    "Oracle, iTrent, SAP": ("31-Mar-2026", "01-JAN-90", "01-Jan-2015"),
    "Oracle's two-digit year": ("31-MAR-26", "01-JAN-90", "01-JAN-15"),
    "ISO date-time (APIs, Power BI)": ("2026-03-31T00:00:00", "1990-01-01T00:00:00",
                                       "2015-01-01T08:30:00Z"),
    "SQL Server datetime": ("2026-03-31 00:00:00.000", "1990-01-01 00:00:00.000",
                            "2015-01-01 00:00:00.000"),
    "Excel short date": ("31/03/26", "01/01/90", "01/01/15"),
    "year first with slashes": ("2026/03/31", "1990/01/01", "2015/01/01"),
    "month named": ("31 March 2026", "1st January 1990", "1 Jan 2015"),
    "a UK date-time": ("31/03/2026 00:00", "01/01/1990 00:00:00", "01/01/2015 9:30 AM"),
    "ISO basic": ("20260331", "19900101", "20150101"),
}  # fmt: skip


@pytest.mark.parametrize("fast", [True, False], ids=["fast", "exact"])
@pytest.mark.parametrize("written", HR_SYSTEM_DATES.values(), ids=list(HR_SYSTEM_DATES))
def test_hr_system_date_texts_are_read_by_either_path(tiny_force, written, fast):
    """hostile-6 #7: each of these quarantined every row (exit 3)."""
    snapshot, born, started = written
    row = staff_row("A", "W1", snapshot=snapshot).replace("1990-01-01", born)
    row = row.replace("2015-01-01", started)
    path = write_inbox(tiny_force, "staff_snapshot_2026.csv", f"{STAFF_HEADER}\n{row}\n")
    extract = read_extract(path, "staff_snapshot", tiny_force, allowed_codes(tiny_force, LPUS),
                           fast=fast)  # fmt: skip
    assert extract.problems == ()
    got = extract.frame.loc[0, ["snapshot_date", "date_of_birth", "service_start_date"]]
    assert got.tolist() == [pd.Timestamp(d) for d in ("2026-03-31", "1990-01-01", "2015-01-01")]


@pytest.mark.parametrize(
    "written",
    ["03/31/2026", "2026-31-03", "31 Mar", "March 2026", "31/03/2026 25:00", "31-Foo-2026",
     "29/02/2025", "2026-03-31T00:00:00 extra"],
)  # fmt: skip
def test_dates_that_are_not_one_day_are_still_quarantined(tiny_force, written):
    row = staff_row("A", "W1").replace("1990-01-01", written)
    extract = _read(tiny_force, "staff_snapshot_2026.csv", f"{STAFF_HEADER}\n{row}\n")
    assert [(p.column, p.rule) for p in extract.problems] == [("date_of_birth", "invalid_date")]
    assert "read day first" in extract.problems[0].message


def test_a_two_digit_year_is_read_in_the_hundred_years_from_80_before_the_run():
    from datetime import date

    first, last = extracts.two_digit_year_window(date(2026, 12, 1))
    assert (first, last) == (1946, 2045)
    this_year = date.today().year
    first, last = (this_year - 80) % 100, (this_year + 19) % 100
    values = pd.Series([f"01/01/{first:02d}", f"31/12/{last:02d}", "29/02/00"], dtype="str")
    got = extracts._parse_distinct_dates(values)
    assert got[0] == pd.Timestamp(this_year - 80, 1, 1)
    assert got[1] == pd.Timestamp(this_year + 19, 12, 31)
    assert got[2] == pd.Timestamp(2000, 2, 29)  # 00 is 2000 from 1981 to 2080


@pytest.mark.parametrize("fast", [True, False], ids=["fast", "exact"])
def test_a_delimiter_ending_every_data_line_is_not_a_field(tiny_force, fast):
    """hostile-6 #8: ``a,b,c,`` under ``a,b,c`` quarantined every row (exit 3)."""
    rows = [staff_row(f"P{i}", "W1") + "," for i in range(5)]
    text = STAFF_HEADER + "\n" + "\n".join(rows) + "\n"
    path = write_inbox(tiny_force, "staff_snapshot_2026.csv", text)
    allowed = allowed_codes(tiny_force, LPUS)
    extract = read_extract(path, "staff_snapshot", tiny_force, allowed, fast=fast)
    assert extract.problems == ()
    assert len(extract.frame) == 5 and extract.frame["is_temporary_rank"].eq(False).all()
    header_only = STAFF_HEADER + ",\n" + "\n".join(row[:-1] for row in rows) + "\n"
    path = write_inbox(tiny_force, "staff_snapshot_2026.csv", header_only)
    assert read_extract(path, "staff_snapshot", tiny_force, allowed, fast=fast).problems == ()

    odd = [*rows[:2], rows[2] + ",", rows[3][:-1], rows[4].replace("Response", "Resp,onse")]
    text = STAFF_HEADER + "\n" + "\n".join(odd) + "\nP9\n"
    path = write_inbox(tiny_force, "staff_snapshot_2026.csv", text)
    extract = read_extract(path, "staff_snapshot", tiny_force, allowed, fast=fast)
    ragged = {p.source_row: p.message for p in extract.problems if p.column == "*"}
    assert sorted(ragged) == [4, 6, 7]
    assert ragged[4].startswith("The row has 16 fields, the header has 14 and most rows 15;")
    assert ragged[7].startswith("The row has 1 field, the header has 14 and most rows 15;")


def test_excel_extract_is_read_with_native_dates(tiny_force):
    frame = pd.DataFrame(
        [r.split(",") for r in [staff_row("A", "A1"), staff_row("B", "W1")]],
        columns=STAFF_HEADER.split(","),
    )
    frame["snapshot_date"] = pd.Timestamp("2026-03-31")
    frame["fte"] = [1.0, 0.6]
    path = tiny_force.paths.inbox / "staff_snapshot_2026.xlsx"
    frame.to_excel(path, index=False)
    extract = read_extract(path, "staff_snapshot", tiny_force, allowed_codes(tiny_force, LPUS))
    assert extract.quarantined.empty
    assert extract.frame["snapshot_date"].tolist() == [pd.Timestamp("2026-03-31")] * 2
    assert extract.frame["fte"].tolist() == [1.0, 0.6]


def test_inbox_files_are_classified_by_name(tiny_force):
    for name in ["staff_snapshot_2026.csv", "promotion_candidates.xlsx", "notes.txt", "~$x.xlsx"]:
        (tiny_force.paths.inbox / name).write_text("x", encoding="utf-8")
    assert [(k, p.name) for k, p in inbox_files(tiny_force)] == [
        ("promotion_candidates", "promotion_candidates.xlsx"),
        ("staff_snapshot", "staff_snapshot_2026.csv"),
    ]


@pytest.mark.parametrize("missing", ["ethnicity_code", "staff_id"])
def test_a_missing_required_column_blocks_with_the_column_named(tiny_force, missing):
    from pipeline.extracts import ExtractError

    header = ",".join(c for c in STAFF_HEADER.split(",") if c != missing)
    with pytest.raises(ExtractError, match=f"Required column\\(s\\) missing: '{missing}'"):
        _read(tiny_force, "staff_snapshot_2026.csv", header + "\n")
