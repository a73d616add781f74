"""The national code lists the product is built around.

These are not force-specific (the Home Office and the Census define them), so they live in
code; anything a force varies (staff bands, departments, synonyms, labels) is configuration.
"""

from __future__ import annotations

import re
import unicodedata
from typing import NamedTuple

_SEPARATORS = re.compile(r"[\u2010-\u2015\u2212\ufe58\ufe63\uff0d:]")
_SPACES = re.compile(r"\s+")


def code_key(value: str) -> str:
    """A code or label as it is compared with the code lists and synonym tables: without
    case, spaces of any kind (non-breaking ones included), or the kind of separator (a
    hyphen, any dash or a colon), so that ``White  -  British``, ``White -British``,
    ``White\u00a0\u2013 British`` and ``White: British`` are one label and ``a 2`` and
    `` w 1 `` are A2 and W1. Nothing else is ever guessed."""
    text = unicodedata.normalize("NFKC", value)
    return _SPACES.sub("", _SEPARATORS.sub("-", text)).casefold()


def header_key(name: str) -> str:
    """A column header as it is compared with the extract's columns and the configured
    mapping: without case, and with spaces, underscores and hyphens alike, so that
    ``Snapshot Date``, ``snapshot_date`` and ``SNAPSHOT-DATE`` are one column."""
    return " ".join(re.sub(r"[_\-]", " ", name.replace("\ufeff", "")).split()).casefold()


class Ethnicity(NamedTuple):
    code: str
    label: str
    broad_group_code: str


# Police self-defined ethnicity, 18+1 (aligned with the 2011 Census).
ETHNICITIES: tuple[Ethnicity, ...] = (
    Ethnicity("W1", "White: English, Welsh, Scottish, Northern Irish or British", "white"),
    Ethnicity("W2", "White: Irish", "white"),
    Ethnicity("W3", "White: Gypsy or Irish Traveller", "white"),
    Ethnicity("W9", "White: any other White background", "white"),
    Ethnicity("M1", "Mixed: White and Black Caribbean", "mixed"),
    Ethnicity("M2", "Mixed: White and Black African", "mixed"),
    Ethnicity("M3", "Mixed: White and Asian", "mixed"),
    Ethnicity("M9", "Mixed: any other Mixed background", "mixed"),
    Ethnicity("A1", "Asian: Indian", "asian"),
    Ethnicity("A2", "Asian: Pakistani", "asian"),
    Ethnicity("A3", "Asian: Bangladeshi", "asian"),
    Ethnicity("A4", "Asian: Chinese", "asian"),
    Ethnicity("A9", "Asian: any other Asian background", "asian"),
    Ethnicity("B1", "Black: Caribbean", "black"),
    Ethnicity("B2", "Black: African", "black"),
    Ethnicity("B9", "Black: any other Black background", "black"),
    Ethnicity("O2", "Other: Arab", "other"),
    Ethnicity("O9", "Other: any other ethnic group", "other"),
    Ethnicity("NS", "Not stated", "not_stated"),
)
ETHNICITY_CODES: frozenset[str] = frozenset(e.code for e in ETHNICITIES)
NOT_STATED = "NS"

BROAD_GROUPS: dict[str, str] = {
    "asian": "Asian",
    "black": "Black",
    "mixed": "Mixed",
    "white": "White",
    "other": "Other",
}


class Grouping(NamedTuple):
    """A group whose share is measured, and the rule that says who is in it."""

    code: str
    member_codes: frozenset[str]


def _codes_where(predicate) -> frozenset[str]:
    return frozenset(e.code for e in ETHNICITIES if e.code != NOT_STATED and predicate(e))


# Every grouping the reports need; shares are always among people who stated an ethnicity.
GROUPINGS: tuple[Grouping, ...] = (
    Grouping("minority_excl_white", _codes_where(lambda e: e.broad_group_code != "white")),
    Grouping("minority_incl_white", _codes_where(lambda e: e.code != "W1")),
    *(
        Grouping(broad, _codes_where(lambda e, b=broad: e.broad_group_code == b))
        for broad in BROAD_GROUPS
    ),
)

WORKER_TYPES: dict[str, str] = {
    "police_officer": "Police officers",
    "police_staff": "Police staff",
    "pcso": "PCSOs",
    "special_constable": "Special constables",
}

# Officer ranks, low to high.
OFFICER_RANKS: tuple[str, ...] = (
    "Constable",
    "Sergeant",
    "Inspector",
    "Chief Inspector",
    "Superintendent",
    "Chief Superintendent",
    "Assistant Chief Constable",
    "Deputy Chief Constable",
    "Chief Constable",
)
PCSO_GRADES: tuple[str, ...] = ("PCSO",)
SPECIAL_RANKS: tuple[str, ...] = (
    "Special Constable",
    "Special Sergeant",
    "Special Inspector",
    "Special Chief Inspector",
)

SEXES: dict[str, str] = {"F": "Female", "M": "Male"}
OUTCOMES: tuple[str, ...] = ("passed", "failed", "withdrew", "did_not_attend")
MOVEMENT_TYPES: tuple[str, ...] = ("joiner", "leaver")
LEAVING_REASONS: tuple[str, ...] = (
    "resignation",
    "retirement",
    "dismissal",
    "transfer",
    "death",
    "other",
)
AGE_BANDS: tuple[str, ...] = ("16-24", "25-34", "35-44", "45-54", "55+")

# --------------------------------------------------------------------------- misconduct
# The Police (Conduct) Regulations 2020 and the IOPC's statutory guidance: a matter is
# assessed; if it could amount to misconduct it is investigated (the formal process); a
# case to answer goes to a misconduct meeting (misconduct) or a gross misconduct hearing.

MISCONDUCT_SOURCES: dict[str, str] = {
    "public_complaint": "Public complaint",
    "internal_report": "Internal report (conduct matter)",
}
MISCONDUCT_STAGES: dict[str, str] = {
    "assessment": "Assessment",
    "investigation": "Investigation",
    "misconduct_meeting": "Misconduct meeting",
    "gross_misconduct_hearing": "Gross misconduct hearing",
}
"""In the order a case goes through them: a case at a later stage has passed the earlier."""
MISCONDUCT_OUTCOMES: dict[str, str] = {
    "no_case_to_answer": "No case to answer",
    "reflective_practice": "Reflective practice",
    "management_action": "Management action",
    "written_warning": "Written warning",
    "final_written_warning": "Final written warning",
    "dismissal": "Dismissal",
}
"""From the least to the most severe."""
MISCONDUCT_OUTCOME_MIN_STAGE: dict[str, str] = {
    "written_warning": "misconduct_meeting",
    "final_written_warning": "misconduct_meeting",
    "dismissal": "gross_misconduct_hearing",
}
"""A disciplinary sanction is given only by a meeting or hearing (Conduct Regulations 2020,
regulation 42): a warning needs at least a misconduct meeting, dismissal a hearing."""
SUSPENSION_STATUSES: dict[str, str] = {
    "none": "Neither",
    "restricted": "Restricted duties",
    "suspended": "Suspended",
}

# --------------------------------------------------------------------------- grievances

GRIEVANCE_TYPES: dict[str, str] = {
    "grievance": "Grievance",
    "employment_tribunal": "Employment tribunal claim",
}
GRIEVANCE_OUTCOMES: dict[str, str] = {
    "upheld": "Upheld",
    "partly_upheld": "Partly upheld",
    "not_upheld": "Not upheld",
    "withdrawn": "Withdrawn",
    "settled": "Settled",
}
UPHELD_OUTCOMES: frozenset[str] = frozenset({"upheld", "partly_upheld"})

# --------------------------------------------------------------------------- development

PROGRAMME_TYPES: dict[str, str] = {
    "leadership": "Leadership programme",
    "promotion_support": "Promotion support",
    "positive_action": "Positive action programme",
    "specialist_course": "Specialist course",
}
TRAINING_STAGE_TYPES: dict[str, str] = {
    "selection": "Selection",
    "attendance": "Attendance",
    "completion": "Completion",
}
"""Every stage of a programme is one of these: any number of selection stages (sift,
interview), then attendance (the person started the programme), then completion."""

# --------------------------------------------------------------------------- staff survey

SURVEY_INDICATORS: dict[str, tuple[str, str]] = {
    "harassment_public": (
        "WRES 5",
        "Experienced harassment, bullying or abuse from the public in the last 12 months",
    ),
    "harassment_colleagues": (
        "WRES 6",
        "Experienced harassment, bullying or abuse from colleagues or managers in the last "
        "12 months",
    ),
    "equal_opportunities": (
        "WRES 7",
        "Believe the force provides equal opportunities for career progression or promotion",
    ),
    "discrimination": (
        "WRES 8",
        "Experienced discrimination at work from a manager or colleague in the last 12 months",
    ),
}
"""The staff-survey questions the WRES reports (indicators 5 to 8): (indicator, meaning)."""

SERVICE_BANDS: tuple[tuple[str, float], ...] = (
    ("<2", 2), ("2-4", 5), ("5-9", 10), ("10-19", 20), ("20-29", 30), ("30+", float("inf")),
)  # fmt: skip
"""Length of service bands: (code, upper bound in years of days / 365.25, exclusive). The
first is the short-service definition the retention measures use (under two years)."""
