-- The flows the workforce projection is driven by, period by period: for each period between
-- consecutive snapshots, each projected grouping (ref.projection_groups), worker type and
-- rank or band, the group's members, everyone else who stated an ethnicity, and those who
-- did not: people in post at the start, how many of them left (as in retention) and how many
-- of those who stayed were promoted (as in promotion_rates), and who joined. Zeros included.
-- projection_rates pools the periods of the window.
with flows as (
    select * from intermediate.int_workforce__flows
),

periods as (  -- only those the movements cover (int_workforce__flows)
    select * from intermediate.int_workforce__periods
    where is_movements_covered
),

projection_groups as (
    select chosen.group_code, chosen.projection_sort_order, groupings.group_label
    from ref.projection_groups as chosen
    inner join ref.groupings as groupings on chosen.group_code = groupings.group_code
),

members as (
    select * from ref.grouping_members
),

ranks as (
    select * from ref.ranks
),

worker_types as (
    select * from ref.worker_types
),

memberships as (
    select * from (
        values ('in_group', 1), ('rest_stated', 2), ('not_stated', 3)
    ) as t (membership_code, membership_sort_order)
),

-- membership of each ethnicity code in each projected group
coded as (
    select
        projection_groups.group_code,
        ethnicities.ethnicity_code,
        case
            when not ethnicities.is_stated then 'not_stated'
            when members.ethnicity_code is not null then 'in_group'
            else 'rest_stated'
        end as membership_code
    from projection_groups
    cross join ref.ethnicities as ethnicities
    left join members
        on projection_groups.group_code = members.group_code
        and ethnicities.ethnicity_code = members.ethnicity_code
),

counted as (
    select
        flows.period_start_date,
        coded.group_code,
        coded.membership_code,
        flows.worker_type,
        flows.rank_or_band,
        sum(flows.in_post_count) as in_post_count,
        sum(flows.leaver_count) as leaver_count,
        sum(flows.promoted_count) as promoted_count,
        sum(flows.joiner_count) as joiner_count
    from flows
    inner join coded on flows.ethnicity_code = coded.ethnicity_code
    group by all
),

grid as (
    select
        periods.period_start_date,
        periods.period_end_date,
        projection_groups.group_code,
        projection_groups.group_label,
        memberships.membership_code,
        memberships.membership_sort_order,
        ranks.worker_type,
        ranks.rank_or_band,
        ranks.rank_order
    from periods
    cross join projection_groups
    cross join memberships
    cross join ranks
),

final as (
    select
        grid.period_start_date,
        grid.period_end_date,
        grid.group_code,
        grid.group_label,
        grid.membership_code,
        grid.membership_sort_order,
        grid.worker_type,
        worker_types.worker_type_label,
        grid.rank_or_band,
        grid.rank_order,
        coalesce(counted.in_post_count, 0) as in_post_count,
        coalesce(counted.leaver_count, 0) as leaver_count,
        coalesce(counted.promoted_count, 0) as promoted_count,
        coalesce(counted.joiner_count, 0) as joiner_count
    from grid
    left join counted
        on grid.period_start_date = counted.period_start_date
        and grid.group_code = counted.group_code
        and grid.membership_code = counted.membership_code
        and grid.worker_type = counted.worker_type
        and grid.rank_or_band = counted.rank_or_band
    left join worker_types on grid.worker_type = worker_types.worker_type
)

select * from final
