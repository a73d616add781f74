-- When, at today's rates, each rank reaches the population share: for every projected group,
-- the workforce, each worker type and each rank or band, the share now, the projection at
-- the horizon with its band, the year it reaches the Census 2021 share (the flow model's:
-- the first year from which its central share, the median of the simulated futures, stays
-- at or above it to the horizon, so the verdict, the central share and the chance beside
-- it never disagree; the straight line's: the first year at or above it), and the chance of
-- being there at the horizon. A scope in which nobody stated an ethnicity has no share now
-- and none projected: its status says so.
with projections as (
    select * from marts.projections
),

rates as (
    select * from marts.projection_rates
),

-- The recruits' mix the projection assumes, for each scope: the group's share of the
-- stated joiners over the window who joined at a rank or band of the scope.
recruits as (
    select
        group_code,
        coalesce(worker_type, 'All') as worker_type,
        coalesce(rank_or_band, 'All') as rank_or_band,
        sum(joiner_count) filter (where membership_code = 'in_group')
            / nullif(sum(joiner_count) filter (where membership_code <> 'not_stated'), 0)
            as recruit_group_share
    from rates
    group by grouping sets ((group_code, worker_type, rank_or_band), (group_code, worker_type),
        (group_code))
),

horizon as (
    select group_code, worker_type, rank_or_band, max(projection_year) as horizon_years
    from projections
    group by all
),

reached as (
    select
        group_code,
        worker_type,
        rank_or_band,
        -- The years whose central share is below the population share (or has none): the
        -- flow model reaches it the year after the last of them, if that is in the horizon.
        min(projection_year) filter (where not coalesce(
            projected_group_share >= population_share, false)) as first_below_offset,
        max(projection_year) filter (where not coalesce(
            projected_group_share >= population_share, false)) as last_below_offset,
        max(projection_year) as horizon_offset,
        min(projection_year) filter (where straight_line_group_share >= population_share)
            as straight_line_offset
    from projections
    group by all
),

parity as (
    select
        *,
        case
            when last_below_offset is null then 0
            when last_below_offset < horizon_offset then last_below_offset + 1
        end as parity_offset
    from reached
),

final as (
    select
        now.group_code,
        now.group_label,
        now.group_sort_order,
        now.worker_type,
        now.worker_type_label,
        now.rank_or_band,
        now.rank_order,
        now.snapshot_date,
        cast(round(now.projected_headcount) as bigint) as headcount,
        now.projected_group_share as group_share,
        now.population_share,
        horizon.horizon_years,
        last.projected_group_share,
        last.projected_group_share_lower,
        last.projected_group_share_upper,
        last.straight_line_group_share,
        last.reach_probability,
        now.long_run_group_share,
        recruits.recruit_group_share,
        cast(year(parity.projection_date) as integer) as parity_year,
        cast(year(straight.projection_date) as integer) as straight_line_parity_year,
        case
            -- year 0's share is today's: none where nobody in the scope stated an ethnicity,
            -- and then nothing is projected (pipeline.flows.stated_now)
            when now.projected_headcount = 0 then 'not projected: nobody in post'
            when now.projected_group_share is null
                then 'not projected: nobody stated an ethnicity'
            when now.population_share is null then 'not computable'
            when reached.parity_offset = 0 then 'reached'
            when now.projected_group_share >= now.population_share
                and reached.parity_offset is null
                then 'falls below by ' || year(fall.projection_date)
            when reached.parity_offset is not null
                then 'by ' || year(parity.projection_date)
            else 'not within ' || horizon.horizon_years || ' years'
        end as parity_status
    from projections as now
    inner join horizon
        on now.group_code = horizon.group_code
        and now.worker_type = horizon.worker_type
        and now.rank_or_band = horizon.rank_or_band
    inner join parity as reached
        on now.group_code = reached.group_code
        and now.worker_type = reached.worker_type
        and now.rank_or_band = reached.rank_or_band
    inner join projections as last
        on now.group_code = last.group_code
        and now.worker_type = last.worker_type
        and now.rank_or_band = last.rank_or_band
        and last.projection_year = horizon.horizon_years
    left join recruits
        on now.group_code = recruits.group_code
        and now.worker_type = recruits.worker_type
        and now.rank_or_band = recruits.rank_or_band
    left join projections as parity
        on now.group_code = parity.group_code
        and now.worker_type = parity.worker_type
        and now.rank_or_band = parity.rank_or_band
        and parity.projection_year = reached.parity_offset
    left join projections as fall
        on now.group_code = fall.group_code
        and now.worker_type = fall.worker_type
        and now.rank_or_band = fall.rank_or_band
        and fall.projection_year = reached.first_below_offset
    left join projections as straight
        on now.group_code = straight.group_code
        and now.worker_type = straight.worker_type
        and now.rank_or_band = straight.rank_or_band
        and straight.projection_year = reached.straight_line_offset
    where now.projection_year = 0
)

select * from final
