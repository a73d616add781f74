-- One row per person per appraisal year, with the rating's place on the force's scale.
with source as (
    select * from raw.appraisal_ratings
),

scale as (
    select * from ref.appraisal_scale
),

final as (
    select
        source.staff_key,
        cast(source.appraisal_year as integer) as appraisal_year,
        source.rating,
        scale.rating_order,
        scale.is_top,
        scale.is_bottom,
        source.source_file,
        source.source_row
    from source
    inner join scale on source.rating = scale.rating
)

select * from final
