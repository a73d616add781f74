-- Periods between consecutive staff snapshots longer than $longest_period_years: a snapshot
-- missing between them (a gap in a backfill). Their flows are those of the whole period:
-- the report names the period for what it is ("the two years to ...") and the projection
-- makes its rates annual (marts.projection_rates).
with periods as (
    select * from intermediate.int_workforce__periods
),

final as (
    select period_start_date, period_end_date, period_years
    from periods
    where period_years > $longest_period_years
)

select * from final order by period_start_date
