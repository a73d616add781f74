-- Each department and each role against the rest of the same worker type's workforce, per
-- snapshot and ethnic grouping: who is in the unit, and who is in the rest of the workforce.
-- Every grouping but the single detailed codes, which are too fine to test unit by unit.
with membership as (
    select * from intermediate.int_staff__group_membership
    where worker_type in ('police_officer', 'police_staff')
        and group_code in (select group_code from ref.groupings where grouping_kind <> 'detailed')
),

departments as (
    select * from ref.departments
),

units as (
    select
        snapshot_date, worker_type, group_code, is_stated, is_member,
        'department' as unit_type, department as unit_label
    from membership

    union all

    select
        snapshot_date, worker_type, group_code, is_stated, is_member,
        'role' as unit_type, role as unit_label
    from membership
),

in_unit as (
    select
        snapshot_date,
        worker_type,
        unit_type,
        unit_label,
        group_code,
        count(*) as headcount,
        count(*) filter (where is_stated) as declared_headcount,
        count(*) filter (where is_member) as group_headcount
    from units
    group by all
),

workforce as (
    select
        snapshot_date,
        worker_type,
        group_code,
        count(*) filter (where is_stated) as declared_headcount,
        count(*) filter (where is_member) as group_headcount
    from membership
    group by all
),

final as (
    select
        in_unit.snapshot_date,
        in_unit.worker_type,
        in_unit.unit_type,
        in_unit.unit_label,
        case when in_unit.unit_type = 'department' then departments.is_specialist end
            as is_specialist,
        in_unit.group_code,
        in_unit.headcount,
        in_unit.declared_headcount,
        in_unit.group_headcount,
        workforce.declared_headcount as workforce_declared_headcount,
        workforce.group_headcount as workforce_group_headcount,
        workforce.declared_headcount - in_unit.declared_headcount as rest_declared_headcount,
        workforce.group_headcount - in_unit.group_headcount as rest_group_headcount
    from in_unit
    inner join workforce
        on in_unit.snapshot_date = workforce.snapshot_date
        and in_unit.worker_type = workforce.worker_type
        and in_unit.group_code = workforce.group_code
    left join departments on in_unit.unit_label = departments.department
)

select * from final
