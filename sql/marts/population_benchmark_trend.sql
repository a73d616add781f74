-- The census benchmark between and beyond the censuses: each group's share of the force
-- area's (and each LPU's) usual residents at Census 2011 (27 March 2011, QS201EW) and Census
-- 2021 (21 March 2021, TS021), and on every staff snapshot date a share estimated on the
-- straight line through the two: interpolated between the census days, extrapolated after
-- 2021 (or before 2011), kept within 0-1. Where there is no 2011 figure (no 2011 file, or an
-- LPU made of areas that did not exist in 2011) the 2021 share is carried, said as such.
with census_2021 as (
    select * from marts.population_benchmark
    where area_level in ('force', 'lpu')
),

census_2011 as (
    select * from raw.census_2011_population
),

areas_2011 as (
    select * from raw.census_2011_areas
),

area_lookup as (
    select * from raw.area_lookup
),

members as (
    select * from ref.grouping_members
),

snapshots as (
    select distinct snapshot_date from staging.stg_hr__staff_snapshots
),

lpu_area_counts as (
    select lpu_code, count(*) as area_count
    from area_lookup
    group by lpu_code
),

counts_2011 as (
    select
        'force' as area_level,
        census_2011.ethnicity_code,
        null as area_code,
        sum(census_2011.population_count) as population_count
    from census_2011
    inner join areas_2011 on census_2011.area_code = areas_2011.area_code
    group by all

    union all

    select
        'lpu' as area_level,
        census_2011.ethnicity_code,
        area_lookup.lpu_code as area_code,
        sum(census_2011.population_count) as population_count
    from census_2011
    inner join area_lookup on census_2011.area_code = area_lookup.area_code
    inner join lpu_area_counts on area_lookup.lpu_code = lpu_area_counts.lpu_code
    group by all
    -- every area of the LPU is a 2011 local authority (19 ethnicity rows an area)
    having count(distinct census_2011.area_code) = any_value(lpu_area_counts.area_count)
),

totals_2011 as (
    select area_level, area_code, sum(population_count) as total_population_count
    from counts_2011
    group by all
),

shares_2011 as (
    select
        counts_2011.area_level,
        counts_2011.area_code,
        members.group_code,
        sum(counts_2011.population_count) / any_value(totals_2011.total_population_count)
            as census_2011_share
    from counts_2011
    inner join totals_2011
        on counts_2011.area_level = totals_2011.area_level
        and counts_2011.area_code is not distinct from totals_2011.area_code
    inner join members on counts_2011.ethnicity_code = members.ethnicity_code
    group by all
),

lines as (
    select
        census_2021.area_level,
        census_2021.area_code,
        census_2021.area_name,
        census_2021.group_code,
        census_2021.group_label,
        census_2021.group_sort_order,
        case when totals_2011.total_population_count > 0
            then coalesce(shares_2011.census_2011_share, 0) end as census_2011_share,
        census_2021.population_share as census_2021_share
    from census_2021
    left join totals_2011
        on census_2021.area_level = totals_2011.area_level
        and (census_2021.area_level = 'force' or census_2021.area_code = totals_2011.area_code)
    left join shares_2011
        on census_2021.area_level = shares_2011.area_level
        and (census_2021.area_level = 'force' or census_2021.area_code = shares_2011.area_code)
        and census_2021.group_code = shares_2011.group_code
),

dates as (
    select snapshot_date as benchmark_date from snapshots
    union
    select date '2011-03-27'
    union
    select date '2021-03-21'
),

estimated as (
    select
        lines.*,
        dates.benchmark_date,
        (lines.census_2021_share - lines.census_2011_share)
            / (date_diff('day', date '2011-03-27', date '2021-03-21') / 365.25)
            as annual_share_change,
        date_diff('day', date '2021-03-21', dates.benchmark_date) / 365.25 as years_from_2021
    from lines
    cross join dates
),

final as (
    select
        area_level,
        area_code,
        area_name,
        group_code,
        group_label,
        group_sort_order,
        benchmark_date,
        census_2011_share,
        census_2021_share,
        annual_share_change,
        case
            when census_2011_share is null then census_2021_share
            else greatest(0, least(1, census_2021_share + annual_share_change * years_from_2021))
        end as estimated_population_share,
        case
            when census_2011_share is null then 'census 2021 (no 2011 figure)'
            when benchmark_date = date '2011-03-27' then 'census 2011'
            when benchmark_date = date '2021-03-21' then 'census 2021'
            when benchmark_date between date '2011-03-27' and date '2021-03-21'
                then 'interpolated between censuses'
            else 'extrapolated from the 2011-2021 trend'
        end as population_estimate_method
    from estimated
    where census_2011_share is not null
        or benchmark_date not in (date '2011-03-27')
)

select * from final
