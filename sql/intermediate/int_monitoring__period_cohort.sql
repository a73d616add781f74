-- Everyone in post at the start of each period (one staff snapshot to the next), with the
-- characteristics every monitoring rate groups by, as the start snapshot gives them: the
-- base of the misconduct, grievance, development and lateral-move rates.
with staff as (
    select * from intermediate.int_staff__with_groups
),

periods as (
    select * from intermediate.int_workforce__periods
),

departments as (
    select * from ref.departments
),

final as (
    select
        periods.period_start_date,
        periods.period_end_date,
        staff.staff_key,
        staff.worker_type,
        staff.rank_or_band,
        staff.department,
        staff.role,
        coalesce(departments.is_specialist, false) as is_specialist,
        staff.ethnicity_code,
        staff.sex
    from periods
    inner join staff on periods.period_start_date = staff.snapshot_date
    left join departments on staff.department = departments.department
)

select * from final
