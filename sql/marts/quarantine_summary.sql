-- Quarantined rows counted by file and by the rule they broke; a row that breaks two rules
-- counts under each, and a row that breaks one rule in several columns (a repeated header
-- row: every date column is not a date) counts once, as ops.quarantine lists a rule once a
-- column. No values: what is wrong with each row is in ops.quarantine.
with quarantine as (
    select * from ops.quarantine
),

by_rule as (
    select distinct
        extract_kind,
        source_file,
        source_file_hash,
        source_row,
        unnest(string_split(rule, '; ')) as rule_code
    from quarantine
),

final as (
    select
        extract_kind as extract_code,
        source_file,
        source_file_hash,
        rule_code,
        count(*) as quarantined_row_count
    from by_rule
    group by all
)

select * from final order by extract_code, source_file, rule_code
