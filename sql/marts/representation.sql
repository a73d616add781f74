-- Workforce against community: headcount, declaration and each grouping's share of those who
-- stated an ethnicity, for every snapshot x worker type x rank or band x LPU and every
-- total above them ('All'), beside the census share for the same area. Every grouping of
-- ref.groupings is here, down to each detailed code, so the report only selects.
with membership as (
    select * from intermediate.int_staff__group_membership
),

groupings as (
    select * from ref.groupings
),

worker_types as (
    select * from ref.worker_types
),

benchmark as (
    select * from marts.population_benchmark
),

lpus as (
    select distinct lpu_code, lpu_name from raw.area_lookup
),

counted as (
    select
        snapshot_date,
        group_code,
        coalesce(worker_type, 'All') as worker_type,
        coalesce(rank_or_band, 'All') as rank_or_band,
        coalesce(lpu_code, 'All') as lpu_code,
        min(rank_order) as rank_order,
        count(*) as headcount,
        sum(fte) as fte,
        count(*) filter (where is_stated) as declared_headcount,
        count(*) filter (where is_member) as group_headcount
    from membership
    group by grouping sets (
        (snapshot_date, group_code, worker_type, rank_or_band, lpu_code),
        (snapshot_date, group_code, worker_type, rank_or_band),
        (snapshot_date, group_code, worker_type, lpu_code),
        (snapshot_date, group_code, worker_type),
        (snapshot_date, group_code, lpu_code),
        (snapshot_date, group_code)
    )
),

with_benchmark as (
    select
        counted.*,
        case when counted.lpu_code = 'All' then 'force' else 'lpu' end as benchmark_area_level,
        benchmark.area_code as benchmark_area_code,
        benchmark.census_year,
        benchmark.population_share
    from counted
    left join benchmark
        on counted.group_code = benchmark.group_code
        and benchmark.area_level = case when counted.lpu_code = 'All' then 'force' else 'lpu' end
        and (counted.lpu_code = 'All' or benchmark.area_code = counted.lpu_code)
),

final as (
    select
        with_benchmark.snapshot_date,
        with_benchmark.worker_type,
        coalesce(worker_types.worker_type_label, 'All worker types') as worker_type_label,
        with_benchmark.rank_or_band,
        case when with_benchmark.rank_or_band = 'All' then null else with_benchmark.rank_order end
            as rank_order,
        with_benchmark.lpu_code,
        case when with_benchmark.lpu_code = 'All' then 'Force-wide' else lpus.lpu_name end
            as lpu_name,
        with_benchmark.group_code,
        groupings.group_label,
        groupings.sort_order as group_sort_order,
        with_benchmark.headcount,
        with_benchmark.fte,
        with_benchmark.declared_headcount,
        with_benchmark.headcount - with_benchmark.declared_headcount as not_stated_headcount,
        with_benchmark.declared_headcount / with_benchmark.headcount as declaration_rate,
        with_benchmark.group_headcount,
        case
            when with_benchmark.declared_headcount > 0
                then with_benchmark.group_headcount / with_benchmark.declared_headcount
        end as group_share,
        with_benchmark.benchmark_area_level,
        with_benchmark.benchmark_area_code,
        with_benchmark.census_year,
        with_benchmark.population_share,
        case
            when with_benchmark.declared_headcount > 0 and with_benchmark.population_share > 0
                then (with_benchmark.group_headcount / with_benchmark.declared_headcount)
                    / with_benchmark.population_share
        end as representation_ratio,
        with_benchmark.population_share * with_benchmark.declared_headcount
            - with_benchmark.group_headcount as parity_gap_headcount
    from with_benchmark
    inner join groupings on with_benchmark.group_code = groupings.group_code
    left join worker_types on with_benchmark.worker_type = worker_types.worker_type
    left join lpus on with_benchmark.lpu_code = lpus.lpu_code
)

select * from final
