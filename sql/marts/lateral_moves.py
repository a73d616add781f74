"""Lateral moves and moves into specialist units by group (a Python model).

Each event measure of domain 'moves' (pipeline.monitoring) compared with the reference
group's: SQL (intermediate.int_monitoring__measure_counts) counts; pipeline.rates adds the
score interval and test, the false discovery rate within each period and comparison, and
the verdict in the measure's direction.
"""

from __future__ import annotations

import duckdb
import pandas as pd

from pipeline.monitoring import RATE_DEPENDS_ON, rates_by_group

DEPENDS_ON = RATE_DEPENDS_ON


def model(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return rates_by_group(con, "moves")
