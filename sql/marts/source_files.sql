-- The extract files whose rows the database holds now (loaded or quarantined), so that every
-- figure traces back to a file: each file's content hash names its archived copy.
with loaded_rows as (
    select extract_kind, source_file_hash, count(*) as row_count
    from (
        select 'staff_snapshot' as extract_kind, source_file_hash from raw.staff_snapshot
        union all
        select 'joiners_leavers', source_file_hash from raw.joiners_leavers
        union all
        select 'promotion_candidates', source_file_hash from raw.promotion_candidates
        union all
        select 'recruitment_applicants', source_file_hash from raw.recruitment_applicants
        union all
        select 'misconduct_cases', source_file_hash from raw.misconduct_cases
        union all
        select 'grievances', source_file_hash from raw.grievances
        union all
        select 'training_development', source_file_hash from raw.training_development
        union all
        select 'appraisal_ratings', source_file_hash from raw.appraisal_ratings
        union all
        select 'staff_survey', source_file_hash from raw.staff_survey
    )
    group by all
),

quarantined_rows as (
    select extract_kind, source_file_hash, count(*) as row_count
    from ops.quarantine
    group by all
),

loads as (
    select
        *,
        row_number() over (partition by source_file_hash order by loaded_at desc) as recency
    from ops.load_history
),

final as (
    select
        loads.extract_kind as extract_code,
        loads.source_file,
        loads.source_file_hash,
        loads.run_id,
        cast(loads.loaded_at as date) as loaded_date,
        loads.encoding,
        loads.rows_read as read_row_count,
        coalesce(loaded_rows.row_count, 0) as loaded_row_count,
        coalesce(quarantined_rows.row_count, 0) as quarantined_row_count,
        loads.rows_superseded as superseded_row_count,
        len(loads.dropped_columns) as dropped_column_count
    from loads
    left join loaded_rows on loads.source_file_hash = loaded_rows.source_file_hash
    left join quarantined_rows on loads.source_file_hash = quarantined_rows.source_file_hash
    where loads.recency = 1
        -- a file with a header and no rows is a period without events: figures rest on it
        and (loaded_rows.row_count is not null or quarantined_rows.row_count is not null
            or loads.rows_read = 0)
)

select * from final order by extract_code, source_file
