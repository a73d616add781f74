"""The BME Progression Group report: reads ``analytics`` views through section builders,
then renders one self-contained HTML page (inline SVG and CSS, no external requests).

Every number comes from a documented view; builders select rows, suppress and format.
Statistics are never computed here.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import duckdb
import jinja2
import pandas as pd

from pipeline.config import TEMPLATES_DIR, Settings
from pipeline.disclosure import SUPPRESSED_MARK
from pipeline.report import data_quality, progression, representation, selection
from pipeline.report.model import THEME_TITLES, Section

SectionBuilder = Callable[[duckdb.DuckDBPyConnection, Settings, object], Section | list[Section]]

SECTION_BUILDERS: tuple[SectionBuilder, ...] = (
    representation.by_rank,
    representation.by_lpu,
    progression.rank_pipeline,
    progression.promotion_rates,
    progression.retention,
    progression.specialist_departments,
    progression.specialist_roles,
    selection.promotion_funnels,
    selection.recruitment_funnels,
    data_quality.declaration_rates,
    data_quality.source_files,
    data_quality.failed_checks,
    data_quality.quarantine,
)
"""In reading order within each theme; add a builder here to add a section. A builder may
return several sections (one per process) or none (no data)."""


def latest_snapshot_date(con: duckdb.DuckDBPyConnection):
    (snapshot_date,) = con.execute(
        "select max(snapshot_date) from analytics.representation"
    ).fetchone()
    if snapshot_date is None:
        raise ValueError("No staff snapshot has been loaded; the report needs at least one.")
    return snapshot_date


def build_sections(con, settings: Settings, snapshot_date) -> list[Section]:
    sections: list[Section] = []
    for builder in SECTION_BUILDERS:
        built = builder(con, settings, snapshot_date)
        sections.extend(built if isinstance(built, list) else [built])
    return sections


def render_html(settings: Settings, snapshot_date, run_id: str, sections: list[Section],
                findings: list[str]) -> str:  # fmt: skip
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR / "templates"),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        undefined=jinja2.StrictUndefined,
    )
    themes = [
        (theme, title, [s for s in sections if s.theme == theme])
        for theme, title in THEME_TITLES.items()
    ]
    return environment.get_template("report.html.j2").render(
        force_name=settings.force.name,
        snapshot_date=pd.Timestamp(snapshot_date).strftime("%-d %B %Y"),
        run_id=run_id,
        headline_label=getattr(settings.groups, settings.groups.headline),
        findings=findings,
        themes=[t for t in themes if t[2]],
        threshold=settings.disclosure.threshold,
        suppressed_mark=SUPPRESSED_MARK,
        css=(TEMPLATES_DIR / "static" / "report.css").read_text(encoding="utf-8"),
    )


def build_report(
    con: duckdb.DuckDBPyConnection, settings: Settings, out_dir: Path, run_id: str
) -> Path:
    """Write the report into ``out_dir`` and return the folder."""
    out_dir.mkdir(parents=True, exist_ok=True)
    snapshot_date = latest_snapshot_date(con)
    sections = build_sections(con, settings, snapshot_date)
    findings = representation.headline_findings(con, settings, snapshot_date) + [
        finding for section in sections for finding in section.findings
    ]
    html = render_html(settings, snapshot_date, run_id, sections, findings)
    (out_dir / "index.html").write_text(html, encoding="utf-8")
    return out_dir
