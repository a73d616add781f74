-- People in post at the start of a period (one snapshot) and how many of them left before
-- its end (a leaver movement after the start date, on or before the next snapshot), by
-- worker type (and All), leaving reason (and all) and group of every comparison, each row
-- beside its reference group's counts. Characteristics and worker type are those in the
-- start snapshot; leavers who joined during the period are not in the base, so not counted.
with staff as (
    select * from intermediate.int_staff__with_groups
),

periods as (  -- a period the movements do not cover has no known leavers
    select * from intermediate.int_workforce__periods
    where is_movements_covered
),

movements as (
    select * from staging.stg_hr__joiners_leavers
    where movement_type = 'leaver'
),

comparison_groups as (
    select * from ref.comparison_groups
),

members as (
    select * from ref.comparison_members
),

reasons as (
    select * from (
        values
            ('all', 'All reasons', 0),
            ('resignation', 'Resignation', 1),
            ('retirement', 'Retirement', 2),
            ('dismissal', 'Dismissal', 3),
            ('other', 'Other (transfer, death, other)', 4)
    ) as t (leaving_reason_code, leaving_reason_label, leaving_reason_sort_order)
),

worker_types as (
    select worker_type, worker_type_label from ref.worker_types
    union all
    select 'All', 'All worker types'
),

cohort as (
    select
        periods.period_start_date,
        periods.period_end_date,
        staff.worker_type,
        staff.ethnicity_code,
        staff.sex,
        leaving.movement_date is not null as has_left,
        case
            when leaving.leaving_reason in ('resignation', 'retirement', 'dismissal')
                then leaving.leaving_reason
            when leaving.movement_date is not null then 'other'
        end as leaving_reason_code,
        leaving.is_short_service
    from periods
    inner join staff on periods.period_start_date = staff.snapshot_date
    left join movements as leaving
        on staff.staff_key = leaving.staff_key
        and leaving.movement_date > periods.period_start_date
        and leaving.movement_date <= periods.period_end_date
    qualify row_number() over (
        partition by periods.period_start_date, staff.staff_key
        order by leaving.movement_date
    ) = 1
),

counted as (
    select
        cohort.period_start_date,
        coalesce(cohort.worker_type, 'All') as worker_type,
        reasons.leaving_reason_code,
        members.comparison_code,
        members.group_code,
        count(*) as in_post_count,
        count(*) filter (
            where cohort.has_left
                and reasons.leaving_reason_code in ('all', cohort.leaving_reason_code)
        ) as leaver_count,
        count(*) filter (
            where cohort.has_left and cohort.is_short_service
                and reasons.leaving_reason_code in ('all', cohort.leaving_reason_code)
        ) as short_service_leaver_count
    from cohort
    cross join reasons
    inner join members
        on (members.ethnicity_code is null or members.ethnicity_code = cohort.ethnicity_code)
        and (members.sex is null or members.sex = cohort.sex)
    group by grouping sets (
        (cohort.period_start_date, cohort.worker_type, reasons.leaving_reason_code,
            members.comparison_code, members.group_code),
        (cohort.period_start_date, reasons.leaving_reason_code,
            members.comparison_code, members.group_code)
    )
),

cells as (
    select distinct
        cohort.period_start_date,
        cohort.period_end_date,
        worker_types.worker_type,
        worker_types.worker_type_label
    from cohort
    inner join worker_types
        on worker_types.worker_type in (cohort.worker_type, 'All')
),

grid as (
    select
        cells.*,
        reasons.*,
        comparison_groups.comparison_code,
        comparison_groups.comparison_label,
        comparison_groups.group_code,
        comparison_groups.group_label,
        comparison_groups.group_sort_order,
        comparison_groups.reference_group_code,
        coalesce(counted.in_post_count, 0) as in_post_count,
        coalesce(counted.leaver_count, 0) as leaver_count,
        coalesce(counted.short_service_leaver_count, 0) as short_service_leaver_count
    from cells
    cross join reasons
    cross join comparison_groups
    left join counted
        on cells.period_start_date = counted.period_start_date
        and cells.worker_type = counted.worker_type
        and reasons.leaving_reason_code = counted.leaving_reason_code
        and comparison_groups.comparison_code = counted.comparison_code
        and comparison_groups.group_code = counted.group_code
),

final as (
    select
        grid.*,
        reference.group_label as reference_group_label,
        reference.in_post_count as reference_in_post_count,
        reference.leaver_count as reference_leaver_count
    from grid
    left join grid as reference
        on grid.period_start_date = reference.period_start_date
        and grid.worker_type = reference.worker_type
        and grid.leaving_reason_code = reference.leaving_reason_code
        and grid.comparison_code = reference.comparison_code
        and grid.reference_group_code = reference.group_code
)

select * from final
