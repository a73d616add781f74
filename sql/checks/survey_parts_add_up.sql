-- A survey provider's rows of one question add up: the ethnicity rows (no sex) to the total
-- row, the sex rows (no ethnicity) to the total row, and each ethnicity's rows by sex to that
-- ethnicity's row. The marts take each group from its own kind of row (never adding the
-- parts), so a file whose parts and totals disagree gives groups that do not add up to the
-- whole; a provider that leaves out its small cells has parts below the total, which this
-- says too. One row per question and kind of row that does not add up.
with rows as (
    select * from raw.staff_survey
),

totals as (
    select source_file, survey_id, question_code, ethnicity_code, sex, respondent_count,
        source_row
    from rows
),

parts as (
    -- ethnicity rows against the total; sex rows against the total; sex rows of each
    -- ethnicity against that ethnicity's row
    select source_file, survey_id, question_code, null as ethnicity_code, 'ethnicity' as part,
        sum(respondent_count) as part_count
    from rows where ethnicity_code is not null and sex is null
    group by all
    union all
    select source_file, survey_id, question_code, null, 'sex', sum(respondent_count)
    from rows where ethnicity_code is null and sex is not null
    group by all
    union all
    select source_file, survey_id, question_code, ethnicity_code, 'sex', sum(respondent_count)
    from rows where ethnicity_code is not null and sex is not null
    group by all
),

final as (
    select
        'staff_survey' as extract_kind,
        parts.source_file,
        parts.survey_id,
        parts.question_code,
        parts.ethnicity_code,
        parts.part,
        parts.part_count,
        totals.respondent_count as total_count,
        totals.source_row as total_row
    from parts
    inner join totals
        on parts.source_file = totals.source_file
        and parts.survey_id = totals.survey_id
        and parts.question_code = totals.question_code
        and totals.ethnicity_code is not distinct from parts.ethnicity_code
        and totals.sex is null
    where parts.part_count <> totals.respondent_count
)

select * from final order by source_file, survey_id, question_code, ethnicity_code nulls first
