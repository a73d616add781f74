-- Each pair of consecutive staff snapshots: the year over which movements are measured.
with snapshot_dates as (
    select distinct snapshot_date from staging.stg_hr__staff_snapshots
),

paired as (
    select
        snapshot_date as period_start_date,
        lead(snapshot_date) over (order by snapshot_date) as period_end_date
    from snapshot_dates
),

final as (
    select period_start_date, period_end_date
    from paired
    where period_end_date is not null
)

select * from final
