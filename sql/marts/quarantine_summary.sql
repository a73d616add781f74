-- Quarantined rows counted by file and by the rule they broke; a row that breaks two rules
-- counts under each. No values: what is wrong with each row is in ops.quarantine.
with quarantine as (
    select * from ops.quarantine
),

by_rule as (
    select
        extract_kind,
        source_file,
        source_file_hash,
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
