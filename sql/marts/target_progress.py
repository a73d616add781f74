"""Where each configured target stands and what it would take (a Python model: the
"what it would take" answers are found by running the flow model, pipeline.flows).

For each row of ref.targets, at the latest snapshot: the value now (the group's share in the
target's scope, or its joiners since from_date), the rate needed from now to meet it, the
current rate (the straight line through the window's snapshots, or joiners a year over the
window) and where it leads by the date, the flow model's value on the date with its band
(marts.projections), the group's share of recruits needed from now on for the flow model
to meet the target, and a status: met, on track (the current rate gets there), not on
track, or, once the date has passed, met or missed. A joiners target's figures count its own
years only: from the later of now and its start (a period not begun has no joiners so far).
"""

from __future__ import annotations

import math

import duckdb
import numpy as np
import pandas as pd

from pipeline import flows, straight_line
from pipeline.targets import lpu_names

DEPENDS_ON = [
    "ref.targets",
    "ref.projection_settings",
    "ref.grouping_members",
    "marts.representation",
    "marts.representation_trend",
    "marts.projections",
    "marts.projection_rates",
    "staging.stg_hr__joiners_leavers",
    "raw.area_lookup",
]
ALL = "All"
COLUMNS = {
    "target_code": "str", "target_name": "str", "target_kind": "str",
    "target_sort_order": "int64", "group_code": "str", "group_label": "str",
    "worker_type": "str", "rank_or_band": "str", "lpu_code": "str", "lpu_name": "str",
    "from_date": "datetime64[s]", "target_date": "datetime64[s]", "target_share": "float64",
    "target_joiner_count": "Int64", "snapshot_date": "datetime64[s]",
    "years_remaining": "float64", "baseline_snapshot_date": "datetime64[s]",
    "baseline_group_share": "float64", "declared_headcount": "Int64",
    "group_headcount": "Int64", "group_share": "float64",
    "judged_snapshot_date": "datetime64[s]", "judged_declared_headcount": "Int64",
    "judged_group_headcount": "Int64", "judged_group_share": "float64",
    "needed_share_change_per_year": "float64", "trend_share_change_per_year": "float64",
    "straight_line_group_share": "float64", "projected_group_share": "float64",
    "projected_group_share_lower": "float64", "projected_group_share_upper": "float64",
    "group_joiner_count": "Int64", "needed_joiners_per_year": "float64",
    "current_joiners_per_year": "float64", "straight_line_joiners": "float64",
    "projected_group_joiners": "float64", "recruit_group_share": "float64",
    "needed_recruit_share": "float64", "target_status": "str", "note": "str",
}  # fmt: skip


def _status(target: dict, value, straight, reached_date: bool) -> str:
    goal = (
        target["target_share"]
        if target["target_kind"] == "share"
        else target["target_joiner_count"]
    )
    if value is None:
        return "no data"
    met = value >= goal - 1e-12
    if reached_date:
        return "met" if met else "missed"
    if met:
        return "met"
    if straight is None:
        return "no current rate"  # too few snapshots or people for a straight line
    if straight >= goal - 1e-12:
        return "on track"
    return "not on track"


def _interpolated(frame: pd.DataFrame, column: str, years: float):
    if frame.empty or years > frame["projection_year"].max():
        return None
    values = frame.sort_values("projection_year")[column].to_numpy(dtype=float)
    value = flows.share_at(values, years)
    return None if math.isnan(value) else value


class Context:
    """What every target reads: the latest snapshot, the window and the flow model inputs."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con
        (self.snapshot_date, self.first_snapshot) = con.execute(
            "select max(snapshot_date), min(snapshot_date) from marts.representation"
        ).fetchall()[0]
        (self.window_years, self.horizon_years) = con.execute(
            "select window_years, horizon_years from ref.projection_settings"
        ).fetchall()[0]
        self.lpu_names = dict(
            con.execute("select distinct lpu_code, lpu_name from raw.area_lookup").fetchall()
        )
        self._counts: dict[str, flows.Counts | None] = {}

    def counts(self, group: str) -> flows.Counts | None:
        if group not in self._counts:
            self._counts[group] = flows.load_counts(self.con, group)
        return self._counts[group]

    def representation(self, target: dict, snapshot_date) -> dict | None:
        row = self.con.execute(
            """select snapshot_date, declared_headcount, group_headcount, group_share
               from marts.representation
               where snapshot_date = ? and group_code = ? and worker_type = ?
                 and rank_or_band = ? and lpu_code = ?""",
            [snapshot_date, target["group_code"], target["worker_type"],
             target["rank_or_band"], target["lpu_code"]],
        ).df()  # fmt: skip
        return None if row.empty else row.iloc[0].to_dict()

    def snapshot_on_or_before(self, day):
        """The last snapshot on or before ``day``, else the earliest."""
        (found,) = self.con.execute(
            "select max(snapshot_date) from marts.representation where snapshot_date <= ?",
            [pd.Timestamp(day).date()],
        ).fetchall()[0]
        return found or self.first_snapshot

    def baseline_date(self, target: dict):
        if pd.isna(target["from_date"]):
            return self.first_snapshot
        return self.snapshot_on_or_before(target["from_date"])

    def joiners(self, target: dict, start, end) -> int:
        """The group's joiners in the target's scope with start <= movement date <= end."""
        (count,) = self.con.execute(
            """select count(*) from staging.stg_hr__joiners_leavers as joiners
               inner join ref.grouping_members as members
                   on joiners.ethnicity_code = members.ethnicity_code
                   and members.group_code = ?
               where joiners.movement_type = 'joiner'
                 and joiners.movement_date between ? and ?
                 and (? = 'All' or joiners.worker_type = ?)
                 and (? = 'All' or joiners.rank_or_band = ?)
                 and (? = 'All' or joiners.lpu_code = ?)""",
            [target["group_code"], start, end,
             target["worker_type"], target["worker_type"],
             target["rank_or_band"], target["rank_or_band"],
             target["lpu_code"], target["lpu_code"]],
        ).fetchall()[0]  # fmt: skip
        return int(count)

    def projection(self, target: dict) -> pd.DataFrame:
        return self.con.execute(
            """select * from marts.projections
               where group_code = ? and worker_type = ? and rank_or_band = ?""",
            [target["group_code"], target["worker_type"], target["rank_or_band"]],
        ).df()


def _scope(counts: flows.Counts, target: dict) -> tuple[np.ndarray, list[int]]:
    ladder = counts.ladder
    worker_type = None if target["worker_type"] == ALL else target["worker_type"]
    rank = None if target["rank_or_band"] == ALL else target["rank_or_band"]
    positions = ladder.positions(worker_type, rank)
    types = (
        list(range(len(ladder.types)))
        if worker_type is None
        else [ladder.types.index(worker_type)]
        if worker_type in ladder.types
        else []
    )
    return positions, types


def _recruit_share(counts: flows.Counts, types: list[int]) -> float | None:
    columns = np.isin(counts.ladder.type_index, types)
    group = counts.joiners[flows.IN, columns].sum()
    stated = group + counts.joiners[flows.REST, columns].sum()
    return float(group / stated) if stated > 0 else None


def progress(ctx: Context, target: dict) -> dict:
    out = {name: None for name in COLUMNS}
    out.update({k: target[k] for k in COLUMNS if k in target})
    out["snapshot_date"] = ctx.snapshot_date
    out["lpu_name"] = (
        "Force-wide"
        if target["lpu_code"] == ALL
        else ctx.lpu_names.get(target["lpu_code"], target["lpu_code"])
    )
    if ctx.snapshot_date is None:
        out.update(target_status="no data", note="No staff snapshot has been loaded.")
        return out
    now = pd.Timestamp(ctx.snapshot_date)
    years = (pd.Timestamp(target["target_date"]) - now).days / 365.25
    out["years_remaining"] = max(years, 0.0)
    passed = years <= 0
    notes = []
    counts = ctx.counts(target["group_code"])
    modelled = counts is not None and target["lpu_code"] == ALL
    if target["lpu_code"] != ALL:
        notes.append("The flow model is force-wide by rank, so it is not run for an LPU.")
    positions, types = _scope(counts, target) if modelled else (np.array([], int), [])
    if modelled and (positions.size == 0 or not types):
        modelled = False
        notes.append("Nobody is in post in this scope.")
    if modelled:
        out["recruit_group_share"] = _recruit_share(counts, types)
    projection = ctx.projection(target) if modelled else pd.DataFrame()

    if target["target_kind"] == "share":
        # "now" is always the latest snapshot; a target whose date has passed is judged at
        # the snapshot on or before its date, published beside it as its own figure
        current = ctx.representation(target, ctx.snapshot_date)
        judged = current
        if passed:
            as_of = ctx.snapshot_on_or_before(target["target_date"])
            judged = ctx.representation(target, as_of)
            notes.append(f"The date has passed: it is judged at the snapshot of {as_of:%-d %B %Y}.")
            if judged is not None:
                out.update(
                    judged_snapshot_date=as_of,
                    judged_declared_headcount=judged["declared_headcount"],
                    judged_group_headcount=judged["group_headcount"],
                    judged_group_share=judged["group_share"],
                )
        baseline_date = ctx.baseline_date(target)
        baseline = ctx.representation(target, baseline_date)
        value = (
            None if current is None or pd.isna(current["group_share"]) else current["group_share"]
        )
        judged_value = (
            None if judged is None or pd.isna(judged["group_share"]) else judged["group_share"]
        )
        if current is not None:
            out.update(
                declared_headcount=current["declared_headcount"],
                group_headcount=current["group_headcount"],
                group_share=value,
            )
        if baseline is not None:
            out.update(
                baseline_snapshot_date=baseline_date, baseline_group_share=baseline["group_share"]
            )
        ((slope, line_note),) = ctx.con.execute(
            """select trend_share_change_per_year, trend_line_note
               from marts.representation_trend
               where snapshot_date = ? and group_code = ? and worker_type = ?
                 and rank_or_band = ? and lpu_code = ?""",
            [ctx.snapshot_date, target["group_code"], target["worker_type"],
             target["rank_or_band"], target["lpu_code"]],
        ).fetchall() or [(None, None)]  # fmt: skip
        slope = None if slope is None or pd.isna(slope) or passed else float(slope)
        out["trend_share_change_per_year"] = slope  # no current rate for a date gone by
        straight = None
        met = value is not None and value >= target["target_share"] - 1e-12
        beyond = years > ctx.horizon_years
        if met and not passed:
            notes.append("Already met: nothing more is needed, so no rate or recruits' share is.")
        if value is not None and not passed and not met:
            out["needed_share_change_per_year"] = (target["target_share"] - value) / years
            if slope is not None:
                # the status compares the line itself (past 100% it has passed the target),
                # that is the current rate with the rate needed; what is published stops
                # where the line leaves 0-1, and at the flow model's horizon: a straight
                # line is carried no further than the model beside it
                straight = value + slope * years
                if not beyond:
                    out["straight_line_group_share"] = straight_line.at(value, slope, years)
        stated = modelled and flows.stated_now(counts.stock, positions)
        if modelled and not stated and not passed:
            notes.append(flows.NOBODY_STATED)  # no flow model figure, nor recruits' share
        if not passed and not projection.empty and stated:
            for column in ("projected_group_share", "projected_group_share_lower",
                           "projected_group_share_upper"):  # fmt: skip
                out[column] = _interpolated(projection, column, years)
            if out["projected_group_share"] is None:
                notes.append(
                    "The date is beyond the projection's horizon, so the flow model is not "
                    "run that far, nor solved for the recruits' share needed."
                )
            solution = (
                flows.solve_recruit_share(
                    counts.stock, counts.point_rates(), counts.ladder, positions,
                    target["target_share"], years, types,
                )
                if not beyond
                else flows.Solution(None, True)
            )  # fmt: skip
            out["needed_recruit_share"] = None if met else solution.value
            if not solution.reachable:
                notes.append(
                    "Not reachable by recruitment alone by the date, even if every recruit "
                    "were from the group."
                )
        if slope is None and value is not None:
            notes.append(f"No current rate: {line_note or 'no snapshots in the window'}.")
        elif straight is not None and beyond:
            notes.append(
                f"A straight line is carried no further than the flow model's horizon "
                f"({ctx.horizon_years} years); the status compares the current rate with the "
                "rate needed."
            )
        elif straight is not None and out.get("straight_line_group_share") is None:
            notes.append(
                "The current rate would pass 0% or 100% before the date: a straight line "
                "that far is not a forecast, so none is shown."
            )
        out["target_status"] = _status(target, judged_value if passed else value, straight, passed)
    else:
        start = pd.Timestamp(target["from_date"])
        begun = start <= now
        # Every figure counts the target's own years still to come: from now, or from the
        # 31 March before from_date when the period begins after the latest snapshot.
        counting_from = max(now, start - pd.Timedelta(days=1))
        lead = (counting_from - now).days / 365.25
        span_left = (pd.Timestamp(target["target_date"]) - counting_from).days / 365.25
        achieved = 0
        if begun:
            end = min(pd.Timestamp(target["target_date"]), now).date()
            achieved = ctx.joiners(target, start.date(), end)
            out["group_joiner_count"] = achieved
        else:
            notes.append(
                f"Not begun: counting starts on {start:%-d %B %Y}, so no joiners are counted "
                "yet, and every figure counts the target's own years, from then to the date."
            )
        window_start = max(now - pd.DateOffset(years=int(ctx.window_years)),
                           pd.Timestamp(ctx.first_snapshot))  # fmt: skip
        span = (now - window_start).days / 365.25
        straight = None
        if span > 0:
            recent = ctx.joiners(target, (window_start + pd.Timedelta(days=1)).date(), now.date())
            out["current_joiners_per_year"] = recent / span
        if not passed:
            remaining = target["target_joiner_count"] - achieved
            out["needed_joiners_per_year"] = max(remaining, 0) / span_left
            if out["current_joiners_per_year"] is not None:
                straight = achieved + out["current_joiners_per_year"] * span_left
                out["straight_line_joiners"] = straight
            if not projection.empty and lead + span_left <= projection["projection_year"].max():
                expected = np.cumsum(
                    projection.sort_values("projection_year")["projected_group_joiners"]
                ).to_numpy(dtype=float)
                out["projected_group_joiners"] = achieved + (
                    flows.share_at(expected, lead + span_left) - flows.share_at(expected, lead)
                )
                solution = flows.solve_recruit_share_for_joiners(
                    counts.stock, counts.point_rates(), counts.ladder, positions,
                    remaining, span_left, types, start=lead,
                )  # fmt: skip
                out["needed_recruit_share"] = solution.value if remaining > 0 else None
                if not solution.reachable:
                    notes.append(
                        "Not reachable by the date even if every recruit were from the group."
                    )
        out["target_status"] = _status(target, achieved, straight, passed)
    out["note"] = " ".join(notes)
    return out


def model(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    targets = con.execute("select * from ref.targets order by target_sort_order").df()
    targets = lpu_names(con, targets)
    ctx = Context(con)
    rows = [progress(ctx, target) for target in targets.to_dict("records")]
    frame = pd.DataFrame(rows, columns=list(COLUMNS))
    return frame.astype(COLUMNS)
