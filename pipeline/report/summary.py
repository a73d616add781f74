"""The summary page: findings, what changed since the last report, data-quality caveats.

Every sentence is generated from protected figures (the same grids the sections show), so a
withheld count can no more leak through a sentence than through a table.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import pandas as pd

from pipeline.config import Settings
from pipeline.disclosure import SUPPRESSED_MARK
from pipeline.report import formatting as fmt
from pipeline.report import representation
from pipeline.report.model import Section, Table
from pipeline.report.representation import show

MAX_FINDINGS = 8


@dataclass(frozen=True)
class Summary:
    findings: list[str]
    changes: list[str]
    changes_table: Table | None
    previous_snapshot: str | None
    """As the report writes it ('31 March 2025')."""
    previous_snapshot_date: str | None
    """ISO date, for machines."""
    caveats: list[str]


def previous_snapshot_date(con: duckdb.DuckDBPyConnection, snapshot_date):
    (previous,) = con.execute(
        "select max(snapshot_date) from analytics.representation where snapshot_date < ?",
        [snapshot_date],
    ).fetchone()
    return previous


SIGNIFICANT = "unlikely to be chance"
"""The phrase every section uses for a difference its test says is real."""


def findings(con, settings: Settings, snapshot_date, sections: list[Section]) -> list[str]:
    """The headline, then the sections' findings, at most eight: differences unlikely to be
    chance first (a gap the group should act on must not fall off the page), then the rest
    in reading order."""
    found = representation.headline_findings(con, settings, snapshot_date)
    own = [finding for section in sections for finding in section.findings]
    found += [f for f in own if SIGNIFICANT in f] + [f for f in own if SIGNIFICANT not in f]
    return list(dict.fromkeys(found))[:MAX_FINDINGS]


def _row(grid, label: str) -> dict | None:
    rows = {str(r["label"]): r for r in grid.frame.to_dict("records")}
    return rows.get(label)


def _shown(row: dict, column: str) -> bool:
    return column not in row["withheld_columns"] and pd.notna(row[column])


def changes(con, settings: Settings, snapshot_date) -> tuple[list[str], Table | None, str | None]:
    """Headline share and declaration rate, for the workforce and for officers, then and now."""
    previous = previous_snapshot_date(con, snapshot_date)
    if previous is None:
        first = "This is the first report: there is no earlier snapshot to compare with."
        return [first], None, None
    now_grid = representation.workforce_grid(con, settings, snapshot_date)
    then_grid = representation.workforce_grid(con, settings, previous)
    label = representation.headline_label(settings)
    officers = representation.codes.WORKER_TYPES["police_officer"]
    measures = [
        (f"{label} share of the workforce", representation.ALL_WORKERS, "group_share",
         "group_headcount", "declared_headcount"),
        (f"{label} share of police officers", officers, "group_share", "group_headcount",
         "declared_headcount"),
        ("Declaration rate, whole workforce", representation.ALL_WORKERS, "declaration_rate",
         "declared_headcount", "headcount"),
        ("Declaration rate, police officers", officers, "declaration_rate",
         "declared_headcount", "headcount"),
    ]  # fmt: skip
    rows, sentences = [], []
    for name, row_label, rate, numerator, denominator in measures:
        then, now = _row(then_grid, row_label), _row(now_grid, row_label)
        if then is None or now is None:
            continue
        cells = []
        for row in (then, now):
            cells += [show(row, rate), show(row, numerator), show(row, denominator)]
        both = _shown(then, rate) and _shown(now, rate)
        change = float(now[rate]) - float(then[rate]) if both else None
        cells.append(fmt.points(change).split()[0] if change is not None else SUPPRESSED_MARK)
        rows.append([name, *cells])
        if change is not None:
            if abs(change) < 0.0005:
                sentences.append(f"{name}: unchanged at {fmt.percent(now[rate])}.")
            else:
                direction = "rose" if change > 0 else "fell"
                sentences.append(
                    f"{name}: {direction} from {fmt.percent(then[rate])} to "
                    f"{fmt.percent(now[rate])} ({fmt.points(change)})."
                )
    then_text, now_text = fmt.date(previous), fmt.date(snapshot_date)
    table = Table(
        caption=f"What changed since the snapshot of {then_text}",
        headers=[
            "Measure",
            f"{then_text}: rate",
            f"{then_text}: people",
            f"{then_text}: out of",
            f"{now_text}: rate",
            f"{now_text}: people",
            f"{now_text}: out of",
            "Change (percentage points)",
        ],
        rows=rows,
        column_kinds=("label", "percent", "count", "count", "percent", "count", "count", "number"),
    )
    return sentences, table, then_text


def caveats(con, settings: Settings, snapshot_date, sections: list[Section]) -> list[str]:
    grid = representation.workforce_grid(con, settings, snapshot_date)
    total = grid.total()
    threshold = settings.disclosure.threshold
    out = []
    if _shown(total, "declaration_rate"):
        rates = [
            (str(r["label"]).lower(), r["declaration_rate"])
            for r in grid.body().to_dict("records")
            if _shown(r, "declaration_rate")
        ]
        lowest = min(rates, key=lambda item: item[1]) if rates else None
        out.append(
            f"{fmt.percent(total['declaration_rate'])} of the workforce have stated their "
            "ethnicity; every share in this report is of those who did"
            + (f" (lowest among {lowest[0]}: {fmt.percent(lowest[1])})." if lowest else ".")
        )
    quarantined = _quarantined_rows(con)
    if quarantined > threshold:
        out.append(
            f"{quarantined:,} rows of the HR extracts failed the data checks and are left out "
            "of these figures until corrected (see Data quality)."
        )
    elif quarantined > 0:
        out.append(
            "A few rows of the HR extracts failed the data checks and are left out of these "
            "figures until corrected (the number is small, so it is withheld)."
        )
    out.append(
        "Population shares come from the 2021 Census: the population has changed since, "
        "and the census counts residents of every age, not only those of working age."
    )
    out.append(
        f"Counts from 1 to {threshold} are withheld ({SUPPRESSED_MARK}), with every figure that "
        "would reveal them; senior ranks and small units are therefore often not shown."
    )
    out += [f"{s.title}: {note[:1].lower()}{note[1:]}" for s in sections for note in s.table.notes]
    out += [caveat for s in sections for caveat in s.caveats]
    return list(dict.fromkeys(out))


def _quarantined_rows(con) -> int:
    try:
        (count,) = con.execute("select count(*) from ops.quarantine").fetchone()
    except duckdb.CatalogException:
        return 0
    return int(count)


def build_summary(con, settings: Settings, snapshot_date, sections: list[Section]) -> Summary:
    change_sentences, table, previous = changes(con, settings, snapshot_date)
    previous_date = previous_snapshot_date(con, snapshot_date)
    return Summary(
        previous_snapshot_date=None if previous_date is None else str(previous_date)[:10],
        findings=findings(con, settings, snapshot_date, sections),
        changes=change_sentences,
        changes_table=table,
        previous_snapshot=previous,
        caveats=caveats(con, settings, snapshot_date, sections),
    )
