"""Shares rated at the top and at the bottom of the appraisal scale by group (a Python model):
the event measures of domain 'appraisal' (pipeline.monitoring) compared with the reference
group's, a top rating better for the group and a bottom one worse. The counts are those of
intermediate.int_monitoring__measure_counts, whose period for appraisal is the appraisal
year; this view names it by the year it ends. Family for the false discovery rate: one
appraisal year and comparison (both ends of the scale, every worker type and group).
"""

from __future__ import annotations

import duckdb
import pandas as pd

from pipeline.monitoring import RATE_DEPENDS_ON, rates_by_group

DEPENDS_ON = RATE_DEPENDS_ON


def model(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    frame = rates_by_group(con, "appraisal")
    years = pd.to_datetime(frame["period_end_date"]).dt.year.astype("int64")
    frame.insert(0, "appraisal_year", years)
    return frame.drop(columns=["period_start_date", "period_end_date"])
