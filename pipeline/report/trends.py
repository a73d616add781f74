"""Trend sections: the workforce and officers by rank over time, each group, rank, band and
LPU a year on, and joiners against the workforce they join.

Every figure is selected from ``analytics.representation_trend`` and
``analytics.joiners_mix`` (changes, the straight line and the trended benchmark are computed
there). Each table declares the cell behind every count in the staff snapshot it comes from,
so a count shown here and in another table is one cell, protected once; joiners are a
population of their own (``joiners``: reporting year, worker type, entry route, ethnicity).
"""

from __future__ import annotations

from dataclasses import replace

import pandas as pd

from pipeline import codes
from pipeline.disclosure import Key
from pipeline.report import formatting as fmt
from pipeline.report.cells import ETHNICITY_CODES, Cells
from pipeline.report.declared import WITHHELD, Chart, Column, DeclaredTable, Series
from pipeline.report.formatting import in_words
from pipeline.report.model import Prose, Section
from pipeline.report.representation import headline_label

THEME = "trends"
WORKER_TYPE_ORDER = ("police_officer", "police_staff", "pcso", "special_constable")
ALL_WORKERS = "Whole workforce"
CENSUS_LABEL = "Population share (Census 2021)"
ESTIMATE_LABEL = "Population share, estimated from the 2011 to 2021 census trend"
COUNTS = ("group_headcount", "declared_headcount")
GROUPS = ("minority_excl_white", "minority_incl_white", "asian", "black", "mixed", "white",
          "other")  # fmt: skip
"""Both headline definitions, the broad groups and Black on its own (a broad group)."""


def census_trend(cells: Cells) -> bool:
    """Whether the force's benchmark has a 2011 figure to trend from (no ``[reference]
    census_2011_file``: the Census 2021 share held flat, and no trend is claimed)."""
    (trended,) = cells.con.execute(
        """select count(*) from analytics.population_benchmark_trend
           where area_level = 'force' and group_code = ?
             and census_2011_share is not null""",
        [cells.headline],
    ).fetchone()
    return trended > 0


def benchmark_alt(cells: Cells) -> str:
    """The benchmark lines of a chart over time, in its alternative text."""
    if census_trend(cells):
        return (
            "the population share estimated from the census trend as a dashed line and the "
            "Census 2021 share as a dotted line"
        )
    return "the Census 2021 population share (no earlier census loaded) as a dashed line"


def number(table: DeclaredTable, row: str, column: str) -> float | None:
    """A shown number (None when withheld, not applicable or not a number)."""
    value = table.value(row, column)
    return value if isinstance(value, int | float) else None


def add_keys(frame: pd.DataFrame, name: str, make) -> None:
    """``<name>@key`` from ``make(record)`` for every row (None: no cell)."""
    frame[f"{name}@key"] = pd.Series([make(r) for r in frame.to_dict("records")], dtype=object)


def staff_key(cells: Cells, date, worker_type, rank, lpu, eth: str):
    """The cell of a staff snapshot: a worker type (or everyone), a rank or band (or every
    one), an LPU (or every one), and an ethnic grouping, "stated" or "all". None for a
    rank, worker type or LPU nobody held on that date: its count is 0 and names no one, and
    a change from it does not exist ([x]), though the snapshot's ``post`` dimension holds
    every post of the force (:attr:`Cells.every_post`)."""
    population = cells.staff(date)
    domain = cells.universe.dims(population)
    posts = None
    if worker_type not in (None, "All"):
        posts = cells.posts(population, worker_type, None if rank in (None, "All") else rank)
        if not posts or not posts & cells.held_posts(date):
            return None
    if lpu not in (None, "All") and lpu not in domain["lpu"]:
        return None
    return cells.key(
        population, post=posts, lpu=None if lpu in (None, "All") else lpu, eth=cells.eth(eth)
    )


def in_years(n: int) -> str:
    """A number of years in words: 'one year', 'three years' (see :func:`in_words`)."""
    return "one year" if n == 1 else f"{in_words(n)} years"


def trend_dates(cells: Cells, snapshot_date) -> list:
    """Every snapshot loaded, up to ``snapshot_date``: the rows of the tables over time."""
    rows = cells.con.execute(
        """select distinct snapshot_date from analytics.representation_trend
           where snapshot_date <= ? order by 1""",
        [pd.Timestamp(snapshot_date).date()],
    ).fetchall()
    return [r[0] for r in rows]


def window_dates(cells: Cells, snapshot_date) -> list:
    """The snapshots of the trend window: [projections] window_years up to the latest (the
    points the straight line, the "current rate", is fitted to)."""
    start = pd.Timestamp(snapshot_date) - pd.DateOffset(
        years=cells.settings.projections.window_years
    )
    return [d for d in trend_dates(cells, snapshot_date) if pd.Timestamp(d) >= start]


def window_words(cells: Cells, snapshot_date) -> str:
    """The snapshots the rates window holds, for a sentence or a heading: "the last three
    years" when they reach back the whole [projections] window_years, else the span they
    do cover ("the two years from 31 March 2024 to 31 March 2026", "31 March 2026 alone"),
    so a window longer than the history loaded is never described as full."""
    window = cells.settings.projections.window_years
    dates = [pd.Timestamp(d) for d in window_dates(cells, snapshot_date)]
    start = pd.Timestamp(snapshot_date) - pd.DateOffset(years=window)
    if not dates or dates[0] - start <= pd.Timedelta(days=62):
        return f"the last {in_years(window)}"
    if len(dates) == 1:
        return f"{fmt.date(dates[0])} alone"
    span = max(1, round((dates[-1] - dates[0]).days / 365.25))
    return f"the {in_years(span)} from {fmt.date(dates[0])} to {fmt.date(dates[-1])}"


def recruit_words(cells: Cells, years: list[int]) -> str:
    """The reporting ``years`` of joiners a recruits' share is over (those the rates window
    holds): "the last three years" when they fill [projections] window_years, else the
    months they cover ("April 2025 to March 2026")."""
    window = cells.settings.projections.window_years
    if not years or len(years) >= window:
        return f"the last {in_years(window)}"
    return f"April {min(years) - 1} to March {max(years)}"


def held(frame: pd.DataFrame, name: str) -> pd.Series:
    """Whether each row's count ``name`` is a cell: False where there was no snapshot, or
    nobody held the unit on it (its 0 names no one), so a change from it does not exist."""
    return frame[f"{name}@key"].map(lambda key: isinstance(key, Key))


def sources_where(frame: pd.DataFrame, exists: pd.Series, names, prefix: str) -> tuple[str, ...]:
    """The count columns ``names`` as the sources of a figure that exists only in the rows
    where ``exists`` holds (a change needs a previous snapshot): copies keyed in those rows
    alone, so that elsewhere the figure is [x], whatever its counts, and never [c] (it does
    not exist by the table's design, not because of a count). Returns the copies' names."""
    copies = []
    for name in names:
        copy = f"{prefix}_{name}"
        frame[copy] = frame[name]
        frame[f"{copy}@key"] = pd.Series(
            [k if e else None for k, e in zip(frame[f"{name}@key"], exists, strict=True)],
            dtype=object,
            index=frame.index,
        )
        copies.append(copy)
    return tuple(copies)


def year_label(reporting_year: int) -> str:
    """A reporting year in words (no number a sentence would have to find in a table)."""
    return f"April {reporting_year - 1} to March {reporting_year}"


# --------------------------------------------------------------------------- over time

TREND_SQL = """
select * from analytics.representation_trend
where group_code = ? and lpu_code = 'All' and snapshot_date >= ? and snapshot_date <= ?
    and {where}
"""
ESTIMATE_NOTE = (
    "The estimated population share is on the straight line through the 2011 and 2021 "
    "censuses, carried on past 2021: an estimate, not a census count. Every share, ratio "
    "and gap elsewhere in the report is against Census 2021."
)


def straight_line_rule(cells: Cells) -> str:
    """The note beside every table that shows a straight line: when it is shown at all
    (``analytics.representation_trend.trend_line_note``) and where it stops."""
    p = cells.settings.projections
    return (
        f"A straight line (current rate) is drawn only through at least "
        f"{in_words(p.trend_min_snapshots)} snapshots of the last {in_years(p.window_years)} "
        f"with at least {in_words(p.trend_min_declared_headcount)} people stating an "
        "ethnicity at each, and is carried forward only while it stays between none and all "
        "of them; elsewhere it is [x]: a line through fewer points or people, or past those "
        "bounds, is not a forecast."
    )


NO_2011_NOTE = (
    "No earlier census is loaded, so no trend in the population is estimated: the "
    "benchmark is the Census 2021 share, held flat."
)

ESTIMATE_DEFINITION = (
    "Estimated population share",
    "The share on the straight line through Census 2011 and Census 2021, interpolated "
    "between them and extrapolated after 2021: an estimate of how the population has moved, "
    "not a count.",
)


def over_time_table(
    cells: Cells,
    window: list,
    frame: pd.DataFrame,
    *,
    table_id: str,
    caption: str,
    first_header: str,
    group: str | None = None,
) -> DeclaredTable:
    """One row per line and snapshot loaded (``frame``: representation_trend rows in table
    order with ``line`` naming each row's line, unique at each snapshot, and ``is_total``;
    ``eth``, each row's group, is the headline group where not given; ``group`` names the
    group in the headers, the headline's label where not given, and "the row's group" where
    the rows are of several): the counts and
    share, the change since the previous snapshot ([x] at the first, which has none), the
    straight line's slope at the latest snapshot (fitted to the snapshots of the
    ``window``; [x] at the others), and the benchmark estimated for each date."""
    frame = frame.reset_index(drop=True)
    frame["x"] = frame["snapshot_date"].map(fmt.date)
    frame["label"] = frame["line"] + ", " + frame["x"]

    if "eth" not in frame:
        frame["eth"] = cells.headline

    def key(record, date, eth):
        eth = record["eth"] if eth is None else eth
        return staff_key(
            cells, date, record["worker_type"], record["rank_or_band"], record["lpu_code"], eth
        )

    for name, eth, when in (
        ("declared_headcount", "stated", "snapshot_date"),
        ("group_headcount", None, "snapshot_date"),
        ("previous_declared_headcount", "stated", "previous_snapshot_date"),
        ("previous_group_headcount", None, "previous_snapshot_date"),
    ):
        add_keys(frame, name, lambda r, e=eth, d=when: None if pd.isna(r[d]) else key(r, r[d], e))
    # The straight line at the latest snapshot is fitted to every snapshot of the window;
    # it exists there only where the unit was held at two of them at least, and is not
    # shown at the other snapshots.
    latest = frame["snapshot_date"] == frame["snapshot_date"].max()
    frame.loc[~latest, "trend_share_change_per_year"] = None
    window_columns = []
    for i, date in enumerate(window):
        at = frame[frame["snapshot_date"] == pd.Timestamp(date)].set_index("line")
        for name, eth in (("group_headcount", None), ("declared_headcount", "stated")):
            column = f"window{i}_{name}"
            window_columns.append(column)
            frame[column] = frame["line"].map(at[name]).fillna(0)
            add_keys(frame, column, lambda r, d=date, e=eth: key(r, d, e))
    points = sum(held(frame, f"window{i}_declared_headcount") for i in range(len(window)))
    sources = sources_where(frame, latest & (points >= 2), window_columns, "slope")
    for name in ("previous_declared_headcount", "previous_group_headcount"):
        frame[name] = frame[name].where(
            frame["previous_snapshot_date"].isna(), frame[name].fillna(0)
        )
    previous = ("previous_group_headcount", "previous_declared_headcount")
    changed = sources_where(frame, held(frame, "previous_declared_headcount"), COUNTS, "change")
    label = group or headline_label(cells.settings)
    years = (
        window_words(cells, window[-1])
        if window
        else "the last " + in_years(cells.settings.projections.window_years)
    )
    columns = (
        Column("label", first_header, "label"),
        Column("declared_headcount", "Stated an ethnicity", "count"),
        Column("group_headcount", f"{label}: people", "count"),
        Column("group_share", f"{label}: share of those stating", "share", of=COUNTS),
        Column("group_share_change", "Change since the previous snapshot (percentage points)",
               "points", of=(*changed, *previous),
               difference=("previous_group_share", "group_share")),
        Column("trend_share_change_per_year",
               f"Straight-line trend over the snapshots of {years} (percentage "
               "points a year)", "points", of=tuple(sources)),
        # without a 2011 census the estimate is the 2021 share held flat: not shown twice
        *([Column("estimated_population_share", ESTIMATE_LABEL, "share")]
          if census_trend(cells) else []),
        Column("population_share", CENSUS_LABEL, "share"),
    )  # fmt: skip
    return DeclaredTable(
        id=table_id,
        caption=caption,
        columns=columns,
        frame=frame,
        total_rows=frozenset(frame.loc[frame["is_total"], "label"]),
        notes=(ESTIMATE_NOTE if census_trend(cells) else NO_2011_NOTE, straight_line_rule(cells)),
    )


def over_time_chart(
    table: DeclaredTable, title: str, axis: str, alt: str, rows: tuple[str, ...]
) -> Chart:
    """A line per unit across the snapshots, the trended benchmark dashed, Census 2021
    dotted (without a trend, Census 2021 dashed alone)."""
    trended = any(c.name == "estimated_population_share" for c in table.columns)
    return Chart(
        kind="lines",
        series=(Series("group_share", "Share of those who stated an ethnicity"),),
        benchmark=Series("estimated_population_share", ESTIMATE_LABEL)
        if trended
        else Series("population_share", CENSUS_LABEL),
        references=(Series("population_share", CENSUS_LABEL),) if trended else (),
        axis=axis,
        title=title,
        alt=alt,
        x="x",
        line="line",
        rows=rows,
    )


def trend_by_worker_type(cells: Cells, snapshot_date):
    """Each worker type's share at every snapshot loaded: the change since the previous
    snapshot, the straight line's slope, and the benchmark estimated for the date."""
    dates = trend_dates(cells, snapshot_date)
    if len(dates) < 2:
        return []
    label = headline_label(cells.settings)
    raw = cells.con.execute(
        TREND_SQL.format(where="rank_or_band = 'All'"),
        [cells.headline, pd.Timestamp(dates[0]).date(), pd.Timestamp(dates[-1]).date()],
    ).df()
    order = {w: i for i, w in enumerate((*WORKER_TYPE_ORDER, "All"))}
    raw = raw[raw["worker_type"].isin(order)].copy()
    raw["order"] = raw["worker_type"].map(order)
    frame = raw.sort_values(["order", "snapshot_date"])
    names = {**codes.WORKER_TYPES, "All": ALL_WORKERS}
    frame = frame.assign(
        line=frame["worker_type"].map(names), is_total=frame["worker_type"] == "All"
    )
    title = "The workforce over time"
    first, last = fmt.date(dates[0]), fmt.date(dates[-1])
    table = over_time_table(
        cells, window_dates(cells, snapshot_date), frame,
        table_id="trend-by-worker-type",
        caption=f"{title}: {label}, by worker type, {first} to {last}",
        first_header="Worker type and snapshot",
    )  # fmt: skip
    whole = [r for r in table.labels if r.startswith(f"{ALL_WORKERS}, ")]

    def compose() -> Prose:
        start, end = whole[0], whole[-1]
        if number(table, start, "group_share") is None or number(table, end, "group_share") is None:
            message = f"{label}: the workforce's share over time cannot be shown."
            title_text = message
        else:
            title_text = (
                f"{label}: {table.text(start, 'group_share')} of the workforce who stated an "
                f"ethnicity on {first}, {table.text(end, 'group_share')} on {last}"
            )
            slope = table.value(end, "trend_share_change_per_year")
            years = in_years(cells.settings.projections.window_years)
            pace = (
                f"a straight line through the snapshots of {window_words(cells, snapshot_date)} "
                "moves "
                f"{table.text(end, 'trend_share_change_per_year')} percentage points a year"
                if number(table, end, "trend_share_change_per_year") is not None
                else "the straight line's slope is withheld"
                if slope is WITHHELD
                else f"too few snapshots or people in the last {years} for a straight line"
            )
            message = (
                f"{title_text} ({pace}), while the population's share is estimated to have "
                f"moved from {table.text(start, 'estimated_population_share')} to "
                f"{table.text(end, 'estimated_population_share')} on the census trend."
                if census_trend(cells)
                else f"{title_text} ({pace}), against a population share of "
                f"{table.text(end, 'population_share')} at Census 2021 (no earlier census is "
                "loaded, so no trend in the population is estimated)."
            )
        return Prose(
            message=message,
            chart=over_time_chart(
                table,
                title_text,
                f"{label} share of those who stated an ethnicity (%)",
                f"Line chart of the {label} share of each worker type and of the whole "
                f"workforce at each snapshot from {first} to {last}, with {benchmark_alt(cells)}"
                "; the values are in the table.",
                tuple(table.labels),
            ),
            findings=[message] if number(table, end, "group_share") is not None else [],
            definitions=[ESTIMATE_DEFINITION] if census_trend(cells) else [],
        )

    return Section("trend-by-worker-type", THEME, title, table, compose)


RANK_LINES = 4
"""The officer ranks drawn as lines (the lowest ranks whose latest share is shown), beside
all officers: more lines than that cannot be told apart; the table holds every rank."""


def trend_by_rank_over_time(cells: Cells, snapshot_date):
    """Each officer rank's share at every snapshot loaded, as for worker types;
    the chart draws the lowest ranks whose latest share can be shown, and all officers."""
    dates = trend_dates(cells, snapshot_date)
    if len(dates) < 2:
        return []
    label = headline_label(cells.settings)
    frame = cells.con.execute(
        TREND_SQL.format(where="worker_type = 'police_officer'")
        + " order by rank_or_band = 'All', rank_order, rank_or_band, snapshot_date",
        [cells.headline, pd.Timestamp(dates[0]).date(), pd.Timestamp(dates[-1]).date()],
    ).df()
    if frame.empty:
        return []
    total = frame["rank_or_band"] == "All"
    frame = frame.assign(line=frame["rank_or_band"].where(~total, "All officers"), is_total=total)
    title = "Officers by rank over time"
    first, last = fmt.date(dates[0]), fmt.date(dates[-1])
    table = over_time_table(
        cells, window_dates(cells, snapshot_date), frame,
        table_id="trend-by-rank-over-time",
        caption=f"{title}: {label}, {first} to {last}", first_header="Rank and snapshot",
    )  # fmt: skip
    lines = list(dict.fromkeys(table.frame["line"]))
    line_of = dict(zip(table.frame["label"], table.frame["line"], strict=True))

    def compose() -> Prose:
        moved = []
        for line in lines:
            start, end = f"{line}, {first}", f"{line}, {last}"
            if (
                start in table.labels
                and end in table.labels
                and None
                not in (number(table, start, "group_share"), number(table, end, "group_share"))
            ):
                moved.append((line, start, end))
        ranks = [m for m in moved if m[0] != "All officers"][:RANK_LINES]
        everyone = [m for m in moved if m[0] == "All officers"]
        drawn = {m[0] for m in (*ranks, *everyone)}
        if not ranks:
            message = f"No rank's {label} share over time can be shown; the numbers are too small."
        else:
            message = (
                f"{label} share of officers at each rank from {first} to {last}: "
                + "; ".join(
                    f"{line} from {table.text(start, 'group_share')} to "
                    f"{table.text(end, 'group_share')}"
                    for line, start, end in (*ranks, *everyone)
                )
                + "."
            )
        rows = tuple(r for r in table.labels if line_of[r] in drawn)
        chart = over_time_chart(
            table,
            message,
            f"{label} share of officers who stated an ethnicity (%)",
            f"Line chart of the {label} share of officers"
            + (f" at each of {fmt.join([m[0] for m in ranks])} and" if ranks else "")
            + f" of all officers at each snapshot from {first} to {last}, with "
            f"{benchmark_alt(cells)}; every rank's values are in the table.",
            rows,
        )
        return Prose(
            message=message,
            chart=chart if rows else None,
            definitions=[ESTIMATE_DEFINITION] if census_trend(cells) else [],
        )

    return Section("trend-by-rank-over-time", THEME, title, table, compose)


# --------------------------------------------------------------------------- each group

BREAKDOWNS = {
    # section id suffix: (title, where, unit column, first header, people)
    "worker-type": ("The workforce by worker type and ethnic group over time",
                    "rank_or_band = 'All' and lpu_code = 'All'", "worker_type", "Worker type",
                    "the workforce"),
    "rank": ("Officers by rank and ethnic group over time",
             "worker_type = 'police_officer' and lpu_code = 'All'", "rank_or_band", "Rank",
             "officers"),
    "band": ("Police staff by band and ethnic group over time",
             "worker_type = 'police_staff' and lpu_code = 'All'", "rank_or_band", "Band",
             "police staff"),
    "lpu": ("Officers by Local Policing Unit and ethnic group over time",
            "worker_type = 'police_officer' and rank_or_band = 'All'", "lpu_code", "LPU",
            "officers"),
}  # fmt: skip
"""The breakdowns the issue asks every group's share over time by (issue 14)."""

GROUP_TREND_SQL = """
select * from analytics.representation_trend
where snapshot_date >= ? and snapshot_date <= ? and group_code in ({groups}) and {where}
"""


def _unit_name(record: dict, unit: str) -> str:
    if unit == "worker_type":
        return {**codes.WORKER_TYPES, "All": ALL_WORKERS}[record["worker_type"]]
    if unit == "lpu_code":
        return "All officers" if record["lpu_code"] == "All" else record["lpu_name"]
    if record["rank_or_band"] == "All":
        return "All officers" if record["worker_type"] == "police_officer" else "All police staff"
    return record["rank_or_band"]


def trend_groups_over_time(cells: Cells, snapshot_date, breakdown: str):
    """Every group's share (both definitions, the broad groups, Black on its own) of each
    unit of ``breakdown`` at every snapshot loaded, one line per unit and group."""
    dates = trend_dates(cells, snapshot_date)
    if len(dates) < 2:
        return []
    title, where, unit, first_header, people = BREAKDOWNS[breakdown]
    unit_noun = first_header if unit == "lpu_code" else first_header.lower()
    frame = cells.con.execute(
        GROUP_TREND_SQL.format(groups=", ".join("?" for _ in GROUPS), where=where),
        [pd.Timestamp(dates[0]).date(), pd.Timestamp(dates[-1]).date(), *GROUPS],
    ).df()
    if unit == "worker_type":
        frame = frame[frame["worker_type"].isin((*WORKER_TYPE_ORDER, "All"))]
    if frame.empty:
        return []
    frame = frame.copy()
    frame["unit_name"] = [_unit_name(r, unit) for r in frame.to_dict("records")]
    total = frame[unit] == "All"
    unit_order = (
        frame["worker_type"].map({w: i for i, w in enumerate((*WORKER_TYPE_ORDER, "All"))})
        if unit == "worker_type"
        else frame["rank_order"].fillna(0)
        if unit == "rank_or_band"
        else frame["unit_name"].rank(method="dense")
    )
    frame = frame.assign(
        is_total=total, unit_order=unit_order.where(~total, 10_000), eth=frame["group_code"],
        line=frame["unit_name"] + ": " + frame["group_label"],
    ).sort_values(["unit_order", "unit_name", "group_sort_order", "snapshot_date"])  # fmt: skip
    first, last = fmt.date(dates[0]), fmt.date(dates[-1])
    section_id = f"trend-groups-by-{breakdown}"
    table = over_time_table(
        cells, window_dates(cells, snapshot_date), frame, table_id=section_id,
        caption=f"{title}: each ethnic group, {first} to {last}",
        first_header=f"{first_header}, ethnic group and snapshot",
        group=ROW_GROUP,
    )  # fmt: skip
    return Section(section_id, THEME, title, table,
                   lambda: _groups_prose(cells, table, people, unit_noun, first, last))  # fmt: skip


ROW_GROUP = "The row's ethnic group"
"""How the headers of a table of several groups name the group (each row names its own)."""

FOCUS_GROUP = "black"
"""The group each breakdown's chart draws (the Police Race Action Plan's focus); every
group's figures are in the table."""


def _groups_prose(
    cells: Cells, table: DeclaredTable, people: str, unit_noun: str, first, last
) -> Prose:
    """The chart of the Black share of each unit over time (the lowest units whose first
    and latest shares are shown, and the total), with the sentence it is titled by."""
    frame = table.frame
    focus = frame[frame["group_code"] == FOCUS_GROUP]
    group = str(focus["group_label"].iloc[0]) if not focus.empty else "Black"
    moved = []
    for line, rows in focus.groupby("line", sort=False):
        start, end = rows["label"].iloc[0], rows["label"].iloc[-1]
        if start != end and None not in (
            number(table, start, "group_share"),
            number(table, end, "group_share"),
        ):
            moved.append((line, bool(rows["is_total"].iloc[0]), start, end))
    units = [m for m in moved if not m[1]][:RANK_LINES]
    totals = [m for m in moved if m[1]]
    drawn = [*units, *totals]
    if not drawn:
        message = (
            f"No {unit_noun}'s {group} share of {people} over time can be shown; the "
            "numbers are too small to publish, or would let smaller ones be worked out. "
            "Every group's figures that can be shown are in the table."
        )
        return Prose(message=message)
    message = (
        f"{group} share of {people} from {first} to {last}: "
        + "; ".join(
            f"{line.removesuffix(': ' + group)} from {table.text(start, 'group_share')} to "
            f"{table.text(end, 'group_share')}"
            for line, _, start, end in drawn
        )
        + ". Every group's share, both definitions of ethnic minority and each broad group, "
        "is in the table."
    )
    lines = {m[0] for m in drawn}
    rows = tuple(r for r, line in zip(table.labels, frame["line"], strict=True) if line in lines)
    by_lpu = unit_noun == "LPU"
    chart = over_time_chart(
        table,
        message.split(". ")[0] + ".",
        f"{group} share of {people} who stated an ethnicity (%)",
        f"Line chart of the {group} share of "
        + ("" if unit_noun == "worker type" else f"{people} at ")
        + fmt.join([m[0].removesuffix(": " + group) for m in drawn])
        + f" at each snapshot from {first} to {last}"
        + ("; each LPU's population share is in the table" if by_lpu
           else f", with {benchmark_alt(cells)}")
        + "; every group's values are in the table.",
        rows,
    )  # fmt: skip
    if by_lpu:  # each LPU has its own population: no one reference line
        chart = replace(chart, benchmark=None, references=())
    return Prose(
        message=message,
        chart=chart,
        definitions=[ESTIMATE_DEFINITION] if census_trend(cells) else [],
    )


def trend_groups_by_worker_type(cells: Cells, snapshot_date):
    return trend_groups_over_time(cells, snapshot_date, "worker-type")


def trend_groups_by_rank(cells: Cells, snapshot_date):
    return trend_groups_over_time(cells, snapshot_date, "rank")


def trend_groups_by_band(cells: Cells, snapshot_date):
    return trend_groups_over_time(cells, snapshot_date, "band")


def trend_groups_by_lpu(cells: Cells, snapshot_date):
    return trend_groups_over_time(cells, snapshot_date, "lpu")


# --------------------------------------------------------------------------- a year on

YEAR_ON_SQL = """
select * from analytics.representation_trend
where snapshot_date = ? and year_earlier_snapshot_date is not null and {where}
"""


def year_on_table(
    cells: Cells,
    snapshot_date,
    frame: pd.DataFrame,
    *,
    table_id: str,
    caption: str,
    first_header: str,
) -> DeclaredTable:
    """One row per unit (``frame``: representation_trend rows with ``label``, ``is_total``
    and ``eth``): its counts and share a year earlier and now, the change, and the Census
    2021 share of its population."""  # fmt: skip
    frame = frame.reset_index(drop=True)
    for name in ("year_earlier_declared_headcount", "year_earlier_group_headcount"):
        frame[name] = frame[name].fillna(0)  # nobody in the unit a year earlier
    for name, when, stated in (
        ("declared_headcount", "snapshot_date", True),
        ("group_headcount", "snapshot_date", False),
        ("year_earlier_declared_headcount", "year_earlier_snapshot_date", True),
        ("year_earlier_group_headcount", "year_earlier_snapshot_date", False),
    ):
        add_keys(frame, name, lambda r, d=when, s=stated: staff_key(
            cells, r[d], r["worker_type"], r["rank_or_band"], r["lpu_code"],
            "stated" if s else r["eth"]))  # fmt: skip
    then = fmt.date(frame["year_earlier_snapshot_date"].iloc[0])
    now = fmt.date(snapshot_date)
    earlier = ("year_earlier_group_headcount", "year_earlier_declared_headcount")
    changed = sources_where(frame, held(frame, earlier[1]), COUNTS, "change")
    columns = (
        Column("label", first_header, "label"),
        Column("year_earlier_declared_headcount", f"{then}: stated an ethnicity", "count"),
        Column("year_earlier_group_headcount", f"{then}: in the group", "count"),
        Column("year_earlier_group_share", f"{then}: share", "share", of=earlier),
        Column("declared_headcount", f"{now}: stated an ethnicity", "count"),
        Column("group_headcount", f"{now}: in the group", "count"),
        Column("group_share", f"{now}: share", "share", of=COUNTS),
        Column("annual_group_share_change", "Change over the year (percentage points)",
               "points", of=(*changed, *earlier),
               difference=("year_earlier_group_share", "group_share")),
        Column("population_share", CENSUS_LABEL, "share"),
    )  # fmt: skip
    return DeclaredTable(id=table_id, caption=caption, columns=columns, frame=frame,
                         total_rows=frozenset(frame.loc[frame["is_total"], "label"]))  # fmt: skip


def year_on_prose(table: DeclaredTable, noun: str, people: str, group: str | None) -> Prose:
    """The rows' changes over the year, largest rise and largest fall, and the chart of each
    row's share a year earlier and now. ``group``: the one group every row's share is of
    (None: each row is a group of its own)."""
    body = [r for r in table.labels if r not in table.total_rows]
    column = "annual_group_share_change"
    changes = [(r, fmt.as_shown(table, r, column)) for r in body]  # at the precision shown
    changes = [(r, c) for r, c in changes if c is not None]
    earlier = next(c.header for c in table.columns if c.name == "year_earlier_group_share")
    now = next(c.header for c in table.columns if c.name == "group_share")
    share = f"the {group} share of {people}" if group else f"each group's share of {people}"
    if body and all(table.text(r, column) == fmt.NOT_APPLICABLE for r in body):  # all [x]
        message = (
            f"No {noun}'s change over the year can be worked out: none had people who stated "
            "an ethnicity both a year earlier and now."
        )
    elif not changes:
        message = f"No {noun}'s change over the year can be shown; the numbers are too small."
    else:
        (high, most), (low, least) = (
            max(changes, key=lambda item: item[1]),
            min(changes, key=lambda item: item[1]),
        )

        rows = [r for r, _ in changes]

        def moved(row: str, unit: str = "") -> str:
            return fmt.superlative(table, rows, column, row, unit)

        points = " percentage points"
        if most == least:  # every row the same as shown: said once, not as most and least
            change = f"{'rose' if most > 0 else 'fell' if most < 0 else 'did not move'} for "
            message = f"Over the year {share} {change}{moved(high, points)}."
        elif most > 0 > least:
            message = (
                f"Over the year {share} rose most for {moved(high, points)} and fell most for "
                f"{moved(low)}."
            )
        elif least >= 0:  # a row written 0.0 did not rise, least or otherwise
            message = (
                f"Over the year {share} rose most for {moved(high, points)} and "
                f"{'did not move for' if least == 0 else 'least for'} {moved(low)}."
            )
        else:
            message = (
                f"Over the year {share} fell most for {moved(low, points)} and "
                f"{'did not move for' if most == 0 else 'least for'} {moved(high)}."
            )
        # over the rows shown, and says so (tied or not: withheld rows may not be the same)
        message = message[:-1] + fmt.among_shown(len(changes), len(body), f"{noun}s") + "."
    subject = f"{group} share" if group else "Each group's share"
    return Prose(
        message=message,
        chart=Chart(
            kind="bars",
            series=(
                Series("year_earlier_group_share", earlier.removesuffix(": share")),
                Series("group_share", now.removesuffix(": share")),
            ),
            benchmark=Series("population_share", CENSUS_LABEL),
            axis=f"{subject} of {people} who stated an ethnicity (%)",
            title=message,
            alt=(
                f"Bar chart of {share}{f' at each {noun}' if group else ''} a year earlier "
                "and now, with the "
                "Census 2021 population share as a dashed marker; the values are in the "
                "table."
            ),
            rows=tuple(body),
        ),
    )


def trend_by_group(cells: Cells, snapshot_date):
    """Both headline definitions, each broad group (Black on its own among them), for the
    whole workforce, a year earlier and now."""
    frame = cells.con.execute(
        YEAR_ON_SQL.format(
            where="worker_type = 'All' and rank_or_band = 'All' and lpu_code = 'All' "
            f"and group_code in ({', '.join('?' for _ in GROUPS)}) order by group_sort_order"
        ),
        [pd.Timestamp(snapshot_date).date(), *GROUPS],
    ).df()
    if frame.empty:
        return []
    frame = frame.assign(label=frame["group_label"], is_total=False, eth=frame["group_code"])
    title = "Each ethnic group a year on"
    table = year_on_table(
        cells, snapshot_date, frame, table_id="trend-by-group",
        caption=f"{title}: the whole workforce", first_header="Ethnic group",
    )  # fmt: skip
    return Section("trend-by-group", THEME, title, table,
                   lambda: year_on_prose(table, "group", "the workforce", None))  # fmt: skip


def _ladder_year_on(cells: Cells, snapshot_date, worker_type: str, noun: str, section_id: str):
    frame = cells.con.execute(
        YEAR_ON_SQL.format(where="worker_type = ? and lpu_code = 'All' and group_code = ?")
        + " order by rank_order nulls last",
        [pd.Timestamp(snapshot_date).date(), worker_type, cells.headline],
    ).df()
    if frame.empty:
        return []
    people = {"police_officer": "officers", "police_staff": "police staff"}[worker_type]
    total = frame["rank_or_band"] == "All"
    frame = frame.assign(
        is_total=total, label=frame["rank_or_band"].where(~total, f"All {people}"),
        eth=cells.headline,
    )  # fmt: skip
    title = f"{people[0].upper()}{people[1:]} by {noun} a year on"
    table = year_on_table(
        cells, snapshot_date, frame, table_id=section_id,
        caption=f"{title}: {headline_label(cells.settings)}", first_header=noun.capitalize(),
    )  # fmt: skip
    return Section(
        section_id,
        THEME,
        title,
        table,
        lambda: year_on_prose(table, noun, people, headline_label(cells.settings)),
    )


def trend_by_rank(cells: Cells, snapshot_date):
    return _ladder_year_on(cells, snapshot_date, "police_officer", "rank", "trend-by-rank")


def trend_by_band(cells: Cells, snapshot_date):
    return _ladder_year_on(cells, snapshot_date, "police_staff", "band", "trend-by-band")


def trend_by_lpu(cells: Cells, snapshot_date):
    frame = cells.con.execute(
        YEAR_ON_SQL.format(
            where="worker_type = 'police_officer' and rank_or_band = 'All' and group_code = ?"
        ),
        [pd.Timestamp(snapshot_date).date(), cells.headline],
    ).df()
    if frame.empty:
        return []
    total = frame["lpu_code"] == "All"
    frame = frame.assign(
        is_total=total, label=frame["lpu_name"].where(~total, "All officers"), eth=cells.headline
    ).sort_values(["is_total", "lpu_name"])  # fmt: skip
    title = "Officers by Local Policing Unit a year on"
    table = year_on_table(
        cells, snapshot_date, frame, table_id="trend-by-lpu",
        caption=f"{title}: {headline_label(cells.settings)}, against each LPU's population",
        first_header="LPU",
    )  # fmt: skip
    group = headline_label(cells.settings)
    return Section("trend-by-lpu", THEME, title, table,
                   lambda: year_on_prose(table, "LPU", "officers", group))  # fmt: skip


# --------------------------------------------------------------------------- joiners

JOINERS_SQL = """
select * from analytics.joiners_mix
where group_code = ? and {where}
order by reporting_year, worker_type = 'All', worker_type, entry_route
"""


def joiners_population(cells: Cells) -> str:
    """``joiners``: every joiner up to the latest snapshot, by reporting year, worker type,
    entry route and ethnicity code (registered once per build)."""
    if "joiners" not in cells.universe.domains:
        frame = cells.con.execute(
            """select distinct reporting_year, worker_type, entry_route
               from analytics.joiners_mix where worker_type <> 'All' and entry_route <> 'All'"""
        ).df()
        cells.items(
            "joiners",
            year=sorted({str(y) for y in frame["reporting_year"]}),
            wt=sorted(set(frame["worker_type"])),
            route=sorted(set(frame["entry_route"])),
            eth=ETHNICITY_CODES,
        )
    return "joiners"


def joiner_years(cells: Cells) -> set[int]:
    return {int(y) for y in cells.universe.dims(joiners_population(cells))["year"] if y != "none"}


def joiner_key(cells: Cells, years, worker_type, route, eth: str):
    """The cell of the group's (or "stated", "all") joiners in the reporting ``years``; a
    worker type or route nobody joined by is a cell too (of nobody, 0)."""
    population = joiners_population(cells)
    extra = {"year": [str(y) for y in years]}
    if worker_type not in (None, "All"):
        extra["wt"] = [worker_type]
    if route not in (None, "All"):
        extra["route"] = [route]
    cells.universe.add(population, **extra)
    return cells.key(
        population,
        year=[str(y) for y in years],
        wt=None if worker_type in (None, "All") else worker_type,
        route=None if route in (None, "All") else route,
        eth=cells.eth(eth),
    )


def _joiner_keys(cells: Cells, frame: pd.DataFrame) -> None:
    for name, eth in (("joiner_count", "all"), ("declared_joiner_count", "stated"),
                      ("group_joiner_count", cells.headline)):  # fmt: skip
        add_keys(frame, name, lambda r, e=eth: joiner_key(
            cells, [r["reporting_year"]], r["worker_type"], r["entry_route"], e))  # fmt: skip


def _recruitment_verdict(table: DeclaredTable, row: str) -> str:
    """The end of the joiners' sentence: whether recruitment raises the share, judged only
    from the comparison the table shows (hostile 6, finding 16: a first night's [x], or a
    withheld [c], fell into "not raising")."""
    workforce = table.text(row, "workforce_group_share")
    population = table.text(row, "population_share")
    ratio = number(table, row, "joiner_workforce_ratio")
    if ratio is None or number(table, row, "workforce_group_share") is None:
        why = (
            "no snapshot of the start of the year is loaded"
            if workforce == "[x]"
            else "the officers' share at the start of the year is withheld to protect small numbers"
            if workforce == "[c]"
            else "the comparison is withheld to protect small numbers"
        )
        return (
            f", against {population} of the population; whether recruitment is raising the "
            f"officers' share cannot be compared yet: {why}."
        )
    verdict = (
        "recruitment is raising the share, but it cannot take it past the joiners' own mix."
        if ratio > 1
        else "recruitment is not raising the share."
    )
    return (
        f", against {workforce} of officers at the start of the year and {population} of "
        f"the population: {verdict}"
    )


def joiners_mix(cells: Cells, snapshot_date):
    """Joiners' share each year by worker type, against the workforce they joined."""
    label = headline_label(cells.settings)
    frame = cells.con.execute(
        JOINERS_SQL.format(where="entry_route = 'All'"), [cells.headline]
    ).df()
    if frame.empty:
        return []
    order = {w: i for i, w in enumerate((*WORKER_TYPE_ORDER, "All"))}
    frame = frame.assign(order=frame["worker_type"].map(order)).sort_values(
        ["reporting_year", "order"]).reset_index(drop=True)  # fmt: skip
    names = {**codes.WORKER_TYPES, "All": "All joiners"}
    frame["label"] = (
        frame["worker_type"].map(names) + ", " + frame["reporting_year"].map(year_label)
        + frame["is_partial_year"].map({True: " (so far)", False: ""})
    )  # fmt: skip
    _joiner_keys(cells, frame)
    for name, eth in (("workforce_declared_headcount", "stated"),
                      ("workforce_group_headcount", cells.headline)):  # fmt: skip
        add_keys(frame, name, lambda r, e=eth: None if pd.isna(r["workforce_snapshot_date"])
                 else staff_key(cells, r["workforce_snapshot_date"], r["worker_type"], "All",
                                "All", e))  # fmt: skip
    workforce = ("workforce_group_headcount", "workforce_declared_headcount")
    joined = ("group_joiner_count", "declared_joiner_count")
    columns = (
        Column("label", "Joiners and reporting year", "label"),
        Column("joiner_count", "Joiners", "count"),
        Column("declared_joiner_count", "Stated an ethnicity", "count"),
        Column("group_joiner_count", f"{label}: joiners", "count"),
        Column("group_share", f"{label}: share of joiners stating", "share", of=joined),
        Column("workforce_declared_headcount", "Workforce at the start of the year: stated",
               "count"),
        Column("workforce_group_headcount", "Workforce at the start of the year: in the group",
               "count"),
        Column("workforce_group_share", "Workforce share at the start of the year", "share",
               of=workforce),
        Column("joiner_workforce_ratio", "Joiners' share ÷ workforce share", "ratio",
               of=(*joined, *workforce)),
        Column("population_share", CENSUS_LABEL, "share"),
    )  # fmt: skip
    title = "Joiners against the workforce they join"
    table = DeclaredTable(
        id="joiners-mix", caption=f"{title}: {label}, by reporting year (April to March)",
        columns=columns, frame=frame,
        total_rows=frozenset(frame.loc[frame["worker_type"] == "All", "label"]),
    )  # fmt: skip
    officers = [r for r, w in zip(table.labels, frame["worker_type"], strict=True)
                if w == "police_officer"]  # fmt: skip

    def compose() -> Prose:
        shown = [r for r in officers if number(table, r, "group_share") is not None]
        if not shown:
            message = f"{label}: the share of officer joiners cannot be shown."
        else:
            last = shown[-1]
            message = (
                f"{label}: {table.text(last, 'group_share')} of officers who joined in "
                f"{last.split(', ', 1)[1]}" + _recruitment_verdict(table, last)
            )
        return Prose(
            message=message,
            chart=Chart(
                kind="bars",
                series=(Series("group_share", "Joiners"),
                        Series("workforce_group_share", "Officers at the start of the year")),
                benchmark=Series("population_share", CENSUS_LABEL),
                axis=f"{label} share of officer joiners, and of officers at the start of the "
                "year, who stated an ethnicity (%)",
                title="Officer joiners each year against officers at the start of the year",
                alt=(
                    "Bar chart of the share of officer joiners each year beside the officers' "
                    "share at the start of that year, with the population share as a dashed "
                    "marker; the values are in the table."
                ),
                rows=tuple(officers),
            ),
            findings=[message] if shown else [],
            definitions=[(
                "Joiners' share ÷ workforce share",
                "A workforce moves towards the mix of the people who join it, and never past "
                "it: above 1 recruitment raises the group's share, below 1 it lowers it.",
            )],
        )  # fmt: skip

    return Section("joiners-mix", THEME, title, table, compose)


def every_route_every_year(frame: pd.DataFrame) -> pd.DataFrame:
    """The officers' joiners with a row for every entry route in every year, 0 where nobody
    joined by it that year: the routes listed add up to "all routes", so a year that left a
    route out would let a reader take it to be 0 and subtract (23 stated - 11 by DHEP = 12
    by PCDA, the count withheld), while the protection, which takes a route no table lists
    to be empty only when no year lists it, did not see that sum."""
    routes = sorted(set(frame["entry_route"]) - {"All"})
    missing = [
        {**year_rows.iloc[0].to_dict(), "entry_route": route, "joiner_count": 0,
         "declared_joiner_count": 0, "group_joiner_count": 0, "group_share": None}
        for _year, year_rows in frame.groupby("reporting_year", sort=True)
        for route in routes
        if route not in set(year_rows["entry_route"])
    ]  # fmt: skip
    if not missing:
        return frame
    frame = pd.concat([frame, pd.DataFrame(missing)], ignore_index=True)
    return frame.sort_values(
        ["reporting_year", "entry_route"], key=lambda c: c.map(lambda v: (v != "All", v))
        if c.name == "entry_route" else c,
    ).reset_index(drop=True)  # fmt: skip


def joiners_by_route(cells: Cells, snapshot_date):
    """Officer joiners by entry route each year; no section when no route is recorded."""
    label = headline_label(cells.settings)
    frame = cells.con.execute(
        JOINERS_SQL.format(where="worker_type = 'police_officer'"), [cells.headline]
    ).df()
    if frame.empty or not set(frame["entry_route"]) - {"All", "Not recorded"}:
        return []
    frame = every_route_every_year(frame)
    frame["label"] = (
        frame["reporting_year"].map(year_label) + ", "
        + frame["entry_route"].replace({"All": "all routes"})
    )  # fmt: skip
    _joiner_keys(cells, frame)
    joined = ("group_joiner_count", "declared_joiner_count")
    columns = (
        Column("label", "Reporting year and entry route", "label"),
        Column("joiner_count", "Joiners", "count"),
        Column("declared_joiner_count", "Stated an ethnicity", "count"),
        Column("group_joiner_count", f"{label}: joiners", "count"),
        Column("group_share", f"{label}: share of joiners stating", "share", of=joined),
    )
    title = "Officer joiners by entry route"
    table = DeclaredTable(
        id="joiners-by-route", caption=f"{title}: {label}, by reporting year", columns=columns,
        frame=frame, total_rows=frozenset(frame.loc[frame["entry_route"] == "All", "label"]),
    )  # fmt: skip
    latest = frame["reporting_year"].max()
    rows = [r for r, y, route in zip(table.labels, frame["reporting_year"], frame["entry_route"],
                                     strict=True) if y == latest and route != "All"]  # fmt: skip

    def compose() -> Prose:
        shown = [r for r in rows if number(table, r, "group_share") is not None]
        if not shown:
            message = "Officer joiners' share by entry route cannot be shown for the latest year."
        else:
            parts = [f"{r.split(', ')[-1]} {table.text(r, 'group_share')}" for r in shown]
            message = (
                f"{label} share of officer joiners by entry route, {year_label(latest)}: "
                f"{fmt.join(parts)}."
            )
        return Prose(
            message=message,
            chart=Chart(
                kind="bars",
                series=(Series("group_share", "Share of joiners who stated an ethnicity"),),
                axis=f"{label} share of officer joiners who stated an ethnicity (%)",
                title=f"Officer joiners by entry route, {year_label(latest)}",
                alt="Bar chart of the share of officer joiners by entry route in the latest "
                "reporting year; the values are in the table.",
                rows=tuple(rows),
            ),
        )

    return Section("joiners-by-route", THEME, title, table, compose)
