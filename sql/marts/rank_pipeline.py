"""The officer rank pipeline with a test of each rank against constables (a Python model).

SQL (intermediate.int_workforce__rank_shares) computes the shares, step ratios and the
compounded ratio from constable (share at the rank / share among constables); this adds the
score interval and test for that ratio (pipeline.rates): officers at a rank and constables
are different people, so the 2x2 table (in the grouping or not) x (this rank, constable) is
a fair test of whether the grouping thins out by this rank. Family for the false discovery
rate: one snapshot and grouping (every rank above constable).
"""

from __future__ import annotations

import duckdb
import pandas as pd

from pipeline.rates import RANK_REPRESENTATION, add_rate_comparison

DEPENDS_ON = ["intermediate.int_workforce__rank_shares", "ref.fairness_settings"]

SQL = """
select
    snapshot_date,
    group_code,
    group_label,
    group_sort_order,
    rank_or_band,
    rank_order,
    headcount,
    declared_headcount,
    group_headcount,
    group_share,
    rank_below,
    rank_below_group_headcount,
    rank_below_group_share,
    step_ratio,
    compounded_ratio,
    constable_declared_headcount,
    constable_group_headcount
from intermediate.int_workforce__rank_shares
order by snapshot_date, group_sort_order, rank_order
"""


def model(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    (confidence,) = con.execute("select confidence from ref.fairness_settings").fetchone()
    frame = con.execute(SQL).df()
    is_constable = frame["rank_or_band"] == "Constable"
    # Constables are the base of the comparison, not compared with themselves.
    base = frame.assign(
        constable_declared_headcount=frame["constable_declared_headcount"].mask(is_constable),
    )
    compared = add_rate_comparison(
        base,
        "group_headcount",
        "declared_headcount",
        "constable_group_headcount",
        "constable_declared_headcount",
        measure=RANK_REPRESENTATION,
        family=("snapshot_date", "group_code"),
        confidence=confidence,
    )
    return compared.assign(constable_declared_headcount=frame["constable_declared_headcount"]).drop(
        columns="rate_ratio"
    )
