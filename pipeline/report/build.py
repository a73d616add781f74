"""The BME Progression Group report: reads ``analytics`` views, suppresses, draws, renders.

Every number shown comes from a documented view; this module only selects rows, applies
disclosure control and formats. Statistics are never computed here.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb
import jinja2
import pandas as pd

from pipeline.config import TEMPLATES_DIR, Settings
from pipeline.disclosure import SUPPRESSED_MARK, suppress
from pipeline.report import charts

REPRESENTATION_RULES = {
    "group_headcount": ("group_share", "representation_ratio", "parity_gap_headcount"),
    "headcount": ("declared_headcount", "declaration_rate"),
}


@dataclass(frozen=True)
class Section:
    id: str
    title: str
    message: str
    chart_svg: str
    chart_alt: str
    table: list[dict]
    columns: list[tuple[str, str]]


def _percent(value) -> str:
    return SUPPRESSED_MARK if value is None or pd.isna(value) else f"{value * 100:.1f}%"


def _count(value) -> str:
    return SUPPRESSED_MARK if value is None or pd.isna(value) else f"{int(value):,}"


def _ratio(value) -> str:
    return SUPPRESSED_MARK if value is None or pd.isna(value) else f"{value:.2f}"


def _gap(value) -> str:
    return SUPPRESSED_MARK if value is None or pd.isna(value) else f"{value:,.0f}"


def _representation_rows(frame: pd.DataFrame, label_column: str) -> list[dict]:
    return [
        {
            "label": row[label_column],
            "headcount": _count(row["headcount"]),
            "declaration_rate": _percent(row["declaration_rate"]),
            "group_headcount": _count(row["group_headcount"]),
            "group_share": _percent(row["group_share"]),
            "benchmark_share": _percent(row["benchmark_share"]),
            "representation_ratio": _ratio(row["representation_ratio"]),
            "parity_gap_headcount": _gap(row["parity_gap_headcount"]),
        }
        for row in frame.to_dict("records")
    ]


REPRESENTATION_COLUMNS = [
    ("headcount", "Headcount"),
    ("declaration_rate", "Declared ethnicity"),
    ("group_headcount", "In group"),
    ("group_share", "Group share"),
    ("benchmark_share", "Population share"),
    ("representation_ratio", "Ratio to population"),
    ("parity_gap_headcount", "Gap to parity (people)"),
]


def _query(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> pd.DataFrame:
    return con.execute(sql, params or []).df()


def _representation_section(
    con, settings: Settings, snapshot_date, *, section_id: str, by: str
) -> Section:
    headline = settings.groups.headline
    label = getattr(settings.groups, headline)
    if by == "rank":
        frame = _query(
            con,
            """
            select rank_or_band as label, * from analytics.representation
            where snapshot_date = ? and worker_type = 'police_officer' and lpu_code = 'All'
              and rank_or_band <> 'All' and grouping_code = ?
            order by rank_order
            """,
            [snapshot_date, headline],
        )
        title = "Officers by rank against the force-area population"
    else:
        frame = _query(
            con,
            """
            select lpu_name as label, * from analytics.representation
            where snapshot_date = ? and worker_type = 'police_officer' and rank_or_band = 'All'
              and lpu_code <> 'All' and grouping_code = ?
            order by lpu_name
            """,
            [snapshot_date, headline],
        )
        title = "Officers by Local Policing Unit against each LPU's population"
    shown = suppress(frame, REPRESENTATION_RULES, settings.disclosure.threshold)
    message = _representation_message(frame, by, label)
    svg = charts.share_against_benchmark(
        section_id,
        shown["label"].tolist(),
        [None if pd.isna(v) else float(v) for v in shown["group_share"]],
        [None if pd.isna(v) else float(v) for v in shown["benchmark_share"]],
        share_label=f"{label}: share of officers",
        benchmark_label="Population share (Census 2021)",
    )
    return Section(
        id=section_id,
        title=title,
        message=message,
        chart_svg=svg,
        chart_alt=f"Bar chart. {message} The table beside it gives every value.",
        table=_representation_rows(shown, "label"),
        columns=REPRESENTATION_COLUMNS,
    )


def _representation_message(frame: pd.DataFrame, by: str, label: str) -> str:
    """One plain sentence naming the largest and smallest shares and the benchmark."""
    usable = frame.dropna(subset=["group_share"])
    usable = usable[usable["declared_headcount"] > 0]
    if usable.empty:
        return f"No {label.lower()} figures can be shown for this snapshot."
    top = usable.loc[usable["group_share"].idxmax()]
    low = usable.loc[usable["group_share"].idxmin()]
    noun = "rank" if by == "rank" else "LPU"
    return (
        f"{label} officers' share is highest at {top['label']} ({top['group_share']:.1%}) "
        f"and lowest at {low['label']} ({low['group_share']:.1%}); every {noun} is below "
        "its population share."
        if (usable["representation_ratio"] < 1).all()
        else f"{label} officers' share ranges from {low['group_share']:.1%} ({low['label']}) "
        f"to {top['group_share']:.1%} ({top['label']})."
    )


def _headline(con, settings: Settings, snapshot_date) -> dict:
    row = _query(
        con,
        """
        select * from analytics.representation
        where snapshot_date = ? and worker_type = 'All' and lpu_code = 'All'
          and rank_or_band = 'All' and grouping_code = ?
        """,
        [snapshot_date, settings.groups.headline],
    ).iloc[0]
    return {
        "headcount": _count(row["headcount"]),
        "declaration_rate": _percent(row["declaration_rate"]),
        "group_share": _percent(row["group_share"]),
        "benchmark_share": _percent(row["benchmark_share"]),
        "representation_ratio": _ratio(row["representation_ratio"]),
    }


def build_report(
    con: duckdb.DuckDBPyConnection, settings: Settings, out_dir: Path, run_id: str
) -> Path:
    """Write ``index.html`` (self-contained: inline SVG and CSS) into ``out_dir``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    (snapshot_date,) = con.execute(
        "select max(snapshot_date) from analytics.representation"
    ).fetchone()
    if snapshot_date is None:
        raise ValueError("No staff snapshot has been loaded; the report needs at least one.")
    sections = [
        _representation_section(con, settings, snapshot_date, section_id="by-rank", by="rank"),
        _representation_section(con, settings, snapshot_date, section_id="by-lpu", by="lpu"),
    ]
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR / "templates"),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        undefined=jinja2.StrictUndefined,
    )
    html = environment.get_template("report.html.j2").render(
        force_name=settings.force.name,
        snapshot_date=pd.Timestamp(snapshot_date).strftime("%-d %B %Y"),
        run_id=run_id,
        headline_label=getattr(settings.groups, settings.groups.headline),
        headline=_headline(con, settings, snapshot_date),
        sections=sections,
        threshold=settings.disclosure.threshold,
        suppressed_mark=SUPPRESSED_MARK,
        css=(TEMPLATES_DIR / "static" / "report.css").read_text(encoding="utf-8"),
    )
    index = out_dir / "index.html"
    index.write_text(html, encoding="utf-8")
    return out_dir
