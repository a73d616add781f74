"""Bad extracts, each fed through the real readers and the real GX contracts, with the exact
outcome asserted: blocked (with the file, row or column named), quarantined (with the rule
named), or normalised.

Files are built inline: a few bad rows first (rows 2, 3, ...) and then enough good rows to
stay under [contracts] max_quarantined_share, so that the bad rows are quarantined rather
than blocking the file.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import date
from pathlib import Path
from typing import NamedTuple

import openpyxl
import pandas as pd
import pytest
from conftest import STAFF_HEADER, write_workbook

from pipeline.contracts import ContractResult, contract_parameters, validate_extract
from pipeline.extracts import Extract, ExtractError, read_extract
from pipeline.schemas import allowed_codes

LPUS = frozenset({"BHM", "SOL"})
TODAY = date(2026, 4, 30)
KEY = b"a-test-key-of-more-than-16-bytes"
STAFF_COLUMNS = STAFF_HEADER.split(",")
STAFF = dict(
    staff_id="G0", snapshot_date="2026-03-31", worker_type="police_officer",
    rank_or_band="Constable", department="Local Policing", lpu_code="BHM", role="Response",
    sex="F", ethnicity_code="W1", date_of_birth="1990-01-01", service_start_date="2015-01-01",
    rank_start_date="2018-01-01", fte="1", is_temporary_rank="N",
)  # fmt: skip
PROMOTION_COLUMNS = ["process_id", "process_name", "target_rank", "staff_id", "stage_order",
                     "stage_name", "outcome", "outcome_date"]  # fmt: skip
RECRUITMENT_COLUMNS = ["campaign_id", "campaign_name", "worker_type", "entry_route",
                       "applicant_id", "sex", "ethnicity_code", "age_band", "stage_order",
                       "stage_name", "outcome", "outcome_date"]  # fmt: skip
MOVEMENT_COLUMNS = ["staff_id", "movement_type", "movement_date", "worker_type",
                    "rank_or_band", "department", "lpu_code", "sex", "ethnicity_code",
                    "service_start_date", "leaving_reason"]  # fmt: skip


class Checked(NamedTuple):
    extract: Extract
    results: list[ContractResult]
    blocking: list[str]

    def rules(self) -> dict[int, str]:
        """Quarantined source row -> the rules it broke."""
        q = self.extract.quarantined
        return dict(zip(q["source_row"], q["rule"], strict=True))

    def message(self, row: int) -> str:
        q = self.extract.quarantined
        return q.loc[q["source_row"] == row, "message"].iloc[0]

    def result(self, rule: str) -> ContractResult:
        return next(r for r in self.results if r.rule == rule)


def staff(**changes) -> dict:
    return {**STAFF, **changes}


def good_staff(count: int = 20) -> list[dict]:
    return [staff(staff_id=f"G{i:03d}") for i in range(count)]


def csv_text(rows: list[dict], columns: list[str] = STAFF_COLUMNS, sep: str = ",") -> str:
    lines = [sep.join(columns)] + [sep.join(str(r[c]) for c in columns) for r in rows]
    return "\n".join(lines) + "\n"


def read(settings, name: str, content: str | bytes, kind: str = "staff_snapshot") -> Extract:
    path = settings.paths.inbox / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return read_extract(path, kind, settings, allowed_codes(settings, LPUS))


def check(runner, settings, name, content, kind="staff_snapshot") -> Checked:
    extract = read(settings, name, content, kind)
    parameters = contract_parameters(settings, LPUS, TODAY)
    return Checked(*validate_extract(runner, extract, parameters, settings))


def check_staff(runner, settings, bad: list[dict], good: int = 20) -> Checked:
    return check(runner, settings, "staff_snapshot_x.csv", csv_text(bad + good_staff(good)))


def pseudonym(raw: str) -> str:
    return hmac.new(KEY, raw.encode(), hashlib.sha256).hexdigest()[:32]


# --- Encodings, delimiters and headers -----------------------------------------------------


def test_windows_1252_with_pound_sign_and_accented_name(contracts_runner, tiny_force):
    columns = [*STAFF_COLUMNS, "Surname"]
    rows = [staff(role="Détective \N{EN DASH} £ allowance", Surname="Brontë-Zoë"), *good_staff()]
    for row in rows:
        row.setdefault("Surname", "Smith")
    got = check(
        contracts_runner,
        tiny_force,
        "staff_snapshot_x.csv",
        csv_text(rows, columns).encode("cp1252"),
    )
    assert got.extract.encoding == "windows-1252"
    assert got.extract.frame.loc[0, "role"] == "Détective \N{EN DASH} £ allowance"
    assert got.extract.dropped_columns == ["Surname"]
    assert got.extract.problems == () and got.blocking == []


def test_utf8_byte_order_mark_does_not_hide_the_first_column(contracts_runner, tiny_force):
    text = csv_text(good_staff())
    got = check(
        contracts_runner, tiny_force, "staff_snapshot_x.csv", b"\xef\xbb\xbf" + text.encode()
    )
    assert got.extract.encoding == "utf-8-sig"
    assert got.extract.frame["staff_key"].iloc[0] == pseudonym("G000")
    assert got.extract.problems == ()


def test_semicolon_delimited_with_decimal_comma(contracts_runner, tiny_force):
    rows = [staff(fte="0,5"), *good_staff()]
    got = check(contracts_runner, tiny_force, "staff_snapshot_x.csv", csv_text(rows, sep=";"))
    assert got.extract.frame.loc[0, "fte"] == 0.5
    assert got.extract.problems == ()


def test_excel_unicode_text_export_utf16_tab_delimited(contracts_runner, tiny_force):
    rows = [staff(ethnicity_code="Asian - Pakistani"), *good_staff()]
    content = csv_text(rows, sep="\t").encode("utf-16")
    got = check(contracts_runner, tiny_force, "staff_snapshot_x.txt", content)
    assert got.extract.encoding == "utf-16"
    assert got.extract.frame.loc[0, "ethnicity_code"] == "A2"


def test_header_in_another_case_and_with_trailing_spaces(contracts_runner, tiny_force):
    text = csv_text(good_staff())
    header, body = text.split("\n", 1)
    header = ",".join(f" {name.upper()}  " for name in header.split(","))
    got = check(contracts_runner, tiny_force, "staff_snapshot_x.csv", f"{header}\n{body}")
    assert len(got.extract.frame) == 20 and got.extract.problems == ()


def test_missing_required_column_blocks_naming_file_and_column(tiny_force):
    columns = [c for c in STAFF_COLUMNS if c != "ethnicity_code"]
    with pytest.raises(ExtractError) as error:
        read(tiny_force, "staff_snapshot_x.csv", csv_text(good_staff(), columns))
    assert str(error.value).startswith(
        "staff_snapshot_x.csv: Required column(s) missing: 'ethnicity_code'."
    )
    assert "[extracts.staff_snapshot.columns]" in str(error.value)


@pytest.mark.parametrize("fast", [True, False])
def test_a_mapped_column_a_file_may_leave_out_but_lacks_is_a_warning(tmp_path, fast):
    """Before, a header mapped for entry_route (a column a joiners file may leave out) but
    not in the file was silent: every joiner's route read as blank, 'Not recorded'."""
    from conftest import write_config

    from pipeline.config import load_settings

    extra = '[extracts.joiners_leavers.columns]\nentry_route = "Route of Entry"\n'
    settings = load_settings(write_config(tmp_path, extra))
    row = dict(staff_id="J1", movement_type="joiner", movement_date="2025-09-01",
               worker_type="police_officer", rank_or_band="Constable",
               department="Local Policing", lpu_code="BHM", sex="F", ethnicity_code="W1",
               service_start_date="2025-09-01", leaving_reason="")  # fmt: skip
    path = settings.paths.inbox / "joiners_leavers_2026.csv"
    path.write_text(csv_text([row], MOVEMENT_COLUMNS), encoding="utf-8")
    allowed = allowed_codes(settings, LPUS)
    extract = read_extract(path, "joiners_leavers", settings, allowed, fast=fast)
    assert extract.warnings == (
        "[extracts.joiners_leavers.columns] entry_route = 'Route of Entry': the file's header "
        "has no such column, so every row's entry_route is read as blank. Correct the "
        "mapping, or add the column to the export.",
    )
    path.write_text(csv_text([{**row, "Route of Entry": "PCDA"}],
                             [*MOVEMENT_COLUMNS, "Route of Entry"]), encoding="utf-8")  # fmt: skip
    extract = read_extract(path, "joiners_leavers", settings, allowed, fast=fast)
    assert extract.warnings == () and list(extract.typed["entry_route"]) == ["PCDA"]
    plain = load_settings(write_config(tmp_path / "plain"))  # entry_route not mapped
    unmapped = read(plain, "joiners_x.csv", csv_text([row], MOVEMENT_COLUMNS), "joiners_leavers")
    assert unmapped.warnings == ()


def test_extra_columns_are_dropped_and_reported_by_name_only(contracts_runner, tiny_force):
    columns = [*STAFF_COLUMNS, "Surname", "NI Number", "Home Address"]
    rows = [
        {**r, "Surname": "Zebedee", "NI Number": "QQ123456C", "Home Address": "1 High St"}
        for r in good_staff()
    ]
    got = check(contracts_runner, tiny_force, "staff_snapshot_x.csv", csv_text(rows, columns))
    assert got.extract.dropped_columns == ["Surname", "NI Number", "Home Address"]
    assert "Zebedee" not in got.extract.typed.to_string() + got.extract.original.to_string()


@pytest.mark.parametrize("content", [b"", b"\n\n  \r\n", b"\xef\xbb\xbf"])
def test_empty_file_blocks(tiny_force, content):
    with pytest.raises(ExtractError, match=r"^staff_snapshot_x.csv: The file is empty\."):
        read(tiny_force, "staff_snapshot_x.csv", content)


def test_header_only_file_blocks(tiny_force):
    with pytest.raises(ExtractError, match=r"^staff_snapshot_x.csv: The file has a header but no"):
        read(tiny_force, "staff_snapshot_x.csv", STAFF_HEADER + "\n")


def test_truncated_last_line_quarantines_that_row(contracts_runner, tiny_force):
    text = csv_text(good_staff())
    truncated = text.rstrip("\n") + "\nG999,2026-03-31,police_officer,Cons"
    got = check(contracts_runner, tiny_force, "staff_snapshot_x.csv", truncated)
    assert got.rules() == {22: "wrong_field_count"}
    assert "has 4 fields, the header has 14" in got.message(22)
    assert len(got.extract.frame) == 20


def test_blank_lines_are_skipped_and_rows_keep_their_numbers(contracts_runner, tiny_force):
    lines = csv_text([staff(ethnicity_code="X7"), *good_staff()]).split("\n")
    text = "\n".join([lines[0], "", ",,,", *lines[1:]])
    got = check(contracts_runner, tiny_force, "staff_snapshot_x.csv", text)
    assert got.rules() == {4: "ethnicity_code_allowed"}
    assert got.extract.rows_read == 21


def test_a_column_given_twice_blocks(tiny_force):
    header, *rows = csv_text(good_staff()).strip().split("\n")
    content = "\n".join([f"{header},Ethnicity_Code ", *(f"{row},A1" for row in rows)])
    with pytest.raises(ExtractError, match="'ethnicity_code' appear more than once"):
        read(tiny_force, "staff_snapshot_x.csv", content)


def test_a_workbook_saved_with_a_csv_name_blocks(tiny_force):
    with pytest.raises(ExtractError, match=r"an Excel workbook with a \.csv or \.txt name"):
        read(tiny_force, "staff_snapshot_x.csv", b"PK\x03\x04" + b"\x00" * 50)


def test_binary_data_blocks(tiny_force):
    with pytest.raises(ExtractError, match="binary data, not text"):
        read(tiny_force, "staff_snapshot_x.csv", b"\x00\x01\x02staff_id")


# --- Identifiers and duplicates --------------------------------------------------------------


def test_duplicate_staff_ids_quarantine_every_copy(contracts_runner, tiny_force):
    got = check_staff(
        contracts_runner, tiny_force, [staff(staff_id="D1"), staff(staff_id="D1", lpu_code="SOL")]
    )
    assert got.rules() == {2: "staff_id_unique", 3: "staff_id_unique"}
    assert got.result("staff_id_unique").unexpected_count == 2
    assert "D1" not in got.message(2)  # the raw id never appears, nor its pseudonym
    assert pseudonym("D1") not in got.message(2)


def test_blank_staff_id_is_quarantined_as_missing(contracts_runner, tiny_force):
    got = check_staff(contracts_runner, tiny_force, [staff(staff_id="")])
    assert got.rules() == {2: "staff_id_present"}


# --- Ethnicity ---------------------------------------------------------------------------


def test_unknown_ethnicity_code_is_quarantined_with_the_value(contracts_runner, tiny_force):
    got = check_staff(contracts_runner, tiny_force, [staff(ethnicity_code="X7")])
    assert got.rules() == {2: "ethnicity_code_allowed"}
    assert got.message(2).startswith("ethnicity_code 'X7': The ethnicity is a police")
    assert "[codes] ethnicity_synonyms" in got.message(2)


@pytest.mark.parametrize(
    ("written", "code"),
    [
        ("White British", "W1"),
        ("Asian - Pakistani", "A2"),
        ("Prefer not to say", "NS"),
        ("a2", "A2"),
        ("ns", "NS"),
        ("  b1 ", "B1"),
        ("asian - PAKISTANI", "A2"),
    ],
)
def test_ethnicity_free_text_and_lower_case_are_normalised(
    contracts_runner, tiny_force, written, code
):
    got = check_staff(contracts_runner, tiny_force, [staff(ethnicity_code=written)])
    assert got.extract.problems == ()
    assert got.extract.frame.loc[0, "ethnicity_code"] == code


@pytest.mark.parametrize(
    ("label", "code"),
    [
        ("Asian, Asian British or Asian Welsh: Pakistani", "A2"),
        ("White: Roma", "W9"),
        ("Black, Black British, Black Welsh, Caribbean or African: African", "B2"),
    ],
)
def test_census_labels_map_to_police_codes(contracts_runner, tiny_force, label, code):
    row = staff(ethnicity_code=f'"{label}"')
    got = check_staff(contracts_runner, tiny_force, [row])
    assert got.extract.frame.loc[0, "ethnicity_code"] == code


def test_officer_defined_ic_codes_are_not_accepted(contracts_runner, tiny_force):
    got = check_staff(contracts_runner, tiny_force, [staff(ethnicity_code="IC1")])
    assert got.rules() == {2: "ethnicity_code_allowed"}
    assert "'IC1'" in got.message(2)


def test_blank_ethnicity_is_quarantined_as_missing(contracts_runner, tiny_force):
    got = check_staff(contracts_runner, tiny_force, [staff(ethnicity_code="")])
    assert got.rules() == {2: "ethnicity_code_present"}


def test_excel_error_value_in_a_csv_is_named_once(contracts_runner, tiny_force):
    got = check_staff(contracts_runner, tiny_force, [staff(ethnicity_code="#N/A")])
    assert got.rules() == {2: "excel_error_value"}  # not also ethnicity_code_present
    assert "fix the formula" in got.message(2)


# --- Ranks -------------------------------------------------------------------------------


def test_rank_abbreviations_and_temporary_ranks_are_normalised(contracts_runner, tiny_force):
    ranks = ["PC", "Det Sgt", "Insp", "T/Insp", "A/Sgt"]
    bad = [staff(staff_id=f"R{i}", rank_or_band=rank) for i, rank in enumerate(ranks)]
    got = check_staff(contracts_runner, tiny_force, bad)
    frame = got.extract.frame.head(5)
    assert frame["rank_or_band"].tolist() == [
        "Constable", "Sergeant", "Inspector", "Inspector", "Sergeant"
    ]  # fmt: skip
    assert frame["is_temporary_rank"].tolist() == [False, False, False, True, True]
    assert got.extract.problems == ()


def test_unknown_rank_is_quarantined_never_guessed(contracts_runner, tiny_force):
    got = check_staff(contracts_runner, tiny_force, [staff(rank_or_band="Admiral")])
    assert got.rules() == {2: "rank_or_band_allowed; rank_matches_worker_type"}
    assert got.message(2).startswith("rank_or_band 'Admiral': The rank or band is")


def test_rank_that_does_not_belong_to_the_worker_type(contracts_runner, tiny_force):
    got = check_staff(
        contracts_runner, tiny_force, [staff(worker_type="police_staff", rank_or_band="Sergeant")]
    )
    assert got.rules() == {2: "rank_matches_worker_type"}
    assert "worker_type 'police_staff', rank_or_band 'Sergeant'" in got.message(2)


def test_temporary_rank_in_joiners_and_leavers_is_not_guessed(contracts_runner, tiny_force):
    good = [
        dict(staff_id=f"J{i}", movement_type="joiner", movement_date="2026-01-05",
             worker_type="police_officer", rank_or_band="Constable", department="Local Policing",
             lpu_code="BHM", sex="M", ethnicity_code="W1", service_start_date="2026-01-05",
             leaving_reason="")
        for i in range(20)
    ]  # fmt: skip
    bad = {**good[0], "staff_id": "J99", "rank_or_band": "T/Insp"}
    got = check(
        contracts_runner, tiny_force, "joiners_leavers_x.csv",
        csv_text([bad, *good], MOVEMENT_COLUMNS), "joiners_leavers",
    )  # fmt: skip
    assert got.rules() == {2: "rank_or_band_allowed; rank_matches_worker_type"}


# --- Dates -------------------------------------------------------------------------------


def test_excel_serials_and_uk_dates_are_read(contracts_runner, tiny_force):
    bad = [staff(date_of_birth="32874", service_start_date="01/02/2015", snapshot_date="46112")]
    got = check_staff(contracts_runner, tiny_force, bad)
    row = got.extract.frame.iloc[0]
    assert row["date_of_birth"] == pd.Timestamp("1990-01-01")
    assert row["service_start_date"] == pd.Timestamp("2015-02-01")
    assert row["snapshot_date"] == pd.Timestamp("2026-03-31")
    assert got.extract.problems == () and got.blocking == []


@pytest.mark.parametrize("written", ["1990", "12/31/1990", "31/12/9999", "0090-01-01", "soon"])
def test_unreadable_or_placeholder_dates_are_quarantined(contracts_runner, tiny_force, written):
    got = check_staff(contracts_runner, tiny_force, [staff(date_of_birth=written)])
    assert got.rules() == {2: "invalid_date"}
    assert "'date_of_birth' is not a date between 1900 and 2199" in got.message(2)


def test_future_snapshot_date_blocks_naming_the_date(contracts_runner, tiny_force):
    rows = [staff(staff_id=f"F{i}", snapshot_date="2026-05-31") for i in range(20)]
    got = check(contracts_runner, tiny_force, "staff_snapshot_x.csv", csv_text(rows))
    assert got.blocking == [
        "staff_snapshot_x.csv: column snapshot_date (found '2026-05-31'): The snapshot date is "
        "not after the day of the run. [snapshot_date_not_in_future] Correct the snapshot date "
        "in the export."
    ]


def test_two_snapshot_dates_in_one_file_block_naming_the_odd_rows(contracts_runner, tiny_force):
    """hostile-6 #17: the message said "(found 2)" and named no row."""
    rows = good_staff()
    rows[6] = staff(staff_id="ODD", snapshot_date="30/04/2026")
    got = check(contracts_runner, tiny_force, "staff_snapshot_x.csv", csv_text(rows))
    assert got.blocking == [
        "staff_snapshot_x.csv: column snapshot_date; row 8 (snapshot_date '2026-04-30'); the "
        "other 19 rows: snapshot_date '2026-03-31': Every row of a snapshot file has the same "
        "snapshot date (a file is one snapshot). [one_snapshot_date] Split the file into one "
        "file per snapshot date, or correct the dates that differ."
    ]
    assert got.result("one_snapshot_date").unexpected_count == 1


def test_a_file_of_two_snapshots_half_and_half_names_rows_of_both(contracts_runner, tiny_force):
    rows = [staff(staff_id=f"A{i}", snapshot_date="2026-02-28") for i in range(12)]
    got = check_staff(contracts_runner, tiny_force, rows, good=12)
    assert len(got.blocking) == 1
    assert got.blocking[0].startswith(
        "staff_snapshot_x.csv: column snapshot_date; row 2 (snapshot_date '2026-02-28'); row 3 "
    )
    assert "; … (24 rows in all): Every row of a snapshot file" in got.blocking[0]


def test_service_start_after_the_snapshot_date(contracts_runner, tiny_force):
    got = check_staff(contracts_runner, tiny_force, [staff(service_start_date="2026-04-01")])
    assert got.rules() == {2: "service_start_not_after_snapshot"}
    warning = got.result("rank_start_not_before_service_start")
    assert (warning.severity, warning.success, warning.unexpected_count) == ("warning", False, 1)


@pytest.mark.parametrize(
    ("born", "quarantined"),
    [("2010-04-01", True), ("2010-03-31", False), ("1945-03-31", True), ("1945-04-01", False)],
)
def test_age_under_16_or_over_80_on_the_snapshot_date(
    contracts_runner, tiny_force, born, quarantined
):
    got = check_staff(contracts_runner, tiny_force, [staff(date_of_birth=born)])
    assert got.rules() == ({2: "age_16_to_80"} if quarantined else {})
    if quarantined:  # the date of birth is personal data: never in a message
        assert born not in got.message(2)


def test_future_outcome_date_in_a_promotion_file(contracts_runner, tiny_force):
    rows = promotion_rows()
    rows[0]["outcome_date"] = "2026-06-01"
    got = check(
        contracts_runner, tiny_force, "promotion_candidates_x.csv",
        csv_text(rows, PROMOTION_COLUMNS), "promotion_candidates",
    )  # fmt: skip
    assert got.rules() == {2: "outcome_date_not_in_future"}


# --- Numbers -----------------------------------------------------------------------------


@pytest.mark.parametrize("fte", ["-0.5", "0", "1.2", "37.5"])
def test_fte_outside_zero_to_one(contracts_runner, tiny_force, fte):
    got = check_staff(contracts_runner, tiny_force, [staff(fte=fte)])
    assert got.rules() == {2: "fte_in_range"}
    assert got.message(2).startswith(f"fte {fte}: The FTE is more than 0 and at most 1")


def test_fte_written_as_a_percentage_is_not_a_number(contracts_runner, tiny_force):
    got = check_staff(contracts_runner, tiny_force, [staff(fte="100%")])
    assert got.rules() == {2: "invalid_number"}  # not also fte_present


# --- Codes the force configures ------------------------------------------------------------


def test_unknown_lpu_and_department(contracts_runner, tiny_force):
    got = check_staff(
        contracts_runner,
        tiny_force,
        [staff(lpu_code="WOL"), staff(staff_id="G2", department="Narnia Command")],
    )
    assert got.rules() == {2: "lpu_code_known", 3: "department_known"}
    assert got.message(2).startswith("lpu_code 'WOL'")


def test_a_file_mostly_wrong_blocks_instead_of_publishing_the_rest(contracts_runner, tiny_force):
    bad = [staff(staff_id=f"B{i}", fte="1.5") for i in range(5)]
    got = check_staff(contracts_runner, tiny_force, bad, good=5)
    assert got.blocking == [
        "staff_snapshot_x.csv: 50% of rows break a rule (fte_in_range): At most 10% of the "
        "file's rows are quarantined. [quarantined_share] Look at the quarantined rows "
        "(progression quarantine): one fault repeated on many rows, such as a column in the "
        "wrong format, is usually the cause."
    ]


# --- Excel -------------------------------------------------------------------------------


def _staff_cells(rows: list[dict]) -> list[list]:
    return [list(STAFF_COLUMNS), *([r[c] for c in STAFF_COLUMNS] for r in rows)]


def _check_path(runner, settings, path: Path, kind: str = "staff_snapshot") -> Checked:
    extract = read_extract(path, kind, settings, allowed_codes(settings, LPUS))
    return Checked(
        *validate_extract(runner, extract, contract_parameters(settings, LPUS, TODAY), settings)
    )


def test_excel_with_a_notes_sheet_first_reads_the_data_sheet(contracts_runner, tiny_force):
    path = write_workbook(
        tiny_force.paths.inbox / "staff_snapshot_x.xlsx",
        {"Notes": [["Exported from iTrent"], ["Do not edit"]], "Data": _staff_cells(good_staff())},
    )
    got = _check_path(contracts_runner, tiny_force, path)
    assert len(got.extract.frame) == 20 and got.extract.problems == ()


def test_excel_with_two_data_sheets_blocks(tiny_force):
    cells = _staff_cells(good_staff())
    path = write_workbook(
        tiny_force.paths.inbox / "staff_snapshot_x.xlsx", {"A": cells, "B": cells}
    )
    with pytest.raises(ExtractError, match="Sheets 'A', 'B' all have the extract's columns"):
        read_extract(path, "staff_snapshot", tiny_force, allowed_codes(tiny_force, LPUS))


def test_excel_with_a_notes_sheet_first_names_what_the_data_sheet_lacks(tiny_force):
    """With no sheet that fits, the sheet read is the one with most of the extract's columns
    (as the header row is chosen), not the first: before, the message named the notes sheet
    and said no row had any of the columns."""
    cells = [row[1:] for row in _staff_cells(good_staff())]  # no staff_id
    notes = [["Exported from iTrent"]]
    path = write_workbook(
        tiny_force.paths.inbox / "staff_snapshot_x.xlsx", {"Notes": notes, "Data": cells}
    )
    with pytest.raises(ExtractError, match="Required column\\(s\\) missing: 'staff_id'") as error:
        read_extract(path, "staff_snapshot", tiny_force, allowed_codes(tiny_force, LPUS))
    assert "Notes" not in str(error.value)


def test_excel_with_no_sheet_of_the_extract_lists_its_sheets(tiny_force):
    sheets = {"Notes": [["Exported from iTrent"]], "Contents": [["Sheet", "About"]]}
    path = write_workbook(tiny_force.paths.inbox / "staff_snapshot_x.xlsx", sheets)
    with pytest.raises(ExtractError) as error:
        read_extract(path, "staff_snapshot", tiny_force, allowed_codes(tiny_force, LPUS))
    assert str(error.value) == (
        "staff_snapshot_x.xlsx: No sheet has the extract's columns (its sheets are 'Notes', "
        "'Contents'). Delete the other sheets, or name the one to read in "
        "[extracts.staff_snapshot] sheet."
    )


def test_excel_merged_header_cells_block_naming_the_cells(tiny_force):
    cells = _staff_cells(good_staff())
    cells[0][0], cells[0][1] = "Employee", None
    path = tiny_force.paths.inbox / "staff_snapshot_x.xlsx"
    write_workbook(path, {"Data": cells})
    book = openpyxl.load_workbook(path)
    book["Data"].merge_cells("A1:B1")
    book.save(path)
    with pytest.raises(ExtractError) as error:
        read_extract(path, "staff_snapshot", tiny_force, allowed_codes(tiny_force, LPUS))
    assert str(error.value) == (
        "staff_snapshot_x.xlsx: Sheet 'Data': the header row 1 has merged cells (A1:B1), so "
        "some columns have no name. Unmerge the header cells and give every column its own "
        "name in one header row."
    )


def test_excel_configured_sheet_that_does_not_exist(tmp_path):
    from conftest import write_config

    from pipeline.config import load_settings

    settings = load_settings(write_config(tmp_path, '[extracts.staff_snapshot]\nsheet = "HR"\n'))
    path = write_workbook(settings.paths.inbox / "staff_snapshot_x.xlsx", {"Data": [["x"]]})
    with pytest.raises(ExtractError, match="no sheet 'HR'; its sheets are Data"):
        read_extract(path, "staff_snapshot", settings, allowed_codes(settings, LPUS))


def test_excel_error_cells_and_native_values(contracts_runner, tiny_force):
    rows = [staff(staff_id=1234, ethnicity_code="#N/A", fte=0.6), *good_staff()]
    cells = _staff_cells(rows)
    cells[1][STAFF_COLUMNS.index("snapshot_date")] = pd.Timestamp("2026-03-31").to_pydatetime()
    path = write_workbook(tiny_force.paths.inbox / "staff_snapshot_x.xlsx", {"Sheet1": cells})
    got = _check_path(contracts_runner, tiny_force, path)
    # Workbook error cells reach the reader blank: the row is quarantined as missing a value.
    assert got.rules() == {2: "ethnicity_code_present"}
    typed = got.extract.typed.iloc[0]
    assert typed["staff_key"] == pseudonym("1234")  # the same pseudonym as a CSV's "1234"
    assert typed["fte"] == 0.6
    assert typed["snapshot_date"] == pd.Timestamp("2026-03-31")


# --- Promotion and recruitment stages ----------------------------------------------------


def promotion_rows(candidates: int = 12) -> list[dict]:
    rows = []
    for i in range(candidates):
        base = dict(process_id="SGT-2025", process_name="Sergeant 2025", target_rank="Sgt",
                    staff_id=f"C{i}", outcome_date="2025-06-01")  # fmt: skip
        rows.append({**base, "stage_order": 1, "stage_name": "Eligibility", "outcome": "passed"})
        rows.append(
            {**base, "stage_order": 2, "stage_name": "Legal exam",
             "outcome": "passed" if i % 2 else "failed"}
        )  # fmt: skip
    return rows


def _promotion(runner, settings, bad: list[dict]) -> Checked:
    return check(
        runner, settings, "promotion_candidates_x.csv",
        csv_text(bad + promotion_rows(), PROMOTION_COLUMNS), "promotion_candidates",
    )  # fmt: skip


def test_good_promotion_file_passes_and_target_rank_is_normalised(contracts_runner, tiny_force):
    got = _promotion(contracts_runner, tiny_force, [])
    assert got.extract.problems == () and got.blocking == []
    assert set(got.extract.frame["target_rank"]) == {"Sergeant"}


def test_stage_name_that_disagrees_with_its_process(contracts_runner, tiny_force):
    bad = [
        dict(process_id="SGT-2025", process_name="Sergeant 2025", target_rank="Sergeant",
             staff_id="C0", stage_order=3, stage_name="Interview", outcome="passed",
             outcome_date="2025-07-01"),
        dict(process_id="SGT-2025", process_name="Sergeant 2025", target_rank="Sergeant",
             staff_id="C1", stage_order=2, stage_name="LEGAL EXAM ", outcome="passed",
             outcome_date="2025-07-01"),
    ]  # fmt: skip
    rows = [r for r in promotion_rows() if not (r["staff_id"] == "C1" and r["stage_order"] == 2)]
    got = check(
        contracts_runner, tiny_force, "promotion_candidates_x.csv",
        csv_text(bad + rows, PROMOTION_COLUMNS), "promotion_candidates",
    )  # fmt: skip
    # C0 failed the exam, so reaching stage 3 breaks the order; "LEGAL EXAM " agrees (case).
    assert got.rules() == {2: "follows_a_passed_stage"}
    typo = dict(bad[1], staff_id="C3", stage_name="Legal exma")
    rows = [r for r in promotion_rows() if not (r["staff_id"] == "C3" and r["stage_order"] == 2)]
    got = check(
        contracts_runner, tiny_force, "promotion_candidates_x.csv",
        csv_text([typo, *rows], PROMOTION_COLUMNS), "promotion_candidates",
    )  # fmt: skip
    assert got.rules() == {2: "stage_name_matches_order"}


def test_stage_reached_after_failing_or_without_the_one_before(contracts_runner, tiny_force):
    base = dict(process_id="SGT-2025", process_name="Sergeant 2025", target_rank="Sergeant",
                outcome_date="2025-06-01")  # fmt: skip
    bad = [
        {**base, "staff_id": "X1", "stage_order": 1, "stage_name": "Eligibility",
         "outcome": "withdrew"},
        {**base, "staff_id": "X1", "stage_order": 2, "stage_name": "Legal exam",
         "outcome": "passed"},
        {**base, "staff_id": "X2", "stage_order": 2, "stage_name": "Legal exam",
         "outcome": "passed"},
    ]  # fmt: skip
    got = _promotion(contracts_runner, tiny_force, bad)
    assert got.rules() == {3: "follows_a_passed_stage", 4: "follows_a_passed_stage"}


def test_a_candidate_twice_at_one_stage(contracts_runner, tiny_force):
    duplicate = promotion_rows()[0]
    got = _promotion(contracts_runner, tiny_force, [duplicate])
    assert got.rules() == {2: "stage_once_per_candidate", 3: "stage_once_per_candidate"}


def test_recruitment_age_band_and_free_text_ethnicity(contracts_runner, tiny_force):
    def applicant(i, **changes):
        return {
            **dict(campaign_id="PC-2025-1", campaign_name="PC intake", worker_type="Police Officer",
                   entry_route="PCDA", applicant_id=f"A{i}", sex="Female",
                   ethnicity_code="Black - African", age_band="25-34", stage_order=1,
                   stage_name="Application", outcome="passed", outcome_date="2025-03-01"),
            **changes,
        }  # fmt: skip

    rows = [applicant(0, age_band="25 to 35")] + [applicant(i) for i in range(1, 20)]
    got = check(
        contracts_runner, tiny_force, "recruitment_applicants_x.csv",
        csv_text(rows, RECRUITMENT_COLUMNS), "recruitment_applicants",
    )  # fmt: skip
    assert got.rules() == {2: "age_band_allowed"}
    frame = got.extract.frame
    assert set(frame["ethnicity_code"]) == {"B2"} and set(frame["sex"]) == {"F"}
    assert set(frame["worker_type"]) == {"police_officer"}


# --- Joiners and leavers -------------------------------------------------------------------


def test_leaving_reasons_are_warnings_not_quarantine(contracts_runner, tiny_force):
    def movement(i, kind, reason):
        return dict(staff_id=f"M{i}", movement_type=kind, movement_date="2026-02-01",
                    worker_type="police_staff", rank_or_band="Band C", department="Local Policing",
                    lpu_code="SOL", sex="M", ethnicity_code="A1", service_start_date="2010-02-01",
                    leaving_reason=reason)  # fmt: skip

    rows = [movement(0, "leaver", ""), movement(1, "joiner", "resignation")]
    rows += [movement(i, "leaver", "retirement") for i in range(2, 22)]
    got = check(
        contracts_runner, tiny_force, "joiners_leavers_x.csv",
        csv_text(rows, MOVEMENT_COLUMNS), "joiners_leavers",
    )  # fmt: skip
    assert got.rules() == {}
    assert not got.result("leaver_has_reason").success
    assert not got.result("joiner_has_no_reason").success
    assert got.result("leaver_has_reason").severity == "warning"


# --- What the contracts report ------------------------------------------------------------


def test_every_rule_gives_one_result_and_messages_carry_no_counts(contracts_runner, tiny_force):
    got = check_staff(contracts_runner, tiny_force, [staff(ethnicity_code="X7")])
    rules = [r.rule for r in got.results]
    assert len(rules) == len(set(rules)) == 50  # 49 suite rules + the quarantined share
    failed = [r for r in got.results if not r.success]
    assert [(r.rule, r.severity, r.unexpected_count) for r in failed] == [
        ("ethnicity_code_allowed", "row", 1)
    ]
    assert "X7" not in failed[0].message  # results go to the report: no values
