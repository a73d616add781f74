-- One row per person per snapshot, typed; the only model that reads raw.staff_snapshot.
-- Age and length of service are bands, derived as the rows were stored (the dates of birth
-- and of service start are never stored: pipeline/schemas.py, STORED_INSTEAD).
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
        age_band,
        service_band,
        cast(rank_start_date as date) as rank_start_date,
        cast(fte as double) as fte,
        coalesce(is_temporary_rank, false) as is_temporary_rank,
        date_sub('day', cast(rank_start_date as date), cast(snapshot_date as date)) / 365.25
            as years_in_rank,
        source_file,
        source_row
    from source
)

select * from final
