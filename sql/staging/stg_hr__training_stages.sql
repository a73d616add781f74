-- One row per person per development programme per stage reached.
with source as (
    select * from raw.training_development
),

final as (
    select
        programme_id,
        programme_name,
        programme_type,
        staff_key,
        cast(stage_order as integer) as stage_order,
        stage_name,
        stage_type,
        outcome,
        cast(outcome_date as date) as outcome_date,
        source_file,
        source_row
    from source
)

select * from final
