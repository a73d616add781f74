-- One row per survey, question and group (an ethnicity code, a sex, both, or neither: null
-- means every value), as the survey provider aggregated it.
with source as (
    select * from raw.staff_survey
),

final as (
    select
        survey_id,
        cast(survey_date as date) as survey_date,
        question_code,
        question_text,
        ethnicity_code,
        sex,
        respondent_count,
        agreeing_count,
        source_file,
        source_row
    from source
)

select * from final
