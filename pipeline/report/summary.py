"""The summary page: findings, what changed since the last report, data-quality caveats.

Every sentence is written from protected tables (``table.text(row, column)``), so a
sentence can only repeat a figure a table shows; the audit checks that too.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from pipeline.disclosure import SUPPRESSED_MARK
from pipeline.report import formatting as fmt
from pipeline.report.cells import Cells
from pipeline.report.declared import Column, DeclaredTable
from pipeline.report.model import Section
from pipeline.report.representation import (
    ALL_WORKERS,
    headline_label,
    in_sentence,
)

MAX_FINDINGS = 8
CHANGES_TABLE_ID = "changes-since-last-report"
SIGNIFICANT = "unlikely to be chance"
"""The phrase every section uses for a difference its test says is real."""


@dataclass(frozen=True)
class Summary:
    findings: list[str]
    changes: list[str]
    changes_table: DeclaredTable | None
    previous_snapshot: str | None
    """As the report writes it ('31 March 2025')."""
    previous_snapshot_date: str | None
    """ISO date, for machines."""
    caveats: list[str]


def previous_snapshot_date(con, snapshot_date):
    (previous,) = con.execute(
        "select max(snapshot_date) from analytics.representation where snapshot_date < ?",
        [pd.Timestamp(snapshot_date).date()],
    ).fetchone()
    return previous


def changes_table(cells: Cells, snapshot_date) -> DeclaredTable | None:
    """Headline share and declaration rate, for the workforce and for officers, then and now."""
    previous = previous_snapshot_date(cells.con, snapshot_date)
    if previous is None:
        return None
    label = headline_label(cells.settings)
    dates = {"then": previous, "now": snapshot_date}
    measures = [
        (f"{label} share of the workforce", "All", "group"),
        (f"{label} share of police officers", "police_officer", "group"),
        ("Declaration rate, whole workforce", "All", "declaration"),
        ("Declaration rate, police officers", "police_officer", "declaration"),
    ]
    frame = (
        cells.con.execute(
            """
        select worker_type,
               previous_headcount as then_headcount, previous_declared_headcount as then_declared,
               previous_declaration_rate as then_declaration_rate,
               previous_group_headcount as then_group, previous_group_share as then_group_share,
               headcount as now_headcount, declared_headcount as now_declared,
               declaration_rate as now_declaration_rate,
               group_headcount as now_group, group_share as now_group_share,
               group_share_change, declaration_rate_change
        from analytics.representation_trend
        where group_code = ? and rank_or_band = 'All' and lpu_code = 'All'
          and snapshot_date = ? and previous_snapshot_date = ?
        """,
            [cells.headline, pd.Timestamp(snapshot_date).date(), pd.Timestamp(previous).date()],
        )
        .df()
        .set_index("worker_type")
    )
    populations = {w: cells.staff(d) for w, d in dates.items()}
    rows = []
    for name, worker_type, kind in measures:
        if worker_type not in frame.index:
            continue
        item = frame.loc[worker_type]
        row: dict = {"label": name}
        for when, population in populations.items():
            posts = None if worker_type == "All" else cells.posts(population, worker_type)
            if kind == "group":
                row[f"{when}_rate"] = item[f"{when}_group_share"]
                row[f"{when}_people"] = item[f"{when}_group"]
                row[f"{when}_out_of"] = item[f"{when}_declared"]
                people_eth, base_eth = cells.eth(cells.headline), cells.eth("stated")
            else:
                row[f"{when}_rate"] = item[f"{when}_declaration_rate"]
                row[f"{when}_people"] = item[f"{when}_declared"]
                row[f"{when}_out_of"] = item[f"{when}_headcount"]
                people_eth, base_eth = cells.eth("stated"), None
            row[f"{when}_people@key"] = cells.key(population, post=posts, eth=people_eth)
            row[f"{when}_out_of@key"] = cells.key(population, post=posts, eth=base_eth)
        row["change"] = item["group_share_change" if kind == "group" else "declaration_rate_change"]
        rows.append(row)
    then_text, now_text = fmt.date(previous), fmt.date(snapshot_date)
    columns = [Column("label", "Measure", "label")]
    for when, text in (("then", then_text), ("now", now_text)):
        columns += [
            Column(f"{when}_rate", f"{text}: rate", "share",
                   of=(f"{when}_people", f"{when}_out_of")),
            Column(f"{when}_people", f"{text}: people", "count"),
            Column(f"{when}_out_of", f"{text}: out of", "count"),
        ]  # fmt: skip
    columns.append(
        Column(
            "change",
            "Change (percentage points)",
            "points",
            of=("then_people", "then_out_of", "now_people", "now_out_of"),
            difference=("then_rate", "now_rate"),
        )
    )
    return DeclaredTable(
        id=CHANGES_TABLE_ID,
        caption=f"What changed since the snapshot of {then_text}",
        columns=tuple(columns),
        frame=pd.DataFrame(rows),
    )


def _change_sentences(table: DeclaredTable | None) -> list[str]:
    if table is None:
        return ["This is the first report: there is no earlier snapshot to compare with."]
    sentences = []
    for name in table.labels:
        change = table.value(name, "change")
        if not isinstance(change, float):
            continue
        then, now = table.text(name, "then_rate"), table.text(name, "now_rate")
        if change == 0:
            sentences.append(f"{name}: unchanged at {now}.")
        else:
            direction = "rose" if change > 0 else "fell"
            sentences.append(
                f"{name}: {direction} from {then} to {now} "
                f"({table.text(name, 'change')} percentage points)."
            )
    return sentences


def findings(sections: list[Section]) -> list[str]:
    """The headline, then the sections' findings, at most eight: differences unlikely to be
    chance first (a gap the group should act on must not fall off the page), those where a
    selection process's gap opens before the rest, then the others in reading order."""
    first = next((s for s in sections if s.id == "representation-by-worker-type"), None)
    headline = first.findings[:1] if first else []
    rest = [(s.theme, f) for s in sections for f in s.findings if f not in headline]
    order = {"processes": 0, "people": 1}
    significant = sorted(
        (pair for pair in rest if SIGNIFICANT in pair[1]), key=lambda p: order.get(p[0], 2)
    )
    others = [f for _, f in rest if SIGNIFICANT not in f]
    found = headline + [f for _, f in significant] + others
    return list(dict.fromkeys(found))[:MAX_FINDINGS]


def caveats(cells: Cells, sections: list[Section]) -> list[str]:
    threshold = cells.settings.disclosure.threshold
    out = []
    headline = next((s for s in sections if s.id == "representation-by-worker-type"), None)
    if headline is not None and headline.table.is_shown(ALL_WORKERS, "declaration_rate"):
        table = headline.table
        body = [r for r in table.labels if r != ALL_WORKERS]
        rates = [
            (r, table.value(r, "declaration_rate"))
            for r in body
            if isinstance(table.value(r, "declaration_rate"), float)
        ]
        lowest = min(rates, key=lambda item: item[1])[0] if len(rates) >= 2 else None
        scope = fmt.among_shown(len(rates), len(body), "worker types")
        scope = f",{scope}" if scope else ""
        out.append(
            f"{table.text(ALL_WORKERS, 'declaration_rate')} of the workforce have stated their "
            "ethnicity; every share in this report is of those who did"
            + (
                f" (lowest among {in_sentence(lowest)}: "
                f"{table.text(lowest, 'declaration_rate')}{scope})."
                if lowest
                else "."
            )
        )
    out += [caveat for s in sections for caveat in s.caveats]
    out.append(
        "Population shares come from the 2021 Census: the population has changed since, "
        "and the census counts residents of every age, not only those of working age."
    )
    out.append(
        f"Counts from 1 to {threshold} are withheld ({SUPPRESSED_MARK}), with every figure that "
        "would reveal them; senior ranks and small units are therefore often not shown."
    )
    out += [f"{s.title}: {note[:1].lower()}{note[1:]}" for s in sections for note in s.table.notes]
    return list(dict.fromkeys(out))


def build_summary(
    cells: Cells, snapshot_date, sections: list[Section], table: DeclaredTable | None
) -> Summary:
    previous = previous_snapshot_date(cells.con, snapshot_date)
    return Summary(
        findings=findings(sections),
        changes=_change_sentences(table),
        changes_table=table,
        previous_snapshot=None if previous is None else fmt.date(previous),
        previous_snapshot_date=None if previous is None else str(previous)[:10],
        caveats=caveats(cells, sections),
    )
