-- The officer rank pipeline: each grouping's share at each rank, its ratio to the share at
-- the rank below, and the compounded ratio from constable (the product of the step ratios,
-- which telescopes to share at the rank / share among constables), beside the constables'
-- counts that marts.rank_pipeline tests the compounded ratio against.
-- Every grouping but the single detailed codes, too fine for a pipeline rank by rank.
with representation as (
    select * from marts.representation
    where worker_type = 'police_officer'
        and lpu_code = 'All'
        and rank_or_band <> 'All'
        and group_code in (select group_code from ref.groupings where grouping_kind <> 'detailed')
),

stepped as (
    select
        snapshot_date,
        group_code,
        group_label,
        group_sort_order,
        rank_or_band,
        rank_order,
        headcount,
        declared_headcount,
        group_headcount,
        group_share,
        lag(rank_or_band) over ranks as rank_below,
        lag(group_share) over ranks as rank_below_group_share,
        lag(group_headcount) over ranks as rank_below_group_headcount,
        first_value(rank_or_band) over ranks as first_rank,
        first_value(group_share) over ranks as first_rank_group_share,
        first_value(declared_headcount) over ranks as first_rank_declared_headcount,
        first_value(group_headcount) over ranks as first_rank_group_headcount
    from representation
    window ranks as (partition by snapshot_date, group_code order by rank_order)
),

final as (
    select
        snapshot_date,
        group_code,
        group_label,
        group_sort_order,
        rank_or_band,
        rank_order,
        headcount,
        declared_headcount,
        group_headcount,
        group_share,
        rank_below,
        rank_below_group_headcount,
        rank_below_group_share,
        case
            when rank_below_group_share > 0 then group_share / rank_below_group_share
        end as step_ratio,
        case
            when first_rank = 'Constable' and first_rank_group_share > 0
                then group_share / first_rank_group_share
        end as compounded_ratio,
        case when first_rank = 'Constable' then first_rank_declared_headcount end
            as constable_declared_headcount,
        case when first_rank = 'Constable' then first_rank_group_headcount end
            as constable_group_headcount
    from stepped
)

select * from final
