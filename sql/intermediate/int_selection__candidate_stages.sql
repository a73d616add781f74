-- One row per candidate per stage reached, for promotion processes and recruitment campaigns
-- alike, with the ethnicity and sex the comparisons group by.
-- Promotion candidates' ethnicity and sex come from the staff snapshot: the most recent one
-- on or before the process's first outcome date, else the earliest one after it. A candidate
-- found in no snapshot counts as ethnicity not stated, sex unknown (has_snapshot_match false).
with promotion as (
    select * from staging.stg_hr__promotion_stages
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

process_start as (
    select
        process_id,
        min(outcome_date) as first_outcome_date
    from promotion
    group by process_id
),

process_candidates as (
    select distinct
        promotion.process_id,
        promotion.staff_key,
        process_start.first_outcome_date
    from promotion
    inner join process_start on promotion.process_id = process_start.process_id
),

matched as (
    select
        process_candidates.process_id,
        process_candidates.staff_key,
        snapshots.snapshot_date,
        snapshots.sex,
        snapshots.ethnicity_code
    from process_candidates
    inner join snapshots on process_candidates.staff_key = snapshots.staff_key
    qualify row_number() over (
        partition by process_candidates.process_id, process_candidates.staff_key
        order by
            snapshots.snapshot_date > process_candidates.first_outcome_date,
            abs(date_diff('day', snapshots.snapshot_date, process_candidates.first_outcome_date))
    ) = 1
),

promotion_rows as (
    select
        'promotion' as process_type,
        promotion.process_id,
        promotion.process_name,
        promotion.target_rank as target_label,
        promotion.staff_key as candidate_key,
        promotion.stage_order,
        promotion.stage_name,
        promotion.outcome,
        promotion.outcome_date,
        coalesce(matched.ethnicity_code, 'NS') as ethnicity_code,
        matched.sex,
        matched.snapshot_date as characteristics_snapshot_date,
        matched.staff_key is not null as has_snapshot_match
    from promotion
    left join matched
        on promotion.process_id = matched.process_id
        and promotion.staff_key = matched.staff_key
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
    select * from promotion_rows
    union all
    select * from recruitment_rows
)

select * from final
