-- Census 2021 usual residents by area and police ethnicity code (Roma folded into W9).
with source as (
    select * from raw.census_population
),

final as (
    select
        area_code,
        area_name,
        cast(census_year as integer) as census_year,
        ethnicity_code,
        cast(population_count as bigint) as population_count
    from source
)

select * from final
