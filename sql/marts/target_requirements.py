"""What it would take in promotion: for each share target set at one rank or band, the
group's promotion rate at each rank below it that would meet the target on the date (a
Python model: found by running the flow model of pipeline.flows).

Every rate below the target's rank is multiplied by one common factor, found so that the
flow model's share at the target's rank on the target date equals the target, all else
(recruitment, leaving, everyone else's promotion) as observed; beside each, the group's
observed rate and that of everyone else who stated an ethnicity. A target for a whole
worker type or the force has no rows: promotion moves people within a worker type, so it
cannot change that share (target_progress gives the recruits' share needed instead).
"""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd

from pipeline import flows

DEPENDS_ON = ["ref.targets", "marts.projection_rates", "marts.representation"]
ALL = "All"
COLUMNS = {
    "target_code": "str", "target_name": "str", "target_sort_order": "int64",
    "group_code": "str", "group_label": "str", "worker_type": "str", "rank_or_band": "str",
    "rank_order": "Int64", "target_rank_or_band": "str", "target_share": "float64",
    "target_date": "datetime64[s]", "snapshot_date": "datetime64[s]",
    "promotion_rate": "float64", "reference_promotion_rate": "float64",
    "needed_promotion_rate": "float64", "promotion_rate_factor": "float64",
    "factor_reason_code": "str", "note": "str",
}  # fmt: skip


# Why the factor is what it is, or why there is none (factor_reason_code -> note). The factor is
# null for every reason but "solved" and "met": a rank nobody holds has no share to raise, a
# rank nobody of the group was promoted into over the window takes no multiple of a rate of
# zero, and a solver that reaches its bound has found no factor (it once published "1000
# times their recent level" for a rank nobody held: bisection on a share that does not exist).
NOTES = {
    "solved": "",
    "met": "Met on the date at the observed rates.",
    "date_passed": "The target date has passed.",
    "rank_vacant": "Nobody who stated an ethnicity holds {rank} at the latest snapshot: there "
    "is no share there to raise, so there is no promotion rate to solve for.",
    "no_promotions_into_rank": "Nobody was promoted into {rank} over the window: no multiple "
    "of a promotion rate of zero brings anyone of the group into it.",
    "no_group_promotions_into_rank": "No member of the group was promoted into {rank} over "
    "the window: no multiple of their promotion rate of zero brings any of them into it.",
    "not_reachable": "Not reachable by promotion alone by the date, even with the group's "
    "promotion rate at every rank below raised as far as it goes (everyone of the group who "
    "stays at a rank they have been promoted from is promoted each year).",
}
NULL_REASONS = frozenset(NOTES) - {"solved", "met"}


def why_not(
    target: dict,
    counts: flows.Counts,
    rates: flows.Rates,
    positions: np.ndarray,
    below: np.ndarray,
    years: float,
) -> tuple[flows.Solution, str]:
    """The factor (or none) and its reason code (a key of :data:`NOTES`)."""
    none = flows.Solution(None, False)
    if years <= 0:
        return none, "date_passed"
    if not flows.stated_now(counts.stock, positions):
        return none, "rank_vacant"
    solution = flows.solve_promotion_factor(
        counts.stock, rates, counts.ladder, positions, target["target_share"], years, below
    )
    if solution.already_met:
        return solution, "met"
    into = below.max()  # the rank directly below: the only way into the target's by promotion
    if rates.promotion[flows.IN, into] <= 0:  # no factor changes the target's rank
        anyone = counts.promoted[:, into].sum() > 0
        return none, "no_group_promotions_into_rank" if anyone else "no_promotions_into_rank"
    return solution, "solved" if solution.reachable else "not_reachable"


def requirements(target: dict, counts: flows.Counts, snapshot_date) -> list[dict]:
    ladder = counts.ladder
    if target["worker_type"] not in ladder.types:
        return []
    positions = ladder.positions(target["worker_type"], target["rank_or_band"])
    ladder_positions = ladder.positions(target["worker_type"])
    below = ladder_positions[ladder_positions < positions.min()] if positions.size else []
    if not len(below):
        return []
    years = (pd.Timestamp(target["target_date"]) - pd.Timestamp(snapshot_date)).days / 365.25
    rates = counts.point_rates()
    base = {
        "target_code": target["target_code"],
        "target_name": target["target_name"],
        "target_sort_order": target["target_sort_order"],
        "group_code": target["group_code"],
        "group_label": target["group_label"],
        "worker_type": target["worker_type"],
        "target_rank_or_band": target["rank_or_band"],
        "target_share": target["target_share"],
        "target_date": target["target_date"],
        "snapshot_date": snapshot_date,
    }
    solution, reason = why_not(target, counts, rates, positions, np.asarray(below), years)
    needed = (
        rates.with_promotion_factor(solution.value, np.asarray(below)).promotion
        if solution.value is not None
        else None
    )
    note = NOTES[reason].format(rank=target["rank_or_band"])
    rows = []
    for order, k in enumerate(below, start=1):
        rows.append(
            {
                **base,
                "rank_or_band": ladder.ranks[k],
                "rank_order": order,
                "promotion_rate": rates.promotion[flows.IN, k],
                "reference_promotion_rate": rates.promotion[flows.REST, k],
                "needed_promotion_rate": None if needed is None else needed[flows.IN, k],
                "promotion_rate_factor": solution.value,
                "factor_reason_code": reason,
                "note": note,
            }
        )
    return rows


def model(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    targets = con.execute(
        """select * from ref.targets
           where target_kind = 'share' and rank_or_band <> 'All' and lpu_code = 'All'
           order by target_sort_order"""
    ).df()
    (snapshot_date,) = con.execute(
        "select max(snapshot_date) from marts.representation"
    ).fetchall()[0]
    rows: list[dict] = []
    counts_by_group: dict[str, flows.Counts | None] = {}
    for target in targets.to_dict("records"):
        group = target["group_code"]
        if group not in counts_by_group:
            counts_by_group[group] = flows.load_counts(con, group)
        if counts_by_group[group] is not None and snapshot_date is not None:
            rows += requirements(target, counts_by_group[group], snapshot_date)
    return pd.DataFrame(rows, columns=list(COLUMNS)).astype(COLUMNS)
