-- One row per promotion candidate per stage reached.
with source as (
    select * from raw.promotion_candidates
),

final as (
    select
        process_id,
        process_name,
        target_rank,
        staff_key,
        cast(stage_order as integer) as stage_order,
        stage_name,
        outcome,
        cast(outcome_date as date) as outcome_date,
        source_file,
        source_row
    from source
)

select * from final
