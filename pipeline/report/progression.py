"""Progression sections: promotion, leaving, the rank pipeline and specialist units.

Each compares the configured comparison's group with its reference group (by default
ethnic minority, excluding White minorities, against White: ``ref.comparison_groups``), or a
unit with the rest of the force. Rates, ratios and statistics are the marts'; this module
selects them and declares the cells they are computed from.
"""

from __future__ import annotations

import pandas as pd

from pipeline import codes
from pipeline.report import formatting as fmt
from pipeline.report.cells import Cells
from pipeline.report.declared import Chart, Column, DeclaredTable, Series
from pipeline.report.model import Prose, Section
from pipeline.report.representation import ladder_grid
from pipeline.stats import FOUR_FIFTHS, NOT_COMPUTABLE

STATISTICS_SQL = """studied.ci_lower_ratio,
    studied.ci_upper_ratio,
    studied.p_value,
    studied.adjusted_p_value,
    studied.family_comparison_count,
    studied.is_significant,
    studied.is_significant_after_adjustment,
    studied.verdict,
    studied.note"""
"""The comparison's columns (pipeline.rates), as the sections select them."""


def statistic_columns(
    ratio: str, header: str, counts: tuple[str, ...], *, likelihood: bool = False
) -> tuple[Column, ...]:
    """The comparison's ratio, interval, WRES relative likelihood (where the table shows
    it), test (with its false-discovery-rate adjustment) and verdict, computed from
    ``counts``. The ratio is named for what it divides: the word alone would mean something
    different in each table."""
    adjusted = ("adjusted_p_value", "family_comparison_count", "is_significant_after_adjustment")
    likelihood_column = Column(
        "relative_likelihood_ratio", "Relative likelihood (WRES)", "ratio", of=counts
    )
    return (
        Column(ratio, header, "ratio", of=counts),
        Column("ci_lower_ratio", "95% interval", "interval", of=counts, upper="ci_upper_ratio"),
        *((likelihood_column,) if likelihood else ()),
        Column("p_value", "How sure", "p_value", of=counts, adjusted=adjusted),
        Column("verdict", "Verdict", "text", of=counts),
    )


def is_finding(table: DeclaredTable, row: str) -> bool:
    """The comparison is shown and survives the false discovery rate control of its family:
    only these are called 'unlikely to be chance' or reach the summary."""
    shown = table.value(row, "p_value")
    return isinstance(shown, tuple) and bool(shown[3])


def short_label(label: str) -> str:
    """The label without its parenthesis, for column headings: the caption gives it whole."""
    return label.split(" (")[0]


def mid_sentence(label: str) -> str:
    """A configured group label inside a sentence: 'Ethnic minority (...)' reads as
    'ethnic minority (...)'; names of groups ('White', 'Black') keep their capital."""
    first, _, rest = label.partition(" ")
    return f"{first.lower()} {rest}" if first in {"Ethnic", "Minority"} else label


def chance_clause(table: DeclaredTable, row: str, noun: str = "difference") -> str:
    """'a difference this size is unlikely to be chance (p = 0.002; ...)', or 'could be
    chance'."""
    words = table.text(row, "p_value")
    if words in ("[c]", "[x]"):
        return f"whether a {noun} this size could be chance cannot be shown"
    verb = "is " if words.startswith("unlikely") else ""
    return f"a {noun} this size {verb}{words}"


def sentence_figures(table: DeclaredTable, row: str, ratio: str, ratio_name: str) -> str:
    """'ratio to constables 0.45, 95% interval 0.30 to 0.68; ...': a figure not shown is
    named with its reason, never written as its mark."""
    return (
        f"{_figure(table, row, ratio, ratio_name)}, "
        f"{_figure(table, row, 'ci_lower_ratio', '95% interval')}; {chance_clause(table, row)}"
    )


def _figure(table: DeclaredTable, row: str, column: str, name: str) -> str:
    text = table.text(row, column)
    if text == "[c]":
        return f"{name} withheld to protect small numbers"
    if text == "[x]":
        return f"no {name} (it cannot be computed from these numbers)"
    return f"{name} {text}"


def _number(table: DeclaredTable, row: str, column: str):
    value = table.value(row, column)
    return value if isinstance(value, int | float) else None


def _long_date(value) -> str:
    return pd.Timestamp(value).strftime("%-d %B %Y")


def _keys(frame: pd.DataFrame, name: str, make) -> None:
    frame[f"{name}@key"] = [make(r) for r in frame.to_dict("records")]


# --------------------------------------------------------------------------- promotion

PROMOTION_SQL = """
select
    coalesce(nullif(studied.rank_or_band, 'All'), 'All ranks') as label,
    studied.rank_or_band,
    studied.period_start_date,
    studied.period_end_date,
    studied.in_post_count,
    studied.promoted_count,
    studied.promotion_rate,
    studied.average_years_in_rank,
    reference.in_post_count as reference_in_post_count,
    reference.promoted_count as reference_promoted_count,
    reference.promotion_rate as reference_promotion_rate,
    reference.average_years_in_rank as reference_average_years_in_rank,
    studied.rate_ratio,
    {statistics}
from analytics.promotion_rates as studied
inner join analytics.promotion_rates as reference
    on studied.period_start_date = reference.period_start_date
    and studied.rank_or_band = reference.rank_or_band
    and reference.comparison_code = studied.comparison_code
    and reference.group_code = studied.reference_group_code
where studied.comparison_code = ? and studied.group_code = ?
    and studied.period_end_date = (select max(period_end_date) from analytics.promotion_rates)
    and studied.rank_or_band <> ?
order by studied.rank_order nulls first
""".replace("{statistics}", STATISTICS_SQL)


def promotion_rates(cells: Cells, _snapshot_date):
    comparison = cells.comparison
    raw = cells.con.execute(
        PROMOTION_SQL, [comparison.code, comparison.group_code, codes.OFFICER_RANKS[-1]]
    ).df()
    if raw.empty:
        return []
    start = raw["period_start_date"].iloc[0]
    population = cells.staff(start, movements=True)
    officers = cells.posts(population, "police_officer")

    def key(group: str, promoted: bool):
        def make(record):
            posts = (
                officers
                if record["rank_or_band"] == "All"
                else cells.posts(population, "police_officer", record["rank_or_band"])
            )
            return cells.key(
                population,
                post=posts,
                eth=cells.comparison_members[group],
                promoted="yes" if promoted else None,
            )

        return make

    _keys(raw, "in_post_count", key(comparison.group_code, False))
    _keys(raw, "promoted_count", key(comparison.group_code, True))
    _keys(raw, "reference_in_post_count", key(comparison.reference_code, False))
    _keys(raw, "reference_promoted_count", key(comparison.reference_code, True))
    group, reference = short_label(comparison.group_label), comparison.reference_label
    counts = ("promoted_count", "in_post_count", "reference_promoted_count",
              "reference_in_post_count")  # fmt: skip
    period = fmt.period(raw["period_start_date"].iloc[0], raw["period_end_date"].iloc[0])
    table = DeclaredTable(
        id="promotion-rates",
        caption=(
            f"Promotions in {period}: officers at each rank at its start and how "
            f"many held a higher rank at its end (per 100); promotion-rate ratio = {group} "
            f"rate / {reference} rate (below 1: promoted less often)"
        ),
        columns=(
            Column("label", "Rank at the start", "label"),
            Column("in_post_count", f"{group}: in post", "count"),
            Column("promoted_count", f"{group}: promoted", "count"),
            Column(
                "promotion_rate",
                f"{group}: per 100",
                "rate",
                of=("promoted_count", "in_post_count"),
            ),
            Column(
                "average_years_in_rank", f"{group}: years in rank", "years", of=("promoted_count",)
            ),
            Column("reference_in_post_count", f"{reference}: in post", "count"),
            Column("reference_promoted_count", f"{reference}: promoted", "count"),
            Column(
                "reference_promotion_rate",
                f"{reference}: per 100",
                "rate",
                of=("reference_promoted_count", "reference_in_post_count"),
            ),
            Column(
                "reference_average_years_in_rank",
                f"{reference}: years in rank",
                "years",
                of=("reference_promoted_count",),
            ),
            *statistic_columns("rate_ratio", "Promotion-rate ratio", counts),
        ),
        frame=raw,
        total_rows=frozenset({"All ranks"}),
    )
    ranks = [r for r in table.labels if r != "All ranks"]

    def compose() -> Prose:
        everyone = "All ranks"
        label = mid_sentence(comparison.group_label)
        figures = sentence_figures(table, everyone, "rate_ratio", "promotion-rate ratio")
        if _number(table, everyone, "rate_ratio") is not None:
            message = (
                f"In {period}, {label} officers were promoted at "
                f"{table.text(everyone, 'promotion_rate')} per 100 against "
                f"{table.text(everyone, 'reference_promotion_rate')} per 100 {reference} "
                f"officers ({figures})."
            )
        else:
            message = (
                f"In {period}, the promotion rates of {label} and {reference} officers cannot "
                "be compared: the numbers are too small to show, or there were none."
            )
        chart = Chart(
            kind="bars",
            series=(
                Series("promotion_rate", comparison.group_label),
                Series("reference_promotion_rate", reference),
            ),
            axis="Promotions per 100 officers in post at the rank at the start of the year",
            title=message,
            alt=f"Bar chart of promotions per 100 officers at each rank. {message}",
            rows=tuple(ranks),
        )
        return Prose(message=message, chart=chart, findings=[message])

    return Section("promotion-rates", "people", "Promotion rates by rank", table, compose)


# --------------------------------------------------------------------------- retention

RETENTION_SQL = """
select
    studied.worker_type_label || ': ' || lower(studied.leaving_reason_label) as label,
    studied.worker_type,
    studied.worker_type_label,
    studied.leaving_reason_code,
    studied.leaving_reason_label,
    studied.period_start_date,
    studied.period_end_date,
    studied.in_post_count,
    studied.leaver_count,
    studied.leaving_rate,
    studied.short_service_leaver_count,
    studied.short_service_share,
    reference.in_post_count as reference_in_post_count,
    reference.leaver_count as reference_leaver_count,
    reference.leaving_rate as reference_leaving_rate,
    reference.short_service_leaver_count as reference_short_service_leaver_count,
    reference.short_service_share as reference_short_service_share,
    studied.rate_ratio,
    {statistics}
from analytics.retention as studied
inner join analytics.retention as reference
    on studied.period_start_date = reference.period_start_date
    and studied.worker_type = reference.worker_type
    and studied.leaving_reason_code = reference.leaving_reason_code
    and reference.comparison_code = studied.comparison_code
    and reference.group_code = studied.reference_group_code
where studied.comparison_code = ? and studied.group_code = ?
    and studied.period_end_date = (select max(period_end_date) from analytics.retention)
    and studied.worker_type in ('police_officer', 'police_staff', 'pcso')
order by
    case studied.worker_type when 'police_officer' then 1 when 'police_staff' then 2 else 3 end,
    studied.leaving_reason_sort_order
""".replace("{statistics}", STATISTICS_SQL)

REASONS = ("resignation", "retirement", "dismissal", "other")


def retention(cells: Cells, _snapshot_date):
    comparison = cells.comparison
    raw = cells.con.execute(RETENTION_SQL, [comparison.code, comparison.group_code]).df()
    if raw.empty or not (raw["worker_type"] == "police_officer").any():
        return []
    population = cells.staff(raw["period_start_date"].iloc[0], movements=True)

    def key(group: str, leaving: bool, short: bool = False):
        def make(record):
            reason = record["leaving_reason_code"]
            return cells.key(
                population,
                post=cells.posts(population, record["worker_type"]),
                eth=cells.comparison_members[group],
                leaving=(REASONS if reason == "all" else reason) if leaving else None,
                service="under_2" if short else None,
            )

        return make

    for prefix, group in (("", comparison.group_code), ("reference_", comparison.reference_code)):
        _keys(raw, f"{prefix}in_post_count", key(group, False))
        _keys(raw, f"{prefix}leaver_count", key(group, True))
        _keys(raw, f"{prefix}short_service_leaver_count", key(group, True, True))
    group, reference = short_label(comparison.group_label), comparison.reference_label
    counts = ("leaver_count", "in_post_count", "reference_leaver_count",
              "reference_in_post_count")  # fmt: skip
    period = fmt.period(raw["period_start_date"].iloc[0], raw["period_end_date"].iloc[0])
    table = DeclaredTable(
        id="retention",
        caption=(
            f"Leavers in {period} per 1,000 in post at its start, and the share of leavers "
            f"with under two years' service; leaving-rate ratio = {group} rate / {reference} "
            "rate (above 1: more leave); the relative likelihood of leaving, in the style of "
            "the NHS Workforce Race Equality Standard's indicator 3, is the same figure"
        ),
        columns=(
            Column("label", "Worker type and reason", "label"),
            Column("in_post_count", f"{group}: in post", "count"),
            Column("leaver_count", f"{group}: leavers", "count"),
            Column(
                "leaving_rate",
                f"{group}: per 1,000",
                "rate",
                per=1000,
                of=("leaver_count", "in_post_count"),
            ),
            Column(
                "short_service_leaver_count",
                f"{group}: leavers with under 2 years' service",
                "count",
            ),
            Column(
                "short_service_share",
                f"{group}: under 2 years' service",
                "share",
                of=("short_service_leaver_count", "leaver_count"),
            ),
            Column("reference_in_post_count", f"{reference}: in post", "count"),
            Column("reference_leaver_count", f"{reference}: leavers", "count"),
            Column(
                "reference_leaving_rate",
                f"{reference}: per 1,000",
                "rate",
                per=1000,
                of=("reference_leaver_count", "reference_in_post_count"),
            ),
            Column(
                "reference_short_service_leaver_count",
                f"{reference}: leavers with under 2 years' service",
                "count",
            ),
            Column(
                "reference_short_service_share",
                f"{reference}: under 2 years' service",
                "share",
                of=("reference_short_service_leaver_count", "reference_leaver_count"),
            ),
            *statistic_columns("rate_ratio", "Leaving-rate ratio", counts),
        ),
        frame=raw,
        total_rows=frozenset(raw.loc[raw["leaving_reason_code"] == "all", "label"].astype(str)),
    )
    officers = raw[raw["worker_type"] == "police_officer"]
    everyone = str(officers["label"].iloc[0])
    reasons = [str(v) for v in officers["label"].iloc[1:]]

    def compose() -> Prose:
        label = mid_sentence(comparison.group_label)
        figures = sentence_figures(table, everyone, "rate_ratio", "leaving-rate ratio")
        if _number(table, everyone, "rate_ratio") is not None:
            message = (
                f"In {period}, {label} officers left at {table.text(everyone, 'leaving_rate')} "
                f"per 1,000 against {table.text(everyone, 'reference_leaving_rate')} for "
                f"{reference} officers ({figures})."
            )
        else:
            message = (
                f"In {period}, the leaving rates of {label} and {reference} officers cannot be "
                "compared: the numbers are too small to show, or there were none."
            )
        findings = [message]
        for row, reason in zip(reasons, officers["leaving_reason_label"].iloc[1:], strict=True):
            if not is_finding(table, row):
                continue
            ratio = _number(table, row, "rate_ratio")
            if ratio is None:  # no reference officer left this way: no ratio, a lower bound
                findings.append(
                    f"{comparison.group_label} officers left by {reason.lower()} in {period} "
                    f"while no {reference} officer did (leaving-rate ratio "
                    f"{table.text(row, 'ci_lower_ratio')} with 95% confidence; "
                    f"{chance_clause(table, row)})."
                )
            elif ratio > 1 / FOUR_FIFTHS:
                figures = sentence_figures(table, row, "rate_ratio", "leaving-rate ratio")
                findings.append(
                    f"{comparison.group_label} officers were {table.text(row, 'rate_ratio')} "
                    f"times as likely as {reference} officers to leave by {reason.lower()} in "
                    f"{period} ({figures})."
                )
        chart = Chart(
            kind="bars",
            series=(
                Series("leaving_rate", comparison.group_label),
                Series("reference_leaving_rate", reference),
            ),
            axis="Police officers leaving per 1,000 in post at the start of the year",
            title=message,
            alt=f"Bar chart of police officers leaving per 1,000 by reason. {message}",
            rows=tuple(reasons),
        )
        return Prose(message=message, chart=chart, findings=findings)

    return Section("retention", "people", "Leaving rates by reason", table, compose)


# --------------------------------------------------------------------------- rank pipeline


def rank_pipeline(cells: Cells, snapshot_date):
    headline = cells.headline
    label = cells.labels[headline]
    raw = cells.con.execute(
        """select rank_or_band as label, * from analytics.rank_pipeline
           where snapshot_date = ? and group_code = ? order by rank_order""",
        [pd.Timestamp(snapshot_date).date(), headline],
    ).df()
    if raw.empty or ladder_grid(cells, snapshot_date, "police_officer") is None:
        return []
    population = cells.staff(snapshot_date)

    def key(rank_column: str, eth: str):
        def make(record):
            rank = record[rank_column]
            if rank is None or pd.isna(rank):
                return None
            return cells.key(
                population, post=cells.posts(population, "police_officer", rank),
                eth=cells.eth(eth),
            )  # fmt: skip

        return make

    constable = str(raw["rank_or_band"].iloc[0])
    raw["constable"] = constable if constable == "Constable" else None
    _keys(raw, "headcount", key("rank_or_band", "all"))
    _keys(raw, "declared_headcount", key("rank_or_band", "stated"))
    _keys(raw, "group_headcount", key("rank_or_band", headline))
    _keys(raw, "rank_below_group_headcount", key("rank_below", headline))
    raw["rank_below_declared_headcount"] = None
    _keys(raw, "rank_below_declared_headcount", key("rank_below", "stated"))
    _keys(raw, "constable_group_headcount", key("constable", headline))
    _keys(raw, "constable_declared_headcount", key("constable", "stated"))
    own = ("group_headcount", "declared_headcount")
    below = (*own, "rank_below_group_headcount", "rank_below_declared_headcount")
    counts = (*own, "constable_group_headcount", "constable_declared_headcount")
    table = DeclaredTable(
        id="rank-pipeline",
        caption=(
            f"{label} officers by rank on {_long_date(snapshot_date)}: step ratio = share / "
            "share at the rank below; ratio = share / constables' share (the step ratios "
            "compounded)"
        ),
        columns=(
            Column("label", "Rank", "label"),
            Column("headcount", "Officers", "count"),
            Column("declared_headcount", "Stated an ethnicity", "count"),
            Column("group_headcount", f"{short_label(label)}: people", "count"),
            Column("group_share", f"{short_label(label)}: share of those stating", "share", of=own),
            Column("step_ratio", "Step ratio", "ratio", of=below),
            *statistic_columns("compounded_ratio", "Ratio to constables", counts),
        ),
        frame=raw,
    )
    ranks = table.labels

    def compose() -> Prose:
        senior = [r for r in ranks[1:] if _number(table, r, "compounded_ratio") is not None]
        if constable != "Constable":
            message = (
                "No constables are in post, so the pipeline cannot be measured from constable."
            )
        elif not senior:
            message = (
                f"Too few {mid_sentence(label)} officers above constable to show the pipeline."
            )
        else:
            row = "Chief Inspector" if "Chief Inspector" in senior else senior[-1]
            message = (
                f"{label} officers are {table.text(constable, 'group_share')} of constables "
                f"but {table.text(row, 'group_share')} of {row.lower()}s: "
                f"{table.text(row, 'compounded_ratio')} times the constables' share "
                f"({sentence_figures(table, row, 'compounded_ratio', 'ratio to constables')})."
            )
        notes = {
            r: f"(x{table.text(r, 'compounded_ratio')} of constables)"
            for r in ranks[1:]
            if _number(table, r, "compounded_ratio") is not None
        }
        chart = Chart(
            kind="bars",
            series=(Series("group_share", f"{label}: share at the rank"),),
            axis=f"{label} share of officers at the rank who stated an ethnicity (%)",
            title=message,
            alt=f"Bar chart of the group's share of officers at each rank. {message}",
            rows=tuple(ranks),
            label_notes=notes,
        )
        return Prose(message=message, chart=chart, findings=[message])

    return Section("rank-pipeline", "people", "The rank pipeline", table, compose)


# --------------------------------------------------------------------------- specialist units

UNITS_SQL = """
select
    coalesce(unit_label, '(not recorded)') as label, unit_label, is_specialist, headcount,
    declared_headcount, group_headcount, group_share, rest_declared_headcount,
    rest_group_headcount, rest_group_share, unit_to_rest_ratio, ci_lower_ratio,
    ci_upper_ratio, p_value, adjusted_p_value, family_comparison_count, is_significant,
    is_significant_after_adjustment, verdict, note
from analytics.specialist_roles
where snapshot_date = ? and group_code = ? and worker_type = 'police_officer'
    and unit_type = ?
order by is_specialist desc nulls last, unit_label
"""


def _units(cells: Cells, snapshot_date, unit_type: str):
    headline = cells.headline
    label = cells.labels[headline]
    raw = cells.con.execute(
        UNITS_SQL, [pd.Timestamp(snapshot_date).date(), headline, unit_type]
    ).df()
    if raw.empty:
        return []
    population = cells.staff(snapshot_date)
    noun = "department" if unit_type == "department" else "role"
    dim = "dept" if unit_type == "department" else "role"
    officers = cells.posts(population, "police_officer")
    domain = cells.universe.dims(population)[dim]

    def key(eth: str, rest: bool = False):
        def make(record):
            unit = {str(record["label"])}
            if rest and not domain - unit:
                return None  # the unit is the whole force: there is no rest
            if rest:  # the rest of the force beside the unit (see Universe.complement)
                unit = domain - unit
                cells.universe.rests[(population, dim)].add(frozenset(unit))
            return cells.key(population, post=officers, eth=cells.eth(eth), **{dim: unit})

        return make

    _keys(raw, "headcount", key("all"))
    _keys(raw, "declared_headcount", key("stated"))
    _keys(raw, "group_headcount", key(headline))
    _keys(raw, "rest_declared_headcount", key("stated", rest=True))
    _keys(raw, "rest_group_headcount", key(headline, rest=True))
    if noun == "department":
        raw["label"] = [
            f"{name} (specialist)" if specialist is True else name
            for name, specialist in zip(raw["label"], raw["is_specialist"], strict=True)
        ]
    counts = ("group_headcount", "declared_headcount", "rest_group_headcount",
              "rest_declared_headcount")  # fmt: skip
    table = DeclaredTable(
        id=f"specialist-{noun}s",
        caption=(
            f"Police officers by {noun} on {_long_date(snapshot_date)}: {label} share of "
            "those who stated an ethnicity, against the rest of the force's officers; ratio = "
            "share / rest-of-force share"
        ),
        columns=(
            Column("label", noun.capitalize(), "label"),
            Column("headcount", "Officers", "count"),
            Column("declared_headcount", "Stated an ethnicity", "count"),
            Column("group_headcount", f"{short_label(label)}: people", "count"),
            Column(
                "group_share",
                f"{short_label(label)}: share of those stating",
                "share",
                of=("group_headcount", "declared_headcount"),
            ),
            Column(
                "rest_group_share",
                "Share in the rest of the force",
                "share",
                of=("rest_group_headcount", "rest_declared_headcount"),
            ),
            *statistic_columns("unit_to_rest_ratio", "Ratio to the rest of the force", counts),
        ),
        frame=raw,
    )
    charted = [
        str(name)
        for name, specialist in zip(raw["label"], raw["is_specialist"], strict=True)
        if noun == "role" or specialist is True
    ]

    def compose() -> Prose:
        flagged = [
            r
            for r in table.labels
            if is_finding(table, r) and (_number(table, r, "unit_to_rest_ratio") or 1) < FOUR_FIFTHS
        ]
        flagged.sort(key=lambda r: _number(table, r, "unit_to_rest_ratio") or 0)
        assessed, unassessed = _units_not_assessed(table, raw)
        if not flagged and not assessed:
            message = f"No {noun} could be compared: " + "; ".join(unassessed) + "."
        elif not flagged:
            message = (
                f"No {noun} has a share of {mid_sentence(label)} officers below four-fifths of "
                f"the rest of the force's beyond what chance could explain, allowing for the "
                f"number of {noun}s compared" + "".join(f"; {c}" for c in unassessed) + "."
            )
        else:
            worst, *others = flagged
            where = worst if noun == "department" else f"the {worst} role"
            figures = sentence_figures(table, worst, "unit_to_rest_ratio", "ratio to the rest")
            message = (
                f"{label} officers are {table.text(worst, 'group_share')} of officers in "
                f"{where} against {table.text(worst, 'rest_group_share')} of other officers "
                f"({figures})"
                + (
                    f"; {fmt.join(others)} {'fall' if len(others) > 1 else 'falls'} below "
                    "four-fifths too, unlikely to be chance."
                    if others
                    else "."
                )
            )
        what = "specialist departments" if noun == "department" else "roles"
        chart = Chart(
            kind="intervals",
            series=(Series("unit_to_rest_ratio", "Ratio to the rest of the force"),),
            axis=(
                f"{label} share of officers who stated an ethnicity: in the {noun} / in the "
                "rest of the force (log scale)"
            ),
            title=message,
            alt=(
                f"Dot chart of the ratio of each {noun}'s share to the rest of the force's, "
                f"with its 95% interval, for {what}; a solid line at parity (ratio 1.00) and "
                f"dashed lines at 0.8 and 1.25. {message}"
            ),
            rows=tuple(charted),
        )
        return Prose(message=message, chart=chart, findings=[message] if flagged else [])

    return Section(
        f"specialist-{noun}s",
        "people",
        f"Officers in each {noun} against the rest of the force",
        table,
        compose,
    )


def _units_not_assessed(table: DeclaredTable, raw: pd.DataFrame) -> tuple[int, list[str]]:
    """How many units have a comparison shown, and a clause per reason the others have none,
    naming them: withheld because the numbers are small, or not computable (nobody there
    stated an ethnicity, or nobody in the group anywhere)."""
    reasons: dict[str, list[str]] = {}
    for label, note in zip(table.labels, raw["note"], strict=True):
        shown = table.value(label, "verdict")
        if shown == NOT_COMPUTABLE:  # shown only when its counts are: the note tells no more
            why = f"could not be compared ({note})" if isinstance(note, str) and note else (
                "could not be compared")  # fmt: skip
        elif not isinstance(shown, str):
            why = "could not be shown because the numbers are small"
        else:
            continue
        reasons.setdefault(why, []).append(label)
    missing = sum(len(names) for names in reasons.values())
    return len(table.labels) - missing, [
        f"{fmt.join(names)} {why}" for why, names in reasons.items()
    ]


def specialist_departments(cells: Cells, snapshot_date):
    return _units(cells, snapshot_date, "department")


def specialist_roles(cells: Cells, snapshot_date):
    return _units(cells, snapshot_date, "role")
