-- Periods between consecutive snapshots whose flows the joiners-and-leavers data do not
-- give: a stretch of the period no joiners-and-leavers file covers while the snapshots show
-- people leaving or joining then (a file of part of the year, or none yet: the period's
-- flows are not computed, intermediate.int_workforce__periods), or people in the earlier
-- snapshot are missing from the later one without a leaver record in the period (the
-- reverse: without a joiner record). Only periods starting in the last $window_years
-- ([projections]: the flows the report and the projection use), so that snapshots older
-- than the first movements file do not warn every night.
with periods as (
    select * from intermediate.int_workforce__periods
),

staff as (
    select staff_key, snapshot_date from staging.stg_hr__staff_snapshots
),

movements as (
    select staff_key, movement_type, movement_date, source_file
    from staging.stg_hr__joiners_leavers
),

recorded as (
    select distinct periods.period_start_date, movements.staff_key, movements.movement_type
    from periods
    inner join movements
        on movements.movement_date > periods.period_start_date
        and movements.movement_date <= periods.period_end_date
),

unrecorded_leavers as (
    select periods.period_start_date, count(*) as unrecorded_leaver_count
    from periods
    inner join staff as starting on periods.period_start_date = starting.snapshot_date
    anti join staff as ending
        on periods.period_end_date = ending.snapshot_date
        and starting.staff_key = ending.staff_key
    anti join recorded
        on recorded.period_start_date = periods.period_start_date
        and recorded.staff_key = starting.staff_key
        and recorded.movement_type = 'leaver'
    group by all
),

unrecorded_joiners as (
    select periods.period_start_date, count(*) as unrecorded_joiner_count
    from periods
    inner join staff as ending on periods.period_end_date = ending.snapshot_date
    anti join staff as starting
        on periods.period_start_date = starting.snapshot_date
        and ending.staff_key = starting.staff_key
    anti join recorded
        on recorded.period_start_date = periods.period_start_date
        and recorded.staff_key = ending.staff_key
        and recorded.movement_type = 'joiner'
    group by all
),

final as (
    select
        periods.period_start_date,
        periods.period_end_date,
        periods.is_movements_covered,
        periods.missing_stretches,
        periods.movement_files,
        (select max(movement_date) from movements) as latest_movement_date,
        (select arg_max(source_file, movement_date) from movements) as latest_movement_file,
        periods.gone_count,
        periods.came_count,
        coalesce(unrecorded_leavers.unrecorded_leaver_count, 0) as unrecorded_leaver_count,
        coalesce(unrecorded_joiners.unrecorded_joiner_count, 0) as unrecorded_joiner_count,
        coalesce(unrecorded_leavers.unrecorded_leaver_count, 0)
            + coalesce(unrecorded_joiners.unrecorded_joiner_count, 0) as unrecorded_count
    from periods
    left join unrecorded_leavers
        on periods.period_start_date = unrecorded_leavers.period_start_date
    left join unrecorded_joiners
        on periods.period_start_date = unrecorded_joiners.period_start_date
)

select * from final
where (not is_movements_covered or unrecorded_count > 0)
    and period_start_date >= (select max(period_end_date) from periods) - to_years($window_years)
order by period_start_date
