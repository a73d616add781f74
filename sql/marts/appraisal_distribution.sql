-- How each group's ratings spread over the force's appraisal scale: for every appraisal
-- year, worker type, group of every comparison and rating, how many in the group were rated
-- and how many got that rating (zero included).
with rated as (
    select * from intermediate.int_appraisal__rated
),

scale as (
    select * from ref.appraisal_scale
),

comparison_groups as (
    select * from ref.comparison_groups
),

members as (
    select * from ref.comparison_members
),

worker_types as (
    select * from ref.worker_types
),

cells as (
    select appraisal_year, worker_type, ethnicity_code, sex, rating, count(*) as rated_count
    from rated
    group by all
),

counted as (
    select
        cells.appraisal_year,
        cells.worker_type,
        members.comparison_code,
        members.group_code,
        cells.rating,
        sum(cells.rated_count) as rating_count
    from cells
    inner join members
        on (members.ethnicity_code is null or members.ethnicity_code = cells.ethnicity_code)
        and (members.sex is null or members.sex = cells.sex)
    group by all
),

grid_cells as (
    select distinct cells.appraisal_year, worker_types.worker_type, worker_types.worker_type_label
    from cells
    inner join worker_types on cells.worker_type = worker_types.worker_type
),

grid as (
    select
        grid_cells.appraisal_year,
        grid_cells.worker_type,
        grid_cells.worker_type_label,
        comparison_groups.comparison_code,
        comparison_groups.comparison_label,
        comparison_groups.group_code,
        comparison_groups.group_label,
        comparison_groups.group_sort_order,
        scale.rating,
        scale.rating_order,
        scale.is_top,
        scale.is_bottom,
        coalesce(counted.rating_count, 0) as rating_count
    from grid_cells
    cross join comparison_groups
    cross join scale
    left join counted
        on grid_cells.appraisal_year = counted.appraisal_year
        and grid_cells.worker_type = counted.worker_type
        and comparison_groups.comparison_code = counted.comparison_code
        and comparison_groups.group_code = counted.group_code
        and scale.rating = counted.rating
),

final as (
    select
        appraisal_year,
        worker_type,
        worker_type_label,
        comparison_code,
        comparison_label,
        group_code,
        group_label,
        group_sort_order,
        rating,
        rating_order,
        is_top,
        is_bottom,
        sum(rating_count) over (
            partition by appraisal_year, worker_type, comparison_code, group_code
        ) as rated_count,
        rating_count,
        case when rated_count > 0 then rating_count / rated_count end as rating_share
    from grid
)

select * from final
order by appraisal_year, worker_type, comparison_code, group_sort_order, rating_order
