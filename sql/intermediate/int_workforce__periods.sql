-- Each pair of consecutive staff snapshots: the period over which movements are measured,
-- its length in years (two snapshots two years apart make a two-year period: its flows are
-- two years', never one), and whether the joiners-and-leavers data cover it. A file covers
-- the days from its first movement to its last; a period is covered unless a stretch of it
-- no file covers is one the snapshots say must have had movements (``missing``: a file of
-- April to September only, or no file yet for the year). Otherwise nobody in that stretch is
-- known to have left or joined, so the period's flows (retention, joiners, the projection)
-- are not computed. A period whose snapshots show nobody leaving or joining is covered.
-- gone_count: people in the earlier snapshot and not the later; came_count: the reverse.
-- missing_stretches: the missing days, each {first_date, last_date}; movement_files: the
-- files covering any of the period, each {source_file, first_date, last_date}.
with staff as (
    select staff_key, snapshot_date from staging.stg_hr__staff_snapshots
),

snapshot_dates as (
    select distinct snapshot_date from staff
),

paired as (
    select
        snapshot_date as period_start_date,
        lead(snapshot_date) over (order by snapshot_date) as period_end_date
    from snapshot_dates
    qualify period_end_date is not null
),

gone as (
    select paired.period_start_date, count(*) as gone_count
    from paired
    inner join staff as starting on paired.period_start_date = starting.snapshot_date
    anti join staff as ending
        on paired.period_end_date = ending.snapshot_date
        and starting.staff_key = ending.staff_key
    group by all
),

came as (
    select paired.period_start_date, count(*) as came_count
    from paired
    inner join staff as ending on paired.period_end_date = ending.snapshot_date
    anti join staff as starting
        on paired.period_start_date = starting.snapshot_date
        and ending.staff_key = starting.staff_key
    group by all
),

-- What each joiners-and-leavers file covers: the days from its first movement to its last
-- (as pipeline.overlaps takes a file's period). A file of 1 April to 30 September covers
-- half a year, whatever reporting year its movements fall in.
files as (
    select source_file, min(movement_date) as first_date, max(movement_date) as last_date
    from staging.stg_hr__joiners_leavers
    group by all
),

-- Each period's days, the day after its start to its end, as covered by each file, with two
-- empty spans bounding them (the period's start and the day after its end)
spans as (
    select paired.period_start_date, files.source_file,
        greatest(files.first_date, paired.period_start_date + 1) as span_start,
        least(files.last_date, paired.period_end_date) as span_end
    from paired
    inner join files
        on files.first_date <= paired.period_end_date
        and files.last_date > paired.period_start_date
    union all
    select period_start_date, null, period_start_date, period_start_date from paired
    union all
    select period_start_date, null, period_end_date + 1, period_end_date + 1 from paired
),

-- The stretches of a period no file covers: the days between the end of the spans so far
-- and the start of the next
uncovered as (
    select
        period_start_date,
        max(span_end) over (
            partition by period_start_date order by span_start, span_end
            rows between unbounded preceding and 1 preceding
        ) + 1 as first_uncovered_date,
        span_start - 1 as last_uncovered_date
    from spans
    qualify first_uncovered_date <= last_uncovered_date
),

-- A stretch with no movement loaded is missing when the movements the snapshots show would
-- have put some there: at least a month long (or the whole period), and the chance that none
-- of the period's gone_count + came_count movements falls in it, were they spread evenly
-- over the period, is under 1 in 1,000. A short stretch (the last days of March), or a long
-- one in a force with a handful of movements, is what a complete file can look like.
missing as (
    select
        paired.period_start_date,
        list({
            'first_date': uncovered.first_uncovered_date,
            'last_date': uncovered.last_uncovered_date
        } order by uncovered.first_uncovered_date) as missing_stretches
    from paired
    inner join uncovered on paired.period_start_date = uncovered.period_start_date
    left join gone on paired.period_start_date = gone.period_start_date
    left join came on paired.period_start_date = came.period_start_date
    where date_diff('day', uncovered.first_uncovered_date, uncovered.last_uncovered_date) + 1
            >= least(31, date_diff('day', paired.period_start_date, paired.period_end_date))
        and pow(
            1 - (date_diff('day', uncovered.first_uncovered_date, uncovered.last_uncovered_date)
                + 1) / date_diff('day', paired.period_start_date, paired.period_end_date),
            coalesce(gone.gone_count, 0) + coalesce(came.came_count, 0)
        ) < 0.001
    group by all
),

-- The files each period's movements come from, for the warning to name
period_files as (
    select period_start_date,
        list({'source_file': source_file, 'first_date': first_date, 'last_date': last_date}
            order by first_date, source_file) as movement_files
    from (
        select spans.period_start_date, files.*
        from spans inner join files on spans.source_file = files.source_file
    )
    group by all
),

final as (
    select
        paired.period_start_date,
        paired.period_end_date,
        date_diff('day', paired.period_start_date, paired.period_end_date) / 365.25
            as period_years,
        coalesce(gone.gone_count, 0) as gone_count,
        coalesce(came.came_count, 0) as came_count,
        coalesce(missing.missing_stretches, []) as missing_stretches,
        coalesce(period_files.movement_files, []) as movement_files,
        missing.missing_stretches is null as is_movements_covered
    from paired
    left join gone on paired.period_start_date = gone.period_start_date
    left join came on paired.period_start_date = came.period_start_date
    left join missing on paired.period_start_date = missing.period_start_date
    left join period_files on paired.period_start_date = period_files.period_start_date
)

select * from final
