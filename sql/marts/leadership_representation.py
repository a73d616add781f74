"""The chief officer team and senior leadership against the workforce and the population
(NHS WRES indicator 9; a Python model).

For each snapshot, tier ([leadership] in the configuration) and ethnic grouping: the
grouping's share of the tier's people who stated an ethnicity, against its share of the
whole workforce (officers, staff and PCSOs: special constables are volunteers) and of the
force area's population (Census). The WRES measure is the difference in percentage points
between the tier and the workforce; the comparison (score interval and test) is the tier
against the rest of the workforce, who are other people, as for specialist units. Family
for the false discovery rate: one snapshot and grouping (both tiers).
"""

from __future__ import annotations

import duckdb
import pandas as pd

from pipeline.rates import Measure, add_rate_comparison
from pipeline.stats import Direction

DEPENDS_ON = [
    "intermediate.int_staff__group_membership",
    "ref.leadership_tiers",
    "ref.groupings",
    "marts.population_benchmark",
    "ref.fairness_settings",
]

TIER_REPRESENTATION = Measure(
    "tier_representation", "share", Direction.NEITHER, "people who stated an ethnicity",
    "is in the grouping", group="this team", comparator="the rest of the workforce",
)  # fmt: skip

SQL = """
with membership as (
    select * from intermediate.int_staff__group_membership
    where worker_type <> 'special_constable'
),

tiers as (
    select * from ref.leadership_tiers
),

tier_names as (
    select distinct tier_code, tier_label, tier_sort_order from tiers
),

groupings as (
    select * from ref.groupings
),

population as (
    select group_code, census_year, population_share
    from marts.population_benchmark
    where area_level = 'force'
),

in_tier as (
    select
        membership.snapshot_date,
        tiers.tier_code,
        membership.group_code,
        count(*) as headcount,
        count(*) filter (where membership.is_stated) as declared_headcount,
        count(*) filter (where membership.is_member) as group_headcount
    from membership
    inner join tiers
        on membership.worker_type = tiers.worker_type
        and membership.rank_or_band = tiers.rank_or_band
    group by all
),

workforce as (
    select
        snapshot_date,
        group_code,
        count(*) filter (where is_stated) as declared_headcount,
        count(*) filter (where is_member) as group_headcount
    from membership
    group by all
),

grid as (
    select distinct workforce.snapshot_date, workforce.group_code, tier_names.*
    from workforce
    cross join tier_names
),

final as (
    select
        grid.snapshot_date,
        grid.tier_code,
        grid.tier_label,
        grid.tier_sort_order,
        grid.group_code,
        groupings.group_label,
        groupings.sort_order as group_sort_order,
        coalesce(in_tier.headcount, 0) as headcount,
        coalesce(in_tier.declared_headcount, 0) as declared_headcount,
        coalesce(in_tier.group_headcount, 0) as group_headcount,
        case
            when in_tier.declared_headcount > 0
                then in_tier.group_headcount / in_tier.declared_headcount
        end as group_share,
        workforce.declared_headcount as workforce_declared_headcount,
        workforce.group_headcount as workforce_group_headcount,
        workforce.group_headcount / nullif(workforce.declared_headcount, 0)
            as workforce_group_share,
        workforce.declared_headcount - coalesce(in_tier.declared_headcount, 0)
            as rest_declared_headcount,
        workforce.group_headcount - coalesce(in_tier.group_headcount, 0)
            as rest_group_headcount,
        group_share - workforce_group_share as workforce_gap_share,
        group_share / nullif(workforce_group_share, 0) as workforce_ratio,
        population.census_year,
        population.population_share,
        group_share - population.population_share as population_gap_share,
        group_share / nullif(population.population_share, 0) as population_ratio
    from grid
    inner join workforce
        on grid.snapshot_date = workforce.snapshot_date
        and grid.group_code = workforce.group_code
    inner join groupings on grid.group_code = groupings.group_code
    left join in_tier
        on grid.snapshot_date = in_tier.snapshot_date
        and grid.tier_code = in_tier.tier_code
        and grid.group_code = in_tier.group_code
    left join population on grid.group_code = population.group_code
)

select * from final
order by snapshot_date, tier_sort_order, group_sort_order
"""


def model(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    (confidence,) = con.execute("select confidence from ref.fairness_settings").fetchone()
    return add_rate_comparison(
        con.execute(SQL).df(),
        "group_headcount",
        "declared_headcount",
        "rest_group_headcount",
        "rest_declared_headcount",
        measure=TIER_REPRESENTATION,
        family=("snapshot_date", "group_code"),
        confidence=confidence,
        ratio_column="representation_ratio",
    )
