"""One typed place for every setting: a frozen pydantic model loaded from one TOML file.

Unknown keys are errors (``extra="forbid"``) so that a typo in the nightly config fails
loudly at start-up instead of silently falling back to a default.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Callable, Collection, Iterable
from datetime import date
from pathlib import Path
from typing import Literal, TypeVar

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    field_validator,
    model_validator,
)

from pipeline import codes

CONFIG_ENV_VAR = "PROGRESSION_CONFIG"
KEY_ENV_VAR = "PROGRESSION_PSEUDONYM_KEY"
MIN_KEY_BYTES = 16
REPO_ROOT = Path(__file__).resolve().parents[1]
BUNDLED_REFERENCE = REPO_ROOT / "data" / "reference"
SQL_DIR = REPO_ROOT / "sql"
CONTRACTS_DIR = REPO_ROOT / "data_contracts"
TEMPLATES_DIR = REPO_ROOT / "reports"

ExtractKind = Literal[
    "staff_snapshot", "joiners_leavers", "promotion_candidates", "recruitment_applicants",
    "misconduct_cases", "grievances", "training_development", "appraisal_ratings",
    "staff_survey",
]  # fmt: skip
EXTRACT_KINDS: tuple[ExtractKind, ...] = (
    "staff_snapshot",
    "joiners_leavers",
    "promotion_candidates",
    "recruitment_applicants",
    "misconduct_cases",
    "grievances",
    "training_development",
    "appraisal_ratings",
    "staff_survey",
)


class ConfigError(Exception):
    """The configuration cannot be used; the message says what to change."""


T = TypeVar("T")


def _repeats(items: Iterable[T], key: Callable[[T], str]) -> list[list[T]]:
    """The items that share a key with another, in groups of one key, in the order met."""
    groups: dict[str, list[T]] = {}
    for item in items:
        groups.setdefault(key(item), []).append(item)
    return [group for group in groups.values() if len(group) > 1]


def _each_once(where: str, names: Iterable[str], counted: str = "") -> None:
    """Raise for a list that names one thing twice, compared as a file's values are matched
    with it (``codes.code_key``: case, spaces and the kind of dash or colon do not count)."""
    twice = [
        " and ".join(repr(s) for s in dict.fromkeys(group))
        for group in _repeats(names, codes.code_key)
    ]
    if twice:
        raise ValueError(
            f"{where} names {'; '.join(twice)} more than once (case, spaces, dashes and "
            f"colons do not count){counted}: list each once"
        )


def _synonyms_agree(where: str, synonyms: dict[str, str]) -> None:
    """Raise for a synonym table whose wordings, matched as a file's values are (case,
    spaces, dashes and colons do not count), name one wording twice for two different
    values: the last would silently win. Two spellings of one wording for the same value
    are harmless ('Not stated' and 'Not Stated')."""
    clashes = [
        " and ".join(f"{w!r} = {v!r}" for w, v in group)
        for group in _repeats(synonyms.items(), lambda synonym: codes.code_key(synonym[0]))
        if len({v for _, v in group}) > 1
    ]
    if clashes:
        raise ValueError(
            f"{where} gives one wording two values (case, spaces, dashes and colons do not "
            f"count): {'; '.join(clashes)}: keep the one meant"
        )


def _columns_mapped_once(kind: str, columns: dict[str, str]) -> None:
    """Raise for an extract's column mapping that names a column the extract does not have,
    gives a column no header, or gives one header (as a file's header is matched with it,
    ``codes.header_key``) to two columns: the file's column can be only one of them."""
    from pipeline.schemas import EXTRACT_COLUMNS  # schemas is built on this module

    where = f"[extracts.{kind}.columns]"
    names = [c.name for c in EXTRACT_COLUMNS[kind]]
    unknown = [name for name in columns if name not in names]
    if unknown:
        raise ValueError(
            f"{where} {', '.join(map(repr, unknown))}: not a column of the {kind} extract "
            f"(the key is the product's column, the value the force's header); its columns "
            f"are {', '.join(names)}"
        )
    blank = [name for name, header in columns.items() if not codes.header_key(header)]
    if blank:
        raise ValueError(
            f"{where} {', '.join(f'{n} = {columns[n]!r}' for n in blank)}: no header; name "
            "the force's header, or remove the line if the file's header is the column's name"
        )
    twice = [
        " and ".join(f"{n} = {columns[n]!r}" for n in group)
        for group in _repeats(columns, lambda name: codes.header_key(columns[name]))
    ]
    if twice:
        raise ValueError(
            f"{where} maps one header to two columns (case, spaces, underscores and hyphens "
            f"do not count): {'; '.join(twice)}; a file's column is one of them: give each "
            "column its own header"
        )


def _synonyms_contradict(where: str, synonyms: dict[str, str], names: Iterable[str]) -> list[str]:
    """The synonyms whose wording is itself one of ``names`` (a code, rank, band, department
    or rating, matched as a file's values are) but which map it to another: a file's value
    is read as the name it spells before any synonym, so such a synonym would never apply."""
    by_key = {codes.code_key(name): name for name in names}
    return [
        f"{where} {wording!r} = {value!r}: {wording!r} is {by_key[codes.code_key(wording)]!r} "
        "itself, which a file's value is read as before any synonym (remove the synonym, "
        f"or map it to {by_key[codes.code_key(wording)]!r})"
        for wording, value in synonyms.items()
        if by_key.get(codes.code_key(wording), value) != value
    ]


def _synonyms_name(where: str, synonyms: dict[str, str], names: Collection[str]) -> list[str]:
    """The synonyms of a table that map a wording onto something not in ``names`` (a code,
    rank, band, department or LPU), then those that contradict one (``_synonyms_contradict``)."""
    return [
        f"{where} {wording!r} = {value!r}: not one of {', '.join(sorted(names))}"
        for wording, value in synonyms.items()
        if value not in names
    ] + _synonyms_contradict(where, synonyms, names)


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ForceSettings(_Frozen):
    name: str = Field(description="Police force area name as in the ONS lookup (PFANM).")


class PathSettings(_Frozen):
    inbox: Path
    database: Path
    reports_dir: Path
    work_dir: Path
    pseudonym_key_file: Path | None = None
    archive_dir: Path | None = Field(
        default=None,
        description="Where each loaded extract is kept, named by its SHA-256 "
        "(default: <work_dir>/archive). Holds raw identifiers: protect it like the inbox.",
    )

    @property
    def archive(self) -> Path:
        return self.archive_dir or self.work_dir / "archive"


class ReferenceSettings(_Frozen):
    census_file: Path = BUNDLED_REFERENCE / "census2021-ts021-ltla.csv"
    census_2011_file: Path | None = BUNDLED_REFERENCE / "census2011-qs201ew-la.csv"
    force_lookup_file: Path = BUNDLED_REFERENCE / "lad21-to-police-force-area.csv"
    area_lookup_file: Path
    district_changes_file: Path = Field(
        default=BUNDLED_REFERENCE / "lad-changes-2019-2023.csv",
        description="Local authorities merged into new ones (old_code -> new_code): how a "
        "force lookup of another vintage than the census is matched to the census's areas.",
    )
    area_district_file: Path | None = Field(
        default=None,
        description="For a census below local-authority level whose area names do not start "
        "with their authority's (wards): the census's area codes -> local authority codes.",
    )


class ExtractSettings(_Frozen):
    file_pattern: str | None = Field(
        default=None, description="Glob matched against file names (default: '<kind>*')."
    )
    columns: dict[str, str] = Field(
        default_factory=dict, description="canonical column name = header in the force's file"
    )
    sheet: str | int | None = Field(
        default=None,
        description="Excel sheet name or 0-based position; default: the only sheet whose "
        "first row has every required column.",
    )

    @field_validator("sheet", mode="before")
    @classmethod
    def _a_sheet(cls, value):
        """A name or a position from 0: not a negative or fractional number, a true or
        false, or a blank name, which no workbook has (refused now, not when one arrives)."""
        name = isinstance(value, str) and value.strip()
        position = isinstance(value, int) and not isinstance(value, bool) and value >= 0
        if value is not None and not (name or position):
            raise ValueError(
                f"{value!r} is not a sheet: give the sheet's name in quotes, or its position "
                "counting from 0 (the first sheet is 0), or remove the line to read the only "
                "sheet with the extract's columns"
            )
        return value


def _default_extracts() -> dict[str, ExtractSettings]:
    return {kind: ExtractSettings(file_pattern=f"{kind}*") for kind in EXTRACT_KINDS}


class Department(_Frozen):
    name: str
    is_specialist: bool = False


DEFAULT_RANK_SYNONYMS: dict[str, str] = {
    "PC": "Constable",
    "DC": "Constable",
    "Det Con": "Constable",
    "Police Constable": "Constable",
    "Detective Constable": "Constable",
    "PS": "Sergeant",
    "Sgt": "Sergeant",
    "DS": "Sergeant",
    "Det Sgt": "Sergeant",
    "Police Sergeant": "Sergeant",
    "Detective Sergeant": "Sergeant",
    "Insp": "Inspector",
    "DI": "Inspector",
    "Det Insp": "Inspector",
    "Detective Inspector": "Inspector",
    "CI": "Chief Inspector",
    "Ch Insp": "Chief Inspector",
    "DCI": "Chief Inspector",
    "Detective Chief Inspector": "Chief Inspector",
    "Supt": "Superintendent",
    "Det Supt": "Superintendent",
    "Detective Superintendent": "Superintendent",
    "Ch Supt": "Chief Superintendent",
    "C/Supt": "Chief Superintendent",
    "Det Ch Supt": "Chief Superintendent",
    "Detective Chief Superintendent": "Chief Superintendent",
    "ACC": "Assistant Chief Constable",
    "DCC": "Deputy Chief Constable",
    "CC": "Chief Constable",
    "Police Community Support Officer": "PCSO",
    "SC": "Special Constable",
    "Special Con": "Special Constable",
    "Spec Sgt": "Special Sergeant",
    "Spec Insp": "Special Inspector",
}

# The ONS wordings of the ethnic groups, as HR systems export them: a heading, a separator
# (a colon or any dash, alike to ``codes.code_key``) and the group. Every heading of a broad
# group goes with every wording of its groups: the 2021 Census's (its outputs, and the
# questionnaire's in England and in Wales, as GOV.UK's list of ethnic groups has them), the
# 2011 Census's (the 18 groups the police codes follow) and 2001's. Census 2021's "Roma" has
# no police code; W9 (any other White background) is the nearest, as for the census tables.
_ETHNIC_HEADINGS: dict[str, tuple[str, ...]] = {
    "white": ("White",),
    "mixed": (
        "Mixed",
        "Mixed or Multiple ethnic groups",
        "Mixed or Multiple ethnic group",
        "Mixed/multiple ethnic groups",
        "Mixed/multiple ethnic group",
    ),
    "asian": (
        "Asian",
        "Asian or Asian British",
        "Asian, Asian British or Asian Welsh",
        "Asian, Asian Welsh or Asian British",
        "Asian/Asian British",
    ),
    "black": (
        "Black",
        "Black or Black British",
        "Black, Black British, Caribbean or African",
        "Black, Black British, Black Welsh, Caribbean or African",
        "Black, Black Welsh, Black British, Caribbean or African",
        "Black/African/Caribbean/Black British",
    ),
    "other": ("Other", "Other ethnic group", "Other ethnic groups"),
}
_ETHNIC_WORDINGS: dict[str, tuple[str, ...]] = {
    "W1": (
        "English, Welsh, Scottish, Northern Irish or British",
        "Welsh, English, Scottish, Northern Irish or British",
        "English/Welsh/Scottish/Northern Irish/British",
        "British",
    ),
    "W2": ("Irish",),
    "W3": ("Gypsy or Irish Traveller",),
    "W9": ("Roma", "Other White", "Any other White background", "Other"),
    "M1": ("White and Black Caribbean",),
    "M2": ("White and Black African",),
    "M3": ("White and Asian",),
    "M9": (
        "Other Mixed",
        "Other Mixed or Multiple ethnic groups",
        "Any other Mixed background",
        "Any other Mixed or Multiple ethnic background",
        "Any other Mixed/multiple ethnic background",
    ),
    "A1": ("Indian",),
    "A2": ("Pakistani",),
    "A3": ("Bangladeshi",),
    "A4": ("Chinese",),
    "A9": ("Other Asian", "Any other Asian background"),
    "B1": ("Caribbean",),
    "B2": ("African",),
    "B9": (
        "Other Black",
        "Any other Black background",
        "Any other Black, Black British or Caribbean background",
        "Any other Black, Black British, or Caribbean background",
        "Any other Black, Black British, Black Welsh, Caribbean or African background",
        "Any other Black/African/Caribbean background",
    ),
    "O2": ("Arab",),
    "O9": ("Any other ethnic group",),
}
_BROAD_GROUP = {e.code: e.broad_group_code for e in codes.ETHNICITIES}
DEFAULT_ETHNICITY_SYNONYMS: dict[str, str] = {
    **{
        f"{heading}: {wording}": code
        for code, wordings in _ETHNIC_WORDINGS.items()
        for heading in _ETHNIC_HEADINGS[_BROAD_GROUP[code]]
        for wording in wordings
    },
    # The group alone, where it names one group without its heading ("British" does not).
    **{
        wording: code
        for code, wordings in _ETHNIC_WORDINGS.items()
        for wording in wordings
        if wording not in {"British", "Other"}
    },
    "White British": "W1",
    "White Irish": "W2",
    "White Other": "W9",
    "Irish Traveller": "W3",
    "Black Caribbean": "B1",
    "Black African": "B2",
    # 2001's headings (16 groups): Chinese was under "Chinese or other ethnic group".
    "Chinese or other ethnic group: Chinese": "A4",
    "Chinese or other ethnic group: Any other ethnic group": "O9",
    "Not stated": "NS",
    "Prefer not to say": "NS",
    "Not declared": "NS",
    "Not disclosed": "NS",
    "Not known": "NS",
    "Unknown": "NS",
    "Not recorded": "NS",
    "Refused": "NS",
    "Declined": "NS",
    "Declined to state": "NS",
}

DEFAULT_WORKER_TYPE_SYNONYMS: dict[str, str] = {
    "Police Officer": "police_officer",
    "Officer": "police_officer",
    "Police Staff": "police_staff",
    "Staff": "police_staff",
    "PCSO": "pcso",
    "Police Community Support Officer": "pcso",
    "Special Constable": "special_constable",
    "Special": "special_constable",
    "Specials": "special_constable",
}

DEFAULT_SEX_SYNONYMS: dict[str, str] = {"Female": "F", "Male": "M", "f": "F", "m": "M"}

MONITORING_CODES: dict[str, tuple[str, ...]] = {
    "case_source": tuple(codes.MISCONDUCT_SOURCES),
    "misconduct_stage": tuple(codes.MISCONDUCT_STAGES),
    "misconduct_outcome": tuple(codes.MISCONDUCT_OUTCOMES),
    "suspension_status": tuple(codes.SUSPENSION_STATUSES),
    "grievance_type": tuple(codes.GRIEVANCE_TYPES),
    "grievance_outcome": tuple(codes.GRIEVANCE_OUTCOMES),
    "programme_type": tuple(codes.PROGRAMME_TYPES),
    "stage_type": tuple(codes.TRAINING_STAGE_TYPES),
}
"""The code columns of the monitoring extracts and their codes."""

# Wording of professional standards (e.g. Centurion), HR case-management and learning systems
# for the codes of the misconduct, grievance and development extracts.
DEFAULT_MONITORING_SYNONYMS: dict[str, dict[str, str]] = {
    "case_source": {
        "Complaint": "public_complaint",
        "Public complaint": "public_complaint",
        "Complaint from the public": "public_complaint",
        "Conduct matter": "internal_report",
        "Internal": "internal_report",
        "Internal report": "internal_report",
        "Internal conduct matter": "internal_report",
    },
    "misconduct_stage": {
        "Severity assessment": "assessment",
        "Assessment": "assessment",
        "Investigation": "investigation",
        "Misconduct meeting": "misconduct_meeting",
        "Meeting": "misconduct_meeting",
        "Gross misconduct hearing": "gross_misconduct_hearing",
        "Misconduct hearing": "gross_misconduct_hearing",
        "Hearing": "gross_misconduct_hearing",
        "Accelerated hearing": "gross_misconduct_hearing",
    },
    "misconduct_outcome": {
        "No case to answer": "no_case_to_answer",
        "No further action": "no_case_to_answer",
        "NFA": "no_case_to_answer",
        "Reflective practice review process": "reflective_practice",
        "RPRP": "reflective_practice",
        "Reflective practice": "reflective_practice",
        "Management action": "management_action",
        "Management advice": "management_action",
        "Written warning": "written_warning",
        "Final written warning": "final_written_warning",
        "Dismissal": "dismissal",
        "Dismissed": "dismissal",
        "Dismissed without notice": "dismissal",
        "Dismissal without notice": "dismissal",
        "Dismissal with notice": "dismissal",
    },
    "suspension_status": {
        "None": "none",
        "No": "none",
        "N": "none",
        "Not suspended": "none",
        "Restricted": "restricted",
        "Restricted duties": "restricted",
        "Restricted duty": "restricted",
        "Suspended": "suspended",
        "Suspension": "suspended",
    },
    "grievance_type": {
        "Grievance": "grievance",
        "Formal grievance": "grievance",
        "Employment tribunal": "employment_tribunal",
        "Employment tribunal claim": "employment_tribunal",
        "ET claim": "employment_tribunal",
        "ET": "employment_tribunal",
        "Tribunal": "employment_tribunal",
    },
    "grievance_outcome": {
        "Upheld": "upheld",
        "Partially upheld": "partly_upheld",
        "Partly upheld": "partly_upheld",
        "Not upheld": "not_upheld",
        "Dismissed": "not_upheld",
        "Withdrawn": "withdrawn",
        "Settled": "settled",
        "ACAS settlement": "settled",
        "COT3": "settled",
    },
    "programme_type": {
        "Leadership": "leadership",
        "Leadership programme": "leadership",
        "Leadership development": "leadership",
        "Promotion support": "promotion_support",
        "Promotion support programme": "promotion_support",
        "Positive action": "positive_action",
        "Positive action programme": "positive_action",
        "Specialist course": "specialist_course",
        "Specialist training": "specialist_course",
    },
    "stage_type": {
        "Selection": "selection",
        "Sift": "selection",
        "Application": "selection",
        "Interview": "selection",
        "Attendance": "attendance",
        "Attended": "attendance",
        "Started": "attendance",
        "Completion": "completion",
        "Completed": "completion",
    },
}

# Home Office police workforce statistics and HR systems' wording for leavers.
DEFAULT_LEAVING_REASON_SYNONYMS: dict[str, str] = {
    "Voluntary resignation": "resignation",
    "Resigned": "resignation",
    "Normal retirement": "retirement",
    "Age retirement": "retirement",
    "Medical retirement": "retirement",
    "Ill-health retirement": "retirement",
    "Ill health retirement": "retirement",
    "Retired": "retirement",
    "Dismissed": "dismissal",
    "Dismissal or required to resign": "dismissal",
    "Dismissed or required to resign": "dismissal",
    "Required to resign": "dismissal",
    "Transferred": "transfer",
    "Transfer to another force": "transfer",
    "Transferred to another force": "transfer",
    "Transfer out": "transfer",
    "Died": "death",
    "Deceased": "death",
    "Death in service": "death",
    "Other reason": "other",
    "Other reasons": "other",
}

DEFAULT_MOVEMENT_TYPE_SYNONYMS: dict[str, str] = {
    "Starter": "joiner",
    "New starter": "joiner",
    "Joined": "joiner",
    "Hire": "joiner",
    "New hire": "joiner",
    "Appointment": "joiner",
    "Leaver": "leaver",
    "Left": "leaver",
    "Termination": "leaver",
    "Exit": "leaver",
}

DEFAULT_OUTCOME_SYNONYMS: dict[str, str] = {
    "Pass": "passed",
    "Successful": "passed",
    "Success": "passed",
    "Fail": "failed",
    "Unsuccessful": "failed",
    "Not successful": "failed",
    "Withdrawn": "withdrew",
    "Withdraw": "withdrew",
    "Withdrawal": "withdrew",
    "Did not attend": "did_not_attend",
    "DNA": "did_not_attend",
    "No show": "did_not_attend",
    "Absent": "did_not_attend",
}

DEFAULT_AGE_BAND_SYNONYMS: dict[str, str] = {
    "16 to 24": "16-24",
    "18-24": "16-24",
    "18 to 24": "16-24",
    "Under 25": "16-24",
    "25 to 34": "25-34",
    "35 to 44": "35-44",
    "45 to 54": "45-54",
    "55 and over": "55+",
    "55 or over": "55+",
    "55 plus": "55+",
    "Over 55": "55+",
    "55 and above": "55+",
}


_SYNONYM_DEFAULTS: dict[str, dict[str, str]] = {
    "rank_synonyms": DEFAULT_RANK_SYNONYMS,
    "ethnicity_synonyms": DEFAULT_ETHNICITY_SYNONYMS,
    "worker_type_synonyms": DEFAULT_WORKER_TYPE_SYNONYMS,
    "sex_synonyms": DEFAULT_SEX_SYNONYMS,
    "movement_type_synonyms": DEFAULT_MOVEMENT_TYPE_SYNONYMS,
    "leaving_reason_synonyms": DEFAULT_LEAVING_REASON_SYNONYMS,
    "outcome_synonyms": DEFAULT_OUTCOME_SYNONYMS,
    "age_band_synonyms": DEFAULT_AGE_BAND_SYNONYMS,
    "department_synonyms": {},
    "lpu_synonyms": {},
    **{f"{column}_synonyms": table for column, table in DEFAULT_MONITORING_SYNONYMS.items()},
}


class CodeSettings(_Frozen):
    """Force-specific code lists and the synonym tables that map HR values onto codes.

    Synonyms are matched ignoring case, spaces (ordinary or non-breaking) and the kind of
    dash (``pipeline.codes.code_key``); a value that is neither a code nor a listed
    synonym is never guessed. A configured table adds to the defaults below.
    """

    staff_bands: tuple[str, ...] = (
        "Band A",
        "Band B",
        "Band C",
        "Band D",
        "Band E",
        "Band F",
        "Band G",
        "Band H",
        "Band I",
        "Band J",
    )
    departments: tuple[Department, ...] = ()
    rank_synonyms: dict[str, str] = Field(default_factory=lambda: dict(DEFAULT_RANK_SYNONYMS))
    ethnicity_synonyms: dict[str, str] = Field(
        default_factory=lambda: dict(DEFAULT_ETHNICITY_SYNONYMS)
    )
    worker_type_synonyms: dict[str, str] = Field(
        default_factory=lambda: dict(DEFAULT_WORKER_TYPE_SYNONYMS)
    )
    sex_synonyms: dict[str, str] = Field(default_factory=lambda: dict(DEFAULT_SEX_SYNONYMS))
    movement_type_synonyms: dict[str, str] = Field(
        default_factory=lambda: dict(DEFAULT_MOVEMENT_TYPE_SYNONYMS)
    )
    leaving_reason_synonyms: dict[str, str] = Field(
        default_factory=lambda: dict(DEFAULT_LEAVING_REASON_SYNONYMS)
    )
    outcome_synonyms: dict[str, str] = Field(default_factory=lambda: dict(DEFAULT_OUTCOME_SYNONYMS))
    age_band_synonyms: dict[str, str] = Field(
        default_factory=lambda: dict(DEFAULT_AGE_BAND_SYNONYMS)
    )
    department_synonyms: dict[str, str] = Field(
        default_factory=dict, description="HR wording -> a name in [[codes.departments]]."
    )
    lpu_synonyms: dict[str, str] = Field(
        default_factory=dict, description="HR wording -> an LPU code of the area lookup."
    )
    # The monitoring extracts' code columns (docs/extracts.md); a force's table adds to these.
    case_source_synonyms: dict[str, str] = Field(
        default_factory=lambda: dict(DEFAULT_MONITORING_SYNONYMS["case_source"])
    )
    misconduct_stage_synonyms: dict[str, str] = Field(
        default_factory=lambda: dict(DEFAULT_MONITORING_SYNONYMS["misconduct_stage"])
    )
    misconduct_outcome_synonyms: dict[str, str] = Field(
        default_factory=lambda: dict(DEFAULT_MONITORING_SYNONYMS["misconduct_outcome"])
    )
    suspension_status_synonyms: dict[str, str] = Field(
        default_factory=lambda: dict(DEFAULT_MONITORING_SYNONYMS["suspension_status"])
    )
    grievance_type_synonyms: dict[str, str] = Field(
        default_factory=lambda: dict(DEFAULT_MONITORING_SYNONYMS["grievance_type"])
    )
    grievance_outcome_synonyms: dict[str, str] = Field(
        default_factory=lambda: dict(DEFAULT_MONITORING_SYNONYMS["grievance_outcome"])
    )
    programme_type_synonyms: dict[str, str] = Field(
        default_factory=lambda: dict(DEFAULT_MONITORING_SYNONYMS["programme_type"])
    )
    stage_type_synonyms: dict[str, str] = Field(
        default_factory=lambda: dict(DEFAULT_MONITORING_SYNONYMS["stage_type"])
    )

    @field_validator(*_SYNONYM_DEFAULTS, mode="before")
    @classmethod
    def _added_to_defaults(cls, value, info):
        if isinstance(value, dict):
            _synonyms_agree(f"[codes.{info.field_name}]", value)
        return {**_SYNONYM_DEFAULTS[info.field_name], **(value or {})}

    @model_validator(mode="after")
    def _listed_once(self):
        _each_once("[codes] staff_bands", self.staff_bands)
        _each_once(
            "[[codes.departments]]",
            (d.name for d in self.departments),
            ", so its people would be counted once for each",
        )
        return self

    @model_validator(mode="after")
    def _synonyms_name_codes(self):
        fixed = {
            "ethnicity_synonyms": codes.ETHNICITY_CODES,
            "worker_type_synonyms": frozenset(codes.WORKER_TYPES),
            "sex_synonyms": frozenset(codes.SEXES),
            "movement_type_synonyms": frozenset(codes.MOVEMENT_TYPES),
            "leaving_reason_synonyms": frozenset(codes.LEAVING_REASONS),
            "outcome_synonyms": frozenset(codes.OUTCOMES),
            "age_band_synonyms": frozenset(codes.AGE_BANDS),
            "rank_synonyms": frozenset(
                (*codes.OFFICER_RANKS, *codes.PCSO_GRADES, *codes.SPECIAL_RANKS, *self.staff_bands)
            ),
            "department_synonyms": frozenset(d.name for d in self.departments),
            **{f"{c}_synonyms": frozenset(v) for c, v in MONITORING_CODES.items()},
        }
        problems = [
            problem
            for table, allowed in fixed.items()
            for problem in _synonyms_name(f"[codes.{table}]", getattr(self, table), allowed)
        ]
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def check_lpu_synonyms(self, lpu_codes: Collection[str], lookup_file: Path) -> None:
        """Raise a ``ConfigError`` for an LPU synonym that names no LPU code of the area →
        LPU lookup, or contradicts one: checked when the lookup is read
        (``reference.load_reference``), since its codes are not known before."""
        problems = _synonyms_name("[codes.lpu_synonyms]", self.lpu_synonyms, lpu_codes)
        if problems:
            raise ConfigError(
                f"{'; '.join(problems)} (the LPU codes of {lookup_file}, [reference] "
                "area_lookup_file)"
            )


class GroupLabels(_Frozen):
    """How groups are named in reports; WMP's own style avoids "BAME"/"BME"."""

    minority_excl_white: str = "Ethnic minority (excluding White minorities)"
    minority_incl_white: str = "Ethnic minority (including White minorities)"
    asian: str = "Asian"
    black: str = "Black"
    mixed: str = "Mixed"
    white: str = "White"
    other: str = "Other"
    headline: Literal["minority_excl_white", "minority_incl_white"] = "minority_excl_white"


class DisclosureSettings(_Frozen):
    threshold: int = Field(default=5, ge=1, description="Counts 1..threshold are suppressed.")
    max_withheld_share: float = Field(
        default=0.5,
        ge=0,
        le=1,
        description="A breakdown withholding more of its non-zero counts than this is shown "
        "at the next coarser grouping (detailed -> broad -> headline group vs the rest).",
    )


class ReportSettings(_Frozen):
    pdf: bool = Field(
        default=True,
        description="Print the report to PDF with headless Chromium; skipped, with a "
        "warning, when Chromium is not installed.",
    )
    chromium: Path | None = Field(
        default=None, description="The Chromium executable (default: found on PATH)."
    )
    chromium_timeout_seconds: float = Field(default=60, gt=0)
    marking: str = Field(
        default="OFFICIAL-SENSITIVE",
        min_length=1,
        pattern=r"^[A-Z][A-Z0-9 :/()-]*$",
        description="The protective marking (UK Government Security Classifications) at the "
        "top and bottom of every page and PDF page, on every workbook sheet, in every CSV and "
        "JSON file and on every message about the report, e.g. OFFICIAL-SENSITIVE or "
        "OFFICIAL-SENSITIVE: PERSONAL.",
    )


class ContractSettings(_Frozen):
    """Limits for the data contracts and the night-to-night checks (docs/data-contracts.md)."""

    max_quarantined_share: float = Field(
        default=0.1,
        gt=0,
        le=1,
        description="A file with a larger share of rows quarantined blocks the run: so many "
        "bad rows mean the file is wrong as a whole, and publishing the rest would mislead.",
    )
    headcount_change_share: float = Field(
        default=0.1,
        gt=0,
        description="Warn when a worker type's headcount moves by more than this share "
        "since the previous snapshot.",
    )
    declaration_rate_drop: float = Field(
        default=0.05,
        gt=0,
        le=1,
        description="Warn when the declaration rate falls by more than this since the "
        "previous snapshot (0.05 = 5 percentage points).",
    )
    longest_period_years: float = Field(
        default=1.25,
        gt=0,
        description="Warn when consecutive staff snapshots are more than this many years "
        "apart (a snapshot missing between them): the flows between them cover the whole "
        "period.",
    )
    movements_gap_days: int = Field(
        default=31,
        ge=1,
        description="A stretch of a period between snapshots with no joiner or leaver "
        "dated in it, at least this many days long (or the whole period), is tested for "
        "missing movements (movements_gap_chance); a shorter one never is.",
    )
    movements_gap_chance: float = Field(
        default=0.001,
        gt=0,
        lt=1,
        description="Such a stretch is missing, and the period's flows withheld, when the "
        "chance that the period's movers (people in one snapshot and not the next), spread "
        "evenly, leave a stretch this long empty anywhere is under this (n movers: "
        "(n + 1) * (1 - stretch / period) ** n).",
    )


class FairnessSettings(_Frozen):
    """How selection stages and workforce rates are compared (see docs/methodology.md)."""

    reference_group: Literal["white", "asian", "black", "mixed", "other"] = Field(
        default="white",
        description="Ethnic group every other group is compared with (WRES uses White).",
    )
    sex_reference_group: Literal["F", "M"] = Field(
        default="M", description="Sex the other is compared with in the by-sex comparison."
    )
    excluded_outcomes: tuple[Literal["withdrew", "did_not_attend"], ...] = Field(
        default=("withdrew",),
        description=(
            "Stage outcomes left out of the selection-rate denominator: a candidate who "
            "withdrew was not selected against, so by default is neither a pass nor a fail."
        ),
    )
    confidence: float = Field(default=0.95, gt=0.5, lt=1.0)


class RetentionSettings(_Frozen):
    """How long a run keeps what analysis no longer needs (UK GDPR storage limitation).

    Extract files (in the inbox and their archived copies) hold names, National Insurance
    numbers and raw identifiers that never reach the database, and quarantined rows hold
    values that were never analysed: neither should outlive its use (docs/data-protection.md).
    """

    extract_days: int = Field(
        default=90,
        ge=1,
        description="Delete an extract's archived copy, and the file in the inbox, this many "
        "days after it was first loaded (long enough to correct and re-send a file; a key "
        "rotation that re-pseudonymises needs the copies of every file still loaded).",
    )
    quarantine_days: int | None = Field(
        default=365, ge=1, description="Delete quarantined rows older than this many days."
    )


class AppraisalSettings(_Frozen):
    """The force's performance appraisal (PDR) scale, lowest rating first, and which ends of
    it count as the top and the bottom (docs/methodology.md, appraisal)."""

    scale: tuple[str, ...] = Field(
        default=(
            "Unsatisfactory",
            "Development required",
            "Competent",
            "Highly competent",
            "Exceptional",
        ),
        min_length=2,
        description="The ratings as the force names them, from the lowest to the highest.",
    )
    top_levels: int = Field(default=1, ge=1, description="Ratings counted as the top.")
    bottom_levels: int = Field(default=1, ge=1, description="Ratings counted as the bottom.")
    synonyms: dict[str, str] = Field(
        default_factory=dict,
        description="HR wording -> a rating of the scale (e.g. '5' = 'Exceptional').",
    )

    @model_validator(mode="after")
    def _consistent(self):
        _each_once("[appraisal] scale", self.scale)
        _synonyms_agree("[appraisal.synonyms]", self.synonyms)
        if self.top_levels + self.bottom_levels > len(self.scale):
            raise ValueError(
                f"[appraisal] top_levels + bottom_levels ({self.top_levels} + "
                f"{self.bottom_levels}) is more than the {len(self.scale)} ratings of the scale"
            )
        wrong = [f"{k!r} = {v!r}" for k, v in self.synonyms.items() if v not in self.scale]
        if wrong:
            raise ValueError(f"[appraisal] synonyms {', '.join(wrong)}: not a rating of scale")
        contradictions = _synonyms_contradict("[appraisal.synonyms]", self.synonyms, self.scale)
        if contradictions:
            raise ValueError("; ".join(contradictions))
        return self


SurveyIndicator = Literal[
    "harassment_public", "harassment_colleagues", "equal_opportunities", "discrimination"
]


class SurveySettings(_Frozen):
    """Which staff-survey questions are reported, as which WRES indicator (5 to 8), and the
    fewest respondents a group's result may come from."""

    questions: dict[str, SurveyIndicator] = Field(
        default_factory=dict,
        description="question_code in the survey extract -> the WRES-like indicator it "
        "measures; questions not listed are loaded but not reported.",
    )
    min_respondents: int = Field(
        default=10,
        ge=1,
        description="A group's result from fewer respondents than this is withheld.",
    )

    @model_validator(mode="after")
    def _one_question_per_indicator(self) -> SurveySettings:
        twice = [
            f"{', '.join(group)} = {self.questions[group[0]]!r}"
            for group in _repeats(self.questions, self.questions.__getitem__)
        ]
        if twice:
            raise ValueError(
                f"[survey.questions] {'; '.join(twice)}: one question per indicator "
                "(which would the report show?)"
            )
        return self


class LeadershipSettings(_Frozen):
    """Who is on the chief officer team and in senior leadership (WRES indicator 9)."""

    chief_officer_ranks: tuple[str, ...] = (
        "Assistant Chief Constable",
        "Deputy Chief Constable",
        "Chief Constable",
    )
    chief_officer_bands: tuple[str, ...] = Field(
        default=(), description="Police staff bands on the chief officer team (directors)."
    )
    senior_ranks: tuple[str, ...] = Field(
        default=("Superintendent", "Chief Superintendent"),
        description="Officer ranks in senior leadership besides the chief officers.",
    )
    senior_bands: tuple[str, ...] = Field(
        default=(), description="Police staff bands in senior leadership."
    )

    @model_validator(mode="after")
    def _listed_once(self) -> LeadershipSettings:
        counted = ", so its people would be counted twice in senior leadership"
        _each_once(
            "[leadership] chief_officer_ranks and senior_ranks",
            (*self.chief_officer_ranks, *self.senior_ranks),
            counted,
        )
        _each_once(
            "[leadership] chief_officer_bands and senior_bands",
            (*self.chief_officer_bands, *self.senior_bands),
            counted,
        )
        return self


WorkerType = Literal["police_officer", "police_staff", "pcso", "special_constable"]


class TargetSettings(_Frozen):
    """One ``[[targets]]`` entry: a share of a group by a date, or a number of the group's
    joiners between two dates. A share target is for the force or one worker type, rank or
    band, or LPU; a joiners target for the force or one worker type.

    Which groups, ranks and LPUs exist is checked against the code lists when the run
    builds its reference tables (:mod:`pipeline.targets`), so a typo is a configuration
    error naming the target, not an empty row in the report.
    """

    code: str | None = Field(
        default=None,
        description="Short identifier (letters, digits, hyphens); default target-1, target-2 ...",
    )
    label: str | None = Field(
        default=None, description="How the report names it; default: written from the fields."
    )
    group: str | None = Field(
        default=None,
        description="Ethnic grouping code (ref.groupings); default the headline group.",
    )
    worker_type: WorkerType | None = None
    rank_or_band: str | None = Field(default=None, description="Needs worker_type.")
    lpu_code: str | None = None
    share: float | None = Field(
        default=None, gt=0, le=1, description="Target share of those who stated (0-1)."
    )
    joiners: int | None = Field(
        default=None, ge=1, description="Target number of the group's joiners."
    )
    from_date: date | None = Field(
        default=None,
        description="Joiner targets: count joiners from this date, a 1 April (required). "
        "Share targets: the baseline snapshot (default: the earliest loaded).",
    )
    by_date: date = Field(description="The date the target is to be met by.")

    @field_validator("code")
    @classmethod
    def _slug(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_-]*", value):
            raise ValueError("use letters, digits, hyphens and underscores only")
        return value

    @model_validator(mode="after")
    def _one_kind(self) -> TargetSettings:
        if (self.share is None) == (self.joiners is None):
            raise ValueError("give exactly one of share (a share by a date) or joiners")
        if self.joiners is not None and self.from_date is None:
            raise ValueError("a joiners target needs from_date (when counting starts)")
        if self.joiners is not None and (
            (self.from_date.month, self.from_date.day) != (4, 1)
            or (self.by_date.month, self.by_date.day) != (3, 31)
        ):
            raise ValueError(
                "a joiners target counts whole reporting years: from_date is a 1 April and "
                "by_date a 31 March (so its count is the sum of the yearly joiners the report "
                "shows, and no part-year count can be worked out from the two)"
            )
        if self.rank_or_band is not None and self.worker_type is None:
            raise ValueError("rank_or_band needs worker_type")
        if self.joiners is not None and (self.rank_or_band or self.lpu_code):
            raise ValueError(
                "a joiners target is for the force or one worker type: the report publishes "
                "joiners by worker type and entry route, so a count for a rank, band or LPU "
                "would have no protected table beside it (remove rank_or_band and lpu_code)"
            )
        if self.from_date is not None and self.from_date >= self.by_date:
            raise ValueError("from_date must be before by_date")
        return self

    @property
    def kind(self) -> Literal["share", "joiners"]:
        return "share" if self.share is not None else "joiners"


class ProjectionSettings(_Frozen):
    """The workforce projection and the trend lines (docs/methodology.md, Projections)."""

    window_years: int = Field(
        default=3,
        ge=1,
        le=20,
        description="Rates and straight-line trends use the snapshots of the last this many years.",
    )
    trend_min_snapshots: int = Field(
        default=3,
        ge=2,
        le=50,
        description="A straight line is fitted only through at least this many snapshots "
        "in the window (a line through two is just the change between them).",
    )
    trend_min_declared_headcount: int = Field(
        default=30,
        ge=1,
        description="A straight line is fitted only where at least this many people stated "
        "an ethnicity at every snapshot it goes through (a smaller base is too noisy).",
    )
    horizon_years: int = Field(default=20, ge=1, le=50)
    simulations: int = Field(
        default=1000, ge=100, le=100_000, description="Simulated futures behind the bands."
    )
    band: float = Field(
        default=0.8, gt=0.5, lt=1, description="Share of simulated futures inside the band."
    )
    seed: int = Field(default=20240331, description="Random seed: the same data, same bands.")
    groups: tuple[str, ...] = Field(
        default=(),
        description="Ethnic groupings projected besides the headline group and every "
        'target\'s group (e.g. ["black"]).',
    )


# [delivery]: where the published report goes, and who hears about a failed night
# (pipeline/delivery/, docs/operations.md). Secrets never come from this file.
SMTP_USERNAME_ENV_VAR = "PROGRESSION_SMTP_USERNAME"
SMTP_PASSWORD_ENV_VAR = "PROGRESSION_SMTP_PASSWORD"


def _address(value: str) -> str:
    """An e-mail address (``name@domain``), checked by the standard library's parser."""
    from email.errors import HeaderParseError
    from email.headerregistry import Address

    try:
        address = Address(addr_spec=value.strip())
    except (HeaderParseError, ValueError, IndexError) as exc:
        raise ValueError(f"{value!r} is not an e-mail address ({exc})") from None
    if not address.domain:
        raise ValueError(f"{value!r} is not an e-mail address (no domain)")
    return address.addr_spec


class SmtpSettings(_Frozen):
    """The mail server: TLS always (STARTTLS or implicit), never a plain connection."""

    host: str = Field(min_length=1)
    port: int | None = Field(
        default=None, ge=1, le=65535, description="Default 587 (starttls) or 465 (tls)."
    )
    security: Literal["starttls", "tls"] = "starttls"
    from_address: str
    ca_file: Path | None = Field(
        default=None,
        description="PEM certificates to trust for the server (an internal CA); default: "
        "the system's.",
    )
    credentials_file: Path | None = Field(
        default=None,
        description="A netrc file (machine <host> login <user> password <password>) outside "
        f"the repository; {SMTP_USERNAME_ENV_VAR} and {SMTP_PASSWORD_ENV_VAR} take precedence. "
        "Neither: the server is used without logging in.",
    )
    timeout_seconds: float = Field(default=30, gt=0)

    @model_validator(mode="before")
    @classmethod
    def _no_secrets(cls, data):
        if isinstance(data, dict) and {"password", "username", "user"} & set(data):
            raise ValueError(
                "credentials never go in the configuration file: set "
                f"{SMTP_USERNAME_ENV_VAR} and {SMTP_PASSWORD_ENV_VAR}, or name a netrc file "
                "outside the repository as credentials_file"
            )
        return data

    @field_validator("from_address")
    @classmethod
    def _valid_from(cls, value: str) -> str:
        return _address(value)

    @field_validator("credentials_file")
    @classmethod
    def _outside_repository(cls, value: Path | None) -> Path | None:
        if value is not None and value.resolve().is_relative_to(REPO_ROOT):
            raise ValueError(f"{value} is inside the repository; keep credentials outside it")
        return value

    @property
    def effective_port(self) -> int:
        return self.port or (587 if self.security == "starttls" else 465)


class EmailDeliverySettings(_Frozen):
    """The report to the BME Progression Group: one message per published report."""

    recipients: tuple[str, ...] = Field(min_length=1)
    attach_pdf: bool = True
    max_message_bytes: int = Field(
        default=10_000_000,
        ge=10_000,
        description="The largest message to send; a PDF that would make it larger (or larger "
        "than the server's advertised SIZE) is linked instead of attached.",
    )
    report_link: str | None = Field(
        default=None,
        description="Where readers open the report: an http or https address (intranet, "
        "SharePoint) or a share path (\\\\server\\share or file://); '{folder}' is replaced by "
        "the dated folder name (YYYY-MM-DD).",
    )
    top_findings: int = Field(default=5, ge=1, le=8)

    @field_validator("recipients")
    @classmethod
    def _valid_recipients(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(dict.fromkeys(_address(v) for v in value))

    @field_validator("report_link")
    @classmethod
    def _web_address(cls, value: str | None) -> str | None:
        if value is not None:
            _web_address(value)
        return value


def _web_address(value: str) -> None:
    """Raise unless ``value``, its ``{folder}`` replaced, is an http or https address with a
    host, a ``file://`` address or a share path (``\\\\server\\share\\...``), with nothing a
    mail client would cut it at (spaces, quotes, other braces)."""
    from urllib.parse import urlsplit

    address = value.replace("{folder}", "2026-03-31")
    if value.startswith("\\\\") and re.search(r"\s", value):
        # a share path does not read %20 as a space; its file:// address does
        as_file = "file://" + value.lstrip("\\").replace("\\", "/").replace(" ", "%20")
        raise ValueError(
            f"{value!r} is not a web address: a mail client cuts a share path at its first "
            f"space; give it as a file:// address with each space as %20: {as_file!r}"
        )
    if re.search(r"[\s{}<>\"\x00-\x1f\x7f]", address):
        raise ValueError(
            f"{value!r} is not a web address: it has a space, a brace (only '{{folder}}' is "
            "replaced), a quote or a control character; write a space as %20"
        )
    if re.fullmatch(r"\\\\[^\\/]+\\[^\\/]+(\\.*)?", address):
        return  # a share path: \\server\share\...
    try:
        parts = urlsplit(address)
        host = parts.hostname
    except ValueError as exc:
        raise ValueError(f"{value!r} is not a web address ({exc})") from None
    scheme = parts.scheme.casefold()
    if (scheme in {"http", "https"} and host) or (scheme == "file" and parts.path.strip("/")):
        return
    raise ValueError(
        f"{value!r} is not a web address: give it whole, starting https:// (or http://) "
        "and the server's name, e.g. https://intranet.force.example/reports/{folder}/, or a "
        "share path (\\\\server\\share\\{folder} or file://server/share/{folder})"
    )


class FolderDeliverySettings(_Frozen):
    """A shared folder (mounted share, SharePoint-synchronised folder): one dated subfolder
    per report, copied aside and renamed into place, readable by owner and group only."""

    path: Path = Field(description="Must exist: a missing mount is a failure, not a new folder.")


class AlertSettings(_Frozen):
    recipients: tuple[str, ...] = Field(min_length=1, description="The operators' addresses.")
    digest_on_warnings: bool = Field(
        default=False,
        description="Also send a digest after a night that published with warnings, or "
        "whose delivery failed (exit code 5).",
    )

    @field_validator("recipients")
    @classmethod
    def _valid_recipients(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(dict.fromkeys(_address(v) for v in value))


class DeliverySettings(_Frozen):
    smtp: SmtpSettings | None = None
    email: EmailDeliverySettings | None = None
    folder: FolderDeliverySettings | None = None
    alerts: AlertSettings | None = None

    @model_validator(mode="after")
    def _mail_needs_server(self) -> DeliverySettings:
        if (self.email or self.alerts) and self.smtp is None:
            raise ValueError("[delivery.email] and [delivery.alerts] need [delivery.smtp]")
        return self

    @property
    def configured(self) -> bool:
        return bool(self.email or self.folder or self.alerts)


class ResourceSettings(_Frozen):
    """What a run may use of the machine; changing these never changes a figure."""

    memory_limit: str = Field(
        default="2GB",
        pattern=r"^\s*\d+(\.\d+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)\s*$",
        description="DuckDB's memory limit (e.g. '2GB'): above it DuckDB spills to a temporary "
        "folder beside the database being built instead of taking the machine's memory.",
    )
    blas_threads: int = Field(
        default=1,
        ge=1,
        description="Threads for numpy's and scipy's linear algebra (OpenBLAS). One is fastest "
        "for the report's many small matrices, and does not fight DuckDB for the cores.",
    )


class Settings(_Frozen):
    force: ForceSettings
    paths: PathSettings
    reference: ReferenceSettings
    extracts: dict[ExtractKind, ExtractSettings] = Field(default_factory=_default_extracts)
    codes: CodeSettings = CodeSettings()
    groups: GroupLabels = GroupLabels()
    disclosure: DisclosureSettings = DisclosureSettings()
    contracts: ContractSettings = ContractSettings()
    fairness: FairnessSettings = FairnessSettings()
    retention: RetentionSettings = RetentionSettings()
    report: ReportSettings = ReportSettings()
    appraisal: AppraisalSettings = AppraisalSettings()
    survey: SurveySettings = SurveySettings()
    leadership: LeadershipSettings = LeadershipSettings()
    targets: tuple[TargetSettings, ...] = ()
    projections: ProjectionSettings = ProjectionSettings()
    delivery: DeliverySettings = DeliverySettings()
    resources: ResourceSettings = ResourceSettings()

    @field_validator("extracts")
    @classmethod
    def _every_kind_present(cls, value: dict[str, ExtractSettings]) -> dict:
        chosen = {kind: value.get(kind, ExtractSettings()) for kind in EXTRACT_KINDS}
        for kind, spec in chosen.items():
            _columns_mapped_once(kind, spec.columns)
        return {
            kind: spec.model_copy(update={"file_pattern": spec.file_pattern or f"{kind}*"})
            for kind, spec in chosen.items()
        }

    @model_validator(mode="after")
    def _leadership_ranks_and_bands_exist(self):
        lead = self.leadership
        wrong = [
            f"[leadership] {name} names {value!r}, which is not one of {', '.join(allowed)}"
            for name, values, allowed in (
                ("chief_officer_ranks", lead.chief_officer_ranks, codes.OFFICER_RANKS),
                ("senior_ranks", lead.senior_ranks, codes.OFFICER_RANKS),
                ("chief_officer_bands", lead.chief_officer_bands, self.codes.staff_bands),
                ("senior_bands", lead.senior_bands, self.codes.staff_bands),
            )
            for value in values
            if value not in allowed
        ]
        if wrong:
            raise ValueError("; ".join(wrong))
        return self

    _key_override: bytes | None = PrivateAttr(default=None)

    def with_pseudonym_key(self, key: bytes) -> Settings:
        """The same settings with another pseudonymisation key (re-pseudonymising a history
        reads its files with the old key and the new; ``pipeline.keys``)."""
        copy = self.model_copy()
        copy._key_override = key
        return copy

    def pseudonym_key(self) -> bytes:
        """The HMAC key: from the environment, else from the key file; never from the repo.
        Either way at least ``MIN_KEY_BYTES`` long."""
        if self._key_override is not None:
            return self._key_override
        if env_key := os.environ.get(KEY_ENV_VAR):
            if len(env_key.encode()) < MIN_KEY_BYTES:
                raise ConfigError(
                    f"The pseudonymisation key in {KEY_ENV_VAR} is shorter than "
                    f"{MIN_KEY_BYTES} bytes."
                )
            return env_key.encode()
        key_file = self.paths.pseudonym_key_file
        if key_file is None:
            raise ConfigError(
                f"No pseudonymisation key: set {KEY_ENV_VAR} or [paths] pseudonym_key_file."
            )
        try:
            key = key_file.read_bytes().strip()
        except OSError as exc:
            raise ConfigError(
                f"Cannot read the pseudonymisation key file {key_file}: {exc}"
            ) from None
        if len(key) < MIN_KEY_BYTES:
            raise ConfigError(
                f"The pseudonymisation key in {key_file} is shorter than {MIN_KEY_BYTES} bytes."
            )
        return key


def _resolve_paths(raw: dict, base: Path) -> dict:
    """Relative paths in the file are relative to the file, so a config can move with its data."""
    for section in ("paths", "reference"):
        for key, value in raw.get(section, {}).items():
            if value == "":
                raw[section][key] = None
            elif isinstance(value, str):
                path = Path(value).expanduser()
                # abspath, not resolve: the database path is a link to the current
                # release, and must stay the link rather than become one release's file.
                raw[section][key] = Path(os.path.abspath(base / path))
    for section, key in (("smtp", "ca_file"), ("smtp", "credentials_file"), ("folder", "path")):
        table = raw.get("delivery", {}).get(section)
        if isinstance(table, dict) and isinstance(table.get(key), str) and table[key]:
            table[key] = Path(os.path.abspath(base / Path(table[key]).expanduser()))
    return raw


def _config_text(path: Path) -> str:
    """The file's text: UTF-8, as TOML requires, with or without the byte-order mark older
    Notepad writes; any other encoding is named at its first byte that is not UTF-8."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(f"Configuration file not found: {path}") from None
    except OSError as exc:
        raise ConfigError(f"Cannot read the configuration file {path}: {exc.strerror}") from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        start = raw.rfind(b"\n", 0, exc.start) + 1
        line = raw.count(b"\n", 0, exc.start) + 1
        column = len(raw[start : exc.start].decode("utf-8-sig")) + 1
        byte = raw[exc.start : exc.start + 1]
        raise ConfigError(
            f"{path} is not UTF-8: line {line}, column {column} (byte {exc.start}) is "
            f"0x{byte.hex()}, {byte.decode('cp1252', 'replace')!r} in Windows-1252. Save the "
            "file as UTF-8 (Notepad: Save As, Encoding UTF-8)."
        ) from None


def load_settings(path: Path | None = None) -> Settings:
    """Load the config named by ``path``, else by ``$PROGRESSION_CONFIG``."""
    if path is None:
        env_path = os.environ.get(CONFIG_ENV_VAR)
        if not env_path:
            raise ConfigError(f"No configuration: pass --config FILE or set {CONFIG_ENV_VAR}.")
        path = Path(env_path)
    try:
        raw = tomllib.loads(_config_text(path))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path} is not valid TOML: {exc}") from None
    try:
        return Settings.model_validate(_resolve_paths(raw, path.resolve().parent))
    except ValidationError as exc:
        problems = "; ".join(
            ": ".join(filter(None, (".".join(str(p) for p in err["loc"]), err["msg"])))
            for err in exc.errors()
        )
        raise ConfigError(f"{path}: {problems}") from None
