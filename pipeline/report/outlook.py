"""Targets, projections and what it would take.

Selected from ``analytics.target_progress``, ``analytics.target_requirements``,
``analytics.projections``, ``analytics.projection_outlook`` and
``analytics.workforce_flows``; nothing is computed here. A projected or solved figure is a
model output, not a count: it is declared as a statistic over the counts it starts from (the
scope's headcounts now, the joiners over the rates window, each period's promotions), so it
is shown only when those are. Every section says plainly that these are statistical
projections with stated assumptions, not targets for any individual.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import pandas as pd

from pipeline import codes
from pipeline.disclosure import NOT_APPLICABLE_MARK, SUPPRESSED_MARK
from pipeline.report import formatting as fmt
from pipeline.report.cells import Cells
from pipeline.report.declared import WITHHELD, Chart, Column, DeclaredTable, Series
from pipeline.report.model import Prose, Section
from pipeline.report.representation import headline_label
from pipeline.report.trends import (
    CENSUS_LABEL,
    COUNTS,
    THEME,
    add_keys,
    in_words,
    in_years,
    joiner_key,
    joiner_years,
    number,
    recruit_words,
    sources_where,
    staff_key,
    straight_line_rule,
    window_dates,
    window_words,
)

NOT_FOR_INDIVIDUALS = (
    "These are statistical projections of what the recent rates imply, with their "
    "assumptions stated: not forecasts, and not targets for any individual. No one's "
    "recruitment, promotion or departure is, or should be, decided by them."
)
WORKER_TYPE_ORDER = ("police_officer", "police_staff", "pcso", "special_constable")
RECRUITS = ("window_group_joiners", "window_declared_joiners")
MODELLED = (*COUNTS, *RECRUITS)
"""What a flow-model output is computed from: the scope's counts now and the recruits' mix
over the window (add_recruit_cells), so it is withheld wherever the recruits' share is."""
ALL_OFFICERS = "All officers"
PEOPLE = {"police_officer": "officers", "police_staff": "police staff", "pcso": "PCSOs",
          "special_constable": "special constables", "All": "the workforce"}  # fmt: skip


def scope_words(record: dict) -> str:
    """A target's group and scope in words, e.g. "Ethnic minority (...), police officers at
    Inspector": sentences name a target this way rather than by its configured label, whose
    figures ("20% by 2030") a sentence may not quote unless a table cell shows them."""
    label = codes.WORKER_TYPES.get(record["worker_type"], "")
    scope = (
        (label if label[:2].isupper() else label.lower())  # "PCSOs" stays as it is
        if record["worker_type"] != "All"
        else "the workforce"
    )
    if record["rank_or_band"] != "All":
        scope += f" at {record['rank_or_band']}"
    if record["lpu_code"] != "All":
        scope += f" in {record.get('lpu_name') or record['lpu_code']}"
    return f"{record['group_label']}, {scope}"


def share_of(frame: pd.DataFrame) -> str:
    """What the rows' shares are of, for an axis: "<group> share of <people>" when every row
    is one group and one worker type ("Each target group's share", "those" otherwise)."""
    groups, types = set(frame["group_label"]), set(frame["worker_type"])
    subject = f"{groups.pop()} share" if len(groups) == 1 else "Each target group's share"
    people = PEOPLE.get(types.pop(), "those") if len(types) == 1 else "those"
    return f"{subject} of {people}"


def assumptions(cells: Cells, snapshot_date) -> str:
    return (
        f"Assumptions: the joining, leaving and promotion rates of "
        f"{window_words(cells, snapshot_date)} "
        "continue; each worker type stays at its present size, every leaver replaced; "
        "recruits join in the recent mix and at the recent entry ranks; people do not change "
        "group; the population benchmark stays at Census 2021."
    )


def band_words(cells: Cells) -> str:
    """How many simulated futures the band holds, from [projections] band, in words (a
    sentence quotes only the numbers its table shows) and exactly: "eight in ten",
    "ninety-five in a hundred", "nine hundred and ninety-five in a thousand"; "at least ..."
    only for a band finer than a hundred-thousandth (hostile 6, finding 14: 0.95 was rounded
    to "ten in ten", which reads as certainty)."""
    band = cells.settings.projections.band
    names = ("ten", "a hundred", "a thousand", "ten thousand", "a hundred thousand")
    for power, name in enumerate(names, start=1):
        count = round(band * 10**power)
        if abs(band * 10**power - count) < 1e-6:
            return f"{in_words(count)} in {name}"
    return f"at least {in_words(math.floor(band * 10**5))} in {names[-1]}"


def window_reporting_years(cells: Cells, snapshot_date) -> list[int]:
    """The reporting years whose joiners the rates window holds (those starting within it)."""
    latest = pd.Timestamp(snapshot_date)
    start = latest - pd.DateOffset(years=cells.settings.projections.window_years)
    return sorted(
        y
        for y in joiner_years(cells)
        if start <= pd.Timestamp(year=y - 1, month=4, day=1) <= latest
    )


def recruits_header(cells: Cells, snapshot_date) -> str:
    """The recruits' share column's heading, naming the joiners' years it is over."""
    span = recruit_words(cells, window_reporting_years(cells, snapshot_date))
    return f"Recruits' share, {span.removeprefix('the ')}"


def add_recruit_cells(cells: Cells, frame: pd.DataFrame, years: Sequence[int], group: str):
    """The joiners over the window, per row's worker type: what the recruits' share is of."""
    for name, eth in (("window_group_joiners", group), ("window_declared_joiners", "stated")):
        if not years:
            frame[name] = None
            frame[f"{name}@key"] = None
            continue
        values = {}
        for worker_type in set(frame["worker_type"]):
            (count,) = cells.con.execute(
                f"""select sum({"group_joiner_count" if eth == group else "declared_joiner_count"})
                    from analytics.joiners_mix
                    where group_code = ? and worker_type = ? and entry_route = 'All'
                      and reporting_year in ({", ".join("?" for _ in years)})""",
                [group, worker_type, *years],
            ).fetchall()[0]
            values[worker_type] = count or 0  # nobody of the worker type joined
        frame[name] = frame["worker_type"].map(values)
        add_keys(frame, name, lambda r, e=eth: joiner_key(cells, years, r["worker_type"], None, e))


def add_scope_counts(
    cells: Cells, frame: pd.DataFrame, when: str, group_column: str, prefix: str = ""
) -> None:
    """The group's and the stated headcount of each row's scope at the snapshot ``when``
    (true values from analytics.representation, and their cells), as ``<prefix>
    declared_headcount``, ``<prefix>group_headcount`` and ``<prefix>scope_group_share``;
    none for a row with no date (nothing to count)."""
    values = []
    for r in frame.to_dict("records"):
        if pd.isna(r[when]):
            values.append((None, None, None))
            continue
        found = cells.con.execute(
            """select declared_headcount, group_headcount, group_share
               from analytics.representation
               where snapshot_date = ? and group_code = ? and worker_type = ?
                 and rank_or_band = ? and lpu_code = ?""",
            [pd.Timestamp(r[when]).date(), r[group_column], r["worker_type"],
             r["rank_or_band"], r["lpu_code"]],
        ).fetchall()  # fmt: skip
        values.append(found[0] if found else (0, 0, None))  # nobody in the scope
    frame[f"{prefix}declared_headcount"] = [v[0] for v in values]
    frame[f"{prefix}group_headcount"] = [v[1] for v in values]
    frame[f"{prefix}scope_group_share"] = [v[2] for v in values]
    for stated in (True, False):
        name = f"{prefix}{'declared' if stated else 'group'}_headcount"
        add_keys(frame, name, lambda r, s=stated, n=name: None if pd.isna(r[n]) else staff_key(
            cells, r[when], r["worker_type"], r["rank_or_band"], r["lpu_code"],
            "stated" if s else r[group_column]))  # fmt: skip


# --------------------------------------------------------------------------- targets

TARGETS_SQL = (
    "select * from analytics.target_progress where target_kind = ? order by target_sort_order"
)


def share_targets(cells: Cells, snapshot_date):
    """Each share target: now, the rate needed, the current rate, where it and the flow
    model lead by the date, and the recruits' share it would take."""
    frame = cells.con.execute(TARGETS_SQL, ["share"]).df()
    if frame.empty:
        return []
    frame["label"] = frame["target_name"]
    frame["scope"] = [scope_words(r) for r in frame.to_dict("records")]
    frame["as_of"] = pd.Timestamp(snapshot_date)
    frame["by"] = frame["target_date"].map(fmt.date)
    add_scope_counts(cells, frame, "as_of", "group_code")
    # a target whose date has passed is judged at the snapshot on or before it: its share
    # then stands in a column of its own, beside "Share now" (the latest snapshot's)
    passed = frame["judged_snapshot_date"].notna()
    add_scope_counts(cells, frame, "judged_snapshot_date", "group_code", prefix="judged_")
    judged_counts = ("judged_group_headcount", "judged_declared_headcount")
    sources = _window_counts(cells, frame, snapshot_date)
    add_recruit_cells(cells, frame, window_reporting_years(cells, snapshot_date), cells.headline)
    # the flow model is run to the date only for a date to come within the horizon: elsewhere
    # it does not exist by design ([x]), whatever the recruits' counts
    modelled = ~passed & (frame["years_remaining"] <= cells.settings.projections.horizon_years)
    flow = (*COUNTS, *sources_where(frame, modelled, RECRUITS, "flow"))
    years = in_years(cells.settings.projections.window_years)
    columns = (
        Column("label", "Target", "label"),
        Column("declared_headcount", "Stated an ethnicity", "count"),
        Column("group_headcount", "In the group", "count"),
        Column("group_share", f"Share now ({fmt.date(snapshot_date)})", "share", of=COUNTS),
        *(
            [Column("judged_group_share", "Share at the last snapshot on or before the "
                    "target date (a date gone by)", "share", of=judged_counts)]
            if passed.any()
            else []
        ),
        Column("target_share", "Target share", "share"),
        Column("by", "By", "text"),
        Column("needed_share_change_per_year", "Needed from now (percentage points a year)",
               "points", of=COUNTS, places=2),
        Column("trend_share_change_per_year", "Current rate (percentage points a year)",
               "points", of=sources, places=2),
        Column("straight_line_group_share", "At the current rate, by the date", "percent",
               of=(*COUNTS, *sources)),
        Column("projected_group_share", "Flow model, by the date", "percent", of=flow),
        Column("projected_group_share_lower", "Flow model's band", "percent_interval",
               of=flow, upper="projected_group_share_upper"),
        Column("recruit_group_share", recruits_header(cells, snapshot_date), "percent",
               of=RECRUITS),
        Column("needed_recruit_share", "Recruits' share needed from now", "percent",
               of=MODELLED),
        Column("target_status", "Status", "text",
               of=(*COUNTS, *sources, *(judged_counts if passed.any() else ()))),
    )  # fmt: skip
    title = "Targets: where each stands"
    table = DeclaredTable(
        id="targets-shares", caption=f"{title}: share targets", columns=columns, frame=frame,
        notes=(straight_line_rule(cells),),
    )  # fmt: skip
    definitions = [
        ("Current rate (of a target)", f"The straight line through the target's share at "
         f"the snapshots of the last {years}: what 'at this rate' means."),
        ("Recruits' share needed", "The group's share of recruits, from now on, with which "
         "the flow model meets a target on its date, everything else as observed; 0.0% where "
         "the flow model meets it whatever the recruits' mix; [x] where even every recruit "
         "from the group would not, for an LPU (the flow model is force-wide by rank), or "
         "where the target is already met."),
        ("Needed from now (of a target)", "The change a year from now on that meets the "
         "target on its date; [x] where the target is already met (nothing more is needed)."),
    ]  # fmt: skip
    scopes = dict(zip(table.labels, frame["scope"], strict=True))
    judged_on = dict(zip(table.labels, frame["judged_snapshot_date"], strict=True))
    target_dates = dict(zip(table.labels, frame["target_date"], strict=True))
    axis = f"{share_of(frame)} who stated an ethnicity, in each target's scope (%)"

    def judged_words(row: str) -> str:
        """When a past target's share was measured: the snapshot on or before its date."""
        day = pd.Timestamp(judged_on[row])
        if day == pd.Timestamp(target_dates[row]):
            return f"on {fmt.date(day)}, the target date"
        return f"on {fmt.date(day)}, the last snapshot before the target date"

    def compose() -> Prose:
        sentences = [_share_sentence(table, row, scopes[row], judged_words) for row in table.labels]
        return Prose(
            message=" ".join(sentences),  # every target its sentence, in the table's order
            chart=Chart(
                kind="bars",
                series=(
                    Series("group_share", "Now"),
                    Series("straight_line_group_share", "At the current rate, by the date"),
                    Series("projected_group_share", "Flow model, by the date"),
                ),
                benchmark=Series("target_share", "Target"),
                axis=axis,
                title="Each share target now, at the current rate and in the flow model, "
                "against the target",
                alt="Bar chart of each share target's share now, where the current rate "
                "leads by the target date and where the flow model leads, with the target as "
                "a dashed marker; the values are in the table.",
                rows=tuple(table.labels),
            ),
            findings=judged_findings(table, sentences),
            definitions=definitions,
        )

    return Section("targets-shares", THEME, title, table, compose)


def _share_sentence(table: DeclaredTable, row: str, scope: str, judged_words) -> str:
    """A share target's sentence, read from the row's protected cells: what is shown is
    quoted, what is withheld is named with the reason its mark gives ([c]: to protect small
    numbers; [x]: not applicable), never "too small" for a share the row shows (hostile 6,
    finding 4)."""
    status = table.text(row, "target_status")
    target = f"a target of {table.text(row, 'target_share')} by {table.text(row, 'by')}"
    if status in ("[c]", "[x]") or (
        table.text(row, "group_share") == "[x]" and status not in ("met", "missed")
    ):  # a share now of nobody: nothing to judge it by
        return _unjudged_sentence(table, row, scope, target)
    if (
        status in ("met", "missed")
        and any(c.name == "judged_group_share" for c in table.columns)
        and (table.text(row, "judged_group_share") not in ("[c]", "[x]"))
    ):
        return (
            f"{scope}: {table.text(row, 'judged_group_share')} {judged_words(row)}, against "
            f"{target}, {status} ({table.text(row, 'group_share')} now)."
        )
    sentence = f"{scope}: {table.text(row, 'group_share')} now against {target}, {status}"
    if status in ("on track", "not on track"):
        sentence += (
            f"; it needs {table.text(row, 'needed_share_change_per_year')} percentage points a "
            f"year from now, against {table.text(row, 'trend_share_change_per_year')} a year on "
            "the current trend"
        )
        if table.text(row, "projected_group_share") == "[x]" and (
            table.text(row, "straight_line_group_share") == "[x]"
        ):  # a date beyond the horizon: judged from the two rates, nothing carried there
            sentence += (
                " (judged by comparing the two rates: the date is beyond the projection's "
                "horizon, so neither the line nor the flow model is carried that far)"
            )
    if status == "no current rate":
        sentence += (
            f"; it needs {table.text(row, 'needed_share_change_per_year')} percentage points a "
            "year from now, and too few snapshots or people lie behind it for a straight "
            "line to say where the current rate leads"
        )
    judged = status in ("on track", "not on track", "no current rate")
    if judged and number(table, row, "projected_group_share") is not None:
        sentence += (
            f", and the flow model, which allows for who joins and leaves, expects "
            f"{table.text(row, 'projected_group_share')} by the date"
        )
    needed = number(table, row, "needed_recruit_share")
    if status != "on track" and judged and needed == 0:  # the model meets it with none
        sentence += (
            "; the flow model meets it whatever the recruits' mix, even with no recruits from "
            f"the group (recently {table.text(row, 'recruit_group_share')})"
        )
    elif status != "on track" and judged and needed is not None:
        sentence += (
            f"; it would take {table.text(row, 'needed_recruit_share')} of recruits from "
            f"the group from now on (recently {table.text(row, 'recruit_group_share')})"
        )
    return sentence + "."


def _unjudged_sentence(table: DeclaredTable, row: str, scope: str, target: str) -> str:
    """A share target whose status is not shown: what the row does show, and which figure is
    withheld and why."""
    now = table.text(row, "group_share")
    if now in ("[c]", "[x]"):
        why = (
            "withheld to protect small numbers (in its scope, or in a figure it would reveal)"
            if now == "[c]"
            else "not available: nobody in its scope stated an ethnicity"
        )
        return f"{scope}, {target}: its share now is {why}, so its progress cannot be shown."
    sentence = f"{scope}: {now} now against {target}"
    shown = []
    if number(table, row, "needed_share_change_per_year") is not None:
        shown.append(
            f"it needs {table.text(row, 'needed_share_change_per_year')} percentage points a "
            "year from now"
        )
    if number(table, row, "projected_group_share") is not None:
        shown.append(
            f"the flow model, which allows for who joins and leaves, expects "
            f"{table.text(row, 'projected_group_share')} by the date"
        )
    if shown:
        sentence += "; " + ", and ".join(shown)
    rate = table.text(row, "trend_share_change_per_year")
    if rate == "[c]":
        why = (
            "its current rate is withheld, because a figure it is drawn through (its scope at "
            "an earlier snapshot, in the numbers behind each current rate) is withheld to "
            "protect small numbers"
        )
    elif any(c.name == "judged_group_share" for c in table.columns) and (
        table.text(row, "judged_group_share") == "[c]"
    ):
        why = "its share at the target date is withheld to protect small numbers"
    else:
        why = (
            "its status is withheld to protect small numbers in a figure it is judged from"
            if table.text(row, "target_status") == "[c]"
            else "there is nothing to judge it from"
        )
    return f"{sentence}; whether it is on track cannot be shown: {why}."


def _window_counts(
    cells: Cells, frame: pd.DataFrame, snapshot_date, key: str = "target_code"
) -> tuple[str, ...]:
    """Each row's scope at every snapshot of the trend window (true values and cells): the
    counts its straight line is fitted to (rows told apart by ``key``)."""
    sources = []
    for i, date in enumerate(window_dates(cells, snapshot_date)):
        found = {}
        for r in frame.to_dict("records"):
            rows = cells.con.execute(
                """select group_headcount, declared_headcount from analytics.representation
                   where snapshot_date = ? and group_code = ? and worker_type = ?
                     and rank_or_band = ? and lpu_code = ?""",
                [pd.Timestamp(date).date(), r["group_code"], r["worker_type"],
                 r["rank_or_band"], r["lpu_code"]],
            ).fetchall()  # fmt: skip
            found[r[key]] = rows[0] if rows else (0, 0)
        for j, (name, stated) in enumerate((("group_headcount", False),
                                            ("declared_headcount", True))):  # fmt: skip
            column = f"window{i}_{name}"
            sources.append(column)
            frame[column] = frame[key].map(lambda c, j=j, f=found: f[c][j])

            def make(r, d=date, s=stated, c=column):
                if pd.isna(r[c]):
                    return None
                eth = "stated" if s else r["group_code"]
                return staff_key(cells, d, r["worker_type"], r["rank_or_band"], r["lpu_code"], eth)

            add_keys(frame, column, make)
    return tuple(sources)


def target_trends(cells: Cells, snapshot_date):
    """The numbers behind each share target's current rate: its scope at every snapshot of
    the window."""
    targets = cells.con.execute(TARGETS_SQL, ["share"]).df()
    dates = window_dates(cells, snapshot_date)
    if targets.empty or len(dates) < 2:
        return []
    rows = []
    for target in targets.to_dict("records"):
        for date in dates:
            rows.append({**target, "at": date,
                         "label": f"{target['target_name']}: {fmt.date(date)}"})  # fmt: skip
    frame = pd.DataFrame(rows)
    add_scope_counts(cells, frame, "at", "group_code")
    frame["group_share"] = frame["scope_group_share"]
    columns = (
        Column("label", "Target and snapshot", "label"),
        Column("declared_headcount", "Stated an ethnicity", "count"),
        Column("group_headcount", "In the group", "count"),
        Column("group_share", "Share", "share", of=COUNTS),
    )
    title = "Targets: the numbers behind each current rate"
    table = DeclaredTable(id="targets-trends", caption=title, columns=columns, frame=frame)
    years = window_words(cells, snapshot_date)

    def compose() -> Prose:
        return Prose(
            message=f"Each share target's scope at every snapshot of {years}: "
            "the points its current rate is the straight line through."
        )

    return Section("targets-trends", THEME, title, table, compose)


NOT_BEGUN = (
    "A target whose period starts after the latest snapshot has not begun: its joiners so "
    "far are [x], and every figure (the rate needed, the current rate and the flow model "
    "carried to the date, the recruits' share needed) counts only the target's own years, "
    "from its start to its date."
)


def joiner_targets(cells: Cells, snapshot_date):
    """Each joiners target: the group's joiners so far, the rate needed, the current rate,
    where it and the flow model lead, and the recruits' share it would take."""
    frame = cells.con.execute(TARGETS_SQL, ["joiners"]).df()
    if frame.empty:
        return []
    known = joiner_years(cells)
    now = pd.Timestamp(snapshot_date)

    def years_of(record) -> list[int]:
        first = pd.Timestamp(record["from_date"]).year + 1  # from a 1 April
        end = min(pd.Timestamp(record["target_date"]), now)
        last = end.year + (1 if end.month >= 4 else 0)
        return [y for y in range(first, last + 1) if y in known]

    frame["label"] = frame["target_name"]
    frame["scope"] = [scope_words(r) for r in frame.to_dict("records")]
    frame["by"] = frame["target_date"].map(fmt.date)
    frame["begun"] = pd.to_datetime(frame["from_date"]) <= now
    add_keys(frame, "group_joiner_count", lambda r: joiner_key(
        cells, years_of(r), r["worker_type"], None, r["group_code"]
    ) if years_of(r) else None)  # fmt: skip
    add_recruit_cells(cells, frame, window_reporting_years(cells, snapshot_date), cells.headline)
    so_far = ("group_joiner_count",)
    columns = (
        Column("label", "Target", "label"),
        Column("group_joiner_count", "Joiners from the group so far", "count"),
        Column("target_joiner_count", "Joiners targeted", "number"),
        Column("by", "By", "text"),
        Column("needed_joiners_per_year", "Needed a year, from now or the start", "number",
               of=so_far),
        Column("current_joiners_per_year", "Current rate (a year)", "number", of=RECRUITS),
        Column("straight_line_joiners", "At the current rate, by the date", "number",
               of=(*so_far, *RECRUITS)),
        Column("projected_group_joiners", "Flow model, by the date", "number",
               of=(*so_far, *RECRUITS)),
        Column("recruit_group_share", recruits_header(cells, snapshot_date), "percent",
               of=RECRUITS),
        Column("needed_recruit_share", "Recruits' share needed from now", "percent",
               of=(*so_far, *RECRUITS)),
        Column("target_status", "Status", "text", of=(*so_far, *RECRUITS)),
    )  # fmt: skip
    title = "Targets: joiners"
    notes = () if frame["begun"].all() else (NOT_BEGUN,)
    table = DeclaredTable(
        id="targets-joiners", caption=f"{title}: the group's joiners against each target",
        columns=columns, frame=frame, notes=notes,
    )  # fmt: skip
    scopes = dict(zip(table.labels, frame["scope"], strict=True))
    begun = dict(zip(table.labels, frame["begun"], strict=True))

    def compose() -> Prose:
        sentences = []
        for row in table.labels:
            status = _joiners_status_words(table, row)
            target = (
                f"a target of {table.text(row, 'target_joiner_count')} by {table.text(row, 'by')}"
            )
            sentence = (
                f"{scopes[row]}, joiners: {table.text(row, 'group_joiner_count')} so far "
                f"against {target}{status}"
                if begun[row]
                else f"{scopes[row]}, joiners: {target}, whose period has not begun (it "
                f"starts after the latest snapshot){status}"
            )
            if status == ", not on track":
                sentence += (
                    f": {table.text(row, 'needed_joiners_per_year')} a year are needed "
                    f"{'from now' if begun[row] else 'over its own years'}, against "
                    f"{table.text(row, 'current_joiners_per_year')} a year recently"
                )
                if number(table, row, "needed_recruit_share") is not None:
                    sentence += (
                        f"; {table.text(row, 'needed_recruit_share')} of recruits would have "
                        f"to be from the group (recently {table.text(row, 'recruit_group_share')})"
                    )
            sentences.append(sentence + ".")
        return Prose(message=" ".join(sentences), findings=judged_findings(table, sentences))

    return Section("targets-joiners", THEME, title, table, compose)


def judged_findings(table: DeclaredTable, sentences: Sequence[str]) -> list[str]:
    """The summary's findings among a targets table's sentences (one per row, in the table's
    order): those of the targets whose status the table shows. A target whose status is
    withheld ([c]) or does not exist ([x]) says so in its section, not among the findings."""
    return [
        sentence
        for row, sentence in zip(table.labels, sentences, strict=True)
        if table.text(row, "target_status") not in (SUPPRESSED_MARK, NOT_APPLICABLE_MARK)
    ]


def _joiners_status_words(table: DeclaredTable, row: str) -> str:
    """', on track' (the status as the table shows it), or, where the status is withheld or
    does not exist, which figure it is judged from is missing and why, read from the row's
    cells: never the mark itself inside a sentence."""
    status = table.text(row, "target_status")
    if status not in ("[c]", "[x]"):
        return f", {status}"
    if table.text(row, "group_joiner_count") == "[c]":
        why = "its joiners so far are withheld to protect small numbers"
    elif table.text(row, "current_joiners_per_year") == "[c]":
        why = "its current rate is withheld to protect small numbers"
    elif status == "[c]":
        why = "its status is withheld to protect small numbers in a figure it is judged from"
    else:
        why = "there is nothing to judge it from"
    return f"; whether it is on track cannot be shown: {why}"


# --------------------------------------------------------------------------- projection

OUTLOOK_SQL = """
select outlook.*, mid.projected_group_share as projected_group_share_mid
from analytics.projection_outlook as outlook
left join analytics.projections as mid
    on mid.group_code = outlook.group_code and mid.worker_type = outlook.worker_type
    and mid.rank_or_band = outlook.rank_or_band and mid.projection_year = ?
where outlook.group_code = ?
"""
FAN_SQL = """
select * from analytics.projections
where group_code = ? and worker_type = 'police_officer' and rank_or_band = 'All'
order by projection_year
"""


def _outlook_frame(cells: Cells, snapshot_date, mid: int) -> pd.DataFrame:
    raw = cells.con.execute(OUTLOOK_SQL, [mid, cells.headline]).df()
    if raw.empty:
        return raw
    order = {w: i for i, w in enumerate(WORKER_TYPE_ORDER)}
    officers = raw[raw["worker_type"] == "police_officer"].sort_values(
        "rank_order", na_position="last")  # fmt: skip
    others = raw[(raw["worker_type"] != "police_officer") & raw["worker_type"].isin(order)
                 & (raw["rank_or_band"] == "All")]  # fmt: skip
    others = others.sort_values("worker_type", key=lambda s: s.map(order))
    frame = pd.concat([officers, others, raw[raw["worker_type"] == "All"]], ignore_index=True)
    names = {**codes.WORKER_TYPES, "All": "Whole workforce"}
    frame["label"] = [
        (ALL_OFFICERS if w == "police_officer" else names[w]) if r == "All" else r
        for w, r in zip(frame["worker_type"], frame["rank_or_band"], strict=True)
    ]
    # A rank nobody holds has no share to project from: no row.
    frame = frame[frame["headcount"] > 0].reset_index(drop=True)
    frame["lpu_code"] = "All"
    frame["as_of"] = snapshot_date
    add_scope_counts(cells, frame, "as_of", "group_code")
    years = window_reporting_years(cells, snapshot_date)
    add_recruit_cells(cells, frame, years, cells.headline)  # [x] above the entry ranks
    return frame


def projection(cells: Cells, snapshot_date):
    """Where today's rates lead (every rank, worker type and the workforce) and the
    officers' projection year by year, with its band, the straight line, and what drives
    it."""
    horizon = cells.settings.projections.horizon_years
    mid = min(10, horizon)
    frame = _outlook_frame(cells, snapshot_date, mid)
    if frame.empty:
        return [_not_yet(cells, snapshot_date)]
    label = headline_label(cells.settings)
    now = pd.Timestamp(snapshot_date).year
    end, middle = str(now + horizon), str(now + mid)
    trend = _window_counts(cells, frame, snapshot_date, key="label")
    columns = (
        Column("label", "Rank, worker type or workforce", "label"),
        Column("declared_headcount", "Stated an ethnicity now", "count"),
        Column("group_headcount", "In the group now", "count"),
        Column("group_share", "Share now", "share", of=COUNTS),
        Column("population_share", CENSUS_LABEL, "share"),
        Column("recruit_group_share", recruits_header(cells, snapshot_date), "percent",
               of=RECRUITS),
        # A year ten on only when the horizon is further (a horizon of ten or fewer years
        # would give two columns of the same year and name).
        *(
            [Column("projected_group_share_mid", f"Flow model, {middle}", "percent",
                    of=MODELLED)]
            if mid < horizon
            else []
        ),
        Column("projected_group_share", f"Flow model, {end}", "percent", of=MODELLED),
        Column("projected_group_share_lower", f"Band, {end}", "percent_interval",
               of=MODELLED, upper="projected_group_share_upper"),
        Column("straight_line_group_share", f"Straight line, {end}", "percent",
               of=(*COUNTS, *trend)),
        Column("parity_status", "Reaches the population share", "text", of=MODELLED),
        Column("reach_probability", f"Chance of being at or above it in {end}", "percent",
               of=MODELLED),
        Column("long_run_group_share", "Where today's rates settle", "percent", of=MODELLED),
    )  # fmt: skip
    title = "Where today's rates lead"
    outlook = DeclaredTable(
        id="projection-outlook",
        caption=f"{title}: {label}, the stock-and-flow projection by rank and worker type",
        columns=columns,
        frame=frame,
        total_rows=frozenset({ALL_OFFICERS, "Whole workforce"}),
        notes=(straight_line_rule(cells),),
    )
    ranks = [
        r for r, w, k in zip(outlook.labels, frame["worker_type"], frame["rank_or_band"],
                             strict=True) if w == "police_officer" and k != "All"
    ]  # fmt: skip

    def compose_outlook() -> Prose:
        row = ALL_OFFICERS
        if row in outlook.labels and not_projected(outlook, row):
            message = f"The officers' projection is not made: {NOBODY_STATED_WORDS % 'them'}."
            headline = message
        elif row not in outlook.labels or number(outlook, row, "projected_group_share") is None:
            message = "The officers' projection cannot be shown; the numbers are too small."
            headline = message
        else:
            status = outlook.text(row, "parity_status")
            now_words = outlook.text(row, "group_share")
            end_words = outlook.text(row, "projected_group_share")
            headline = f"At today's rates the {label} share of officers " + (
                f"is {now_words} now and {end_words} in {end}"  # not "goes from 0% to 0%"
                if now_words == end_words
                else f"goes from {now_words} now to {end_words} by {end}"
            )
            message = (
                f"{headline} ({band_words(cells)} simulated futures in the band "
                f"{outlook.text(row, 'projected_group_share_lower')}), against "
                f"{outlook.text(row, 'population_share')} of the population: "
                + (
                    "it is already there."
                    if status == "reached"
                    else f"it is there now, but {status}."
                    if status.startswith("falls below")
                    else f"{status}."
                )
            )
        others = [r for r in outlook.labels if r != ALL_OFFICERS and not_projected(outlook, r)]
        if others:  # said only where the table shows it (a withheld count is not revealed)
            message += (
                f" {fmt.join(others)} {'is' if len(others) == 1 else 'are'} not projected: "
                f"{NOBODY_STATED_WORDS % ('it' if len(others) == 1 else 'them')}."
            )
        return Prose(
            message=message,
            chart=Chart(
                kind="bars",
                series=(
                    Series("group_share", "Now"),
                    Series("projected_group_share", f"Flow model, {end}"),
                ),
                benchmark=Series("population_share", CENSUS_LABEL),
                axis=f"{label} share of officers who stated an ethnicity (%)",
                title=headline,
                alt=(
                    f"Bar chart of each officer rank's share now and in the flow model's "
                    f"projection for {end}, with the population share as a dashed marker; "
                    "the values are in the table."
                ),
                rows=tuple([*ranks, ALL_OFFICERS]),
            ),
            findings=[message] if message != headline else [],
            definitions=[
                (
                    "Stock-and-flow projection",
                    "Each rank's people, by group, moved on a year at a time: each group leaves "
                    "and is promoted at its own recent rate, and every leaver is replaced by a "
                    "recruit in the recent mix. Where it settles is the ceiling (or floor) that "
                    "recruitment, leaving and promotion allow together; the straight line beside "
                    "it carries the recent trend on and ignores who joins and leaves.",
                )
            ],
        )

    sections = [Section("projection-outlook", THEME, title, outlook, compose_outlook)]
    fan = _fan_section(cells, snapshot_date, outlook)
    if fan is not None:
        sections.append(fan)
    return sections


NOBODY_STATED_STATUS = "not projected: nobody stated an ethnicity"
"""marts.projection_outlook's status of a scope nobody in which has a stated ethnicity."""
NOBODY_STATED_WORDS = "nobody in %s has a stated ethnicity, so there is no share to project"


def not_projected(table: DeclaredTable, row: str) -> bool:
    """Whether the row's status, as the table shows it, is that nobody in its scope stated
    an ethnicity (so nothing is projected for it: pipeline.flows.stated_now)."""
    return table.text(row, "parity_status") == NOBODY_STATED_STATUS


def _not_yet(cells: Cells, snapshot_date) -> Section:
    """In place of the projection, until the rates window holds a year of flows (a new
    force's first night: one snapshot): what it needs, not a flat future with a certain
    band and a 0% chance (hostile 6, finding 16); or, with the snapshots there, until the
    joiners and leavers between them are loaded (hostile 7, finding 1)."""
    loaded = len(window_dates(cells, snapshot_date))
    years = in_years(cells.settings.projections.window_years)
    rows = [{"label": f"Staff snapshots in the last {years}", "loaded": loaded, "needed": 2}]
    if loaded >= 2:
        (covered,) = cells.con.execute(
            "select coalesce(max(period_count), 0) from analytics.projection_rates"
        ).fetchone()
        rows.append(
            {
                "label": "Periods between them with their joiners and leavers loaded",
                "loaded": covered,
                "needed": 1,
            }
        )
    frame = pd.DataFrame(rows)
    title = "Where today's rates lead"
    table = DeclaredTable(
        id="projection-outlook",
        caption=f"{title}: not yet projected, for want of a year of flows",
        columns=(
            Column("label", "What the projection is driven by", "label"),
            Column("loaded", "Loaded", "number"),
            Column("needed", "Needed", "number"),
        ),
        frame=frame,
    )
    row = table.labels[0]

    def compose() -> Prose:
        if loaded >= 2:
            flows = table.labels[1]
            return Prose(
                message=(
                    "Nothing is projected yet: the stock-and-flow projection is driven by the "
                    "joining, leaving and promotion rates observed between snapshots, and "
                    f"{table.text(row, 'loaded')} snapshots are loaded in the last {years}, "
                    "but the joiners-and-leavers files loaded cover no period between them "
                    f"({table.text(flows, 'loaded')} periods covered; the data-quality checks "
                    "name what is missing). It will be published once they do."
                )
            )
        return Prose(
            message=(
                "Nothing is projected yet: the stock-and-flow projection is driven by the "
                "joining, leaving and promotion rates observed between snapshots, so it needs "
                f"at least {table.text(row, 'needed')} snapshots in the last {years}, and "
                f"{table.text(row, 'loaded')} {'is' if loaded == 1 else 'are'} loaded (the "
                f"latest, {fmt.date(snapshot_date)}). "
                "It will be published, with its band, the chance of reaching the population "
                "share and what drives it, once the next snapshot is loaded."
            )
        )

    return Section("projection-outlook", THEME, title, table, compose)


def _fan_section(cells: Cells, snapshot_date, outlook: DeclaredTable) -> Section | None:
    frame = cells.con.execute(FAN_SQL, [cells.headline]).df()
    if frame.empty:
        return None
    frame["label"] = frame["projection_date"].map(lambda d: str(pd.Timestamp(d).year))
    frame["x"] = frame["label"]
    frame["lpu_code"] = "All"
    frame["as_of"] = snapshot_date
    add_scope_counts(cells, frame, "as_of", "group_code")
    add_recruit_cells(cells, frame, window_reporting_years(cells, snapshot_date), cells.headline)
    trend = _window_counts(cells, frame, snapshot_date, key="label")
    label = headline_label(cells.settings)
    band = f"Band ({band_words(cells)} simulated futures)"
    columns = (
        Column("label", "Year", "label", integer=True),
        Column("projected_group_share", "Flow model", "percent", of=MODELLED),
        Column("projected_group_share_lower", band, "percent_interval", of=MODELLED,
               upper="projected_group_share_upper"),
        Column("straight_line_group_share", "Straight line", "percent", of=(*COUNTS, *trend)),
        Column("reach_probability", "Chance of being at or above the population share",
               "percent", of=MODELLED),
        Column("population_share", CENSUS_LABEL, "share"),
    )  # fmt: skip
    title = "Officers: the projection year by year"
    table = DeclaredTable(
        id="projection-officers",
        caption=f"{title}: {label}, the flow model with its band, and the straight line",
        columns=columns,
        frame=frame,
        notes=(NOT_FOR_INDIVIDUALS, assumptions(cells, snapshot_date), straight_line_rule(cells)),
    )
    first, last = table.labels[0], table.labels[-1]

    def drivers() -> str:
        row = ALL_OFFICERS
        if row not in outlook.labels:
            return ""
        recruits = number(outlook, row, "recruit_group_share")
        settle = number(outlook, row, "long_run_group_share")
        now = number(outlook, row, "group_share")
        if None in (recruits, settle, now):
            return ""
        lift = "raises" if recruits > now else "does not raise"
        below = (
            ", below the recruits' own mix, because the group leaves, or moves up and out, "
            "at different rates"
            if settle < recruits - 0.05
            else ""
        )
        return (
            f" What drives it: of the officers who joined in "
            f"{recruit_words(cells, window_reporting_years(cells, snapshot_date))} and stated an "
            f"ethnicity, {outlook.text(row, 'recruit_group_share')} were from the group, "
            f"against {outlook.text(row, 'group_share')} of officers now, so recruitment "
            f"{lift} the share; at today's joining, leaving and promotion rates it settles at "
            f"{outlook.text(row, 'long_run_group_share')}{below}. The straight line carries "
            "the recent trend on regardless of who joins and leaves, so it never slows."
        )

    def straight_words() -> str:
        """Where the straight line ends, or why there is none (straight_line_rule)."""
        shown = [
            r for r in table.labels if number(table, r, "straight_line_group_share") is not None
        ]
        if not shown:
            return (
                "there is no straight line: too few snapshots or people lie behind it for "
                "one to mean anything"
            )
        if shown[-1] == last:
            return f"the straight line reaches {table.text(last, 'straight_line_group_share')}"
        rising = number(table, shown[-1], "straight_line_group_share") >= number(
            table, shown[0], "straight_line_group_share"
        )
        return (
            f"the straight line reaches {table.text(shown[-1], 'straight_line_group_share')} "
            f"in {shown[-1]} and after it would pass the point where "
            f"{'every officer' if rising else 'no officer'} is in the group, so it is not "
            "carried further"
        )

    def compose() -> Prose:
        if ALL_OFFICERS in outlook.labels and not_projected(outlook, ALL_OFFICERS):
            message = f"The officers' projection is not made: {NOBODY_STATED_WORDS % 'them'}."
        elif number(table, last, "projected_group_share") is None:
            message = "The officers' projection cannot be shown; the numbers are too small."
        else:
            start_words = table.text(first, "projected_group_share")
            end_words = table.text(last, "projected_group_share")
            message = (
                "The flow model "
                + (
                    f"has the {label} share of officers at {start_words} in {first} and "
                    f"{end_words} in {last}"
                    if start_words == end_words
                    else f"takes the {label} share of officers from {start_words} in {first} "
                    f"to {end_words} in {last}"
                )
                + f" (band {table.text(last, 'projected_group_share_lower')}); "
                f"{straight_words()}." + drivers()
            )
        return Prose(
            message=message,
            chart=Chart(
                kind="fan",
                series=(Series("projected_group_share", "Flow model (today's rates held)"),
                        Series("straight_line_group_share", "Straight line (recent trend)")),
                band=Series("projected_group_share_lower", band),
                benchmark=Series("population_share", CENSUS_LABEL),
                axis=f"{label} share of officers who stated an ethnicity (%)",
                title="The flow model slows as officers approach what joining and leaving "
                "allow; the straight line does not",
                alt=(
                    f"Line chart from {first} to {last}: the flow model's projected share of "
                    f"officers with a shaded band holding {band_words(cells)} simulated "
                    "futures, the straight-line extrapolation as a dotted line, and the "
                    "Census 2021 population share as a dashed line; the values are in the "
                    "table."
                ),
                x="x",
                rows=tuple(table.labels),
            ),
        )  # fmt: skip

    return Section("projection-officers", THEME, title, table, compose)


# --------------------------------------------------------------------------- promotion needed

REQUIREMENTS_SQL = (
    "select * from analytics.target_requirements order by target_sort_order, rank_order"
)
FLOW_COLUMNS = ("group_in_post", "group_promoted", "rest_in_post", "rest_promoted")


# Why there is no promotion rate a target needs (the mart's factor_reason_code: the factor
# is null), after "<scope>: ". The table beside it shows [x] for the needed rates and factor.
NO_FACTOR = {
    "date_passed": "the target date has passed, so there is no promotion rate left to meet it by.",
    "rank_vacant": "nobody who stated an ethnicity holds {rank} now, so there is no share "
    "there to raise and no promotion rate the target would need ([x] in the table).",
    "no_promotions_into_rank": "nobody was promoted into {rank} over {years}, so no multiple "
    "of that recent rate of none would bring anyone of the group into it: there is no "
    "promotion rate the target would need ([x] in the table).",
    "no_group_promotions_into_rank": "no member of the group was promoted into {rank} over "
    "{years}, so no multiple of their recent rate of none would bring any of them into it: "
    "there is no promotion rate the target would need ([x] in the table).",
    "not_reachable": "not reachable by promotion alone by {date}, with recruitment and "
    "leaving as they are: not even with the group's promotion rate at every rank below "
    "raised as far as it goes ([x] in the table).",
}


NO_PROMOTIONS = frozenset({"no_promotions_into_rank", "no_group_promotions_into_rank"})
RANK_HEADCOUNT_SQL = """
select coalesce(max(headcount), 0) from analytics.representation
where snapshot_date = ? and worker_type = ? and rank_or_band = ? and lpu_code = 'All'
"""


def promotion_needed(cells: Cells, snapshot_date):
    """For each share target set at a rank: each rank below it, period by period (the cells
    its rates come from) and over the window, with the promotion rate the target needs."""
    needs = cells.con.execute(REQUIREMENTS_SQL).df()
    if needs.empty:
        return []
    start = pd.Timestamp(snapshot_date) - pd.DateOffset(
        years=cells.settings.projections.window_years
    )
    flows = cells.con.execute(
        """select * from analytics.workforce_flows
           where period_start_date >= ? and membership_code <> 'not_stated'""",
        [start.date()],
    ).df()
    return [
        section
        for code, target in needs.groupby("target_code", sort=False)
        for section in _promotion_sections(cells, code, target, flows, snapshot_date)
    ]


def _promotion_sections(
    cells: Cells, code: str, target: pd.DataFrame, flows: pd.DataFrame, snapshot_date
) -> list[Section]:
    """Two tables: the rates a rank target needs (one row per rank below it) and, after it,
    the counts of each period those rates come from (the cells every rate names)."""
    group = target["group_code"].iloc[0]
    members = cells.eth(group)
    others = cells.eth("stated") - members
    counts, rates = [], []
    for need in target.to_dict("records"):
        part = flows[(flows["group_code"] == group) & (flows["worker_type"] == need["worker_type"])
                     & (flows["rank_or_band"] == need["rank_or_band"])]  # fmt: skip
        periods = sorted(part["period_start_date"].unique())
        for period in periods:
            at = part[part["period_start_date"] == period].set_index("membership_code")
            counts.append({
                "label": f"{need['rank_or_band']}, {fmt.date(period)} to "
                         f"{fmt.date(at['period_end_date'].iloc[0])}",
                "period_start_date": period, "worker_type": need["worker_type"],
                "rank_or_band": need["rank_or_band"],
                "group_in_post": at.at["in_group", "in_post_count"],
                "group_promoted": at.at["in_group", "promoted_count"],
                "rest_in_post": at.at["rest_stated", "in_post_count"],
                "rest_promoted": at.at["rest_stated", "promoted_count"],
            })  # fmt: skip
        rates.append({"label": need["rank_or_band"], **need})
    if not counts:
        # No period of flows yet (a new force's first night): there are no rates to solve
        # from, and the projection section says what it needs (hostile 7, finding 2).
        return []
    counted = pd.DataFrame(counts)

    def key(record, eth, promoted: bool):
        population = cells.staff(record["period_start_date"], movements=True)
        return cells.key(
            population,
            post=cells.posts(population, record["worker_type"], record["rank_or_band"]),
            eth=eth,
            promoted="yes" if promoted else None,
        )

    for name, eth, promoted in (("group_in_post", members, False),
                                ("group_promoted", members, True),
                                ("rest_in_post", others, False),
                                ("rest_promoted", others, True)):  # fmt: skip
        add_keys(counted, name, lambda r, e=eth, p=promoted: key(r, e, p))
    # Each rank's rates come from every period's cells of that rank (the group's from the
    # group's, everyone else's from theirs). The factor is one figure for the target, solved
    # with every rank's rates at once, and each needed rate is the factor times the rank's
    # own: they come from every rank's cells, so one rank's withheld promotions withhold
    # them in every row (and in every sentence), not only in that rank's.
    frame = pd.DataFrame(rates)
    per_rank = {rank: part.reset_index(drop=True)
                for rank, part in counted.groupby("rank_or_band", sort=False)}  # fmt: skip
    own_sources: dict[str, list[str]] = {"group": [], "rest": []}
    for i in range(max((len(p) for p in per_rank.values()), default=0)):
        for name in FLOW_COLUMNS:
            column = f"p{i}_{name}"
            own_sources[name.split("_")[0]].append(column)
            own = [per_rank.get(r) for r in frame["rank_or_band"]]
            frame[column] = [o.at[i, name] if o is not None and i < len(o) else None for o in own]
            frame[f"{column}@key"] = pd.Series(
                [o.at[i, f"{name}@key"] if o is not None and i < len(o) else None for o in own],
                dtype=object,
            )
    every_rank = []
    for j, part in enumerate(per_rank.values()):
        for i in range(len(part)):
            for name in FLOW_COLUMNS:
                column = f"r{j}_p{i}_{name}"
                every_rank.append(column)
                frame[column] = part.at[i, name]
                frame[f"{column}@key"] = pd.Series([part.at[i, f"{name}@key"]] * len(frame),
                                                   dtype=object)  # fmt: skip
    group_sources = (*own_sources["group"], *own_sources["rest"])
    name = target["target_name"].iloc[0]
    rank = target["target_rank_or_band"].iloc[0]
    years = window_words(cells, snapshot_date)
    title = f"What it would take: promotion to {rank}"
    reason = target["factor_reason_code"].iloc[0]
    # With no factor (the mart says why), the needed rates and the factor do not exist: [x],
    # computed from nothing, not [c] (nothing is withheld when there is nothing to count).
    # "Nobody (of the group) was promoted into it" tells the promotions from the rank below:
    # that [x] is declared over those counts, so it is [c] (and the sentence says withheld)
    # where they are not shown.
    into = frame["rank_or_band"].iloc[-1]
    j = list(per_rank).index(into) if into in per_rank else None
    into_sources = () if j is None else tuple(
        f"r{j}_p{i}_{name}" for i in range(len(per_rank[into])) for name in FLOW_COLUMNS
    )  # fmt: skip
    # "Nobody who stated holds the rank" tells that rank's count of those who stated: where
    # anyone holds it, that [x] is declared over its headcount and those not stated there.
    # "Not reachable" is solved from every rank's promotions, as a factor is.
    vacant = ()
    if reason == "rank_vacant":  # nobody stated: those not stated are everyone there
        (headcount,) = cells.con.execute(
            RANK_HEADCOUNT_SQL,
            [pd.Timestamp(snapshot_date).date(), target["worker_type"].iloc[0], rank],
        ).fetchone()
        # a rank nobody holds tells nothing of anyone; one whose people all did not state
        # tells that of each of them, so only with their counts
        vacant = ("target_headcount", "target_not_stated") if headcount else ()
        for column, eth in (("target_headcount", None), ("target_not_stated", "NS")):
            frame[column] = headcount
            add_keys(frame, column, lambda r, e=eth: cells.key(
                cells.staff(snapshot_date),
                post=cells.posts(cells.staff(snapshot_date), r["worker_type"], rank),
                eth=None if e is None else cells.eth(e),
            ))  # fmt: skip
    solved_from = (
        into_sources if reason in NO_PROMOTIONS
        else vacant if reason == "rank_vacant"
        else () if reason == "date_passed"
        else tuple(every_rank)
    )  # fmt: skip
    table = DeclaredTable(
        id=f"what-it-would-take-{code}",
        caption=f"{title}, for the target {name}: rates over {years}",
        columns=(
            Column("label", "Rank promoted from", "label"),
            Column("promotion_rate", "Group's promotion rate (a year)", "percent",
                   of=group_sources),
            Column("reference_promotion_rate", "Everyone else's (a year)", "percent",
                   of=tuple(own_sources["rest"])),
            Column("needed_promotion_rate", "Group's rate the target needs", "percent",
                   of=solved_from),
            Column("promotion_rate_factor", "Times the recent rate", "ratio",
                   of=solved_from),
        ),
        frame=frame,
    )  # fmt: skip
    behind = DeclaredTable(
        id=f"what-it-would-take-{code}-counts",
        caption=f"{title}: the promotions each period, behind the rates",
        columns=(
            Column("label", "Rank promoted from, and period", "label"),
            Column("group_in_post", "Group: in post at the start", "count"),
            Column("group_promoted", "Group: promoted by the end", "count"),
            Column("rest_in_post", "Everyone else who stated: in post", "count"),
            Column("rest_promoted", "Everyone else who stated: promoted", "count"),
        ),
        frame=counted,
    )
    definition = (
        "Promotion rate the target needs",
        f"Found by running the flow model with the group's promotion rate at every rank below "
        f"the target's multiplied by one factor, everything else as observed over the last "
        f"{years}, until it meets the target on the date.",
    )
    scope = scope_words({**target.iloc[0].to_dict(), "rank_or_band": rank, "lpu_code": "All"})

    def compose() -> Prose:
        shown = [r for r in table.labels if number(table, r, "promotion_rate_factor") is not None]
        withheld = [r for r in table.labels if table.value(r, "promotion_rate_factor") is WITHHELD]
        if reason in NO_FACTOR and not withheld:
            message = f"{scope}: " + NO_FACTOR[reason].format(
                rank=rank, years=years, date=fmt.date(target["target_date"].iloc[0])
            )
        elif withheld and reason in NO_FACTOR:
            message = (
                f"{scope}: the promotion rates the target would need cannot be shown: the "
                "numbers are too small."
            )
        elif withheld:
            few = [r for r in table.labels if table.value(r, "promotion_rate") is WITHHELD]
            message = (
                f"{scope}: the promotion rates the target would need are withheld: they are "
                "solved from every rank's promotions together"
                + (f", and those from {fmt.join(few)} are too few to show." if few else ".")
            )
        else:
            parts = [
                f"from {r} {table.text(r, 'needed_promotion_rate')} a year (recently "
                f"{table.text(r, 'promotion_rate')}; everyone else "
                f"{table.text(r, 'reference_promotion_rate')})"
                for r in table.labels
                if number(table, r, "needed_promotion_rate") is not None
            ]
            message = (
                f"{scope}: to meet the target with recruitment and leaving as they are, the "
                f"group's promotion rates would need to be "
                f"{table.text(shown[0], 'promotion_rate_factor')} times their recent level"
                + (f": {fmt.join(parts)}." if parts else ".")
            )
        return Prose(
            message=message, findings=[] if withheld else [message], definitions=[definition]
        )

    def compose_counts() -> Prose:
        return Prose(
            message=f"The promotions each year behind the rates above, rank by rank: over "
            f"{years}, those in post at the start of each year and how many of "
            "them held a higher rank a year later."
        )

    return [
        Section(f"what-it-would-take-{code}", THEME, title, table, compose),
        Section(f"what-it-would-take-{code}-counts", THEME,
                f"{title}: the numbers behind it", behind, compose_counts),
    ]  # fmt: skip
