"""The extract readers on tiny inline files: mapping, allow-list, pseudonyms, codes, dates."""

from __future__ import annotations

import hashlib
import hmac

import pandas as pd
import pytest
from conftest import STAFF_HEADER, staff_row, write_config, write_inbox

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
