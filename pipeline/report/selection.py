"""Promotion and recruitment sections: a funnel per process, with the stage where the gap
between ethnic-minority and White candidates opens called out.

The report shows the latest reporting year's processes, and any earlier process with a stage
below four-fifths that survives the false discovery rate control, so a finding does not drop
out of view after a year. A sentence that says something of every stage names the stages it
could not assess and why.
"""

from __future__ import annotations

import duckdb
import pandas as pd

from pipeline.config import Settings
from pipeline.disclosure import suppress
from pipeline.report import comparison_format as cf
from pipeline.report import formatting as fmt
from pipeline.report import progression_charts
from pipeline.report.model import Section, Table
from pipeline.stats import FOUR_FIFTHS, NOT_COMPUTABLE

GROUP, REFERENCE = "minority_excl_white", "white"

PROCESSES_SQL = """
with processes as (
    select distinct process_id, process_name, reporting_year
    from analytics.selection_rates
    where process_type = ?
),

flagged as (
    select distinct process_id
    from analytics.disparities
    where process_type = ? and comparison_code = 'ethnic_minority'
        and comparator_basis = 'reference_group' and group_code = ?
        and not is_end_to_end and is_significant_after_adjustment
        and adverse_impact_ratio < ?
)

select processes.process_id, processes.process_name, processes.reporting_year
from processes
where processes.reporting_year = (select max(reporting_year) from processes)
    or processes.process_id in (select process_id from flagged)
order by processes.reporting_year desc, processes.process_id
"""

STAGES_SQL = """
select
    studied.stage_order,
    studied.stage_name,
    studied.is_end_to_end,
    studied.entered_count,
    studied.passed_count,
    studied.selection_base_count,
    studied.selection_rate,
    studied.passed_entrant_share,
    reference.entered_count as ref_entered_count,
    reference.passed_count as ref_passed_count,
    reference.selection_base_count as ref_selection_base_count,
    reference.selection_rate as ref_selection_rate,
    reference.passed_entrant_share as ref_passed_entrant_share,
    disparity.adverse_impact_ratio as ratio,
    disparity.relative_likelihood_ratio,
    disparity.ci_lower_ratio,
    disparity.ci_upper_ratio,
    disparity.p_value,
    disparity.adjusted_p_value,
    disparity.family_comparison_count,
    disparity.is_significant,
    disparity.is_significant_after_adjustment,
    disparity.verdict
from analytics.selection_rates as studied
inner join analytics.selection_rates as reference
    on studied.process_type = reference.process_type
    and studied.process_id = reference.process_id
    and studied.stage_order = reference.stage_order
    and reference.comparison_code = 'ethnic_minority'
    and reference.group_code = ?
left join analytics.disparities as disparity
    on studied.process_type = disparity.process_type
    and studied.process_id = disparity.process_id
    and studied.stage_order = disparity.stage_order
    and disparity.comparison_code = 'ethnic_minority'
    and disparity.comparator_basis = 'reference_group'
    and disparity.group_code = studied.group_code
    and disparity.comparator_group_code = reference.group_code
where studied.process_type = ? and studied.process_id = ?
    and studied.comparison_code = 'ethnic_minority' and studied.group_code = ?
order by studied.is_end_to_end, studied.stage_order
"""

RULES = cf.rules(
    {
        "entered_count": ("selection_rate", "passed_entrant_share"),
        "passed_count": ("selection_rate", "passed_entrant_share"),
        "selection_base_count": ("selection_rate",),
        "ref_entered_count": ("ref_selection_rate", "ref_passed_entrant_share"),
        "ref_passed_count": ("ref_selection_rate", "ref_passed_entrant_share"),
        "ref_selection_base_count": ("ref_selection_rate",),
    },
    also=("relative_likelihood_ratio",),
)


def _below_four_fifths(shown: pd.DataFrame) -> pd.Series:
    ratio = pd.to_numeric(shown["ratio"], errors="coerce")
    return ratio.notna() & (ratio < FOUR_FIFTHS)


def _gap_stage(shown: pd.DataFrame) -> pd.Series | None:
    """The stage where the gap opens: the lowest ratio below four-fifths among stages whose
    difference survives the false discovery rate control, else among all shown stages below
    four-fifths; None when no shown stage is below four-fifths."""
    stages = shown[~shown["is_end_to_end"].astype(bool)]
    below = stages[_below_four_fifths(stages)]
    findings = below[[cf.is_finding(row) for _, row in below.iterrows()]]
    for candidates in (findings, below):
        if not candidates.empty:
            return candidates.loc[candidates["ratio"].astype(float).idxmin()]
    return None


def _stage_names(names: list[str]) -> str:
    """'the interview stage', 'the legal exam and interview stages'; 'stage 2' as it is."""
    lower = [n.lower() for n in names]
    if all(n.startswith("stage") for n in lower):
        return fmt.join(lower)
    return f"the {fmt.join(lower)} {'stages' if len(names) > 1 else 'stage'}"


def _why_not_assessed(before, after, group: str) -> str | None:
    """Why a stage has no comparison to show (None when it has one): withheld because the
    numbers are small (first: a reason would give away a withheld count), or not
    computable because there is nobody to compare."""
    if bool(after["is_suppressed"]) and cf.missing(after["verdict"]):
        return "could not be shown because the numbers are small"
    if cf.missing(before["verdict"]) or before["verdict"] == NOT_COMPUTABLE:
        if before["selection_base_count"] == 0:
            return f"could not be compared because there were no {group} candidates"
        if before["ref_selection_base_count"] == 0:
            return "could not be compared because there were no White candidates"
        return "could not be compared because no one in either group passed"
    return None


def _assessment(raw: pd.DataFrame, shown: pd.DataFrame, group: str):
    """The stages (not end to end) with a comparison shown, and a clause for each reason
    the others have none ('the appointment stage could not be shown because ...')."""
    assessed, reasons = [], {}
    for index in shown.index[~shown["is_end_to_end"].astype(bool)]:
        before, after = raw.loc[index], shown.loc[index]
        why = _why_not_assessed(before, after, group)
        if why is None:
            assessed.append(str(after["stage_name"]))
        else:
            reasons.setdefault(why, []).append(str(after["stage_name"]))
    return assessed, [f"{_stage_names(stages)} {why}" for why, stages in reasons.items()]


UNMATCHED_SQL = """
select bool_or(has_snapshot_match)
from intermediate.int_selection__candidate_stages
where process_type = ? and process_id = ?
"""
"""Whether any of a process's candidates was found in a staff snapshot (where their
ethnicity comes from)."""


def _message(
    process_name: str, label: str, raw: pd.DataFrame, shown: pd.DataFrame, gap, matched=True
) -> str:
    """The section's headline. A sentence about every stage ("at no stage ...") is said only
    of the stages that could be compared, and names the others with the reason; a process
    none of whose candidates is in a staff snapshot says that instead."""
    if not matched:
        return (
            f"{process_name}: none of its candidates is in a loaded staff snapshot, so their "
            "ethnicity is unknown and the stages cannot be compared; load the staff snapshot "
            "from the time of the process, or check the staff ids in the promotion file."
        )
    group = cf.mid_sentence(label)
    assessed, unassessed = _assessment(raw, shown, group)
    others = "".join(f"; {clause}" for clause in unassessed) + "."
    if gap is not None:
        return (
            f"{process_name}: the gap opens at the {gap['stage_name'].lower()}, where "
            f"{fmt.percent(gap['selection_rate'])} of {group} candidates passed against "
            f"{fmt.percent(gap['ref_selection_rate'])} of White candidates (pass-rate ratio "
            f"{fmt.ratio(gap['ratio'])}, 95% interval {cf.interval_text(gap)}); "
            f"{cf.chance_clause(gap, 'gap')}" + others
        )
    if not assessed:
        return f"{process_name}: no stage could be compared: " + "; ".join(unassessed) + "."
    if not unassessed:
        return (
            f"{process_name}: at no stage was the pass rate of {group} candidates below "
            "four-fifths of White candidates'."
        )
    return (
        f"{process_name}: at {_stage_names(assessed)} the pass rate of {group} candidates was "
        "not below four-fifths of White candidates'" + others
    )


def _rows(raw: pd.DataFrame, shown: pd.DataFrame) -> list[list[str]]:
    def col(name, formatter):
        return cf.column(raw, shown, name, formatter)

    two = "{:.2f}".format
    lower, upper = col("ci_lower_ratio", cf.bound), col("ci_upper_ratio", cf.bound)
    columns = [
        list(shown["stage_name"]),
        col("entered_count", fmt.count),
        col("passed_count", fmt.count),
        col("selection_rate", fmt.percent),
        col("ref_entered_count", fmt.count),
        col("ref_passed_count", fmt.count),
        col("ref_selection_rate", fmt.percent),
        col("ratio", two),
        cf.join_interval(lower, upper),
        col("relative_likelihood_ratio", two),
        cf.how_sure_column(raw, shown),
        col("verdict", str),
    ]
    return [list(row) for row in zip(*columns, strict=True)]


def _section(con, settings: Settings, process_type: str, process) -> Section:
    label = settings.groups.minority_excl_white
    raw = con.execute(STAGES_SQL, [REFERENCE, process_type, process["process_id"], GROUP]).df()
    shown = suppress(raw, RULES, settings.disclosure.threshold)
    gap = _gap_stage(shown)
    matched = con.execute(UNMATCHED_SQL, [process_type, process["process_id"]]).fetchone()[0]
    message = _message(process["process_name"], label, raw, shown, gap, matched is not False)
    stages = shown[~shown["is_end_to_end"].astype(bool)].reset_index(drop=True)
    callout = None
    if gap is not None:
        index = int(stages.index[stages["stage_order"] == gap["stage_order"]][0])
        callout = (index, f"Gap opens here: pass-rate ratio {fmt.ratio(gap['ratio'])}")
    section_id = f"{process_type}-{process['process_id'].lower()}"
    svg = progression_charts.paired_bars(
        section_id,
        list(stages["stage_name"]),
        [
            (f"{label}", [fmt.optional_float(v) for v in stages["passed_entrant_share"]]),
            ("White", [fmt.optional_float(v) for v in stages["ref_passed_entrant_share"]]),
        ],
        xlabel="Share of the group's candidates who passed the stage (%)",
        callout=callout,
        title=message,
    )
    entered = "Candidates" if process_type == "recruitment" else "Entered"
    return Section(
        id=section_id,
        theme="processes",
        title=f"{process['process_name']}: where candidates fall out",
        message=message,
        chart_svg=svg,
        chart_alt=(
            f"Funnel of {process['process_name']}: bars show, for each stage, the share of "
            f"{cf.mid_sentence(label)} and of White candidates who passed it. {message}"
        ),
        table=Table(
            caption=(
                f"{process['process_name']}, stage by stage ({label} against White; pass "
                "rates leave out withdrawals; pass-rate ratio = minority rate / White rate; "
                "relative likelihood = White rate / minority rate, the NHS Workforce Race "
                "Equality Standard's relative likelihood of White candidates being appointed "
                "compared to ethnic minority candidates; how sure allows for the comparisons "
                f"made for the process; {cf.NOT_COMPUTABLE} = cannot be computed)"
            ),
            headers=[
                "Stage",
                f"{cf.short_label(label)}: {entered.lower()}",
                f"{cf.short_label(label)}: passed",
                f"{cf.short_label(label)}: pass rate",
                f"White: {entered.lower()}",
                "White: passed",
                "White: pass rate",
                "Pass-rate ratio",
                "95% interval",
                "Relative likelihood (WRES)",
                "How sure",
                "Verdict",
            ],
            rows=_rows(raw, shown),
        ),
        findings=[message] if gap is not None and cf.is_finding(gap) else [],
    )


def _sections(con, settings: Settings, process_type: str) -> list[Section]:
    processes = con.execute(PROCESSES_SQL, [process_type, process_type, GROUP, FOUR_FIFTHS]).df()
    return [_section(con, settings, process_type, p) for p in processes.to_dict("records")]


def promotion_funnels(con: duckdb.DuckDBPyConnection, settings: Settings, _snapshot_date):
    return _sections(con, settings, "promotion")


def recruitment_funnels(con: duckdb.DuckDBPyConnection, settings: Settings, _snapshot_date):
    return _sections(con, settings, "recruitment")
