-- One row per misconduct case per subject, with the stage's order and the outcome's severity.
with source as (
    select * from raw.misconduct_cases
),

stages as (
    select * from ref.misconduct_stages
),

outcomes as (
    select * from ref.misconduct_outcomes
),

final as (
    select
        source.case_key,
        source.staff_key,
        cast(source.opened_date as date) as opened_date,
        source.case_source,
        source.misconduct_stage,
        stages.stage_order,
        source.misconduct_outcome,
        outcomes.severity_order,
        coalesce(source.suspension_status, 'none') as suspension_status,
        cast(source.closed_date as date) as closed_date,
        source.source_file,
        source.source_row
    from source
    left join stages on source.misconduct_stage = stages.misconduct_stage
    left join outcomes on source.misconduct_outcome = outcomes.misconduct_outcome
)

select * from final
