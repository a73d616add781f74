"""The monitoring extracts (misconduct cases, grievances, training and development, appraisal
ratings, staff survey results) through the real readers and the real GX contracts, with the
outcome asserted: blocked (file and column named), quarantined (rule named), or normalised
through the synonym tables, with identifiers pseudonymised and columns off the allow-list
dropped. Files are built inline: the bad rows first (rows 2, 3, ...), then enough good rows
to stay under [contracts] max_quarantined_share."""

from __future__ import annotations

import hashlib
import hmac
from datetime import date
from typing import NamedTuple

import openpyxl
import pandas as pd
import pytest
from conftest import write_config

from pipeline.config import load_settings
from pipeline.contracts import ContractResult, contract_parameters, validate_extract
from pipeline.extracts import Extract, ExtractError, read_extract
from pipeline.schemas import EMPTY_FILE_MEANS, EXTRACT_COLUMNS, allowed_codes

LPUS = frozenset({"BHM", "SOL"})
TODAY = date(2026, 4, 30)
KEY = b"a-test-key-of-more-than-16-bytes"


class Checked(NamedTuple):
    extract: Extract
    results: list[ContractResult]
    blocking: list[str]

    def rules(self) -> dict[int, str]:
        q = self.extract.quarantined
        return dict(zip(q["source_row"], q["rule"], strict=True))

    def message(self, row: int) -> str:
        q = self.extract.quarantined
        return q.loc[q["source_row"] == row, "message"].iloc[0]


def columns(kind: str) -> list[str]:
    return [c.name for c in EXTRACT_COLUMNS[kind]]


def csv_text(rows: list[dict], header: list[str]) -> str:
    lines = [",".join(header)] + [",".join(str(r.get(c, "")) for c in header) for r in rows]
    return "\n".join(lines) + "\n"


def check(runner, settings, kind: str, rows: list[dict], header=None, name=None) -> Checked:
    path = settings.paths.inbox / (name or f"{kind}_x.csv")
    if path.suffix == ".xlsx":
        book = openpyxl.Workbook()
        sheet = book.active
        sheet.append(header or columns(kind))
        for row in rows:
            sheet.append([row.get(c) for c in header or columns(kind)])
        book.save(path)
    else:
        path.write_text(csv_text(rows, header or columns(kind)), encoding="utf-8")
    extract = read_extract(path, kind, settings, allowed_codes(settings, LPUS))
    parameters = contract_parameters(settings, LPUS, TODAY)
    return Checked(*validate_extract(runner, extract, parameters, settings))


def pseudonym(raw: str) -> str:
    return hmac.new(KEY, raw.encode(), hashlib.sha256).hexdigest()[:32]


# --- Misconduct cases ---------------------------------------------------------------------


def case(i: int, **changes) -> dict:
    return {
        "case_id": f"CO/{i:05d}/25", "staff_id": f"S{i:03d}", "opened_date": "2025-06-01",
        "case_source": "internal_report", "misconduct_stage": "investigation",
        "misconduct_outcome": "management_action", "suspension_status": "none",
        "closed_date": "2025-11-01", **changes,
    }  # fmt: skip


def good_cases(n: int = 20) -> list[dict]:
    return [case(i) for i in range(100, 100 + n)]


def test_misconduct_wording_is_normalised_and_identifiers_pseudonymised(
    contracts_runner, tiny_force
):
    wording = case(
        1, case_source="Conduct matter", misconduct_stage="Gross Misconduct Hearing",
        misconduct_outcome="Dismissed without notice", suspension_status="Suspended",
        Surname="Smith", Allegation="Discreditable conduct",
    )  # fmt: skip
    open_case = case(2, misconduct_outcome="", suspension_status="", closed_date="")
    header = [*columns("misconduct_cases"), "Surname", "Allegation"]
    got = check(
        contracts_runner,
        tiny_force,
        "misconduct_cases",
        [wording, open_case, *good_cases()],
        header,
    )
    assert got.rules() == {} and got.blocking == []
    assert got.extract.dropped_columns == ["Surname", "Allegation"]
    first, second = got.extract.frame.iloc[0], got.extract.frame.iloc[1]
    assert (first["case_source"], first["misconduct_stage"]) == (
        "internal_report",
        "gross_misconduct_hearing",
    )
    assert (first["misconduct_outcome"], first["suspension_status"]) == ("dismissal", "suspended")
    assert first["case_key"] == pseudonym("CO/00001/25")
    assert first["staff_key"] == pseudonym("S001")
    assert pd.isna(second["misconduct_outcome"]) and pd.isna(second["closed_date"])
    stored = got.extract.original.to_json()
    assert "CO/00001/25" not in stored and "S001" not in stored


def test_misconduct_rows_that_cannot_be_true_are_quarantined(contracts_runner, tiny_force):
    bad = [
        case(1, misconduct_stage="assessment", misconduct_outcome="written_warning"),
        case(2, misconduct_stage="misconduct_meeting", misconduct_outcome="dismissal"),
        case(3, closed_date="2025-05-01"),
        case(4, opened_date="2026-05-01", closed_date=""),
        case(5, misconduct_stage="Tribunal"),
        case(6, opened_date="31/02/2025"),
    ]
    got = check(contracts_runner, tiny_force, "misconduct_cases", bad + good_cases(60))
    assert got.rules() == {
        2: "outcome_fits_stage",
        3: "outcome_fits_stage",
        4: "closed_not_before_opened",
        5: "opened_date_not_in_future",
        6: "misconduct_stage_allowed",
        7: "invalid_date",
    }
    assert "misconduct_stage 'Tribunal'" in got.message(6)
    assert "misconduct_outcome 'dismissal'" in got.message(3)


def test_a_subject_twice_in_one_case_is_quarantined_every_copy(contracts_runner, tiny_force):
    twice = case(1)
    other_subject = case(1, staff_id="S999")  # a case with two subjects is fine
    got = check(
        contracts_runner,
        tiny_force,
        "misconduct_cases",
        [twice, twice, other_subject, *good_cases()],
    )
    assert got.rules() == {2: "subject_once_per_case", 3: "subject_once_per_case"}


def test_a_misconduct_file_without_the_stage_column_blocks(tiny_force):
    header = [c for c in columns("misconduct_cases") if c != "misconduct_stage"]
    path = tiny_force.paths.inbox / "misconduct_cases_x.csv"
    path.write_text(csv_text(good_cases(), header), encoding="utf-8")
    with pytest.raises(ExtractError, match="misconduct_stage"):
        read_extract(path, "misconduct_cases", tiny_force, allowed_codes(tiny_force, LPUS))


def test_misconduct_file_mostly_wrong_blocks(contracts_runner, tiny_force):
    bad = [case(i, misconduct_outcome="Sacked") for i in range(10)]
    got = check(contracts_runner, tiny_force, "misconduct_cases", bad + good_cases(10))
    assert any("quarantined_share" in problem for problem in got.blocking)


# --- Grievances and tribunal claims ---------------------------------------------------------


def grievance(i: int, **changes) -> dict:
    return {
        "case_id": f"GR-{i}", "staff_id": f"S{i:03d}", "grievance_type": "grievance",
        "raised_date": "2025-05-01", "alleges_discrimination": "N",
        "grievance_outcome": "not_upheld", "closed_date": "2025-07-01", **changes,
    }  # fmt: skip


def test_grievance_wording_flags_and_blank_outcomes(contracts_runner, tiny_force):
    rows = [
        grievance(1, grievance_type="ET claim", grievance_outcome="Partially upheld",
                  alleges_discrimination="Yes"),
        grievance(2, grievance_outcome="", closed_date="", alleges_discrimination=""),
        grievance(3, alleges_discrimination="maybe"),
        grievance(4, grievance_outcome="Won"),
        grievance(5, closed_date="2025-01-01"),
    ] + [grievance(i) for i in range(100, 160)]  # fmt: skip
    got = check(contracts_runner, tiny_force, "grievances", rows)
    assert got.rules() == {
        4: "invalid_flag",
        5: "grievance_outcome_allowed",
        6: "closed_not_before_opened",
    }
    frame = got.extract.frame.set_index(got.extract.frame["case_key"])
    first = frame.loc[pseudonym("GR-1")]
    assert first["grievance_type"] == "employment_tribunal"
    assert first["grievance_outcome"] == "partly_upheld" and bool(first["alleges_discrimination"])
    assert pd.isna(frame.loc[pseudonym("GR-2"), "alleges_discrimination"])


# --- Training and development ---------------------------------------------------------------


def stages(person: str, *steps, programme="LEAD-2025", kind="Leadership") -> list[dict]:
    names = {"selection": "Interview", "attendance": "Attended", "completion": "Completed"}
    return [
        {
            "programme_id": programme, "programme_name": "Aspiring leaders 2025",
            "programme_type": kind, "staff_id": person, "stage_order": order,
            "stage_name": names[stage], "stage_type": stage, "outcome": outcome,
            "outcome_date": "2025-09-01",
        }
        for order, (stage, outcome) in enumerate(steps, start=1)
    ]  # fmt: skip


def good_programme(n: int = 12) -> list[dict]:
    rows = []
    for i in range(n):
        rows += stages(
            f"T{i}", ("selection", "passed"), ("attendance", "passed"),
            ("completion", "passed" if i % 3 else "failed"),
        )  # fmt: skip
    return rows


def test_a_good_programme_passes_and_its_types_are_normalised(contracts_runner, tiny_force):
    sifted = stages("X1", ("selection", "failed"))
    sifted[0]["stage_type"] = "Interview"
    got = check(contracts_runner, tiny_force, "training_development", sifted + good_programme())
    assert got.rules() == {} and got.blocking == []
    assert set(got.extract.frame["programme_type"]) == {"leadership"}
    assert set(got.extract.frame["stage_type"]) == {"selection", "attendance", "completion"}


def test_programme_stages_out_of_order_are_quarantined(contracts_runner, tiny_force):
    skipped = stages("X1", ("selection", "failed"), ("attendance", "passed"))
    backwards = stages(
        "X2", ("attendance", "passed"), ("selection", "passed"), programme="SPEC-1",
        kind="Specialist course",
    )  # fmt: skip
    got = check(
        contracts_runner, tiny_force, "training_development",
        skipped + backwards + good_programme(30),
    )  # fmt: skip
    rules = got.rules()
    assert rules[3] == "follows_a_passed_stage"
    # SPEC-1's stages run attendance then selection: the whole programme is wrong.
    assert rules[4] == rules[5] == "stage_type_in_order"


def test_a_stage_type_that_disagrees_with_its_stage(contracts_runner, tiny_force):
    odd = good_programme()
    odd[4]["stage_type"] = "completion"  # T1's attendance row says completion
    got = check(contracts_runner, tiny_force, "training_development", odd)
    assert got.rules() == {6: "stage_type_in_order"}


# --- Appraisal ratings ----------------------------------------------------------------------


def rating(i: int, **changes) -> dict:
    return {"staff_id": f"P{i}", "appraisal_year": "2025", "rating": "Competent", **changes}


def test_appraisal_years_as_hr_writes_them_and_the_configured_scale(tmp_path, contracts_runner):
    settings = load_settings(
        write_config(
            tmp_path,
            '[appraisal]\nscale = ["Not met", "Met", "Exceeded"]\n'
            'synonyms = { "1" = "Not met", "2" = "Met", "3" = "Exceeded" }\n',
        )
    )
    rows = [
        rating(1, appraisal_year="2024/25", rating="3"),
        rating(2, appraisal_year="2024-2025", rating="met"),
        rating(3, appraisal_year="2024/26", rating="Met"),
        rating(4, rating="Outstanding"),
        rating(5, appraisal_year="1980", rating="Met"),
    ] + [rating(i, rating="Met") for i in range(100, 160)]
    got = check(contracts_runner, settings, "appraisal_ratings", rows)
    assert got.rules() == {
        4: "invalid_year",
        5: "rating_allowed",
        6: "appraisal_year_plausible",
    }
    assert "rating 'Outstanding'" in got.message(5)
    frame = got.extract.frame
    assert frame["appraisal_year"].tolist()[:2] == [2025, 2025]
    assert frame["rating"].tolist()[:2] == ["Exceeded", "Met"]


def test_an_appraisal_year_that_has_not_ended_is_quarantined(contracts_runner, tiny_force):
    """A final rating is for a year that has ended (31 March): on 30 April 2026 the year
    2025/26 is in, 2026/27 (ends 31 March 2027) and 2030 are in the future, like any
    other monitoring extract's future date, named by file, row and column."""
    rows = [
        rating(1, appraisal_year="2025/26"),
        rating(2, appraisal_year="2026/27"),
        rating(3, appraisal_year="2030"),
    ] + [rating(i) for i in range(100, 160)]
    got = check(contracts_runner, tiny_force, "appraisal_ratings", rows)
    assert got.rules() == {3: "appraisal_year_not_in_future", 4: "appraisal_year_not_in_future"}
    assert "appraisal_year" in got.message(3)


def test_two_ratings_in_one_year_are_quarantined(contracts_runner, tiny_force):
    rows = [rating(1), rating(1, rating="Exceptional"), rating(1, appraisal_year="2024")]
    got = check(
        contracts_runner,
        tiny_force,
        "appraisal_ratings",
        rows + [rating(i) for i in range(100, 140)],
    )
    assert got.rules() == {2: "rating_once_per_year", 3: "rating_once_per_year"}


def test_appraisal_ratings_from_a_workbook(contracts_runner, tiny_force):
    rows = [rating(i, appraisal_year=2025) for i in range(20)]
    got = check(
        contracts_runner, tiny_force, "appraisal_ratings", rows, name="appraisal_ratings_x.xlsx"
    )
    assert got.rules() == {} and set(got.extract.frame["appraisal_year"]) == {2025}


# --- Staff survey results -------------------------------------------------------------------


def result(question: str, ethnicity: str = "", sex: str = "", n: int = 40, agree: int = 12,
           **changes) -> dict:  # fmt: skip
    return {
        "survey_id": "SS-2025", "survey_date": "2025-11-30", "question_code": question,
        "question_text": f"Question {question}", "ethnicity_code": ethnicity, "sex": sex,
        "respondent_count": n, "agreeing_count": agree, **changes,
    }  # fmt: skip


def good_results() -> list[dict]:
    rows = []
    for question in ("Q1", "Q2", "Q3"):
        rows.append(result(question, n=2000, agree=600))
        rows += [result(question, ethnicity=code) for code in ("W1", "A2", "B1", "NS")]
        rows += [result(question, sex=sex) for sex in ("F", "M")]
        rows += [result(question, ethnicity="W1", sex="F")]
    return rows


def test_survey_groups_blank_means_all_and_labels_are_normalised(contracts_runner, tiny_force):
    rows = [result("Q9", ethnicity="Asian - Pakistani", sex="Female"), *good_results()]
    got = check(contracts_runner, tiny_force, "staff_survey", rows)
    assert got.rules() == {} and got.blocking == []
    frame = got.extract.frame
    assert (frame.loc[0, "ethnicity_code"], frame.loc[0, "sex"]) == ("A2", "F")
    overall = frame[frame["ethnicity_code"].isna() & frame["sex"].isna()]
    assert len(overall) == 3


def test_survey_counts_that_cannot_be_true_are_quarantined(contracts_runner, tiny_force):
    bad = [
        result("Q9", ethnicity="A1", n=10, agree=11),
        result("Q9", ethnicity="A3", n=-1, agree=0),
        result("Q9", ethnicity="B2", agree="35%"),
        result("Q1", ethnicity="W1"),  # W1 is already in the good rows for Q1
        result("Q9", ethnicity="M1", survey_date="2025-10-31"),
        result("Q9", ethnicity="IC1"),
    ]
    got = check(contracts_runner, tiny_force, "staff_survey", bad + good_results() * 3)
    rules = got.rules()
    assert rules[2] == "agreeing_within_respondents"
    assert rules[3] == "respondent_count_not_negative; agreeing_within_respondents"
    assert rules[4] == "invalid_number"
    assert rules[5] == "group_once_per_question"
    assert rules[6] == "one_date_per_survey"
    assert rules[7] == "ethnicity_code_allowed"


def test_a_person_level_survey_file_blocks(tiny_force):
    """Survey results come aggregated: a file of individual answers has no counts."""
    path = tiny_force.paths.inbox / "staff_survey_x.csv"
    path.write_text(
        "respondent_id,survey_id,question_code,answer\nR1,SS-2025,Q1,Agree\n", encoding="utf-8"
    )
    with pytest.raises(ExtractError, match="respondent_count"):
        read_extract(path, "staff_survey", tiny_force, allowed_codes(tiny_force, LPUS))


# --- Every monitoring reader: the file-level faults the existing readers are tested with ----

MONITORING_KINDS = (
    "misconduct_cases", "grievances", "training_development", "appraisal_ratings", "staff_survey"
)  # fmt: skip
"""Each new extract; the first required column of each is the one left out below."""


def read_bytes(settings, kind: str, content: bytes | str) -> Extract:
    path = settings.paths.inbox / f"{kind}_x.csv"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return read_extract(path, kind, settings, allowed_codes(settings, LPUS))


@pytest.mark.parametrize("kind", MONITORING_KINDS)
@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "The file is empty"),
        (b"\xef\xbb\xbf\n\n", "The file is empty"),
        (b"PK\x03\x04" + b"\x00" * 50, r"an Excel workbook with a \.csv or \.txt name"),
        (b"\x00\x01\x02staff_id", "binary data, not text"),
    ],
)
def test_an_unreadable_monitoring_file_blocks_naming_it(tiny_force, kind, content, message):
    with pytest.raises(ExtractError, match=rf"^{kind}_x\.csv: .*{message}"):
        read_bytes(tiny_force, kind, content)


@pytest.mark.parametrize("kind", MONITORING_KINDS)
def test_a_monitoring_file_with_a_header_only_is_read_as_declared(tiny_force, kind):
    """An event register with a header alone is a period without events; a survey's results
    with no row are an export fault (``schemas.EMPTY_FILE_MEANS``; test_empty_extracts)."""
    content = ",".join(columns(kind)) + "\n"
    if EMPTY_FILE_MEANS[kind]:
        assert read_bytes(tiny_force, kind, content).rows_read == 0
        return
    with pytest.raises(ExtractError, match=rf"^{kind}_x\.csv: The file has a header but no"):
        read_bytes(tiny_force, kind, content)


@pytest.mark.parametrize("kind", MONITORING_KINDS)
def test_a_monitoring_file_without_a_required_column_blocks_naming_it(tiny_force, kind):
    missing = next(c.name for c in EXTRACT_COLUMNS[kind] if c.required)
    header = [c for c in columns(kind) if c != missing]
    with pytest.raises(ExtractError) as error:
        read_bytes(tiny_force, kind, ",".join(header) + "\n" + ",".join("x" * len(header)) + "\n")
    assert str(error.value).startswith(f"{kind}_x.csv: Required column(s) missing: '{missing}'.")
    assert f"[extracts.{kind}.columns]" in str(error.value)


@pytest.mark.parametrize("kind", MONITORING_KINDS)
def test_a_monitoring_column_given_twice_blocks(tiny_force, kind):
    header = columns(kind)
    text = ",".join([*header, header[-1].upper() + " "]) + "\n" + ",".join("x" * (len(header) + 1))
    with pytest.raises(ExtractError, match=f"'{header[-1]}' appear more than once"):
        read_bytes(tiny_force, kind, text + "\n")


def test_two_survey_questions_for_one_indicator_is_a_configuration_error(tmp_path):
    """Q17a and Q99 both as WRES 5: which one the section and scorecard show would be a
    silent choice; exit 2 naming the setting."""
    from pipeline.config import ConfigError

    path = write_config(
        tmp_path, '[survey.questions]\nQ17a = "harassment_public"\nQ99 = "harassment_public"\n'
    )
    with pytest.raises(ConfigError, match=r"survey.questions.*Q17a.*Q99"):
        load_settings(path)
