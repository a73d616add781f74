-- One row per movement into or out of the force.
with source as (
    select * from raw.joiners_leavers
),

final as (
    select
        staff_key,
        movement_type,
        cast(movement_date as date) as movement_date,
        worker_type,
        rank_or_band,
        department,
        lpu_code,
        sex,
        ethnicity_code,
        cast(service_start_date as date) as service_start_date,
        leaving_reason,
        coalesce(nullif(trim(entry_route), ''), 'Not recorded') as entry_route,
        date_sub('day', cast(service_start_date as date), cast(movement_date as date)) / 365.25
            as service_years,
        source_file,
        source_row
    from source
)

select * from final
