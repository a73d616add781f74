"""A deterministic synthetic police force whose HR system exports the four extracts.

Why: the pipeline, its reports and its tests need realistic, mutually consistent data with a
*known* answer, without touching anyone's personnel record. The force is modelled on West
Midlands Police: people are simulated from 2022 to 2026 (leavers, recruit intakes,
promotions), so the snapshots, the joiners/leavers files and the promotion processes agree
with each other. Exactly one adverse impact is planted (``PLANTED_ADVERSE_STAGE``); every
other selection stage is fair by construction (see ``_allocate``), so a report that finds
anything else is wrong.

The files look like a real HR export, not like the pipeline's interface: HR-style headers
(mapped in the generated ``progression.toml``), UK dates, and two columns (surname and NI
number) that the pipeline must drop at read time.
"""

from __future__ import annotations

import hashlib
import json
import os
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar, Literal
from xml.sax.saxutils import escape

import numpy as np
import pandas as pd

from pipeline import codes
from pipeline.config import CodeSettings

PLANTED_ADVERSE_STAGE = ("INSP-2025", "Assessment centre")
"""The one stage with a real adverse impact: minority candidates pass ~25%, White ~55%: large
enough to stand out among the forty comparisons made for the process (the false discovery
rate is controlled within each process), as a real gap of this size would."""
PLANTED_PASS_RATES = {"minority": 0.25, "other": 0.55}

SNAPSHOT_YEARS: tuple[int, ...] = (2022, 2023, 2024, 2025, 2026)
PROCESS_YEARS: tuple[int, ...] = SNAPSHOT_YEARS[1:]
"""A process, campaign or joiners/leavers file is named by the year its period ends: the
2024 files cover 1 April 2023 to 31 March 2024 (the force's reporting year)."""

Format = Literal["mixed", "csv", "xlsx"]

# --------------------------------------------------------------------------- code lists

WORKER_TYPES = ("police_officer", "police_staff", "pcso", "special_constable")
OFFICER, STAFF, PCSO, SPECIAL = range(4)
WORKER_TYPE_LABELS = ("Police Officer", "Police Staff", "PCSO", "Special Constable")
LADDERS: tuple[tuple[str, ...], ...] = (
    codes.OFFICER_RANKS,
    CodeSettings().staff_bands,
    codes.PCSO_GRADES,
    codes.SPECIAL_RANKS,
)
CON, SGT, INSP, CI, SUPT, CSUPT, ACC, DCC, CC = range(9)

ETH_CODES = tuple(e.code for e in codes.ETHNICITIES)
_ETH_INDEX = {code: i for i, code in enumerate(ETH_CODES)}
ETH_MINORITY = np.array(
    [e.broad_group_code not in ("white", "not_stated") for e in codes.ETHNICITIES]
)
STRATA = ("minority", "white", "not_stated")
ETH_STRATUM = np.where(ETH_MINORITY, 0, np.where(np.array(ETH_CODES) == codes.NOT_STATED, 2, 1))
_BROAD_GROUPS = tuple(dict.fromkeys(e.broad_group_code for e in codes.ETHNICITIES))
ETH_BROAD = np.array([_BROAD_GROUPS.index(e.broad_group_code) for e in codes.ETHNICITIES])
"""Broad ethnic group (index into the broad groups in code order) per ethnicity index."""

# Within ethnic minorities: Asian 60% (Pakistani largest), Black 18%, Mixed 17%, Other 5%.
_MINORITY_MIX = {
    "A2": 0.60 * 0.42, "A1": 0.60 * 0.30, "A3": 0.60 * 0.13, "A4": 0.60 * 0.05,
    "A9": 0.60 * 0.10, "B1": 0.18 * 0.55, "B2": 0.18 * 0.38, "B9": 0.18 * 0.07,
    "M1": 0.17 * 0.45, "M2": 0.17 * 0.10, "M3": 0.17 * 0.30, "M9": 0.17 * 0.15,
    "O2": 0.05 * 0.35, "O9": 0.05 * 0.65,
}  # fmt: skip
_WHITE_MINORITY_MIX = {"W2": 0.35, "W3": 0.05, "W9": 0.60}
WHITE_MINORITY_SHARE = 0.03

LPUS = (  # (area code, local authority, LPU code, posting share, minority posting multiplier)
    ("E08000025", "Birmingham", "BHM", 0.40, 1.45),
    ("E08000026", "Coventry", "COV", 0.12, 0.85),
    ("E08000027", "Dudley", "DUD", 0.09, 0.55),
    ("E08000028", "Sandwell", "SAN", 0.115, 1.40),
    ("E08000029", "Solihull", "SOL", 0.075, 0.45),
    ("E08000030", "Walsall", "WAL", 0.095, 0.75),
    ("E08000031", "Wolverhampton", "WOL", 0.105, 0.95),
)


@dataclass(frozen=True)
class _Dept:
    name: str
    is_specialist: bool
    officer_roles: dict[str, float]
    staff_roles: dict[str, float]
    officer_share: tuple[float, float, float]
    """Posting weight for constables, sergeants/inspectors, chief inspector and above."""
    staff_share: float
    minority_multiplier: float
    """Below 1 where minorities are under-represented (firearms, roads, professional
    standards), so the pipeline's department breakdown has something real to show."""


DEPARTMENTS: tuple[_Dept, ...] = (
    _Dept("Local Policing", False,
          {"Response": 0.5, "Neighbourhood": 0.3, "Investigation": 0.2},
          {"Investigation": 0.6, "Neighbourhood": 0.4}, (0.50, 0.42, 0.32), 0.12, 1.10),
    _Dept("Force CID", True, {"Detective": 1.0}, {"Investigator": 1.0},
          (0.09, 0.10, 0.10), 0.04, 1.00),
    _Dept("Public Protection Unit", True, {"Detective": 0.6, "Safeguarding": 0.4},
          {"Safeguarding": 1.0}, (0.11, 0.11, 0.11), 0.07, 1.00),
    _Dept("Firearms Operations", True, {"Authorised Firearms Officer": 1.0}, {},
          (0.05, 0.05, 0.05), 0.0, 0.40),
    _Dept("Roads Policing", True, {"Roads Policing Officer": 1.0}, {},
          (0.035, 0.035, 0.03), 0.0, 0.45),
    _Dept("Professional Standards", True, {"Investigator": 1.0}, {"Investigator": 1.0},
          (0.005, 0.02, 0.04), 0.02, 0.45),
    _Dept("Intelligence", True, {"Intelligence Officer": 1.0},
          {"Analyst": 0.6, "Intelligence Officer": 0.4}, (0.035, 0.04, 0.05), 0.08, 1.00),
    _Dept("Counter Terrorism", True, {"Counter Terrorism Officer": 1.0}, {"Analyst": 1.0},
          (0.025, 0.03, 0.05), 0.04, 1.00),
    _Dept("Force Contact", False, {"Dispatcher": 1.0},
          {"Call Handler": 0.7, "Dispatcher": 0.3}, (0.04, 0.06, 0.06), 0.28, 1.00),
    _Dept("Custody", False, {"Custody Officer": 1.0}, {"Detention Officer": 1.0},
          (0.05, 0.06, 0.06), 0.09, 1.00),
    _Dept("Business Services", False, {"Training": 1.0},
          {"HR": 0.35, "Finance": 0.25, "IT": 0.40}, (0.01, 0.03, 0.09), 0.26, 1.00),
    _Dept("Chief Officer Team", False, {"Chief Officer": 1.0}, {}, (0.0, 0.0, 0.0), 0.0, 1.0),
)  # fmt: skip
_DEPT_INDEX = {d.name: i for i, d in enumerate(DEPARTMENTS)}
LOCAL_POLICING = _DEPT_INDEX["Local Policing"]
ROADS_POLICING = _DEPT_INDEX["Roads Policing"]
CHIEF_OFFICER_TEAM = _DEPT_INDEX["Chief Officer Team"]
PATROL_ROLES = {"Response": 0.6, "Neighbourhood": 0.4}
PROBATIONER_ROLES = {"Response": 0.75, "Neighbourhood": 0.15, "Investigation": 0.10}
"""New constables start on response in Local Policing and move on after probation."""
ROLES: tuple[str, ...] = tuple(
    sorted(
        {r for d in DEPARTMENTS for r in (*d.officer_roles, *d.staff_roles)}
        | {"Command", "Neighbourhood", "Response", "Roads Policing Officer"}
    )
)
_ROLE_INDEX = {role: i for i, role in enumerate(ROLES)}

SURNAMES = (
    "Smith", "Jones", "Williams", "Taylor", "Brown", "Davies", "Evans", "Wilson", "Thomas",
    "Johnson", "Roberts", "Robinson", "Thompson", "Wright", "Walker", "White", "Edwards",
    "Hughes", "Green", "Hall", "Lewis", "Harris", "Clarke", "Jackson", "Wood", "Turner",
)  # fmt: skip

# --------------------------------------------------------------------------- the force's shape

HEADCOUNT: dict[int, dict[int, int]] = {
    OFFICER: {2022: 6550, 2023: 6700, 2024: 6780, 2025: 6760, 2026: 6800},
    STAFF: {2022: 3800, 2023: 3850, 2024: 3900, 2025: 3950, 2026: 4000},
    PCSO: {2022: 620, 2023: 590, 2024: 560, 2025: 530, 2026: 500},
    SPECIAL: {2022: 330, 2023: 290, 2024: 250, 2025: 220, 2026: 200},
}
RANK_HEADCOUNT = {SGT: 1000, INSP: 330, CI: 110, SUPT: 40, CSUPT: 15, ACC: 4, DCC: 1, CC: 1}
"""Posts above constable stay filled: every vacancy is filled by promotion from the rank below."""


@dataclass(frozen=True)
class _Rank:
    minority: float  # ethnic-minority share among those who stated, in the 2022 stock
    female: float
    service: tuple[float, float, float, float]  # years: low + span * beta(a, b)
    min_service: float  # years of service before reaching the rank
    max_years_in_rank: float


OFFICER_STOCK: dict[int, _Rank] = {
    # Constables to inspectors start below the 2026 shares (12%, 9%, 7.5%) because four years
    # of more diverse recruit intakes lift them; chief inspector and above are held at these
    # shares by appointment (see _appoint).
    CON: _Rank(0.104, 0.36, (3.5, 28.0, 1.3, 2.2), 0.0, 0.0),
    SGT: _Rank(0.095, 0.30, (6.0, 25.0, 2.0, 2.0), 4.0, 14.0),
    INSP: _Rank(0.056, 0.29, (9.0, 22.0, 2.0, 2.0), 7.0, 10.0),
    CI: _Rank(0.065, 0.27, (12.0, 19.0, 2.0, 2.0), 10.0, 7.0),
    SUPT: _Rank(0.060, 0.25, (15.0, 16.0, 2.0, 2.0), 13.0, 5.0),
    CSUPT: _Rank(0.050, 0.22, (18.0, 14.0, 2.0, 2.0), 16.0, 4.0),
    ACC: _Rank(0.0, 0.25, (20.0, 10.0, 2.0, 2.0), 18.0, 4.0),
    DCC: _Rank(0.0, 0.0, (23.0, 8.0, 2.0, 2.0), 21.0, 3.0),
    CC: _Rank(0.0, 0.0, (25.0, 8.0, 2.0, 2.0), 23.0, 3.0),
}
UPLIFT_CONSTABLES = 0.40
"""Share of the 2022 constables recruited in the national uplift (under 3.5 years' service)."""
STAFF_BAND_SHARE = (0.04, 0.09, 0.17, 0.21, 0.18, 0.13, 0.08, 0.05, 0.03, 0.02)
STAFF_BAND_MINORITY = (0.21, 0.21, 0.21, 0.21, 0.18, 0.18, 0.14, 0.14, 0.10, 0.10)
SPECIAL_RANK_SHARE = (0.88, 0.08, 0.03, 0.01)
JOINER_BAND_SHARE = (0.07, 0.14, 0.22, 0.22, 0.15, 0.10, 0.05, 0.03, 0.015, 0.005)
INTAKE_MONTHS = {4: 1.0, 5: 1.0, 6: 0.8, 9: 1.3, 10: 1.0, 11: 0.8, 1: 1.2, 2: 1.0, 3: 0.9}
"""Recruit intakes start on the first Monday of these months (weights: relative size)."""


@dataclass(frozen=True)
class _Intake:
    """Who joins (or, in 2022, is already in post): shares among those who stated."""

    minority: float
    not_stated: float
    female: float
    join_age: tuple[float, float, float, float]  # 18 + gamma(shape, scale), clipped to [lo, hi]


INTAKE = {
    OFFICER: _Intake(0.17, 0.03, 0.42, (2.0, 3.5, 18, 45)),
    STAFF: _Intake(0.21, 0.06, 0.62, (2.5, 8.0, 18, 60)),
    PCSO: _Intake(0.23, 0.05, 0.48, (2.0, 6.0, 18, 55)),
    SPECIAL: _Intake(0.25, 0.05, 0.33, (1.5, 5.0, 18, 50)),
}
STOCK_NOT_STATED = {OFFICER: 0.04, STAFF: 0.07, PCSO: 0.05, SPECIAL: 0.06}
STOCK_MINORITY = {PCSO: 0.21, SPECIAL: 0.23}
STOCK_FEMALE = {STAFF: 0.62, PCSO: 0.46, SPECIAL: 0.30}
PART_TIME_FTE = (0.4, 0.5, 0.6, 0.7, 0.8, 0.9)
PART_TIME_FTE_SHARE = (0.05, 0.30, 0.25, 0.10, 0.25, 0.05)
SPECIAL_FTE = (0.1, 0.15, 0.2, 0.25, 0.3)
MINORITY_RESIGNATION_FACTOR = 1.3

# --------------------------------------------------------------------------- selection processes


@dataclass(frozen=True)
class _Process:
    process_id: str
    name: str
    target_rank: int
    candidates: int
    stages: tuple[tuple[str, str, float | None], ...]  # (name, first date, pass share or None)
    minority_take: float | None = None
    """Share of eligible minority officers who apply (positive action), else apply like all."""


WITHDREW, DID_NOT_ATTEND = 0.03, 0.01


def _promotion_processes(year: int) -> list[_Process]:
    """Inspector first: its promotions open the sergeant vacancies the sergeant process fills.

    INSP-2025 is the planted case: a positive-action drive brings most eligible minority
    sergeants forward and a higher legal-exam pass rate (for everyone) carries enough of them
    to the assessment centre for the disparity there to be unmistakable."""
    y0 = year - 1
    planted = f"INSP-{year}" == PLANTED_ADVERSE_STAGE[0]
    inspector = (
        ("Eligibility", f"{y0}-05-16", 0.93),
        ("Legal exam", f"{y0}-08-10", 0.80 if planted else 0.62),
        ("Assessment centre", f"{y0}-10-11", 0.58),
        ("Interview", f"{y0}-12-06", None),
    )
    sergeant = (
        ("Eligibility", f"{y0}-06-13", 0.92),
        ("Legal exam", f"{y0}-09-13", 0.52),
        ("Assessment centre", f"{y0}-11-08", 0.62),
        ("Interview", f"{year}-01-10", None),
    )
    return [
        _Process(
            f"INSP-{year}",
            f"Inspector promotion {year}",
            INSP,
            300 if planted else 200,
            inspector,
            minority_take=0.85 if planted else None,
        ),
        _Process(f"SGT-{year}", f"Sergeant promotion {year}", SGT, 500, sergeant),
    ]


STAGE_SPREAD_DAYS = {"Eligibility": 0, "Legal exam": 0, "Assessment centre": 14, "Interview": 10}
"""The eligibility sift and the national legal exam happen on one day; boards run for days."""


@dataclass(frozen=True)
class _Campaign:
    campaign_id: str
    name: str
    worker_type: int
    applicants: int
    stages: tuple[tuple[str, str, int, float], ...]  # (name, first date, spread days, pass share)
    female: float
    age_bands: tuple[float, ...]


def _campaigns(year: int) -> list[_Campaign]:
    y0 = year - 1
    constable = (
        ("Application", f"{y0}-04-03", 35, 0.85),
        ("Online assessment", f"{y0}-05-22", 14, 0.62),
        ("Assessment centre", f"{y0}-07-03", 25, 0.60),
        ("Interview", f"{y0}-09-04", 25, 0.75),
        ("Vetting and medical", f"{y0}-10-16", 45, 0.80),
        ("Appointment", f"{year}-01-08", 30, 0.95),
    )
    pcso = (
        ("Application", f"{y0}-05-01", 28, 0.80),
        ("Shortlisting", f"{y0}-06-12", 10, 0.55),
        ("Interview", f"{y0}-07-10", 20, 0.60),
        ("Vetting", f"{y0}-08-21", 40, 0.85),
        ("Appointment", f"{y0}-11-06", 25, 0.95),
    )
    staff = (
        ("Application", f"{y0}-04-17", 60, 0.75),
        ("Shortlisting", f"{y0}-06-26", 14, 0.50),
        ("Interview", f"{y0}-07-24", 30, 0.55),
        ("Vetting", f"{y0}-09-18", 40, 0.88),
        ("Appointment", f"{y0}-11-20", 30, 0.96),
    )
    return [
        _Campaign(
            f"PC-{year}", f"Police constable recruitment {year}", OFFICER, 2500, constable,
            0.40, (0.42, 0.36, 0.14, 0.06, 0.02),
        ),
        _Campaign(
            f"PCSO-{year}", f"PCSO recruitment {year}", PCSO, 400, pcso,
            0.48, (0.35, 0.30, 0.17, 0.12, 0.06),
        ),
        _Campaign(
            f"STAFF-{year}", f"Police staff recruitment {year}", STAFF, 600, staff,
            0.60, (0.22, 0.32, 0.22, 0.16, 0.08),
        ),
    ]  # fmt: skip


RECRUITMENT_WITHDREW, RECRUITMENT_DID_NOT_ATTEND = 0.05, 0.02
ENTRY_ROUTES = {"PCDA": 0.45, "DHEP": 0.40, "Police Now": 0.15}
RECRUITMENT_MINORITY, RECRUITMENT_NOT_STATED = 0.25, 0.05
JOINER_ROUTES = {  # officer joiners' entry route: (minority joiners, everyone else)
    "PCDA": (0.40, 0.46),
    "DHEP": (0.38, 0.41),
    "Police Now": (0.22, 0.13),
}
"""Police Now recruits a more diverse intake, so the joiners' section has a route to show."""

# --------------------------------------------------------------------------- file layout

HEADERS: dict[str, dict[str, str]] = {
    "staff_snapshot": {
        "staff_id": "Payroll Number",
        "snapshot_date": "Snapshot Date",
        "worker_type": "Worker Type",
        "rank_or_band": "Rank/Grade",
        "department": "Department",
        "lpu_code": "LPU",
        "role": "Role",
        "sex": "Gender",
        "ethnicity_code": "Ethnic Origin",
        "date_of_birth": "Date of Birth",
        "service_start_date": "Continuous Service Date",
        "rank_start_date": "Date in Rank",
        "fte": "FTE",
        "is_temporary_rank": "Temporary/Acting",
    },
    "joiners_leavers": {
        "staff_id": "Payroll Number",
        "movement_type": "Movement Type",
        "movement_date": "Effective Date",
        "worker_type": "Worker Type",
        "rank_or_band": "Rank/Grade",
        "department": "Department",
        "lpu_code": "LPU",
        "sex": "Gender",
        "ethnicity_code": "Ethnic Origin",
        "service_start_date": "Continuous Service Date",
        "leaving_reason": "Reason for Leaving",
        "entry_route": "Entry Route",
    },
    "promotion_candidates": {
        "process_id": "Process Ref",
        "process_name": "Process Title",
        "target_rank": "Rank Sought",
        "staff_id": "Payroll Number",
        "stage_order": "Stage No",
        "stage_name": "Stage",
        "outcome": "Result",
        "outcome_date": "Result Date",
    },
    "recruitment_applicants": {
        "campaign_id": "Campaign Ref",
        "campaign_name": "Campaign Title",
        "worker_type": "Post Type",
        "entry_route": "Entry Route",
        "applicant_id": "Applicant Ref",
        "sex": "Gender",
        "ethnicity_code": "Ethnicity",
        "age_band": "Age Band",
        "stage_order": "Stage Number",
        "stage_name": "Stage Name",
        "outcome": "Stage Outcome",
        "outcome_date": "Outcome Date",
    },
    "misconduct_cases": {
        "case_id": "Case Reference",
        "staff_id": "Subject Payroll No",
        "opened_date": "Date Recorded",
        "case_source": "Case Type",
        "misconduct_stage": "Furthest Stage",
        "misconduct_outcome": "Finding / Outcome",
        "suspension_status": "Suspension/Restriction",
        "closed_date": "Date Finalised",
    },
    "grievances": {
        "case_id": "Case Ref",
        "staff_id": "Employee Number",
        "grievance_type": "Case Type",
        "raised_date": "Date Raised",
        "alleges_discrimination": "Discrimination Alleged",
        "grievance_outcome": "Outcome",
        "closed_date": "Date Closed",
    },
    "training_development": {
        "programme_id": "Course Code",
        "programme_name": "Course Title",
        "programme_type": "Category",
        "staff_id": "Employee Number",
        "stage_order": "Step",
        "stage_name": "Step Name",
        "stage_type": "Step Type",
        "outcome": "Status",
        "outcome_date": "Status Date",
    },
    "appraisal_ratings": {
        "staff_id": "Payroll Number",
        "appraisal_year": "PDR Year",
        "rating": "Overall Rating",
    },
    "staff_survey": {
        "survey_id": "Survey",
        "survey_date": "Fieldwork Closed",
        "question_code": "Question No",
        "question_text": "Question",
        "ethnicity_code": "Ethnic Group",
        "sex": "Gender",
        "respondent_count": "Base (n)",
        "agreeing_count": "Agree (n)",
    },
}
"""canonical column -> header in the demo HR system's export (written into the config)."""
EXTRA_SNAPSHOT_COLUMNS = {"surname": "Surname", "ni_number": "NI Number"}
"""Personal data a real export carries and the pipeline must drop (it is not on the allow-list)."""
_SNAPSHOT_ORDER = (
    "staff_id", "surname", "snapshot_date", "worker_type", "rank_or_band", "department",
    "lpu_code", "role", "sex", "ethnicity_code", "date_of_birth", "ni_number",
    "service_start_date", "rank_start_date", "fte", "is_temporary_rank",
)  # fmt: skip

# --------------------------------------------------------------------------- helpers

DAY = np.timedelta64(1, "D")
YEAR_DAYS = 365.25


def _snapshot_date(year: int) -> np.datetime64:
    return np.datetime64(f"{year}-03-31")


def _years(later: np.ndarray, earlier: np.ndarray) -> np.ndarray:
    return (later - earlier).astype("int64") / YEAR_DAYS


def _days(years: np.ndarray) -> np.ndarray:
    return np.round(np.asarray(years) * YEAR_DAYS).astype("int64") * DAY


def _spread(rng: np.random.Generator, n: int, probs) -> np.ndarray:
    """Category per row whose counts are each within one of ``n * p`` (systematic sampling
    over a random order): composition comes out as specified rather than merely on average."""
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    cum = np.cumsum(np.asarray(list(probs), dtype=float))
    x = (rng.permutation(n) + rng.random()) / n
    return np.minimum(np.searchsorted(cum / cum[-1], x, side="right"), len(cum) - 1)


def _stratified_uniform(rng: np.random.Generator, strata: np.ndarray) -> np.ndarray:
    """Uniform draws spread evenly over [0, 1) within each stratum: each person keeps their
    own probability, but a group's total (e.g. minority specials leaving) is not left to
    chance, which in groups of a few hundred would swing shares by several points."""
    u = np.empty(len(strata))
    for stratum in np.unique(strata):
        rows = np.flatnonzero(strata == stratum)
        u[rows] = (rng.permutation(rows.size) + rng.random(rows.size)) / rows.size
    return u


GOLDEN = (np.sqrt(5.0) - 1.0) / 2.0


def even_points(
    rng: np.random.Generator, cells: np.ndarray, sex: np.ndarray, broad: np.ndarray
) -> np.ndarray:
    """A point in [0, 1) per row, spread evenly within each cell, so that a share set for
    the cell (``point < p``) comes out for every sex and broad ethnic group in it up to
    about one person.

    Within each cell, rows are ordered by sex and broad group (randomly within those) and
    given the points of a golden-ratio (Weyl) sequence from a random start: every run of
    consecutive rows, so every sex, broad group and both together, gets points spread evenly
    over [0, 1). (Independent draws would give the small groups chance differences as large
    as a planted one, and bury it among the fair ones.)"""
    points = np.empty(len(cells))
    for cell in np.unique(cells):
        rows = np.flatnonzero(cells == cell)
        order = rows[np.lexsort((rng.random(rows.size), broad[rows], sex[rows]))]
        points[order] = (rng.random() + np.arange(rows.size) * GOLDEN) % 1.0
    return points


def _allocate(rng: np.random.Generator, eth: np.ndarray, probs_for) -> np.ndarray:
    """Outcome index (into ``codes.OUTCOMES``) per row, allocated within the minority, White
    and not-stated groups so that each group's pass rate is the stage's rate up to rounding:
    with ~100 stages in the demo, chance 'findings' at a 5% level would otherwise bury the
    planted one. ``probs_for(group)`` gives (passed, withdrew, did_not_attend) shares."""
    out = np.empty(len(eth), dtype=np.int64)
    strata = ETH_STRATUM[eth]
    for stratum in np.unique(strata):
        rows = np.flatnonzero(strata == stratum)
        passed, withdrew, dna = probs_for(STRATA[stratum])
        # order of codes.OUTCOMES: passed, failed, withdrew, did_not_attend
        out[rows] = _spread(rng, len(rows), (passed, 1 - passed - withdrew - dna, withdrew, dna))
    return out


def _draw_ethnicity(
    rng: np.random.Generator, n: int, minority: float, not_stated: float
) -> np.ndarray:
    """Ethnicity index per person: ``minority`` is the ethnic-minority share among those who
    stated, White minorities are ~3% of all; within minorities the West Midlands mix."""
    p_min = (1 - not_stated) * minority
    p_w1 = 1 - not_stated - WHITE_MINORITY_SHARE - p_min
    kind = _spread(rng, n, (p_w1, WHITE_MINORITY_SHARE, p_min, not_stated))
    out = np.full(n, _ETH_INDEX["W1"], dtype=np.int64)
    for k, mix in ((1, _WHITE_MINORITY_MIX), (2, _MINORITY_MIX)):
        rows = np.flatnonzero(kind == k)
        names = np.array([_ETH_INDEX[c] for c in mix])
        p = np.array(list(mix.values()))
        out[rows] = names[rng.choice(len(names), size=len(rows), p=p / p.sum())]
    out[kind == 3] = _ETH_INDEX[codes.NOT_STATED]
    return out


def _business_days(rng: np.random.Generator, start, span_days: int, n: int) -> np.ndarray:
    offsets = rng.integers(0, max(span_days, 1), size=n)
    return np.busday_offset(np.datetime64(start) + offsets * DAY, 0, roll="forward")


# --------------------------------------------------------------------------- the people


class _Force:
    """Everyone who has ever been in post, as parallel arrays (one element a person), so a
    year of leavers, promotions and postings is a handful of vectorised updates."""

    FIELDS: ClassVar[dict[str, str]] = {
        "number": "int64", "wt": "int64", "rank": "int64", "dept": "int64", "role": "int64",
        "lpu": "int64", "sex": "int64", "eth": "int64", "dob": "datetime64[D]",
        "start": "datetime64[D]", "rank_start": "datetime64[D]", "fte": "float64",
        "surname": "int64", "ni": "int64", "active": "bool", "left": "datetime64[D]",
        "reason": "int64",
    }  # fmt: skip

    def __init__(self) -> None:
        self.a = {name: np.empty(0, dtype=dtype) for name, dtype in self.FIELDS.items()}
        self.next_number = 100_000

    def __len__(self) -> int:
        return len(self.a["number"])

    def add(self, rng: np.random.Generator, people: dict[str, np.ndarray]) -> np.ndarray:
        """Append people; payroll numbers are issued in order of joining, as HR does."""
        n = len(people["wt"])
        order = np.lexsort((rng.random(n), people["start"]))
        people = {k: v[order] for k, v in people.items()}
        people["number"] = self.next_number + np.cumsum(rng.integers(1, 25, size=n))
        self.next_number = int(people["number"][-1]) + 1 if n else self.next_number
        defaults = {"active": True, "left": np.datetime64("NaT"), "reason": -1}
        first = len(self)
        for name, dtype in self.FIELDS.items():
            value = people.get(name, defaults.get(name))
            column = np.broadcast_to(np.asarray(value, dtype=dtype), (n,))
            self.a[name] = np.concatenate([self.a[name], column])
        return np.arange(first, first + n)

    def active(self, wt: int | None = None, rank: int | None = None) -> np.ndarray:
        mask = self.a["active"].copy()
        if wt is not None:
            mask &= self.a["wt"] == wt
        if rank is not None:
            mask &= self.a["rank"] == rank
        return np.flatnonzero(mask)


def _fte(rng: np.random.Generator, wt: np.ndarray, rank: np.ndarray, sex: np.ndarray):
    """Part-time work: mostly women constables among officers (~8%), ~25% of staff."""
    female = sex == 0
    p = np.select(
        [
            (wt == OFFICER) & (rank >= ACC),
            (wt == OFFICER) & (rank == CON),
            wt == OFFICER,
            wt == STAFF,
            wt == PCSO,
        ],
        [0.0, np.where(female, 0.27, 0.03), np.where(female, 0.10, 0.01),
         np.where(female, 0.33, 0.10), np.where(female, 0.25, 0.05)],
        default=0.0,
    )  # fmt: skip
    fte = np.where(
        rng.random(len(wt)) < p,
        rng.choice(PART_TIME_FTE, size=len(wt), p=PART_TIME_FTE_SHARE),
        1.0,
    )
    return np.where(wt == SPECIAL, rng.choice(SPECIAL_FTE, size=len(wt)), fte)


def _choose(rng: np.random.Generator, size: int, weights) -> np.ndarray:
    w = np.asarray(list(weights), dtype=float)
    return rng.choice(len(w), size=size, p=w / w.sum())


def _postings(rng: np.random.Generator, wt, rank, eth, probationer=None):
    """Department, role and LPU per person. Specialist units and LPUs differ in their
    minority share (fewer in firearms, roads policing and professional standards; more in
    Birmingham and Sandwell), so the pipeline's breakdowns have something real to show."""
    n = len(wt)
    minority = ETH_MINORITY[eth]
    officer = wt == OFFICER
    level = np.select([rank == CON, rank <= INSP, rank <= CSUPT], [0, 1, 2], 3)
    dept = np.full(n, LOCAL_POLICING, dtype=np.int64)
    for group, shares in [
        *((officer & (level == lv), [d.officer_share[lv] for d in DEPARTMENTS]) for lv in range(3)),
        (wt == STAFF, [d.staff_share for d in DEPARTMENTS]),
    ]:
        for is_minority in (False, True):
            rows = np.flatnonzero(group & (minority == is_minority))
            factor = [d.minority_multiplier if is_minority else 1.0 for d in DEPARTMENTS]
            dept[rows] = _choose(rng, rows.size, np.multiply(shares, factor))
    dept[officer & (level == 3)] = CHIEF_OFFICER_TEAM
    special = np.flatnonzero(wt == SPECIAL)
    dept[special] = np.where(rng.random(special.size) < 0.1, ROADS_POLICING, LOCAL_POLICING)
    if probationer is not None:
        dept[probationer] = LOCAL_POLICING

    role = np.full(n, _ROLE_INDEX["Neighbourhood"], dtype=np.int64)  # PCSOs
    for d_index, d in enumerate(DEPARTMENTS):
        for group, roles in ((officer, d.officer_roles), (wt == STAFF, d.staff_roles)):
            rows = np.flatnonzero(group & (dept == d_index))
            if rows.size and roles:
                names = np.array([_ROLE_INDEX[r] for r in roles])
                role[rows] = names[_choose(rng, rows.size, list(roles.values()))]
    command = officer & (rank >= SUPT)
    role[command] = _ROLE_INDEX["Command"]
    role[officer & (rank >= ACC)] = _ROLE_INDEX["Chief Officer"]
    for rows, roles in (
        (np.flatnonzero((wt == SPECIAL) & (dept == LOCAL_POLICING)), PATROL_ROLES),
        (np.flatnonzero(probationer) if probationer is not None else [], PROBATIONER_ROLES),
    ):
        names = np.array([_ROLE_INDEX[r] for r in roles])
        role[rows] = names[_choose(rng, len(rows), list(roles.values()))]
    role[(wt == SPECIAL) & (dept == ROADS_POLICING)] = _ROLE_INDEX["Roads Policing Officer"]

    lpu = np.empty(n, dtype=np.int64)
    for is_minority in (False, True):
        rows = np.flatnonzero(minority == is_minority)
        weights = [share * (factor if is_minority else 1.0) for *_, share, factor in LPUS]
        lpu[rows] = _choose(rng, rows.size, weights)
    return dept, role, lpu


def _people(
    rng: np.random.Generator,
    wt: int,
    rank: np.ndarray,
    start: np.ndarray,
    rank_start: np.ndarray,
    eth: np.ndarray,
    female: float,
    max_age_at: tuple[np.datetime64, float] | None = None,
    probationer: bool = False,
) -> dict[str, np.ndarray]:
    """A block of new people of one worker type, with consistent dates and a posting."""
    n = len(rank)
    shape, scale, lo, hi = INTAKE[wt].join_age
    join_age = np.clip(18 + rng.gamma(shape, scale, n), lo, hi)
    if max_age_at is not None:
        on, max_age = max_age_at
        join_age = np.clip(np.minimum(join_age, max_age - _years(on, start)), 18, None)
    sex = _spread(rng, n, (female, 1 - female))
    wts = np.full(n, wt, dtype=np.int64)
    dept, role, lpu = _postings(rng, wts, rank, eth, np.full(n, probationer))
    fte = np.ones(n) if probationer else _fte(rng, wts, rank, sex)
    return {
        "wt": wts, "rank": rank, "dept": dept, "role": role, "lpu": lpu, "sex": sex,
        "eth": eth, "dob": start - _days(join_age) - rng.integers(0, 60, n) * DAY,
        "start": start, "rank_start": rank_start, "fte": fte,
        "surname": rng.integers(0, len(SURNAMES), n), "ni": rng.integers(0, 1_000_000, n),
    }  # fmt: skip


def _concat(blocks: list[dict[str, np.ndarray]]) -> dict[str, np.ndarray]:
    return {k: np.concatenate([b[k] for b in blocks]) for k in blocks[0]}


def _initial_stock(rng: np.random.Generator, force: _Force, on: np.datetime64) -> None:
    """Everyone in post on the first snapshot date, rank by rank."""
    year = SNAPSHOT_YEARS[0]
    blocks = []
    n_constables = HEADCOUNT[OFFICER][year] - sum(RANK_HEADCOUNT.values())
    for rank, spec in OFFICER_STOCK.items():
        n = n_constables if rank == CON else RANK_HEADCOUNT[rank]
        lo, span, a, b = spec.service
        service = lo + span * rng.beta(a, b, n)
        if rank == CON:
            uplift = _spread(rng, n, (UPLIFT_CONSTABLES, 1 - UPLIFT_CONSTABLES)) == 0
            service[uplift] = 3.5 * rng.random(uplift.sum())
        start = on - _days(service)
        room = np.clip(np.minimum(spec.max_years_in_rank, service - spec.min_service), 0, None)
        rank_start = start if rank == CON else on - _days(rng.random(n) * room)
        eth = _draw_ethnicity(rng, n, spec.minority, STOCK_NOT_STATED[OFFICER])
        ranks = np.full(n, rank, dtype=np.int64)
        blocks.append(_people(rng, OFFICER, ranks, start, rank_start, eth, spec.female, (on, 59)))

    n = HEADCOUNT[STAFF][year]
    band = _spread(rng, n, STAFF_BAND_SHARE)
    service = 35 * rng.beta(1.2, 3.0, n)
    eth = np.empty(n, dtype=np.int64)
    for b, share in enumerate(STAFF_BAND_MINORITY):
        rows = np.flatnonzero(band == b)
        eth[rows] = _draw_ethnicity(rng, rows.size, share, STOCK_NOT_STATED[STAFF])
    start = on - _days(service)
    rank_start = on - _days(rng.random(n) * np.minimum(service, 10))
    blocks.append(_people(rng, STAFF, band, start, rank_start, eth, STOCK_FEMALE[STAFF], (on, 63)))

    for wt, years, ranks in (
        (PCSO, 18 * rng.beta(1.2, 2.5, HEADCOUNT[PCSO][year]), None),
        (SPECIAL, 12 * rng.beta(1.0, 3.0, HEADCOUNT[SPECIAL][year]), SPECIAL_RANK_SHARE),
    ):
        n = len(years)
        rank = np.zeros(n, dtype=np.int64) if ranks is None else _spread(rng, n, ranks)
        start = on - _days(years)
        rank_start = np.where(rank == 0, start, on - _days(rng.random(n) * years))
        eth = _draw_ethnicity(rng, n, STOCK_MINORITY[wt], STOCK_NOT_STATED[wt])
        blocks.append(_people(rng, wt, rank, start, rank_start, eth, STOCK_FEMALE[wt], (on, 60)))
    force.add(rng, _concat(blocks))


def _leaving_reasons(rng: np.random.Generator, force: _Force, idx: np.ndarray, t0) -> np.ndarray:
    """Index into ``codes.LEAVING_REASONS`` per person, or -1 for those who stay the year:
    retirement with long service or age, resignation mostly early in service (and more often
    for minority officers), dismissal rare."""
    a = force.a
    wt = a["wt"][idx]
    service = _years(t0, a["start"][idx])
    age = _years(t0, a["dob"][idx])
    officer, staff, pcso = wt == OFFICER, wt == STAFF, wt == PCSO
    minority = ETH_MINORITY[a["eth"][idx]]
    resign_staff = np.select([service < 2, service < 5, service < 10], [0.12, 0.08, 0.05], 0.03)
    resign_officer = np.select(
        [service < 2, service < 5, service < 10, service < 20], [0.09, 0.055, 0.03, 0.015], 0.008
    ) * np.where(minority, MINORITY_RESIGNATION_FACTOR, 1.0)
    long_service = (service >= 26) & (age >= 48)
    hazards = {
        "resignation": np.select(
            [officer, staff, pcso],
            [resign_officer, resign_staff, np.where(service < 2, 0.14, 0.09)],
            0.15,
        ),
        "retirement": np.where(
            officer,
            np.select([age >= 65, age >= 60, service >= 30, age >= 55, long_service],
                      [1.0, 0.5, 0.45, 0.2, 0.12], 0.0),
            np.select([age >= 65, age >= 60, age >= 55], [1.0, 0.25, 0.04], 0.0),
        ),
        "dismissal": np.select([officer, staff, pcso], [0.0025, 0.002, 0.003], 0.01),
        "transfer": np.select([officer, staff], [0.008, 0.004], 0.0),
        "death": np.full(len(idx), 0.0006),
        "other": np.select([officer, staff, pcso], [0.003, 0.015, 0.02], 0.05),
    }  # fmt: skip
    p = np.column_stack([hazards[reason] for reason in codes.LEAVING_REASONS])
    p /= np.maximum(p.sum(axis=1, keepdims=True), 1.0)
    u = _stratified_uniform(rng, wt * 2 + minority)
    reason = (u[:, None] >= np.cumsum(p, axis=1)).sum(axis=1)
    return np.where(reason < p.shape[1], reason, -1)


def _candidate_weight(target: int, service: np.ndarray) -> np.ndarray:
    """Who comes forward: constables after probation, most in their middle years."""
    if target == SGT:
        return np.select([service < 2, service < 4, service < 15, service < 25],
                         [0.0, 1.0, 1.6, 0.6], 0.15)  # fmt: skip
    return np.select([service < 5, service < 20], [0.0, 1.0], 0.5)


def _run_process(rng, force: _Force, proc: _Process, pool: np.ndarray, t0, t1, need: int):
    """One promotion process: candidate rows for every stage reached, and who was promoted
    (those passing the final stage) with their promotion dates."""
    a = force.a
    weight = _candidate_weight(proc.target_rank, _years(t0, a["start"][pool]))
    able = weight > 0
    n = min(round(proc.candidates * rng.uniform(0.96, 1.04)), int(able.sum()))
    if proc.minority_take is None:
        chosen = rng.choice(pool, size=n, replace=False, p=weight / weight.sum())
    else:
        minority = ETH_MINORITY[a["eth"][pool]] & able
        keen = pool[minority & (rng.random(pool.size) < proc.minority_take)]
        rest = able & ~minority
        others = rng.choice(
            pool[rest], size=n - keen.size, replace=False, p=weight[rest] / weight[rest].sum()
        )
        chosen = rng.permutation(np.concatenate([keen, others]))
    frames, at, dates = [], chosen, np.zeros(0, dtype="datetime64[D]")
    for order, (stage, first, share) in enumerate(proc.stages, start=1):
        withdrew, dna = WITHDREW, (0.0 if stage == "Eligibility" else DID_NOT_ATTEND)
        if share is None:  # the final board fills the vacancies, whoever reaches it
            share = float(np.clip(need / max(at.size, 1), 0.0, 1 - withdrew - dna))
        planted = (proc.process_id, stage) == PLANTED_ADVERSE_STAGE

        def probs_for(group: str, share=share, planted=planted, withdrew=withdrew, dna=dna):
            if planted:
                share = PLANTED_PASS_RATES["minority" if group == "minority" else "other"]
            return share, withdrew, dna

        outcome = _allocate(rng, a["eth"][at], probs_for)
        dates = _business_days(rng, first, STAGE_SPREAD_DAYS[stage], at.size)
        frames.append(
            pd.DataFrame(
                {
                    "process_id": proc.process_id,
                    "process_name": proc.name,
                    "target_rank": codes.OFFICER_RANKS[proc.target_rank],
                    "staff_id": _payroll(a["number"][at]),
                    "stage_order": order,
                    "stage_name": stage,
                    "outcome": np.array(codes.OUTCOMES)[outcome],
                    "outcome_date": dates,
                }
            )
        )
        at, dates = at[outcome == 0], dates[outcome == 0]
    effective = np.busday_offset(dates, rng.integers(15, 45, at.size), roll="forward")
    return pd.concat(frames, ignore_index=True), at, np.minimum(effective, t1 - DAY)


def _appoint(rng, force: _Force, target: int, pool: np.ndarray, need: int, t0) -> np.ndarray:
    """Senior appointments (chief inspector and above), which no extract records.

    With posts this few, chance alone would swing a rank's minority share by several
    points a year; appointments instead hold each rank at its ``OFFICER_STOCK`` share, so
    representation keeps falling steadily with rank from inspector upwards."""
    a = force.a
    service = _years(t0, a["start"][pool])
    in_rank = _years(t0, a["rank_start"][pool])
    weight = np.where(service >= OFFICER_STOCK[target].min_service, 1.0, 0.0)
    weight *= np.where(in_rank >= 2, 1.0, 0.25)
    k = min(need, int((weight > 0).sum()))
    if k <= 0:
        return np.zeros(0, dtype=np.int64)
    members = a["eth"][force.active(OFFICER, target)]
    stated = int((members != _ETH_INDEX[codes.NOT_STATED]).sum()) + k
    wanted = round(OFFICER_STOCK[target].minority * stated) - int(ETH_MINORITY[members].sum())
    minority = ETH_MINORITY[a["eth"][pool]]
    w_min, w_other = weight * minority, weight * ~minority
    n_min = min(int(np.clip(wanted, 0, k)), int((w_min > 0).sum()))
    n_other = min(k - n_min, int((w_other > 0).sum()))
    n_min = min(k - n_other, int((w_min > 0).sum()))  # too few others: minority fill the rest
    picks = [
        rng.choice(pool, size=count, replace=False, p=w / w.sum())
        for count, w in ((n_min, w_min), (n_other, w_other))
        if count > 0
    ]
    return np.concatenate(picks) if picks else np.zeros(0, dtype=np.int64)


def _promote(rng, force: _Force, year: int, t0, t1) -> tuple[pd.DataFrame, np.ndarray]:
    """Fill every vacancy above constable from the rank below, top down, so each pool is
    the rank as it stood at the last snapshot. Sergeant and inspector vacancies are filled
    by the year's promotion processes; the few senior posts by appointment."""
    a = force.a
    processes = {p.target_rank: p for p in _promotion_processes(year)}
    frames, promoted = [], []
    span = int((t1 - t0) / DAY) - 5
    for target in (CC, DCC, ACC, CSUPT, SUPT, CI, INSP, SGT):
        need = RANK_HEADCOUNT[target] - force.active(OFFICER, target).size
        pool = force.active(OFFICER, target - 1)
        if target in processes:
            frame, winners, dates = _run_process(rng, force, processes[target], pool, t0, t1, need)
            frames.append(frame)
        else:
            winners = _appoint(rng, force, target, pool, need, t0)
            dates = _business_days(rng, t0 + DAY, span, winners.size)
        a["rank"][winners] = target
        a["rank_start"][winners] = dates
        promoted.append(winners)
    return pd.concat(frames, ignore_index=True), np.concatenate(promoted)


def _add_joiners(rng, force: _Force, wt: int, n: int, t0, t1) -> np.ndarray:
    """Recruits join as constables in intakes; others join on any working day."""
    spec = INTAKE[wt]
    span = int((t1 - t0) / DAY) - 5
    if wt == OFFICER:
        months = np.array([f"{t0.astype(object).year + (m < 4)}-{m:02d}" for m in INTAKE_MONTHS],
                          dtype="datetime64[M]").astype("datetime64[D]")  # fmt: skip
        intakes = np.busday_offset(months, 0, roll="forward", weekmask="Mon")
        start = intakes[_choose(rng, n, INTAKE_MONTHS.values())]
        rank = np.zeros(n, dtype=np.int64)
    else:
        start = _business_days(rng, t0 + DAY, span, n)
        rank = _spread(rng, n, JOINER_BAND_SHARE) if wt == STAFF else np.zeros(n, np.int64)
    eth = _draw_ethnicity(rng, n, spec.minority, spec.not_stated)
    block = _people(rng, wt, rank, start, start, eth, spec.female, probationer=wt == OFFICER)
    return force.add(rng, block)


LATERAL_MOVE_RATE = (0.35, 0.10, 0.06, 0.0)
"""Share of each kind of stayer moved in a year: officers just out of probation (2 to 3
years' service), other officers, police staff, PCSOs and specials (who never move). Movers
are chosen evenly within worker type, kind and ethnic stratum (:func:`even_points`), so the
demo's lateral moves are fair: the planted disproportionality is elsewhere."""


def _repost(rng, a: dict[str, np.ndarray], idx: np.ndarray):
    """New department, role and LPU for the people ``idx``: a posting that lands where the
    person already was is drawn again (a few times), so a move changes department or role
    for everyone whose rank has more than one post (a chief officer's has one)."""
    dept, role, lpu = _postings(rng, a["wt"][idx], a["rank"][idx], a["eth"][idx])
    for _ in range(5):
        same = np.flatnonzero((dept == a["dept"][idx]) & (role == a["role"][idx]))
        if same.size == 0:
            break
        who = idx[same]
        dept[same], role[same], lpu[same] = _postings(
            rng, a["wt"][who], a["rank"][who], a["eth"][who]
        )
    return dept, role, lpu


def _simulate_year(rng, force: _Force, year: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One reporting year: leavers, promotions, moves and joiners, in that order, so that
    promotion candidates are always in the previous snapshot and joiners never leave or get
    promoted before they first appear in one."""
    a = force.a
    t0, t1 = _snapshot_date(year - 1), _snapshot_date(year)
    span = int((t1 - t0) / DAY)
    stock = force.active()
    reason = _leaving_reasons(rng, force, stock, t0)
    leavers = stock[reason >= 0]
    a["active"][leavers] = False
    a["left"][leavers] = t0 + rng.integers(1, span, leavers.size) * DAY
    a["reason"][leavers] = reason[reason >= 0]

    promotions, promoted = _promote(rng, force, year, t0, t1)

    stayers = force.active()
    wt, service = a["wt"][stayers], _years(t0, a["start"][stayers])
    move_class = np.select(
        [(wt == OFFICER) & (service >= 2) & (service < 3), wt == OFFICER, wt == STAFF], [0, 1, 2], 3
    )
    p_move = np.array(LATERAL_MOVE_RATE)[move_class]
    eth = a["eth"][stayers]
    cells = (wt * len(LATERAL_MOVE_RATE) + move_class) * len(STRATA) + ETH_STRATUM[eth]
    points = even_points(rng, cells, a["sex"][stayers], ETH_BROAD[eth])
    moving = np.union1d(stayers[points < p_move], promoted)
    a["dept"][moving], a["role"][moving], a["lpu"][moving] = _repost(rng, a, moving)
    staff = force.active(STAFF)
    regraded = staff[(rng.random(staff.size) < 0.04) & (a["rank"][staff] < len(LADDERS[STAFF]) - 1)]
    a["rank"][regraded] += 1
    a["rank_start"][regraded] = _business_days(rng, t0 + DAY, span - 5, regraded.size)

    joiners = [
        _add_joiners(rng, force, wt, HEADCOUNT[wt][year] - force.active(wt).size, t0, t1)
        for wt in range(len(WORKER_TYPES))
    ]
    return _movements(force, leavers, np.concatenate(joiners)), promotions


# --------------------------------------------------------------------------- extracts as frames

RANK_LABELS = np.array([label for ladder in LADDERS for label in ladder], dtype=object)
_LADDER_OFFSET = np.cumsum([0, *(len(ladder) for ladder in LADDERS[:-1])])


def _payroll(numbers: np.ndarray) -> np.ndarray:
    return np.array([f"WM{n:06d}" for n in numbers], dtype=object)


def _describe(force: _Force, idx: np.ndarray) -> dict[str, np.ndarray]:
    """The HR system's view of people: codes and labels instead of indices."""
    a = force.a
    return {
        "staff_id": _payroll(a["number"][idx]),
        "worker_type": np.array(WORKER_TYPE_LABELS, dtype=object)[a["wt"][idx]],
        "rank_or_band": RANK_LABELS[_LADDER_OFFSET[a["wt"][idx]] + a["rank"][idx]],
        "department": np.array([d.name for d in DEPARTMENTS], dtype=object)[a["dept"][idx]],
        "lpu_code": np.array([lpu[2] for lpu in LPUS], dtype=object)[a["lpu"][idx]],
        "role": np.array(ROLES, dtype=object)[a["role"][idx]],
        "sex": np.array(["F", "M"], dtype=object)[a["sex"][idx]],
        "ethnicity_code": np.array(ETH_CODES, dtype=object)[a["eth"][idx]],
        "date_of_birth": a["dob"][idx],
        "service_start_date": a["start"][idx],
        "rank_start_date": a["rank_start"][idx],
        "fte": a["fte"][idx],
        "surname": np.array(SURNAMES, dtype=object)[a["surname"][idx]],
        "ni_number": np.array([f"QQ{n:06d}C" for n in a["ni"][idx]], dtype=object),
    }


def _snapshot(rng: np.random.Generator, force: _Force, on: np.datetime64) -> pd.DataFrame:
    """Everyone in post, in payroll order; ~4% of sergeants and above are acting up."""
    a = force.a
    idx = force.active()
    idx = idx[np.argsort(a["number"][idx], kind="stable")]
    wt, rank = a["wt"][idx], a["rank"][idx]
    p_acting = np.select([(wt == OFFICER) & (rank >= SGT) & (rank < CC), wt == STAFF], [0.04, 0.02])
    people = _describe(force, idx)
    acting = np.where(rng.random(idx.size) < p_acting, "Y", "N").astype(object)
    columns = {**people, "snapshot_date": np.full(idx.size, on), "is_temporary_rank": acting}
    return pd.DataFrame({name: columns[name] for name in _SNAPSHOT_ORDER})


def _entry_routes(force: _Force, idx: np.ndarray) -> np.ndarray:
    """Officer joiners' entry route (others: "Not applicable"), from a generator of its own
    seeded by the payroll numbers, so that adding routes changed no other simulated value."""
    a = force.a
    rng = np.random.default_rng(int(a["number"][idx].sum()))
    routes = np.full(idx.size, "Not applicable", dtype=object)
    names = np.array(list(JOINER_ROUTES), dtype=object)
    minority = ETH_MINORITY[a["eth"][idx]]
    for column, is_minority in ((0, True), (1, False)):
        rows = np.flatnonzero((a["wt"][idx] == OFFICER) & (minority == is_minority))
        routes[rows] = names[_spread(rng, rows.size, [p[column] for p in JOINER_ROUTES.values()])]
    return routes


def _movements(force: _Force, leavers: np.ndarray, joiners: np.ndarray) -> pd.DataFrame:
    a = force.a
    frames = []
    for kind, idx in (("leaver", leavers), ("joiner", joiners)):
        people = _describe(force, idx)
        frame = pd.DataFrame({k: people[k] for k in HEADERS["joiners_leavers"] if k in people})
        frame.insert(1, "movement_type", kind)
        frame.insert(2, "movement_date", a["left"][idx] if kind == "leaver" else a["start"][idx])
        frame["leaving_reason"] = (
            np.array(codes.LEAVING_REASONS, dtype=object)[a["reason"][idx]]
            if kind == "leaver"
            else None
        )
        frame["entry_route"] = _entry_routes(force, idx) if kind == "joiner" else None
        frames.append(frame)
    movements = pd.concat(frames, ignore_index=True)
    return movements.sort_values(["movement_date", "staff_id"], ignore_index=True)


def _recruitment(rng: np.random.Generator, campaign: _Campaign, first_id: int) -> pd.DataFrame:
    """Applicants of one campaign, one row per stage reached; every stage fair."""
    n = round(campaign.applicants * rng.uniform(0.93, 1.07))
    eth = _draw_ethnicity(rng, n, RECRUITMENT_MINORITY, RECRUITMENT_NOT_STATED)
    sex = np.array(["F", "M"], dtype=object)[
        _spread(rng, n, (campaign.female, 1 - campaign.female))
    ]
    age = np.array(codes.AGE_BANDS, dtype=object)[_spread(rng, n, campaign.age_bands)]
    if campaign.worker_type == OFFICER:
        route = np.array(list(ENTRY_ROUTES), dtype=object)[_spread(rng, n, ENTRY_ROUTES.values())]
    else:
        route = np.full(n, "Not applicable", dtype=object)
    ids = np.array([f"APP{i:07d}" for i in first_id + np.cumsum(rng.integers(1, 4, n))])
    frames, at = [], np.arange(n)
    for order, (stage, first, spread, share) in enumerate(campaign.stages, start=1):
        outcome = _allocate(
            rng,
            eth[at],
            lambda _group, s=share: (s, RECRUITMENT_WITHDREW, RECRUITMENT_DID_NOT_ATTEND),
        )
        frames.append(
            pd.DataFrame(
                {
                    "campaign_id": campaign.campaign_id,
                    "campaign_name": campaign.name,
                    "worker_type": WORKER_TYPE_LABELS[campaign.worker_type],
                    "entry_route": route[at],
                    "applicant_id": ids[at],
                    "sex": sex[at],
                    "ethnicity_code": np.array(ETH_CODES, dtype=object)[eth[at]],
                    "age_band": age[at],
                    "stage_order": order,
                    "stage_name": stage,
                    "outcome": np.array(codes.OUTCOMES, dtype=object)[outcome],
                    "outcome_date": _business_days(rng, first, spread, at.size),
                }
            )
        )
        at = at[outcome == 0]
    return pd.concat(frames, ignore_index=True)


def _people_in_post(force: _Force, idx: np.ndarray, on: np.datetime64) -> pd.DataFrame:
    """What the monitoring extracts need to know about people (pipeline.demo_monitoring.Year)."""
    a = force.a
    return pd.DataFrame(
        {
            "staff_id": _payroll(a["number"][idx]),
            "wt": a["wt"][idx],
            "rank": a["rank"][idx],
            "ethnicity_code": np.array(ETH_CODES, dtype=object)[a["eth"][idx]],
            "stratum": ETH_STRATUM[a["eth"][idx]],
            "sex": a["sex"][idx],
            "service": _years(on, a["start"][idx]),
            "left": np.full(idx.size, np.datetime64("NaT"), dtype="datetime64[D]"),
            "dismissed": np.zeros(idx.size, dtype=bool),
        }
    )


def _simulate(seed: int) -> list[tuple[str, str, pd.DataFrame]]:
    """(kind, file stem, canonical frame) for every extract, in the order they are written."""
    from pipeline import demo_monitoring

    force_rng, recruitment_rng, monitoring_rng = np.random.default_rng(seed).spawn(3)
    force = _Force()
    first = _snapshot_date(SNAPSHOT_YEARS[0])
    _initial_stock(force_rng, force, first)
    out = [("staff_snapshot", f"staff_snapshot_{first}", _snapshot(force_rng, force, first))]
    next_applicant = 1_000_000
    dismissal = codes.LEAVING_REASONS.index("dismissal")
    for year in PROCESS_YEARS:
        t0 = _snapshot_date(year - 1)
        stock = force.active()
        at_start = _people_in_post(force, stock, t0)
        movements, promotions = _simulate_year(force_rng, force, year)
        on = _snapshot_date(year)
        at_start["left"] = force.a["left"][stock]
        at_start["dismissed"] = ~force.a["active"][stock] & (force.a["reason"][stock] == dismissal)
        monitored = demo_monitoring.Year(
            year, t0, on, at_start, _people_in_post(force, force.active(), on)
        )
        recruitment = []
        for campaign in _campaigns(year):
            recruitment.append(_recruitment(recruitment_rng, campaign, next_applicant))
            next_applicant = int(recruitment[-1]["applicant_id"].str[3:].astype(int).max()) + 1
        out += [
            ("staff_snapshot", f"staff_snapshot_{on}", _snapshot(force_rng, force, on)),
            ("joiners_leavers", f"joiners_leavers_{year}", movements),
            ("promotion_candidates", f"promotion_candidates_{year}", promotions),
            (
                "recruitment_applicants",
                f"recruitment_applicants_{year}",
                pd.concat(recruitment, ignore_index=True),
            ),
            *demo_monitoring.year_extracts(monitoring_rng, monitored),
        ]
    return out


# --------------------------------------------------------------------------- writing files

EXCEL_KINDS = frozenset(
    ("promotion_candidates", "recruitment_applicants", "grievances", "training_development",
     "staff_survey")
)  # fmt: skip
"""In the "mixed" format these come as workbooks (as from an ATS), the rest as CSV exports."""
SHEET_NAMES = {
    "staff_snapshot": "Establishment",
    "joiners_leavers": "Starters and Leavers",
    "promotion_candidates": "Candidates",
    "recruitment_applicants": "Applicants",
    "misconduct_cases": "Cases",
    "grievances": "Case register",
    "training_development": "Learning records",
    "staff_survey": "Results by group",
    "appraisal_ratings": "PDR",
}


def _hr_frame(kind: str, frame: pd.DataFrame) -> pd.DataFrame:
    return frame.rename(columns={**HEADERS[kind], **EXTRA_SNAPSHOT_COLUMNS})


def _write_csv(frame: pd.DataFrame, path: Path) -> None:
    """UK HR export style: dd/mm/yyyy dates, FTE to two decimals, CRLF line ends."""
    text = pd.DataFrame(index=frame.index)
    for name, column in frame.items():
        if pd.api.types.is_datetime64_any_dtype(column):
            text[name] = column.dt.strftime("%d/%m/%Y").fillna("")
        elif pd.api.types.is_float_dtype(column):
            text[name] = column.map("{:.2f}".format)
        else:
            text[name] = column.astype(object).where(column.notna(), "").astype(str)
    text.to_csv(path, index=False, encoding="utf-8", lineterminator="\r\n")


_NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_NS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_NS_PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
_XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_XLSX_PARTS = {
    "[Content_Types].xml": (
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" '
        'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        '<Override PartName="/xl/styles.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
        '<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
        "</Types>"
    ),
    "_rels/.rels": (
        f'<Relationships xmlns="{_NS_PKG}"><Relationship Id="rId1" '
        f'Type="{_NS_REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
    ),
    "xl/_rels/workbook.xml.rels": (
        f'<Relationships xmlns="{_NS_PKG}">'
        f'<Relationship Id="rId1" Type="{_NS_REL}/worksheet" Target="worksheets/sheet1.xml"/>'
        f'<Relationship Id="rId2" Type="{_NS_REL}/styles" Target="styles.xml"/>'
        f'<Relationship Id="rId3" Type="{_NS_REL}/sharedStrings" Target="sharedStrings.xml"/>'
        "</Relationships>"
    ),
    "xl/styles.xml": (
        f'<styleSheet xmlns="{_NS_MAIN}">'
        '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
        '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
        '<fills count="2"><fill><patternFill patternType="none"/></fill>'
        '<fill><patternFill patternType="gray125"/></fill></fills>'
        '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
        '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>'
        "</cellStyleXfs>"
        '<cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
        '<xf numFmtId="14" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
        '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
        "</cellXfs>"
        '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
        "</styleSheet>"
    ),
}
"""The fixed parts of a one-sheet workbook. Style 1 is the built-in short date (format 14,
shown as dd/mm/yyyy in a UK locale), which is what makes a cell a *native* Excel date."""
_EXCEL_EPOCH = np.datetime64("1899-12-30")


def _column_letter(j: int) -> str:
    letters = ""
    j += 1
    while j:
        j, r = divmod(j - 1, 26)
        letters = chr(65 + r) + letters
    return letters


def _write_xlsx(frame: pd.DataFrame, path: Path, sheet: str) -> None:
    """A minimal one-sheet workbook written directly (shared strings, native dates).

    Why not openpyxl: it takes several seconds for the demo's ~60,000 rows and stamps the
    current time into the file; this is fast and byte-for-byte reproducible."""
    strings: dict[str, int] = {}
    header = "".join(
        f'<c r="{_column_letter(j)}1" t="s" s="2"><v>{strings.setdefault(str(name), j)}</v></c>'
        for j, name in enumerate(frame.columns)
    )
    values, blanks, cells = [], [], []
    for j, (_name, column) in enumerate(frame.items()):
        blank = column.isna().to_numpy()
        if pd.api.types.is_datetime64_any_dtype(column):
            serial = (column.to_numpy("datetime64[D]") - _EXCEL_EPOCH).astype("int64")
            text, style = serial.astype(str), ' s="1"'
        elif pd.api.types.is_numeric_dtype(column):
            text, style = column.astype(str).to_numpy(), ""
        else:
            blank = blank | column.astype(object).eq("").to_numpy()
            codes_, uniques = pd.factorize(column.astype(object).where(~blank))
            index = np.array([strings.setdefault(str(u), len(strings)) for u in uniques] + [0])
            text, style = index[codes_].astype(str), ' t="s"'
        values.append(text.tolist())
        blanks.append(blank)
        cells.append(f'<c r="{_column_letter(j)}{{0}}"{style}><v>{{{j + 1}}}</v></c>')
    # One str.format per row; a row with blank cells uses a template without those cells.
    pattern = np.packbits(np.column_stack(blanks), axis=1) if len(frame) else np.zeros((0, 1))
    templates: dict[bytes, str] = {}
    rows = []
    for r, key, row in zip(
        range(2, len(frame) + 2), map(bytes, pattern), zip(*values, strict=True), strict=True
    ):
        template = templates.get(key)
        if template is None:
            skip = np.unpackbits(np.frombuffer(key, dtype=np.uint8))[: len(cells)]
            template = templates[key] = (
                '<row r="{0}">' + "".join(c for c, s in zip(cells, skip, strict=True) if not s)
            ) + "</row>"
        rows.append(template.format(r, *row))
    body = "".join(rows)
    total = len(frame.columns) + int(
        sum((~b).sum() for b, c in zip(blanks, cells, strict=True) if 't="s"' in c)
    )
    last = f"{_column_letter(len(frame.columns) - 1)}{len(frame) + 1}"
    sheet_xml = (
        f'<worksheet xmlns="{_NS_MAIN}"><dimension ref="A1:{last}"/>'
        '<sheetViews><sheetView tabSelected="1" workbookViewId="0">'
        '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
        "</sheetView></sheetViews>"
        f'<cols><col min="1" max="{len(frame.columns)}" width="18" customWidth="1"/></cols>'
        f'<sheetData><row r="1">{header}</row>{body}</sheetData></worksheet>'
    )
    shared_xml = (
        f'<sst xmlns="{_NS_MAIN}" count="{total}" '
        f'uniqueCount="{len(strings)}">'
        + "".join(f"<si><t>{escape(s)}</t></si>" for s in strings)
        + "</sst>"
    )
    workbook_xml = (
        f'<workbook xmlns="{_NS_MAIN}" xmlns:r="{_NS_REL}"><bookViews><workbookView/>'
        f'</bookViews><sheets><sheet name="{escape(sheet)}" sheetId="1" r:id="rId1"/>'
        "</sheets></workbook>"
    )
    parts = {
        **_XLSX_PARTS,
        "xl/workbook.xml": workbook_xml,
        "xl/worksheets/sheet1.xml": sheet_xml,
        "xl/sharedStrings.xml": shared_xml,
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, xml in parts.items():
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, _XML + xml)


def _area_lookup() -> pd.DataFrame:
    return pd.DataFrame(
        [(area, name, lpu, name) for area, name, lpu, *_ in LPUS],
        columns=["area_code", "area_name", "lpu_code", "lpu_name"],
    )


DEMO_TARGETS = (
    "[[targets]]",
    'code = "officers-2030"',
    'label = "Ethnic-minority police officers: 20% by 31 March 2030"',
    'worker_type = "police_officer"',
    "share = 0.20",
    "by_date = 2030-03-31",
    "",
    "[[targets]]",
    'code = "recruits-2030"',
    'label = "1,000 ethnic-minority police officers recruited, April 2022 to March 2030"',
    'worker_type = "police_officer"',
    "joiners = 1000",
    "from_date = 2022-04-01",
    "by_date = 2030-03-31",
    "",
    "[[targets]]",
    'code = "inspectors-2031"',
    'label = "Ethnic-minority inspectors: 10% by 31 March 2031"',
    'worker_type = "police_officer"',
    'rank_or_band = "Inspector"',
    "share = 0.10",
    "by_date = 2031-03-31",
)
"""The demo's targets (in the style of West Midlands Police's published commitments)."""


def _config_text(seed: int) -> str:
    """The force's progression.toml, written out by hand so it reads like one a person keeps."""
    lines = [
        "# Configuration for the demo force: a synthetic force modelled on West Midlands",
        f"# Police, written by pipeline.demo (seed {seed}). Relative paths are relative to",
        "# this file. Regenerate with `progression demo` rather than editing by hand.",
        "",
        "[force]",
        'name = "West Midlands"  # police force area name as in the ONS lookup',
        "",
        "[paths]",
        'inbox = "inbox"',
        'database = "var/progression.duckdb"',
        'reports_dir = "var/reports"',
        'work_dir = "var/work"',
        "# A demo key only; a real force keeps its key outside the data folder.",
        'pseudonym_key_file = "demo-pseudonym.key"',
        "",
        "[reference]",
        "# Census tables and the ONS force lookup: the bundled defaults.",
        'area_lookup_file = "area_to_lpu.csv"',
    ]
    for kind, headers in HEADERS.items():
        lines += [
            "",
            f"[extracts.{kind}]",
            f'file_pattern = "{kind}*"',
            "",
            f"[extracts.{kind}.columns]",
            "# canonical column = header in the HR system's export",
            *(f"{canonical} = {json.dumps(header)}" for canonical, header in headers.items()),
        ]
    from pipeline.demo_monitoring import SURVEY_INDICATORS

    lines += [
        "",
        "# The staff survey's questions the WRES reports (indicators 5 to 8).",
        "[survey]",
        "min_respondents = 10",
        "",
        "[survey.questions]",
        *(f"{code} = {json.dumps(kind)}" for code, kind in SURVEY_INDICATORS.items()),
        "",
        "# Police staff bands in senior leadership (beside superintendents and above).",
        "[leadership]",
        'senior_bands = ["Band I", "Band J"]',
    ]
    lines += [
        "",
        "# Commitments the force has made; the report tracks each and says what it would take.",
        *DEMO_TARGETS,
    ]
    lines += ["", "# Departments; specialist units are compared with the rest in the reports."]
    for dept in DEPARTMENTS:
        lines += [
            "",
            "[[codes.departments]]",
            f"name = {json.dumps(dept.name)}",
            f"is_specialist = {str(dept.is_specialist).lower()}",
        ]
    return "\n".join(lines) + "\n"


def write_demo_force(out_dir: Path, seed: int = 2026, fmt: Format = "mixed") -> Path:
    """Write the demo force's extracts, area lookup, key and config into ``out_dir``.

    ``fmt="mixed"`` writes the snapshots and joiners/leavers as CSV and the promotion and
    recruitment extracts as workbooks (as an HR system and an applicant-tracking system
    would); "csv" or "xlsx" writes everything in one format. Idempotent: the same seed gives
    byte-identical files, and a file this function wrote in another format is removed, so
    the inbox never holds the same extract twice. Returns the path of the config written."""
    if fmt not in ("mixed", "csv", "xlsx"):
        raise ValueError(f"fmt must be 'mixed', 'csv' or 'xlsx', not {fmt!r}")
    out_dir = Path(out_dir)
    inbox = out_dir / "inbox"
    inbox.mkdir(parents=True, exist_ok=True)
    for kind, stem, frame in _simulate(seed):
        excel = fmt == "xlsx" or (fmt == "mixed" and kind in EXCEL_KINDS)
        suffix, other = (".xlsx", ".csv") if excel else (".csv", ".xlsx")
        (inbox / f"{stem}{other}").unlink(missing_ok=True)
        if excel:
            _write_xlsx(_hr_frame(kind, frame), inbox / f"{stem}{suffix}", SHEET_NAMES[kind])
        else:
            _write_csv(_hr_frame(kind, frame), inbox / f"{stem}{suffix}")
    _area_lookup().to_csv(out_dir / "area_to_lpu.csv", index=False, lineterminator="\n")
    key_file = out_dir / "demo-pseudonym.key"
    key = hashlib.sha256(f"demo-key-{seed}".encode()).hexdigest()
    descriptor = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="ascii") as handle:
        handle.write(key + "\n")
    key_file.chmod(0o600)
    config = out_dir / "progression.toml"
    config.write_text(_config_text(seed), encoding="utf-8")
    return config
