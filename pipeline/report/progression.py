"""Progression sections: promotion, leaving, the rank pipeline and specialist units.

Each compares ethnic-minority colleagues (excluding White minorities) with White colleagues,
or a unit with the rest of the force, from the analytics views; nothing is computed here.
"""

from __future__ import annotations

import duckdb
import pandas as pd

from pipeline import codes
from pipeline.config import Settings
from pipeline.disclosure import Layout, protect_table, suppress
from pipeline.report import comparison_format as cf
from pipeline.report import formatting as fmt
from pipeline.report import progression_charts
from pipeline.report.model import Section, Table
from pipeline.report.representation import ladder_grid
from pipeline.stats import FOUR_FIFTHS, NOT_COMPUTABLE

GROUP, REFERENCE = "minority_excl_white", "white"
TWO = "{:.2f}".format


def _long_date(value) -> str:
    return pd.Timestamp(value).strftime("%-d %B %Y")


def _per(scale: int):
    return lambda value: f"{value * scale:.1f}"


def _comparison_columns(raw, shown, ratio: str = "ratio") -> list[list[str]]:
    lower = cf.column(raw, shown, "ci_lower_ratio", cf.bound)
    upper = cf.column(raw, shown, "ci_upper_ratio", cf.bound)
    return [
        cf.column(raw, shown, ratio, TWO),
        cf.join_interval(lower, upper),
        cf.how_sure_column(raw, shown),
        cf.column(raw, shown, "verdict", str),
    ]


def _comparison_headers(ratio_name: str) -> list[str]:
    """The comparison's headers, the ratio named for what it divides: the word 'ratio' alone
    would mean something different in each table."""
    return [ratio_name, "95% interval", "How sure", "Verdict"]


def _table_rows(columns: list[list[str]]) -> list[list[str]]:
    return [list(row) for row in zip(*columns, strict=True)]


def _sentence_figures(row, ratio_name: str) -> str:
    return (
        f"{ratio_name} {fmt.ratio(row['ratio'])}, 95% interval {cf.interval_text(row)}; "
        f"{cf.chance_clause(row)}"
    )


# --------------------------------------------------------------------------- promotion

PROMOTION_SQL = """
select
    coalesce(studied.rank_or_band, 'All') as label,
    studied.period_start_date,
    studied.period_end_date,
    studied.in_post_count,
    studied.promoted_count,
    studied.promotion_rate,
    studied.average_years_in_rank,
    reference.in_post_count as ref_in_post_count,
    reference.promoted_count as ref_promoted_count,
    reference.promotion_rate as ref_promotion_rate,
    reference.average_years_in_rank as ref_average_years_in_rank,
    studied.rate_ratio as ratio,
    studied.ci_lower_ratio,
    studied.ci_upper_ratio,
    studied.p_value,
    studied.adjusted_p_value,
    studied.family_comparison_count,
    studied.is_significant,
    studied.is_significant_after_adjustment,
    studied.verdict
from analytics.promotion_rates as studied
inner join analytics.promotion_rates as reference
    on studied.period_start_date = reference.period_start_date
    and studied.rank_or_band = reference.rank_or_band
    and reference.comparison_code = 'ethnic_minority' and reference.group_code = ?
where studied.comparison_code = 'ethnic_minority' and studied.group_code = ?
    and studied.period_end_date = (select max(period_end_date) from analytics.promotion_rates)
    and studied.rank_or_band <> ?
order by studied.rank_order nulls first
"""

PROMOTION_RULES = cf.rules(
    {
        "in_post_count": ("promotion_rate", "average_years_in_rank"),
        "promoted_count": ("promotion_rate", "average_years_in_rank"),
        "ref_in_post_count": ("ref_promotion_rate", "ref_average_years_in_rank"),
        "ref_promoted_count": ("ref_promotion_rate", "ref_average_years_in_rank"),
    }
)


def _protect_with_total(raw: pd.DataFrame, rules: dict, threshold: int) -> pd.DataFrame:
    """Primary and secondary suppression for a table whose first row is the total of the
    others: a withheld count must not come back as the total minus the shown rows."""
    derived: dict[str, tuple[str, ...]] = {}
    for count, columns in rules.items():
        for column in columns:
            derived[column] = (*derived.get(column, ()), count)
    layout = Layout(count_columns=tuple(rules), total_row=str(raw["label"].iloc[0]),
                    derived=derived)  # fmt: skip
    return protect_table(raw.assign(label=raw["label"].astype(str)), layout, threshold)


def promotion_rates(con: duckdb.DuckDBPyConnection, settings: Settings, _snapshot_date):
    label = settings.groups.minority_excl_white
    raw = con.execute(PROMOTION_SQL, [REFERENCE, GROUP, codes.OFFICER_RANKS[-1]]).df()
    if raw.empty:
        return []
    shown = _protect_with_total(raw, PROMOTION_RULES, settings.disclosure.threshold)
    everyone = shown.iloc[0]
    period = f"the year to {_long_date(everyone['period_end_date'])}"
    message = (
        f"In {period}, {cf.mid_sentence(label)} officers were promoted at "
        f"{cf.column(raw, shown, 'promotion_rate', _per(100))[0]} per 100 against "
        f"{cf.column(raw, shown, 'ref_promotion_rate', _per(100))[0]} per 100 White officers "
        f"({_sentence_figures(everyone, 'promotion-rate ratio')})."
        if not cf.missing(everyone["ratio"])
        else f"In {period}, the promotion rates of {cf.mid_sentence(label)} and White officers "
        "cannot be compared: the numbers are too small to show, or there were none."
    )
    ranks = shown.iloc[1:]
    per_100 = [fmt.optional_float(v) for v in ranks["promotion_rate"]]
    svg = progression_charts.paired_bars(
        "promotion-rates",
        list(ranks["label"]),
        [
            (label, per_100),
            ("White", [fmt.optional_float(v) for v in ranks["ref_promotion_rate"]]),
        ],
        xlabel="Promotions per 100 officers at the rank",
        suffix="",
        title=message,
    )
    years = _per(1)
    columns = [
        ["All ranks" if v == "All" else v for v in shown["label"]],
        cf.column(raw, shown, "in_post_count", fmt.count),
        cf.column(raw, shown, "promoted_count", fmt.count),
        cf.column(raw, shown, "promotion_rate", _per(100)),
        cf.column(raw, shown, "average_years_in_rank", years),
        cf.column(raw, shown, "ref_in_post_count", fmt.count),
        cf.column(raw, shown, "ref_promoted_count", fmt.count),
        cf.column(raw, shown, "ref_promotion_rate", _per(100)),
        cf.column(raw, shown, "ref_average_years_in_rank", years),
        *_comparison_columns(raw, shown),
    ]
    return Section(
        id="promotion-rates",
        theme="people",
        title="Promotion rates by rank",
        message=message,
        chart_svg=svg,
        chart_alt=f"Bar chart of promotions per 100 officers at each rank. {message}",
        table=Table(
            caption=(
                f"Promotions in {period}: officers at each rank at the start of the year and "
                "how many held a higher rank at its end (per 100); promotion-rate ratio = "
                "minority rate / White rate (below 1: promoted less often)"
            ),
            headers=[
                "Rank at the start",
                f"{cf.short_label(label)}: in post",
                f"{cf.short_label(label)}: promoted",
                f"{cf.short_label(label)}: per 100",
                f"{cf.short_label(label)}: years in rank",
                "White: in post",
                "White: promoted",
                "White: per 100",
                "White: years in rank",
                *_comparison_headers("Promotion-rate ratio"),
            ],
            rows=_table_rows(columns),
        ),
        findings=[message],
    )


# --------------------------------------------------------------------------- retention

RETENTION_SQL = """
select
    studied.worker_type_label,
    studied.worker_type,
    studied.leaving_reason_label,
    studied.leaving_reason_code,
    studied.period_end_date,
    studied.in_post_count,
    studied.leaver_count,
    studied.leaving_rate,
    studied.short_service_leaver_count,
    studied.short_service_share,
    reference.in_post_count as ref_in_post_count,
    reference.leaver_count as ref_leaver_count,
    reference.leaving_rate as ref_leaving_rate,
    reference.short_service_leaver_count as ref_short_service_leaver_count,
    reference.short_service_share as ref_short_service_share,
    studied.rate_ratio as ratio,
    studied.ci_lower_ratio,
    studied.ci_upper_ratio,
    studied.p_value,
    studied.adjusted_p_value,
    studied.family_comparison_count,
    studied.is_significant,
    studied.is_significant_after_adjustment,
    studied.verdict
from analytics.retention as studied
inner join analytics.retention as reference
    on studied.period_start_date = reference.period_start_date
    and studied.worker_type = reference.worker_type
    and studied.leaving_reason_code = reference.leaving_reason_code
    and reference.comparison_code = 'ethnic_minority' and reference.group_code = ?
where studied.comparison_code = 'ethnic_minority' and studied.group_code = ?
    and studied.period_end_date = (select max(period_end_date) from analytics.retention)
    and studied.worker_type in ('police_officer', 'police_staff', 'pcso')
order by
    case studied.worker_type when 'police_officer' then 1 when 'police_staff' then 2 else 3 end,
    studied.leaving_reason_sort_order
"""

RETENTION_RULES = cf.rules(
    {
        "in_post_count": ("leaving_rate",),
        "leaver_count": ("leaving_rate", "short_service_share"),
        "ref_in_post_count": ("ref_leaving_rate",),
        "ref_leaver_count": ("ref_leaving_rate", "ref_short_service_share"),
    }
)


def _protect_leavers(raw: pd.DataFrame, threshold: int) -> pd.DataFrame:
    """Leavers by reason add up to all leavers within each worker type, and so do the
    short-service leavers behind the short-service share: both are protected against that
    total, so no withheld count comes back by subtraction and no share stands for one to
    ``threshold`` people. In-post counts repeat on every row, so they need primary only."""
    rules = {
        "leaver_count": RETENTION_RULES["leaver_count"],
        "ref_leaver_count": RETENTION_RULES["ref_leaver_count"],
        "short_service_leaver_count": ("short_service_share",),
        "ref_short_service_leaver_count": ("ref_short_service_share",),
    }
    in_post_rules = {k: RETENTION_RULES[k] for k in ("in_post_count", "ref_in_post_count")}
    blocks = []
    for _, block in raw.groupby("worker_type", sort=False):
        block = block.assign(label=block["leaving_reason_code"])
        primary = suppress(block, in_post_rules, threshold)
        protected = _protect_with_total(primary.drop(columns="is_suppressed"), rules, threshold)
        protected["is_suppressed"] |= primary["is_suppressed"]
        blocks.append(protected)
    return pd.concat(blocks)


def retention(con: duckdb.DuckDBPyConnection, settings: Settings, _snapshot_date):
    label = settings.groups.minority_excl_white
    raw = con.execute(RETENTION_SQL, [REFERENCE, GROUP]).df()
    if raw.empty:
        return []
    shown = _protect_leavers(raw, settings.disclosure.threshold)
    raw = raw.loc[shown.index]
    officers = shown[shown["worker_type"] == "police_officer"]
    if officers.empty:
        return []
    everyone = officers.iloc[0]
    period = f"the year to {_long_date(everyone['period_end_date'])}"
    message = (
        f"In {period}, {cf.mid_sentence(label)} officers left at "
        f"{cf.column(raw, shown, 'leaving_rate', _per(1000))[0]} per 1,000 against "
        f"{cf.column(raw, shown, 'ref_leaving_rate', _per(1000))[0]} for White officers "
        f"({_sentence_figures(everyone, 'leaving-rate ratio')})."
        if not cf.missing(everyone["ratio"])
        else f"In {period}, the leaving rates of {cf.mid_sentence(label)} and White officers "
        "cannot be compared: the numbers are too small to show, or there were none."
    )
    findings = [message]
    for row in officers.iloc[1:].to_dict("records"):
        if not cf.is_finding(row):
            continue
        reason = row["leaving_reason_label"].lower()
        if cf.missing(row["ratio"]):  # no White officer left this way: no ratio, a lower bound
            findings.append(
                f"{label} officers left by {reason} in {period} while no White officer did "
                f"(leaving-rate ratio {cf.interval_text(row)} with 95% confidence; "
                f"{cf.chance_clause(row)})."
            )
        elif float(row["ratio"]) > 1 / FOUR_FIFTHS:
            findings.append(
                f"{label} officers were {fmt.ratio(row['ratio'])} times as likely as White "
                f"officers to leave by {reason} in {period} "
                f"({_sentence_figures(row, 'leaving-rate ratio')})."
            )
    reasons = officers.iloc[1:]
    svg = progression_charts.paired_bars(
        "retention",
        list(reasons["leaving_reason_label"]),
        [
            (label, [fmt.optional_float(v) for v in reasons["leaving_rate"]]),
            ("White", [fmt.optional_float(v) for v in reasons["ref_leaving_rate"]]),
        ],
        xlabel="Police officers leaving per 1,000 in post at the start of the year",
        scale=1000,
        suffix="",
        title=message,
    )
    columns = [
        [
            f"{wt}: {reason.lower()}"
            for wt, reason in zip(
                shown["worker_type_label"], shown["leaving_reason_label"], strict=True
            )
        ],
        cf.column(raw, shown, "in_post_count", fmt.count),
        cf.column(raw, shown, "leaver_count", fmt.count),
        cf.column(raw, shown, "leaving_rate", _per(1000)),
        cf.column(raw, shown, "short_service_share", fmt.percent),
        cf.column(raw, shown, "ref_in_post_count", fmt.count),
        cf.column(raw, shown, "ref_leaver_count", fmt.count),
        cf.column(raw, shown, "ref_leaving_rate", _per(1000)),
        cf.column(raw, shown, "ref_short_service_share", fmt.percent),
        *_comparison_columns(raw, shown),
    ]
    return Section(
        id="retention",
        theme="people",
        title="Leaving rates by reason",
        message=message,
        chart_svg=svg,
        chart_alt=f"Bar chart of police officers leaving per 1,000 by reason. {message}",
        table=Table(
            caption=(
                f"Leavers in {period} per 1,000 in post at its start, and the share of leavers "
                "with under two years' service; leaving-rate ratio = minority rate / White "
                "rate (above 1: more leave); the relative likelihood of leaving, in the style "
                "of the NHS Workforce Race Equality Standard's indicator 3, is the same figure"
            ),
            headers=[
                "Worker type and reason",
                f"{cf.short_label(label)}: in post",
                f"{cf.short_label(label)}: leavers",
                f"{cf.short_label(label)}: per 1,000",
                f"{cf.short_label(label)}: under 2 years' service",
                "White: in post",
                "White: leavers",
                "White: per 1,000",
                "White: under 2 years' service",
                *_comparison_headers("Leaving-rate ratio"),
            ],
            rows=_table_rows(columns),
        ),
        findings=findings,
    )


# --------------------------------------------------------------------------- rank pipeline

PIPELINE_RULES = {
    "headcount": (
        "declared_headcount", "group_headcount", "group_share", "step_ratio",
        "compounded_ratio", *cf.COMPARISON_FIGURES,
    ),
    "group_headcount": ("group_share", "step_ratio", "compounded_ratio", *cf.COMPARISON_FIGURES),
    "rank_below_group_headcount": ("step_ratio",),
    "constable_group_headcount": ("compounded_ratio", *cf.COMPARISON_FIGURES),
}  # fmt: skip


def _as_rank_table_withholds(con, settings: Settings, snapshot_date, shown: pd.DataFrame):
    """The pipeline repeats the officers-by-rank table's counts, so it withholds every count
    that table withheld (its secondary suppression included): otherwise the two tables read
    together would give back what one of them protects."""
    grid = ladder_grid(con, settings, snapshot_date, "police_officer").frame
    hidden = dict(zip(grid["label"], grid["withheld_columns"], strict=True))
    derived = {
        "headcount": (),
        "declared_headcount": PIPELINE_RULES["group_headcount"],
        "group_headcount": PIPELINE_RULES["group_headcount"],
    }
    out = shown.copy()
    for position, row in enumerate(out.to_dict("records")):
        columns = [
            (column, *derived[column])
            for column in derived
            if column in hidden.get(row["rank_or_band"], frozenset())
        ]
        if "group_headcount" in hidden.get(row["rank_below"], frozenset()):
            columns.append(("step_ratio",))
        for column in {c for group in columns for c in group}:
            out[column] = out[column].astype("object")
            out.iloc[position, out.columns.get_loc(column)] = None
        if columns:
            out.iloc[position, out.columns.get_loc("is_suppressed")] = True
    return out


def rank_pipeline(con: duckdb.DuckDBPyConnection, settings: Settings, snapshot_date):
    headline = settings.groups.headline
    label = getattr(settings.groups, headline)
    raw = con.execute(
        """select *, compounded_ratio as ratio from analytics.rank_pipeline
           where snapshot_date = ? and grouping_code = ? order by rank_order""",
        [snapshot_date, headline],
    ).df()
    if raw.empty:
        return []
    shown = _as_rank_table_withholds(
        con, settings, snapshot_date, suppress(raw, PIPELINE_RULES, settings.disclosure.threshold)
    )
    shown_senior = shown[(shown["rank_order"] > 1) & shown["ratio"].notna()]
    if raw.iloc[0]["rank_or_band"] != "Constable":
        message = "No constables are in post, so the pipeline cannot be measured from constable."
    elif shown_senior.empty:
        message = f"Too few {cf.mid_sentence(label)} officers above constable to show the pipeline."
    else:
        focus = shown_senior[shown_senior["rank_or_band"] == "Chief Inspector"]
        row = (focus if not focus.empty else shown_senior).iloc[-1]
        message = (
            f"{label} officers are {fmt.percent(shown.iloc[0]['group_share'])} of constables "
            f"but {fmt.percent(row['group_share'])} of {row['rank_or_band'].lower()}s: "
            f"{fmt.ratio(row['ratio'])} times the constables' share "
            f"({_sentence_figures(row, 'ratio to constables')})."
        )
    svg = progression_charts.share_by_rank(
        "rank-pipeline",
        list(shown["rank_or_band"]),
        [fmt.optional_float(v) for v in shown["group_share"]],
        [fmt.optional_float(v) for v in shown["ratio"]],
        share_label=f"{label}: share at the rank",
        title=message,
    )
    columns = [
        list(shown["rank_or_band"]),
        cf.column(raw, shown, "headcount", fmt.count),
        cf.column(raw, shown, "declared_headcount", fmt.count),
        cf.column(raw, shown, "group_headcount", fmt.count),
        cf.column(raw, shown, "group_share", fmt.percent),
        cf.column(raw, shown, "step_ratio", TWO),
        *_comparison_columns(raw, shown),
    ]
    return Section(
        id="rank-pipeline",
        theme="people",
        title="The rank pipeline",
        message=message,
        chart_svg=svg,
        chart_alt=f"Bar chart of the group's share of officers at each rank. {message}",
        table=Table(
            caption=(
                f"{label} officers by rank on {_long_date(snapshot_date)}: step ratio = share "
                "/ share at the rank below; ratio to constables = share / constables' share "
                "(the step ratios compounded)"
            ),
            headers=[
                "Rank",
                "Officers",
                "Stated ethnicity",
                "In group",
                "Share",
                "Step ratio",
                *_comparison_headers("Ratio to constables"),
            ],
            rows=_table_rows(columns),
        ),
        findings=[message],
    )


# --------------------------------------------------------------------------- specialist units

UNITS_SQL = """
select
    unit_label as label, is_specialist, headcount, declared_headcount, group_headcount,
    group_share, rest_declared_headcount, rest_group_headcount, rest_group_share,
    representation_ratio as ratio, ci_lower_ratio, ci_upper_ratio, p_value, adjusted_p_value,
    family_comparison_count, is_significant, is_significant_after_adjustment, verdict, note
from analytics.specialist_roles
where snapshot_date = ? and grouping_code = ? and worker_type = 'police_officer'
    and unit_type = ?
order by is_specialist desc nulls last, unit_label
"""

UNIT_RULES = {
    "headcount": ("declared_headcount", "group_headcount", "group_share", *cf.COMPARISON_FIGURES),
    **cf.rules(
        {
            "group_headcount": ("group_share",),
            "declared_headcount": ("group_share",),
            "rest_group_headcount": ("rest_group_share",),
            "rest_declared_headcount": ("rest_group_share",),
        }
    ),
}


def _units_not_assessed(raw: pd.DataFrame, shown: pd.DataFrame) -> tuple[int, list[str]]:
    """How many units have a comparison shown, and a clause per reason the others have none,
    naming them: withheld because the numbers are small, or not computable (nobody there
    stated an ethnicity, or nobody in the grouping anywhere)."""
    reasons: dict[str, list[str]] = {}
    for index in shown.index:
        before, after = raw.loc[index], shown.loc[index]
        if bool(after["is_suppressed"]) and cf.missing(after["verdict"]):
            why = "could not be shown because the numbers are small"
        elif before["verdict"] == NOT_COMPUTABLE:
            why = "could not be compared (" + str(before["note"]) + ")"
        else:
            continue
        reasons.setdefault(why, []).append(str(before["label"]))
    missing = sum(len(names) for names in reasons.values())
    return len(shown) - missing, [f"{fmt.join(names)} {why}" for why, names in reasons.items()]


def _units(con, settings: Settings, snapshot_date, unit_type: str) -> Section | list:
    headline = settings.groups.headline
    label = getattr(settings.groups, headline)
    raw = con.execute(UNITS_SQL, [snapshot_date, headline, unit_type]).df()
    if raw.empty:
        return []
    shown = suppress(raw, UNIT_RULES, settings.disclosure.threshold)
    noun = "department" if unit_type == "department" else "role"
    flagged = shown[
        [
            cf.is_finding(r) and not cf.missing(r["ratio"]) and float(r["ratio"]) < FOUR_FIFTHS
            for _, r in shown.iterrows()
        ]
    ].sort_values("ratio")
    assessed, unassessed = _units_not_assessed(raw, shown)
    if flagged.empty and not assessed:
        message = f"No {noun} could be compared: " + "; ".join(unassessed) + "."
    elif flagged.empty:
        message = (
            f"No {noun} has a share of {cf.mid_sentence(label)} officers below four-fifths of "
            f"the rest of the force's beyond what chance could explain, allowing for the "
            f"number of {noun}s compared" + "".join(f"; {clause}" for clause in unassessed) + "."
        )
    else:
        worst = flagged.iloc[0]
        where = worst["label"] if noun == "department" else f"the {worst['label']} role"
        others = list(flagged["label"].iloc[1:])
        message = (
            f"{label} officers are {fmt.percent(worst['group_share'])} of officers in {where} "
            f"against {fmt.percent(worst['rest_group_share'])} of other officers "
            f"({_sentence_figures(worst, 'representation ratio')})"
            + (
                f"; {fmt.join(others)} {'fall' if len(others) > 1 else 'falls'} below "
                "four-fifths too, unlikely to be chance."
                if others
                else "."
            )
        )
    charted = (
        shown[shown["is_specialist"].fillna(False).astype(bool)] if noun == "department" else shown
    )
    svg = progression_charts.ratio_intervals(
        f"specialist-{noun}s",
        list(charted["label"]),
        [fmt.optional_float(v) for v in charted["ratio"]],
        [fmt.optional_float(v) for v in charted["ci_lower_ratio"]],
        [fmt.optional_float(v) for v in charted["ci_upper_ratio"]],
        xlabel=f"{label} share in the {noun} / share in the rest of the force (log scale)",
        title=message,
    )
    columns = [
        [
            f"{name} (specialist)" if noun == "department" and specialist is True else name
            for name, specialist in zip(shown["label"], shown["is_specialist"], strict=True)
        ],
        cf.column(raw, shown, "headcount", fmt.count),
        cf.column(raw, shown, "declared_headcount", fmt.count),
        cf.column(raw, shown, "group_headcount", fmt.count),
        cf.column(raw, shown, "group_share", fmt.percent),
        cf.column(raw, shown, "rest_group_share", fmt.percent),
        *_comparison_columns(raw, shown),
    ]
    chart_what = "specialist departments" if noun == "department" else "roles"
    return Section(
        id=f"specialist-{noun}s",
        theme="people",
        title=f"Officers in each {noun} against the rest of the force",
        message=message,
        chart_svg=svg,
        chart_alt=(
            f"Dot chart of the representation ratio, with its 95% interval, for {chart_what}; "
            f"a solid line at parity (ratio 1.00) and dashed lines at 0.8 and 1.25. {message}"
        ),
        table=Table(
            caption=(
                f"Police officers by {noun} on {_long_date(snapshot_date)}: {label} share of "
                f"those who stated an ethnicity, against the rest of the force's officers; "
                "representation ratio = share / rest-of-force share"
            ),
            headers=[
                noun.capitalize(),
                "Officers",
                "Stated ethnicity",
                "In group",
                "Share",
                "Rest of force",
                *_comparison_headers("Representation ratio"),
            ],
            rows=_table_rows(columns),
        ),
        findings=[message] if not flagged.empty else [],
    )


def specialist_departments(con: duckdb.DuckDBPyConnection, settings: Settings, snapshot_date):
    return _units(con, settings, snapshot_date, "department")


def specialist_roles(con: duckdb.DuckDBPyConnection, settings: Settings, snapshot_date):
    return _units(con, settings, snapshot_date, "role")
