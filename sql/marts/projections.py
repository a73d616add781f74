"""The workforce projection, year by year (a Python model: simulation is not SQL).

For each projected grouping (ref.projection_groups), the stock-and-flow model of
pipeline.flows is driven by marts.projection_rates (the rates SQL pooled over the window)
from the latest snapshot, [projections] horizon_years ahead. Every figure comes from the
same simulated futures: the central share is their median, and the headcounts beside it are
those of the simulated future whose share that median is (so group / stated headcount is
the share on every row, and the share lies within the band); the band is the central
[projections] band of the futures; the chance of being at or above the population share is
the share of futures that are (above one half exactly when the central share is at or above
it); the recruits are the median over the futures; where today's rates settle is the median
of each future's own long-run share (pipeline.flows.stationary).
Beside it, the straight line: the share now carried on at the slope through the recent
snapshots (marts.representation_trend, where it has one), as a target's "at the current
rate" is (marts.target_progress); it ignores who joins and leaves, and is missing from the
year it would pass 0% or 100% (pipeline.straight_line). Rows for the whole workforce, each
worker type and each rank or band. No rows for a group until the window holds a year of flows (two
snapshots): with no observed rates there is nothing to project. A scope in which nobody
stated an ethnicity at the latest snapshot has no share to project (pipeline.flows.stated_now):
its rows have headcounts but no share, band, chance, stated headcounts or settling share.
A group nobody of which joined a worker type in the window is recruited into it in no future
(pipeline.flows): a worker type's band none of the group holds or joins stays at 0%, central
line and band alike.
"""

from __future__ import annotations

import warnings

import duckdb
import numpy as np
import pandas as pd

from pipeline import flows, straight_line

DEPENDS_ON = [
    "marts.projection_rates",
    "marts.representation_trend",
    "marts.population_benchmark",
    "ref.projection_settings",
    "ref.projection_groups",
    "ref.groupings",
    "ref.worker_types",
]

COLUMNS = {
    "group_code": "str", "group_label": "str", "group_sort_order": "int64",
    "worker_type": "str", "worker_type_label": "str", "rank_or_band": "str",
    "rank_order": "Int64", "snapshot_date": "datetime64[s]", "projection_year": "int64",
    "projection_date": "datetime64[s]", "projected_headcount": "float64",
    "projected_declared_headcount": "float64", "projected_group_headcount": "float64",
    "projected_group_share": "float64",
    "projected_group_share_lower": "float64", "projected_group_share_upper": "float64",
    "reach_probability": "float64", "projected_joiners": "float64",
    "projected_group_joiners": "float64", "straight_line_group_share": "float64",
    "population_share": "float64", "long_run_group_share": "float64",
}  # fmt: skip
ALL = "All"


def scopes(ladder: flows.Ladder) -> list[tuple[str, str, int | None]]:
    """(worker type, rank or band, rank order) for the workforce, each type, each rank."""
    out: list[tuple[str, str, int | None]] = [(ALL, ALL, None)]
    for worker_type in ladder.types:
        out.append((worker_type, ALL, None))
        ranks = [
            r for w, r in zip(ladder.worker_types, ladder.ranks, strict=True) if w == worker_type
        ]
        out += [(worker_type, rank, order) for order, rank in enumerate(ranks, start=1)]
    return out


def band(simulated: np.ndarray, coverage: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(median, lower, upper): the median and the central ``coverage`` of the simulated
    shares (draws x years), year by year, leaving out futures where nobody in the scope
    stated an ethnicity; NaN in a year where none did. All three are order statistics of the
    same futures (``inverted_cdf``: each is one future's share), so the median always lies
    within the band (hostile 14b, finding 3) and is a future whose headcounts can be shown
    beside it (:func:`central_future`)."""
    tail = (1 - coverage) / 2
    quantiles = [0.5, tail, 1 - tail]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # a year with no stated share at all
        median, lower, upper = np.nanquantile(simulated, quantiles, axis=0, method="inverted_cdf")
        return median, lower, upper


def central_future(simulated: np.ndarray, median: np.ndarray) -> np.ndarray:
    """For each year, the first simulated future whose share is the median (the first
    future in a year with no stated share at all): (years,) indices into the draws."""
    return np.argmax(simulated == median[None, :], axis=0)


def project_group(con, settings: dict, code: str, label: str, order: int) -> pd.DataFrame:
    counts = flows.load_counts(con, code)
    if counts is None or counts.in_post.sum() <= 0:
        return pd.DataFrame()  # no year of flows in the window: no rates to project with
    ladder, horizon = counts.ladder, int(settings["horizon_years"])
    draws = int(settings["simulations"])
    rng = np.random.default_rng([int(settings["seed"]), order])
    drawn = counts.drawn_rates(rng, draws)
    futures, joined = flows.simulate_with_recruits(counts, horizon, draws, rng, drawn)
    at_rest = flows.stationary(counts.stock, drawn, ladder)
    (snapshot_date,) = con.execute(
        "select max(snapshot_date) from marts.projection_rates where group_code = ?", [code]
    ).fetchall()[0]
    population = con.execute(
        """select population_share from marts.population_benchmark
           where area_level = 'force' and group_code = ?""",
        [code],
    ).fetchall()
    population_share = population[0][0] if population else None
    trend = {
        (w, r): (now, slope)
        for w, r, now, slope in con.execute(
            """select worker_type, rank_or_band, group_share, trend_share_change_per_year
               from marts.representation_trend
               where snapshot_date = ? and lpu_code = 'All' and group_code = ?""",
            [snapshot_date, code],
        ).fetchall()
    }
    labels = dict(
        con.execute("select worker_type, worker_type_label from ref.worker_types").fetchall()
    )
    years = np.arange(horizon + 1)
    dates = [pd.Timestamp(snapshot_date) + pd.DateOffset(years=int(t)) for t in years]
    columns: dict[str, list] = {name: [] for name in COLUMNS}
    n = len(years)
    for worker_type, rank, rank_order in scopes(ladder):
        positions = ladder.positions(
            None if worker_type == ALL else worker_type, None if rank == ALL else rank
        )
        simulated = flows.group_share(futures, positions)  # (draws, years)
        # Nobody in the scope stated: no share to project (its futures' shares would come
        # from people who arrive later, or from the recruits' prior: hostile 8, finding 2).
        unstated = not flows.stated_now(counts.stock, positions)
        if unstated:
            simulated = np.full_like(simulated, np.nan)
        central, lower, upper = band(simulated, float(settings["band"]))
        chosen = futures[central_future(simulated, central), years]  # (years, M, K)
        group = chosen[:, flows.IN][:, positions].sum(axis=1)
        recruits = joined[..., positions].sum(axis=-1)  # (draws, years, M)
        if population_share is None:
            reach = np.full(n, np.nan)
        else:  # of the futures in which anyone in the scope stated, as the median is
            stated = (~np.isnan(simulated)).sum(axis=0)
            at = (np.nan_to_num(simulated, nan=-1.0) >= population_share).sum(axis=0)
            reach = np.where(stated > 0, at / np.maximum(stated, 1), np.nan)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # nobody stated in any future
            settles = float(np.nanmedian(flows.group_share(at_rest, positions)))
        now, slope = trend.get((worker_type, rank), (None, None))
        straight = (
            straight_line.extend(now, slope, years)
            if not (now is None or pd.isna(now) or slope is None or pd.isna(slope))
            else np.full(n, np.nan)
        )
        if unstated:  # no future is the central one: no stated headcounts either
            settles, group, straight = np.nan, np.full(n, np.nan), np.full(n, np.nan)
        values = {
            "group_code": [code] * n,
            "group_label": [label] * n,
            "group_sort_order": [order] * n,
            "worker_type": [worker_type] * n,
            "worker_type_label": [labels.get(worker_type, "All worker types")] * n,
            "rank_or_band": [rank] * n,
            "rank_order": [rank_order] * n,
            "snapshot_date": [pd.Timestamp(snapshot_date)] * n,
            "projection_year": years,
            "projection_date": dates,
            "projected_headcount": chosen[..., positions].sum(axis=(1, 2)),
            "projected_declared_headcount": group + chosen[:, flows.REST][:, positions].sum(axis=1),
            "projected_group_headcount": group,
            "projected_group_share": central,
            "projected_group_share_lower": lower,
            "projected_group_share_upper": upper,
            "reach_probability": reach,
            "projected_joiners": np.median(recruits.sum(axis=-1), axis=0),
            "projected_group_joiners": np.median(recruits[..., flows.IN], axis=0),
            "straight_line_group_share": straight,
            "population_share": [population_share] * n,
            "long_run_group_share": [settles] * n,
        }
        for name, value in values.items():
            columns[name].extend(list(value))
    return pd.DataFrame(columns)


def model(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    settings = con.execute("select * from ref.projection_settings").df().iloc[0].to_dict()
    groups = con.execute(
        """select chosen.group_code, groupings.group_label, chosen.projection_sort_order
           from ref.projection_groups as chosen
           inner join ref.groupings as groupings on chosen.group_code = groupings.group_code
           order by chosen.projection_sort_order"""
    ).fetchall()
    frames = [project_group(con, settings, *group) for group in groups]
    frames = [f for f in frames if not f.empty]
    if not frames:
        return pd.DataFrame(columns=list(COLUMNS)).astype(COLUMNS)
    return pd.concat(frames, ignore_index=True)[list(COLUMNS)].astype(COLUMNS)
