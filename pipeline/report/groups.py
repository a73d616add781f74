"""Ethnic groupings at three levels of detail, and the protected grids the sections share.

A breakdown is shown at the finest level whose table is not mostly withheld: detailed
(the police 18+1 codes) -> broad (Asian, Black, Mixed, White, Other) -> the headline group
against the rest. Every level is a partition of the codes in which the headline group is a
union of categories, so a table's headline count is always the sum of the categories it
shows and disclosure control sees that relation too.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TypeVar

import duckdb
import pandas as pd

from pipeline import codes
from pipeline.config import Settings
from pipeline.disclosure import Layout, choose_grouping, protect_table, withheld_share

COUNTS = ("headcount", "declared_headcount", "group_headcount")

_MEMO: ContextVar[dict | None] = ContextVar("report_grid_memo", default=None)
T = TypeVar("T")


@contextmanager
def one_build() -> Iterator[None]:
    """Within one report build, each protected grid is computed once: several sections and
    the summary read the same grid, and protecting it is the costly part of a build."""
    token = _MEMO.set({})
    try:
        yield
    finally:
        _MEMO.reset(token)


def memoised(key: Hashable, compute: Callable[[], T]) -> T:
    """``compute()``, remembered for the rest of the build (not at all outside one)."""
    store = _MEMO.get()
    if store is None:
        return compute()
    if key not in store:
        store[key] = compute()
    return store[key]


@dataclass(frozen=True)
class Category:
    key: str
    label: str
    members: frozenset[str]
    benchmark_code: str | None = None
    """The grouping in ``analytics.population_benchmark`` with the same members, if any."""

    @property
    def is_stated(self) -> bool:
        return codes.NOT_STATED not in self.members


@dataclass(frozen=True)
class Level:
    name: str
    description: str
    categories: tuple[Category, ...]


def headline_members(settings: Settings) -> frozenset[str]:
    return next(g.member_codes for g in codes.GROUPINGS if g.code == settings.groups.headline)


def levels(settings: Settings) -> tuple[Level, ...]:
    labels = settings.groups
    group = headline_members(settings)
    not_stated = Category("NS", "Not stated", frozenset({codes.NOT_STATED}))
    detailed = tuple(
        Category(e.code, f"{e.label} ({e.code})", frozenset({e.code}))
        for e in codes.ETHNICITIES
        if e.code != codes.NOT_STATED
    )
    white = frozenset(e.code for e in codes.ETHNICITIES if e.broad_group_code == "white")
    if white <= group or not white & group:
        whites = (Category("white", labels.white, white, "white"),)
    else:  # the headline counts White minorities in, so White must be split to add up
        whites = (
            Category("white_british", "White: British", white - group),
            Category("white_other", "White: other White backgrounds", white & group),
        )
    broad = tuple(
        Category(code, getattr(labels, code), members, code)
        for code, members in (
            (b, frozenset(e.code for e in codes.ETHNICITIES if e.broad_group_code == b))
            for b in codes.BROAD_GROUPS
            if b != "white"
        )
    )
    stated = frozenset(e.code for e in codes.ETHNICITIES if e.code != codes.NOT_STATED)
    rest_label = labels.white if stated - group == white else "White: British"
    rest_code = "white" if stated - group == white else None
    return (
        Level("detailed", "detailed ethnic groups (police 18+1 codes)", (*detailed, not_stated)),
        Level("broad", "broad ethnic groups", (*broad[:3], *whites, broad[3], not_stated)),
        Level(
            "binary",
            f"{getattr(labels, settings.groups.headline)} against the rest",
            (
                Category("group", getattr(labels, settings.groups.headline), group,
                         settings.groups.headline),
                Category("rest", rest_label, stated - group, rest_code),
                not_stated,
            ),
        ),
    )  # fmt: skip


def ethnicity_counts(
    con: duckdb.DuckDBPyConnection, snapshot_date, by: str, where: str = "true"
) -> pd.DataFrame:
    """Headcount by ``by`` (a column of ``analytics.workforce_by_ethnicity``) x code."""
    frame = con.execute(
        f"""
        select {by} as row_key, min(rank_order) as row_order, ethnicity_code,
               sum(headcount) as headcount
        from analytics.workforce_by_ethnicity
        where snapshot_date = ? and {where}
        group by all
        """,
        [snapshot_date],
    ).df()
    wide = frame.pivot_table(
        index=["row_order", "row_key"] if by == "rank_or_band" else ["row_key"],
        columns="ethnicity_code",
        values="headcount",
        aggfunc="sum",
        fill_value=0,
    )
    wide = wide.reindex(columns=[e.code for e in codes.ETHNICITIES], fill_value=0)
    return wide.reset_index().set_index("row_key").drop(columns="row_order", errors="ignore")


@dataclass(frozen=True)
class Grid:
    """A protected table: one row per row label (the last is the total), with every
    category count, the three headline counts and their derived shares and rates."""

    level: Level
    coarsened: bool
    frame: pd.DataFrame
    layout: Layout
    total_label: str

    def body(self) -> pd.DataFrame:
        return self.frame.iloc[:-1]

    def total(self) -> dict:
        return self.frame.iloc[-1].to_dict()


BLACK = frozenset(e.code for e in codes.ETHNICITIES if e.broad_group_code == "black")


def black_categories(level: Level) -> tuple[str, ...] | None:
    """The categories that make up Black (the Police Race Action Plan's focus), if the level
    shows Black as a whole number of categories."""
    keys = tuple(c.key for c in level.categories if c.members <= BLACK)
    covered = frozenset().union(*(c.members for c in level.categories if c.key in keys))
    return keys if keys and covered == BLACK else None


def grid_layout(level: Level, group: frozenset[str], total_label: str) -> Layout:
    """Every category, the three headline counts as sums of categories, and Black on its
    own where the level allows: all published together, so protected together."""
    keys = tuple(c.key for c in level.categories)
    stated = tuple(c.key for c in level.categories if c.is_stated)
    in_group = tuple(c.key for c in level.categories if c.members <= group)
    if frozenset().union(*(c.members for c in level.categories if c.key in in_group)) != group:
        raise ValueError(f"The {level.name} level does not add up to the headline group.")
    derived = {
        "declaration_rate": ("declared_headcount", "headcount"),
        "group_share": ("group_headcount", "declared_headcount"),
        "representation_ratio": ("group_headcount", "declared_headcount"),
        "parity_gap_headcount": ("group_headcount", "declared_headcount"),
    }
    derived |= {f"share_{k}": (k, "declared_headcount") for k in stated}
    row_sums = [
        ("headcount", keys),
        ("declared_headcount", stated),
        ("group_headcount", in_group),
    ]
    extra: tuple[str, ...] = ()
    if (black := black_categories(level)) is not None:
        extra = ("black_headcount",)
        row_sums.append(("black_headcount", black))
        derived["black_share"] = ("black_headcount", "declared_headcount")
    return Layout(
        count_columns=(*keys, *COUNTS, *extra),
        row_sums=tuple(row_sums),
        total_row=total_label,
        derived=derived,
    )


def _grid_frame(
    counts: pd.DataFrame, level: Level, group: frozenset[str], total_label: str, benchmark
) -> pd.DataFrame:
    frame = pd.DataFrame(index=counts.index)
    for category in level.categories:
        frame[category.key] = counts[sorted(category.members)].sum(axis=1).astype(int)
    codes_stated = [c for c in counts.columns if c != codes.NOT_STATED]
    frame["headcount"] = counts.sum(axis=1).astype(int)
    frame["declared_headcount"] = counts[codes_stated].sum(axis=1).astype(int)
    frame["group_headcount"] = counts[sorted(group)].sum(axis=1).astype(int)
    if black_categories(level) is not None:
        frame["black_headcount"] = counts[sorted(BLACK)].sum(axis=1).astype(int)
    total = frame.sum().to_frame(total_label).T
    frame = pd.concat([frame, total])
    frame.index.name = "label"
    frame = frame.reset_index()
    declared = frame["declared_headcount"].where(frame["declared_headcount"] > 0)
    frame["declaration_rate"] = frame["declared_headcount"] / frame["headcount"].where(
        frame["headcount"] > 0
    )
    frame["group_share"] = frame["group_headcount"] / declared
    if "black_headcount" in frame:
        frame["black_share"] = frame["black_headcount"] / declared
    frame["population_share"] = benchmark
    frame["representation_ratio"] = frame["group_share"] / frame["population_share"]
    frame["parity_gap_headcount"] = (
        frame["population_share"] * frame["declared_headcount"] - frame["group_headcount"]
    )
    for category in level.categories:
        if category.is_stated:
            frame[f"share_{category.key}"] = frame[category.key] / declared
    return frame


def protected_grid(
    counts: pd.DataFrame,
    settings: Settings,
    total_label: str,
    *,
    benchmark: float | None = None,
    withheld: tuple[tuple[str, str], ...] = (),
) -> Grid:
    """The counts at the finest level that is not mostly withheld, protected."""
    group = headline_members(settings)
    threshold = settings.disclosure.threshold
    results: dict[str, Grid] = {}

    all_levels = levels(settings)
    limit = settings.disclosure.max_withheld_share

    def attempt(level: Level) -> float:
        frame = _grid_frame(counts, level, group, total_label, benchmark)
        columns = [c.key for c in level.categories]
        body = frame.iloc[:-1][columns].to_numpy()
        primary = ((body >= 1) & (body <= threshold)).sum() / max((body != 0).sum(), 1)
        if primary > limit and level is not all_levels[-1]:
            return float(primary)  # secondary suppression only adds to it: skip the work
        layout = grid_layout(level, group, total_label)
        shown = protect_table(frame, layout, threshold, withheld=withheld)
        results[level.name] = Grid(level, False, shown, layout, total_label)
        return withheld_share(shown, frame, Layout(tuple(columns), total_row=total_label))

    level, coarsened = choose_grouping(all_levels, attempt, limit)
    grid = results[level.name]
    return Grid(grid.level, coarsened, grid.frame, grid.layout, total_label)
