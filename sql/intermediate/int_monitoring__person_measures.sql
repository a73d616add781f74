-- One row per person per period per event measure (ref.event_measures): whether the person
-- is in the measure's base and, if so, whether the event happened to them. Long form, so
-- that one count (int_monitoring__measure_counts) serves every measure and group alike.
-- Events are dated within the period (after its start snapshot, on or before its end); the
-- appraisal's period is its year (1 April to 31 March, named by the year it ends), with the
-- people as intermediate.int_appraisal__rated finds them in the snapshots.
with cohort as (
    select * from intermediate.int_monitoring__period_cohort
),

staff as (
    select * from intermediate.int_staff__with_groups
),

departments as (
    select * from ref.departments
),

cases as (
    select * from staging.stg_hr__misconduct_cases
),

grievances as (
    select * from staging.stg_hr__grievances
),

training as (
    select * from staging.stg_hr__training_stages
),

programme_types as (
    select * from ref.programme_types
),

misconduct as (
    select
        cohort.period_start_date,
        cohort.period_end_date,
        cohort.staff_key,
        any_value(cohort.worker_type) as worker_type,
        any_value(cohort.ethnicity_code) as ethnicity_code,
        any_value(cohort.sex) as sex,
        count(cases.case_key) > 0 as has_case,
        coalesce(bool_or(cases.case_source = 'public_complaint'), false) as has_complaint,
        coalesce(bool_or(cases.case_source = 'internal_report'), false) as has_report,
        coalesce(max(cases.stage_order), 0) as furthest_stage_order,
        arg_max(cases.misconduct_outcome, cases.severity_order) as most_severe_outcome,
        coalesce(max(cases.severity_order), 0) as most_severe_order,
        coalesce(bool_or(cases.suspension_status = 'suspended'), false) as was_suspended,
        coalesce(bool_or(cases.suspension_status in ('suspended', 'restricted')), false)
            as was_restricted
    from cohort
    left join cases
        on cohort.staff_key = cases.staff_key
        and cases.opened_date > cohort.period_start_date
        and cases.opened_date <= cohort.period_end_date
    group by cohort.period_start_date, cohort.period_end_date, cohort.staff_key
),

misconduct_measures as (
    select
        'misconduct' as domain_code,
        period_start_date,
        period_end_date,
        worker_type,
        ethnicity_code,
        sex,
        unnest([
            {'measure_code': 'misconduct_case', 'is_in_base': true, 'has_event': has_case},
            {'measure_code': 'misconduct_public_complaint', 'is_in_base': true,
                'has_event': has_complaint},
            {'measure_code': 'misconduct_internal_report', 'is_in_base': true,
                'has_event': has_report},
            {'measure_code': 'misconduct_formal', 'is_in_base': true,
                'has_event': furthest_stage_order >= 2},
            {'measure_code': 'misconduct_proceedings', 'is_in_base': true,
                'has_event': furthest_stage_order >= 3},
            {'measure_code': 'misconduct_hearing', 'is_in_base': true,
                'has_event': furthest_stage_order >= 4},
            {'measure_code': 'misconduct_sanction', 'is_in_base': true,
                'has_event': most_severe_order >= 4},
            {'measure_code': 'misconduct_outcome_no_case_to_answer', 'is_in_base': true,
                'has_event': coalesce(most_severe_outcome = 'no_case_to_answer', false)},
            {'measure_code': 'misconduct_outcome_reflective_practice', 'is_in_base': true,
                'has_event': coalesce(most_severe_outcome = 'reflective_practice', false)},
            {'measure_code': 'misconduct_outcome_management_action', 'is_in_base': true,
                'has_event': coalesce(most_severe_outcome = 'management_action', false)},
            {'measure_code': 'misconduct_outcome_written_warning', 'is_in_base': true,
                'has_event': coalesce(most_severe_outcome = 'written_warning', false)},
            {'measure_code': 'misconduct_outcome_final_written_warning', 'is_in_base': true,
                'has_event': coalesce(most_severe_outcome = 'final_written_warning', false)},
            {'measure_code': 'misconduct_outcome_dismissal', 'is_in_base': true,
                'has_event': coalesce(most_severe_outcome = 'dismissal', false)},
            {'measure_code': 'misconduct_suspended', 'is_in_base': true,
                'has_event': was_suspended},
            {'measure_code': 'misconduct_restricted', 'is_in_base': true,
                'has_event': was_restricted},
            {'measure_code': 'misconduct_formal_given_case', 'is_in_base': has_case,
                'has_event': furthest_stage_order >= 2},
            {'measure_code': 'misconduct_proceedings_given_formal',
                'is_in_base': furthest_stage_order >= 2, 'has_event': furthest_stage_order >= 3}
        ], recursive := true)
    from misconduct
),

grievance as (
    select
        cohort.period_start_date,
        cohort.period_end_date,
        cohort.staff_key,
        any_value(cohort.worker_type) as worker_type,
        any_value(cohort.ethnicity_code) as ethnicity_code,
        any_value(cohort.sex) as sex,
        coalesce(bool_or(grievances.grievance_type = 'grievance'), false) as has_grievance,
        coalesce(bool_or(grievances.alleges_discrimination), false) as has_discrimination,
        coalesce(bool_or(grievances.grievance_type = 'grievance' and grievances.is_upheld),
            false) as has_grievance_upheld,
        coalesce(bool_or(grievances.grievance_type = 'employment_tribunal'), false)
            as has_claim,
        coalesce(bool_or(grievances.grievance_type = 'employment_tribunal'
            and grievances.is_upheld), false) as has_claim_upheld
    from cohort
    left join grievances
        on cohort.staff_key = grievances.staff_key
        and grievances.raised_date > cohort.period_start_date
        and grievances.raised_date <= cohort.period_end_date
    group by cohort.period_start_date, cohort.period_end_date, cohort.staff_key
),

grievance_measures as (
    select
        'grievance' as domain_code,
        period_start_date,
        period_end_date,
        worker_type,
        ethnicity_code,
        sex,
        unnest([
            {'measure_code': 'grievance_raised', 'is_in_base': true,
                'has_event': has_grievance},
            {'measure_code': 'grievance_discrimination', 'is_in_base': true,
                'has_event': has_discrimination},
            {'measure_code': 'grievance_upheld', 'is_in_base': true,
                'has_event': has_grievance_upheld},
            {'measure_code': 'tribunal_claim', 'is_in_base': true, 'has_event': has_claim},
            {'measure_code': 'tribunal_upheld', 'is_in_base': true,
                'has_event': has_claim_upheld}
        ], recursive := true)
    from grievance
),

-- Starting a programme: passing its attendance stage, on that stage's date.
started as (
    select
        training.staff_key,
        training.programme_id,
        training.programme_type,
        training.outcome_date as started_date,
        programme_types.is_positive_action,
        coalesce(completed.outcome = 'passed', false) as has_completed
    from training
    inner join programme_types on training.programme_type = programme_types.programme_type
    left join training as completed
        on training.programme_id = completed.programme_id
        and training.staff_key = completed.staff_key
        and completed.stage_type = 'completion'
    where training.stage_type = 'attendance' and training.outcome = 'passed'
),

development as (
    select
        cohort.period_start_date,
        cohort.period_end_date,
        cohort.staff_key,
        any_value(cohort.worker_type) as worker_type,
        any_value(cohort.ethnicity_code) as ethnicity_code,
        any_value(cohort.sex) as sex,
        coalesce(bool_or(not started.is_positive_action), false) as has_started,
        coalesce(bool_or(started.programme_type = 'leadership'), false) as has_leadership,
        coalesce(bool_or(started.programme_type = 'promotion_support'), false)
            as has_promotion_support,
        coalesce(bool_or(started.programme_type = 'positive_action'), false)
            as has_positive_action,
        coalesce(bool_or(started.programme_type = 'specialist_course'), false)
            as has_specialist_course,
        -- completion of programmes outside positive action, like has_started: positive
        -- action is open to under-represented groups only, so its cohorts would sit on one
        -- side of the comparison alone
        coalesce(bool_or(not started.is_positive_action and started.has_completed), false)
            as has_completed
    from cohort
    left join started
        on cohort.staff_key = started.staff_key
        and started.started_date > cohort.period_start_date
        and started.started_date <= cohort.period_end_date
    group by cohort.period_start_date, cohort.period_end_date, cohort.staff_key
),

development_measures as (
    select
        'training' as domain_code,
        period_start_date,
        period_end_date,
        worker_type,
        ethnicity_code,
        sex,
        unnest([
            {'measure_code': 'training_any', 'is_in_base': true, 'has_event': has_started},
            {'measure_code': 'training_leadership', 'is_in_base': true,
                'has_event': has_leadership},
            {'measure_code': 'training_promotion_support', 'is_in_base': true,
                'has_event': has_promotion_support},
            {'measure_code': 'training_positive_action', 'is_in_base': true,
                'has_event': has_positive_action},
            {'measure_code': 'training_specialist_course', 'is_in_base': true,
                'has_event': has_specialist_course},
            {'measure_code': 'training_completed_given_started', 'is_in_base': has_started,
                'has_event': has_completed}
        ], recursive := true)
    from development
),

-- Moves between the period's two snapshots, for those in both in the same worker type.
moves as (
    select
        cohort.period_start_date,
        cohort.period_end_date,
        cohort.worker_type,
        cohort.ethnicity_code,
        cohort.sex,
        cohort.rank_or_band = later.rank_or_band as is_same_grade,
        cohort.department is distinct from later.department as has_moved_department,
        cohort.role is distinct from later.role as has_moved_role,
        cohort.is_specialist as was_specialist,
        coalesce(departments.is_specialist, false) as is_specialist
    from cohort
    inner join staff as later
        on cohort.staff_key = later.staff_key
        and cohort.period_end_date = later.snapshot_date
        and cohort.worker_type = later.worker_type
    left join departments on later.department = departments.department
),

move_measures as (
    select
        'moves' as domain_code,
        period_start_date,
        period_end_date,
        worker_type,
        ethnicity_code,
        sex,
        unnest([
            {'measure_code': 'move_lateral', 'is_in_base': true,
                'has_event': is_same_grade and (has_moved_department or has_moved_role)},
            {'measure_code': 'move_department', 'is_in_base': true,
                'has_event': is_same_grade and has_moved_department},
            {'measure_code': 'move_into_specialist', 'is_in_base': not was_specialist,
                'has_event': is_specialist}
        ], recursive := true)
    from moves
),

rated as (
    select
        year_start_date as period_start_date,
        year_end_date as period_end_date,
        worker_type,
        ethnicity_code,
        sex,
        is_top,
        is_bottom
    from intermediate.int_appraisal__rated
),

appraisal_measures as (
    select
        'appraisal' as domain_code,
        period_start_date,
        period_end_date,
        worker_type,
        ethnicity_code,
        sex,
        unnest([
            {'measure_code': 'appraisal_top', 'is_in_base': true, 'has_event': is_top},
            {'measure_code': 'appraisal_bottom', 'is_in_base': true, 'has_event': is_bottom}
        ], recursive := true)
    from rated
),

-- What each extract covers: from its earliest to its latest dated row. A period no delivered
-- file of a domain reaches has no data (no row), not zero events: a force that sends no
-- misconduct extract gets no misconduct rates, never "0 per 1,000". Lateral moves come from
-- the snapshots, appraisal periods from the years rated, so both cover themselves.
covered_by_rows as (
    select 'misconduct' as domain_code, min(opened_date) as first_date,
        max(opened_date) as last_date
    from cases
    union all
    select 'grievance', min(raised_date), max(raised_date) from grievances
    union all
    select 'training', min(outcome_date), max(outcome_date) from training
),

-- A delivered file with a header and no rows (pipeline.schemas.EMPTY_FILE_MEANS) says that
-- nothing of its kind happened in its period, so the period has zero events, not no data.
-- It has no dated row to say which period: it covers the latest period between staff
-- snapshots that had ended when it was loaded (a force sends the year's extracts with, or
-- after, the year's snapshot).
empty_deliveries as (
    select
        case history.extract_kind
            when 'misconduct_cases' then 'misconduct'
            when 'grievances' then 'grievance'
            else 'training'
        end as domain_code,
        arg_max(periods.period_start_date, periods.period_end_date) as period_start_date,
        max(periods.period_end_date) as period_end_date
    from ops.load_history as history
    inner join intermediate.int_workforce__periods as periods
        on periods.period_end_date <= cast(history.loaded_at as date)
    where history.rows_read = 0
        and history.extract_kind in ('misconduct_cases', 'grievances', 'training_development')
    group by history.extract_kind, history.source_file, history.source_file_hash,
        history.loaded_at
),

coverage as (
    select domain_code, min(first_date) as first_date, max(last_date) as last_date
    from (
        select * from covered_by_rows
        union all
        select domain_code, period_start_date + 1, period_end_date from empty_deliveries
    )
    group by domain_code
),

measured as (
    select * from misconduct_measures
    union all by name
    select * from grievance_measures
    union all by name
    select * from development_measures
    union all by name
    select * from move_measures
    union all by name
    select * from appraisal_measures
),

final as (
    select measured.*
    from measured
    left join coverage on measured.domain_code = coverage.domain_code
    where coverage.domain_code is null
        or (coverage.first_date <= measured.period_end_date
            and coverage.last_date > measured.period_start_date)
)

select
    domain_code,
    measure_code,
    period_start_date,
    period_end_date,
    worker_type,
    ethnicity_code,
    sex,
    is_in_base,
    has_event
from final
