-- One row per appraisal rating with the characteristics of the person rated: those of the
-- latest staff snapshot on or before the end of the appraisal year (31 March of the year it
-- is named by), else of the earliest one after it. Someone in no snapshot is left out (the
-- person_in_staff_snapshot check names the extract).
with ratings as (
    select * from staging.stg_hr__appraisal_ratings
),

staff as (
    select * from intermediate.int_staff__with_groups
),

final as (
    select
        ratings.appraisal_year,
        make_date(ratings.appraisal_year - 1, 4, 1) as year_start_date,
        make_date(ratings.appraisal_year, 3, 31) as year_end_date,
        ratings.staff_key,
        ratings.rating,
        ratings.rating_order,
        ratings.is_top,
        ratings.is_bottom,
        staff.worker_type,
        staff.ethnicity_code,
        staff.sex
    from ratings
    inner join staff on ratings.staff_key = staff.staff_key
    qualify row_number() over (
        partition by ratings.staff_key, ratings.appraisal_year
        order by
            staff.snapshot_date > make_date(ratings.appraisal_year, 3, 31),
            abs(date_diff('day', staff.snapshot_date, make_date(ratings.appraisal_year, 3, 31)))
    ) = 1
)

select * from final
