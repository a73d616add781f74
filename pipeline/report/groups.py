"""Grids of people by ethnic group: the representation tables' rows and every group's count
and share, selected from ``analytics.representation`` (every share is computed there), at
the level of detail the disclosure rule allows.

A breakdown is shown at the finest level of ``ref.grouping_levels`` whose table is not
mostly withheld: detailed (the police 18+1 codes) -> broad -> the headline group against
the rest. Every level partitions the stated codes with the headline group a union of its
groups, so the cells' sets say how they add up and disclosure control sees it.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from pipeline.config import Settings
from pipeline.disclosure import Key, choose_grouping, derive_relations, protect, withheld_share
from pipeline.report.cells import Cells

REPRESENTATION_SQL = """
select
    worker_type, worker_type_label, rank_or_band, rank_order, lpu_code, lpu_name, group_code,
    headcount, declared_headcount, not_stated_headcount, declaration_rate, group_headcount,
    group_share, population_share, representation_ratio, parity_gap_headcount
from analytics.representation
where snapshot_date = ? and {where}
"""


def representation_rows(con, snapshot_date, where: str, params=()) -> pd.DataFrame:
    """Rows of analytics.representation for one snapshot (``where`` picks them)."""
    return con.execute(
        REPRESENTATION_SQL.format(where=where), [pd.Timestamp(snapshot_date).date(), *params]
    ).df()


@dataclass(frozen=True)
class GridRow:
    label: str
    posts: frozenset[str] | None
    """The posts the row covers; None for everyone."""
    is_total: bool = False


@dataclass
class Grid:
    """People by group for a set of rows (worker types, or the ranks of one worker type),
    with the row's measures for every grouping, and the level of detail chosen."""

    population: str
    rows: list[GridRow]
    measures: dict[tuple[str, str], dict]
    """(row label, group code) -> the representation row (counts, shares, ratio, gap)."""
    level: tuple[str, str, tuple[str, ...]]
    coarsened: bool

    @property
    def total(self) -> GridRow:
        return next(r for r in self.rows if r.is_total)

    @property
    def body(self) -> list[GridRow]:
        return [r for r in self.rows if not r.is_total]

    def measure(self, row: str, group: str, name: str):
        return self.measures[(row, group)][name]


def build_grid(
    cells: Cells,
    snapshot_date,
    rows: list[GridRow],
    frame: pd.DataFrame,
    label_of,
) -> Grid:
    """A grid from representation rows (``label_of(record)`` names each row's label)."""
    population = cells.staff(snapshot_date)
    measures = {(label_of(r), r["group_code"]): r for r in frame.to_dict("records")}
    settings = cells.settings
    levels = cells.levels

    def attempt(level) -> float:
        return _withheld_share(cells, population, rows, measures, level, settings)

    level, coarsened = choose_grouping(levels, attempt, settings.disclosure.max_withheld_share)
    return Grid(population, rows, measures, level, coarsened)


def category_key(cells: Cells, population: str, row: GridRow, group: str) -> Key:
    return cells.key(population, post=row.posts, eth=cells.eth(group))


def _withheld_share(cells, population, rows, measures, level, settings: Settings) -> float:
    """The share of the level's non-zero group counts (below the total) that protecting
    this table alone would withhold."""
    threshold = settings.disclosure.threshold
    groups = [*level[2], "NS"]
    values: dict[Key, int] = {}
    body: list[Key] = []
    for row in rows:
        for group in [*groups, "all", "stated", cells.headline]:
            column = "not_stated_headcount" if group == "NS" else "group_headcount"
            source = "NS" if group == "NS" else group
            if group in ("all", "stated"):
                name = "headcount" if group == "all" else "declared_headcount"
                record = measures.get((row.label, cells.headline))
                value = None if record is None else record[name]
            else:
                record = measures.get((row.label, cells.headline if group == "NS" else source))
                value = None if record is None else record[column]
            if value is None:
                continue
            key = category_key(cells, population, row, group)
            values[key] = int(value)
            if not row.is_total and group in groups:
                body.append(key)
    counts = [values[k] for k in body]
    small = sum(1 <= v <= threshold for v in counts)
    nonzero = sum(v != 0 for v in counts)
    primary = small / max(nonzero, 1)
    if primary > settings.disclosure.max_withheld_share and level is not cells.levels[-1]:
        return primary  # secondary suppression only adds to it: skip the work
    _, relations = derive_relations(values, cells.universe)
    protection = protect(values, set(values), relations, threshold)
    return withheld_share(protection, body, values)
