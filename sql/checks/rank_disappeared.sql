-- Ranks and bands that had people in post in the previous staff snapshot and have none in
-- the latest: a whole rank vanishing is more often a changed code than a real change.
with snapshots as (
    select
        snapshot_date,
        row_number() over (order by snapshot_date desc) as recency
    from (select distinct snapshot_date from raw.staff_snapshot)
),

ranks as (
    select distinct
        snapshots.recency,
        snapshots.snapshot_date,
        staff.worker_type,
        staff.rank_or_band
    from raw.staff_snapshot as staff
    inner join snapshots on staff.snapshot_date = snapshots.snapshot_date
    where snapshots.recency <= 2
),

latest as (
    select * from ranks where recency = 1
),

final as (
    select
        previous.worker_type,
        coalesce(worker_types.worker_type_label, previous.worker_type) as worker_type_label,
        previous.rank_or_band,
        previous.snapshot_date as previous_snapshot_date,
        (select max(snapshot_date) from latest) as snapshot_date
    from ranks as previous
    left join latest
        on previous.worker_type = latest.worker_type
        and previous.rank_or_band = latest.rank_or_band
    left join ref.worker_types as worker_types on previous.worker_type = worker_types.worker_type
    where previous.recency = 2 and latest.rank_or_band is null
)

select * from final order by worker_type, rank_or_band
