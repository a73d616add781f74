-- Each question [survey.questions] reports is asked in a loaded staff survey, once any survey
-- is loaded: a code no survey has ("Q17A" for the provider's "Q17a") would otherwise drop its
-- WRES indicator from the report and the scorecard without a word.
with configured as (
    select unnest($survey_questions::varchar[]) as question_code
),

asked as (
    select distinct question_code from raw.staff_survey
),

final as (
    select configured.question_code
    from configured
    left join asked on configured.question_code = asked.question_code
    where asked.question_code is null and exists (select 1 from raw.staff_survey)
)

select * from final order by question_code
