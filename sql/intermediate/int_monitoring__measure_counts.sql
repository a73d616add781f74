-- Each event measure's base and events by period, worker type and group of every comparison
-- (ref.comparison_groups), zero where a group had nobody, beside the counts of the group it
-- is compared with. People are counted within each ethnicity code and sex first, then summed
-- into groups, so the join to the groups is small. There is no all-worker-types row: officers
-- and staff have very different rates (of misconduct cases, of moves), so a rate over both
-- would differ between groups only because their mix of officers and staff differs.
-- A table, not a view: the five monitoring marts each read it (pipeline.monitoring.RATE_SQL),
-- and a view would be computed again for each of them.
-- materialized: table
with people as (
    select * from intermediate.int_monitoring__person_measures
),

comparison_groups as (
    select * from ref.comparison_groups
),

members as (
    select * from ref.comparison_members
),

worker_types as (
    select
        worker_type,
        worker_type_label,
        -- as pipeline.codes.WORKER_TYPES lists them
        list_position(['police_officer', 'police_staff', 'pcso', 'special_constable'],
            worker_type) as sort_order
    from ref.worker_types
),

cells as (
    select
        measure_code,
        period_start_date,
        period_end_date,
        worker_type,
        ethnicity_code,
        sex,
        count(*) filter (where is_in_base) as base_count,
        count(*) filter (where is_in_base and has_event) as event_count
    from people
    group by all
),

counted as (
    select
        cells.measure_code,
        cells.period_start_date,
        cells.worker_type,
        members.comparison_code,
        members.group_code,
        sum(cells.base_count) as base_count,
        sum(cells.event_count) as event_count
    from cells
    inner join members
        on (members.ethnicity_code is null or members.ethnicity_code = cells.ethnicity_code)
        and (members.sex is null or members.sex = cells.sex)
    group by all
),

grid_cells as (
    select distinct
        cells.measure_code,
        cells.period_start_date,
        cells.period_end_date,
        worker_types.worker_type,
        worker_types.worker_type_label,
        worker_types.sort_order as worker_type_sort_order
    from cells
    inner join worker_types on cells.worker_type = worker_types.worker_type
),

grid as (
    select
        grid_cells.*,
        comparison_groups.comparison_code,
        comparison_groups.comparison_label,
        comparison_groups.group_code,
        comparison_groups.group_label,
        comparison_groups.group_sort_order,
        comparison_groups.reference_group_code,
        coalesce(counted.base_count, 0) as base_count,
        coalesce(counted.event_count, 0) as event_count
    from grid_cells
    cross join comparison_groups
    left join counted
        on grid_cells.measure_code = counted.measure_code
        and grid_cells.period_start_date = counted.period_start_date
        and grid_cells.worker_type = counted.worker_type
        and comparison_groups.comparison_code = counted.comparison_code
        and comparison_groups.group_code = counted.group_code
),

final as (
    select
        grid.*,
        reference.group_label as reference_group_label,
        reference.base_count as reference_base_count,
        reference.event_count as reference_event_count
    from grid
    left join grid as reference
        on grid.measure_code = reference.measure_code
        and grid.period_start_date = reference.period_start_date
        and grid.worker_type = reference.worker_type
        and grid.comparison_code = reference.comparison_code
        and grid.reference_group_code = reference.group_code
)

select * from final
