-- Joiners' ethnic mix each reporting year (1 April to 31 March, named by the year it ends) by
-- worker type and entry route (and 'All' of each), beside the workforce they join (the same
-- worker type's share at the last snapshot before the year starts) and the force area's
-- population (Census 2021). A workforce moves towards its joiners' mix, never past it: when
-- joiners' share is below the workforce's, recruitment is pulling the share down. Joiners
-- are counted up to the latest staff snapshot, the date every figure of a run is as of. A
-- year any of whose days lies in a period between snapshots that the movements do not cover
-- (int_workforce__periods) is left out, as the period's leaving is: a part-year file's
-- joiners are not a year's.
with uncovered_years as (
    select distinct cast(year(day) + case when month(day) >= 4 then 1 else 0 end as integer)
        as reporting_year
    from (
        select unnest(generate_series(period_start_date + interval 1 day, period_end_date,
            interval 1 month)) as day
        from intermediate.int_workforce__periods
        where not is_movements_covered
        union all
        select period_end_date from intermediate.int_workforce__periods
        where not is_movements_covered
    )
),

joiners as (
    select
        worker_type,
        entry_route,
        ethnicity_code,
        cast(year(movement_date) + case when month(movement_date) >= 4 then 1 else 0 end
            as integer) as reporting_year
    from staging.stg_hr__joiners_leavers
    where movement_type = 'joiner'
        and movement_date <= (select max(snapshot_date) from staging.stg_hr__staff_snapshots)
),

covered_joiners as (
    select * from joiners
    where reporting_year not in (select reporting_year from uncovered_years)
),

groupings as (
    select * from ref.groupings
    where grouping_kind <> 'detailed'
),

members as (
    select * from ref.grouping_members
),

ethnicities as (
    select * from ref.ethnicities
),

worker_types as (
    select * from ref.worker_types
),

representation as (
    select * from marts.representation
    where rank_or_band = 'All' and lpu_code = 'All'
),

force_benchmark as (
    select * from marts.population_benchmark
    where area_level = 'force'
),

latest as (
    select max(snapshot_date) as latest_snapshot_date from staging.stg_hr__staff_snapshots
),

counted as (
    select
        joiners.reporting_year,
        coalesce(joiners.worker_type, 'All') as worker_type,
        coalesce(joiners.entry_route, 'All') as entry_route,
        groupings.group_code,
        count(*) as joiner_count,
        count(*) filter (where ethnicities.is_stated) as declared_joiner_count,
        count(members.ethnicity_code) as group_joiner_count
    from covered_joiners as joiners
    inner join ethnicities on joiners.ethnicity_code = ethnicities.ethnicity_code
    cross join groupings
    left join members
        on groupings.group_code = members.group_code
        and joiners.ethnicity_code = members.ethnicity_code
    group by grouping sets (
        (joiners.reporting_year, joiners.worker_type, joiners.entry_route, groupings.group_code),
        (joiners.reporting_year, joiners.worker_type, groupings.group_code),
        (joiners.reporting_year, groupings.group_code)
    )
),

year_base as (
    select
        counted.reporting_year,
        max(representation.snapshot_date) as workforce_snapshot_date
    from counted
    inner join representation
        on representation.snapshot_date
            < make_date(counted.reporting_year - 1, 4, 1)
    group by all
),

final as (
    select
        counted.reporting_year,
        make_date(counted.reporting_year, 3, 31) > latest.latest_snapshot_date
            as is_partial_year,
        counted.worker_type,
        coalesce(worker_types.worker_type_label, 'All worker types') as worker_type_label,
        counted.entry_route,
        counted.group_code,
        groupings.group_label,
        groupings.sort_order as group_sort_order,
        counted.joiner_count,
        counted.declared_joiner_count,
        counted.group_joiner_count,
        case
            when counted.declared_joiner_count > 0
                then counted.group_joiner_count / counted.declared_joiner_count
        end as group_share,
        year_base.workforce_snapshot_date,
        representation.declared_headcount as workforce_declared_headcount,
        representation.group_headcount as workforce_group_headcount,
        representation.group_share as workforce_group_share,
        force_benchmark.population_share,
        case
            when counted.declared_joiner_count > 0 and representation.group_share > 0
                then (counted.group_joiner_count / counted.declared_joiner_count)
                    / representation.group_share
        end as joiner_workforce_ratio,
        case
            when counted.declared_joiner_count > 0 and force_benchmark.population_share > 0
                then (counted.group_joiner_count / counted.declared_joiner_count)
                    / force_benchmark.population_share
        end as joiner_population_ratio
    from counted
    cross join latest
    inner join groupings on counted.group_code = groupings.group_code
    left join worker_types on counted.worker_type = worker_types.worker_type
    left join year_base on counted.reporting_year = year_base.reporting_year
    left join representation
        on representation.snapshot_date = year_base.workforce_snapshot_date
        and representation.worker_type = counted.worker_type
        and representation.group_code = counted.group_code
    left join force_benchmark on counted.group_code = force_benchmark.group_code
    where counted.entry_route = 'All' or counted.worker_type <> 'All'
)

select * from final
