-- One row per candidate per stage reached, for promotion processes, development programmes
-- with selection and recruitment campaigns alike, with the ethnicity and sex the comparisons
-- group by. Colleagues' ethnicity and sex (promotion candidates, development applicants)
-- come from the staff snapshot: the most recent one on or before the process's first
-- outcome date, else the earliest one after it. A colleague found in no snapshot counts as
-- ethnicity not stated, sex unknown (has_snapshot_match false).
with promotion as (
    select * from staging.stg_hr__promotion_stages
),

training as (
    select * from staging.stg_hr__training_stages
),

programme_types as (
    select * from ref.programme_types
),

recruitment as (
    select * from staging.stg_hr__recruitment_stages
),

snapshots as (
    select staff_key, snapshot_date, sex, ethnicity_code
    from staging.stg_hr__staff_snapshots
),

worker_types as (
    select * from ref.worker_types
),

-- Development programmes are selection processes when they have a selection stage: every
-- stage of theirs (selection, attendance, completion) has a pass rate like a promotion's.
selective_programmes as (
    select distinct programme_id from training where stage_type = 'selection'
),

internal as (
    select
        'promotion' as process_type,
        process_id,
        process_name,
        target_rank as target_label,
        staff_key,
        stage_order,
        stage_name,
        outcome,
        outcome_date
    from promotion

    union all

    select
        'development' as process_type,
        training.programme_id as process_id,
        training.programme_name as process_name,
        programme_types.programme_type_label as target_label,
        training.staff_key,
        training.stage_order,
        training.stage_name,
        training.outcome,
        training.outcome_date
    from training
    inner join selective_programmes on training.programme_id = selective_programmes.programme_id
    left join programme_types on training.programme_type = programme_types.programme_type
),

process_start as (
    select
        process_type,
        process_id,
        min(outcome_date) as first_outcome_date
    from internal
    group by process_type, process_id
),

process_candidates as (
    select distinct
        internal.process_type,
        internal.process_id,
        internal.staff_key,
        process_start.first_outcome_date
    from internal
    inner join process_start
        on internal.process_type = process_start.process_type
        and internal.process_id = process_start.process_id
),

matched as (
    select
        process_candidates.process_type,
        process_candidates.process_id,
        process_candidates.staff_key,
        snapshots.snapshot_date,
        snapshots.sex,
        snapshots.ethnicity_code
    from process_candidates
    inner join snapshots on process_candidates.staff_key = snapshots.staff_key
    qualify row_number() over (
        partition by
            process_candidates.process_type,
            process_candidates.process_id,
            process_candidates.staff_key
        order by
            snapshots.snapshot_date > process_candidates.first_outcome_date,
            abs(date_diff('day', snapshots.snapshot_date, process_candidates.first_outcome_date))
    ) = 1
),

internal_rows as (
    select
        internal.process_type,
        internal.process_id,
        internal.process_name,
        internal.target_label,
        internal.staff_key as candidate_key,
        internal.stage_order,
        internal.stage_name,
        internal.outcome,
        internal.outcome_date,
        coalesce(matched.ethnicity_code, 'NS') as ethnicity_code,
        matched.sex,
        matched.snapshot_date as characteristics_snapshot_date,
        matched.staff_key is not null as has_snapshot_match
    from internal
    left join matched
        on internal.process_type = matched.process_type
        and internal.process_id = matched.process_id
        and internal.staff_key = matched.staff_key
),

recruitment_rows as (
    select
        'recruitment' as process_type,
        recruitment.campaign_id as process_id,
        recruitment.campaign_name as process_name,
        coalesce(worker_types.worker_type_label, recruitment.worker_type) as target_label,
        recruitment.applicant_key as candidate_key,
        recruitment.stage_order,
        recruitment.stage_name,
        recruitment.outcome,
        recruitment.outcome_date,
        recruitment.ethnicity_code,
        recruitment.sex,
        cast(null as date) as characteristics_snapshot_date,
        true as has_snapshot_match
    from recruitment
    left join worker_types on recruitment.worker_type = worker_types.worker_type
),

final as (
    select * from internal_rows
    union all
    select * from recruitment_rows
)

select * from final
