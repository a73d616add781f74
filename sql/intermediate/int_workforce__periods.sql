-- Each pair of consecutive staff snapshots: the period over which movements are measured,
-- its length in years (two snapshots two years apart make a two-year period: its flows are
-- two years', never one), and whether the joiners-and-leavers data cover it. Movements are
-- delivered by reporting year (1 April to 31 March, named by the year it ends); a reporting
-- year is loaded when any movement dated in it is. A period is covered when every
-- reporting year it overlaps is loaded, or when the snapshots show nobody for them to
-- cover (everyone in one is in the other); otherwise nobody in it is known to have left or
-- joined, so its flows (retention, joiners, the projection) are not computed.
-- gone_count: people in the earlier snapshot and not the later; came_count: the reverse.
with staff as (
    select staff_key, snapshot_date from staging.stg_hr__staff_snapshots
),

snapshot_dates as (
    select distinct snapshot_date from staff
),

paired as (
    select
        snapshot_date as period_start_date,
        lead(snapshot_date) over (order by snapshot_date) as period_end_date
    from snapshot_dates
    qualify period_end_date is not null
),

gone as (
    select paired.period_start_date, count(*) as gone_count
    from paired
    inner join staff as starting on paired.period_start_date = starting.snapshot_date
    anti join staff as ending
        on paired.period_end_date = ending.snapshot_date
        and starting.staff_key = ending.staff_key
    group by all
),

came as (
    select paired.period_start_date, count(*) as came_count
    from paired
    inner join staff as ending on paired.period_end_date = ending.snapshot_date
    anti join staff as starting
        on paired.period_start_date = starting.snapshot_date
        and ending.staff_key = starting.staff_key
    group by all
),

loaded_years as (
    select distinct
        cast(year(movement_date) + case when month(movement_date) >= 4 then 1 else 0 end
            as integer) as reporting_year
    from staging.stg_hr__joiners_leavers
),

-- the reporting years each period overlaps: (start, end], the day after the start to the end
spans as (
    select
        period_start_date,
        unnest(range(
            cast(year(period_start_date + 1)
                + case when month(period_start_date + 1) >= 4 then 1 else 0 end as integer),
            cast(year(period_end_date)
                + case when month(period_end_date) >= 4 then 1 else 0 end as integer) + 1
        )) as reporting_year
    from paired
),

coverage as (
    select
        spans.period_start_date,
        list(spans.reporting_year order by spans.reporting_year)
            filter (where loaded_years.reporting_year is null) as unloaded_reporting_years
    from spans
    left join loaded_years on spans.reporting_year = loaded_years.reporting_year
    group by all
),

final as (
    select
        paired.period_start_date,
        paired.period_end_date,
        date_diff('day', paired.period_start_date, paired.period_end_date) / 365.25
            as period_years,
        coalesce(gone.gone_count, 0) as gone_count,
        coalesce(came.came_count, 0) as came_count,
        coalesce(coverage.unloaded_reporting_years, []) as unloaded_reporting_years,
        coalesce(len(coverage.unloaded_reporting_years), 0) = 0
            or coalesce(gone.gone_count, 0) + coalesce(came.came_count, 0) = 0
            as is_movements_covered
    from paired
    left join gone on paired.period_start_date = gone.period_start_date
    left join came on paired.period_start_date = came.period_start_date
    left join coverage on paired.period_start_date = coverage.period_start_date
)

select * from final
