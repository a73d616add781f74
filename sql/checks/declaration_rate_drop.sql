-- Worker types (and the whole force) whose ethnicity declaration rate (stated / all) fell by
-- more than $declaration_rate_drop between the two latest staff snapshots. Groups of
-- $min_headcount or fewer are not compared.
with snapshots as (
    select
        snapshot_date,
        row_number() over (order by snapshot_date desc) as recency
    from (select distinct snapshot_date from raw.staff_snapshot)
),

rates as (
    select
        snapshots.recency,
        snapshots.snapshot_date,
        coalesce(staff.worker_type, 'All') as worker_type,
        count(*) as headcount,
        count(*) filter (where staff.ethnicity_code <> 'NS') / count(*) as declaration_rate
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
        previous.declaration_rate as previous_declaration_rate,
        latest.declaration_rate
    from rates as latest
    inner join rates as previous
        on latest.worker_type = previous.worker_type
        and previous.recency = 2
    left join ref.worker_types as worker_types on latest.worker_type = worker_types.worker_type
    where latest.recency = 1
        and latest.headcount > $min_headcount
        and previous.headcount > $min_headcount
        and previous.declaration_rate - latest.declaration_rate > $declaration_rate_drop
)

select * from final order by worker_type
