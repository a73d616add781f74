-- The one-page scorecard, in the shape public-sector race equality standards use: one row per
-- indicator, this year's figure beside last year's, which way it moved, and whether this
-- year's difference is unlikely to be chance (the false discovery rate controlled in the
-- indicator's own view). Every figure is selected from the view that computes it; nothing is
-- computed here but the direction of change. One scorecard for each definition of the ethnic
-- minority (excluding and including White minorities), against its comparison's reference
-- group (White; White British).
with headline as (
    select
        comparison_groups.comparison_code,
        comparison_groups.group_code,
        comparison_groups.group_label,
        reference.group_label as reference_group_label
    from ref.comparison_groups as comparison_groups
    inner join ref.comparison_groups as reference
        on comparison_groups.comparison_code = reference.comparison_code
        and comparison_groups.reference_group_code = reference.group_code
    where comparison_groups.comparison_code in ('ethnic_minority', 'ethnic_minority_incl_white')
        and comparison_groups.group_code in ('minority_excl_white', 'minority_incl_white')
),

worker_types as (
    select * from ref.worker_types
),

-- One row per indicator and period: the figure, the two rates or shares it compares, the
-- four counts behind them (so that a report can withhold a figure from small numbers), and
-- this period's test.
representation as (
    select
        'representation_' || representation.worker_type as indicator_code,
        headline.group_code,
        representation.snapshot_date as period_start_date,
        cast(null as varchar) as source_id,
        cast(null as varchar) as source_item,
        'WRES 1' as wres_indicator,
        representation.worker_type,
        representation.snapshot_date as period_end_date,
        representation.representation_ratio as figure,
        representation.group_share as group_rate,
        representation.population_share as reference_rate,
        representation.group_headcount as event_count,
        representation.declared_headcount as base_count,
        cast(null as bigint) as reference_event_count,
        cast(null as bigint) as reference_base_count,
        cast(null as boolean) as is_significant_after_adjustment,
        cast(null as varchar) as verdict
    from marts.representation as representation
    inner join headline on representation.group_code = headline.group_code
    where representation.worker_type in ('police_officer', 'police_staff')
        and representation.rank_or_band = 'All' and representation.lpu_code = 'All'
),

rank_pipeline as (
    select
        'rank_' || lower(replace(rank_pipeline.rank_or_band, ' ', '_')) as indicator_code,
        headline.group_code,
        rank_pipeline.snapshot_date as period_start_date,
        cast(null as varchar) as source_id,
        cast(null as varchar) as source_item,
        'WRES 1' as wres_indicator,
        'police_officer' as worker_type,
        rank_pipeline.snapshot_date as period_end_date,
        rank_pipeline.compounded_ratio as figure,
        rank_pipeline.group_share as group_rate,
        rank_pipeline.constable_group_headcount / rank_pipeline.constable_declared_headcount
            as reference_rate,
        rank_pipeline.group_headcount as event_count,
        rank_pipeline.declared_headcount as base_count,
        rank_pipeline.constable_group_headcount as reference_event_count,
        rank_pipeline.constable_declared_headcount as reference_base_count,
        rank_pipeline.is_significant_after_adjustment,
        rank_pipeline.verdict
    from marts.rank_pipeline as rank_pipeline
    inner join headline on rank_pipeline.group_code = headline.group_code
    where rank_pipeline.rank_or_band in ('Sergeant', 'Inspector')
),

recruitment as (
    select
        'recruitment_' || worker_types.worker_type as indicator_code,
        headline.group_code,
        cast(null as date) as period_start_date,
        disparities.process_id as source_id,
        cast(null as varchar) as source_item,
        -- not WRES 2 (appointment from shortlisting): a different base
        cast(null as varchar) as wres_indicator,
        worker_types.worker_type,
        make_date(disparities.reporting_year, 3, 31) as period_end_date,
        disparities.relative_likelihood_ratio as figure,
        disparities.group_selection_rate as group_rate,
        disparities.comparator_selection_rate as reference_rate,
        disparities.passed_count as event_count,
        disparities.selection_base_count as base_count,
        disparities.comparator_passed_count as reference_event_count,
        disparities.comparator_selection_base_count as reference_base_count,
        disparities.is_significant_after_adjustment,
        disparities.verdict
    from marts.disparities as disparities
    inner join headline
        on disparities.comparison_code = headline.comparison_code
        and disparities.group_code = headline.group_code
    inner join worker_types on disparities.target_label = worker_types.worker_type_label
    where disparities.process_type = 'recruitment' and disparities.is_end_to_end
        and disparities.comparator_basis = 'reference_group'
        and worker_types.worker_type in ('police_officer', 'police_staff')
    -- a year with several campaigns for the same posts: the largest stands for it
    qualify row_number() over (
        partition by headline.group_code, worker_types.worker_type, disparities.reporting_year
        order by disparities.selection_base_count + disparities.comparator_selection_base_count
            desc, disparities.process_id
    ) = 1
),

promotion as (
    select
        'promotion' as indicator_code,
        headline.group_code,
        promotion.period_start_date as period_start_date,
        cast(null as varchar) as source_id,
        cast(null as varchar) as source_item,
        -- not WRES 2 (appointment from shortlisting): a different base
        cast(null as varchar) as wres_indicator,
        'police_officer' as worker_type,
        promotion.period_end_date,
        promotion.relative_likelihood_ratio as figure,
        promotion.promotion_rate as group_rate,
        promotion.reference_promotion_rate as reference_rate,
        promotion.promoted_count as event_count,
        promotion.in_post_count as base_count,
        promotion.reference_promoted_count as reference_event_count,
        promotion.reference_in_post_count as reference_base_count,
        promotion.is_significant_after_adjustment,
        promotion.verdict
    from marts.promotion_rates as promotion
    inner join headline
        on promotion.comparison_code = headline.comparison_code
        and promotion.group_code = headline.group_code
    where promotion.rank_or_band = 'All'
),

leaving as (
    select
        'leaving_' || retention.worker_type as indicator_code,
        headline.group_code,
        retention.period_start_date as period_start_date,
        cast(null as varchar) as source_id,
        cast(null as varchar) as source_item,
        cast(null as varchar) as wres_indicator,
        retention.worker_type,
        retention.period_end_date,
        retention.relative_likelihood_ratio as figure,
        retention.leaving_rate as group_rate,
        retention.reference_leaving_rate as reference_rate,
        retention.leaver_count as event_count,
        retention.in_post_count as base_count,
        retention.reference_leaver_count as reference_event_count,
        retention.reference_in_post_count as reference_base_count,
        retention.is_significant_after_adjustment,
        retention.verdict
    from marts.retention as retention
    inner join headline
        on retention.comparison_code = headline.comparison_code
        and retention.group_code = headline.group_code
    where retention.leaving_reason_code = 'all'
        and retention.worker_type in ('police_officer', 'police_staff')
),

events as (
    select *, 'misconduct' as source from marts.misconduct_rates
    where measure_code in ('misconduct_formal', 'misconduct_outcome_dismissal')
    union all by name
    select *, 'training' as source from marts.development_access
    where measure_code = 'training_any'
    union all by name
    select *, 'moves' as source from marts.lateral_moves
    where measure_code in ('move_lateral', 'move_into_specialist')
),

event_rates as (
    select
        events.measure_code || '_' || events.worker_type as indicator_code,
        headline.group_code,
        events.period_start_date as period_start_date,
        cast(null as varchar) as source_id,
        cast(null as varchar) as source_item,
        measures.wres_indicator,
        events.worker_type,
        events.period_end_date,
        coalesce(events.relative_likelihood_ratio, events.rate_ratio) as figure,
        events.event_rate as group_rate,
        events.reference_event_rate as reference_rate,
        events.event_count,
        events.base_count,
        events.reference_event_count,
        events.reference_base_count,
        events.is_significant_after_adjustment,
        events.verdict
    from events
    inner join headline
        on events.comparison_code = headline.comparison_code
        and events.group_code = headline.group_code
    inner join ref.event_measures as measures on events.measure_code = measures.measure_code
    where events.worker_type = 'police_officer'
        or (events.worker_type = 'police_staff' and events.source = 'training')
),

appraisal as (
    select
        appraisal.measure_code || '_' || appraisal.worker_type as indicator_code,
        headline.group_code,
        make_date(appraisal.appraisal_year - 1, 4, 1) as period_start_date,
        cast(null as varchar) as source_id,
        cast(null as varchar) as source_item,
        cast(null as varchar) as wres_indicator,
        appraisal.worker_type,
        make_date(appraisal.appraisal_year, 3, 31) as period_end_date,
        appraisal.rate_ratio as figure,
        appraisal.event_rate as group_rate,
        appraisal.reference_event_rate as reference_rate,
        appraisal.event_count,
        appraisal.base_count,
        appraisal.reference_event_count,
        appraisal.reference_base_count,
        appraisal.is_significant_after_adjustment,
        appraisal.verdict
    from marts.appraisal_outcomes as appraisal
    inner join headline
        on appraisal.comparison_code = headline.comparison_code
        and appraisal.group_code = headline.group_code
    where appraisal.worker_type in ('police_officer', 'police_staff')
),

survey as (
    select
        'survey_' || survey.indicator_code as indicator_code,
        headline.group_code,
        cast(null as date) as period_start_date,
        survey.survey_id as source_id,
        survey.question_code as source_item,
        survey.wres_indicator,
        cast(null as varchar) as worker_type,
        survey.survey_date as period_end_date,
        survey.share_ratio as figure,
        survey.agreeing_share as group_rate,
        survey.reference_agreeing_share as reference_rate,
        survey.agreeing_count as event_count,
        survey.respondent_count as base_count,
        survey.reference_agreeing_count as reference_event_count,
        survey.reference_respondent_count as reference_base_count,
        survey.is_significant_after_adjustment,
        survey.verdict
    from marts.survey_results as survey
    inner join headline
        on survey.comparison_code = headline.comparison_code
        and survey.group_code = headline.group_code
    -- a survey that does not report every group compared (a pulse survey of a few groups)
    -- is neither this year's figure nor last year's: the two compare the same population
    where survey.is_comparison_covered
    -- two questions configured as one indicator: the first stands for it
    qualify row_number() over (
        partition by survey.indicator_code, survey.survey_id, headline.group_code
        order by survey.question_code
    ) = 1
),

leadership as (
    select
        leadership.tier_code as indicator_code,
        headline.group_code,
        leadership.snapshot_date as period_start_date,
        cast(null as varchar) as source_id,
        cast(null as varchar) as source_item,
        case leadership.tier_code when 'senior_staff_bands' then 'WRES 1' else 'WRES 9' end
            as wres_indicator,
        case leadership.tier_code when 'senior_staff_bands' then 'police_staff' end
            as worker_type,
        leadership.snapshot_date as period_end_date,
        leadership.workforce_ratio as figure,
        leadership.group_share as group_rate,
        leadership.workforce_group_share as reference_rate,
        leadership.group_headcount as event_count,
        leadership.declared_headcount as base_count,
        leadership.rest_group_headcount as reference_event_count,
        leadership.rest_declared_headcount as reference_base_count,
        leadership.is_significant_after_adjustment,
        leadership.verdict
    from marts.leadership_representation as leadership
    inner join headline on leadership.group_code = headline.group_code
),

indicators as (
    select * from (
        values
            ('representation_police_officer', 1, 'Representation', 'Police officers',
                'ratio', 'share of officers / share of the local population',
                'neither'),
            ('representation_police_staff', 2, 'Representation', 'Police staff',
                'ratio', 'share of staff / share of the local population', 'neither'),
            ('rank_sergeant', 3, 'Representation', 'Sergeants against constables',
                'ratio', 'share of sergeants / share of constables', 'neither'),
            ('rank_inspector', 4, 'Representation', 'Inspectors against constables',
                'ratio', 'share of inspectors / share of constables', 'neither'),
            ('senior_leadership', 5, 'Representation',
                'Senior leadership against officers, staff and PCSOs', 'ratio',
                'share in senior leadership / share of officers, staff and PCSOs', 'neither'),
            ('senior_staff_bands', 6, 'Representation',
                'Police staff in the senior bands against police staff', 'ratio',
                'share in the senior bands / share of police staff', 'neither'),
            ('chief_officer_team', 7, 'Representation',
                'Chief officer team against officers, staff and PCSOs', 'ratio',
                'share of the chief officer team / share of officers, staff and PCSOs',
                'neither'),
            ('recruitment_police_officer', 8, 'Recruitment',
                'Appointed from applying: police officers', 'likelihood',
                'relative likelihood of the reference group being appointed', 'better'),
            ('recruitment_police_staff', 9, 'Recruitment',
                'Appointed from applying: police staff', 'likelihood',
                'relative likelihood of the reference group being appointed', 'better'),
            ('promotion', 10, 'Progression', 'Promotion of officers (all ranks)', 'likelihood',
                'relative likelihood of the reference group being promoted', 'better'),
            ('leaving_police_officer', 11, 'Retention', 'Officers leaving', 'likelihood',
                'relative likelihood of the group leaving', 'worse'),
            ('leaving_police_staff', 12, 'Retention', 'Staff leaving', 'likelihood',
                'relative likelihood of the group leaving', 'worse'),
            ('misconduct_formal_police_officer', 13, 'Misconduct',
                'Officers entering the formal misconduct process', 'likelihood',
                'relative likelihood of the group being investigated', 'worse'),
            ('misconduct_outcome_dismissal_police_officer', 14, 'Misconduct',
                'Officers dismissed', 'likelihood',
                'relative likelihood of the group being dismissed', 'worse'),
            ('training_any_police_officer', 15, 'Development',
                'Officers starting a development programme', 'likelihood',
                'relative likelihood of the reference group starting one', 'better'),
            ('training_any_police_staff', 16, 'Development',
                'Staff starting a development programme', 'likelihood',
                'relative likelihood of the reference group starting one', 'better'),
            ('move_lateral_police_officer', 17, 'Development', 'Officers moving laterally',
                'ratio', 'group rate / reference rate', 'better'),
            ('move_into_specialist_police_officer', 18, 'Development',
                'Officers moving into a specialist unit', 'ratio',
                'group rate / reference rate', 'better'),
            ('appraisal_top_police_officer', 19, 'Appraisal',
                'Officers rated at the top of the scale', 'ratio',
                'group rate / reference rate', 'better'),
            ('appraisal_top_police_staff', 20, 'Appraisal',
                'Staff rated at the top of the scale', 'ratio', 'group rate / reference rate',
                'better'),
            ('appraisal_bottom_police_officer', 21, 'Appraisal',
                'Officers rated at the bottom of the scale', 'ratio',
                'group rate / reference rate', 'worse'),
            ('appraisal_bottom_police_staff', 22, 'Appraisal',
                'Staff rated at the bottom of the scale', 'ratio',
                'group rate / reference rate', 'worse'),
            ('survey_harassment_public', 23, 'Staff survey',
                'Harassment, bullying or abuse from the public', 'ratio',
                'group share / reference share', 'worse'),
            ('survey_harassment_colleagues', 24, 'Staff survey',
                'Harassment, bullying or abuse from colleagues', 'ratio',
                'group share / reference share', 'worse'),
            ('survey_discrimination', 25, 'Staff survey',
                'Discrimination from a manager or colleague', 'ratio',
                'group share / reference share', 'worse'),
            ('survey_equal_opportunities', 26, 'Staff survey',
                'Believe the force offers equal opportunities for progression', 'ratio',
                'group share / reference share', 'better')
    ) as t (indicator_code, indicator_sort_order, theme_label, indicator_label, figure_kind,
        figure_label, direction)
),

by_period as (
    select * from representation
    union all by name select * from rank_pipeline
    union all by name select * from recruitment
    union all by name select * from promotion
    union all by name select * from leaving
    union all by name select * from event_rates
    union all by name select * from appraisal
    union all by name select * from survey
    union all by name select * from leadership
),

ranked as (
    select
        *,
        row_number() over (
            partition by indicator_code, group_code order by period_end_date desc
        ) as recency
    from by_period
),

final as (
    select
        indicators.indicator_code,
        indicators.indicator_sort_order,
        indicators.theme_label,
        indicators.indicator_label,
        this_year.wres_indicator,
        this_year.worker_type,
        indicators.figure_kind,
        indicators.figure_label,
        indicators.direction,
        headline.comparison_code,
        headline.group_code,
        headline.group_label,
        headline.reference_group_label,
        this_year.period_start_date,
        this_year.period_end_date,
        this_year.source_id,
        this_year.source_item,
        this_year.figure,
        this_year.group_rate,
        this_year.reference_rate,
        this_year.event_count,
        this_year.base_count,
        this_year.reference_event_count,
        this_year.reference_base_count,
        this_year.is_significant_after_adjustment,
        this_year.verdict,
        last_year.period_start_date as previous_period_start_date,
        last_year.period_end_date as previous_period_end_date,
        last_year.source_id as previous_source_id,
        last_year.source_item as previous_source_item,
        last_year.figure as previous_figure,
        last_year.event_count as previous_event_count,
        last_year.base_count as previous_base_count,
        last_year.reference_event_count as previous_reference_event_count,
        last_year.reference_base_count as previous_reference_base_count,
        -- compared as the report prints them (two decimals): a change a reader cannot see
        -- in the two figures is no change
        case
            when this_year.figure is null or last_year.figure is null then null
            when round(this_year.figure, 2) > round(last_year.figure, 2) then 'up'
            when round(this_year.figure, 2) < round(last_year.figure, 2) then 'down'
            else 'no change'
        end as change_direction,
        case
            when this_year.figure is null or last_year.figure is null then null
            when round(this_year.figure, 2) <= 0 or round(last_year.figure, 2) <= 0 then null
            when round(this_year.figure, 2) = round(last_year.figure, 2) then null
            else abs(ln(round(this_year.figure, 2))) < abs(ln(round(last_year.figure, 2)))
        end as is_towards_parity,
        case
            when indicators.direction = 'neither' then null
            -- a relative likelihood of the reference group: above 1, the group has less of
            -- what it is the likelihood of
            when indicators.figure_label like '%of the reference group%'
                then indicators.direction = 'better'
            else indicators.direction = 'worse'
        end as is_higher_figure_worse
    from indicators
    cross join headline
    inner join ranked as this_year
        on indicators.indicator_code = this_year.indicator_code
        and headline.group_code = this_year.group_code
        and this_year.recency = 1
    left join ranked as last_year
        on indicators.indicator_code = last_year.indicator_code
        and headline.group_code = last_year.group_code
        and last_year.recency = 2
)

select * from final
order by comparison_code, indicator_sort_order
