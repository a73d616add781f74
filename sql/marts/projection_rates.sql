-- What the workforce projection is driven by: for each projected grouping
-- (ref.projection_groups), worker type and rank or band, the people in the group, the rest
-- who stated an ethnicity, and those who did not: their headcount at the latest snapshot,
-- and their flows (marts.workforce_flows) added over the periods that start in the last
-- [projections] window_years and the movements cover (people in post at the start, leavers,
-- promotions, joiners). Rates are pooled over the window (events / people in post) and
-- expressed per year, 1 - (1 - rate)^(periods a year): a period of a year is one step,
-- shorter periods (monthly or quarterly snapshots) are compounded, and a longer one (two
-- snapshots two years apart) is spread over its years (periods a year = 0.5).
with flows as (
    select * from marts.workforce_flows
),

staff as (
    select * from intermediate.int_staff__with_groups
),

settings as (
    select * from ref.projection_settings
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

latest as (
    select max(snapshot_date) as snapshot_date from staff
),

window_periods as (
    select periods.period_start_date, periods.period_years
    from intermediate.int_workforce__periods as periods
    cross join latest
    cross join settings
    where periods.period_start_date >= latest.snapshot_date - to_years(settings.window_years)
        and periods.is_movements_covered
),

window_span as (
    select
        min(period_start_date) as window_start_date,
        count(*) as period_count,
        round(count(*) / sum(period_years), 2) as periods_per_year
    from window_periods
),

window_flows as (
    select
        flows.group_code,
        flows.membership_code,
        flows.worker_type,
        flows.rank_or_band,
        sum(flows.in_post_count) as in_post_count,
        sum(flows.leaver_count) as leaver_count,
        sum(flows.promoted_count) as promoted_count,
        sum(flows.joiner_count) as joiner_count
    from flows
    inner join window_periods on flows.period_start_date = window_periods.period_start_date
    group by all
),

-- membership of an ethnicity code in each projected group
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

stock as (
    select
        coded.group_code,
        coded.membership_code,
        staff.worker_type,
        staff.rank_or_band,
        count(*) as headcount
    from staff
    inner join latest on staff.snapshot_date = latest.snapshot_date
    inner join coded on staff.ethnicity_code = coded.ethnicity_code
    group by all
),

grid as (
    select
        projection_groups.group_code,
        projection_groups.group_label,
        projection_groups.projection_sort_order,
        memberships.membership_code,
        memberships.membership_sort_order,
        ranks.worker_type,
        ranks.rank_or_band,
        ranks.rank_order
    from projection_groups
    cross join memberships
    cross join ranks
),

joined as (
    select
        grid.*,
        latest.snapshot_date,
        window_span.window_start_date,
        coalesce(window_span.period_count, 0) as period_count,
        coalesce(window_span.periods_per_year, 1.0) as periods_per_year,
        coalesce(stock.headcount, 0) as headcount,
        coalesce(window_flows.in_post_count, 0) as in_post_count,
        coalesce(window_flows.leaver_count, 0) as leaver_count,
        coalesce(window_flows.promoted_count, 0) as promoted_count,
        coalesce(window_flows.joiner_count, 0) as joiner_count
    from grid
    cross join latest
    cross join window_span
    left join stock
        on grid.group_code = stock.group_code
        and grid.membership_code = stock.membership_code
        and grid.worker_type = stock.worker_type
        and grid.rank_or_band = stock.rank_or_band
    left join window_flows
        on grid.group_code = window_flows.group_code
        and grid.membership_code = window_flows.membership_code
        and grid.worker_type = window_flows.worker_type
        and grid.rank_or_band = window_flows.rank_or_band
),

final as (
    select
        joined.group_code,
        joined.group_label,
        joined.membership_code,
        joined.membership_sort_order,
        joined.worker_type,
        worker_types.worker_type_label,
        joined.rank_or_band,
        joined.rank_order,
        joined.snapshot_date,
        joined.window_start_date,
        joined.period_count,
        joined.periods_per_year,
        joined.headcount,
        joined.in_post_count,
        joined.leaver_count,
        joined.promoted_count,
        joined.joiner_count,
        case
            when joined.in_post_count > 0
                then 1 - pow(1 - joined.leaver_count / joined.in_post_count,
                    joined.periods_per_year)
        end as leaving_rate,
        case
            when joined.in_post_count > 0
                then 1 - pow(1 - joined.promoted_count / joined.in_post_count,
                    joined.periods_per_year)
        end as promotion_rate,
        case
            when sum(joined.joiner_count) over (partition by joined.group_code, joined.worker_type) > 0
                then joined.joiner_count
                    / sum(joined.joiner_count) over (
                        partition by joined.group_code, joined.worker_type
                    )
        end as joiner_share
    from joined
    left join worker_types on joined.worker_type = worker_types.worker_type
)

select * from final
