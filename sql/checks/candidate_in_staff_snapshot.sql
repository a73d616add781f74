-- Promotion processes with candidates who are in no loaded staff snapshot: their ethnicity
-- and other characteristics come from the snapshot, so without it they cannot be analysed.
with candidates as (
    select distinct process_id, staff_key from raw.promotion_candidates
),

staff as (
    select distinct staff_key from raw.staff_snapshot
),

final as (
    select
        candidates.process_id,
        count(*) filter (where staff.staff_key is null) as missing_candidate_count,
        count(*) as candidate_count
    from candidates
    left join staff on candidates.staff_key = staff.staff_key
    group by candidates.process_id
    having count(*) filter (where staff.staff_key is null) > 0
)

select * from final order by process_id
