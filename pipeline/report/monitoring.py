"""Sections for the strategy's other monitoring duties: misconduct, grievances, development,
lateral moves, appraisal, the staff survey and the chief officer team.

Each selects its rows from the view that computes them (``analytics.misconduct_rates`` ...)
for the comparison the other fairness sections show (``Cells.comparison``), and declares the
cell behind every count, so that they are protected with the rest of the report. A measure's
cells are sets of the people of a staff snapshot (:meth:`Cells.staff`) marked by what
happened to them in the period that follows: the furthest misconduct stage, the most severe
outcome, a grievance, a programme started, a move. The dimensions are registered here
(:data:`PERIOD_DIMENSIONS`), the measures' cells are declared once (:data:`MEASURE_CELLS`).
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from pipeline import codes
from pipeline.disclosure import POPULATION, Key
from pipeline.report import formatting as fmt
from pipeline.report.cells import Cells
from pipeline.report.declared import Chart, Column, DeclaredTable, Series
from pipeline.report.model import Prose, Section
from pipeline.report.progression import (
    STATISTICS_SQL,
    chance_clause,
    is_finding,
    mid_sentence,
    short_label,
    statistic_columns,
)
from pipeline.report.trends import in_words

CASE = tuple(codes.MISCONDUCT_STAGES)
FORMAL = CASE[1:]
PROCEEDINGS = CASE[2:]
SANCTIONS = ("written_warning", "final_written_warning", "dismissal")
STAYED = ("grade", "department", "role", "none")
"""Values of ``move`` for people in post at both ends of the period in the same worker type."""
PROGRAMME_DIMS = {f"dev_{code}": ("yes", "no") for code in codes.PROGRAMME_TYPES}

PERIOD_DIMENSIONS: dict[str, tuple[str, ...]] = {
    "misconduct_stage": ("none", *CASE),
    "misconduct_outcome": ("none", *codes.MISCONDUCT_OUTCOMES),
    "suspension": tuple(codes.SUSPENSION_STATUSES),
    "complaint": ("yes", "no"),
    "report": ("yes", "no"),
    "grievance": ("none", "raised", "upheld"),
    "tribunal": ("none", "claimed", "upheld"),
    "discrimination": ("yes", "no"),
    "development": ("none", "started", "completed"),
    "dev_any": ("yes", "no"),
    **PROGRAMME_DIMS,
    "move": ("gone", *STAYED),
    "specialist_end": ("yes", "no"),
}
"""What happened to each person of a start-of-period snapshot by its end: the furthest stage
and most severe outcome of the misconduct cases opened in the period, suspension, whether a
public complaint or internal report was among them; a grievance raised (and upheld), a
tribunal claim; development outside positive action started and completed, started at all
(``dev_any``: the same people as started or completed), each programme type; the move
between the two snapshots (gone: not in the end snapshot in the same worker type), and being
in a specialist unit at the end."""

DISTRIBUTIONS = ("misconduct_stage", "misconduct_outcome", "grievance", "tribunal")
"""The period dimensions the misconduct and grievance tables publish value by value beside
everyone in post (:meth:`pipeline.disclosure.Universe.distribution`)."""

NOT_SPECIALIST = "not specialist"
"""Stands for the departments of the snapshot that are not specialist units."""

MEASURE_CELLS: dict[str, tuple[dict, dict]] = {
    "misconduct_case": ({}, {"misconduct_stage": CASE}),
    "misconduct_public_complaint": ({}, {"complaint": "yes"}),
    "misconduct_internal_report": ({}, {"report": "yes"}),
    "misconduct_formal": ({}, {"misconduct_stage": FORMAL}),
    "misconduct_proceedings": ({}, {"misconduct_stage": PROCEEDINGS}),
    "misconduct_hearing": ({}, {"misconduct_stage": CASE[-1]}),
    "misconduct_sanction": ({}, {"misconduct_outcome": SANCTIONS}),
    **{
        f"misconduct_outcome_{code}": ({}, {"misconduct_outcome": code})
        for code in codes.MISCONDUCT_OUTCOMES
    },
    "misconduct_suspended": ({}, {"suspension": "suspended"}),
    "misconduct_restricted": ({}, {"suspension": ("restricted", "suspended")}),
    "misconduct_formal_given_case": ({"misconduct_stage": CASE}, {"misconduct_stage": FORMAL}),
    "misconduct_proceedings_given_formal": (
        {"misconduct_stage": FORMAL},
        {"misconduct_stage": PROCEEDINGS},
    ),
    "grievance_raised": ({}, {"grievance": ("raised", "upheld")}),
    "grievance_upheld": ({}, {"grievance": "upheld"}),
    "grievance_discrimination": ({}, {"discrimination": "yes"}),
    "tribunal_claim": ({}, {"tribunal": ("claimed", "upheld")}),
    "tribunal_upheld": ({}, {"tribunal": "upheld"}),
    "training_any": ({}, {"dev_any": "yes"}),
    **{f"training_{code}": ({}, {f"dev_{code}": "yes"}) for code in codes.PROGRAMME_TYPES},
    "training_completed_given_started": (
        {"development": ("started", "completed")},
        {"development": "completed"},
    ),
    "move_lateral": ({"move": STAYED}, {"move": ("department", "role")}),
    "move_department": ({"move": STAYED}, {"move": "department"}),
    "move_into_specialist": (
        {"move": STAYED, "dept": NOT_SPECIALIST},
        {"specialist_end": "yes"},
    ),
}
"""Each event measure's base and event as cells: (the base's dimensions, what the event adds
or narrows). Everyone in post is the base where the first is empty."""

RATES_SQL = """
select
    studied.worker_type_label || ': ' || lower(studied.measure_label) as label,
    studied.worker_type,
    studied.worker_type_label,
    studied.measure_code,
    studied.measure_label,
    studied.period_start_date,
    studied.period_end_date,
    studied.base_count,
    studied.event_count,
    studied.event_rate,
    studied.reference_base_count,
    studied.reference_event_count,
    studied.reference_event_rate,
    studied.rate_ratio,
    {likelihood}
    {statistics}
from analytics.{view} as studied
where studied.comparison_code = ? and studied.group_code = ?
    and studied.period_end_date = (select max(period_end_date) from analytics.{view})
    and studied.worker_type in ('police_officer', 'police_staff')
    and list_contains(?, studied.measure_code)
order by
    case studied.worker_type when 'police_officer' then 1 else 2 end,
    studied.measure_sort_order
""".replace("{statistics}", STATISTICS_SQL)

COUNTS = ("event_count", "base_count", "reference_event_count", "reference_base_count")
BOTH = ("both_event_count", "both_base_count")
"""Both groups' count together (unpublished; see :func:`add_both_groups`)."""


def _keys(frame: pd.DataFrame, name: str, make) -> None:
    frame[f"{name}@key"] = [make(r) for r in frame.to_dict("records")]


def both_groups(cells: Cells, first, second) -> Key | None:
    """The cell of two cells' people together when they differ only in ethnic group or only
    in sex (the group's and the reference group's events of one measure), else None."""
    if not (isinstance(first, Key) and isinstance(second, Key)):
        return None
    if first.population != second.population:
        return None
    one, other = dict(first.coords), dict(second.coords)
    differing = {d for d in {*one, *other} if one.get(d) != other.get(d)}
    if len(differing) != 1 or not differing <= {"eth", "sex"}:
        return None
    (dim,) = differing
    values = None if dim not in one or dim not in other else {*one[dim], *other[dim]}
    return cells.universe.with_values(first, dim, values)


def add_both_groups(cells: Cells, frame: pd.DataFrame, pairs, prefix: str = "") -> tuple:
    """For each ``(total, group's count, reference's count)`` in ``pairs``, the column
    ``total`` (with ``total@key``): the two groups' people together, published nowhere but
    named among the counts of the comparison's statistics, so that the protection knows it.
    A 0 for one group beside the other's small count says that every one of a handful of
    people (the subjects of the year's only misconduct case) is in the other group: with
    this cell, a total of 1 to the threshold, the 0 is withheld by the zero rule. Returns the
    columns added."""
    for total, group, reference in pairs:
        total, group, reference = (f"{prefix}{n}" for n in (total, group, reference))
        frame[f"{total}@key"] = [
            both_groups(cells, a, b)
            for a, b in zip(frame[f"{group}@key"], frame[f"{reference}@key"], strict=True)
        ]
        frame[total] = [
            None if key is None or pd.isna(a) or pd.isna(b) else int(a) + int(b)
            for key, a, b in zip(frame[f"{total}@key"], frame[group], frame[reference],
                                 strict=True)
        ]  # fmt: skip
    return tuple(f"{prefix}{total}" for total, _, _ in pairs)


EVENT_PAIRS = (
    ("both_event_count", "event_count", "reference_event_count"),
    ("both_base_count", "base_count", "reference_base_count"),
)


def _long_date(value) -> str:
    return pd.Timestamp(value).strftime("%-d %B %Y")


def period_population(cells: Cells, start) -> str:
    """The staff snapshot at the start of a period, with what happened to each person by
    its end (:data:`PERIOD_DIMENSIONS`) among its dimensions."""
    population = cells.staff(start, movements=True)
    declared = cells.memo.setdefault("periods", {})
    if population not in declared:
        declared[population] = True
        cells.universe.add(population, **PERIOD_DIMENSIONS)
        for dim in DISTRIBUTIONS:  # published beside those in post: withheld sums protected
            cells.universe.distribution(population, dim)
        # those who started a programme outside positive action, on two dimensions: the
        # one cell is written on ``development``, beside those who completed, so that
        # started = completed + did not complete (a count the funnels protect) is a sum
        # the protection and the audit see
        cells.universe.same(
            population, {"dev_any": ("yes",)}, {"development": ("started", "completed")}
        )
        cells.universe.same(population, {"dev_any": ("no",)}, {"development": ("none",)})
        if dismissed_are_leavers_dismissed(cells, start):
            cells.universe.same(
                population,
                {"misconduct_outcome": ["dismissal"]},
                {POPULATION: [population], "leaving": ["dismissal"]},
                observed=True,
            )
    return population


DISMISSED_SQL = """
with cohort as (
    select staff_key, period_end_date from intermediate.int_monitoring__period_cohort
    where period_start_date = $start
),
dismissed as (  -- the most severe outcome of their cases opened in the period
    select cases.staff_key
    from cohort
    inner join staging.stg_hr__misconduct_cases as cases
        on cohort.staff_key = cases.staff_key
        and cases.opened_date > $start and cases.opened_date <= cohort.period_end_date
    group by cases.staff_key
    having arg_max(cases.misconduct_outcome, cases.severity_order) = 'dismissal'
),
leavers as (  -- the first leaving in the period, as intermediate.int_workforce__leaver_counts
    select movements.staff_key, movements.leaving_reason
    from cohort
    inner join staging.stg_hr__joiners_leavers as movements
        on cohort.staff_key = movements.staff_key and movements.movement_type = 'leaver'
        and movements.movement_date > $start
        and movements.movement_date <= cohort.period_end_date
    qualify row_number() over (
        partition by movements.staff_key order by movements.movement_date
    ) = 1
)
select
    (select count(*) from dismissed),
    (select count(*) from leavers where leaving_reason = 'dismissal'),
    (select count(*) from dismissed inner join leavers using (staff_key)
     where leavers.leaving_reason = 'dismissal')
"""


def dismissed_are_leavers_dismissed(cells: Cells, start) -> bool:
    """Whether the people of a period whose misconduct cases ended in dismissal are exactly
    those who left it with the reason "dismissal" (as in the demo, and in a force whose HR
    system records a dismissal as both). Then the misconduct table's dismissals and the
    leaving table's are one count, and the two cells are declared equal (:meth:`Universe.same`,
    observed): published in both or withheld in both, never a 0 in one beside a [c] in the
    other. The data bear it out, no definition makes it so: ``tables.json`` does not state
    it, and each table's cell keeps its own key there."""
    dismissed, left, both = cells.con.execute(
        DISMISSED_SQL, {"start": pd.Timestamp(start).date()}
    ).fetchone()
    return dismissed == left == both


def measure_key(
    cells: Cells, population: str, measure: str, worker_type: str, eth, event: bool
) -> Key | None:
    """The cell of a measure's base (or event) for a worker type and set of codes; None for
    a cell empty by definition (moves into a specialist unit where every department is
    one): its count is 0 of nobody, shown as it is with nothing to protect."""
    base, narrowing = MEASURE_CELLS[measure]
    dims = {**base, **narrowing} if event else dict(base)
    if dims.get("dept") == NOT_SPECIALIST:
        specialist = {
            name
            for (name,) in cells.con.execute(
                "select department from ref.departments where is_specialist"
            ).fetchall()
        }
        dims["dept"] = cells.universe.dims(population)["dept"] - specialist
        if not dims["dept"]:
            return None
    return cells.key(population, post=cells.posts(population, worker_type), eth=eth, **dims)


def _event_table(cells: Cells, view: str, measures: Iterable[str]) -> pd.DataFrame | None:
    """The latest period's rows of an event-rate view for officers and staff, with the cell
    of every count declared; None when the view is empty."""
    comparison = cells.comparison
    columns = {c for (c,) in cells.con.execute(
        "select column_name from information_schema.columns where table_schema = 'analytics' "
        "and table_name = ?", [view]).fetchall()}  # fmt: skip
    likelihood = (
        "studied.relative_likelihood_ratio," if "relative_likelihood_ratio" in columns else ""
    )
    raw = cells.con.execute(
        RATES_SQL.replace("{view}", view).replace("{likelihood}", likelihood),
        [comparison.code, comparison.group_code, list(measures)],
    ).df()
    if raw.empty:
        return None
    population = period_population(cells, raw["period_start_date"].iloc[0])

    def key(group: str, event: bool):
        def make(record):
            return measure_key(
                cells, population, record["measure_code"], record["worker_type"],
                cells.comparison_members[group], event,
            )  # fmt: skip

        return make

    for prefix, group in (("", comparison.group_code), ("reference_", comparison.reference_code)):
        _keys(raw, f"{prefix}base_count", key(group, False))
        _keys(raw, f"{prefix}event_count", key(group, True))
    add_both_groups(cells, raw, EVENT_PAIRS)
    return raw


def _rate_columns(group: str, reference: str, per: int, base: str, event: str, ratio: str,
                  likelihood: bool) -> tuple[Column, ...]:  # fmt: skip
    unit = f"per {per:,}"
    return (
        Column("label", "Worker type and measure", "label"),
        Column("base_count", f"{group}: {base}", "count"),
        Column("event_count", f"{group}: {event}", "count"),
        Column("event_rate", f"{group}: {unit}", "rate", per=per,
               of=("event_count", "base_count")),
        Column("reference_base_count", f"{reference}: {base}", "count"),
        Column("reference_event_count", f"{reference}: {event}", "count"),
        Column("reference_event_rate", f"{reference}: {unit}", "rate", per=per,
               of=("reference_event_count", "reference_base_count")),
        *statistic_columns("rate_ratio", ratio, (*COUNTS, *BOTH), likelihood=likelihood),
    )  # fmt: skip


def _figures(table: DeclaredTable, row: str) -> str:
    """'rate ratio 1.83, 95% interval 1.37 to 2.43; a difference this size is unlikely to be
    chance (p < 0.001; ...)'."""
    return (
        f"rate ratio {table.text(row, 'rate_ratio')}, 95% interval "
        f"{table.text(row, 'ci_lower_ratio')}; {chance_clause(table, row)}"
    )


def _compared(table: DeclaredTable, row: str | None) -> bool:
    return row is not None and isinstance(table.value(row, "rate_ratio"), float)


def rate_sentence(
    table: DeclaredTable, row: str | None, *, when: str, who: str, did: str, per: int,
    reference: str,
) -> str:  # fmt: skip
    """'In the year to ..., 75.3 per 1,000 ethnic minority officers entered the formal
    misconduct process, against 41.2 per 1,000 White officers (rate ratio ...)', from the
    table's shown values; or why the two cannot be compared."""
    if not _compared(table, row):
        return (
            f"{when}, whether {who} {did} more or less often than {reference} cannot be shown: "
            "the numbers are too small to show, or there were none."
        )
    return (
        f"{when}, {table.text(row, 'event_rate')} per {per:,} {who} {did}, against "
        f"{table.text(row, 'reference_event_rate')} per {per:,} {reference} "
        f"({_figures(table, row)})."
    )


def _findings(
    table: DeclaredTable, rows: list[str], group: str, reference: str, per: int
) -> list[str]:
    """A sentence for each row whose difference survives the false discovery rate control."""
    return [
        f"{row}: {table.text(row, 'event_rate')} per {per:,} {group}, against "
        f"{table.text(row, 'reference_event_rate')} per {per:,} {reference} "
        f"({_figures(table, row)})."
        for row in rows
        if is_finding(table, row)
    ]


def _row(table: DeclaredTable, worker_type_label: str, measure: str) -> str | None:
    label = f"{worker_type_label}: {codes_label(measure).lower()}"
    return label if label in table.labels else None


# --------------------------------------------------------------------------- misconduct

MISCONDUCT_MEASURES = (
    "misconduct_case", "misconduct_public_complaint", "misconduct_internal_report",
    "misconduct_formal", "misconduct_proceedings", "misconduct_hearing", "misconduct_sanction",
    "misconduct_outcome_dismissal", "misconduct_suspended", "misconduct_restricted",
)  # fmt: skip
GAP_MEASURES = ("misconduct_formal_given_case", "misconduct_proceedings_given_formal")


def misconduct(cells: Cells, _snapshot_date):
    raw = _event_table(cells, "misconduct_rates", MISCONDUCT_MEASURES)
    if raw is None:
        return []
    comparison = cells.comparison
    group, reference = short_label(comparison.group_label), comparison.reference_label
    period = fmt.period(raw["period_start_date"].iloc[0], raw["period_end_date"].iloc[0])
    table = DeclaredTable(
        id="misconduct",
        caption=(
            f"Misconduct cases opened in {period}: people in post at its start who were the "
            "subject of a case, by the furthest stage and most severe outcome their cases "
            f"reached, per 1,000 in post; rate ratio = {group} rate / {reference} rate; the "
            "relative likelihood (NHS WRES indicator 3) is the same figure: above 1, the "
            f"{group} group is more likely to be subject to it"
        ),
        columns=_rate_columns(group, reference, 1000, "in post", "counted", "Rate ratio", True),
        frame=raw,
    )
    officers = raw.loc[raw["worker_type"] == "police_officer", "label"].astype(str).tolist()
    formal = _row(table, "Police officers", "misconduct_formal")

    def compose() -> Prose:
        label = mid_sentence(comparison.group_label)
        message = rate_sentence(
            table, formal, when=f"In {period}", who=f"{label} officers",
            did="entered the formal misconduct process (an investigation)", per=1000,
            reference=f"{reference} officers",
        )  # fmt: skip
        findings = [message] if formal and is_finding(table, formal) else []
        findings += _findings(
            table, [r for r in table.labels if r != formal], f"{label} colleagues",
            f"{reference} colleagues", 1000,
        )  # fmt: skip
        chart = Chart(
            kind="bars",
            series=(
                Series("event_rate", comparison.group_label),
                Series("reference_event_rate", reference),
            ),
            axis="Police officers per 1,000 in post at the start of the year",
            title=message,
            alt=f"Bar chart of police officers per 1,000 at each misconduct stage. {message}",
            rows=tuple(officers),
        )
        return Prose(message=message, chart=chart, findings=findings)

    main = Section("misconduct", "processes", "Misconduct and discipline", table, compose)
    return _and_by_group(
        cells, main, "misconduct_rates", "Misconduct by group", 1000,
        "Police officers and staff investigated (the formal process), and dismissed after a "
        "misconduct case opened",
    )  # fmt: skip


def misconduct_stages(cells: Cells, _snapshot_date):
    raw = _event_table(cells, "misconduct_rates", GAP_MEASURES)
    if raw is None:
        return []
    comparison = cells.comparison
    group, reference = short_label(comparison.group_label), comparison.reference_label
    period = fmt.period(raw["period_start_date"].iloc[0], raw["period_end_date"].iloc[0])
    table = DeclaredTable(
        id="misconduct-stages",
        caption=(
            f"Where a gap in misconduct opens, {period}: of those subject to a case, how many "
            "were investigated; of those investigated, how many went to a misconduct meeting "
            f"or hearing (per 100); rate ratio = {group} rate / {reference} rate"
        ),
        columns=(
            Column("label", "Worker type and stage", "label"),
            Column("base_count", f"{group}: at the stage before", "count"),
            Column("event_count", f"{group}: went on", "count"),
            Column("event_rate", f"{group}: per 100", "rate", of=("event_count", "base_count")),
            Column("reference_base_count", f"{reference}: at the stage before", "count"),
            Column("reference_event_count", f"{reference}: went on", "count"),
            Column(
                "reference_event_rate",
                f"{reference}: per 100",
                "rate",
                of=("reference_event_count", "reference_base_count"),
            ),
            *statistic_columns("rate_ratio", "Rate ratio", (*COUNTS, *BOTH)),
        ),
        frame=raw,
    )
    investigated = _row(table, "Police officers", "misconduct_formal_given_case")

    def compose() -> Prose:
        label = mid_sentence(comparison.group_label)
        message = rate_sentence(
            table, investigated, when=f"In {period}",
            who=f"{label} officers who were the subject of a case",
            did="were investigated (the formal process)", per=100,
            reference=f"{reference} officers",
        )  # fmt: skip
        findings = [message] if investigated and is_finding(table, investigated) else []
        findings += _findings(
            table, [r for r in table.labels if r != investigated], f"{label} colleagues",
            f"{reference} colleagues", 100,
        )  # fmt: skip
        return Prose(message=message, findings=findings)

    return Section(
        "misconduct-stages", "processes", "Misconduct: where a gap opens", table, compose
    )


# --------------------------------------------------------------------------- grievances

GRIEVANCE_MEASURES = ("grievance_raised", "grievance_discrimination", "grievance_upheld",
                      "tribunal_claim", "tribunal_upheld")  # fmt: skip


def grievances(cells: Cells, _snapshot_date):
    raw = _event_table(cells, "grievance_rates", GRIEVANCE_MEASURES)
    if raw is None:
        return []
    comparison = cells.comparison
    group, reference = short_label(comparison.group_label), comparison.reference_label
    period = fmt.period(raw["period_start_date"].iloc[0], raw["period_end_date"].iloc[0])
    table = DeclaredTable(
        id="grievances",
        caption=(
            f"Grievances and employment tribunal claims raised in {period} by people in post "
            f"at its start, per 1,000 in post; rate ratio = {group} rate / {reference} rate "
            "(above 1: the group raises, or has upheld, more)"
        ),
        columns=_rate_columns(group, reference, 1000, "in post", "counted", "Rate ratio", False),
        frame=raw,
    )
    rows = table.labels

    def compose() -> Prose:
        label = mid_sentence(comparison.group_label)
        found = _findings(table, rows, f"{label} colleagues", f"{reference} colleagues", 1000)
        raised = _row(table, "Police staff", "grievance_raised")
        message = found[0] if found else rate_sentence(
            table, raised, when=f"In {period}", who=f"{label} police staff",
            did="raised a grievance", per=1000, reference=f"{reference} staff",
        )  # fmt: skip
        return Prose(message=message, findings=found)

    main = Section(
        "grievances", "processes", "Grievances and employment tribunal claims", table, compose
    )
    return _and_by_group(
        cells, main, "grievance_rates", "Grievances by group", 1000, "Grievances raised"
    )


# --------------------------------------------------------------------------- development

DEVELOPMENT_MEASURES = ("training_any", *(f"training_{c}" for c in codes.PROGRAMME_TYPES),
                        "training_completed_given_started")  # fmt: skip


def development(cells: Cells, _snapshot_date):
    raw = _event_table(cells, "development_access", DEVELOPMENT_MEASURES)
    if raw is None:
        return []
    comparison = cells.comparison
    group, reference = short_label(comparison.group_label), comparison.reference_label
    period = fmt.period(raw["period_start_date"].iloc[0], raw["period_end_date"].iloc[0])
    table = DeclaredTable(
        id="development-access",
        caption=(
            f"Development programmes started in {period} by people in post at its start, per "
            "100 in post (completion: per 100 who started); 'any programme' and completion "
            "leave out positive action, which is open to under-represented groups only, so "
            "it is shown but not compared; rate ratio = "
            f"{group} rate / {reference} rate (below 1: less access); relative likelihood "
            f"(NHS WRES indicator 4) = {reference} rate / {group} rate (above 1: less access)"
        ),
        columns=_rate_columns(group, reference, 100, "base", "counted", "Rate ratio", True),
        frame=raw,
    )
    officers = raw.loc[raw["worker_type"] == "police_officer", "label"].astype(str).tolist()

    def compose() -> Prose:
        label = mid_sentence(comparison.group_label)
        row = _row(table, "Police officers", "training_any")
        message = rate_sentence(
            table, row, when=f"In {period}", who=f"{label} officers",
            did="started a development programme (positive action aside)", per=100,
            reference=f"{reference} officers",
        )  # fmt: skip
        positive = [r for r in table.labels if "positive action" in r]
        findings = _findings(
            table, [r for r in table.labels if r not in positive], f"{label} colleagues",
            f"{reference} colleagues", 100,
        )  # fmt: skip
        chart = Chart(
            kind="bars",
            series=(
                Series("event_rate", comparison.group_label),
                Series("reference_event_rate", reference),
            ),
            axis="Police officers starting a programme per 100 in post at the start of the year",
            title=message,
            alt=f"Bar chart of police officers' access to development by programme. {message}",
            rows=tuple(r for r in officers if "completed" not in r),
        )
        return Prose(message=message, chart=chart, findings=findings)

    main = Section("development-access", "people", "Access to development", table, compose)
    return _and_by_group(
        cells, main, "development_access", "Access to development by group", 100,
        "Development programmes started (positive action aside)",
    )  # fmt: skip


def codes_label(measure: str) -> str:
    """A measure's label as the views give it (ref.event_measures, pipeline.monitoring)."""
    from pipeline.monitoring import MEASURES_BY_CODE

    return MEASURES_BY_CODE[measure].label


# --------------------------------------------------------------------------- lateral moves

MOVE_MEASURES = ("move_lateral", "move_department", "move_into_specialist")


def lateral_moves(cells: Cells, _snapshot_date):
    raw = _event_table(cells, "lateral_moves", MOVE_MEASURES)
    if raw is None:
        return []
    comparison = cells.comparison
    group, reference = short_label(comparison.group_label), comparison.reference_label
    period = fmt.period(raw["period_start_date"].iloc[0], raw["period_end_date"].iloc[0])
    table = DeclaredTable(
        id="lateral-moves",
        caption=(
            f"Moves in {period}, from the staff snapshots at its start and end: of those in "
            "post at both in the same worker type, how many moved department or role at the "
            "same rank or band, and of those not in a specialist unit at the start, how many "
            f"were in one at the end (per 100); rate ratio = {group} rate / {reference} rate"
        ),
        columns=_rate_columns(group, reference, 100, "base", "moved", "Rate ratio", False),
        frame=raw,
    )
    rows = table.labels

    def compose() -> Prose:
        label = mid_sentence(comparison.group_label)
        row = _row(table, "Police officers", "move_into_specialist")
        message = rate_sentence(
            table, row, when=f"In {period}", who=f"{label} officers outside specialist units",
            did="moved into one", per=100, reference=f"{reference} officers",
        )  # fmt: skip
        found = _findings(table, rows, f"{label} colleagues", f"{reference} colleagues", 100)
        return Prose(message=message, findings=found)

    main = Section("lateral-moves", "people", "Lateral moves and specialist units", table, compose)
    return _and_by_group(
        cells, main, "lateral_moves", "Lateral moves by group", 100,
        "Lateral moves (department or role at the same rank or band) and moves into a "
        "specialist unit",
    )  # fmt: skip


# --------------------------------------------------------------------------- appraisal

APPRAISAL_SQL = """
select
    studied.worker_type_label || ': ' || lower(studied.measure_label) as label,
    studied.appraisal_year,
    studied.worker_type,
    studied.measure_code,
    studied.base_count,
    studied.event_count,
    studied.event_rate,
    studied.reference_base_count,
    studied.reference_event_count,
    studied.reference_event_rate,
    studied.rate_ratio,
    {statistics}
from analytics.appraisal_outcomes as studied
where studied.comparison_code = ? and studied.group_code = ?
    and studied.appraisal_year = (select max(appraisal_year) from analytics.appraisal_outcomes)
    and studied.worker_type in ('police_officer', 'police_staff')
order by case studied.worker_type when 'police_officer' then 1 else 2 end,
    studied.measure_sort_order
""".replace("{statistics}", STATISTICS_SQL)


def appraisal_population(cells: Cells, year: int) -> str:
    """The people rated in an appraisal year: worker type, ethnicity code, rating."""
    population = f"appraisal {int(year)}"
    scale = [r for (r,) in cells.con.execute(
        "select rating from ref.appraisal_scale order by rating_order").fetchall()]  # fmt: skip
    cells.universe.add(
        population, worker=tuple(codes.WORKER_TYPES), eth=tuple(e.code for e in codes.ETHNICITIES),
        rating=scale,
    )  # fmt: skip
    cells.universe.distribution(population, "rating")  # each rating beside those rated
    return population


def appraisal_key(cells: Cells, population: str, worker_type: str, eth, ratings=None):
    return cells.key(population, worker=worker_type, eth=eth, rating=ratings)


def scale_ends(cells: Cells) -> dict[str, list[str]]:
    rows = cells.con.execute(
        "select rating, is_top, is_bottom from ref.appraisal_scale order by rating_order"
    ).fetchall()
    return {
        "appraisal_top": [r for r, top, _ in rows if top],
        "appraisal_bottom": [r for r, _, bottom in rows if bottom],
    }


def appraisal(cells: Cells, _snapshot_date):
    comparison = cells.comparison
    raw = cells.con.execute(APPRAISAL_SQL, [comparison.code, comparison.group_code]).df()
    if raw.empty:
        return []
    year = int(raw["appraisal_year"].iloc[0])
    population = appraisal_population(cells, year)
    ends = scale_ends(cells)

    def key(group: str, event: bool):
        def make(record):
            return appraisal_key(
                cells, population, record["worker_type"], cells.comparison_members[group],
                ends[record["measure_code"]] if event else None,
            )  # fmt: skip

        return make

    for prefix, group in (("", comparison.group_code), ("reference_", comparison.reference_code)):
        _keys(raw, f"{prefix}base_count", key(group, False))
        _keys(raw, f"{prefix}event_count", key(group, True))
    add_both_groups(cells, raw, EVENT_PAIRS)
    group, reference = short_label(comparison.group_label), comparison.reference_label
    table = DeclaredTable(
        id="appraisal",
        caption=(
            f"Performance appraisal, the year to 31 March {year}: of those rated, how many "
            f"were rated at the top of the scale ({', '.join(ends['appraisal_top'])}) and at "
            f"the bottom ({', '.join(ends['appraisal_bottom'])}), per 100; rate ratio = "
            f"{group} rate / {reference} rate"
        ),
        columns=_rate_columns(group, reference, 100, "rated", "counted", "Rate ratio", False),
        frame=raw,
    )

    def compose() -> Prose:
        label = mid_sentence(comparison.group_label)
        row = _row(table, "Police officers", "appraisal_top")
        message = rate_sentence(
            table, row, when=f"In the appraisal year to 31 March {year}",
            who=f"{label} officers appraised", did="received a rating at the top of the scale",
            per=100,
            reference=f"{reference} officers",
        )  # fmt: skip
        found = _findings(
            table, table.labels, f"{label} colleagues rated", f"{reference} colleagues", 100
        )
        return Prose(message=message, findings=found)

    main = Section("appraisal", "people", "Performance appraisal", table, compose)
    return _and_by_group(
        cells, main, "appraisal_outcomes", "Appraisal by group", 100,
        "Those rated at the top and at the bottom of the scale",
    )  # fmt: skip


DISTRIBUTION_SQL = """
select
    studied.rating as label,
    studied.rating,
    studied.rating_count,
    studied.rated_count,
    studied.rating_share,
    reference.rating_count as reference_rating_count,
    reference.rated_count as reference_rated_count,
    reference.rating_share as reference_rating_share
from analytics.appraisal_distribution as studied
inner join analytics.appraisal_distribution as reference
    on studied.appraisal_year = reference.appraisal_year
    and studied.worker_type = reference.worker_type
    and studied.rating = reference.rating
    and reference.comparison_code = studied.comparison_code
    and reference.group_code = ?
where studied.comparison_code = ? and studied.group_code = ?
    and studied.worker_type = 'police_officer'
    and studied.appraisal_year = (select max(appraisal_year) from analytics.appraisal_distribution)
order by studied.rating_order desc
"""


def appraisal_distribution(cells: Cells, _snapshot_date):
    comparison = cells.comparison
    raw = cells.con.execute(
        DISTRIBUTION_SQL, [comparison.reference_code, comparison.code, comparison.group_code]
    ).df()
    if raw.empty:
        return []
    (year,) = cells.con.execute(
        "select max(appraisal_year) from analytics.appraisal_distribution"
    ).fetchone()
    population = appraisal_population(cells, year)

    def key(group: str, total: bool):
        def make(record):
            return appraisal_key(
                cells, population, "police_officer", cells.comparison_members[group],
                None if total else [record["rating"]],
            )  # fmt: skip

        return make

    for prefix, group in (("", comparison.group_code), ("reference_", comparison.reference_code)):
        _keys(raw, f"{prefix}rating_count", key(group, False))
        _keys(raw, f"{prefix}rated_count", key(group, True))
    group, reference = short_label(comparison.group_label), comparison.reference_label
    table = DeclaredTable(
        id="appraisal-ratings",
        caption=(
            f"Police officers' appraisal ratings, the year to 31 March {year}, highest first: "
            "how many of each group were given each rating, and the share of those rated"
        ),
        columns=(
            Column("label", "Rating", "label"),
            Column("rating_count", f"{group}: rated", "count"),
            Column("rating_share", f"{group}: share", "share", of=("rating_count", "rated_count")),
            Column("reference_rating_count", f"{reference}: rated", "count"),
            Column(
                "reference_rating_share",
                f"{reference}: share",
                "share",
                of=("reference_rating_count", "reference_rated_count"),
            ),
        ),
        frame=raw,
    )

    def compose() -> Prose:
        top = table.labels[0]
        shares = [table.text(top, c) for c in ("rating_share", "reference_rating_share")]
        people = (f"{mid_sentence(comparison.group_label)} officers", f"{reference} officers")
        if "[c]" not in shares and "[x]" not in shares:
            message = (
                f"In the appraisal year to 31 March {year}, {shares[0]} of {people[0]} were "
                f"rated {top.lower()}, against {shares[1]} of {people[1]}."
            )
        else:  # a mark is never a word in a sentence: say what is shown, and why not the rest
            said = [
                f"the share of {who} rated {top.lower()} is "
                + ("withheld to protect small numbers" if share == "[c]" else "not available")
                if share in ("[c]", "[x]")
                else f"{share} of {who} were rated {top.lower()}"
                for share, who in zip(shares, people, strict=True)
            ]
            message = f"In the appraisal year to 31 March {year}, {said[0]}; {said[1]}."
        chart = Chart(
            kind="bars",
            series=(
                Series("rating_share", comparison.group_label),
                Series("reference_rating_share", reference),
            ),
            axis="Share of police officers rated who were given the rating (%)",
            title=message,
            alt=f"Bar chart of police officers' appraisal ratings by group. {message}",
        )
        return Prose(message=message, chart=chart)

    return Section(
        "appraisal-ratings", "people", "Appraisal ratings of police officers", table, compose
    )


# --------------------------------------------------------------------------- staff survey

LATEST_SURVEY_SQL = """studied.is_comparison_covered
    and studied.survey_date = (
        select max(asked.survey_date) from analytics.survey_results as asked
        where asked.indicator_code = studied.indicator_code
            and asked.comparison_code = studied.comparison_code
            and asked.is_comparison_covered
    )"""
"""Each indicator from the latest survey that asks it of every group compared (a later pulse
survey of one question does not remove the others, and one of a few groups, whose "ethnic
minority" would be only those it reports, is not compared): the condition on ``studied``
rows of analytics.survey_results that both survey tables use."""

SURVEY_SQL = """
select
    studied.wres_indicator || ': ' || studied.indicator_label as label,
    studied.survey_id,
    studied.survey_date,
    studied.question_code,
    studied.question_text,
    studied.indicator_code,
    studied.respondent_count,
    studied.agreeing_count,
    studied.agreeing_share,
    studied.reference_respondent_count,
    studied.reference_agreeing_count,
    studied.reference_agreeing_share,
    studied.min_respondents,
    studied.share_ratio,
    {statistics}
from analytics.survey_results as studied
where studied.comparison_code = ? and studied.group_code = ?
    and {latest}
order by studied.wres_indicator, studied.question_code
""".replace("{statistics}", STATISTICS_SQL).replace("{latest}", LATEST_SURVEY_SQL)

PARTIAL_SURVEYS_SQL = """
select distinct partial.survey_id, partial.survey_date
from analytics.survey_results as partial
where partial.comparison_code = ? and not partial.is_comparison_covered
    and partial.survey_date > coalesce((
        select max(used.survey_date) from analytics.survey_results as used
        where used.comparison_code = partial.comparison_code
            and used.indicator_code = partial.indicator_code and used.is_comparison_covered
    ), date '1900-01-01')
order by partial.survey_date, partial.survey_id
"""
"""Surveys later than one the section shows for an indicator that do not report every group
compared (a pulse survey of a few groups): the section says it left them out."""

SURVEY_COUNTS = ("agreeing_count", "respondent_count", "reference_agreeing_count",
                 "reference_respondent_count")  # fmt: skip


def survey_population(cells: Cells, survey_id: str, question: str) -> str:
    population = f"survey {survey_id} {question}"
    cells.universe.add(
        population, eth=tuple(e.code for e in codes.ETHNICITIES), answer=("agree", "other")
    )
    return population


def staff_survey(cells: Cells, _snapshot_date):
    comparison = cells.comparison
    raw = cells.con.execute(SURVEY_SQL, [comparison.code, comparison.group_code]).df()
    if raw.empty:
        return []
    several = raw["survey_id"].nunique() > 1  # an indicator a later survey did not ask
    raw["label"] = [
        f"{label} ({code}, {survey})" if several else f"{label} ({code})"
        for label, code, survey in zip(
            raw["label"], raw["question_code"], raw["survey_id"], strict=True
        )
    ]

    def key(group: str, agreeing: bool):
        def make(record):
            population = survey_population(cells, record["survey_id"], record["question_code"])
            return cells.key(
                population, eth=cells.comparison_members[group],
                answer="agree" if agreeing else None,
            )  # fmt: skip

        return make

    for prefix, group in (("", comparison.group_code), ("reference_", comparison.reference_code)):
        _keys(raw, f"{prefix}respondent_count", key(group, False))
        _keys(raw, f"{prefix}agreeing_count", key(group, True))
    both = add_both_groups(cells, raw, (
        ("both_agreeing_count", "agreeing_count", "reference_agreeing_count"),
        ("both_respondent_count", "respondent_count", "reference_respondent_count"),
    ))  # fmt: skip
    group, reference = short_label(comparison.group_label), comparison.reference_label
    latest = raw.loc[raw["survey_date"].idxmax()]
    named = "the staff surveys" if several else str(latest["survey_id"])
    survey = (
        f"Each question from the latest survey that asked it (beside it; the latest, "
        f"{latest['survey_id']}, closed {_long_date(latest['survey_date'])})"
        if several
        else f"{latest['survey_id']} (fieldwork closed {_long_date(latest['survey_date'])})"
    )
    minimum = int(raw["min_respondents"].iloc[0])
    partial = cells.con.execute(PARTIAL_SURVEYS_SQL, [comparison.code]).fetchall()
    left_out = tuple(
        f"{survey_id} (closed {_long_date(date)}) is not compared here: its results do not "
        f"cover every {mid_sentence(comparison.group_label)} and {reference} respondent (a "
        "survey of some groups only)."
        for survey_id, date in partial
    )
    table = DeclaredTable(
        id="staff-survey",
        caption=(
            f"{survey}, the "
            "questions the NHS Workforce Race Equality Standard reports (indicators 5 to 8): "
            "respondents in each group and the share who agreed; ratio = "
            f"{group} share / {reference} share. Harassment, bullying or abuse, and "
            "discrimination: a higher share is worse for the group; equal opportunities: a "
            "higher share is better"
        ),
        columns=(
            Column("label", "Indicator (question)", "label"),
            Column("respondent_count", f"{group}: respondents", "count"),
            Column(
                "agreeing_share",
                f"{group}: agreed",
                "share",
                of=("agreeing_count", "respondent_count"),
            ),
            Column("reference_respondent_count", f"{reference}: respondents", "count"),
            Column(
                "reference_agreeing_share",
                f"{reference}: agreed",
                "share",
                of=("reference_agreeing_count", "reference_respondent_count"),
            ),
            *statistic_columns("share_ratio", "Ratio of shares", (*SURVEY_COUNTS, *both)),
        ),
        frame=raw,
        notes=(
            f"A group's result from fewer than {in_words(minimum)} respondents is not "
            "computed, so it has no figure ([x]): a share of a handful of people is neither "
            "reliable nor safe to publish.",
            *left_out,
        ),
    )

    def compose() -> Prose:
        label = mid_sentence(comparison.group_label)
        found = [
            f"{named}: {row[0].lower() + row[1:]}: {table.text(row, 'agreeing_share')} of "
            f"{label} respondents against {table.text(row, 'reference_agreeing_share')} of "
            f"{reference} respondents ({chance_clause(table, row)})."
            for row in table.labels
            if is_finding(table, row)
        ]
        compared = [r for r in table.labels if isinstance(table.value(r, "share_ratio"), float)]
        if found:
            message = found[0]
        elif compared:
            which = "each question compared" if len(compared) > 1 else "the question compared"
            message = (
                f"In {named}, {label} and {reference} respondents' answers to {which} "
                "differed by no more than chance could explain."
            )
        else:
            message = f"In {named}, no question could be compared: too few respondents in a group."
        chart = Chart(
            kind="bars",
            series=(
                Series("agreeing_share", comparison.group_label),
                Series("reference_agreeing_share", reference),
            ),
            axis="Respondents who agreed or answered yes (%)",
            title=message,
            alt=f"Bar chart of staff survey answers by group. {message}",
        )
        return Prose(message=message, chart=chart, findings=found)

    main = Section("staff-survey", "people", "Staff survey", table, compose)
    extra = survey_by_group(cells)
    return [main] if extra is None else [main, extra]


SURVEY_BY_GROUP_SQL = """
select
    studied.wres_indicator || ': ' || studied.indicator_label || ': ' || studied.group_label
        as label,
    studied.survey_id,
    studied.survey_date,
    studied.question_code,
    studied.group_code,
    studied.reference_group_code,
    studied.reference_group_label,
    studied.respondent_count,
    studied.agreeing_count,
    studied.agreeing_share,
    studied.reference_respondent_count,
    studied.reference_agreeing_count,
    studied.reference_agreeing_share,
    studied.min_respondents,
    studied.share_ratio,
    {statistics}
from analytics.survey_results as studied
where list_contains(?, studied.comparison_code)
    and studied.group_code <> studied.reference_group_code
    and {latest}
order by studied.wres_indicator, studied.question_code, studied.group_sort_order
""".replace("{statistics}", STATISTICS_SQL).replace("{latest}", LATEST_SURVEY_SQL)


def survey_by_group(cells: Cells) -> Section | None:
    """The staff survey's indicators for every group of the ethnic comparisons (both
    definitions of the ethnic minority, the broad groups, Black on its own), each against
    its own reference group, as the other sections' by-group tables; the cells are the
    section's (:func:`survey_population`), so the protection sees them all."""
    raw = cells.con.execute(SURVEY_BY_GROUP_SQL, [list(ETHNIC_COMPARISONS)]).df()
    if raw.empty:
        return None
    members = group_members(cells)

    def key(which: str, agreeing: bool):
        def make(record):
            population = survey_population(cells, record["survey_id"], record["question_code"])
            return cells.key(
                population, eth=members[record[which]], answer="agree" if agreeing else None
            )

        return make

    for prefix, which in (("", "group_code"), ("reference_", "reference_group_code")):
        _keys(raw, f"{prefix}respondent_count", key(which, False))
        _keys(raw, f"{prefix}agreeing_count", key(which, True))
    both = add_both_groups(cells, raw, (
        ("both_agreeing_count", "agreeing_count", "reference_agreeing_count"),
        ("both_respondent_count", "respondent_count", "reference_respondent_count"),
    ))  # fmt: skip
    surveys = sorted(set(zip(raw["survey_id"], raw["survey_date"], strict=True)),
                     key=lambda s: s[1])  # fmt: skip
    named = "; ".join(f"{i} (closed {_long_date(d)})" for i, d in surveys)
    if len(surveys) > 1:
        raw["label"] = [f"{label} ({survey})" for label, survey in
                        zip(raw["label"], raw["survey_id"], strict=True)]  # fmt: skip
    minimum = int(raw["min_respondents"].iloc[0])
    table = DeclaredTable(
        id="staff-survey-by-group",
        caption=(
            f"Staff survey, {named}: the WRES questions for each definition of the ethnic "
            "minority and each broad ethnic group (Black on its own), each against its own "
            "reference group (White; White British for the wider definition): respondents "
            "and the share who agreed; ratio = group share / reference share (by sex: "
            "analytics.survey_results, docs/analysts.md)"
        ),
        columns=(
            Column("label", "Indicator and group", "label"),
            Column("reference_group_label", "Compared with", "text"),
            Column("respondent_count", "Group: respondents", "count"),
            Column("agreeing_count", "Group: agreed", "count"),
            Column("agreeing_share", "Group: share agreed", "share",
                   of=("agreeing_count", "respondent_count")),
            Column("reference_respondent_count", "Reference: respondents", "count"),
            Column("reference_agreeing_count", "Reference: agreed", "count"),
            Column("reference_agreeing_share", "Reference: share agreed", "share",
                   of=("reference_agreeing_count", "reference_respondent_count")),
            *statistic_columns("share_ratio", "Ratio of shares", (*SURVEY_COUNTS, *both)),
        ),
        frame=raw,
        notes=(
            f"A group's result from fewer than {in_words(minimum)} respondents is not "
            "computed, so it has no figure ([x]).",
        ),
    )  # fmt: skip
    headline = cells.comparison.group_code  # its rows are the section's own findings
    others = [row for row, g in zip(table.labels, raw["group_code"], strict=True) if g != headline]

    def compose() -> Prose:
        found = [
            f"{row}: {table.text(row, 'agreeing_share')} of respondents, against "
            f"{table.text(row, 'reference_agreeing_share')} of "
            f"{table.text(row, 'reference_group_label')} respondents "
            f"({chance_clause(table, row)})."
            for row in others
            if is_finding(table, row)
        ]
        message = found[0] if found else (
            "In the staff survey, no group's answers differ from its reference group's by "
            "more than chance could explain, or the numbers are too small to show."
        )  # fmt: skip
        return Prose(message=message, findings=found)

    return Section(table.id, "people", "Staff survey by group", table, compose)


# --------------------------------------------------------------------------- chief officers

LEADERSHIP_SQL = """
select
    tier_label as label, tier_code, snapshot_date, headcount, declared_headcount,
    group_headcount, group_share, workforce_declared_headcount, workforce_group_headcount,
    workforce_group_share, rest_declared_headcount, rest_group_headcount,
    workforce_share_gap, population_share, unit_to_rest_ratio, ci_lower_ratio,
    ci_upper_ratio, p_value, adjusted_p_value, family_comparison_count, is_significant,
    is_significant_after_adjustment, verdict, note
from analytics.leadership_representation
where snapshot_date = ? and group_code = ? and tier_code = 'senior_leadership'
order by tier_sort_order
"""
"""Senior leadership only: the chief officer team is a handful of people, whose ethnicity
cannot be shown without identifying someone; published beside the ranks and the rest of the
workforce, its figures would force most of the rank tables to be withheld to protect it.
Its figures are in analytics.leadership_representation for analysts inside the force."""


def leadership_posts(cells: Cells, population: str) -> dict[str, frozenset[str]]:
    """The posts of each tier ([leadership]) that the snapshot has, of the workforce
    (everyone but special constables) and of police staff (what the senior bands are
    compared with)."""
    domain = cells.universe.dims(population)["post"]
    tiers: dict[str, set[str]] = {}
    for tier, worker_type, rank in cells.con.execute(
        "select tier_code, worker_type, rank_or_band from ref.leadership_tiers"
    ).fetchall():
        tiers.setdefault(tier, set()).add(f"{worker_type}/{rank}")
    out = {tier: frozenset(posts) & domain for tier, posts in tiers.items()}
    out["workforce"] = frozenset(p for p in domain if not p.startswith("special_constable/"))
    out["police_staff"] = frozenset(p for p in domain if p.startswith("police_staff/"))
    return out


def leadership_key(cells: Cells, population: str, posts, eth: str):
    return cells.key(population, post=posts, eth=cells.eth(eth)) if posts else None


def chief_officers(cells: Cells, snapshot_date):
    headline = cells.headline
    label = cells.labels[headline]
    raw = cells.con.execute(LEADERSHIP_SQL, [pd.Timestamp(snapshot_date).date(), headline]).df()
    if raw.empty:
        return []
    population = cells.staff(snapshot_date)
    posts = leadership_posts(cells, population)

    def key(eth: str, which: str):
        def make(record):
            tier = posts.get(record["tier_code"], frozenset())
            chosen = {"tier": tier, "workforce": posts["workforce"],
                      "rest": posts["workforce"] - tier}[which]  # fmt: skip
            return leadership_key(cells, population, chosen, eth)

        return make

    _keys(raw, "headcount", key("all", "tier"))
    _keys(raw, "declared_headcount", key("stated", "tier"))
    _keys(raw, "group_headcount", key(headline, "tier"))
    _keys(raw, "workforce_declared_headcount", key("stated", "workforce"))
    _keys(raw, "workforce_group_headcount", key(headline, "workforce"))
    _keys(raw, "rest_declared_headcount", key("stated", "rest"))
    _keys(raw, "rest_group_headcount", key(headline, "rest"))
    own = ("group_headcount", "declared_headcount")
    workforce = ("workforce_group_headcount", "workforce_declared_headcount")
    counts = (*own, "rest_group_headcount", "rest_declared_headcount")
    short = short_label(label)
    table = DeclaredTable(
        id="senior-leadership",
        caption=(
            f"Senior leadership (superintendents, chief officers and senior staff) on "
            f"{_long_date(snapshot_date)}: "
            f"{label} share of those who stated an ethnicity, against officers', staff's and "
            "PCSOs' (special constables, volunteers, are not compared) and the population's; "
            "difference = team share - share of officers, staff and PCSOs, in percentage "
            "points (as NHS WRES indicator 9 compares a board with the workforce); ratio = "
            "senior leadership's share / the share of the rest "
            "of the officers, staff and PCSOs"
        ),
        notes=(
            "The chief officer team is not shown: it is a handful of people, whose ethnicity "
            "cannot be published without identifying someone.",
        ),
        columns=(
            Column("label", "Tier", "label"),
            Column("headcount", "People", "count"),
            Column("declared_headcount", "Stated an ethnicity", "count"),
            Column("group_headcount", f"{short}: people", "count"),
            Column("group_share", f"{short}: share", "share", of=own),
            Column(
                "workforce_group_share", "Officers, staff and PCSOs: share", "share", of=workforce
            ),
            Column("population_share", "Population share", "share"),
            Column(
                "workforce_share_gap",
                "Difference from officers, staff and PCSOs (points)",
                "points",
                of=(*own, *workforce),
            ),
            *statistic_columns(
                "unit_to_rest_ratio", "Ratio to the rest of officers, staff and PCSOs", counts
            ),
        ),
        frame=raw,
    )

    def compose() -> Prose:
        senior = table.labels[0]
        if isinstance(table.value(senior, "group_share"), float):
            message = (
                f"{label} colleagues were {table.text(senior, 'group_share')} of senior "
                f"leadership against {table.text(senior, 'workforce_group_share')} of "
                f"officers, staff and PCSOs and {table.text(senior, 'population_share')} of the "
                "population "
                f"({chance_clause(table, senior)})."
            )
        else:
            message = (
                "Senior leadership is too small to show its ethnicity without identifying "
                "colleagues."
            )
        findings = [message] if is_finding(table, senior) else []
        return Prose(message=message, findings=findings)

    return Section(
        "senior-leadership", "operational", "Senior leadership and the chief officer team",
        table, compose,
    )  # fmt: skip


# --------------------------------------------------------------------------- by group

BY_GROUP_SQL = """
select
    studied.worker_type_label || ': ' || lower(studied.measure_label) || ': '
        || studied.group_label as label,
    studied.{period} as period,
    studied.worker_type,
    studied.measure_code,
    studied.group_code,
    studied.reference_group_label,
    studied.base_count,
    studied.event_count,
    studied.event_rate,
    studied.reference_base_count,
    studied.reference_event_count,
    studied.reference_event_rate,
    studied.rate_ratio,
    {statistics}
from analytics.{view} as studied
where list_contains(?, studied.comparison_code)
    and studied.group_code <> studied.reference_group_code
    and studied.{period} = (select max({period}) from analytics.{view})
    and studied.worker_type in ('police_officer', 'police_staff')
    and list_contains(?, studied.measure_code)
order by
    case studied.worker_type when 'police_officer' then 1 else 2 end,
    studied.measure_sort_order, studied.group_sort_order
""".replace("{statistics}", STATISTICS_SQL)

ETHNIC_COMPARISONS = ("ethnic_minority", "ethnic_minority_incl_white", "broad_group")
"""The comparisons the by-group tables show: both definitions of the ethnic minority and the
broad groups (Black on its own). By sex, the views have every measure; in the report, cells
by sex beside these would multiply the protection's work more than twentyfold (measured on
the demo: minutes instead of 14 seconds), so they are left to the views for now."""

BY_GROUP: dict[str, tuple[str, ...]] = {
    "misconduct_rates": ("misconduct_formal", "misconduct_outcome_dismissal"),
    "grievance_rates": ("grievance_raised",),
    "development_access": ("training_any",),
    "lateral_moves": ("move_lateral", "move_into_specialist"),
    "appraisal_outcomes": ("appraisal_top", "appraisal_bottom"),
}
"""Each view's measures shown for every group: the section's headline measures."""


def group_members(cells: Cells) -> dict[str, frozenset[str]]:
    """The ethnicity codes of each group of the ethnic comparisons (ref.comparison_members)."""
    out: dict[str, set[str]] = {}
    for group, eth in cells.con.execute(
        f"""select group_code, ethnicity_code from ref.comparison_members
            where list_contains({list(ETHNIC_COMPARISONS)}, comparison_code)"""
    ).fetchall():
        out.setdefault(group, set()).add(eth)
    return {group: frozenset(codes) for group, codes in out.items()}


def by_group(cells: Cells, view: str, *, section_id: str, theme: str, title: str, per: int,
             what: str) -> Section | None:  # fmt: skip
    """The section's headline measures for every group of the ethnic comparisons (both
    definitions of the ethnic minority, the broad groups, Black on its own), each against
    its own reference group, with the same statistics; the cells declared as the section's
    are, so the protection sees them all."""
    period = "appraisal_year" if view == "appraisal_outcomes" else "period_end_date"
    raw = cells.con.execute(
        BY_GROUP_SQL.replace("{view}", view).replace("{period}", period),
        [list(ETHNIC_COMPARISONS), list(BY_GROUP[view])],
    ).df()
    if raw.empty:
        return None
    members = group_members(cells)
    reference_of = dict(
        cells.con.execute(
            "select distinct group_code, reference_group_code from ref.comparison_groups"
        ).fetchall()
    )
    if view == "appraisal_outcomes":
        year = int(raw["period"].iloc[0])
        population = appraisal_population(cells, year)
        ends = scale_ends(cells)

        def cell(record, group, event):
            return appraisal_key(
                cells, population, record["worker_type"], members[group],
                ends[record["measure_code"]] if event else None,
            )  # fmt: skip

        when = f"the appraisal year to 31 March {year}"
    else:
        (start,) = cells.con.execute(
            f"select max(period_start_date) from analytics.{view}"
        ).fetchone()  # the view's latest period (the rows' end) starts at its latest start
        population = period_population(cells, start)

        def cell(record, group, event):
            return measure_key(
                cells, population, record["measure_code"], record["worker_type"],
                members[group], event,
            )  # fmt: skip

        when = fmt.period(start, raw["period"].iloc[0])
    for prefix, which in (("", "group_code"), ("reference_", None)):
        for name, event in (("base_count", False), ("event_count", True)):
            raw[f"{prefix}{name}@key"] = [
                cell(r, r[which] if which else reference_of[r["group_code"]], event)
                for r in raw.to_dict("records")
            ]
    add_both_groups(cells, raw, EVENT_PAIRS)
    unit = f"per {per:,}"
    table = DeclaredTable(
        id=f"{section_id}-by-group",
        caption=(
            f"{what}, {when}, for each definition of the ethnic minority and each broad "
            "ethnic group (Black on its own), each against its own reference group (White; "
            f"White British for the wider definition); {unit}; rate ratio = group rate / "
            "reference rate (by sex: analytics views, docs/analysts.md)"
        ),
        columns=(
            Column("label", "Worker type, measure and group", "label"),
            Column("reference_group_label", "Compared with", "text"),
            Column("base_count", "Group: base", "count"),
            Column("event_count", "Group: counted", "count"),
            Column("event_rate", f"Group: {unit}", "rate", per=per,
                   of=("event_count", "base_count")),
            Column("reference_base_count", "Reference: base", "count"),
            Column("reference_event_count", "Reference: counted", "count"),
            Column("reference_event_rate", f"Reference: {unit}", "rate", per=per,
                   of=("reference_event_count", "reference_base_count")),
            *statistic_columns("rate_ratio", "Rate ratio", (*COUNTS, *BOTH)),
        ),
        frame=raw,
    )  # fmt: skip

    headline = cells.comparison.group_code  # its rows are the section's own findings
    others = [row for row, g in zip(table.labels, raw["group_code"], strict=True) if g != headline]

    def compose() -> Prose:
        found = [
            f"{row}: {table.text(row, 'event_rate')} {unit}, against "
            f"{table.text(row, 'reference_event_rate')} {unit} "
            f"{table.text(row, 'reference_group_label')} ({_figures(table, row)})."
            for row in others
            if is_finding(table, row)
        ]
        message = found[0] if found else (
            f"In {when}, no group's difference from its reference group is unlikely to be "
            "chance, or the numbers are too small to show."
        )  # fmt: skip
        return Prose(message=message, findings=found)

    return Section(table.id, theme, title, table, compose)


def _and_by_group(cells: Cells, main: Section, view: str, title: str, per: int, what: str):
    """The section and, after it, its headline measures for every group."""
    extra = by_group(
        cells, view, section_id=main.id, theme=main.theme, title=title, per=per, what=what
    )
    return [main] if extra is None else [main, extra]
