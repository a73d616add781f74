-- People in the misconduct, grievance, development and appraisal extracts who are in no loaded
-- staff snapshot: their ethnicity, sex and worker type come from the snapshot, so without it
-- they cannot be counted in any group.
with people as (
    select distinct 'misconduct_cases' as extract_kind, staff_key from raw.misconduct_cases
    union all
    select distinct 'grievances' as extract_kind, staff_key from raw.grievances
    union all
    select distinct 'training_development' as extract_kind, staff_key
    from raw.training_development
    union all
    select distinct 'appraisal_ratings' as extract_kind, staff_key from raw.appraisal_ratings
),

staff as (
    select distinct staff_key from raw.staff_snapshot
),

final as (
    select
        people.extract_kind,
        count(*) as missing_person_count
    from people
    left join staff on people.staff_key = staff.staff_key
    where staff.staff_key is null
    group by people.extract_kind
)

select * from final order by extract_kind
