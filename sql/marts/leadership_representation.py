"""The chief officer team and senior leadership against the workforce and the population
(NHS WRES indicator 9; a Python model).

For each snapshot, tier ([leadership] in the configuration) and ethnic grouping: the
grouping's share of the tier's people who stated an ethnicity, against its share of the
whole workforce (officers, staff and PCSOs: special constables are volunteers) and of the
force area's population (Census); and the same for women, of those whose sex is recorded
(no population share: the benchmark is by ethnicity). The senior police staff bands, a tier
of their own (WRES indicator 1's representation by band), are compared with police staff
instead. The WRES measure is the difference in percentage points between the tier and the
workforce; the comparison (score interval and test) is the tier against the rest of the
workforce, who are other people, as for specialist units. Family for the false discovery
rate: one snapshot and grouping (every tier).
"""

from __future__ import annotations

import duckdb
import pandas as pd

from pipeline.rates import Measure, add_rate_comparison
from pipeline.stats import Direction

DEPENDS_ON = [
    "intermediate.int_staff__group_membership",
    "intermediate.int_staff__with_groups",
    "ref.leadership_tiers",
    "ref.groupings",
    "ref.comparison_groups",
    "ref.comparison_members",
    "marts.population_benchmark",
    "ref.fairness_settings",
]

TIER_REPRESENTATION = Measure(
    "tier_representation", "share", Direction.NEITHER, "people who stated an ethnicity",
    "is in the grouping", group="this team", comparator="the rest of the workforce",
)  # fmt: skip
BAND_REPRESENTATION = Measure(
    "band_representation", "share", Direction.NEITHER, "people who stated an ethnicity",
    "is in the grouping", group="these bands", comparator="the rest of police staff",
)  # fmt: skip
MEASURES = {
    "chief_officer_team": TIER_REPRESENTATION,
    "senior_leadership": TIER_REPRESENTATION,
    "senior_staff_bands": BAND_REPRESENTATION,
}

SQL = """
with sexes as (
    select comparison_groups.group_code, comparison_groups.group_label,
        comparison_groups.group_sort_order, members.sex
    from ref.comparison_groups as comparison_groups
    inner join ref.comparison_members as members
        on comparison_groups.comparison_code = members.comparison_code
        and comparison_groups.group_code = members.group_code
    where comparison_groups.comparison_code = 'sex'
),

membership as (
    select snapshot_date, worker_type, rank_or_band, group_code, is_stated, is_member
    from intermediate.int_staff__group_membership
    where worker_type <> 'special_constable'
    union all
    -- women (the sex comparison's group), of those whose sex is recorded
    select
        staff.snapshot_date,
        staff.worker_type,
        staff.rank_or_band,
        women.group_code,
        staff.sex in (select sex from sexes) as is_stated,
        staff.sex = women.sex as is_member
    from intermediate.int_staff__with_groups as staff
    cross join (
        select sexes.group_code, sexes.sex
        from sexes
        inner join ref.comparison_groups as comparison_groups
            on sexes.group_code = comparison_groups.group_code
            and comparison_groups.comparison_code = 'sex'
        where not comparison_groups.is_reference_group
    ) as women
    where staff.worker_type <> 'special_constable'
),

tiers as (
    select * from ref.leadership_tiers
),

tier_names as (
    select distinct
        tier_code, tier_label, tier_sort_order,
        cast(compared_worker_type as varchar) as compared_worker_type
    from tiers
),

groupings as (
    select group_code, group_label, sort_order from ref.groupings
    union all
    select group_code, group_label, group_sort_order + (select max(sort_order) from ref.groupings)
    from sexes
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

by_worker_type as (
    select
        snapshot_date,
        group_code,
        worker_type,
        count(*) filter (where is_stated) as declared_headcount,
        count(*) filter (where is_member) as group_headcount
    from membership
    group by all
),

grid as (
    select distinct by_worker_type.snapshot_date, by_worker_type.group_code, tier_names.*
    from by_worker_type
    cross join tier_names
),

-- what a tier is compared with: the whole workforce, or its own worker type
workforce as (
    select
        grid.snapshot_date,
        grid.group_code,
        grid.tier_code,
        cast(sum(by_worker_type.declared_headcount) as bigint) as declared_headcount,
        cast(sum(by_worker_type.group_headcount) as bigint) as group_headcount
    from grid
    inner join by_worker_type
        on grid.snapshot_date = by_worker_type.snapshot_date
        and grid.group_code = by_worker_type.group_code
        and (grid.compared_worker_type is null
            or grid.compared_worker_type = by_worker_type.worker_type)
    group by all
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
        group_share - workforce_group_share as workforce_share_gap,
        group_share / nullif(workforce_group_share, 0) as workforce_ratio,
        population.census_year,
        population.population_share,
        group_share - population.population_share as population_share_gap,
        group_share / nullif(population.population_share, 0) as population_ratio
    from grid
    inner join workforce
        on grid.snapshot_date = workforce.snapshot_date
        and grid.group_code = workforce.group_code
        and grid.tier_code = workforce.tier_code
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
        measure=MEASURES,
        measure_column="tier_code",
        family=("snapshot_date", "group_code"),
        confidence=confidence,
        ratio_column="unit_to_rest_ratio",
    )
