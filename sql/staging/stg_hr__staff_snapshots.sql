-- One row per person per snapshot, typed and with derived ages; the only model that reads
-- raw.staff_snapshot.
with source as (
    select * from raw.staff_snapshot
),

final as (
    select
        staff_key,
        cast(snapshot_date as date) as snapshot_date,
        worker_type,
        rank_or_band,
        department,
        lpu_code,
        role,
        sex,
        ethnicity_code,
        cast(date_of_birth as date) as date_of_birth,
        cast(service_start_date as date) as service_start_date,
        cast(rank_start_date as date) as rank_start_date,
        cast(fte as double) as fte,
        coalesce(is_temporary_rank, false) as is_temporary_rank,
        date_sub('year', cast(date_of_birth as date), cast(snapshot_date as date)) as age_years,
        date_sub('day', cast(service_start_date as date), cast(snapshot_date as date)) / 365.25
            as service_years,
        date_sub('day', cast(rank_start_date as date), cast(snapshot_date as date)) / 365.25
            as years_in_rank,
        source_file,
        source_row
    from source
)

select * from final
