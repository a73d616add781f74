-- The flows of the workforce projection, for each period between consecutive snapshots, by
-- worker type, rank or band and ethnicity code: who was in post at the start, how many of
-- them left before the end (a leaver movement after the start, on or before the end, as in
-- marts.retention), how many of those who stayed held a higher rank or band of the same
-- worker type at the end (as in marts.promotion_rates), and who joined during the period
-- (joiner movements, at the rank or band they joined at).
with staff as (
    select * from intermediate.int_staff__with_groups
),

periods as (  -- a period the movements do not cover has no known flows
    select * from intermediate.int_workforce__periods
    where is_movements_covered
),

movements as (
    select * from staging.stg_hr__joiners_leavers
),

ranks as (
    select * from ref.ranks
),

cohort as (
    select
        periods.period_start_date,
        periods.period_end_date,
        starting.worker_type,
        starting.rank_or_band,
        starting.rank_order,
        starting.ethnicity_code,
        leaving.staff_key is not null as has_left,
        leaving.staff_key is null and coalesce(
            ending.worker_type = starting.worker_type and ending.rank_order > starting.rank_order,
            false
        ) as is_promoted
    from periods
    inner join staff as starting on periods.period_start_date = starting.snapshot_date
    left join (
        select distinct staff_key, movement_date from movements where movement_type = 'leaver'
    ) as leaving
        on starting.staff_key = leaving.staff_key
        and leaving.movement_date > periods.period_start_date
        and leaving.movement_date <= periods.period_end_date
    left join staff as ending
        on periods.period_end_date = ending.snapshot_date
        and starting.staff_key = ending.staff_key
    qualify row_number() over (
        partition by periods.period_start_date, starting.staff_key order by leaving.movement_date
    ) = 1
),

stock_flows as (
    select
        period_start_date,
        period_end_date,
        worker_type,
        rank_or_band,
        ethnicity_code,
        count(*) as in_post_count,
        count(*) filter (where has_left) as leaver_count,
        count(*) filter (where is_promoted) as promoted_count,
        0 as joiner_count
    from cohort
    group by all
),

joiner_flows as (
    select
        periods.period_start_date,
        periods.period_end_date,
        movements.worker_type,
        movements.rank_or_band,
        movements.ethnicity_code,
        0 as in_post_count,
        0 as leaver_count,
        0 as promoted_count,
        count(*) as joiner_count
    from periods
    inner join movements
        on movements.movement_type = 'joiner'
        and movements.movement_date > periods.period_start_date
        and movements.movement_date <= periods.period_end_date
    group by all
),

flows as (
    select * from stock_flows
    union all
    select * from joiner_flows
),

final as (
    select
        flows.period_start_date,
        flows.period_end_date,
        date_diff('day', flows.period_start_date, flows.period_end_date) / 365.25
            as period_years,
        flows.worker_type,
        flows.rank_or_band,
        ranks.rank_order,
        flows.ethnicity_code,
        sum(flows.in_post_count) as in_post_count,
        sum(flows.leaver_count) as leaver_count,
        sum(flows.promoted_count) as promoted_count,
        sum(flows.joiner_count) as joiner_count
    from flows
    inner join ranks
        on flows.worker_type = ranks.worker_type
        and flows.rank_or_band = ranks.rank_or_band
    group by all
)

select * from final
