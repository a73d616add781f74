-- Worker types (and the whole force) whose headcount moved by more than $headcount_change_share
-- between the two latest staff snapshots. Groups of $min_headcount or fewer are not compared:
-- small numbers move a lot and must not be quoted.
with snapshots as (
    select
        snapshot_date,
        row_number() over (order by snapshot_date desc) as recency
    from (select distinct snapshot_date from raw.staff_snapshot)
),

counted as (
    select
        snapshots.recency,
        snapshots.snapshot_date,
        coalesce(staff.worker_type, 'All') as worker_type,
        count(*) as headcount
    from raw.staff_snapshot as staff
    inner join snapshots on staff.snapshot_date = snapshots.snapshot_date
    where snapshots.recency <= 2
    group by grouping sets (
        (snapshots.recency, snapshots.snapshot_date, staff.worker_type),
        (snapshots.recency, snapshots.snapshot_date)
    )
),

final as (
    select
        latest.worker_type,
        coalesce(worker_types.worker_type_label, 'All worker types') as worker_type_label,
        previous.snapshot_date as previous_snapshot_date,
        latest.snapshot_date,
        previous.headcount as previous_headcount,
        latest.headcount,
        latest.headcount / previous.headcount - 1 as change_share
    from counted as latest
    inner join counted as previous
        on latest.worker_type = previous.worker_type
        and previous.recency = 2
    left join ref.worker_types as worker_types on latest.worker_type = worker_types.worker_type
    where latest.recency = 1
        and latest.headcount > $min_headcount
        and previous.headcount > $min_headcount
        and abs(latest.headcount / previous.headcount - 1) > $headcount_change_share
)

select * from final order by worker_type
