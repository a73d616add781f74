-- Stage outcomes of every promotion process and recruitment campaign, per stage and end to
-- end, for every group of every comparison (ref.comparison_groups); groups with no
-- candidates are present with zero counts, so "nobody applied" is a row, not a gap.
with stages as (
    select * from intermediate.int_selection__candidate_stages
),

comparison_groups as (
    select * from ref.comparison_groups
),

members as (
    select * from ref.comparison_members
),

outcomes as (
    select * from ref.selection_outcomes
),

processes as (
    select
        process_type,
        process_id,
        min(process_name) as process_name,
        min(target_label) as target_label,
        min(outcome_date) as first_outcome_date,
        max(stage_order) as final_stage_order
    from stages
    group by process_type, process_id
),

process_stages as (
    select
        process_type,
        process_id,
        stage_order,
        min(stage_name) as stage_name,
        false as is_end_to_end
    from stages
    group by process_type, process_id, stage_order

    union all

    select
        process_type,
        process_id,
        0 as stage_order,
        'End to end' as stage_name,
        true as is_end_to_end
    from processes
),

journeys as (
    -- A candidate's end-to-end outcome is that of the last stage they reached; a pass
    -- before the final stage means the process is still running for them.
    select
        stages.process_type,
        stages.process_id,
        stages.candidate_key,
        min(stages.ethnicity_code) as ethnicity_code,
        min(stages.sex) as sex,
        arg_max(stages.outcome, stages.stage_order) as last_outcome,
        max(stages.stage_order) as last_stage_order
    from stages
    group by stages.process_type, stages.process_id, stages.candidate_key
),

candidate_outcomes as (
    select process_type, process_id, stage_order, ethnicity_code, sex, outcome
    from stages

    union all

    select
        journeys.process_type,
        journeys.process_id,
        0 as stage_order,
        journeys.ethnicity_code,
        journeys.sex,
        case
            when journeys.last_outcome = 'passed'
                and journeys.last_stage_order < processes.final_stage_order
                then 'in_progress'
            else journeys.last_outcome
        end as outcome
    from journeys
    inner join processes
        on journeys.process_type = processes.process_type
        and journeys.process_id = processes.process_id
),

counted as (
    select
        candidate_outcomes.process_type,
        candidate_outcomes.process_id,
        candidate_outcomes.stage_order,
        members.comparison_code,
        members.group_code,
        count(*) as entered_count,
        count(*) filter (where candidate_outcomes.outcome = 'passed') as passed_count,
        count(*) filter (where candidate_outcomes.outcome = 'failed') as failed_count,
        count(*) filter (where candidate_outcomes.outcome = 'withdrew') as withdrew_count,
        count(*) filter (where candidate_outcomes.outcome = 'did_not_attend')
            as did_not_attend_count,
        count(*) filter (where candidate_outcomes.outcome = 'in_progress') as in_progress_count,
        count(*) filter (where outcomes.is_in_selection_base) as selection_base_count
    from candidate_outcomes
    inner join members
        on (members.ethnicity_code is null
            or members.ethnicity_code = candidate_outcomes.ethnicity_code)
        and (members.sex is null or members.sex = candidate_outcomes.sex)
    left join outcomes on candidate_outcomes.outcome = outcomes.outcome
    group by all
),

grid as (
    select
        process_stages.process_type,
        process_stages.process_id,
        processes.process_name,
        processes.target_label,
        year(processes.first_outcome_date)
            + case when month(processes.first_outcome_date) >= 4 then 1 else 0 end
            as reporting_year,
        processes.first_outcome_date,
        process_stages.stage_order,
        process_stages.stage_name,
        process_stages.is_end_to_end,
        comparison_groups.comparison_code,
        comparison_groups.comparison_label,
        comparison_groups.comparison_sort_order,
        comparison_groups.group_code,
        comparison_groups.group_label,
        comparison_groups.group_sort_order,
        coalesce(counted.entered_count, 0) as entered_count,
        coalesce(counted.passed_count, 0) as passed_count,
        coalesce(counted.failed_count, 0) as failed_count,
        coalesce(counted.withdrew_count, 0) as withdrew_count,
        coalesce(counted.did_not_attend_count, 0) as did_not_attend_count,
        coalesce(counted.in_progress_count, 0) as in_progress_count,
        coalesce(counted.selection_base_count, 0) as selection_base_count,
        case
            when coalesce(counted.selection_base_count, 0) > 0
                then counted.passed_count / counted.selection_base_count
        end as selection_rate
    from process_stages
    inner join processes
        on process_stages.process_type = processes.process_type
        and process_stages.process_id = processes.process_id
    cross join comparison_groups
    left join counted
        on process_stages.process_type = counted.process_type
        and process_stages.process_id = counted.process_id
        and process_stages.stage_order = counted.stage_order
        and comparison_groups.comparison_code = counted.comparison_code
        and comparison_groups.group_code = counted.group_code
),

final as (
    select
        grid.*,
        max(grid.entered_count) filter (where grid.is_end_to_end) over (
            partition by grid.process_type, grid.process_id, grid.comparison_code, grid.group_code
        ) as entrant_count,
        case when entrant_count > 0 then grid.passed_count / entrant_count end
            as passed_entrant_share
    from grid
)

select * from final
