"""Representation sections: the workforce against the community it polices.

Every figure is selected from ``analytics.representation`` (shares, ratios and gaps are
computed there); each table is declared with the cell behind every count, and protected
with every other table of the report at once.
"""

from __future__ import annotations

from itertools import pairwise

import pandas as pd

from pipeline import codes
from pipeline.config import Settings
from pipeline.report import formatting as fmt
from pipeline.report.cells import Cells
from pipeline.report.declared import Chart, Column, DeclaredTable, Series
from pipeline.report.groups import Grid, GridRow, build_grid, category_key, representation_rows
from pipeline.report.model import Prose, Section

WORKER_TYPE_ORDER = ("police_officer", "police_staff", "pcso", "special_constable")
ALL_WORKERS = "Whole workforce"
LADDER_TOTALS = {"police_officer": "All officers", "police_staff": "All police staff"}
LADDER_PEOPLE = {"police_officer": "officers", "police_staff": "police staff"}
ALL_OFFICERS = LADDER_TOTALS["police_officer"]
POPULATION_LABEL = "Population share (Census 2021)"


def headline_label(settings: Settings) -> str:
    return getattr(settings.groups, settings.groups.headline)


def in_sentence(label: str) -> str:
    """'Police staff' -> 'police staff', but 'PCSOs' stays."""
    return label if label[:2].isupper() else label[0].lower() + label[1:]


def representation_columns(first_header: str, label: str) -> tuple[Column, ...]:
    return (
        Column("label", first_header, "label"),
        Column("headcount", "Headcount", "count"),
        Column("declared_headcount", "Stated an ethnicity", "count"),
        Column("declaration_rate", "Declaration rate", "share",
               of=("declared_headcount", "headcount")),
        Column("group_headcount", f"{label}: people", "count"),
        Column("group_share", f"{label}: share of those stating", "share",
               of=("group_headcount", "declared_headcount")),
        Column("population_share", POPULATION_LABEL, "share"),
        Column("representation_ratio", "Ratio to population", "ratio_to",
               of=("group_headcount", "declared_headcount"), constant="population_share"),
        Column("parity_gap_headcount", "Gap to parity (people)", "gap",
               of=("group_headcount", "declared_headcount"), constant="population_share"),
    )  # fmt: skip


def representation_frame(
    cells: Cells, population: str, rows: list[tuple[GridRow, dict, str | None]]
) -> pd.DataFrame:
    """One table row per (grid row, representation record of the headline group, LPU)."""
    out = []
    for row, record, lpu in rows:
        key = {"post": row.posts, "lpu": lpu}
        out.append(
            {
                "label": row.label,
                "headcount": record["headcount"],
                "headcount@key": cells.key(population, **key),
                "declared_headcount": record["declared_headcount"],
                "declared_headcount@key": cells.key(population, **key, eth=cells.eth("stated")),
                "declaration_rate": record["declaration_rate"],
                "group_headcount": record["group_headcount"],
                "group_headcount@key": cells.key(population, **key, eth=cells.eth(cells.headline)),
                "group_share": record["group_share"],
                "population_share": record["population_share"],
                "representation_ratio": record["representation_ratio"],
                "parity_gap_headcount": record["parity_gap_headcount"],
            }
        )
    return pd.DataFrame(out)


# --------------------------------------------------------------------------- grids


def workforce_grid(cells: Cells, snapshot_date) -> Grid:
    """Worker types x ethnic groups, with the whole workforce as the total row."""
    memo = cells.memo.setdefault("workforce", {})
    date = pd.Timestamp(snapshot_date)
    if date not in memo:
        population = cells.staff(date)
        frame = representation_rows(cells.con, date, "rank_or_band = 'All' and lpu_code = 'All'")
        present = set(frame["worker_type"])
        rows = [
            GridRow(codes.WORKER_TYPES[w], cells.posts(population, w))
            for w in WORKER_TYPE_ORDER
            if w in present
        ] + [GridRow(ALL_WORKERS, None, is_total=True)]
        labels = {**codes.WORKER_TYPES, "All": ALL_WORKERS}
        memo[date] = build_grid(cells, date, rows, frame, lambda r: labels[r["worker_type"]])
    return memo[date]


def ladder_grid(cells: Cells, snapshot_date, worker_type: str) -> Grid | None:
    """The ranks (or bands) of one worker type x ethnic groups, with its total row."""
    memo = cells.memo.setdefault(f"ladder {worker_type}", {})
    date = pd.Timestamp(snapshot_date)
    if date not in memo:
        population = cells.staff(date)
        frame = representation_rows(
            cells.con, date, "worker_type = ? and lpu_code = 'All'", [worker_type]
        )
        ranks = (
            frame[frame["rank_or_band"] != "All"]
            .drop_duplicates("rank_or_band")
            .sort_values("rank_order")["rank_or_band"]
        )
        if ranks.empty:
            memo[date] = None
            return None
        total = LADDER_TOTALS[worker_type]
        rows = [GridRow(r, cells.posts(population, worker_type, r)) for r in ranks] + [
            GridRow(total, cells.posts(population, worker_type), is_total=True)
        ]
        memo[date] = build_grid(
            cells,
            date,
            rows,
            frame,
            lambda r: total if r["rank_or_band"] == "All" else r["rank_or_band"],
        )
    return memo[date]


def grid_table(cells: Cells, grid: Grid, table_id: str, caption: str, first_header: str):
    """The headline representation of each row of a grid."""
    label = headline_label(cells.settings)
    rows = [(row, grid.measures[(row.label, cells.headline)], None) for row in grid.rows]
    return DeclaredTable(
        id=table_id,
        caption=caption,
        columns=representation_columns(first_header, label),
        frame=representation_frame(cells, grid.population, rows),
        total_rows=frozenset({grid.total.label}),
    )


# --------------------------------------------------------------------------- words


def _shown_rows(table: DeclaredTable, rows: list[str], column: str = "group_share"):
    return [r for r in rows if table.is_shown(r, column) and table.value(r, column) is not None
            and not isinstance(table.value(r, column), str)]  # fmt: skip


def _number(table: DeclaredTable, row: str, column: str) -> float | None:
    value = table.value(row, column)
    return value if isinstance(value, int | float) else None


def _below_population(table: DeclaredTable, row: str) -> bool:
    """The row's ratio to the population is shown and below 1 (a ratio of 0 included)."""
    ratio = _number(table, row, "representation_ratio")
    return ratio is not None and ratio < 1


def _message(table: DeclaredTable, rows: list[str], noun: str, people: str, label: str) -> str:
    """One sentence naming the highest and lowest shares among the rows shown (and how many
    those are when some are not), and whether all are below the population's."""
    shown = [r for r in rows if _number(table, r, "group_share") is not None]
    if not shown:
        return f"{label}: no figures by {noun} can be shown; the numbers are too small."
    if len(shown) == 1:
        only = shown[0]
        return (
            f"{label}: of the {fmt.in_words(len(rows))} {noun}s, the share of {people} can be "
            f"shown only for {only} ({table.text(only, 'group_share')})."
        )
    top, low = _extremes(table, shown)
    below = all(_below_population(table, r) for r in shown)
    if table.text(top, "group_share") == table.text(low, "group_share"):
        where = (
            f"every {noun}"
            if len(shown) == len(rows)
            else f"each of the {fmt.in_words(len(shown))} of {fmt.in_words(len(rows))} "
            f"{noun}s shown"
        )
        return (
            f"{label}: the share of {people} is the same, {table.text(top, 'group_share')}, "
            f"at {where}" + ("; below the population share." if below else ".")
        )
    return (
        f"{label}: the share of {people} is highest for "
        f"{fmt.superlative(table, shown, 'group_share', top)} and lowest for "
        f"{fmt.superlative(table, shown, 'group_share', low)}"
        + fmt.among_shown(len(shown), len(rows), f"{noun}s")
        + (f"; every {noun} shown is below the population share." if below else ".")
    )


def _ladder_title(table: DeclaredTable, rows: list[str], people: str, label: str) -> str:
    shown = [r for r in rows if _number(table, r, "group_share") is not None]
    if len(shown) < 2:
        return f"{label}: too few {people} at most levels to show a share"
    first, last = shown[0], shown[-1]
    shares = [_number(table, r, "group_share") for r in shown]
    population = f"against {table.text(first, 'population_share')} of the population"
    if len({table.text(r, "group_share") for r in shown}) == 1:
        same = table.text(first, "group_share")  # as shown: no rise or fall to speak of
        return f"The {label} share is {same} at every level from {first} to {last}, {population}"
    if all(a >= b for a, b in pairwise(shares)) or all(a <= b for a, b in pairwise(shares)):
        verb = "falls" if shares[-1] < shares[0] else "rises"
        return (
            f"The {label} share {verb} from {table.text(first, 'group_share')} at {first} to "
            f"{table.text(last, 'group_share')} at {last}, {population}"
        )
    top, low = _extremes(table, shown)  # not a steady rise or fall: as the sentence says
    return (
        f"The {label} share is highest at {fmt.superlative(table, shown, 'group_share', top)} "
        f"and lowest at {fmt.superlative(table, shown, 'group_share', low)}, {population}"
    )


def _extremes(table: DeclaredTable, shown: list[str]) -> tuple[str, str]:
    """The rows with the highest and the lowest share (the first of equals): the sentence's
    and the chart heading's, so that the two name the same rows."""
    top = max(shown, key=lambda r: _number(table, r, "group_share"))
    low = min(shown, key=lambda r: _number(table, r, "group_share"))
    return top, low


def _gradient_finding(table: DeclaredTable, rows: list[str], people: str, label: str):
    """'<label>: a% of constables (n of d) but b% of chief inspectors (n of d).'"""
    shown = [r for r in rows if _number(table, r, "group_share") is not None]
    if len(shown) < 2:
        return None
    first, last = shown[0], shown[-1]
    above = rows[rows.index(last) + 1 :]
    withheld = [r for r in above if not table.is_shown(r, "group_share")]
    return (
        f"{label}: {table.text(first, 'group_share')} of {people} at {first} "
        f"({table.text(first, 'group_headcount')} of {table.text(first, 'declared_headcount')})"
        f" but {table.text(last, 'group_share')} at {last} "
        f"({table.text(last, 'group_headcount')} of {table.text(last, 'declared_headcount')})"
        + (
            "; above that the shares are withheld to protect small numbers."
            if withheld
            else "; above that there is no share to show."
            if above
            else "."
        )
    )


def _share_chart(table: DeclaredTable, people: str, title: str, noun: str, rows=None) -> Chart:
    chosen = rows if rows is not None else table.labels
    parts = [
        f"{r} {table.text(r, 'group_share')} (population {table.text(r, 'population_share')})"
        for r in chosen
    ]
    return Chart(
        kind="benchmark_bars",
        series=(Series("group_share", f"Share of {people} who stated an ethnicity"),),
        benchmark=Series("population_share", POPULATION_LABEL),
        axis=f"{headline_label_of(table)} share of {people} who stated an ethnicity (%)",
        title=title,
        alt=(
            f"Horizontal bar chart of the group's share of {people} by {noun}, with the "
            f"population share marked as a dashed line on each bar: {'; '.join(parts)}. "
            "[c] means withheld."
        ),
        rows=tuple(chosen),
    )


def headline_label_of(table: DeclaredTable) -> str:
    header = next(c.header for c in table.columns if c.name == "group_headcount")
    return header.removesuffix(": people")


# --------------------------------------------------------------------------- sections


def _ladder_section(cells: Cells, snapshot_date, worker_type: str, *, section_id: str, noun: str):
    grid = ladder_grid(cells, snapshot_date, worker_type)
    if grid is None:
        return []
    label = headline_label(cells.settings)
    people = LADDER_PEOPLE[worker_type]
    title = f"{people[0].upper()}{people[1:]} by {noun} against the force-area population"
    table = grid_table(
        cells, grid, section_id, f"{title}: {label}, the numbers behind the chart",
        noun.capitalize(),
    )  # fmt: skip
    body = [r.label for r in grid.body]

    def compose() -> Prose:
        chart_title = _ladder_title(table, body, people, label)
        finding = _gradient_finding(table, body, people, label)
        return Prose(
            message=_message(table, body, noun, people, label),
            chart=_share_chart(table, people, chart_title, noun),
            findings=[finding] if finding else [],
        )

    return Section(section_id, "operational", title, table, compose)


def by_rank(cells: Cells, snapshot_date):
    return _ladder_section(
        cells, snapshot_date, "police_officer", section_id="representation-by-rank", noun="rank"
    )


def by_band(cells: Cells, snapshot_date):
    return _ladder_section(
        cells, snapshot_date, "police_staff", section_id="representation-by-band", noun="band"
    )


def by_worker_type(cells: Cells, snapshot_date) -> Section:
    """The headline figures: each worker type and the whole workforce against the
    force area's population (summary.json's headline is this table)."""
    grid = workforce_grid(cells, snapshot_date)
    label = headline_label(cells.settings)
    title = "The workforce against the force area's population"
    table = grid_table(
        cells, grid, "representation-by-worker-type",
        f"{title}: {label}, by worker type", "Worker type",
    )  # fmt: skip
    _add_black(cells, grid, table)
    body = [r.label for r in grid.body]

    def compose() -> Prose:
        total = ALL_WORKERS
        if (
            table.is_shown(total, "group_share")
            and _number(table, total, "group_share") is not None
        ):
            headline = (
                f"{label}: {table.text(total, 'group_share')} of the workforce who stated an "
                f"ethnicity ({table.text(total, 'group_headcount')} of "
                f"{table.text(total, 'declared_headcount')}), against "
                f"{table.text(total, 'population_share')} of the force area's population at "
                f"the 2021 Census; a ratio of {table.text(total, 'representation_ratio')}, "
                "where 1.00 would be representative."
            )
        else:
            headline = f"{label}: the workforce's share cannot be shown; the numbers are too small."
        shown = [r for r in body if _number(table, r, "group_share") is not None]
        withheld = [in_sentence(r) for r in body if table.text(r, "group_share") == "[c]"]
        findings = [headline]
        if len(shown) >= 2:  # a mark is never a word in the sentence: withheld rows are named
            by_type = [f"{in_sentence(r)} {table.text(r, 'group_share')}" for r in shown]
            findings.append(
                f"The {label} share differs by worker type: {fmt.join(by_type)}"
                + (
                    f"; {fmt.join(withheld)}: withheld to protect small numbers."
                    if withheld
                    else "."
                )
            )
        findings += _black_finding(cells, table, body)
        return Prose(
            message=headline,
            chart=_share_chart(table, "each worker type", headline, "worker type"),
            findings=findings,
        )

    return Section("representation-by-worker-type", "operational", title, table, compose)


LPU_GAPS_NOTE = (
    "Each LPU's gap to parity is measured against its own residents, and the force's "
    "against the residents of the whole force area, so the LPUs' gaps need not add up to "
    "the force's."
)
"""Why the LPU rows' gaps to parity do not sum to the force row's (hostile 11 #8): each is
population share x people who stated - people in the group, with the unit's own share."""


def by_lpu(cells: Cells, snapshot_date):
    label = headline_label(cells.settings)
    population = cells.staff(snapshot_date)
    frame = representation_rows(
        cells.con,
        snapshot_date,
        "group_code = ? and worker_type = 'police_officer' and rank_or_band = 'All'",
        [cells.headline],
    )
    if frame.empty:
        return []
    frame = frame.sort_values(["lpu_code"], key=lambda s: s.eq("All")).reset_index(drop=True)
    body = frame[frame["lpu_code"] != "All"].sort_values("lpu_name")
    officers = cells.posts(population, "police_officer")
    rows = [
        (GridRow(str(r["lpu_name"]), officers), r, str(r["lpu_code"]))
        for r in body.to_dict("records")
    ]
    total = frame[frame["lpu_code"] == "All"].iloc[0].to_dict()
    rows.append((GridRow(ALL_OFFICERS, officers, is_total=True), total, None))
    title = "Officers by Local Policing Unit against each LPU's population"
    table = DeclaredTable(
        id="representation-by-lpu",
        caption=f"{title}: {label}, the numbers behind the chart",
        columns=representation_columns("LPU", label),
        frame=representation_frame(cells, population, rows),
        total_rows=frozenset({ALL_OFFICERS}),
        notes=(LPU_GAPS_NOTE,),
    )
    names = [r[0].label for r in rows[:-1]]

    def compose() -> Prose:
        shown = [r for r in names if _number(table, r, "group_share") is not None]
        below = [r for r in shown if _below_population(table, r)]
        chart_title = (
            f"In every LPU shown, the {label} share of officers is below the share of residents"
            if shown and len(below) == len(shown)
            else f"The {label} share of officers is below the residents' share in some LPUs"
            if below
            else f"The {label} share of officers by LPU, against the residents' share"
        )
        findings = _widest_gap(table, names, label)
        return Prose(
            message=_message(table, names, "LPU", "officers", label),
            chart=_share_chart(table, "officers", chart_title, "Local Policing Unit"),
            findings=findings,
        )

    return Section("representation-by-lpu", "operational", title, table, compose)


def _widest_gap(table: DeclaredTable, names: list[str], label: str) -> list[str]:
    """The LPU with the widest gap to its residents' share, as a finding: only over two or
    more LPUs shown, and saying how many those are when some are not."""
    gap = [r for r in names if _number(table, r, "parity_gap_headcount") is not None]
    if len(gap) < 2:  # a widest over one row would be a claim about the rows withheld
        return []
    widest = max(gap, key=lambda r: _number(table, r, "parity_gap_headcount"))
    scope = fmt.among_shown(len(gap), len(names), "LPUs")
    return [
        f"The widest gap to the local population{scope} is in {widest}: {label} officers are "
        f"{table.text(widest, 'group_share')} of its officers against "
        f"{table.text(widest, 'population_share')} of its residents; about "
        f"{table.text(widest, 'parity_gap_headcount')} more officers from the group would "
        "match the population."
    ]


# --------------------------------------------------------------------------- by ethnic group


def _group_table(cells: Cells, grid: Grid, table_id: str, caption: str) -> DeclaredTable:
    """Ethnic groups as rows, the grid's rows as columns (counts), then each group's share
    of those who stated in the total column and its population share."""
    groups = [*grid.level[2], "NS"]
    columns = [r.label for r in grid.rows]
    total = grid.total
    out = []
    for group in [*groups, "all"]:
        record: dict = {"label": "All ethnic groups" if group == "all" else (
            "Not stated" if group == "NS" else cells.labels[group])}  # fmt: skip
        for position, row in enumerate(grid.rows):
            name = f"c{position}"
            source = cells.headline if group in ("NS", "all") else group
            measure = grid.measures.get((row.label, source))
            value = (
                0 if measure is None
                else measure["not_stated_headcount"] if group == "NS"
                else measure["headcount"] if group == "all"
                else measure["group_headcount"]
            )  # fmt: skip
            record[name] = int(value)
            record[f"{name}@key"] = category_key(cells, grid.population, row, group)
        stated = grid.measures[(total.label, cells.headline)]
        is_group = group not in ("NS", "all")
        own = grid.measures.get((total.label, group)) if is_group else None
        record["share"] = own["group_share"] if own else None
        record["population_share"] = own["population_share"] if own else None
        record["stated"] = int(stated["declared_headcount"])
        record["stated@key"] = category_key(cells, grid.population, total, "stated")
        record["own"] = record[f"c{len(grid.rows) - 1}"]
        record["own@key"] = record[f"c{len(grid.rows) - 1}@key"] if is_group else None
        out.append(record)
    frame = pd.DataFrame(out)
    share_header = f"Share of those who stated ({total.label})"
    declared = (
        Column("label", "Ethnic group", "label"),
        *(Column(f"c{i}", name, "count") for i, name in enumerate(columns)),
        Column("share", share_header, "share", of=("own", "stated")),
        Column("population_share", POPULATION_LABEL, "share"),
    )
    notes = (
        (
            f"Shown as {grid.level[1]}: at a finer level more than half of the counts would "
            "have to be withheld.",
        )
        if grid.coarsened
        else ()
    )
    frame.loc[frame["own@key"].isna(), "share"] = None
    return DeclaredTable(
        id=table_id,
        caption=caption,
        columns=declared,
        frame=frame,
        notes=notes,
        total_rows=frozenset({"All ethnic groups"}),
    )


def _group_section(cells: Cells, grid: Grid | None, *, section_id: str, title: str, people: str):
    if grid is None:
        return []
    table = _group_table(cells, grid, section_id, f"{title}: headcount")
    groups = [cells.labels[g] for g in grid.level[2]]

    def compose() -> Prose:
        shares = [(g, _number(table, g, "share")) for g in groups]
        ranked = sorted((x for x in shares if x[1] is not None), key=lambda x: -x[1])
        if not ranked:
            message = f"Ethnic groups among {people} are too small to show separately."
        else:
            (name, _), *rest = ranked
            message = f"{name}: {table.text(name, 'share')} of {people} who stated an ethnicity"
            if rest:
                message += "; the next largest groups are " + fmt.join(
                    [f"{n} ({table.text(n, 'share')})" for n, _ in rest[:3]]
                )
            message += "."
        if table.notes:
            message += f" {table.notes[0]}"
        majority = [g for g, s in shares if s is not None and s > 50]
        charted = [g for g in groups if g not in majority]
        chart_title = (
            f"Each ethnic group's share of {people} who stated an ethnicity, against the "
            "force area's population"
        )
        if majority:
            chart_title += (
                f" (not drawn: {majority[0]}, {table.text(majority[0], 'share')}, which "
                "would dwarf the others)"
            )
        alt = (
            f"Horizontal bar chart of each ethnic group's share of {people} who stated an "
            "ethnicity, with the population share marked as a dashed line: "
            + "; ".join(f"{g} {table.text(g, 'share')}" for g in groups)
            + "."
        )
        chart = Chart(
            kind="benchmark_bars",
            series=(Series("share", f"Share of {people} who stated an ethnicity"),),
            benchmark=Series("population_share", POPULATION_LABEL),
            axis=f"Each group's share of {people} who stated an ethnicity (%)",
            title=chart_title,
            alt=alt,
            rows=tuple(charted),
        )
        return Prose(message=message, chart=chart)

    return Section(section_id, "operational", title, table, compose)


def by_worker_type_and_group(cells: Cells, snapshot_date):
    return _group_section(
        cells,
        workforce_grid(cells, snapshot_date),
        section_id="workforce-by-group",
        title="The workforce by ethnic group and worker type",
        people="the workforce",
    )


def by_rank_and_group(cells: Cells, snapshot_date):
    return _group_section(
        cells,
        ladder_grid(cells, snapshot_date, "police_officer"),
        section_id="officers-by-rank-and-group",
        title="Officers by rank and ethnic group",
        people="officers",
    )


def _add_black(cells: Cells, grid: Grid, table: DeclaredTable) -> None:
    """Black colleagues on their own, the Police Race Action Plan's focus: two more columns."""
    black = cells.settings.groups.black
    frame = table.frame
    records = [grid.measures[(row.label, "black")] for row in grid.rows]
    frame["black_headcount"] = [r["group_headcount"] for r in records]
    frame["black_headcount@key"] = [
        category_key(cells, grid.population, row, "black") for row in grid.rows
    ]
    frame["black_share"] = [r["group_share"] for r in records]
    table.columns = (
        *table.columns,
        Column("black_headcount", f"{black}: people", "count"),
        Column("black_share", f"{black}: share of those stating", "share",
               of=("black_headcount", "declared_headcount")),
    )  # fmt: skip


def _black_finding(cells: Cells, table: DeclaredTable, body: list[str]) -> list[str]:
    label = cells.settings.groups.black
    total = ALL_WORKERS
    if _number(table, total, "black_share") is None:
        return []
    parts = [
        f"{table.text(r, 'black_share')} of {in_sentence(r)} "
        f"({table.text(r, 'black_headcount')} of {table.text(r, 'declared_headcount')})"
        for r in body
        if _number(table, r, "black_share") is not None
    ]
    return [
        f"{label} colleagues, the Police Race Action Plan's focus, are "
        f"{table.text(total, 'black_share')} of the workforce who stated an ethnicity "
        f"({table.text(total, 'black_headcount')} of {table.text(total, 'declared_headcount')})"
        + (f": {fmt.join(parts)}." if parts else ".")
    ]
