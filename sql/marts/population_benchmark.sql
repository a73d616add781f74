-- Census population and group share for the force area, each of its local authorities and
-- each LPU: sums of the census areas (local authorities, MSOAs, LSOAs or wards) that
-- pipeline.geography placed in each, having checked that the LPUs cover the force once.
with census as (
    select * from staging.stg_census__population
),

force_areas as (
    select * from raw.force_areas
),

lpu_areas as (
    select * from raw.lpu_areas
),

groupings as (
    select * from ref.groupings
),

members as (
    select * from ref.grouping_members
),

by_area as (
    select
        'force' as area_level,
        force_areas.force_code as area_code,
        force_areas.force_name as area_name,
        census.census_year,
        census.ethnicity_code,
        sum(census.population_count) as population_count
    from census
    inner join force_areas on census.area_code = force_areas.area_code
    group by all

    union all

    select
        'local_authority' as area_level,
        force_areas.district_code as area_code,
        force_areas.district_name as area_name,
        census.census_year,
        census.ethnicity_code,
        sum(census.population_count) as population_count
    from census
    inner join force_areas on census.area_code = force_areas.area_code
    group by all

    union all

    select
        'lpu' as area_level,
        lpu_areas.lpu_code as area_code,
        lpu_areas.lpu_name as area_name,
        census.census_year,
        census.ethnicity_code,
        sum(census.population_count) as population_count
    from census
    inner join lpu_areas on census.area_code = lpu_areas.area_code
    group by all
),

totals as (
    select
        area_level,
        area_code,
        sum(population_count) as total_population_count
    from by_area
    group by all
),

final as (
    select
        by_area.area_level,
        by_area.area_code,
        by_area.area_name,
        by_area.census_year,
        groupings.group_code,
        groupings.group_label,
        groupings.sort_order as group_sort_order,
        coalesce(sum(by_area.population_count) filter (where members.ethnicity_code is not null), 0)
            as population_count,
        totals.total_population_count,
        coalesce(sum(by_area.population_count) filter (where members.ethnicity_code is not null), 0)
            / totals.total_population_count as population_share
    from by_area
    inner join totals
        on by_area.area_level = totals.area_level
        and by_area.area_code = totals.area_code
    cross join groupings
    left join members
        on groupings.group_code = members.group_code
        and by_area.ethnicity_code = members.ethnicity_code
    group by
        by_area.area_level, by_area.area_code, by_area.area_name, by_area.census_year,
        groupings.group_code, groupings.group_label, groupings.sort_order,
        totals.total_population_count
)

select * from final
