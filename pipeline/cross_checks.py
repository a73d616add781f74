"""Checks across nights and across extracts: SQL (``sql/checks/``) on the history in raw.*,
run after loading.

Each compares what tonight's files say with what came before (the previous staff
snapshot) or with another extract (promotion candidates against the snapshots). The data
may well be right (a reorganisation moves headcount), so every one of them is a warning:
recorded in ``ops.contract_results`` and shown in the report, never silent.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import duckdb
import pandas as pd

from pipeline import warehouse
from pipeline.config import SQL_DIR, Settings
from pipeline.contracts import ContractResult

CHECKS_DIR = SQL_DIR / "checks"


def _date(value) -> str:
    return pd.Timestamp(value).date().isoformat()


def _long_date(value) -> str:
    return pd.Timestamp(value).strftime("%-d %B %Y")


def _count(value: int, settings: Settings) -> str:
    """Counts from 1 to the disclosure threshold never appear in any output."""
    threshold = settings.disclosure.threshold
    return f"1 to {threshold}" if 1 <= value <= threshold else f"{value:,}"


def _related_counts(values: list[int], settings: Settings) -> list[str]:
    """Counts a sentence gives together, which add up with published headcounts (those
    gone and those come between two snapshots): where any is from 1 to the threshold, none
    is given exactly, or the withheld one could be worked out from the other (40 + 20 - 57
    = 3 gone)."""
    threshold = settings.disclosure.threshold
    if not any(1 <= v <= threshold for v in values):
        return [f"{v:,}" for v in values]
    return [_count(v, settings) if v <= threshold else f"more than {threshold}" for v in values]


SURVEY_LARGEST = 3
"""How many of a survey file's largest differences between parts and total a warning names."""


def _survey_parts(rows: list[dict], count: Callable[[int], str]) -> str:
    """One survey file's questions whose rows do not add up, the largest differences first."""

    def difference(row: dict) -> int:
        return abs(int(row["total_count"]) - int(row["part_count"]))

    def one(row: dict) -> str:
        ethnicity = row["ethnicity_code"]
        total = "the total row" if pd.isna(ethnicity) else "its own row"
        return (
            f"{row['survey_id']} {row['question_code']}, the {row['part']} rows"
            + ("" if pd.isna(ethnicity) else f" of ethnicity {ethnicity}")
            + f" add up to {count(int(row['part_count']))}, {total} (row "
            f"{int(row['total_row'])}) says {count(int(row['total_count']))}"
        )

    def order(row: dict) -> tuple:
        ethnicity = "" if pd.isna(row["ethnicity_code"]) else row["ethnicity_code"]
        return -difference(row), row["survey_id"], row["question_code"], ethnicity, row["part"]

    largest = sorted(rows, key=order)[:SURVEY_LARGEST]
    totals = (
        "1 question and group total does"
        if len(rows) == 1
        else f"{len(rows):,} question and group totals do"
    )
    return (
        f"{totals} not match the sum of their parts in column respondent_count (the "
        "ethnicity rows and the sex rows against the total row, an ethnicity's rows by sex "
        "against its own row); "
        + ("" if len(rows) == 1 else "the largest differences: ")
        + "; ".join(one(r) for r in largest)
        + "."
    )


def _stretches(stretches: list[dict]) -> str:
    """Missing stretches of days as '1 October 2025 to 31 March 2026 and ...'."""
    spans = [f"{_long_date(x['first_date'])} to {_long_date(x['last_date'])}" for x in stretches]
    return spans[0] if len(spans) == 1 else ", ".join(spans[:-1]) + " and " + spans[-1]


def _files(files: list[dict]) -> str:
    """The movements files overlapping a period: each one's first and last movement, and
    the missing days between them (a hole in the file)."""

    def one(f: dict) -> str:
        holes = list(f["missing_stretches"])
        return (
            f"{f['source_file']} has movements dated {_long_date(f['first_date'])} to "
            f"{_long_date(f['last_date'])}"
            + (f", but none from {_stretches(holes)}" if holes else " only")
        )

    return "; ".join(one(f) for f in files)


def _movements_cover(row: dict, s: Settings) -> str:
    """A period the movements do not cover (its flows withheld): which days no file covers,
    what the files loaded do cover, and what to deliver; or one where the snapshots show
    people moving whom the movements do not record."""
    start, end = _long_date(row["period_start_date"]), _long_date(row["period_end_date"])
    went, came, no_leaver, no_joiner = _related_counts(
        [int(row[c]) for c in ("gone_count", "came_count", "unrecorded_leaver_count",
                               "unrecorded_joiner_count")], s
    )  # fmt: skip
    gone = (
        f"{went} people in the snapshot of {start} are not in that of {end}, and {came} in "
        "the later one are not in the earlier"
    )
    if not row["is_movements_covered"]:
        missing = _stretches(list(row["missing_stretches"]))
        files = list(row["movement_files"])
        if files:
            loaded = f"{_files(files)}."
        elif pd.isna(row["latest_movement_date"]):
            loaded = "No joiners-and-leavers file is loaded."
        else:
            loaded = (
                "No joiners-and-leavers file loaded has a movement in the period (the "
                f"latest, {row['latest_movement_file']}, ends on "
                f"{_long_date(row['latest_movement_date'])})."
            )
        holed = [f["source_file"] for f in files if len(f["missing_stretches"])]
        deliver = (
            f"for {missing} with 'correction' in its name (those dates lie within the "
            f"movements of {' and '.join(holed)}), or one for the whole period with "
            "'correction' in its name to replace the files loaded before"
            if holed
            else f"for {missing} (or one for the whole period, with 'correction' in its "
            "name to replace a file loaded before)"
        )
        return (
            f"Joiners and leavers dated {missing} are not loaded. {loaded} The snapshots "
            f"show people leaving or joining over the period ({gone}), so leaving, joining and the "
            f"projection are not published for {start} to {end}, rather than published as "
            f"if nobody left or joined from {missing}. Deliver a joiners-and-leavers file "
            f"{deliver}; the period's figures are published the night it is loaded."
        )
    return (
        f"{start} to {end}: {gone}; of them {no_leaver} have no leaver record in the "
        f"period and {no_joiner} no joiner record, so "
        "leaving and joining, counted from the records, are undercounted. Load the missing "
        "records in a joiners-and-leavers file for the period."
    )


def _years_words(years: float) -> str:
    whole = round(years)
    return f"{whole} years" if abs(years - whole) < 0.1 else f"{years:.1f} years"


@dataclass(frozen=True)
class CrossCheck:
    rule: str
    extract_kind: str
    """The extract the check is about (a failing row's own ``extract_kind`` wins)."""
    description: str
    fix: str
    describe: Callable[[dict, Settings], str] | None = None
    """One failing row of the check's SQL, in words (counts suppressed): one warning each."""
    describe_file: Callable[[list[dict], Callable[[int], str]], str] | None = None
    """Instead, every failing row of one file in words, its counts written by the function
    given: one warning per file (a check failing for many rows of a file at once)."""
    count_column: str | None = None
    """The column counting what is affected; otherwise each row counts one."""


CHECKS: tuple[CrossCheck, ...] = (
    CrossCheck(
        rule="headcount_change",
        extract_kind="staff_snapshot",
        description="Headcount moves by no more than [contracts] headcount_change_share "
        "between the two latest staff snapshots.",
        fix="Check that the snapshot is complete (every worker type, department and LPU "
        "exported); if the change is real, no action is needed.",
        describe=lambda row, s: (
            f"{row['worker_type_label']}: headcount {row['previous_headcount']:,} on "
            f"{_date(row['previous_snapshot_date'])}, {row['headcount']:,} on "
            f"{_date(row['snapshot_date'])} ({row['change_share']:+.1%}; the limit is "
            f"{s.contracts.headcount_change_share:.0%})."
        ),
    ),
    CrossCheck(
        rule="rank_disappeared",
        extract_kind="staff_snapshot",
        description="Every rank or band with people in post in the previous snapshot still "
        "has people in post.",
        fix="Check whether the HR system changed the rank's code or name (add a synonym to "
        "[codes] rank_synonyms) or the export left people out.",
        describe=lambda row, _s: (
            f"{row['worker_type_label']}: {row['rank_or_band']} had people in post on "
            f"{_date(row['previous_snapshot_date'])} and has none on "
            f"{_date(row['snapshot_date'])}."
        ),
    ),
    CrossCheck(
        rule="declaration_rate_drop",
        extract_kind="staff_snapshot",
        description="The ethnicity declaration rate falls by no more than [contracts] "
        "declaration_rate_drop between the two latest staff snapshots.",
        fix="Check that ethnicity is exported for everyone and that no new label is being "
        "read as 'not stated'; if the drop is real, no action is needed here.",
        describe=lambda row, s: (
            f"{row['worker_type_label']}: declaration rate "
            f"{row['previous_declaration_rate']:.1%} on {_date(row['previous_snapshot_date'])}, "
            f"{row['declaration_rate']:.1%} on {_date(row['snapshot_date'])} (the limit is a "
            f"fall of {s.contracts.declaration_rate_drop * 100:.0f} percentage points)."
        ),
    ),
    CrossCheck(
        rule="movements_cover_period",
        extract_kind="joiners_leavers",
        description="The joiners-and-leavers files cover every period between consecutive "
        "staff snapshots in the last [projections] window_years (no stretch of a period "
        "between two movements, in any file, is left without the movements the snapshots "
        "show: [contracts] movements_gap_days and movements_gap_chance), and everyone who is "
        "in one snapshot and not the next has a leaver record (a joiner record the other way).",
        fix="If the movements are in a file already loaded, check that its staff ids are "
        "written as in the snapshots.",
        describe=_movements_cover,
        count_column="unrecorded_count",
    ),
    CrossCheck(
        rule="snapshot_gap",
        extract_kind="staff_snapshot",
        description="Consecutive staff snapshots are no more than [contracts] "
        "longest_period_years apart.",
        fix="Load the missing snapshot if there is one; until then the report gives the "
        "period's leaving and promotion for the whole period, and the projection spreads "
        "them over its years.",
        describe=lambda row, _s: (
            f"No snapshot between {_long_date(row['period_start_date'])} and "
            f"{_long_date(row['period_end_date'])}: the flows between them cover "
            f"{_years_words(float(row['period_years']))}."
        ),
    ),
    CrossCheck(
        rule="candidate_in_staff_snapshot",
        extract_kind="promotion_candidates",
        description="Every promotion candidate is in a loaded staff snapshot (their "
        "characteristics come from it).",
        fix="Load the staff snapshot from the time of the process, or correct the staff ids "
        "in the promotion file.",
        describe=lambda row, s: (
            f"Process {row['process_id']}: none of its "
            f"{_count(int(row['candidate_count']), s)} candidates is in a loaded staff "
            "snapshot, so their ethnicity is unknown and the process cannot be analysed."
            if row["missing_candidate_count"] == row["candidate_count"]
            else f"Process {row['process_id']}: "
            f"{_count(int(row['missing_candidate_count']), s)} candidate(s) in no snapshot."
        ),
        count_column="missing_candidate_count",
    ),
    CrossCheck(
        rule="person_in_staff_snapshot",
        extract_kind="misconduct_cases",
        description="Everyone in the misconduct, grievance, development and appraisal "
        "extracts is in a loaded staff snapshot (their ethnicity, sex and worker type come "
        "from it).",
        fix="Load the staff snapshots of the period the extract covers, or correct its staff ids.",
        describe=lambda row, s: (
            f"{row['extract_kind']}: {_count(int(row['missing_person_count']), s)} "
            "person(s) in no snapshot."
        ),
        count_column="missing_person_count",
    ),
    CrossCheck(
        rule="survey_parts_add_up",
        extract_kind="staff_survey",
        description="In each staff survey file, a question's rows add up: the ethnicity rows "
        "and the sex rows to the total row, each ethnicity's rows by sex to its own row.",
        fix="Ask the survey provider whether cells were left out (small numbers) or the file "
        "is wrong; the report takes each group from its own row, so its groups do not add "
        "up to the whole until the file is corrected.",
        describe_file=_survey_parts,
    ),
    CrossCheck(
        rule="survey_question_asked",
        extract_kind="staff_survey",
        description="Every question [survey.questions] reports is asked in a loaded staff survey.",
        fix="Check the code in [survey.questions] against the survey provider's file (codes "
        "are matched exactly, 'Q17a' is not 'Q17A'), or remove the question.",
        describe=lambda row, _s: (
            f"[survey.questions] {row['question_code']}: no loaded staff survey asks this "
            "question, so its indicator is not reported."
        ),
    ),
)


def _latest_file(con: duckdb.DuckDBPyConnection, kind: str) -> str | None:
    if kind != "staff_snapshot":
        return None
    row = con.execute(
        """select any_value(source_file) from raw.staff_snapshot
           where snapshot_date = (select max(snapshot_date) from raw.staff_snapshot)"""
    ).fetchone()
    return row[0] if row else None


def run_cross_checks(con: duckdb.DuckDBPyConnection, settings: Settings) -> list[ContractResult]:
    """One result per failing item (a worker type, a rank, a process), or one success."""
    parameters = {
        "headcount_change_share": settings.contracts.headcount_change_share,
        "declaration_rate_drop": settings.contracts.declaration_rate_drop,
        "min_headcount": settings.disclosure.threshold,
        "survey_questions": sorted(settings.survey.questions),
        "longest_period_years": settings.contracts.longest_period_years,
        "window_years": settings.projections.window_years,
    }
    results = []
    for check in CHECKS:
        sql = (CHECKS_DIR / f"{check.rule}.sql").read_text(encoding="utf-8")
        warehouse.build_views_read_by(con, sql)
        used = {name: value for name, value in parameters.items() if f"${name}" in sql}
        failing = con.execute(sql, used).df().to_dict("records")
        base = {
            "extract_kind": check.extract_kind,
            "source_file": _latest_file(con, check.extract_kind),
            "source_file_hash": None,
            "rule": check.rule,
            "expectation_type": f"progression_sql_check:{check.rule}",
            "column_name": "*",
            "severity": "warning",
        }
        if not failing:
            results.append(
                ContractResult(**base, success=True, unexpected_count=0, message=check.description)
            )
        if check.describe_file is not None:
            results.extend(_per_file(check, base, failing, settings))
            continue
        results.extend(
            ContractResult(
                **{**base, "extract_kind": row.get("extract_kind", check.extract_kind)},
                success=False,
                unexpected_count=int(row[check.count_column]) if check.count_column else 1,
                message=f"{check.describe(row, settings)} {check.fix}",
            )
            for row in failing
        )
    return results


def _per_file(
    check: CrossCheck, base: dict, failing: list[dict], settings: Settings
) -> list[ContractResult]:
    """One result per file: the published message withholds counts of 1 to the threshold,
    the run log (the operator's) gives every count exactly."""
    by_file: dict[str, list[dict]] = {}
    for row in failing:
        by_file.setdefault(row["source_file"], []).append(row)
    results = []
    for source_file, rows in by_file.items():
        message = check.describe_file(rows, lambda value: _count(value, settings))
        exact = check.describe_file(rows, lambda value: f"{value:,}")
        results.append(
            ContractResult(
                **{
                    **base,
                    "extract_kind": rows[0].get("extract_kind", check.extract_kind),
                    "source_file": source_file,
                },
                success=False,
                unexpected_count=len(rows),
                message=f"{message} {check.fix}",
                log_message=None if exact == message else f"{exact} {check.fix}",
            )
        )
    return results
