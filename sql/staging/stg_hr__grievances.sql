-- One row per grievance or employment tribunal claim per person who raised it.
with source as (
    select * from raw.grievances
),

final as (
    select
        case_key,
        staff_key,
        grievance_type,
        cast(raised_date as date) as raised_date,
        coalesce(alleges_discrimination, false) as alleges_discrimination,
        grievance_outcome,
        coalesce(grievance_outcome in ('upheld', 'partly_upheld'), false) as is_upheld,
        cast(closed_date as date) as closed_date,
        source_file,
        source_row
    from source
)

select * from final
