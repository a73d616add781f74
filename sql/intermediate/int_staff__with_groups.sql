-- Staff snapshot rows with the attributes every representation measure groups by.
with staff as (
    select * from staging.stg_hr__staff_snapshots
),

ethnicities as (
    select * from ref.ethnicities
),

ranks as (
    select * from ref.ranks
),

lpus as (
    select distinct lpu_code, lpu_name from raw.area_lookup
),

final as (
    select
        staff.*,
        ethnicities.broad_group_code,
        ethnicities.is_stated,
        ranks.rank_order,
        lpus.lpu_name
    from staff
    inner join ethnicities on staff.ethnicity_code = ethnicities.ethnicity_code
    left join ranks
        on staff.worker_type = ranks.worker_type
        and staff.rank_or_band = ranks.rank_or_band
    left join lpus on staff.lpu_code = lpus.lpu_code
)

select * from final
