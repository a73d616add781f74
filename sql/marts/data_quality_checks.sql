-- The current result of every data-contract rule and night-to-night check: for each file the
-- database holds rows from, the results of the run that loaded it; for reference data and the
-- night-to-night checks (which have no file hash), those of the latest run that ran them.
with results as (
    select * from ops.contract_results
),

current_files as (
    select source_file_hash, run_id from marts.source_files
),

file_results as (
    select results.*
    from results
    inner join current_files
        on results.source_file_hash = current_files.source_file_hash
        and results.run_id = current_files.run_id
),

latest_run as (
    select arg_max(run_id, checked_at) as run_id from results where source_file_hash is null
),

run_results as (
    select results.*
    from results
    inner join latest_run on results.run_id = latest_run.run_id
    where results.source_file_hash is null
),

final as (
    select
        extract_kind as extract_code,
        source_file,
        source_file_hash,
        rule as rule_code,
        expectation_type,
        column_name,
        severity as severity_code,
        case severity when 'blocking' then 1 when 'row' then 2 else 3 end as severity_order,
        success as is_success,
        unexpected_count as affected_count,
        message,
        run_id
    from (select * from file_results union all select * from run_results)
)

select * from final order by severity_order, extract_code, source_file, rule_code
