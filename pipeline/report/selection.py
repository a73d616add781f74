"""Promotion and recruitment sections: a funnel per process, with the stage where the gap
between ethnic-minority and White candidates opens called out.

The report shows the latest reporting year's processes, and any earlier process with a stage
that was adverse and significant, so a finding does not drop out of view after a year.
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
from pipeline.safe_text import identifier

GROUP, REFERENCE = "minority_excl_white", "white"
ADVERSE = "adverse and significant"
ADVERSE_SMALL = "adverse but not significant (small numbers)"

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
        and not is_end_to_end and verdict = 'adverse and significant'
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
    disparity.ci_lower_ratio,
    disparity.ci_upper_ratio,
    disparity.fisher_p_value,
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
    }
)


def _gap_stage(shown: pd.DataFrame) -> pd.Series | None:
    """The stage where the gap opens: the lowest ratio among adverse-and-significant stages,
    else among adverse ones; None when no stage is below four-fifths."""
    stages = shown[~shown["is_end_to_end"].astype(bool)]
    for verdicts in ((ADVERSE,), (ADVERSE, ADVERSE_SMALL)):
        candidates = stages[stages["verdict"].isin(verdicts)]
        if not candidates.empty:
            return candidates.loc[candidates["ratio"].astype(float).idxmin()]
    return None


def _message(process_name: str, label: str, shown: pd.DataFrame, gap) -> str:
    if gap is None:
        computable = shown["ratio"].notna().any()
        if not computable:
            return (
                f"{process_name}: too few {cf.mid_sentence(label)} or White candidates at each "
                "stage to compare pass rates without identifying anyone."
            )
        return (
            f"{process_name}: at no stage was the pass rate of {cf.mid_sentence(label)} candidates "
            "below four-fifths of White candidates' (where numbers allow a comparison)."
        )
    return (
        f"{process_name}: the gap opens at the {gap['stage_name'].lower()}, where "
        f"{fmt.percent(gap['selection_rate'])} of {cf.mid_sentence(label)} candidates passed "
        f"against {fmt.percent(gap['ref_selection_rate'])} of White candidates (ratio "
        f"{fmt.ratio(gap['ratio'])}, 95% interval {fmt.ratio(gap['ci_lower_ratio'])} to "
        f"{fmt.ratio(gap['ci_upper_ratio'])}); {cf.chance_clause(gap['fisher_p_value'], 'gap')}."
    )


def _rows(raw: pd.DataFrame, shown: pd.DataFrame) -> list[list[str]]:
    def col(name, formatter):
        return cf.column(raw, shown, name, formatter)

    two = "{:.2f}".format
    lower, upper = col("ci_lower_ratio", two), col("ci_upper_ratio", two)
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
        col("fisher_p_value", cf.how_sure),
        col("verdict", str),
    ]
    return [list(row) for row in zip(*columns, strict=True)]


def _section(con, settings: Settings, process_type: str, process) -> Section:
    label = settings.groups.minority_excl_white
    raw = con.execute(STAGES_SQL, [REFERENCE, process_type, process["process_id"], GROUP]).df()
    shown = suppress(raw, RULES, settings.disclosure.threshold)
    gap = _gap_stage(shown)
    message = _message(process["process_name"], label, shown, gap)
    stages = shown[~shown["is_end_to_end"].astype(bool)].reset_index(drop=True)
    callout = None
    if gap is not None:
        index = int(stages.index[stages["stage_order"] == gap["stage_order"]][0])
        callout = (index, f"Gap opens here: ratio {fmt.ratio(gap['ratio'])}")
    section_id = f"{process_type}-{identifier(process['process_id'])}"
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
                "rates leave out withdrawals; ratio = minority rate / White rate; "
                f"{cf.NOT_COMPUTABLE} = cannot be computed)"
            ),
            headers=[
                "Stage",
                f"{cf.short_label(label)}: {entered.lower()}",
                f"{cf.short_label(label)}: passed",
                f"{cf.short_label(label)}: pass rate",
                f"White: {entered.lower()}",
                "White: passed",
                "White: pass rate",
                "Ratio",
                "95% interval",
                "How sure",
                "Verdict",
            ],
            rows=_rows(raw, shown),
        ),
        findings=[message] if gap is not None and gap["verdict"] == ADVERSE else [],
    )


def _sections(con, settings: Settings, process_type: str) -> list[Section]:
    processes = con.execute(PROCESSES_SQL, [process_type, process_type, GROUP]).df()
    return [_section(con, settings, process_type, p) for p in processes.to_dict("records")]


def promotion_funnels(con: duckdb.DuckDBPyConnection, settings: Settings, _snapshot_date):
    return _sections(con, settings, "promotion")


def recruitment_funnels(con: duckdb.DuckDBPyConnection, settings: Settings, _snapshot_date):
    return _sections(con, settings, "recruitment")
