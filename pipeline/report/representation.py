"""Representation sections: the workforce against the community it polices.

Every table is protected (:mod:`pipeline.disclosure`) with its total row. Tables that show
the same people in different cuts are protected together as one grid (officers by rank, and
by rank and ethnic group, come from one grid), and a ladder's total row withholds whatever
the workforce table withholds for that worker type, so no table can be subtracted from
another.
"""

from __future__ import annotations

import pandas as pd

from pipeline import codes
from pipeline.config import Settings
from pipeline.disclosure import Layout, protect_table
from pipeline.report import charts
from pipeline.report import formatting as fmt
from pipeline.report.groups import (
    COUNTS,
    Grid,
    ethnicity_counts,
    memoised,
    protected_grid,
)
from pipeline.report.model import Section, Table

WORKER_TYPE_ORDER = ("police_officer", "police_staff", "pcso", "special_constable")
ALL_WORKERS = "Whole workforce"
LADDER_TOTALS = {"police_officer": "All officers", "police_staff": "All police staff"}
LADDER_PEOPLE = {"police_officer": "officers", "police_staff": "police staff"}
ALL_OFFICERS = LADDER_TOTALS["police_officer"]

HEADERS = {
    "headcount": "Headcount",
    "declared_headcount": "Stated an ethnicity",
    "declaration_rate": "Declaration rate",
    "group_headcount": "In the group",
    "group_share": "Group share",
    "population_share": "Population share",
    "representation_ratio": "Ratio to population",
    "parity_gap_headcount": "Gap to parity (people)",
}
KINDS = {
    "headcount": "count",
    "declared_headcount": "count",
    "declaration_rate": "percent",
    "group_headcount": "count",
    "group_share": "percent",
    "population_share": "percent",
    "representation_ratio": "ratio",
    "parity_gap_headcount": "number",
    "black_headcount": "count",
    "black_share": "percent",
}
FORMATS = {"count": fmt.count, "percent": fmt.percent, "ratio": fmt.ratio, "number": fmt.people}
REPRESENTATION_LAYOUT = Layout(
    count_columns=COUNTS,
    row_sums=(
        ("headcount", ("declared_headcount", "not_stated_headcount")),
        ("declared_headcount", ("group_headcount", "other_headcount")),
    ),
    derived={
        "declaration_rate": ("declared_headcount", "headcount"),
        "group_share": ("group_headcount", "declared_headcount"),
        "representation_ratio": ("group_headcount", "declared_headcount"),
        "parity_gap_headcount": ("group_headcount", "declared_headcount"),
    },
)
"""The representation table as shown: "not stated" and "not in the group" are implied."""


def headline_label(settings: Settings) -> str:
    return getattr(settings.groups, settings.groups.headline)


def show(row: dict, column: str) -> str:
    """A protected value as the report writes it: [c] if withheld, [x] if undefined."""
    kind = KINDS.get(column, "percent" if column.startswith("share_") else "count")
    return FORMATS[kind](row[column], column in row["withheld_columns"])


def is_shown(row: dict, column: str) -> bool:
    return column not in row["withheld_columns"] and pd.notna(row[column])


def in_sentence(label: str) -> str:
    """'Police staff' -> 'police staff', but 'PCSOs' stays."""
    return label if label[:2].isupper() else label[0].lower() + label[1:]


def _force_benchmark(con, group_code: str) -> float | None:
    row = con.execute(
        """select population_share from analytics.population_benchmark
           where area_level = 'force' and group_code = ?""",
        [group_code],
    ).fetchone()
    return None if row is None else float(row[0])


# --------------------------------------------------------------------------- grids


def workforce_grid(con, settings: Settings, snapshot_date) -> Grid:
    """Worker types x ethnic groups, with the whole workforce as the total row."""
    return memoised(
        ("workforce", str(snapshot_date)), lambda: _workforce_grid(con, settings, snapshot_date)
    )


def _workforce_grid(con, settings: Settings, snapshot_date) -> Grid:
    counts = ethnicity_counts(con, snapshot_date, "worker_type")
    order = [w for w in WORKER_TYPE_ORDER if w in counts.index]
    counts = counts.loc[order].rename(index=codes.WORKER_TYPES)
    return protected_grid(
        counts, settings, ALL_WORKERS, benchmark=_force_benchmark(con, settings.groups.headline)
    )


def _totals_withheld(con, settings, snapshot_date, worker_type: str) -> tuple:
    """What the workforce table withholds for a worker type, withheld in its ladder too."""
    rows = workforce_grid(con, settings, snapshot_date).frame.set_index("label")
    label = codes.WORKER_TYPES[worker_type]
    hidden = rows.loc[label, "withheld_columns"] if label in rows.index else frozenset()
    return tuple((LADDER_TOTALS[worker_type], c) for c in COUNTS if c in hidden)


def ladder_grid(con, settings: Settings, snapshot_date, worker_type: str) -> Grid:
    """Ranks (or bands) of one worker type x ethnic groups, with its total row."""
    return memoised(
        ("ladder", worker_type, str(snapshot_date)),
        lambda: protected_grid(
            ethnicity_counts(con, snapshot_date, "rank_or_band", f"worker_type = '{worker_type}'"),
            settings,
            LADDER_TOTALS[worker_type],
            benchmark=_force_benchmark(con, settings.groups.headline),
            withheld=_totals_withheld(con, settings, snapshot_date, worker_type),
        ),
    )


# --------------------------------------------------------------------------- pieces


def _representation_table(frame: pd.DataFrame, caption: str, first_header: str, total: str):
    columns = list(HEADERS)
    layout = Layout(
        REPRESENTATION_LAYOUT.count_columns,
        REPRESENTATION_LAYOUT.row_sums,
        total,
        REPRESENTATION_LAYOUT.derived,
    ).renamed(HEADERS)
    return Table(
        caption=caption,
        headers=[first_header, *(HEADERS[c] for c in columns)],
        rows=[
            [str(row["label"]), *(show(row, c) for c in columns)]
            for row in frame.to_dict("records")
        ],
        column_kinds=("label", *(KINDS[c] for c in columns)),
        layout=layout,
    )


def _shown_rows(frame: pd.DataFrame, column: str = "group_share") -> list[dict]:
    return [row for row in frame.to_dict("records") if is_shown(row, column)]


def _message(frame: pd.DataFrame, noun: str, people: str, label: str) -> str:
    """One sentence naming the highest and lowest shares, and whether all are below the
    population's."""
    shown = _shown_rows(frame)
    if not shown:
        return f"{label}: no figures by {noun} can be shown; the numbers are too small."
    top = max(shown, key=lambda r: r["group_share"])
    low = min(shown, key=lambda r: r["group_share"])
    below = all(is_shown(r, "representation_ratio") and r["representation_ratio"] < 1
                for r in shown)  # fmt: skip
    return (
        f"{label}: the share of {people} is highest for {top['label']} "
        f"({show(top, 'group_share')}) and lowest for {low['label']} "
        f"({show(low, 'group_share')})"
        + (f"; every {noun} shown is below the population share." if below else ".")
    )


def _ladder_title(frame: pd.DataFrame, people: str, label: str) -> str:
    """A chart title that states the message: how the share moves up the ladder."""
    shown = _shown_rows(frame)
    if len(shown) < 2:
        return f"{label}: too few {people} at most levels to show a share"
    first, last = shown[0], shown[-1]
    verb = "falls" if last["group_share"] < first["group_share"] else "rises"
    bench = show(first, "population_share")
    return (
        f"The {label} share {verb} from {show(first, 'group_share')} at {first['label']} "
        f"to {show(last, 'group_share')} at {last['label']}, against {bench} of the population"
    )


def _chart(section_id: str, frame: pd.DataFrame, people: str, title: str) -> str:
    return charts.share_against_benchmark(
        section_id,
        [str(v) for v in frame["label"]],
        [
            None if not is_shown(r, "group_share") else float(r["group_share"])
            for r in frame.to_dict("records")
        ],
        [fmt.optional_float(v) for v in frame["population_share"]],
        share_label=f"Share of {people}",
        benchmark_label="Population share (Census 2021)",
        title=title,
    )


def _alt(frame: pd.DataFrame, people: str, noun: str) -> str:
    parts = [
        f"{row['label']} {show(row, 'group_share')} (population {show(row, 'population_share')})"
        for row in frame.to_dict("records")
    ]
    return (
        f"Horizontal bar chart of the group's share of {people} by {noun}, with the population "
        f"share marked as a dashed line on each bar: {'; '.join(parts)}. [c] means withheld."
    )


def _gradient_finding(grid: Grid, people: str, column: str, label: str) -> str | None:
    """'<label>: a% of constables (n of d) but b% of chief inspectors (n of d).'"""
    count = column.replace("_share", "_headcount")
    shown = [r for r in grid.body().to_dict("records") if is_shown(r, column)]
    if len(shown) < 2:
        return None
    first, last = shown[0], shown[-1]
    cut_short = last["label"] != grid.body().iloc[-1]["label"]
    return (
        f"{label}: {show(first, column)} of {people} at {first['label']} "
        f"({show(first, count)} of {show(first, 'declared_headcount')}) but "
        f"{show(last, column)} at {last['label']} ({show(last, count)} of "
        f"{show(last, 'declared_headcount')})"
        + ("; above that the numbers are too small to show." if cut_short else ".")
    )


# --------------------------------------------------------------------------- sections


def _ladder_section(
    con, settings: Settings, snapshot_date, worker_type: str, *, section_id: str, noun: str
) -> Section:
    label = headline_label(settings)
    grid = ladder_grid(con, settings, snapshot_date, worker_type)
    people = LADDER_PEOPLE[worker_type]
    title = f"{people[0].upper()}{people[1:]} by {noun} against the force-area population"
    chart_title = _ladder_title(grid.body(), people, label)
    findings = [
        _gradient_finding(grid, people, "group_share", label),
        _gradient_finding(grid, people, "black_share", settings.groups.black)
        if "black_share" in grid.frame
        else None,
    ]
    return Section(
        id=section_id,
        theme="operational",
        title=title,
        message=_message(grid.body(), noun, people, label),
        chart_title=chart_title,
        chart_svg=_chart(section_id, grid.frame, people, chart_title),
        chart_alt=_alt(grid.frame, people, noun),
        table=_representation_table(
            grid.frame,
            f"{title}: {label}, the numbers behind the chart",
            noun.capitalize(),
            grid.total_label,
        ),
        findings=[f for f in findings if f],
    )


def by_rank(con, settings: Settings, snapshot_date) -> Section:
    return _ladder_section(
        con,
        settings,
        snapshot_date,
        "police_officer",
        section_id="representation-by-rank",
        noun="rank",
    )


def by_band(con, settings: Settings, snapshot_date) -> Section:
    return _ladder_section(
        con,
        settings,
        snapshot_date,
        "police_staff",
        section_id="representation-by-band",
        noun="band",
    )


def by_lpu(con, settings: Settings, snapshot_date) -> Section:
    label = headline_label(settings)
    frame = con.execute(
        """
        select case when lpu_code = 'All' then ? else lpu_name end as label, *
        from analytics.representation
        where snapshot_date = ? and group_code = ? and worker_type = 'police_officer'
          and rank_or_band = 'All'
        order by lpu_code = 'All', lpu_name
        """,
        [ALL_OFFICERS, snapshot_date, settings.groups.headline],
    ).df()
    frame = frame.assign(
        not_stated_headcount=frame["headcount"] - frame["declared_headcount"],
        other_headcount=frame["declared_headcount"] - frame["group_headcount"],
    )
    layout = Layout(
        REPRESENTATION_LAYOUT.count_columns,
        REPRESENTATION_LAYOUT.row_sums,
        ALL_OFFICERS,
        REPRESENTATION_LAYOUT.derived,
    )
    shown = protect_table(
        frame,
        layout,
        settings.disclosure.threshold,
        withheld=_totals_withheld(con, settings, snapshot_date, "police_officer"),
    )
    body = shown.iloc[:-1]
    title = "Officers by Local Policing Unit against each LPU's population"
    rows = _shown_rows(body)
    below = [
        r for r in rows if is_shown(r, "representation_ratio") and r["representation_ratio"] < 1
    ]
    chart_title = (
        f"In every LPU shown, the {label} share of officers is below the share of residents"
        if rows and len(below) == len(rows)
        else f"The {label} share of officers is below the residents' share in {len(below)} "
        f"of {len(rows)} LPUs shown"
    )
    return Section(
        id="representation-by-lpu",
        theme="operational",
        title=title,
        message=_message(body, "LPU", "officers", label),
        chart_title=chart_title,
        chart_svg=_chart("representation-by-lpu", shown, "officers", chart_title),
        chart_alt=_alt(shown, "officers", "Local Policing Unit"),
        table=_representation_table(
            shown, f"{title}: {label}, the numbers behind the chart", "LPU", ALL_OFFICERS
        ),
        findings=[f for f in [lpu_gap_finding(body, label)] if f],
    )


def lpu_gap_finding(frame: pd.DataFrame, label: str) -> str | None:
    shown = _shown_rows(frame, "parity_gap_headcount")
    if not shown:
        return None
    widest = max(shown, key=lambda r: r["parity_gap_headcount"])
    return (
        f"The widest gap to the local population is in {widest['label']}: {label} officers "
        f"are {show(widest, 'group_share')} of its officers against "
        f"{show(widest, 'population_share')} of its residents; about "
        f"{show(widest, 'parity_gap_headcount')} more officers from the group would match "
        "the population."
    )


# --------------------------------------------------------------------------- by ethnic group


def _transposed_table(grid: Grid, caption: str, total_column: str) -> Table:
    """Ethnic groups as rows, the grid's rows as columns, with the share of those stating."""
    body_labels = [str(v) for v in grid.body()["label"]]
    columns = [*body_labels, grid.total_label]
    records = {str(r["label"]): r for r in grid.frame.to_dict("records")}
    total = records[grid.total_label]
    share_header = f"Share of those who stated ({total_column})"
    rows = [
        [
            category.label,
            *(show(records[c], category.key) for c in columns),
            show(total, f"share_{category.key}") if category.is_stated else fmt.NOT_APPLICABLE,
        ]
        for category in grid.level.categories
    ]
    rows.append(["All ethnic groups", *(show(records[c], "headcount") for c in columns), "[x]"])
    headers = [*body_labels, total_column]
    return Table(
        caption=caption,
        headers=["Ethnic group", *headers, share_header],
        rows=rows,
        column_kinds=("label", *("count" for _ in headers), "percent"),
        layout=Layout(
            count_columns=tuple(headers),
            row_sums=((total_column, tuple(body_labels)),),
            total_row="All ethnic groups",
            derived={share_header: (total_column,)},
        ),
        notes=(
            (
                f"Shown as {grid.level.description}: at a finer level more than half of the "
                "counts would have to be withheld.",
            )
            if grid.coarsened
            else ()
        ),
    )


def _group_shares(grid: Grid) -> list[tuple[str, float | None]]:
    total = grid.total()
    return [
        (c.label, float(total[f"share_{c.key}"]) if is_shown(total, f"share_{c.key}") else None)
        for c in grid.level.categories
        if c.is_stated
    ]


def _group_message(grid: Grid, people: str) -> str:
    ranked = sorted(((n, s) for n, s in _group_shares(grid) if s is not None), key=lambda x: -x[1])
    if not ranked:
        return f"Ethnic groups among {people} are too small to show separately."
    (name, share), *rest = ranked
    message = f"{name}: {fmt.percent(share)} of {people} who stated an ethnicity"
    if rest:
        message += "; the next largest groups are " + fmt.join(
            [f"{n} ({fmt.percent(s)})" for n, s in rest[:3]]
        )
    return message + "."


def _group_section(con, grid: Grid, *, section_id: str, title: str, people: str) -> Section:
    """A chart of each group's share (leaving out a majority group, which would flatten the
    others to slivers: the title says so) and the table of counts beside it."""
    stated = [c for c in grid.level.categories if c.is_stated]
    shares = _group_shares(grid)
    majority = [(c, s) for c, (_, s) in zip(stated, shares, strict=True) if s and s > 0.5]
    charted = [(c, s) for c, (_, s) in zip(stated, shares, strict=True) if (c, s) not in majority]
    benchmarks = [
        None if c.benchmark_code is None else _force_benchmark(con, c.benchmark_code)
        for c, _ in charted
    ]
    message = _group_message(grid, people)
    chart_title = f"Each ethnic group's share of {people} who stated an ethnicity" + (
        ", against the force area's population" if any(benchmarks) else ""
    )
    if majority:
        chart_title += (
            f" (not drawn: {majority[0][0].label}, {fmt.percent(majority[0][1])}, "
            "which would dwarf the others)"
        )
    alt = (
        f"Horizontal bar chart of each ethnic group's share of {people} who stated an "
        "ethnicity"
        + (", with the population share marked as a dashed line" if any(benchmarks) else "")
        + ": "
        + "; ".join(f"{name} {fmt.percent(share, share is None)}" for name, share in shares)
        + "."
    )
    table = _transposed_table(grid, f"{title}: headcount", grid.total_label)
    return Section(
        id=section_id,
        theme="operational",
        title=title,
        message=message + (f" {table.notes[0]}" if table.notes else ""),
        chart_title=chart_title,
        chart_svg=charts.share_against_benchmark(
            section_id,
            [c.label for c, _ in charted],
            [share for _, share in charted],
            benchmarks,
            share_label=f"Share of {people}",
            benchmark_label="Population share (Census 2021)",
            title=chart_title,
        ),
        chart_alt=alt,
        table=table,
    )


def by_worker_type_and_group(con, settings: Settings, snapshot_date) -> Section:
    return _group_section(
        con,
        workforce_grid(con, settings, snapshot_date),
        section_id="workforce-by-group",
        title="The workforce by ethnic group and worker type",
        people="the workforce",
    )


def by_rank_and_group(con, settings: Settings, snapshot_date) -> Section:
    return _group_section(
        con,
        ladder_grid(con, settings, snapshot_date, "police_officer"),
        section_id="officers-by-rank-and-group",
        title="Officers by rank and ethnic group",
        people="officers",
    )


# --------------------------------------------------------------------------- headline


def headline_findings(con, settings: Settings, snapshot_date) -> list[str]:
    grid = workforce_grid(con, settings, snapshot_date)
    label = headline_label(settings)
    row = grid.total()
    by_type = [
        f"{in_sentence(str(r['label']))} {show(r, 'group_share')}"
        for r in grid.body().to_dict("records")
    ]
    return [
        f"{label}: {show(row, 'group_share')} of the workforce who stated an ethnicity "
        f"({show(row, 'group_headcount')} of {show(row, 'declared_headcount')}), against "
        f"{show(row, 'population_share')} of the force area's population at the 2021 Census; "
        f"a ratio of {show(row, 'representation_ratio')}, where 1.00 would be representative.",
        f"The {label} share differs by worker type: {fmt.join(by_type)}.",
        *_black_finding(grid, settings.groups.black),
    ]


def _black_finding(grid: Grid, label: str) -> list[str]:
    """Black colleagues on their own: the Police Race Action Plan's focus."""
    if "black_share" not in grid.frame:
        return []
    total = grid.total()
    if not is_shown(total, "black_share"):
        return []
    parts = [
        f"{show(r, 'black_share')} of {in_sentence(str(r['label']))} "
        f"({show(r, 'black_headcount')} of {show(r, 'declared_headcount')})"
        for r in grid.body().to_dict("records")
        if is_shown(r, "black_share")
    ]
    return [
        f"{label} colleagues, the Police Race Action Plan's focus, are "
        f"{show(total, 'black_share')} of the workforce who stated an ethnicity "
        f"({show(total, 'black_headcount')} of {show(total, 'declared_headcount')})"
        + (f": {fmt.join(parts)}." if parts else ".")
    ]
