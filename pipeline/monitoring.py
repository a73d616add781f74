"""The strategy's other monitoring duties, declared once: what each rate counts, of whom, per
how many, which way a difference goes against the group, and the code tables the SQL joins.

Every event rate of misconduct, grievances, development, lateral moves and appraisal is an
:class:`EventMeasure`: SQL counts each group's base and events for every measure alike
(``intermediate.int_monitoring__measure_counts``), and the Python marts compare them with
:func:`pipeline.rates.add_rate_comparison`, one measure per row. The tables built here go
into ``ref.*`` with the other code lists (:func:`reference_tables`).
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import numpy as np
import pandas as pd

from pipeline import codes
from pipeline.config import Settings
from pipeline.rates import Measure, add_rate_comparison
from pipeline.stats import Direction

WORSE, BETTER = Direction.HIGHER_IS_WORSE, Direction.HIGHER_IS_BETTER

BASES: dict[str, str] = {
    "in_post": "people in post at the start of the period",
    "case": "people who were the subject of a misconduct case in the period",
    "formal": "people investigated (the formal process) in the period",
    "attended": "people who started a development programme (positive action aside) in the period",
    "stayed": "people in post at the start and the end of the period, in the same worker type",
    "not_specialist": "people who stayed and were not in a specialist unit at the start",
    "rated": "people rated in the appraisal year",
}
"""Who a rate is of: its denominator."""

DOMAINS: dict[str, str] = {
    "misconduct": "Misconduct and discipline",
    "grievance": "Grievances and employment tribunal claims",
    "training": "Training and development",
    "moves": "Lateral moves",
    "appraisal": "Performance appraisal",
}


@dataclass(frozen=True)
class EventMeasure:
    code: str
    domain: str
    label: str
    """What the rate counts, as a table row says it ("Entered the formal process")."""
    base: str
    per: int
    """Shown per this many people: 1,000 for rare events (the Home Office's misconduct and
    leaving rates), 100 for others."""
    rate_name: str
    direction: Direction
    wres: str | None = None
    """The NHS WRES indicator that defines the measure."""
    likelihood: bool = False
    """The view shows the WRES relative likelihood, oriented as the indicator of its
    direction orients it (indicator 3's group / reference when a higher rate is worse,
    indicator 4's reference / group when it is better); always for a WRES measure."""

    @property
    def measure(self) -> Measure:
        """How :func:`pipeline.rates.add_rate_comparison` words and orients it."""
        orientation = None
        if self.wres is not None or self.likelihood:
            orientation = (
                "group_over_comparator" if self.direction is WORSE else "comparator_over_group"
            )
        return Measure(
            self.code, self.rate_name, self.direction, BASES[self.base], "had this happen",
            comparator="the reference group", relative_likelihood=orientation,
        )  # fmt: skip


def _misconduct() -> list[EventMeasure]:
    def m(code, label, rate_name, base="in_post", per=1000, wres=None):
        # Per 1,000 in post: the relative likelihood at every stage and outcome (WRES 3's way).
        return EventMeasure(
            code, "misconduct", label, base, per, rate_name, WORSE, wres, base == "in_post"
        )

    out = [
        m("misconduct_case", "Subject of a misconduct case (any stage)", "case rate"),
        m("misconduct_public_complaint", "Subject of a public complaint", "complaint rate"),
        m("misconduct_internal_report", "Subject of an internal report (conduct matter)",
          "internal report rate"),
        m("misconduct_formal", "Entered the formal process (investigated)",
          "formal process rate", wres="WRES 3"),
        m("misconduct_proceedings", "Referred to a misconduct meeting or hearing",
          "referral rate"),
        m("misconduct_hearing", "Referred to a gross misconduct hearing", "hearing rate"),
        m("misconduct_sanction", "Given a written warning or a more severe outcome",
          "sanction rate"),
    ]  # fmt: skip
    out += [
        m(f"misconduct_outcome_{code}", f"Most severe outcome: {label.lower()}",
          f"{label.lower()} rate")
        for code, label in codes.MISCONDUCT_OUTCOMES.items()
    ]  # fmt: skip
    out += [
        m("misconduct_suspended", "Suspended", "suspension rate"),
        m("misconduct_restricted", "Suspended or on restricted duties", "restriction rate"),
        m("misconduct_formal_given_case", "Of those subject to a case: investigated",
          "rate of investigation", base="case", per=100),
        m("misconduct_proceedings_given_formal",
          "Of those investigated: referred to a meeting or hearing", "rate of referral",
          base="formal", per=100),
    ]  # fmt: skip
    return out


def _grievance() -> list[EventMeasure]:
    def m(code, label, rate_name):
        return EventMeasure(code, "grievance", label, "in_post", 1000, rate_name, WORSE)

    return [
        m("grievance_raised", "Raised a grievance", "grievance rate"),
        m("grievance_discrimination", "Raised a grievance or claim alleging discrimination",
          "discrimination complaint rate"),
        m("grievance_upheld", "Had a grievance upheld (in full or in part)",
          "upheld grievance rate"),
        m("tribunal_claim", "Made an employment tribunal claim", "tribunal claim rate"),
        m("tribunal_upheld", "Had an employment tribunal claim upheld", "upheld claim rate"),
    ]  # fmt: skip


def _training() -> list[EventMeasure]:
    def m(code, label, rate_name, base="in_post", wres="WRES 4"):
        return EventMeasure(code, "training", label, base, 100, rate_name, BETTER, wres)

    out = [
        m("training_any", "Started a development programme (positive action aside)",
          "access rate"),
    ]  # fmt: skip
    out += [
        m(f"training_{code}", f"Started: {label.lower()}", f"{label.lower()} access rate")
        for code, label in codes.PROGRAMME_TYPES.items()
    ]
    out.append(
        m("training_completed_given_started",
          "Of those who started (positive action aside): completed", "completion rate",
          base="attended", wres=None)
    )  # fmt: skip
    return out


def _moves() -> list[EventMeasure]:
    def m(code, label, rate_name, base):
        return EventMeasure(code, "moves", label, base, 100, rate_name, BETTER)

    return [
        m("move_lateral", "Moved department or role at the same rank or band",
          "lateral move rate", "stayed"),
        m("move_department", "Moved department at the same rank or band",
          "department move rate", "stayed"),
        m("move_into_specialist", "Moved into a specialist unit", "specialist move rate",
          "not_specialist"),
    ]  # fmt: skip


def _appraisal() -> list[EventMeasure]:
    return [
        EventMeasure("appraisal_top", "appraisal", "Rated at the top of the scale", "rated",
                     100, "top-rating rate", BETTER),
        EventMeasure("appraisal_bottom", "appraisal", "Rated at the bottom of the scale",
                     "rated", 100, "bottom-rating rate", WORSE),
    ]  # fmt: skip


EVENT_MEASURES: tuple[EventMeasure, ...] = (
    *_misconduct(),
    *_grievance(),
    *_training(),
    *_moves(),
    *_appraisal(),
)
MEASURES_BY_CODE: dict[str, EventMeasure] = {m.code: m for m in EVENT_MEASURES}


def survey_measure(question_code: str, indicator: str) -> Measure:
    """A staff-survey question as a measure: agreeing with a question about harassment or
    discrimination is worse for the group, believing in equal opportunities better."""
    direction = BETTER if indicator == "equal_opportunities" else WORSE
    return Measure(
        question_code,
        "share agreeing" if direction is BETTER else "share reporting it",
        direction,
        "respondents",
        "agreed",
        comparator="the reference group",
    )


# --------------------------------------------------------------------------- reference tables


def reference_tables(settings: Settings) -> dict[str, pd.DataFrame]:
    """``ref.*`` tables of the monitoring duties, from the code lists and the configuration."""
    scale = settings.appraisal.scale
    top, bottom = settings.appraisal.top_levels, settings.appraisal.bottom_levels
    leadership = settings.leadership
    # (code, label, officer ranks, staff bands, compared with: the workforce or one type)
    tiers = [
        ("chief_officer_team", "Chief officer team", leadership.chief_officer_ranks,
         leadership.chief_officer_bands, None),
        ("senior_leadership", "Senior leadership (chief officers included)",
         (*leadership.senior_ranks, *leadership.chief_officer_ranks),
         (*leadership.senior_bands, *leadership.chief_officer_bands), None),
        ("senior_staff_bands", "Senior police staff bands", (),
         (*leadership.senior_bands, *leadership.chief_officer_bands), "police_staff"),
    ]  # fmt: skip
    return {
        "ref.event_measures": pd.DataFrame(
            [
                {
                    "measure_code": m.code,
                    "domain_code": m.domain,
                    "domain_label": DOMAINS[m.domain],
                    "measure_label": m.label,
                    "measure_sort_order": order,
                    "base_code": m.base,
                    "base_label": BASES[m.base],
                    "rate_per": m.per,
                    "direction": str(m.direction),
                    "wres_indicator": m.wres,
                }
                for order, m in enumerate(EVENT_MEASURES, start=1)
            ]
        ).astype({"wres_indicator": "str"}),
        "ref.misconduct_stages": pd.DataFrame(
            [
                (code, label, order)
                for order, (code, label) in enumerate(codes.MISCONDUCT_STAGES.items(), start=1)
            ],
            columns=["misconduct_stage", "misconduct_stage_label", "stage_order"],
        ),
        "ref.misconduct_outcomes": pd.DataFrame(
            [
                (code, label, order)
                for order, (code, label) in enumerate(codes.MISCONDUCT_OUTCOMES.items(), start=1)
            ],
            columns=["misconduct_outcome", "misconduct_outcome_label", "severity_order"],
        ),
        "ref.programme_types": pd.DataFrame(
            [
                (code, label, code == "positive_action")
                for code, label in codes.PROGRAMME_TYPES.items()
            ],
            columns=["programme_type", "programme_type_label", "is_positive_action"],
        ),
        "ref.appraisal_scale": pd.DataFrame(
            [
                (rating, order, order > len(scale) - top, order <= bottom)
                for order, rating in enumerate(scale, start=1)
            ],
            columns=["rating", "rating_order", "is_top", "is_bottom"],
        ),
        "ref.survey_questions": pd.DataFrame(
            [
                (
                    code,
                    indicator,
                    *codes.SURVEY_INDICATORS[indicator],
                    str(survey_measure(code, indicator).direction),
                )
                for code, indicator in settings.survey.questions.items()
            ],
            columns=[
                "question_code",
                "indicator_code",
                "wres_indicator",
                "indicator_label",
                "direction",
            ],
        ).astype("str"),
        "ref.survey_settings": pd.DataFrame([{"min_respondents": settings.survey.min_respondents}]),
        "ref.leadership_tiers": pd.DataFrame(
            [
                (code, label, order, worker_type, rank, compared)
                for order, (code, label, ranks, bands, compared) in enumerate(tiers, start=1)
                for worker_type, grades in (("police_officer", ranks), ("police_staff", bands))
                for rank in grades
            ],
            columns=[
                "tier_code",
                "tier_label",
                "tier_sort_order",
                "worker_type",
                "rank_or_band",
                "compared_worker_type",
            ],
        ).astype({"compared_worker_type": "object"}),
    }


# --------------------------------------------------------------------------- the Python marts

RATE_SQL = """
select
    counts.period_start_date,
    counts.period_end_date,
    counts.worker_type,
    counts.worker_type_label,
    counts.measure_code,
    measures.measure_label,
    measures.measure_sort_order,
    measures.base_label,
    measures.rate_per,
    counts.comparison_code,
    counts.comparison_label,
    counts.group_code,
    counts.group_label,
    counts.group_sort_order,
    counts.reference_group_code,
    counts.reference_group_label,
    counts.base_count,
    counts.event_count,
    case when counts.base_count > 0 then counts.event_count / counts.base_count end
        as event_rate,
    counts.reference_base_count,
    counts.reference_event_count,
    case
        when counts.reference_base_count > 0
            then counts.reference_event_count / counts.reference_base_count
    end as reference_event_rate
from intermediate.int_monitoring__measure_counts as counts
inner join ref.event_measures as measures on counts.measure_code = measures.measure_code
where measures.domain_code = ?
order by counts.period_start_date, counts.worker_type_sort_order, measures.measure_sort_order,
    counts.group_sort_order
"""

RATE_DEPENDS_ON = [
    "intermediate.int_monitoring__measure_counts",
    "ref.event_measures",
    "ref.fairness_settings",
]


def rates_by_group(con: duckdb.DuckDBPyConnection, domain: str) -> pd.DataFrame:
    """One domain's event rates by group with the comparison with the reference group: the
    body of the misconduct, grievance, development, lateral-move and appraisal marts.

    Family for the false discovery rate: one period and comparison (every worker type and
    measure of the domain, for every group)."""
    (confidence,) = con.execute("select confidence from ref.fairness_settings").fetchone()
    every = con.execute(RATE_SQL, [domain]).df()
    measures = {m.code: m.measure for m in EVENT_MEASURES if m.domain == domain}
    # Positive action is open to under-represented groups only: no comparison with a group
    # that cannot take part, and none in the family whose p-values are adjusted together.
    uncompared = every["measure_code"].isin(NOT_COMPARED)
    frame = every[~uncompared]
    compared = add_rate_comparison(
        frame,
        "event_count",
        "base_count",
        "reference_event_count",
        "reference_base_count",
        measure=measures,
        family=("period_start_date", "comparison_code"),
        confidence=confidence,
    )
    if not uncompared.any():
        return compared
    rest = every[uncompared]
    rest = rest.assign(
        verdict=np.where(
            rest["group_code"] != rest["reference_group_code"], NOT_COMPARED_VERDICT, None
        )
    )
    out = pd.concat([compared, rest]).sort_index()  # in the SQL's order again
    return out.reindex(columns=compared.columns).reset_index(drop=True)


NOT_COMPARED = ("training_positive_action",)
"""Measures shown by group but never compared: a positive action programme is open to
under-represented groups only, so the reference group's rate is 0 by design."""
NOT_COMPARED_VERDICT = "not compared (positive action: open to under-represented groups only)"
