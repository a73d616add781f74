"""Promotion rates from movements between snapshots, by group (a Python model).

SQL (intermediate.int_workforce__promotion_counts) counts officers in post and promoted;
this adds the rates and the comparison with the reference group (pipeline.rates): the
score interval and test, and the false discovery rate within each family (one period and
comparison: every rank, the all-ranks row included, for every group).
"""

from __future__ import annotations

import duckdb
import pandas as pd

from pipeline.rates import PROMOTION, add_rate_comparison

DEPENDS_ON = ["intermediate.int_workforce__promotion_counts", "ref.fairness_settings"]

SQL = """
select
    period_start_date,
    period_end_date,
    rank_or_band,
    rank_order,
    comparison_code,
    comparison_label,
    group_code,
    group_label,
    group_sort_order,
    reference_group_code,
    reference_group_label,
    in_post_count,
    promoted_count,
    temporary_promoted_count,
    case when in_post_count > 0 then promoted_count / in_post_count end as promotion_rate,
    average_years_in_rank,
    reference_in_post_count,
    reference_promoted_count,
    case
        when reference_in_post_count > 0 then reference_promoted_count / reference_in_post_count
    end as reference_promotion_rate
from intermediate.int_workforce__promotion_counts
order by period_start_date, rank_order nulls first, group_sort_order
"""


def model(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    (confidence,) = con.execute("select confidence from ref.fairness_settings").fetchone()
    return add_rate_comparison(
        con.execute(SQL).df(),
        "promoted_count",
        "in_post_count",
        "reference_promoted_count",
        "reference_in_post_count",
        measure=PROMOTION,
        family=("period_start_date", "comparison_code"),
        confidence=confidence,
    )
