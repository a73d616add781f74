"""One rule for files that describe the same thing, for every kind of extract.

What a file describes (its *scope*): a staff snapshot its snapshot date, a promotion file its
processes, a recruitment file its campaigns, a misconduct or grievance file its cases, a
training file its programmes, an appraisal file its years, a survey file its surveys, a
joiners-and-leavers file the period from its first to its last movement (what it replaces;
whether the movements cover a period is judged from their dates, so a hole in a file is
missing, ``int_workforce__periods``, and a file for the hole is a correction). Two files whose
scopes overlap would count the same people twice, or leave which one counts to the order
they happen to load in. So a new file whose scope overlaps another's, whether loaded on an
earlier night or arriving tonight, blocks the run, naming both files, unless it is plainly
meant to replace the other:

- it has the **same file name** (the HR system writing the same file again, or an archive's
  dated folders each holding ``staff_snapshot.csv``): the later delivery replaces it;
- it is marked as a **correction**: its name contains the word ``correction`` or
  ``corrected`` (``staff_snapshot_2026-03-31_correction.csv``,
  ``joiners_leavers_2026_corrected.csv``). It replaces what it describes, whichever file
  that came from.

Either way the replacement deletes exactly the rows the new file describes (that snapshot
date, those processes or campaigns, or the movements in its period) and loads its own, in one
transaction (``pipeline.nightly``). Two corrections of the same thing on one night block too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import PurePosixPath

import duckdb
import pandas as pd

from pipeline.extracts import Extract

CORRECTION = re.compile(r"(?:^|[^a-z])correct(?:ed|ions?)(?:[^a-z]|$)", re.IGNORECASE)
KEY_COLUMNS = {
    "staff_snapshot": "snapshot_date",
    "promotion_candidates": "process_id",
    "recruitment_applicants": "campaign_id",
    "misconduct_cases": "case_key",
    "grievances": "case_key",
    "training_development": "programme_id",
    "appraisal_ratings": "appraisal_year",
    "staff_survey": "survey_id",
}
PERIOD_COLUMN = {"joiners_leavers": "movement_date"}
_NOUNS = {
    "staff_snapshot": ("snapshot date", "snapshot dates"),
    "promotion_candidates": ("process", "processes"),
    "recruitment_applicants": ("campaign", "campaigns"),
    "misconduct_cases": ("misconduct case", "misconduct cases"),
    "grievances": ("grievance or claim", "grievances or claims"),
    "training_development": ("programme", "programmes"),
    "appraisal_ratings": ("appraisal year", "appraisal years"),
    "staff_survey": ("survey", "surveys"),
}
COUNTED_ONLY = frozenset({"misconduct_cases", "grievances"})
"""Kinds whose keys are pseudonyms (a case reference): a message counts them, never lists them."""


@dataclass(frozen=True)
class Scope:
    """What one file describes: key values, or for joiners and leavers a period."""

    kind: str
    keys: frozenset[str] = frozenset()
    period: tuple[date, date] | None = None

    def shared(self, other: Scope) -> Scope | None:
        """What both describe, or None."""
        if self.period and other.period:
            start = max(self.period[0], other.period[0])
            end = min(self.period[1], other.period[1])
            return Scope(self.kind, period=(start, end)) if start <= end else None
        common = self.keys & other.keys
        return Scope(self.kind, keys=common) if common else None

    def __str__(self) -> str:
        if self.period:
            start, end = self.period
            return f"movements from {start.isoformat()} to {end.isoformat()}"
        singular, plural = _NOUNS[self.kind]
        if self.kind in COUNTED_ONLY:
            return f"{len(self.keys):,} {singular if len(self.keys) == 1 else plural}"
        shown = sorted(self.keys)
        listed = ", ".join(shown[:5]) + (" …" if len(shown) > 5 else "")
        return f"{singular if len(shown) == 1 else plural} {listed}"


def is_correction(name: str) -> bool:
    """The file's name (not its folder) says it corrects a file loaded before."""
    return bool(CORRECTION.search(PurePosixPath(name).name))


def same_file(name: str, other: str) -> bool:
    """The same file name, whatever folder each was delivered in."""
    return PurePosixPath(name).name == PurePosixPath(other).name


def _key_text(value) -> str:
    if isinstance(value, (date, pd.Timestamp)):
        return pd.Timestamp(value).date().isoformat()
    return str(value)


def scope_of(extract: Extract) -> Scope:
    """What the file's good rows describe (quarantined rows are not loaded)."""
    frame = extract.frame
    if extract.kind in PERIOD_COLUMN:
        dates = frame[PERIOD_COLUMN[extract.kind]].dropna()
        if dates.empty:
            return Scope(extract.kind)
        return Scope(
            extract.kind,
            period=(pd.Timestamp(dates.min()).date(), pd.Timestamp(dates.max()).date()),
        )
    values = frame[KEY_COLUMNS[extract.kind]].dropna().unique()
    return Scope(extract.kind, keys=frozenset(_key_text(v) for v in values))


def loaded_scopes(con: duckdb.DuckDBPyConnection, kind: str) -> dict[str, Scope]:
    """What each file the database holds rows from describes."""
    if kind in PERIOD_COLUMN:
        column = PERIOD_COLUMN[kind]
        rows = con.execute(
            f"""select source_file, cast(min({column}) as date), cast(max({column}) as date)
                from raw.{kind} where {column} is not null group by all"""
        ).fetchall()
        return {name: Scope(kind, period=(start, end)) for name, start, end in rows}
    column = KEY_COLUMNS[kind]
    rows = con.execute(
        f"select source_file, list(distinct {column}) from raw.{kind} group by all"
    ).fetchall()
    return {
        name: Scope(kind, keys=frozenset(_key_text(v) for v in values)) for name, values in rows
    }


def _correction_name(name: str) -> str:
    path = PurePosixPath(name)
    return path.with_name(f"{path.stem}_correction{path.suffix}").name


def conflicts(con: duckdb.DuckDBPyConnection, extracts: list[Extract], names: dict) -> list[str]:
    """A blocking problem for every new file that overlaps another without replacing it."""
    problems = []
    new = [(names[e.path], e.kind, scope_of(e)) for e in extracts]
    for position, (name, kind, scope) in enumerate(new):
        others = [(other, s, "arrived tonight") for other, k, s in new[:position] if k == kind]
        tonight = {other for other, _, _ in others}
        others += [
            (other, s, "already loaded")
            for other, s in loaded_scopes(con, kind).items()
            if other not in tonight
        ]
        for other, other_scope, when in others:
            shared = scope.shared(other_scope)
            if shared is None or same_file(name, other):
                continue
            mine, theirs = is_correction(name), is_correction(other) and when == "arrived tonight"
            if mine != theirs:
                continue  # exactly one of the two corrects the other: it loads last and wins
            if mine:
                problems.append(
                    f"{name} and {other} both say they correct {shared}: keep one of them "
                    "in the inbox."
                )
                continue
            problems.append(
                f"{name} describes {shared}, like {other} ({when}): loading both would count "
                f"them twice or keep one at random. If {name} corrects {other}, put "
                f"'correction' in its name ({_correction_name(name)}) and it will replace it; "
                "otherwise remove the file that is wrong from the inbox."
            )
    return problems
