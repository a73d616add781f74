-- One row per applicant per stage reached; characteristics are on the applicant's rows.
with source as (
    select * from raw.recruitment_applicants
),

final as (
    select
        campaign_id,
        campaign_name,
        worker_type,
        entry_route,
        applicant_key,
        sex,
        ethnicity_code,
        age_band,
        cast(stage_order as integer) as stage_order,
        stage_name,
        outcome,
        cast(outcome_date as date) as outcome_date,
        source_file,
        source_row
    from source
)

select * from final
