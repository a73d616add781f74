"""The canonical columns of each extract (the allow-list and the types the readers produce)
and what of them is stored.

This is the interface documented in docs/extracts.md; a column not listed here is never
loaded, whatever the file holds. Of what is read, dates that identify a person and that no
measure needs are not stored either (data minimisation): a date of birth becomes an age
band and a service start date a length-of-service band, both at the date the row describes,
as the row is inserted (``STORED_INSTEAD``); the contracts judge the dates before that.
"""

from __future__ import annotations

import json
from typing import Literal, NamedTuple

from pipeline import codes
from pipeline.config import MONITORING_CODES, Settings

ColumnType = Literal["id", "date", "code", "text", "int", "number", "flag", "year"]
"""``year``: a reporting year, written 2025 or as HR systems do, 2024/25 or 2024-2025 (the
year it ends)."""


class Column(NamedTuple):
    name: str
    type: ColumnType
    required: bool = True
    """A required value may not be blank; an optional one may (e.g. a joiner's leaving reason)."""
    in_every_file: bool = True
    """False for a column a file may leave out altogether (read as blank when absent)."""


EXTRACT_COLUMNS: dict[str, tuple[Column, ...]] = {
    "staff_snapshot": (
        Column("staff_id", "id"),
        Column("snapshot_date", "date"),
        Column("worker_type", "code"),
        Column("rank_or_band", "code"),
        Column("department", "code"),
        Column("lpu_code", "code"),
        Column("role", "text"),
        Column("sex", "code"),
        Column("ethnicity_code", "code"),
        Column("date_of_birth", "date"),
        Column("service_start_date", "date"),
        Column("rank_start_date", "date"),
        Column("fte", "number"),
        Column("is_temporary_rank", "flag"),
    ),
    "joiners_leavers": (
        Column("staff_id", "id"),
        Column("movement_type", "code"),
        Column("movement_date", "date"),
        Column("worker_type", "code"),
        Column("rank_or_band", "code"),
        Column("department", "code"),
        Column("lpu_code", "code"),
        Column("sex", "code"),
        Column("ethnicity_code", "code"),
        Column("service_start_date", "date"),
        Column("leaving_reason", "code", required=False),
        Column("entry_route", "text", required=False, in_every_file=False),
    ),
    "promotion_candidates": (
        Column("process_id", "text"),
        Column("process_name", "text"),
        Column("target_rank", "code"),
        Column("staff_id", "id"),
        Column("stage_order", "int"),
        Column("stage_name", "text"),
        Column("outcome", "code"),
        Column("outcome_date", "date"),
    ),
    "recruitment_applicants": (
        Column("campaign_id", "text"),
        Column("campaign_name", "text"),
        Column("worker_type", "code"),
        Column("entry_route", "text"),
        Column("applicant_id", "id"),
        Column("sex", "code"),
        Column("ethnicity_code", "code"),
        Column("age_band", "code"),
        Column("stage_order", "int"),
        Column("stage_name", "text"),
        Column("outcome", "code"),
        Column("outcome_date", "date"),
    ),
    "misconduct_cases": (
        Column("case_id", "id"),
        Column("staff_id", "id"),
        Column("opened_date", "date"),
        Column("case_source", "code"),
        Column("misconduct_stage", "code"),
        Column("misconduct_outcome", "code", required=False),
        Column("suspension_status", "code", required=False),
        Column("closed_date", "date", required=False),
    ),
    "grievances": (
        Column("case_id", "id"),
        Column("staff_id", "id"),
        Column("grievance_type", "code"),
        Column("raised_date", "date"),
        Column("alleges_discrimination", "flag", required=False),
        Column("grievance_outcome", "code", required=False),
        Column("closed_date", "date", required=False),
    ),
    "training_development": (
        Column("programme_id", "text"),
        Column("programme_name", "text"),
        Column("programme_type", "code"),
        Column("staff_id", "id"),
        Column("stage_order", "int"),
        Column("stage_name", "text"),
        Column("stage_type", "code"),
        Column("outcome", "code"),
        Column("outcome_date", "date"),
    ),
    "appraisal_ratings": (
        Column("staff_id", "id"),
        Column("appraisal_year", "year"),
        Column("rating", "code"),
    ),
    "staff_survey": (
        Column("survey_id", "text"),
        Column("survey_date", "date"),
        Column("question_code", "text"),
        Column("question_text", "text"),
        Column("ethnicity_code", "code", required=False),
        Column("sex", "code", required=False),
        Column("respondent_count", "int"),
        Column("agreeing_count", "int"),
    ),
}

EMPTY_FILE_MEANS: dict[str, str | None] = {
    "staff_snapshot": None,
    "joiners_leavers": "joiners or leavers",
    "promotion_candidates": "promotion candidates",
    "recruitment_applicants": "recruitment applicants",
    "misconduct_cases": "misconduct cases",
    "grievances": "grievances or tribunal claims",
    "training_development": "development programme places",
    "appraisal_ratings": "appraisal ratings",
    "staff_survey": None,
}
"""Whether a file of each kind with a header and no rows is a valid export, and what it
then says: for a register of events, that none happened in the file's period (a small
force has years without a misconduct case, a grievance, a development programme, a joiner
or leaver), named as the run log says it ("read as no misconduct cases in its period").
``None``: such a file is always an export fault and blocks the run (exit 3). A staff
snapshot of nobody is never true of a force in being; a survey's results are sent because a
survey was run, and even one nobody answered has its questions' rows (respondent count 0),
so a results file without a row is a wrong filter or selection, not a survey.

The one statement of this rule: the reader (``extracts.read_extract``) follows it and the
data contracts' ``rows_present`` rule takes its minimum from it (``fewest_rows``)."""


def fewest_rows(kind: str) -> int:
    """The fewest data rows a file of ``kind`` may have (``EMPTY_FILE_MEANS``)."""
    return 0 if EMPTY_FILE_MEANS[kind] else 1


KEY_COLUMN_FOR_ID = {
    "staff_id": "staff_key",
    "applicant_id": "applicant_key",
    "case_id": "case_key",
}


def rank_order(settings: Settings) -> dict[tuple[str, str], int]:
    """(worker type, rank or band) -> order from the most junior, for sorting and pipelines."""
    ladders = {
        "police_officer": codes.OFFICER_RANKS,
        "police_staff": settings.codes.staff_bands,
        "pcso": codes.PCSO_GRADES,
        "special_constable": codes.SPECIAL_RANKS,
    }
    return {
        (worker_type, rank): position
        for worker_type, ladder in ladders.items()
        for position, rank in enumerate(ladder, start=1)
    }


def allowed_codes(settings: Settings, lpu_codes: frozenset[str]) -> dict[str, frozenset[str]]:
    """Every code column's allowed values; synonyms are mapped onto these before checking."""
    ranks = frozenset(rank for _, rank in rank_order(settings))
    return {
        "worker_type": frozenset(codes.WORKER_TYPES),
        "rank_or_band": ranks,
        "target_rank": frozenset(codes.OFFICER_RANKS),
        "department": frozenset(d.name for d in settings.codes.departments),
        "lpu_code": lpu_codes,
        "sex": frozenset(codes.SEXES),
        "ethnicity_code": codes.ETHNICITY_CODES,
        "movement_type": frozenset(codes.MOVEMENT_TYPES),
        "leaving_reason": frozenset(codes.LEAVING_REASONS),
        "outcome": frozenset(codes.OUTCOMES),
        "age_band": frozenset(codes.AGE_BANDS),
        **{column: frozenset(values) for column, values in MONITORING_CODES.items()},
        "rating": frozenset(settings.appraisal.scale),
    }


def synonyms_for(settings: Settings, column: str) -> dict[str, str]:
    """The synonym table that applies to a code column, keyed by ``codes.code_key``."""
    table = {
        "rank_or_band": settings.codes.rank_synonyms,
        "target_rank": settings.codes.rank_synonyms,
        "ethnicity_code": settings.codes.ethnicity_synonyms,
        "worker_type": settings.codes.worker_type_synonyms,
        "sex": settings.codes.sex_synonyms,
        "movement_type": settings.codes.movement_type_synonyms,
        "leaving_reason": settings.codes.leaving_reason_synonyms,
        "outcome": settings.codes.outcome_synonyms,
        "age_band": settings.codes.age_band_synonyms,
        "department": settings.codes.department_synonyms,
        "lpu_code": settings.codes.lpu_synonyms,
        **{column: getattr(settings.codes, f"{column}_synonyms") for column in MONITORING_CODES},
        "rating": settings.appraisal.synonyms,
    }.get(column, {})
    return {codes.code_key(key): value for key, value in table.items()}


SHOWN_TYPES = frozenset({"code", "int", "number", "flag", "year"})
"""Column types whose values messages and the quarantine may show: identifiers, free text and
dates (a date of birth is personal data) never appear."""


def shown_columns(kind: str) -> set[str]:
    return {c.name for c in EXTRACT_COLUMNS.get(kind, ()) if c.type in SHOWN_TYPES}


def shown_values_json(kind: str, values_json: str | None) -> str:
    """A quarantined row's values as stored: only the columns that may be shown (codes,
    numbers, flags), enough to find and fix the row; never a date, identifier or text."""
    values = json.loads(values_json or "{}")
    shown = shown_columns(kind)
    return json.dumps({k: v for k, v in values.items() if k in shown}, ensure_ascii=False)


def _age_band(birth: str, on: str) -> str:
    age = f"date_sub('year', cast({birth} as date), cast({on} as date))"
    bounds = [(band, int(band[:2])) for band in codes.AGE_BANDS[1:]]
    cases = " ".join(
        f"when {age} < {lower} then '{previous}'"
        for previous, (_, lower) in zip(codes.AGE_BANDS, bounds, strict=False)
    )
    return f"case when {age} is null then null {cases} else '{codes.AGE_BANDS[-1]}' end"


def _service_band(start: str, on: str) -> str:
    years = f"(date_sub('day', cast({start} as date), cast({on} as date)) / 365.25)"
    cases = " ".join(
        f"when {years} < {upper} then '{band}'"
        for band, upper in codes.SERVICE_BANDS
        if upper != float("inf")
    )
    return f"case when {years} is null then null {cases} else '{codes.SERVICE_BANDS[-1][0]}' end"


STORED_INSTEAD: dict[str, dict[str, tuple[str, tuple[str, ...]]]] = {
    "staff_snapshot": {
        "age_band": (_age_band("date_of_birth", "snapshot_date"), ("date_of_birth",)),
        "service_band": (
            _service_band("service_start_date", "snapshot_date"),
            ("service_start_date",),
        ),
    },
    "joiners_leavers": {
        "service_band": (
            _service_band("service_start_date", "movement_date"),
            ("service_start_date",),
        ),
    },
}
"""kind -> {stored column: (SQL deriving it from the row, the columns it replaces)}."""


def not_stored(kind: str) -> tuple[str, ...]:
    """Columns read (and checked) but never stored."""
    return tuple(c for _, replaced in STORED_INSTEAD.get(kind, {}).values() for c in replaced)


def stored_select(kind: str) -> str:
    """The select list that turns a frame of read rows into the stored row."""
    dropped = not_stored(kind)
    derived = [f"{sql} as {name}" for name, (sql, _) in STORED_INSTEAD.get(kind, {}).items()]
    everything = f"* exclude ({', '.join(dropped)})" if dropped else "*"
    return ", ".join([everything, *derived])
