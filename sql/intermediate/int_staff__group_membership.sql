-- One row per person per snapshot per grouping, saying whether the person is in the group.
-- Long form lets one GROUP BY produce every grouping's counts at once.
with staff as (
    select * from intermediate.int_staff__with_groups
),

groupings as (
    select * from ref.groupings
),

members as (
    select * from ref.grouping_members
),

final as (
    select
        staff.snapshot_date,
        staff.staff_key,
        staff.worker_type,
        staff.rank_or_band,
        staff.rank_order,
        staff.lpu_code,
        staff.department,
        staff.role,
        staff.sex,
        staff.fte,
        staff.is_stated,
        groupings.group_code,
        members.ethnicity_code is not null as is_member
    from staff
    cross join groupings
    left join members
        on groupings.group_code = members.group_code
        and staff.ethnicity_code = members.ethnicity_code
)

select * from final
