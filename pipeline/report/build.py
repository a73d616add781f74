"""The BME Progression Group report: reads ``analytics`` views through section builders,
then writes every output of a run into one folder: ``index.html`` (self-contained: inline
SVG and CSS, no external requests), the same report as PDF, an Excel workbook, a CSV per
table, ``summary.json`` (headline figures) and ``tables.json`` (what each table holds).

Every number comes from a documented view; builders select rows, protect and format.
Statistics are never computed here, and every output is written from the same protected,
formatted tables, so disclosure control is applied once and holds everywhere.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import jinja2
import pandas as pd

from pipeline.config import TEMPLATES_DIR, Settings
from pipeline.disclosure import SUPPRESSED_MARK
from pipeline.report import (
    data_quality,
    exports,
    groups,
    methodology,
    progression,
    representation,
    selection,
)
from pipeline.report import formatting as fmt
from pipeline.report.browser import BrowserError, find_chromium, print_to_pdf
from pipeline.report.model import THEME_INTROS, THEME_TITLES, Section
from pipeline.report.summary import Summary, build_summary

log = logging.getLogger(__name__)

SectionBuilder = Callable[[duckdb.DuckDBPyConnection, Settings, object], Section | list[Section]]

SECTION_BUILDERS: tuple[SectionBuilder, ...] = (
    representation.by_worker_type_and_group,
    representation.by_rank,
    representation.by_rank_and_group,
    representation.by_band,
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

CHANGES_TABLE_ID = "changes-since-last-report"


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
        sections.extend(built if isinstance(built, Sequence) else [built])
    return sections


def output_names(snapshot_date) -> dict[str, str]:
    stem = f"workforce-report-{pd.Timestamp(snapshot_date):%Y-%m-%d}"
    return {"pdf": f"{stem}.pdf", "workbook": f"{stem}.xlsx"}


def export_tables(sections: list[Section], summary: Summary) -> list[exports.ExportTable]:
    tables = []
    if summary.changes_table is not None:
        tables.append(
            exports.ExportTable(CHANGES_TABLE_ID, "Summary", "summary", summary.changes_table)
        )
    tables += [exports.ExportTable(s.id, s.title, s.theme, s.table) for s in sections]
    return tables


def render_html(
    settings: Settings,
    snapshot_date,
    run_id: str,
    sections: list[Section],
    summary: Summary,
    *,
    pdf_name: str | None = None,
    workbook_name: str = "",
    csv_names: dict[str, str] | None = None,
) -> str:
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR / "templates"),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        undefined=jinja2.StrictUndefined,
    )
    csv_names = csv_names or {}
    themes = [
        (theme, title, THEME_INTROS[theme], [s for s in sections if s.theme == theme])
        for theme, title in THEME_TITLES.items()
    ]
    return environment.get_template("report.html.j2").render(
        force_name=settings.force.name,
        snapshot_date=fmt.date(snapshot_date),
        previous_snapshot=summary.previous_snapshot,
        run_id=run_id,
        generated_at=datetime.now(UTC).strftime("%-d %B %Y %H:%M UTC"),
        headline_label=representation.headline_label(settings),
        summary=summary,
        themes=themes,
        measures=methodology.MEASURES,
        section_definitions=methodology.section_definitions(sections),
        groupings=methodology.groupings(settings),
        disclosure_rule=methodology.disclosure_rule(settings),
        glossary=methodology.GLOSSARY,
        pdf_name=pdf_name,
        workbook_name=workbook_name,
        csv_names={s.id: csv_names.get(s.id) for s in sections},
        changes_csv=csv_names.get(CHANGES_TABLE_ID),
        changes_table_id=CHANGES_TABLE_ID,
        css=(TEMPLATES_DIR / "static" / "report.css").read_text(encoding="utf-8"),
    )


def _headline_json(row: dict) -> dict:
    keys = (
        "headcount",
        "declared_headcount",
        "declaration_rate",
        "group_headcount",
        "group_share",
        "population_share",
        "representation_ratio",
    )
    hidden = row["withheld_columns"]
    out: dict = {}
    for key in keys:
        value = fmt.optional_float(row[key])
        if key in hidden or value is None:
            out[key] = None
        elif key.endswith("headcount"):
            out[key] = int(value)
        else:
            out[key] = round(value, 4)
    out["withheld"] = sorted(k for k in keys if k in hidden)
    return out


def summary_json(
    con, settings: Settings, snapshot_date, run_id: str, summary: Summary, outputs: dict
) -> dict:
    grid = representation.workforce_grid(con, settings, snapshot_date)
    rows = {str(r["label"]): r for r in grid.frame.to_dict("records")}
    return {
        "force": settings.force.name,
        "snapshot_date": str(pd.Timestamp(snapshot_date).date()),
        "previous_snapshot_date": summary.previous_snapshot_date,
        "run_id": run_id,
        "disclosure": {
            "threshold": settings.disclosure.threshold,
            "rule": f"Counts from 1 to {settings.disclosure.threshold} and every figure that "
            "would reveal them are withheld: null here, [c] in the other outputs.",
            "withheld_mark": SUPPRESSED_MARK,
        },
        "headline_group": {
            "code": settings.groups.headline,
            "label": representation.headline_label(settings),
        },
        "headline": {
            key: _headline_json(rows[label])
            for key, label in (
                ("workforce", representation.ALL_WORKERS),
                *(
                    (w, representation.codes.WORKER_TYPES[w])
                    for w in representation.WORKER_TYPE_ORDER
                ),
            )
            if label in rows
        },
        "findings": summary.findings,
        "changes": summary.changes,
        "caveats": summary.caveats,
        "outputs": outputs,
    }


def write_pdf(settings: Settings, page: Path, pdf: Path, footer: str) -> tuple[Path | None, str]:
    """The report as PDF, or ``None`` and why not: a missing or failing Chromium never fails
    the run (the HTML, workbook and CSVs are complete without it); it is logged."""
    if not settings.report.pdf:
        return None, "PDF output is turned off ([report] pdf = false)."
    executable = find_chromium(settings.report.chromium)
    if executable is None:
        reason = (
            "PDF skipped: Chromium was not found. Install the Debian package 'chromium' "
            "(scripts/ensure-chromium.sh) or set [report] chromium in the configuration."
        )
        log.warning(reason)
        return None, reason
    try:
        return print_to_pdf(
            executable, page, pdf, footer, settings.report.chromium_timeout_seconds
        ), ""
    except (BrowserError, OSError) as exc:
        reason = f"PDF skipped: Chromium failed ({type(exc).__name__}: {exc})."
        log.warning(reason)
        return None, reason


def build_report(
    con: duckdb.DuckDBPyConnection, settings: Settings, out_dir: Path, run_id: str
) -> Path:
    """Write every output of the report into ``out_dir`` and return the folder."""
    with groups.one_build():
        return _build_report(con, settings, out_dir, run_id)


def _build_report(con, settings: Settings, out_dir: Path, run_id: str) -> Path:
    out_dir.mkdir(parents=True, exist_ok=True)
    snapshot_date = latest_snapshot_date(con)
    sections = build_sections(con, settings, snapshot_date)
    summary = build_summary(con, settings, snapshot_date, sections)
    names = output_names(snapshot_date)
    tables = export_tables(sections, summary)
    csv_names = {t.id: t.csv_name for t in tables}
    title = f"Workforce representation and progression: {settings.force.name} Police"

    page = out_dir / "index.html"

    def write_page(pdf_name: str | None) -> None:
        html = render_html(
            settings,
            snapshot_date,
            run_id,
            sections,
            summary,
            pdf_name=pdf_name,
            workbook_name=names["workbook"],
            csv_names=csv_names,
        )
        page.write_text(html, encoding="utf-8")

    write_page(names["pdf"])
    pdf, pdf_note = write_pdf(
        settings, page, out_dir / names["pdf"], f"{title}, {fmt.date(snapshot_date)}"
    )
    if pdf is None:
        write_page(None)  # no link to a PDF that is not there

    for table in tables:
        exports.write_csv(table, out_dir)
    exports.write_workbook(
        out_dir / names["workbook"],
        title,
        [
            f"Staff snapshot of {fmt.date(snapshot_date)}. Run {run_id}.",
            f"Counts from 1 to {settings.disclosure.threshold} are withheld ({SUPPRESSED_MARK}), "
            "with every figure that would reveal them; [x] means not applicable.",
        ],
        tables,
        [
            ("Findings", summary.findings),
            ("What changed since the last report", summary.changes),
            ("Data-quality caveats", summary.caveats),
            ("Protecting colleagues' privacy", methodology.disclosure_rule(settings)),
            (
                "Measures",
                [
                    f"{m.name}: {m.definition} Formula: {m.formula}. Source: {m.source}"
                    for m in methodology.MEASURES
                ],
            ),
            ("Ethnicity groupings", [f"{g}: {m}" for g, m in methodology.groupings(settings)]),
            ("Glossary", [f"{t}: {d}" for t, d in methodology.GLOSSARY]),
        ],
    )
    exports.write_json(out_dir / "tables.json", exports.tables_manifest(tables, names["workbook"]))
    outputs = {
        "html": "index.html",
        "pdf": pdf.name if pdf else None,
        "workbook": names["workbook"],
        "csv": [t.csv_name for t in tables],
        "tables": "tables.json",
    }
    if pdf is None:
        outputs["pdf_skipped"] = pdf_note
    exports.write_json(
        out_dir / "summary.json",
        summary_json(con, settings, snapshot_date, run_id, summary, outputs),
    )
    return out_dir
