"""Promotion and recruitment sections: a funnel per process, with the stage where the gap
between the compared groups opens called out.

The report shows the latest reporting year's processes, and any earlier process with a stage
below four-fifths that survives the false discovery rate control, so a finding does not drop
out of view after a year. A sentence that says something of every stage names the stages it
could not assess and why. The
table shows, per stage, the candidates counted in the pass rate (withdrawals, and any other
outcome ``[fairness] excluded_outcomes`` names, left out), those who passed and the pass
rate, for both groups; the chart draws exactly those pass rates.
"""

from __future__ import annotations

from pipeline import rates
from pipeline.report import formatting as fmt
from pipeline.report.cells import OUTCOMES, Cells
from pipeline.report.declared import Chart, Column, DeclaredTable, Series
from pipeline.report.model import Prose, Section
from pipeline.report.progression import (
    chance_clause,
    is_finding,
    mid_sentence,
    short_label,
    statistic_columns,
)
from pipeline.safe_text import identifier
from pipeline.stats import FOUR_FIFTHS, NOT_COMPUTABLE

OUTCOME_WORDS = {"withdrew": "withdrawals", "did_not_attend": "non-attendance"}

PROCESSES_SQL = """
with processes as (
    select distinct process_id, process_name, reporting_year
    from analytics.selection_rates
    where process_type = ?
),

flagged as (
    select distinct process_id
    from analytics.disparities
    where process_type = ? and comparison_code = ? and comparator_basis = 'reference_group'
        and group_code = ? and not is_end_to_end
        and is_significant_after_adjustment and adverse_impact_ratio < ?
)

select processes.process_id, processes.process_name, processes.reporting_year
from processes
where processes.reporting_year = (select max(reporting_year) from processes)
    or processes.process_id in (select process_id from flagged)
order by processes.reporting_year desc, processes.process_id
"""

STAGES_SQL = """
select
    case when studied.is_end_to_end then 'End to end' else studied.stage_name end as label,
    studied.stage_order,
    studied.stage_name,
    studied.is_end_to_end,
    studied.selection_base_count,
    studied.passed_count,
    studied.selection_rate,
    reference.selection_base_count as reference_selection_base_count,
    reference.passed_count as reference_passed_count,
    reference.selection_rate as reference_selection_rate,
    disparity.adverse_impact_ratio,
    disparity.relative_likelihood_ratio,
    disparity.ci_lower_ratio,
    disparity.ci_upper_ratio,
    disparity.p_value,
    disparity.adjusted_p_value,
    disparity.family_comparison_count,
    disparity.is_significant,
    disparity.is_significant_after_adjustment,
    disparity.verdict,
    disparity.note
from analytics.selection_rates as studied
inner join analytics.selection_rates as reference
    on studied.process_type = reference.process_type
    and studied.process_id = reference.process_id
    and studied.stage_order = reference.stage_order
    and reference.comparison_code = studied.comparison_code
    and reference.group_code = ?
left join analytics.disparities as disparity
    on studied.process_type = disparity.process_type
    and studied.process_id = disparity.process_id
    and studied.stage_order = disparity.stage_order
    and disparity.comparison_code = studied.comparison_code
    and disparity.comparator_basis = 'reference_group'
    and disparity.group_code = studied.group_code
    and disparity.comparator_group_code = reference.group_code
where studied.process_type = ? and studied.process_id = ?
    and studied.comparison_code = ? and studied.group_code = ?
order by studied.is_end_to_end, studied.stage_order
"""


UNMATCHED_SQL = """
select bool_or(has_snapshot_match)
from intermediate.int_selection__candidate_stages
where process_type = ? and process_id = ?
"""
"""Whether any of a process's candidates was found in a staff snapshot (where their
ethnicity comes from)."""


def base_outcomes(cells: Cells) -> tuple[frozenset[str], str]:
    """The outcomes in the selection base (``ref.selection_outcomes``), and the words for
    those left out."""
    rows = cells.con.execute(
        "select outcome, is_in_selection_base from ref.selection_outcomes"
    ).fetchall()
    included = frozenset(o for o, inside in rows if inside)
    excluded = [OUTCOME_WORDS.get(o, o) for o, inside in rows if not inside]
    return included, " and ".join(excluded) or "nothing"


UNMATCHED_SQL = """
select bool_or(has_snapshot_match)
from intermediate.int_selection__candidate_stages
where process_type = ? and process_id = ?
"""
"""Whether any of a process's candidates was found in a staff snapshot (where their
ethnicity comes from)."""


def _section(cells: Cells, process_type: str, process: dict) -> Section:
    comparison = cells.comparison
    raw = cells.con.execute(
        STAGES_SQL,
        [comparison.reference_code, process_type, process["process_id"], comparison.code,
         comparison.group_code],
    ).df()  # fmt: skip
    stages = [int(s) for s in raw.loc[~raw["is_end_to_end"], "stage_order"]]
    population = cells.selection(process_type, process["process_id"], stages)
    included, left_out = base_outcomes(cells)

    def key(group: str, passed: bool):
        def make(record):
            stage = "e2e" if record["is_end_to_end"] else str(int(record["stage_order"]))
            outcomes = {"passed"} if passed else set(included) & set(OUTCOMES)
            return cells.key(
                population, stage=stage, outcome=outcomes, eth=cells.comparison_members[group]
            )

        return make

    for prefix, group in (("", comparison.group_code), ("reference_", comparison.reference_code)):
        raw[f"{prefix}selection_base_count@key"] = [
            key(group, False)(r) for r in raw.to_dict("records")
        ]
        raw[f"{prefix}passed_count@key"] = [key(group, True)(r) for r in raw.to_dict("records")]
    group, reference = short_label(comparison.group_label), comparison.reference_label
    counts = ("passed_count", "selection_base_count", "reference_passed_count",
              "reference_selection_base_count")  # fmt: skip
    noun = "candidates"
    section_id = f"{process_type}-{identifier(process['process_id'])}"
    name = process["process_name"]
    matched = (
        cells.con.execute(UNMATCHED_SQL, [process_type, process["process_id"]]).fetchone()[0]
        is not False
    )
    table = DeclaredTable(
        id=section_id,
        caption=(
            f"{name}, stage by stage ({comparison.group_label} against {reference}): "
            f"candidates counted = those at the stage, {left_out} left out; pass rate = passed "
            f"/ candidates counted; pass-rate ratio = {group} rate / {reference} rate; relative "
            f"likelihood = {reference} rate / {group} rate, the NHS Workforce Race Equality "
            f"Standard's relative likelihood of {reference} candidates being appointed compared "
            f"to {group} candidates; how sure allows for the comparisons made for the process"
        ),
        columns=(
            Column("label", "Stage", "label"),
            Column("selection_base_count", f"{group}: {noun} counted", "count"),
            Column("passed_count", f"{group}: passed", "count"),
            Column(
                "selection_rate",
                f"{group}: pass rate",
                "share",
                of=("passed_count", "selection_base_count"),
            ),
            Column("reference_selection_base_count", f"{reference}: {noun} counted", "count"),
            Column("reference_passed_count", f"{reference}: passed", "count"),
            Column(
                "reference_selection_rate",
                f"{reference}: pass rate",
                "share",
                of=("reference_passed_count", "reference_selection_base_count"),
            ),
            *statistic_columns("adverse_impact_ratio", "Pass-rate ratio", counts, likelihood=True),
        ),
        frame=raw,
        total_rows=frozenset({"End to end"}),
    )
    stage_rows = [str(v) for v in raw.loc[~raw["is_end_to_end"], "label"]]

    def compose() -> Prose:
        label = mid_sentence(comparison.group_label)
        gap = _gap_stage(table, stage_rows)
        assessed, unassessed = _assessment(table, stage_rows, raw, label, reference)
        others = "".join(f"; {clause}" for clause in unassessed) + "."
        if not matched:
            gap = None
            message = (
                f"{name}: none of its candidates is in a loaded staff snapshot, so their "
                "ethnicity is unknown and the stages cannot be compared; load the staff "
                "snapshot from the time of the process, or check the staff ids in the "
                f"{process_type} file."
            )
        elif gap is not None:
            message = (
                f"{name}: the gap opens at the {gap.lower()}, where "
                f"{table.text(gap, 'selection_rate')} of {label} candidates passed against "
                f"{table.text(gap, 'reference_selection_rate')} of {reference} candidates "
                f"(pass-rate ratio {table.text(gap, 'adverse_impact_ratio')}, 95% interval "
                f"{table.text(gap, 'ci_lower_ratio')}); {chance_clause(table, gap, 'gap')}" + others
            )
        elif not assessed:
            message = f"{name}: no stage could be compared: " + "; ".join(unassessed) + "."
        elif not unassessed:
            message = (
                f"{name}: at no stage was the pass rate of {label} candidates below "
                f"four-fifths of {reference} candidates'."
            )
        else:
            message = (
                f"{name}: at {_stage_names(assessed)} the pass rate of {label} candidates was "
                f"not below four-fifths of {reference} candidates'" + others
            )
        chart = Chart(
            kind="bars",
            series=(
                Series("selection_rate", comparison.group_label),
                Series("reference_selection_rate", reference),
            ),
            axis=(
                "Pass rate: candidates who passed / candidates at the stage, "
                f"{left_out} left out (%)"
            ),
            title=message,
            alt=(
                f"Funnel of {name}: bars show, for each stage, the pass rate of {label} and of "
                f"{reference} candidates (of those at the stage). {message}"
            ),
            rows=tuple(stage_rows),
            callout=(
                gap,
                f"Gap opens here: pass-rate ratio {table.text(gap, 'adverse_impact_ratio')}",
            )
            if gap
            else None,
        )
        findings = [message] if gap is not None and is_finding(table, gap) else []
        return Prose(message=message, chart=chart, findings=findings)

    return Section(section_id, "processes", f"{name}: where candidates fall out", table, compose)


def _gap_stage(table: DeclaredTable, stages: list[str]) -> str | None:
    """The stage where the gap opens: the lowest pass-rate ratio below four-fifths among
    stages shown whose difference survives the false discovery rate control, else among all
    shown stages below four-fifths; None when no shown stage is below four-fifths."""
    below = [
        r
        for r in stages
        if isinstance(table.value(r, "adverse_impact_ratio"), float)
        and table.value(r, "adverse_impact_ratio") < FOUR_FIFTHS
    ]
    for candidates in ([r for r in below if is_finding(table, r)], below):
        if candidates:
            return min(candidates, key=lambda r: table.value(r, "adverse_impact_ratio"))
    return None


def _stage_names(names: list[str]) -> str:
    """'the interview stage', 'the legal exam and interview stages'; 'stage 2' as it is."""
    lower = [n.lower() for n in names]
    if all(n.startswith("stage") for n in lower):
        return fmt.join(lower)
    return f"the {fmt.join(lower)} {'stages' if len(names) > 1 else 'stage'}"


def _assessment(table: DeclaredTable, stages: list[str], raw, group: str, reference: str):
    """The stages with a comparison shown, and a clause for each reason the others have
    none ('the appointment stage could not be shown because the numbers are small'). A
    "not computable" verdict is shown only when its four counts are, so its reason is the
    statistic's own (:func:`pipeline.rates.reasons`, which also writes the database's note)
    and tells no more than the table."""
    assessed, reasons = [], {}
    records = {str(r["label"]): r for r in raw.to_dict("records")}
    for stage in stages:
        shown = table.value(stage, "verdict")
        if shown == NOT_COMPUTABLE:
            why = not_compared_reason(records[stage], group, reference)
        elif not isinstance(shown, str):
            why = "could not be shown because the numbers are small"
        else:
            assessed.append(stage)
            continue
        reasons.setdefault(why, []).append(stage)
    return assessed, [f"{_stage_names(names)} {why}" for why, names in reasons.items()]


def not_compared_reason(record: dict, group: str, reference: str) -> str:
    """Why a stage's pass rates could not be compared, from its four counts: 'could not be
    compared because there were no White candidates', '... because no one in either group
    passed', '... because too few candidates did not pass to compare the groups (fewer than
    one would be expected in the smaller group)'."""
    counts = [
        record[name]
        for name in ("passed_count", "selection_base_count", "reference_passed_count",
                     "reference_selection_base_count")
    ]  # fmt: skip
    reason = rates.reasons(*([c] for c in counts))[0]
    passed, failed = counts[0] + counts[2], counts[1] + counts[3] - counts[0] - counts[2]
    rare, expected = ("passed", "to pass") if passed <= failed else (
        "did not pass", "not to pass")  # fmt: skip
    words = {
        rates.NO_BASE: f"there were no {group} candidates",
        rates.NO_COMPARATOR_BASE: f"there were no {reference} candidates",
        rates.NO_EVENTS: "no one in either group passed",
        rates.TOO_FEW: (
            f"too few candidates {rare} to compare the groups (fewer than one would be "
            f"expected {expected} in the smaller group)"
        ),
    }
    return "could not be compared" + (f" because {words[reason]}" if reason in words else "")


def _sections(cells: Cells, process_type: str) -> list[Section]:
    comparison = cells.comparison
    processes = cells.con.execute(
        PROCESSES_SQL,
        [process_type, process_type, comparison.code, comparison.group_code, FOUR_FIFTHS],
    ).df()
    return [_section(cells, process_type, p) for p in processes.to_dict("records")]


def promotion_funnels(cells: Cells, _snapshot_date):
    return _sections(cells, "promotion")


def recruitment_funnels(cells: Cells, _snapshot_date):
    return _sections(cells, "recruitment")


def development_funnels(cells: Cells, _snapshot_date):
    """Development programmes with selection (a sift, an interview), stage by stage."""
    return _sections(cells, "development")
