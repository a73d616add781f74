"""Representation in each department and role against the force's own workforce (a Python
model).

SQL (intermediate.int_workforce__unit_counts) counts each unit and the rest of the same
worker type's workforce; this adds the shares and compares the unit's share with the rest's
share (pipeline.rates): the score interval and test on the 2x2 table (in the grouping or
not) x (in the unit or not), among those who stated an ethnicity. Family for the false
discovery rate: one snapshot, worker type, kind of unit and grouping (every department, or
every role, of the table a report shows).
"""

from __future__ import annotations

import duckdb
import pandas as pd

from pipeline.rates import UNIT_REPRESENTATION, add_rate_comparison

DEPENDS_ON = [
    "intermediate.int_workforce__unit_counts",
    "ref.groupings",
    "ref.worker_types",
    "ref.fairness_settings",
]

SQL = """
with units as (
    select * from intermediate.int_workforce__unit_counts
),

groupings as (
    select * from ref.groupings
),

worker_types as (
    select * from ref.worker_types
),

final as (
    select
        units.snapshot_date,
        units.worker_type,
        worker_types.worker_type_label,
        units.unit_type,
        units.unit_label,
        units.is_specialist,
        units.group_code,
        groupings.group_label,
        groupings.sort_order as group_sort_order,
        units.headcount,
        units.declared_headcount,
        units.group_headcount,
        case
            when units.declared_headcount > 0
                then units.group_headcount / units.declared_headcount
        end as group_share,
        units.workforce_declared_headcount,
        units.workforce_group_headcount,
        case
            when units.workforce_declared_headcount > 0
                then units.workforce_group_headcount / units.workforce_declared_headcount
        end as workforce_group_share,
        units.rest_declared_headcount,
        units.rest_group_headcount,
        case
            when units.rest_declared_headcount > 0
                then units.rest_group_headcount / units.rest_declared_headcount
        end as rest_group_share
    from units
    inner join groupings on units.group_code = groupings.group_code
    inner join worker_types on units.worker_type = worker_types.worker_type
)

select * from final
order by snapshot_date, worker_type, unit_type, unit_label, group_sort_order
"""


def model(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    (confidence,) = con.execute("select confidence from ref.fairness_settings").fetchone()
    compared = add_rate_comparison(
        con.execute(SQL).df(),
        "group_headcount",
        "declared_headcount",
        "rest_group_headcount",
        "rest_declared_headcount",
        measure=UNIT_REPRESENTATION,
        family=("snapshot_date", "worker_type", "unit_type", "group_code"),
        confidence=confidence,
        ratio_column="unit_to_rest_ratio",
    )
    return compared
