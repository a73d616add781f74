"""Leaving rates by group and reason (a Python model).

SQL (intermediate.int_workforce__leaver_counts) counts people in post at the start of each
period and the leavers among them; this adds the rates and the comparison with the
reference group (pipeline.rates), where leaving more often is the adverse direction. The
false discovery rate is controlled within each family: one period and comparison (every
worker type and leaving reason, for every group).
"""

from __future__ import annotations

import duckdb
import pandas as pd

from pipeline.rates import LEAVING, add_rate_comparison

DEPENDS_ON = ["intermediate.int_workforce__leaver_counts", "ref.fairness_settings"]

SQL = """
select
    period_start_date,
    period_end_date,
    worker_type,
    worker_type_label,
    leaving_reason_code,
    leaving_reason_label,
    leaving_reason_sort_order,
    comparison_code,
    comparison_label,
    group_code,
    group_label,
    group_sort_order,
    reference_group_code,
    reference_group_label,
    in_post_count,
    leaver_count,
    case when in_post_count > 0 then leaver_count / in_post_count end as leaving_rate,
    short_service_leaver_count,
    case when leaver_count > 0 then short_service_leaver_count / leaver_count end
        as short_service_share,
    reference_in_post_count,
    reference_leaver_count,
    case
        when reference_in_post_count > 0 then reference_leaver_count / reference_in_post_count
    end as reference_leaving_rate
from intermediate.int_workforce__leaver_counts
order by period_start_date, worker_type, leaving_reason_sort_order, group_sort_order
"""


def model(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    (confidence,) = con.execute("select confidence from ref.fairness_settings").fetchone()
    return add_rate_comparison(
        con.execute(SQL).df(),
        "leaver_count",
        "in_post_count",
        "reference_leaver_count",
        "reference_in_post_count",
        measure=LEAVING,
        family=("period_start_date", "comparison_code"),
        confidence=confidence,
    )
