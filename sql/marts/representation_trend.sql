-- Every snapshot's representation beside the previous snapshot's and the one a year earlier,
-- the straight line through the snapshots of the last [projections] window_years (only
-- where there are enough snapshots and people for one: trend_line_note says why not), and the
-- census benchmark on the snapshot date (Census 2021, and the share estimated on the
-- 2011-2021 line). Every grouping but the single detailed codes; every worker type, rank or
-- band and LPU, with their 'All' totals, as in marts.representation.
with representation as (
    select * from marts.representation
    where group_code in (select group_code from ref.groupings where grouping_kind <> 'detailed')
),

benchmark as (
    select * from marts.population_benchmark_trend
),

settings as (
    select * from ref.projection_settings
),

snapshots as (
    select distinct snapshot_date from representation
),

previous as (
    select
        snapshot_date,
        lag(snapshot_date) over (order by snapshot_date) as previous_snapshot_date
    from snapshots
),

-- The snapshot nearest to the same date a year earlier, within a month of it.
year_earlier as (
    select
        snapshots.snapshot_date,
        earlier.snapshot_date as year_earlier_snapshot_date
    from snapshots
    inner join snapshots as earlier
        on earlier.snapshot_date
            between snapshots.snapshot_date - interval 1 year - interval 31 day
            and snapshots.snapshot_date - interval 1 year + interval 31 day
    qualify row_number() over (
        partition by snapshots.snapshot_date
        order by abs(date_diff(
            'day', earlier.snapshot_date, cast(snapshots.snapshot_date - interval 1 year as date)
        )), earlier.snapshot_date
    ) = 1
),

-- Least squares through the group's share at each snapshot of the window ending here.
trend as (
    select
        representation.snapshot_date,
        representation.worker_type,
        representation.rank_or_band,
        representation.lpu_code,
        representation.group_code,
        count(points.group_share) as trend_snapshot_count,
        min(points.declared_headcount) filter (where points.group_share is not null)
            as trend_min_declared_headcount,
        regr_slope(
            points.group_share,
            date_diff('day', date '2000-01-01', points.snapshot_date) / 365.25
        ) as trend_share_change_per_year,
        regr_intercept(
            points.group_share,
            date_diff('day', date '2000-01-01', points.snapshot_date) / 365.25
        ) as trend_intercept
    from representation
    cross join settings
    inner join representation as points
        on points.worker_type = representation.worker_type
        and points.rank_or_band = representation.rank_or_band
        and points.lpu_code = representation.lpu_code
        and points.group_code = representation.group_code
        and points.snapshot_date <= representation.snapshot_date
        and points.snapshot_date
            >= representation.snapshot_date - to_years(settings.window_years)
    group by all
),

final as (
    select
        representation.snapshot_date,
        representation.worker_type,
        representation.worker_type_label,
        representation.rank_or_band,
        representation.rank_order,
        representation.lpu_code,
        representation.lpu_name,
        representation.group_code,
        representation.group_label,
        representation.group_sort_order,
        representation.headcount,
        representation.declared_headcount,
        representation.group_headcount,
        representation.declaration_rate,
        representation.group_share,
        representation.population_share,
        benchmark.estimated_population_share,
        benchmark.population_estimate_method,
        previous.previous_snapshot_date,
        before.headcount as previous_headcount,
        before.declared_headcount as previous_declared_headcount,
        before.declaration_rate as previous_declaration_rate,
        representation.declaration_rate - before.declaration_rate as declaration_rate_change,
        before.group_headcount as previous_group_headcount,
        before.group_share as previous_group_share,
        representation.group_share - before.group_share as group_share_change,
        year_earlier.year_earlier_snapshot_date,
        year_before.declared_headcount as year_earlier_declared_headcount,
        year_before.group_headcount as year_earlier_group_headcount,
        year_before.group_share as year_earlier_group_share,
        representation.group_share - year_before.group_share as annual_group_share_change,
        trend.trend_snapshot_count,
        trend.trend_min_declared_headcount,
        -- The one rule for whether a straight line is published at all ([projections]
        -- trend_min_snapshots and trend_min_declared_headcount): enough snapshots, and
        -- enough people at each of them; otherwise no slope, no line, and the reason.
        case
            when coalesce(trend.trend_snapshot_count, 0) < settings.trend_min_snapshots
                then 'fewer than ' || settings.trend_min_snapshots
                    || ' snapshots in the last ' || settings.window_years || ' years'
            when trend.trend_min_declared_headcount < settings.trend_min_declared_headcount
                then 'fewer than ' || settings.trend_min_declared_headcount
                    || ' people stated an ethnicity at a snapshot of the last '
                    || settings.window_years || ' years'
        end as trend_line_note,
        case when trend_line_note is null then trend.trend_share_change_per_year end
            as trend_share_change_per_year,
        -- A share: the line's value kept within 0-1 here, once, for every reader.
        case
            when trend_line_note is null
                then greatest(0.0, least(1.0,
                    trend.trend_intercept + trend.trend_share_change_per_year
                    * date_diff('day', date '2000-01-01', representation.snapshot_date) / 365.25
                ))
        end as trend_group_share
    from representation
    cross join settings
    inner join previous on representation.snapshot_date = previous.snapshot_date
    left join year_earlier on representation.snapshot_date = year_earlier.snapshot_date
    left join representation as before
        on before.snapshot_date = previous.previous_snapshot_date
        and before.worker_type = representation.worker_type
        and before.rank_or_band = representation.rank_or_band
        and before.lpu_code = representation.lpu_code
        and before.group_code = representation.group_code
    left join representation as year_before
        on year_before.snapshot_date = year_earlier.year_earlier_snapshot_date
        and year_before.worker_type = representation.worker_type
        and year_before.rank_or_band = representation.rank_or_band
        and year_before.lpu_code = representation.lpu_code
        and year_before.group_code = representation.group_code
    left join trend
        on representation.snapshot_date = trend.snapshot_date
        and representation.worker_type = trend.worker_type
        and representation.rank_or_band = trend.rank_or_band
        and representation.lpu_code = trend.lpu_code
        and representation.group_code = trend.group_code
    left join benchmark
        on representation.snapshot_date = benchmark.benchmark_date
        and representation.group_code = benchmark.group_code
        and benchmark.area_level = case when representation.lpu_code = 'All' then 'force' else 'lpu' end
        and (representation.lpu_code = 'All' or benchmark.area_code = representation.lpu_code)
)

select * from final
