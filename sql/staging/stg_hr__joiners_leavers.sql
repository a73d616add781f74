-- One row per movement into or out of the force. Length of service at the movement is a
-- band (under two years is short service), derived as the row was stored.
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
        leaving_reason,
        coalesce(nullif(trim(entry_route), ''), 'Not recorded') as entry_route,
        service_band,
        service_band = '<2' as is_short_service,
        source_file,
        source_row
    from source
)

select * from final
