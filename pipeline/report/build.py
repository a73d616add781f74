"""The BME Progression Group report: reads ``analytics`` views through section builders,
protects every table together, then writes every output of a run into one folder:
``index.html`` (self-contained: inline SVG and CSS, no external requests), the same report as
PDF, an Excel workbook, a CSV per table, ``summary.json`` (headline figures) and
``tables.json`` (what each table holds), and finally audits them all.

1. Each builder declares its table (:mod:`pipeline.report.declared`): selected from a view,
   with the cell behind every count. Nothing is computed here that a mart holds.
2. Every table is protected at once (:func:`protect_tables`): a cell in two tables, a
   total in one and its parts in another, are one system.
3. Each section writes its words and chart from its protected table.
4. Every output is written from the same protected tables.
5. The audit (:mod:`pipeline.report.audit`) reads every output back and proves no withheld
   count can be worked out; if it finds anything, :class:`DisclosureAuditError` is raised
   and the run publishes nothing.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import jinja2
import pandas as pd
from threadpoolctl import threadpool_limits

from pipeline.config import TEMPLATES_DIR, Settings
from pipeline.disclosure import (
    SUPPRESSED_MARK,
    Key,
    Protection,
    complete_values,
    derive_relations,
    known_zeros,
    protect,
    withheld_sums,
)
from pipeline.report import (
    audit,
    charts,
    data_quality,
    exports,
    methodology,
    monitoring,
    outlook,
    progression,
    representation,
    scorecard,
    selection,
    trends,
)
from pipeline.report import formatting as fmt
from pipeline.report.browser import BrowserError, find_chromium, print_to_pdf
from pipeline.report.cells import Cells
from pipeline.report.declared import DeclaredTable
from pipeline.report.model import THEME_INTROS, THEME_TITLES, Section
from pipeline.report.summary import CHANGES_TABLE_ID, Summary, build_summary, changes_table

log = logging.getLogger(__name__)

SectionBuilder = Callable[[Cells, object], Section | Sequence[Section]]

SECTION_BUILDERS: tuple[SectionBuilder, ...] = (
    scorecard.scorecard,
    representation.by_worker_type,
    representation.by_worker_type_and_group,
    representation.by_rank,
    representation.by_rank_and_group,
    representation.by_band,
    representation.by_lpu,
    monitoring.chief_officers,
    progression.rank_pipeline,
    progression.promotion_rates,
    progression.retention,
    progression.specialist_departments,
    progression.specialist_roles,
    monitoring.development,
    monitoring.lateral_moves,
    monitoring.appraisal,
    monitoring.appraisal_distribution,
    monitoring.staff_survey,
    selection.promotion_funnels,
    selection.development_funnels,
    selection.recruitment_funnels,
    monitoring.misconduct,
    monitoring.misconduct_stages,
    monitoring.grievances,
    trends.trend_by_worker_type,
    trends.trend_by_rank_over_time,
    trends.trend_by_group,
    trends.trend_groups_by_worker_type,
    trends.trend_groups_by_rank,
    trends.trend_groups_by_band,
    trends.trend_groups_by_lpu,
    trends.trend_by_rank,
    trends.trend_by_band,
    trends.trend_by_lpu,
    trends.joiners_mix,
    trends.joiners_by_route,
    outlook.share_targets,
    outlook.target_trends,
    outlook.joiner_targets,
    outlook.projection,
    outlook.promotion_needed,
    data_quality.declaration_rates,
    data_quality.source_files,
    data_quality.failed_checks,
    data_quality.quarantine,
    scorecard.scorecard_numbers,
)
"""In reading order within each theme; add a builder here to add a section. A builder may
return several sections (one per process) or none (no data)."""

HEADLINE_TABLE = "representation-by-worker-type"


def latest_snapshot_date(con: duckdb.DuckDBPyConnection):
    (snapshot_date,) = con.execute(
        "select max(snapshot_date) from analytics.representation"
    ).fetchone()
    if snapshot_date is None:
        raise ValueError("No staff snapshot has been loaded; the report needs at least one.")
    return snapshot_date


def build_sections(cells: Cells, snapshot_date) -> list[Section]:
    sections: list[Section] = []
    for builder in SECTION_BUILDERS:
        built = builder(cells, snapshot_date)
        sections.extend(built if isinstance(built, Sequence) else [built])
    return sections


@dataclass
class Protected:
    protection: Protection
    truth: dict[Key, int]
    seconds: float
    cells: int


REPAIR_DEPTH = 4
"""How many relations away from an exposed cell a repair looks for a count to withhold."""
REPAIR_ROUNDS = 50
"""At most this many rounds of repairs the integer programme asks for (each adds counts)."""


def repairs(
    problems: Sequence[audit.Problem], published: Collection[Key], withheld: Collection[Key]
) -> tuple[list[Key], set[Key]]:
    """What the audit's ``problems`` ask the next round of protection to repair: the cells a
    reader can work out (each gets its cheapest complement, then one more count beside it),
    and the shown counts to withhold (a 0 beside a small or withheld total; a shown total
    whose withheld parts add up to a small count of a group, which then has a range). A
    total not shown whose parts' sum is pinned is a cell a reader can work out: freed; so
    is the cell that is the sum of some of a relation's parts, when that sum is pinned."""
    exposed = [p.key for p in problems if p.kind in audit.RECOVERABLE and p.key is not None]
    added = {p.key for p in problems if p.kind in audit.ZERO_KINDS and p.key is not None}
    for problem in problems:
        if problem.kind not in audit.SUM_KINDS or problem.key is None:
            continue
        if problem.key in published and problem.key not in withheld:
            added.add(problem.key)
        elif problem.key not in exposed:
            exposed.append(problem.key)
    return exposed, added


def protect_tables(cells: Cells, tables: Sequence[DeclaredTable]) -> Protected:
    """Protect every table at once and set each one's shown values.

    The linear algebra of :func:`pipeline.disclosure.protect` cannot see what bounds give
    away (counts are never negative: 96 stated out of 64 + 11 + 21 people leaves no room),
    so the audit's integer programme is run on the result before anything is written, and
    every cell it can pin down gets one more count withheld beside it, until it pins none."""
    started = time.perf_counter()
    threshold = cells.settings.disclosure.threshold
    values: dict[Key, int] = {}
    published: set[Key] = set()
    denominators: dict[Key, set[Key]] = {}
    shares_of: dict[Key, int] = {}
    for table in tables:
        for key, value in table.counts().items():
            if values.setdefault(key, value) != value:
                raise ValueError(f"{table.id}: cell {key.id} has two values in the report")
        published |= table.published_keys()
        for key, over in (*table.denominators().items(), *audit.column_totals(table).items()):
            denominators.setdefault(key, set()).update(over)
        for over in table.denominators().values():
            for key in over:
                shares_of[key] = shares_of.get(key, 0) + 1

    def prepare(wanted: set[Key]):
        keys, relations = derive_relations(wanted, cells.universe)
        truth = complete_values(values, keys, relations)
        sums, summed = withheld_sums(truth, relations, cells.universe, threshold)
        truth.update(sums)
        relations = [*relations, *summed]
        zeros = known_zeros(truth, published, cells.universe, relations)
        cells.universe.known = zeros
        members: dict[Key, set[Key]] = {}
        for relation in relations:
            together = {relation.total, *relation.parts}
            for key in together:
                members.setdefault(key, set()).update(together)
        totals = {r.total for r in relations}
        return keys, relations, truth, zeros, members, totals

    wanted = set(values) | published
    keys, relations, truth, zeros, members, totals = prepare(wanted)
    extra: set[Key] = set()
    targets: set[Key] = set()
    for _ in range(REPAIR_ROUNDS):
        protection = protect(
            truth, published, relations, threshold, known_zeros=zeros, withheld=extra,
            denominators=denominators, targets=targets, shares_of=shares_of,
        )  # fmt: skip
        for table in tables:
            table.protect_with(protection)
        problems = audit.audit_publication(
            tables, audit.in_memory(tables), cells.universe, truth, threshold
        )
        exposed, added = repairs(problems, published, protection.withheld)
        # A cell the audit's relations have and the protection's do not (a total of
        # withheld parts the audit derives from the protected cells' own, whose parts' sum
        # it pins: the PCSOs' and staff bands' ethnic-minority people together): the
        # protection works with it from the next round, as a cell of its own.
        unseen = {k for k in exposed if k not in keys}
        if unseen:
            wanted |= unseen
            keys, relations, truth, zeros, members, totals = prepare(wanted)
        # A cell pinned for the first time gets its cheapest complement in the next round
        # (with the bounds the search's linear algebra does not see); one pinned again
        # (rounded percentages, or no complement within reach) one more count beside it.
        fresh = {k for k in exposed if k not in targets}
        targets |= fresh
        for key in exposed:
            if key in fresh and key not in protection.unresolved:
                continue
            # the shown counts that share a relation with the exposed one, or failing that
            # (a union of withheld cells published as one cell: the chief ranks as a role)
            # with one of those, and so on outwards
            seen, ring = {key}, {key}
            for _ in range(REPAIR_DEPTH):
                ring = {k for r in ring for k in members.get(r, ())} - seen
                seen |= ring
                shown = [
                    k
                    for k in ring
                    if k in published and k not in protection.withheld and k not in added
                ]
                if shown:
                    added.add(min(shown, key=lambda k: (k in totals, truth.get(k) or 0, k.id)))
                    break
        if not added and not fresh:
            break
        extra |= added | protection.withheld
    return Protected(protection, truth, time.perf_counter() - started, len(keys))


def output_names(snapshot_date) -> dict[str, str]:
    stem = f"workforce-report-{pd.Timestamp(snapshot_date):%Y-%m-%d}"
    return {"pdf": f"{stem}.pdf", "workbook": f"{stem}.xlsx"}


def export_tables(sections: list[Section], summary: Summary) -> list[exports.ExportTable]:
    """Every table in the order the page shows them (so the workbook's sheets and the
    downloads too): the scorecard, the summary's changes, then the sections'."""
    scorecard = [s for s in sections if s.theme == "scorecard"]
    tables = [exports.ExportTable(s.id, s.title, s.theme, s.table) for s in scorecard]
    if summary.changes_table is not None:
        tables.append(
            exports.ExportTable(CHANGES_TABLE_ID, "Summary", "summary", summary.changes_table)
        )
    tables += [
        exports.ExportTable(s.id, s.title, s.theme, s.table)
        for s in sections
        if s.theme != "scorecard"
    ]
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
        scorecard_sections=[s for s in sections if s.theme == "scorecard"],
        force_name=settings.force.name,
        marking=settings.report.marking,
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


def summary_json(
    settings: Settings, snapshot_date, run_id: str, summary: Summary, sections, outputs: dict
) -> dict:
    headline = next(s.table for s in sections if s.id == HEADLINE_TABLE)
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
        "headline": {"table": headline.id, "rows": exports.json_rows(headline)},
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
            executable,
            page,
            pdf,
            footer,
            settings.report.chromium_timeout_seconds,
            settings.report.marking,
        ), ""
    except (BrowserError, OSError) as exc:
        reason = f"PDF skipped: Chromium failed ({type(exc).__name__}: {exc})."
        log.warning(reason)
        return None, reason


def build_report(
    con: duckdb.DuckDBPyConnection, settings: Settings, out_dir: Path, run_id: str
) -> Path:
    """Write every output of the report into ``out_dir``, audit them, and return the folder.

    Raises :class:`pipeline.report.audit.DisclosureAuditError` when the audit finds a
    shown small count or a recoverable withheld cell (the caller publishes nothing)."""
    # Disclosure control solves thousands of small linear systems: one thread each is
    # fastest, and a multi-threaded BLAS on a shared machine is many times slower.
    with threadpool_limits(limits=1):
        return _build_report(con, settings, out_dir, run_id)


@dataclass
class Prepared:
    """Everything the outputs are written from: declared, protected, with their words."""

    cells: Cells
    snapshot_date: object
    sections: list[Section]
    tables: list[DeclaredTable]
    protected: Protected
    summary: Summary


def prepare(con: duckdb.DuckDBPyConnection, settings: Settings) -> Prepared:
    """Declare every table, protect them together, and write the sections' words and charts
    (no file is written)."""
    cells = Cells(con, settings)
    snapshot_date = latest_snapshot_date(con)
    sections = build_sections(cells, snapshot_date)
    changes = changes_table(cells, snapshot_date)
    tables = ([changes] if changes is not None else []) + [s.table for s in sections]
    protected = protect_tables(cells, tables)
    for section in sections:
        section.prose = section.compose()
        if section.prose.chart is not None:
            section.chart_svg = charts.render(section.table, section.prose.chart)
    summary = build_summary(cells, snapshot_date, sections, changes)
    return Prepared(cells, snapshot_date, sections, tables, protected, summary)


def _build_report(con, settings: Settings, out_dir: Path, run_id: str) -> Path:
    out_dir.mkdir(parents=True, exist_ok=True)
    prepared = prepare(con, settings)
    cells, snapshot_date, sections = prepared.cells, prepared.snapshot_date, prepared.sections
    tables, protected, summary = prepared.tables, prepared.protected, prepared.summary
    names = output_names(snapshot_date)
    export = export_tables(sections, summary)
    csv_names = {t.id: t.csv_name for t in export}
    title = f"Workforce representation and progression: {settings.force.name} Police"
    marking = settings.report.marking
    page = out_dir / "index.html"

    def write_page(pdf_name: str | None) -> None:
        html = render_html(
            settings, snapshot_date, run_id, sections, summary,
            pdf_name=pdf_name, workbook_name=names["workbook"], csv_names=csv_names,
        )  # fmt: skip
        page.write_text(html, encoding="utf-8")

    write_page(names["pdf"])
    pdf, pdf_note = write_pdf(
        settings, page, out_dir / names["pdf"], f"{marking} · {title}, {fmt.date(snapshot_date)}"
    )
    if pdf is None:
        write_page(None)  # no link to a PDF that is not there

    for table in export:
        exports.write_csv(table, out_dir, marking)
    exports.write_workbook(
        out_dir / names["workbook"],
        title,
        [
            f"Staff snapshot of {fmt.date(snapshot_date)}. Run {run_id}.",
            f"Counts from 1 to {settings.disclosure.threshold} are withheld ({SUPPRESSED_MARK}), "
            "with every figure that would reveal them; [x] means not applicable.",
        ],
        export,
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
        marking,
    )
    exports.write_json(
        out_dir / "tables.json",
        exports.tables_manifest(export, names["workbook"], cells.universe),
        marking,
    )
    outputs = {
        "html": "index.html",
        "pdf": pdf.name if pdf else None,
        "workbook": names["workbook"],
        "csv": [t.csv_name for t in export],
        "tables": "tables.json",
    }
    if pdf is None:
        outputs["pdf_skipped"] = pdf_note
    exports.write_json(
        out_dir / "summary.json",
        summary_json(settings, snapshot_date, run_id, summary, sections, outputs),
        marking,
    )
    started = time.perf_counter()
    problems = audit.audit_report(
        out_dir, tables, cells.universe, protected.truth, settings.disclosure.threshold,
        names["workbook"],
    )  # fmt: skip
    log.info(
        "Disclosure: %d tables, %d cells, %d withheld; protection %.2f s, audit %.2f s",
        len(tables), protected.cells, len(protected.protection.withheld), protected.seconds,
        time.perf_counter() - started,
    )  # fmt: skip
    if problems:
        listed = "; ".join(str(p) for p in problems[:10])
        raise audit.DisclosureAuditError(
            f"The disclosure audit found {len(problems)} problem(s) in the report, so nothing "
            f"is published: {listed}"
        )
    return out_dir
