-- Headcount by detailed ethnicity (police 18+1 codes) for every snapshot, worker type and
-- rank or band, zeros included, so that a report can show the detailed groups and aggregate them to broad
-- groups or ethnic minority vs White where the numbers are too small to show.
with staff as (
    select * from intermediate.int_staff__with_groups
),

ethnicities as (
    select * from ref.ethnicities
),

worker_types as (
    select * from ref.worker_types
),

cells as (
    select distinct
        staff.snapshot_date,
        staff.worker_type,
        staff.rank_or_band,
        staff.rank_order,
        ethnicities.ethnicity_code
    from staff
    cross join ethnicities
),

counted as (
    select snapshot_date, worker_type, rank_or_band, ethnicity_code, count(*) as headcount
    from staff
    group by all
),

final as (
    select
        cells.snapshot_date,
        cells.worker_type,
        worker_types.worker_type_label,
        cells.rank_or_band,
        cells.rank_order,
        cells.ethnicity_code,
        ethnicities.ethnicity_label,
        ethnicities.broad_group_code,
        ethnicities.is_stated,
        coalesce(counted.headcount, 0) as headcount
    from cells
    inner join ethnicities on cells.ethnicity_code = ethnicities.ethnicity_code
    left join worker_types on cells.worker_type = worker_types.worker_type
    left join counted
        on cells.snapshot_date = counted.snapshot_date
        and cells.worker_type = counted.worker_type
        and cells.rank_or_band = counted.rank_or_band
        and cells.ethnicity_code = counted.ethnicity_code
)

select * from final
