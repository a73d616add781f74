-- Officers in post at each rank at the start of a period (one snapshot) and how many of
-- them were at a higher rank at its end (the next snapshot), for every group of every
-- comparison, each row beside its reference group's counts. Characteristics are those in
-- the start snapshot; someone who left during the period stays in the base.
with staff as (
    select * from intermediate.int_staff__with_groups
    where worker_type = 'police_officer'
),

periods as (
    select * from intermediate.int_workforce__periods
),

comparison_groups as (
    select * from ref.comparison_groups
),

members as (
    select * from ref.comparison_members
),

movements as (
    select
        periods.period_start_date,
        periods.period_end_date,
        starting.rank_or_band,
        starting.rank_order,
        starting.ethnicity_code,
        starting.sex,
        coalesce(ending.rank_order > starting.rank_order, false) as is_promoted,
        coalesce(ending.rank_order > starting.rank_order and ending.is_temporary_rank, false)
            as is_temporary_promotion,
        case
            when ending.rank_order > starting.rank_order
                then date_diff('day', starting.rank_start_date, ending.rank_start_date) / 365.25
        end as years_in_rank_before_promotion
    from periods
    inner join staff as starting on periods.period_start_date = starting.snapshot_date
    left join staff as ending
        on periods.period_end_date = ending.snapshot_date
        and starting.staff_key = ending.staff_key
),

counted as (
    select
        movements.period_start_date,
        movements.period_end_date,
        coalesce(movements.rank_or_band, 'All') as rank_or_band,
        members.comparison_code,
        members.group_code,
        count(*) as in_post_count,
        count(*) filter (where movements.is_promoted) as promoted_count,
        count(*) filter (where movements.is_temporary_promotion) as temporary_promoted_count,
        avg(movements.years_in_rank_before_promotion) as average_years_in_rank
    from movements
    inner join members
        on (members.ethnicity_code is null or members.ethnicity_code = movements.ethnicity_code)
        and (members.sex is null or members.sex = movements.sex)
    group by grouping sets (
        (movements.period_start_date, movements.period_end_date, movements.rank_or_band,
            members.comparison_code, members.group_code),
        (movements.period_start_date, movements.period_end_date,
            members.comparison_code, members.group_code)
    )
),

cells as (
    select distinct
        movements.period_start_date,
        movements.period_end_date,
        movements.rank_or_band,
        movements.rank_order
    from movements

    union all

    select distinct period_start_date, period_end_date, 'All' as rank_or_band, null as rank_order
    from movements
),

grid as (
    select
        cells.*,
        comparison_groups.comparison_code,
        comparison_groups.comparison_label,
        comparison_groups.group_code,
        comparison_groups.group_label,
        comparison_groups.group_sort_order,
        comparison_groups.reference_group_code,
        coalesce(counted.in_post_count, 0) as in_post_count,
        coalesce(counted.promoted_count, 0) as promoted_count,
        coalesce(counted.temporary_promoted_count, 0) as temporary_promoted_count,
        counted.average_years_in_rank
    from cells
    cross join comparison_groups
    left join counted
        on cells.period_start_date = counted.period_start_date
        and cells.rank_or_band = counted.rank_or_band
        and comparison_groups.comparison_code = counted.comparison_code
        and comparison_groups.group_code = counted.group_code
),

final as (
    select
        grid.*,
        reference.group_label as reference_group_label,
        reference.in_post_count as reference_in_post_count,
        reference.promoted_count as reference_promoted_count
    from grid
    left join grid as reference
        on grid.period_start_date = reference.period_start_date
        and grid.rank_or_band = reference.rank_or_band
        and grid.comparison_code = reference.comparison_code
        and grid.reference_group_code = reference.group_code
)

select * from final
