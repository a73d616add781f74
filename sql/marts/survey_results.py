"""Staff survey results by group for the questions the configuration marks as WRES-like
(a Python model): each group's share agreeing with its Wilson interval, and the comparison
with the reference group's share (pipeline.rates), in each question's direction (reporting
harassment or discrimination is worse for the group, believing in equal opportunities
better).

The survey provider's rows are cells: an ethnicity code, a sex, both, or neither (null:
every value). A group is the sum of the rows of exactly its kind: ethnic groups of the rows
by ethnicity alone, women and men of the rows by sex alone, ethnicity within sex of the rows
by both, everyone of the overall row; so no respondent is counted twice. A group with fewer
respondents than [survey] min_respondents gets no share, interval or comparison, and is not
compared with. Family for the false discovery rate: one survey and comparison (every
question, for every group).
"""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd

from pipeline import stats
from pipeline.monitoring import survey_measure
from pipeline.rates import add_rate_comparison

DEPENDS_ON = [
    "staging.stg_survey__results",
    "ref.survey_questions",
    "ref.survey_settings",
    "ref.comparison_groups",
    "ref.comparison_members",
    "ref.ethnicities",
    "ref.fairness_settings",
]

SQL = """
with results as (
    select * from staging.stg_survey__results
),

questions as (
    select * from ref.survey_questions
),

comparison_groups as (
    select * from ref.comparison_groups
),

members as (
    select * from ref.comparison_members
),

surveys as (
    select survey_id, min(survey_date) as survey_date, any_value(question_code) as any_code
    from results
    group by survey_id
),

asked as (
    select distinct results.survey_id, results.question_code, results.question_text
    from results
    inner join questions on results.question_code = questions.question_code
),

counted as (
    select
        results.survey_id,
        results.question_code,
        members.comparison_code,
        members.group_code,
        sum(results.respondent_count) as respondent_count,
        sum(results.agreeing_count) as agreeing_count
    from results
    inner join (select distinct comparison_code, group_code, ethnicity_code, sex from members)
        as members
        on (members.ethnicity_code is null) = (results.ethnicity_code is null)
        and (members.ethnicity_code is null or members.ethnicity_code = results.ethnicity_code)
        and members.sex is not distinct from results.sex
    group by all
),

-- Whether each survey's rows for a question break all its respondents down by the kind of
-- row a comparison is the sum of (ethnicity, sex, or both): the total row less the rows of
-- that kind may be no more than min_respondents for each value with no row (a provider
-- leaves out small cells); a partial ("pulse") survey reporting a few groups is not, and
-- its "ethnic minority" would be only the groups it reports
kinds as (
    select distinct
        comparison_code, ethnicity_code is not null as by_ethnicity, sex is not null as by_sex
    from members
),

values_of_kind as (  -- how many values each kind of row has
    select
        by_ethnicity, by_sex,
        (case when by_ethnicity then (select count(*) from ref.ethnicities) else 1 end)
        * (case when by_sex then (select count(distinct sex) from members) else 1 end)
        as value_count
    from (select distinct by_ethnicity, by_sex from kinds)
),

breakdown as (
    select
        survey_id,
        question_code,
        ethnicity_code is not null as by_ethnicity,
        sex is not null as by_sex,
        count(*) as row_count,
        sum(respondent_count) as respondent_count
    from results
    group by all
),

coverage as (
    select
        asked.survey_id,
        asked.question_code,
        kinds.comparison_code,
        overall.respondent_count is null
        or overall.respondent_count - coalesce(parts.respondent_count, 0)
        <= (values_of_kind.value_count - coalesce(parts.row_count, 0))
        * settings.min_respondents as is_comparison_covered
    from asked
    cross join kinds
    cross join ref.survey_settings as settings
    inner join values_of_kind
        on kinds.by_ethnicity = values_of_kind.by_ethnicity
        and kinds.by_sex = values_of_kind.by_sex
    left join breakdown as parts
        on asked.survey_id = parts.survey_id
        and asked.question_code = parts.question_code
        and kinds.by_ethnicity = parts.by_ethnicity
        and kinds.by_sex = parts.by_sex
    left join breakdown as overall
        on asked.survey_id = overall.survey_id
        and asked.question_code = overall.question_code
        and not overall.by_ethnicity and not overall.by_sex
),

grid as (
    select
        asked.survey_id,
        surveys.survey_date,
        asked.question_code,
        asked.question_text,
        questions.indicator_code,
        questions.wres_indicator,
        questions.indicator_label,
        comparison_groups.comparison_code,
        comparison_groups.comparison_label,
        comparison_groups.group_code,
        comparison_groups.group_label,
        comparison_groups.group_sort_order,
        comparison_groups.reference_group_code,
        coalesce(counted.respondent_count, 0) as respondent_count,
        coalesce(counted.agreeing_count, 0) as agreeing_count,
        coalesce(coverage.is_comparison_covered, true) as is_comparison_covered
    from asked
    inner join surveys on asked.survey_id = surveys.survey_id
    inner join questions on asked.question_code = questions.question_code
    cross join comparison_groups
    left join counted
        on asked.survey_id = counted.survey_id
        and asked.question_code = counted.question_code
        and comparison_groups.comparison_code = counted.comparison_code
        and comparison_groups.group_code = counted.group_code
    left join coverage
        on asked.survey_id = coverage.survey_id
        and asked.question_code = coverage.question_code
        and comparison_groups.comparison_code = coverage.comparison_code
),

final as (
    select
        grid.*,
        grid.respondent_count < settings.min_respondents as is_below_minimum,
        case
            when grid.respondent_count >= settings.min_respondents
                then grid.agreeing_count / grid.respondent_count
        end as agreeing_share,
        reference.group_label as reference_group_label,
        reference.respondent_count as reference_respondent_count,
        reference.agreeing_count as reference_agreeing_count,
        case
            when reference.respondent_count >= settings.min_respondents
                then reference.agreeing_count / reference.respondent_count
        end as reference_agreeing_share,
        settings.min_respondents
    from grid
    cross join ref.survey_settings as settings
    left join grid as reference
        on grid.survey_id = reference.survey_id
        and grid.question_code = reference.question_code
        and grid.comparison_code = reference.comparison_code
        and grid.reference_group_code = reference.group_code
)

select * from final
order by survey_date, survey_id, question_code, comparison_code, group_sort_order
"""

COUNTS = ("agreeing_count", "respondent_count", "reference_agreeing_count",
          "reference_respondent_count")  # fmt: skip


def model(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    (confidence,) = con.execute("select confidence from ref.fairness_settings").fetchone()
    frame = con.execute(SQL).df()
    bounds = [
        stats.wilson_interval(int(a), int(n), confidence) if share == share else None
        for a, n, share in zip(
            frame["agreeing_count"], frame["respondent_count"], frame["agreeing_share"],
            strict=True,
        )
    ]  # fmt: skip
    frame["ci_lower_share"] = pd.array([b[0] if b else None for b in bounds], dtype="Float64")
    frame["ci_upper_share"] = pd.array([b[1] if b else None for b in bounds], dtype="Float64")
    # Only groups with enough respondents, on both sides, are compared.
    enough = frame["agreeing_share"].notna() & frame["reference_agreeing_share"].notna()
    masked = frame[list(COUNTS)].astype("Float64")
    masked.loc[~enough] = pd.NA
    compared = add_rate_comparison(
        frame.assign(**{f"_{c}": masked[c] for c in COUNTS}),
        *(f"_{c}" for c in COUNTS),
        measure={
            code: survey_measure(code, indicator)
            for code, indicator in con.execute(
                "select question_code, indicator_code from ref.survey_questions"
            ).fetchall()
        },
        measure_column="question_code",
        family=("survey_id", "comparison_code"),
        confidence=confidence,
        ratio_column="share_ratio",
    )
    below = ~enough & compared["group_code"].ne(compared["reference_group_code"])
    below &= compared["reference_group_code"].notna()
    compared["note"] = compared["note"].where(
        ~below.to_numpy(),
        np.where(
            frame["is_below_minimum"],
            "fewer respondents in this group than the minimum",
            "fewer respondents in the reference group than the minimum",
        ),
    )
    return compared.drop(columns=[f"_{c}" for c in COUNTS])
