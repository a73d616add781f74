"""Representation sections: the workforce against the community it polices."""

from __future__ import annotations

import duckdb
import pandas as pd

from pipeline.config import Settings
from pipeline.disclosure import suppress
from pipeline.report import charts
from pipeline.report import formatting as fmt
from pipeline.report.model import Section, Table

RULES = {
    "group_headcount": ("group_share", "representation_ratio", "parity_gap_headcount"),
    "headcount": ("declared_headcount", "declaration_rate"),
}
HEADERS = [
    "Headcount",
    "Declared ethnicity",
    "In group",
    "Group share",
    "Population share",
    "Ratio to population",
    "Gap to parity (people)",
]


def _rows(frame: pd.DataFrame) -> list[list[str]]:
    return [
        [
            str(row["label"]),
            fmt.count(row["headcount"]),
            fmt.percent(row["declaration_rate"]),
            fmt.count(row["group_headcount"]),
            fmt.percent(row["group_share"]),
            fmt.percent(row["benchmark_share"]),
            fmt.ratio(row["representation_ratio"]),
            fmt.people(row["parity_gap_headcount"]),
        ]
        for row in frame.to_dict("records")
    ]


def _message(frame: pd.DataFrame, noun: str, label: str) -> str:
    """One sentence naming the highest and lowest shares against the benchmark."""
    usable = frame.dropna(subset=["group_share"])
    if usable.empty:
        return f"No {label} figures can be shown for this snapshot."
    top = usable.loc[usable["group_share"].astype(float).idxmax()]
    low = usable.loc[usable["group_share"].astype(float).idxmin()]
    below = (usable["representation_ratio"].astype(float) < 1).all()
    return (
        f"{label} officers' share is highest at {top['label']} ({top['group_share']:.1%}) "
        f"and lowest at {low['label']} ({low['group_share']:.1%})"
        + (f"; every {noun} is below its population share." if below else ".")
    )


def _section(
    con: duckdb.DuckDBPyConnection,
    settings: Settings,
    snapshot_date,
    *,
    section_id: str,
    title: str,
    noun: str,
    where: str,
    order: str,
    label_column: str,
) -> Section:
    headline = settings.groups.headline
    label = getattr(settings.groups, headline)
    frame = con.execute(
        f"""
        select {label_column} as label, * from analytics.representation
        where snapshot_date = ? and grouping_code = ? and {where}
        order by {order}
        """,
        [snapshot_date, headline],
    ).df()
    shown = suppress(frame, RULES, settings.disclosure.threshold)
    message = _message(shown, noun, label)
    svg = charts.share_against_benchmark(
        section_id,
        shown["label"].tolist(),
        [fmt.optional_float(v) for v in shown["group_share"]],
        [fmt.optional_float(v) for v in shown["benchmark_share"]],
        share_label=f"{label}: share of officers",
        benchmark_label="Population share (Census 2021)",
    )
    return Section(
        id=section_id,
        theme="operational",
        title=title,
        message=message,
        chart_svg=svg,
        chart_alt=f"Bar chart. {message} The table gives every value.",
        table=Table(
            caption=f"{title}: the numbers behind the chart",
            headers=[noun.capitalize() if noun == "rank" else noun, *HEADERS],
            rows=_rows(shown),
        ),
        findings=[message],
    )


def by_rank(con, settings: Settings, snapshot_date) -> Section:
    return _section(
        con,
        settings,
        snapshot_date,
        section_id="representation-by-rank",
        title="Officers by rank against the force-area population",
        noun="rank",
        where="worker_type = 'police_officer' and lpu_code = 'All' and rank_or_band <> 'All'",
        order="rank_order",
        label_column="rank_or_band",
    )


def by_lpu(con, settings: Settings, snapshot_date) -> Section:
    return _section(
        con,
        settings,
        snapshot_date,
        section_id="representation-by-lpu",
        title="Officers by Local Policing Unit against each LPU's population",
        noun="LPU",
        where="worker_type = 'police_officer' and rank_or_band = 'All' and lpu_code <> 'All'",
        order="lpu_name",
        label_column="lpu_name",
    )


def headline_findings(con, settings: Settings, snapshot_date) -> list[str]:
    row = con.execute(
        """
        select * from analytics.representation
        where snapshot_date = ? and worker_type = 'All' and lpu_code = 'All'
          and rank_or_band = 'All' and grouping_code = ?
        """,
        [snapshot_date, settings.groups.headline],
    ).df()
    row = suppress(row, RULES, settings.disclosure.threshold).iloc[0]
    label = getattr(settings.groups, settings.groups.headline)
    return [
        f"The force employs {fmt.count(row['headcount'])} officers, staff, PCSOs and special "
        f"constables; {fmt.percent(row['declaration_rate'])} have stated their ethnicity.",
        f"{label}: {fmt.percent(row['group_share'])} of the workforce who stated their "
        f"ethnicity, against {fmt.percent(row['benchmark_share'])} of the force area's "
        f"population at the 2021 Census (a ratio of {fmt.ratio(row['representation_ratio'])}; "
        "1.00 would be representative).",
    ]
