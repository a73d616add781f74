"""The demo force's other monitoring extracts: misconduct cases, grievances and tribunal
claims, training and development, appraisal ratings and staff survey results.

Why: each monitoring duty needs data with a *known* answer. They are drawn year by year from
the people :mod:`pipeline.demo` simulates (who was in post at the start of the year, who left
and why), so they agree with the snapshots and the leavers: everyone dismissed after a gross
misconduct hearing is a leaver with the reason "dismissal", and only they are.

Exactly one disproportionality is planted (:data:`PLANTED_MISCONDUCT`): ethnic-minority
officers who become the subject of a case are taken into the formal process (investigation)
twice as often as White officers, so they enter it at about twice the White rate per 1,000
in post. Everything else is fair by construction: every rate is allocated within each
worker type and ethnic stratum, evenly across sexes and broad ethnic groups (``_fair``), so
that every group's rate is the set rate to within about one person, and a report that finds
another difference is wrong. (Positive-action programmes
are open to ethnic-minority colleagues only, by design.)

Realism comes from the rates (Home Office police misconduct and workforce statistics, NHS
staff survey levels), the shapes (a case goes assessment -> investigation -> meeting or
hearing; a programme sift -> interview -> attendance -> completion) and the HR wording of the
files; the pipeline maps it through the synonym tables in the generated configuration.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from pipeline import codes
from pipeline.demo import DAY, OFFICER, SPECIAL, STAFF, even_points

PLANTED_MISCONDUCT = ("police_officer", "investigation")
"""Worker type and stage of the planted gap: minority officers with a case are investigated
at twice the White rate (:data:`FORMAL_GIVEN_CASE`)."""
FORMAL_GIVEN_CASE = {"minority": 0.60, "other": 0.30}


# Cases per person in post per year (officers: ~100 per 1,000 the subject of a complaint
# recorded under Schedule 3 of the Police Reform Act 2002, ~30 of an internal conduct matter).
PUBLIC_COMPLAINT_RATE = (0.100, 0.006, 0.040, 0.030)
INTERNAL_REPORT_RATE = (0.030, 0.015, 0.015, 0.010)
PROCEEDINGS_GIVEN_FORMAL = 0.35
HEARING_GIVEN_PROCEEDINGS = 0.30
OUTCOMES_AT = {  # shares of codes.MISCONDUCT_OUTCOMES at each furthest stage
    "assessment": (0.55, 0.25, 0.20, 0, 0, 0),
    "investigation": (0.45, 0.30, 0.25, 0, 0, 0),
    "misconduct_meeting": (0.15, 0.10, 0.25, 0.35, 0.15, 0),
    "gross_misconduct_hearing": (0.20, 0, 0.15, 0.25, 0.40, 0),
}
"""Dismissal is never drawn: the dismissed are the year's leavers dismissed (see above)."""
SUSPENSION_AT = {  # (none, restricted, suspended)
    "assessment": (1.0, 0.0, 0.0),
    "investigation": (0.90, 0.08, 0.02),
    "misconduct_meeting": (0.75, 0.25, 0.0),
    "gross_misconduct_hearing": (0.25, 0.40, 0.35),
}
CASE_DAYS = {"assessment": (20, 90), "investigation": (90, 300), "misconduct_meeting": (150, 400),
             "gross_misconduct_hearing": (200, 500)}  # fmt: skip

GRIEVANCE_RATE = (0.010, 0.014, 0.012, 0.004)
TRIBUNAL_RATE = (0.0015, 0.002, 0.0015, 0.0)
DISCRIMINATION_SHARE = 0.25
GRIEVANCE_OUTCOMES = {  # shares of codes.GRIEVANCE_OUTCOMES
    "grievance": (0.15, 0.15, 0.55, 0.15, 0.0),
    "employment_tribunal": (0.10, 0.0, 0.25, 0.25, 0.40),
}
GRIEVANCE_DAYS = {"grievance": (30, 120), "employment_tribunal": (200, 500)}


@dataclass(frozen=True)
class _Programme:
    code: str
    name: str
    programme_type: str
    places: int
    stages: tuple[tuple[str, str, str, float], ...]
    """(stage name, stage type, month-day it starts, pass share)."""
    worker_types: tuple[int, ...]
    ranks: tuple[int, ...] | None = None
    """Officer ranks (indices) eligible; None: any. Staff bands are given for staff."""
    staff_bands: tuple[int, ...] | None = None
    minority_only: bool = False
    min_service: float = 0.0


PROGRAMMES = (
    _Programme("LEAD", "Aspiring leaders", "Leadership development", 180,
               (("Application sift", "Sift", "05-10", 0.65), ("Interview", "Interview", "06-20",
                0.55), ("Attendance", "Attended", "09-15", 0.95), ("Completion", "Completed",
                "02-20", 0.88)),
               (OFFICER, STAFF), ranks=(1, 2), staff_bands=(4, 5, 6, 7)),
    _Programme("PROMO", "Sergeant promotion support", "Promotion support", 340,
               (("Workshop", "Attended", "07-05", 0.85), ("Completion", "Completed", "10-30",
                0.80)), (OFFICER,), ranks=(0,), min_service=3.0),
    _Programme("PAL", "Positive action leadership", "Positive action", 80,
               (("Application sift", "Sift", "04-20", 0.80), ("Attendance", "Attended",
                "06-01", 0.95), ("Completion", "Completed", "01-15", 0.90)),
               (OFFICER, STAFF), minority_only=True),
    _Programme("PIP2", "Detective training (PIP2)", "Specialist training", 160,
               (("Course", "Attended", "05-15", 0.92), ("Accreditation", "Completed", "12-01",
                0.85)), (OFFICER,), ranks=(0, 1), min_service=2.0),
    _Programme("SDEV", "Staff professional development", "Specialist course", 220,
               (("Course", "Attended", "06-10", 0.90), ("Completion", "Completed", "11-20",
                0.90)), (STAFF,)),
)  # fmt: skip
"""Non-mandatory development, in the learning system's own wording (mapped by synonyms)."""

RATING_SHARES = (0.03, 0.10, 0.58, 0.21, 0.08)
"""Shares of the default [appraisal] scale, lowest first."""
APPRAISAL_COMPLETION = 0.92

SURVEY_QUESTIONS = {  # code: (wording, agreeing share by worker type)
    "Q1": ("I am proud to work for the force", (0.72, 0.75, 0.70, 0.80)),
    "Q5": ("I would recommend the force as a place to work", (0.58, 0.62, 0.55, 0.70)),
    "Q17a": ("In the last 12 months I have experienced harassment, bullying or abuse at work "
             "from members of the public", (0.30, 0.30, 0.30, 0.30)),
    "Q17b": ("In the last 12 months I have experienced harassment, bullying or abuse at work "
             "from managers or colleagues", (0.12, 0.12, 0.12, 0.12)),
    "Q18": ("The force acts fairly with regard to career progression and promotion, "
            "regardless of ethnic background", (0.55, 0.55, 0.55, 0.55)),
    "Q19": ("In the last 12 months I have personally experienced discrimination at work from "
            "a manager or colleague", (0.08, 0.08, 0.08, 0.08)),
}  # fmt: skip
"""The WRES-like questions (Q17a to Q19) are answered alike by officers and staff: the
provider's results are not split by worker type, so a difference between worker types would
show as one between groups whose mix of officers and staff differs."""
SURVEY_INDICATORS = {"Q17a": "harassment_public", "Q17b": "harassment_colleagues",
                     "Q18": "equal_opportunities", "Q19": "discrimination"}  # fmt: skip
"""The WRES-like questions, as the generated configuration lists them."""
RESPONSE_RATE = 0.45
ANSWER_RATE = 0.97
ETHNICITY_LABELS = {
    "W1": "White - British", "W2": "White - Irish", "W3": "White - Gypsy or Irish Traveller",
    "W9": "White - Any other White background", "M1": "Mixed - White and Black Caribbean",
    "M2": "Mixed - White and Black African", "M3": "Mixed - White and Asian",
    "M9": "Mixed - Any other Mixed background", "A1": "Asian - Indian",
    "A2": "Asian - Pakistani", "A3": "Asian - Bangladeshi", "A4": "Asian - Chinese",
    "A9": "Asian - Any other Asian background", "B1": "Black - Caribbean",
    "B2": "Black - African", "B9": "Black - Any other Black background", "O2": "Other - Arab",
    "O9": "Other - Any other ethnic group", codes.NOT_STATED: "Prefer not to say",
}  # fmt: skip
"""The survey provider's wording ("Asian - Pakistani"), mapped back by the synonym table
(``DEFAULT_ETHNICITY_SYNONYMS``)."""


@dataclass(frozen=True)
class Year:
    """What the simulation knows about one reporting year, person by person (one row each)."""

    year: int
    start: np.datetime64
    end: np.datetime64
    people: pd.DataFrame
    """Everyone in post at the start: staff_id, wt, rank, eth, stratum (0 minority, 1 White,
    2 not stated), sex (0 female), service (years), left (NaT if stayed), dismissed."""
    in_post_at_end: pd.DataFrame
    """Everyone in post at the end, the same columns (left is NaT)."""


def year_extracts(rng: np.random.Generator, year: Year) -> list[tuple[str, str, pd.DataFrame]]:
    """(kind, file stem, frame with canonical columns) for each monitoring extract of a year."""
    return [
        ("misconduct_cases", f"misconduct_cases_{year.year}", _misconduct(rng, year)),
        ("grievances", f"grievances_{year.year}", _grievances(rng, year)),
        ("training_development", f"training_development_{year.year}", _training(rng, year)),
        ("appraisal_ratings", f"appraisal_ratings_{year.year}", _appraisal(rng, year)),
        ("staff_survey", f"staff_survey_{year.year}", _survey(rng, year)),
    ]


# --------------------------------------------------------------------------- helpers


_BROAD = {b: i for i, b in enumerate(dict.fromkeys(e.broad_group_code for e in codes.ETHNICITIES))}
_BROAD_OF = {e.code: _BROAD[e.broad_group_code] for e in codes.ETHNICITIES}


def _cells(people: pd.DataFrame) -> tuple[np.ndarray, ...]:
    """Worker type, ethnic stratum (minority, White, not stated), broad ethnic group and sex
    of each person: the cells a fair rate is allocated within."""
    broad = people["ethnicity_code"].map(_BROAD_OF).to_numpy()
    return (people["wt"].to_numpy(), people["stratum"].to_numpy(), broad,
            people["sex"].to_numpy())  # fmt: skip


def _fair(rng: np.random.Generator, people: pd.DataFrame, probs_for) -> np.ndarray:
    """Category per person with the shares ``probs_for(worker type, stratum)`` gives, spread
    so evenly (:func:`pipeline.demo.even_points` within each worker type and stratum) that
    every group's shares, by sex, broad ethnic group and both, are the set ones up to about
    one person."""
    out = np.zeros(len(people), dtype=np.int64)
    wt, stratum, broad, sex = _cells(people)
    cells = wt * 3 + stratum
    points = even_points(rng, cells, sex, broad)
    for cell in np.unique(cells):
        rows = np.flatnonzero(cells == cell)
        cum = np.cumsum(np.asarray(list(probs_for(*divmod(int(cell), 3))), dtype=float))
        out[rows] = np.minimum(
            np.searchsorted(cum / cum[-1], points[rows], side="right"), len(cum) - 1
        )
    return out


def _dates(rng, start, end, n: int) -> np.ndarray:
    """Working days, uniformly between ``start`` (exclusive) and ``end`` (inclusive)."""
    start, end = np.asarray(start, "datetime64[D]"), np.asarray(end, "datetime64[D]")
    span = np.maximum(((end - start) / DAY).astype("int64"), 1)
    offsets = np.floor(rng.random(n) * span).astype("int64") + 1
    days = np.busday_offset(start + offsets * DAY, 0, roll="backward")
    return np.clip(days, start + DAY, end)


def _until(year: Year, people: pd.DataFrame) -> np.ndarray:
    """The last day each person could be the subject of an event in the year."""
    left = people["left"].to_numpy("datetime64[D]")
    return np.where(np.isnat(left), np.datetime64(year.end, "D"), left)


# --------------------------------------------------------------------------- misconduct


def _misconduct(rng: np.random.Generator, year: Year) -> pd.DataFrame:
    people = year.people
    frames = []
    for source, rates in (("public", PUBLIC_COMPLAINT_RATE), ("internal", INTERNAL_REPORT_RATE)):
        has_case = _fair(rng, people, lambda wt, _s, r=rates: (r[wt], 1 - r[wt])) == 0
        subjects = people[has_case].reset_index(drop=True)
        frames.append(_cases(rng, year, subjects, source))
    dismissed = people[people["dismissed"]].reset_index(drop=True)
    left = dismissed["left"].to_numpy("datetime64[D]")
    opened = np.maximum(
        left - rng.integers(120, 300, len(dismissed)) * DAY, np.datetime64(year.start, "D") + DAY
    )
    frames.append(
        pd.DataFrame(
            {
                "staff_id": dismissed["staff_id"],
                "source": "internal",
                "opened_date": opened,
                "misconduct_stage": "gross_misconduct_hearing",
                "misconduct_outcome": "dismissal",
                "suspension_status": "suspended",
                "closed_date": left,
            }
        )
    )
    cases = pd.concat(frames, ignore_index=True).sort_values(["opened_date", "staff_id"])
    yy = f"{year.year % 100:02d}"
    serial = np.arange(1, len(cases) + 1) * 7 + rng.integers(0, 7, len(cases))
    prefix = np.where(cases["source"] == "public", "CO", "CM")
    return pd.DataFrame(
        {
            "case_id": [f"{p}/{n:05d}/{yy}" for p, n in zip(prefix, serial, strict=True)],
            "staff_id": cases["staff_id"].to_numpy(),
            "opened_date": cases["opened_date"].to_numpy(),
            "case_source": np.where(cases["source"] == "public", "Complaint", "Conduct matter"),
            "misconduct_stage": cases["misconduct_stage"].map(_STAGE_WORDING).to_numpy(),
            "misconduct_outcome": cases["misconduct_outcome"].map(_OUTCOME_WORDING).to_numpy(),
            "suspension_status": cases["suspension_status"].map(_SUSPENSION_WORDING).to_numpy(),
            "closed_date": cases["closed_date"].to_numpy(),
        }
    )


_STAGE_WORDING = {"assessment": "Severity assessment", "investigation": "Investigation",
                  "misconduct_meeting": "Misconduct meeting",
                  "gross_misconduct_hearing": "Gross misconduct hearing"}  # fmt: skip
_OUTCOME_WORDING = {"no_case_to_answer": "No case to answer",
                    "reflective_practice": "Reflective practice review process",
                    "management_action": "Management action", "written_warning": "Written warning",
                    "final_written_warning": "Final written warning",
                    "dismissal": "Dismissed without notice"}  # fmt: skip
_SUSPENSION_WORDING = {"none": "", "restricted": "Restricted duties", "suspended": "Suspended"}


def _cases(rng, year: Year, subjects: pd.DataFrame, source: str) -> pd.DataFrame:
    """A case for each subject: how far it went, its outcome, suspension and dates."""

    def formal(wt, stratum):
        p = FORMAL_GIVEN_CASE["minority" if wt == OFFICER and stratum == 0 else "other"]
        return (p, 1 - p)

    is_formal = _fair(rng, subjects, formal) == 0
    stage = np.full(len(subjects), "assessment", dtype=object)
    stage[is_formal] = "investigation"
    formal_rows = subjects[is_formal]
    proceedings = np.zeros(len(subjects), dtype=bool)
    proceedings[is_formal] = _fair(
        rng, formal_rows, lambda *_: (PROCEEDINGS_GIVEN_FORMAL, 1 - PROCEEDINGS_GIVEN_FORMAL)
    ) == 0  # fmt: skip
    stage[proceedings] = "misconduct_meeting"
    hearing = np.zeros(len(subjects), dtype=bool)
    hearing[proceedings] = _fair(
        rng, subjects[proceedings],
        lambda *_: (HEARING_GIVEN_PROCEEDINGS, 1 - HEARING_GIVEN_PROCEEDINGS),
    ) == 0  # fmt: skip
    stage[hearing] = "gross_misconduct_hearing"
    outcomes = np.empty(len(subjects), dtype=object)
    suspension = np.empty(len(subjects), dtype=object)
    closed_after = np.zeros(len(subjects), dtype="int64")
    for name in codes.MISCONDUCT_STAGES:
        at = np.flatnonzero(stage == name)
        rows = subjects.iloc[at]
        outcomes[at] = np.array(list(codes.MISCONDUCT_OUTCOMES), dtype=object)[
            _fair(rng, rows, lambda *_, n=name: OUTCOMES_AT[n])
        ]
        suspension[at] = np.array(list(codes.SUSPENSION_STATUSES), dtype=object)[
            _fair(rng, rows, lambda *_, n=name: SUSPENSION_AT[n])
        ]
        low, high = CASE_DAYS[name]
        closed_after[at] = rng.integers(low, high, at.size)
    opened = _dates(rng, np.datetime64(year.start, "D"), _until(year, subjects), len(subjects))
    closed = opened + closed_after * DAY
    still_open = closed > np.datetime64(year.end, "D")
    return pd.DataFrame(
        {
            "staff_id": subjects["staff_id"],
            "source": source,
            "opened_date": opened,
            "misconduct_stage": stage,
            "misconduct_outcome": np.where(still_open, None, outcomes),
            "suspension_status": suspension,
            "closed_date": np.where(still_open, np.datetime64("NaT"), closed),
        }
    )


# --------------------------------------------------------------------------- grievances


def _grievances(rng: np.random.Generator, year: Year) -> pd.DataFrame:
    people = year.people
    frames = []
    for kind, rates in (("grievance", GRIEVANCE_RATE), ("employment_tribunal", TRIBUNAL_RATE)):
        raised = _fair(rng, people, lambda wt, _s, r=rates: (r[wt], 1 - r[wt])) == 0
        who = people[raised].reset_index(drop=True)
        n = len(who)
        discrimination = _fair(
            rng, who, lambda *_: (DISCRIMINATION_SHARE, 1 - DISCRIMINATION_SHARE)
        ) == 0  # fmt: skip
        outcome = np.array(list(codes.GRIEVANCE_OUTCOMES), dtype=object)[
            _fair(rng, who, lambda *_, k=kind: GRIEVANCE_OUTCOMES[k])
        ]
        raised_on = _dates(rng, np.datetime64(year.start, "D"), _until(year, who), n)
        closed = raised_on + rng.integers(*GRIEVANCE_DAYS[kind], n) * DAY
        still_open = closed > np.datetime64(year.end, "D")
        frames.append(
            pd.DataFrame(
                {
                    "kind": kind,
                    "staff_id": who["staff_id"],
                    "raised_date": raised_on,
                    "alleges_discrimination": np.where(discrimination, "Yes", "No"),
                    "grievance_outcome": np.where(still_open, None, outcome),
                    "closed_date": np.where(still_open, np.datetime64("NaT"), closed),
                }
            )
        )
    cases = pd.concat(frames, ignore_index=True).sort_values(["raised_date", "staff_id"])
    yy = f"{year.year % 100:02d}"
    prefix = np.where(cases["kind"] == "grievance", "GR", "ET")
    wording = {"grievance": "Formal grievance", "employment_tribunal": "ET claim"}
    outcome_wording = {"upheld": "Upheld", "partly_upheld": "Partially upheld",
                       "not_upheld": "Not upheld", "withdrawn": "Withdrawn",
                       "settled": "ACAS settlement"}  # fmt: skip
    return pd.DataFrame(
        {
            "case_id": [f"{p}-{yy}-{i:04d}" for i, p in enumerate(prefix, start=1)],
            "staff_id": cases["staff_id"].to_numpy(),
            "grievance_type": cases["kind"].map(wording).to_numpy(),
            "raised_date": cases["raised_date"].to_numpy(),
            "alleges_discrimination": cases["alleges_discrimination"].to_numpy(),
            "grievance_outcome": cases["grievance_outcome"].map(outcome_wording).to_numpy(),
            "closed_date": cases["closed_date"].to_numpy(),
        }
    )


# --------------------------------------------------------------------------- development


def _training(rng: np.random.Generator, year: Year) -> pd.DataFrame:
    people = year.people
    frames = []
    for programme in PROGRAMMES:
        eligible = people["wt"].isin(programme.worker_types) & (
            people["service"] >= programme.min_service
        )
        if programme.ranks is not None:
            officer = people["wt"] == OFFICER
            eligible &= ~officer | people["rank"].isin(programme.ranks)
        if programme.staff_bands is not None:
            staff = people["wt"] == STAFF
            eligible &= ~staff | people["rank"].isin(programme.staff_bands)
        if programme.minority_only:
            eligible &= people["stratum"] == 0
        pool = people[eligible].reset_index(drop=True)
        share = min(1.0, programme.places / max(len(pool), 1))
        applied = pool[_fair(rng, pool, lambda *_, s=share: (s, 1 - s)) == 0]
        frames.append(_programme_rows(rng, year, programme, applied.reset_index(drop=True)))
    return pd.concat(frames, ignore_index=True)


def _programme_rows(rng, year: Year, programme: _Programme, at: pd.DataFrame) -> pd.DataFrame:
    y0 = year.year - 1
    frames = []
    for order, (name, stage_type, month_day, share) in enumerate(programme.stages, start=1):
        withdrew = 0.03
        missed = (1 - share - withdrew) if stage_type == "Attended" else 0.0
        failed = max(1 - share - withdrew - missed, 0.0)
        # order of codes.OUTCOMES: passed, failed, withdrew, did_not_attend
        outcome = _fair(rng, at, lambda *_, p=(share, failed, withdrew, missed): p)
        month = int(month_day[:2])
        first = np.datetime64(f"{y0 + (month < 4)}-{month_day}")
        on = np.minimum(first + rng.integers(0, 10, len(at)) * DAY, np.datetime64(year.end, "D"))
        frames.append(
            pd.DataFrame(
                {
                    "programme_id": f"{programme.code}-{year.year}",
                    "programme_name": f"{programme.name} {year.year}",
                    "programme_type": programme.programme_type,
                    "staff_id": at["staff_id"].to_numpy(),
                    "stage_order": order,
                    "stage_name": name,
                    "stage_type": stage_type,
                    "outcome": np.array(["Pass", "Fail", "Withdrawn", "DNA"], dtype=object)[
                        outcome
                    ],
                    "outcome_date": on,
                }
            )
        )
        at = at[outcome == 0].reset_index(drop=True)
    return pd.concat(frames, ignore_index=True)


# --------------------------------------------------------------------------- appraisal


def _appraisal(rng: np.random.Generator, year: Year) -> pd.DataFrame:
    """The year's final ratings: everyone in post at its end with six months' service, less
    the few whose appraisal was not completed; specials have none."""
    people = year.in_post_at_end
    rated = people[(people["service"] >= 0.5) & (people["wt"] != SPECIAL)].reset_index(drop=True)
    done = rated[_fair(rng, rated, lambda *_: (APPRAISAL_COMPLETION, 1 - APPRAISAL_COMPLETION))
                 == 0].reset_index(drop=True)  # fmt: skip
    scale = ("Unsatisfactory", "Development required", "Competent", "Highly competent",
             "Exceptional")  # fmt: skip
    rating = np.array(scale, dtype=object)[_fair(rng, done, lambda *_: RATING_SHARES)]
    return pd.DataFrame(
        {
            "staff_id": done["staff_id"],
            "appraisal_year": f"{year.year - 1}/{year.year % 100:02d}",
            "rating": rating,
        }
    ).sort_values("staff_id", ignore_index=True)


# --------------------------------------------------------------------------- staff survey


def _survey(rng: np.random.Generator, year: Year) -> pd.DataFrame:
    """The survey provider's results of the autumn survey, aggregated by ethnicity code, by
    sex, by both and overall: person-level answers never leave this function."""
    closes = np.datetime64(f"{year.year - 1}-11-30")
    people = year.people
    present = people[(_until(year, people) >= closes) & (people["wt"] != SPECIAL)]
    present = present.reset_index(drop=True)
    responded = present[_fair(rng, present, lambda *_: (RESPONSE_RATE, 1 - RESPONSE_RATE)) == 0]
    responded = responded.reset_index(drop=True)
    answers = []
    for code, (text, shares) in SURVEY_QUESTIONS.items():
        answered = responded[
            _fair(rng, responded, lambda *_: (ANSWER_RATE, 1 - ANSWER_RATE)) == 0
        ].reset_index(drop=True)
        agree = _fair(rng, answered, lambda wt, _s, s=shares: (s[wt], 1 - s[wt])) == 0
        answers.append(
            pd.DataFrame(
                {
                    "question_code": code,
                    "question_text": text,
                    "ethnicity_code": answered["ethnicity_code"].to_numpy(),
                    "sex": np.where(answered["sex"].to_numpy() == 0, "Female", "Male"),
                    "agree": agree,
                }
            )
        )
    answers = pd.concat(answers, ignore_index=True)
    groupings = (["ethnicity_code", "sex"], ["ethnicity_code"], ["sex"], [])
    frames = []
    for by in groupings:
        counted = (
            answers.groupby(["question_code", "question_text", *by])["agree"]
            .agg(respondent_count="size", agreeing_count="sum")
            .reset_index()
        )
        frames.append(counted)
    results = pd.concat(frames, ignore_index=True)
    results["ethnicity_code"] = results["ethnicity_code"].map(ETHNICITY_LABELS)
    results.insert(0, "survey_id", f"Staff survey {year.year - 1}")
    results.insert(1, "survey_date", closes)
    columns = ["survey_id", "survey_date", "question_code", "question_text", "ethnicity_code",
               "sex", "respondent_count", "agreeing_count"]  # fmt: skip
    return results[columns].astype({"respondent_count": "int64", "agreeing_count": "int64"})
