"""Disparity statistics for every row of ``marts.selection_rates`` (a Python model).

The score interval and test are not SQL, so SQL pairs each group's counts with those of the
group it is compared with, and ``pipeline.rates`` adds the figures. Each group is compared
twice: with its comparison's reference group (White by default, ``[fairness]
reference_group``) and with the group that had the highest selection rate at that stage
(the comparator the four-fifths rule names). A group is never compared with itself.

Family of comparisons for the false discovery rate: one process or campaign against one
comparator basis, i.e. all its stages (and the end-to-end row) for all its groups.
"""

from __future__ import annotations

import duckdb
import pandas as pd

from pipeline.rates import SELECTION, add_rate_comparison

DEPENDS_ON = ["marts.selection_rates", "ref.comparison_groups", "ref.fairness_settings"]

COUNTS_SQL = """
with rates as (
    select * from marts.selection_rates where comparison_code <> 'all'
),

comparison_groups as (
    select * from ref.comparison_groups
),

against_reference as (
    select
        rates.process_type, rates.process_id, rates.stage_order, rates.comparison_code,
        rates.group_code,
        'reference_group' as comparator_basis,
        comparison_groups.reference_group_code as comparator_group_code
    from rates
    inner join comparison_groups
        on rates.comparison_code = comparison_groups.comparison_code
        and rates.group_code = comparison_groups.group_code
    where comparison_groups.reference_group_code is not null
),

highest as (
    select process_type, process_id, stage_order, comparison_code, group_code
    from rates
    where selection_base_count > 0
    qualify row_number() over (
        partition by process_type, process_id, stage_order, comparison_code
        order by selection_rate desc, selection_base_count desc, group_sort_order
    ) = 1
),

against_highest as (
    select
        rates.process_type, rates.process_id, rates.stage_order, rates.comparison_code,
        rates.group_code,
        'highest_rate_group' as comparator_basis,
        highest.group_code as comparator_group_code
    from rates
    inner join highest
        on rates.process_type = highest.process_type
        and rates.process_id = highest.process_id
        and rates.stage_order = highest.stage_order
        and rates.comparison_code = highest.comparison_code
),

pairs as (
    select * from against_reference
    union all
    select * from against_highest
),

final as (
    select
        rates.process_type,
        rates.process_id,
        rates.process_name,
        rates.target_label,
        rates.reporting_year,
        rates.stage_order,
        rates.stage_name,
        rates.is_end_to_end,
        rates.comparison_code,
        rates.comparison_label,
        rates.group_code,
        rates.group_label,
        rates.group_sort_order,
        pairs.comparator_basis,
        pairs.comparator_group_code,
        comparator.group_label as comparator_group_label,
        rates.selection_base_count,
        rates.passed_count,
        comparator.selection_base_count as comparator_selection_base_count,
        comparator.passed_count as comparator_passed_count,
        rates.selection_rate as group_selection_rate,
        comparator.selection_rate as comparator_selection_rate
    from pairs
    inner join rates
        on pairs.process_type = rates.process_type
        and pairs.process_id = rates.process_id
        and pairs.stage_order = rates.stage_order
        and pairs.comparison_code = rates.comparison_code
        and pairs.group_code = rates.group_code
    inner join rates as comparator
        on pairs.process_type = comparator.process_type
        and pairs.process_id = comparator.process_id
        and pairs.stage_order = comparator.stage_order
        and pairs.comparison_code = comparator.comparison_code
        and pairs.comparator_group_code = comparator.group_code
    where pairs.group_code <> pairs.comparator_group_code
)

select * from final
order by process_type, process_id, stage_order, comparator_basis, group_sort_order
"""

FAMILY = ("process_type", "process_id", "comparator_basis")


def model(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    (confidence,) = con.execute("select confidence from ref.fairness_settings").fetchone()
    return add_rate_comparison(
        con.execute(COUNTS_SQL).df(),
        "passed_count",
        "selection_base_count",
        "comparator_passed_count",
        "comparator_selection_base_count",
        measure=SELECTION,
        family=FAMILY,
        confidence=confidence,
        ratio_column="adverse_impact_ratio",
    )
