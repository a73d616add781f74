-- Each pair of consecutive staff snapshots: the period over which movements are measured,
-- its length in years (two snapshots two years apart make a two-year period: its flows are
-- two years', never one), and whether the joiners-and-leavers data cover it. The movements
-- loaded, from any file, are judged by their dates: every stretch of a period with no
-- movement (between two consecutive movements, or a snapshot and the nearest movement) is
-- tested alike, and is ``missing`` when the snapshots say it must have had movements (a file
-- of April to September only, a file with a quarter left out of its middle, or no file yet
-- for the year). Otherwise nobody in that stretch is known to have left or joined, so the
-- period's flows (retention, joiners, the projection) are not computed. A period whose
-- snapshots show nobody leaving or joining is covered.
-- gone_count: people in the earlier snapshot and not the later; came_count: the reverse.
-- missing_stretches: the missing days, each {first_date, last_date}; movement_files: the
-- files whose first to last movement overlaps the period, each {source_file, first_date,
-- last_date, missing_stretches} (its first and last movement, and the missing days between).
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

-- Each joiners-and-leavers file's first and last movement (what pipeline.overlaps takes as
-- the period it describes), for the warning to name
files as (
    select source_file, min(movement_date) as first_date, max(movement_date) as last_date
    from staging.stg_hr__joiners_leavers
    group by all
),

-- The days of each period with a movement in any file, and the two days bounding the
-- period's days (its start, and the day after its end)
movement_days as (
    select paired.period_start_date, movements.movement_date as movement_day
    from paired
    inner join staging.stg_hr__joiners_leavers as movements
        on movements.movement_date > paired.period_start_date
        and movements.movement_date <= paired.period_end_date
    union
    select period_start_date, period_start_date from paired
    union
    select period_start_date, period_end_date + 1 from paired
),

-- The stretches of a period with no movement: the days between consecutive movement days
uncovered as (
    select
        period_start_date,
        lag(movement_day) over (
            partition by period_start_date order by movement_day
        ) + 1 as first_uncovered_date,
        movement_day - 1 as last_uncovered_date
    from movement_days
    qualify first_uncovered_date <= last_uncovered_date
),

-- A stretch with no movement loaded is missing when the movements the snapshots show would
-- have put some there: at least [contracts] movements_gap_days long (by default 31; or the
-- whole period), and the chance that the period's gone_count + came_count movements, were
-- they spread evenly over the period, leave a stretch this long without any anywhere in it
-- (at most n + 1 times the chance for one stretch of n movers) is under [contracts]
-- movements_gap_chance (by default 1 in 1,000). A short stretch (the last days of March, the days
-- between two movements of a complete file), or a long one in a force with a handful of
-- movements, is what a complete file can look like.
missing_days as (
    select uncovered.period_start_date, uncovered.first_uncovered_date,
        uncovered.last_uncovered_date
    from paired
    inner join uncovered on paired.period_start_date = uncovered.period_start_date
    left join gone on paired.period_start_date = gone.period_start_date
    left join came on paired.period_start_date = came.period_start_date
    cross join ref.movements_coverage_settings as setting
    where date_diff('day', uncovered.first_uncovered_date, uncovered.last_uncovered_date) + 1
            >= least(
                setting.movements_gap_days,
                date_diff('day', paired.period_start_date, paired.period_end_date)
            )
        -- n movers leave n + 1 stretches between them: the chance that any is this long
        and (coalesce(gone.gone_count, 0) + coalesce(came.came_count, 0) + 1) * pow(
            1 - (date_diff('day', uncovered.first_uncovered_date, uncovered.last_uncovered_date)
                + 1) / date_diff('day', paired.period_start_date, paired.period_end_date),
            coalesce(gone.gone_count, 0) + coalesce(came.came_count, 0)
        ) < setting.movements_gap_chance
),

missing as (
    select period_start_date,
        list({'first_date': first_uncovered_date, 'last_date': last_uncovered_date}
            order by first_uncovered_date) as missing_stretches
    from missing_days
    group by all
),

-- The missing stretches between a file's first and last movement: a hole in the file
file_holes as (
    select missing_days.period_start_date, files.source_file,
        list({
            'first_date': missing_days.first_uncovered_date,
            'last_date': missing_days.last_uncovered_date
        } order by missing_days.first_uncovered_date) as missing_stretches
    from missing_days
    inner join files
        on files.first_date < missing_days.first_uncovered_date
        and files.last_date > missing_days.last_uncovered_date
    group by all
),

-- The files whose first to last movement overlaps each period, for the warning to name
period_files as (
    select paired.period_start_date,
        list({
            'source_file': files.source_file,
            'first_date': files.first_date,
            'last_date': files.last_date,
            'missing_stretches': coalesce(file_holes.missing_stretches, [])
        } order by files.first_date, files.source_file) as movement_files
    from paired
    inner join files
        on files.first_date <= paired.period_end_date
        and files.last_date > paired.period_start_date
    left join file_holes
        on paired.period_start_date = file_holes.period_start_date
        and files.source_file = file_holes.source_file
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
