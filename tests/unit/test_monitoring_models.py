"""The monitoring marts (misconduct, grievances, development, lateral moves, appraisal, staff
survey, leadership) on a tiny inline force run through the real pipeline. Expected values
are worked out by hand from the rows written here (comments show how); every comparison in
every new view is also checked against statsmodels (tests/score_reference.py)."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from conftest import STAFF_HEADER, write_config, write_inbox
from scipy.stats import fisher_exact
from scipy.stats.contingency import expected_freq
from score_reference import comparison_interval, comparison_p
from statsmodels.stats.proportion import proportion_confint

from pipeline.config import load_settings
from pipeline.nightly import run_nightly
from pipeline.warehouse import connect

TOO_FEW = "too few people to compare (an expected count below 1)"


def _too_small_and_not_significant(a: int, n1: int, c: int, n2: int) -> bool:
    """Whether a of n1 against c of n2 has an expected count below 1 under equal rates
    (Cochran's floor, so not compared) and Fisher's exact test finds no difference either."""
    table = [[a, n1 - a], [c, n2 - c]]
    return expected_freq(table).min() < 1 and fisher_exact(table).pvalue > 0.05


def _person(staff_id, snapshot, ethnicity, sex, rank="Constable", *, worker_type="police_officer",
            department="Local Policing", role="Response"):  # fmt: skip
    return (
        f"{staff_id},{snapshot},{worker_type},{rank},{department},BHM,{role},{sex},{ethnicity},"
        "1980-01-01,2010-01-01,2015-01-01,1,N"
    )


START, END = "2024-03-31", "2025-03-31"
FIREARMS = {"department": "Firearms Operations", "role": "Authorised Firearms Officer"}
STAFF = {"worker_type": "police_staff", "role": "HR"}
SNAPSHOT_START = [
    _person("O1", START, "W1", "M"),
    _person("O2", START, "W1", "F"),
    _person("O3", START, "A2", "M"),
    _person("O4", START, "B1", "F", **FIREARMS),
    _person("O5", START, "W2", "M", "Sergeant"),
    _person("O6", START, "NS", "M"),
    _person("O7", START, "W1", "M", "Assistant Chief Constable"),
    _person("S1", START, "W1", "F", "Band C", **STAFF),
    _person("S2", START, "A1", "F", "Band C", **STAFF),
    _person("S3", START, "W1", "M", "Band J", **STAFF),
    _person("X1", START, "W1", "M", "Special Constable", worker_type="special_constable"),
]
SNAPSHOT_END = [  # O1 moves into firearms, O2 promoted, O3 changes role, O6 left.
    _person("O1", END, "W1", "M", **FIREARMS),
    _person("O2", END, "W1", "F", "Sergeant"),
    _person("O3", END, "A2", "M", role="Neighbourhood"),
    _person("O4", END, "B1", "F", **FIREARMS),
    _person("O5", END, "W2", "M", "Sergeant"),
    _person("O7", END, "W1", "M", "Assistant Chief Constable"),
    _person("S1", END, "W1", "F", "Band C", **STAFF),
    _person("S2", END, "A1", "F", "Band C", **STAFF),
    _person("S3", END, "W1", "M", "Band J", **STAFF),
    _person("X1", END, "W1", "M", "Special Constable", worker_type="special_constable"),
]
CASES = [
    "case_id,staff_id,opened_date,case_source,misconduct_stage,misconduct_outcome,"
    "suspension_status,closed_date",
    "C1,O1,2024-05-01,public_complaint,assessment,no_case_to_answer,none,2024-06-01",
    "C2,O3,2024-06-01,internal_report,investigation,management_action,restricted,2024-12-01",
    "C3,O3,2024-09-01,public_complaint,misconduct_meeting,written_warning,,2025-02-01",
    # On the period's last day: in it. Still open: no outcome yet.
    "C4,O4,2025-03-31,Conduct matter,Gross misconduct hearing,,Suspended,",
    # On the start snapshot's day: the previous period's (which is not measured).
    "C5,O2,2024-03-31,public_complaint,investigation,management_action,none,2024-08-01",
    "C6,O6,2024-12-01,public_complaint,assessment,reflective_practice,none,2025-01-10",
    "C7,P9,2024-07-01,public_complaint,assessment,no_case_to_answer,none,2024-08-01",
    "C8,O5,2025-05-01,internal_report,investigation,,restricted,",
]
GRIEVANCES = [
    "case_id,staff_id,grievance_type,raised_date,alleges_discrimination,grievance_outcome,"
    "closed_date",
    "G1,S2,grievance,2024-07-01,Y,upheld,2024-09-01",
    "G2,S1,grievance,2024-08-01,N,not_upheld,2024-10-01",
    "G3,S2,employment_tribunal,2024-10-01,Y,,",
]
TRAINING = [
    "programme_id,programme_name,programme_type,staff_id,stage_order,stage_name,stage_type,"
    "outcome,outcome_date",
    "LEAD-2025,Leaders 2025,leadership,O1,1,Interview,selection,passed,2024-05-01",
    "LEAD-2025,Leaders 2025,leadership,O1,2,Attendance,attendance,passed,2024-09-01",
    "LEAD-2025,Leaders 2025,leadership,O1,3,Completion,completion,passed,2025-02-01",
    "LEAD-2025,Leaders 2025,leadership,O3,1,Interview,selection,passed,2024-05-01",
    "LEAD-2025,Leaders 2025,leadership,O3,2,Attendance,attendance,passed,2024-09-01",
    "LEAD-2025,Leaders 2025,leadership,O3,3,Completion,completion,failed,2025-02-01",
    "LEAD-2025,Leaders 2025,leadership,O2,1,Interview,selection,failed,2024-05-01",
    "LEAD-2025,Leaders 2025,leadership,O5,1,Interview,selection,passed,2024-05-01",
    "LEAD-2025,Leaders 2025,leadership,O5,2,Attendance,attendance,did_not_attend,2024-09-01",
    "PA-2025,Positive action 2025,positive_action,O4,1,Attendance,attendance,passed,2024-06-01",
    "PA-2025,Positive action 2025,positive_action,O4,2,Completion,completion,passed,2024-12-01",
    # Started after the period's end: not in it.
    "SPEC-2025,Course 2025,specialist_course,O6,1,Attendance,attendance,passed,2025-04-15",
]
RATINGS = [
    "staff_id,appraisal_year,rating",
    "O1,2024/25,Exceptional",
    "O2,2024/25,Exceptional",
    "O3,2024/25,Unsatisfactory",
    "O4,2024/25,Competent",
    "O5,2024/25,Highly competent",
    "P9,2024/25,Competent",  # in no snapshot: not counted
    "O6,2023/24,Competent",
]
SURVEY_HEADER = (
    "survey_id,survey_date,question_code,question_text,ethnicity_code,sex,respondent_count,"
    "agreeing_count"
)
SURVEY_CELLS = {  # (ethnicity, sex): (respondents, agreeing); "" means every value
    ("", ""): (60, 18),
    ("W1", ""): (30, 6), ("W2", ""): (5, 1), ("A2", ""): (12, 6), ("B1", ""): (8, 2),
    ("NS", ""): (5, 3),
    ("", "F"): (25, 9), ("", "M"): (35, 9),
    ("A2", "F"): (4, 2), ("A2", "M"): (8, 4), ("W1", "F"): (14, 3), ("W1", "M"): (16, 3),
}  # fmt: skip
SURVEY = [SURVEY_HEADER] + [
    f"SS-2024,2024-11-30,{question},Question {question},{eth},{sex},{n},{agree}"
    for question in ("Q1", "Q9")
    for (eth, sex), (n, agree) in SURVEY_CELLS.items()
]
EXTRA = """
[survey]
min_respondents = 10
[survey.questions]
Q1 = "harassment_public"
[leadership]
senior_bands = ["Band J"]
"""


@pytest.fixture(scope="module")
def force(tmp_path_factory):
    settings = load_settings(write_config(tmp_path_factory.mktemp("force"), EXTRA))
    write_inbox(settings, "staff_snapshot_2024.csv", "\n".join([STAFF_HEADER, *SNAPSHOT_START]))
    write_inbox(settings, "staff_snapshot_2025.csv", "\n".join([STAFF_HEADER, *SNAPSHOT_END]))
    for name, lines in (
        ("misconduct_cases_2025.csv", CASES),
        ("grievances_2025.csv", GRIEVANCES),
        ("training_development_2025.csv", TRAINING),
        ("appraisal_ratings_2025.csv", RATINGS),
        ("staff_survey_2024.csv", SURVEY),
    ):
        write_inbox(settings, name, "\n".join(lines))
    result = run_nightly(settings)
    assert result.rows_quarantined == 0
    assert any("person_in_staff_snapshot" in w for w in result.warnings)  # P9
    return settings


COPIES = 10


def _copies(lines: list[str], id_columns: tuple[int, ...]) -> list[str]:
    """Each row ``COPIES`` times, with ``_k`` after the identifiers in ``id_columns``: the
    fixture's people and cases ten times over, so each 2x2 table is ten times the size."""
    out = []
    for line in lines:
        for k in range(COPIES):
            fields = line.split(",")
            for i in id_columns:
                fields[i] = f"{fields[i]}_{k}"
            out.append(",".join(fields))
    return out


@pytest.fixture(scope="module")
def large_force(tmp_path_factory):
    """The fixture ten times over: large enough that most tables have every expected count
    of at least 1 and are compared."""
    settings = load_settings(write_config(tmp_path_factory.mktemp("large"), EXTRA))
    for name, lines, ids in (
        ("staff_snapshot_2024.csv", SNAPSHOT_START, (0,)),
        ("staff_snapshot_2025.csv", SNAPSHOT_END, (0,)),
        ("misconduct_cases_2025.csv", CASES[1:], (0, 1)),
        ("grievances_2025.csv", GRIEVANCES[1:], (0, 1)),
        ("training_development_2025.csv", TRAINING[1:], (3,)),
        ("appraisal_ratings_2025.csv", RATINGS[1:], (0,)),
    ):
        header = STAFF_HEADER if name.startswith("staff") else {
            "misconduct": CASES, "grievances": GRIEVANCES, "training": TRAINING,
            "appraisal": RATINGS}[name.split("_")[0]][0]  # fmt: skip
        write_inbox(settings, name, "\n".join([header, *_copies(lines, ids)]))
    write_inbox(settings, "staff_survey_2024.csv", "\n".join(SURVEY))
    run_nightly(settings)
    return settings


def _query(settings, sql: str, params=()) -> pd.DataFrame:
    with connect(settings.paths.database, read_only=True) as con:
        return con.execute(sql, list(params)).df()


def _rates(settings, view, worker_type, measure, comparison="ethnic_minority") -> pd.DataFrame:
    return _query(
        settings,
        f"""select * from analytics.{view} where worker_type = ? and measure_code = ?
            and comparison_code = ?""",
        (worker_type, measure, comparison),
    ).set_index("group_code")


def _counts(row) -> list[int]:
    return [int(row[c]) for c in ("event_count", "base_count", "reference_event_count",
                                  "reference_base_count")]  # fmt: skip


# --------------------------------------------------------------------------- misconduct
# Officers in post on 2024-03-31: O1 O2 O5 O7 White (W2 counts as White), O3 O4 minority,
# O6 not stated. Cases opened after 2024-03-31 and on or before 2025-03-31 count.


@pytest.mark.parametrize(
    ("measure", "minority", "white"),
    [
        ("misconduct_case", (2, 2), (1, 4)),  # O3 O4 | O1 (C5 is on the start date)
        ("misconduct_public_complaint", (1, 2), (1, 4)),  # O3 (C3) | O1
        ("misconduct_internal_report", (2, 2), (0, 4)),  # O3 (C2), O4 (C4)
        ("misconduct_formal", (2, 2), (0, 4)),  # O3 reached a meeting, O4 a hearing
        ("misconduct_proceedings", (2, 2), (0, 4)),
        ("misconduct_hearing", (1, 2), (0, 4)),  # O4
        ("misconduct_sanction", (1, 2), (0, 4)),  # O3's written warning; O4's case is open
        ("misconduct_outcome_written_warning", (1, 2), (0, 4)),  # O3: the more severe of two
        ("misconduct_outcome_management_action", (0, 2), (0, 4)),
        ("misconduct_outcome_no_case_to_answer", (0, 2), (1, 4)),  # O1
        ("misconduct_outcome_dismissal", (0, 2), (0, 4)),
        ("misconduct_suspended", (1, 2), (0, 4)),  # O4
        ("misconduct_restricted", (2, 2), (0, 4)),  # O3 restricted, O4 suspended
        ("misconduct_formal_given_case", (2, 2), (0, 1)),  # of those with a case
        ("misconduct_proceedings_given_formal", (2, 2), (0, 0)),  # of those investigated
    ],
)
def test_misconduct_counts_people_in_post_by_the_furthest_stage_and_worst_outcome(
    force, measure, minority, white
):
    row = _rates(force, "misconduct_rates", "police_officer", measure).loc["minority_excl_white"]
    assert _counts(row) == [*minority, *white]
    assert str(row["period_end_date"])[:10] == END


def test_misconduct_rates_are_per_1000_with_the_wres_relative_likelihood(force):
    formal = _rates(force, "misconduct_rates", "police_officer", "misconduct_formal")
    minority = formal.loc["minority_excl_white"]
    assert minority["rate_per"] == 1000 and minority["event_rate"] == pytest.approx(1.0)
    # 2 of 2 against 0 of 4: two people; an expected count of 0.67 is too few to compare
    # (the score test said "significant on its own", p = 0.014; Fisher's exact test 0.067).
    assert fisher_exact([[2, 0], [0, 4]])[1] == pytest.approx(1 / 15)
    for column in ("rate_ratio", "relative_likelihood_ratio", "ci_lower_ratio", "p_value"):
        assert math.isnan(minority[column]), column
    assert minority["verdict"] == "not computable"
    assert minority["note"] == "too few people to compare (an expected count below 1)"
    case = _rates(force, "misconduct_rates", "police_officer", "misconduct_case")
    # WRES indicator 3: group rate / reference rate = (2/2) / (1/4) = 4.
    assert case.loc["minority_excl_white", "relative_likelihood_ratio"] == pytest.approx(4.0)
    assert case.loc["minority_excl_white", "rate_ratio"] == pytest.approx(4.0)
    women = _rates(force, "misconduct_rates", "police_officer", "misconduct_case", "sex")
    # Women O2 O4: O4; men O1 O3 O5 O6 O7: O1 O3 O6 (not stated counts in the by-sex rows).
    assert _counts(women.loc["female"]) == [1, 2, 3, 5]
    conditional = _rates(
        force, "misconduct_rates", "police_officer", "misconduct_proceedings_given_formal"
    )
    assert conditional.loc["minority_excl_white", "note"] == "no people investigated (the " \
        "formal process) in the period in the reference group"  # fmt: skip
    assert conditional.loc["minority_excl_white", "rate_per"] == 100


def test_misconduct_has_no_all_worker_types_row(force):
    got = _query(force, "select distinct worker_type from analytics.misconduct_rates")
    assert set(got["worker_type"]) == {"police_officer", "police_staff", "special_constable"}


def test_both_definitions_of_the_minority(force):
    incl = _rates(
        force, "misconduct_rates", "police_officer", "misconduct_case", "ethnic_minority_incl_white"
    )
    # Including White minorities: O3 O4 O5 (W2) against White British O1 O2 O7.
    assert _counts(incl.loc["minority_incl_white"]) == [2, 3, 1, 3]
    assert incl.loc["minority_incl_white", "reference_group_code"] == "white_british"
    black = _rates(force, "misconduct_rates", "police_officer", "misconduct_case", "broad_group")
    assert _counts(black.loc["black"]) == [1, 1, 1, 4]  # Black on its own: O4


# --------------------------------------------------------------------------- grievances


@pytest.mark.parametrize(
    ("measure", "counts"),
    [
        ("grievance_raised", [1, 1, 1, 2]),  # S2 | S1 (S3 raised none)
        ("grievance_discrimination", [1, 1, 0, 2]),  # S2's grievance and claim alleged it
        ("grievance_upheld", [1, 1, 0, 2]),
        ("tribunal_claim", [1, 1, 0, 2]),
        ("tribunal_upheld", [0, 1, 0, 2]),  # open: no outcome
    ],
)
def test_grievances_and_claims_per_1000_staff(force, measure, counts):
    row = _rates(force, "grievance_rates", "police_staff", measure).loc["minority_excl_white"]
    assert _counts(row) == counts and row["rate_per"] == 1000
    if measure == "tribunal_upheld":
        assert row["verdict"] == "not computable"


# --------------------------------------------------------------------------- development


@pytest.mark.parametrize(
    ("measure", "counts"),
    [
        ("training_any", [1, 2, 1, 4]),  # O3 | O1 (O2 not selected, O5 did not attend)
        ("training_leadership", [1, 2, 1, 4]),
        ("training_positive_action", [1, 2, 0, 4]),  # O4, apart from training_any
        ("training_specialist_course", [0, 2, 0, 4]),  # O6 started after the period
        # O3 started (and failed) | O1 of O1; O4's positive action is left out, as from
        # training_any (hostile 15, finding 12: it was counted here, [1, 2, 1, 1])
        ("training_completed_given_started", [0, 1, 1, 1]),
    ],
)
def test_access_to_development(force, measure, counts):
    row = _rates(force, "development_access", "police_officer", measure).loc["minority_excl_white"]
    assert _counts(row) == counts


def test_positive_action_is_shown_but_not_compared(force, large_force):
    """Hostile 15, finding 6: a programme open to under-represented groups only was tested
    against a group that cannot apply (p = 2e-52, 'significant') and counted in the family
    the other comparisons' p-values are adjusted in."""
    for settings in (force, large_force):
        frame = _query(
            settings,
            "select * from analytics.development_access where comparison_code = "
            "'ethnic_minority' and group_code = 'minority_excl_white'",
        )
        positive = frame[frame["measure_code"] == "training_positive_action"]
        assert len(positive) and positive["p_value"].isna().all()
        assert positive["rate_ratio"].isna().all()
        assert (positive["verdict"].str.startswith("not compared (positive action")).all()
        assert positive["event_count"].notna().all()  # the counts are still there
        others = frame[frame["measure_code"] != "training_positive_action"]
        compared = others["p_value"].notna().groupby(others["period_start_date"]).sum()
        family = others.groupby("period_start_date")["family_comparison_count"].max()
        # the family is the comparisons that can be made, across every group of the
        # comparison, positive action none of them
        every = _query(
            settings,
            "select period_start_date, count(*) filter (where p_value is not null) as n "
            "from analytics.development_access where comparison_code = 'ethnic_minority' "
            "group by 1",
        ).set_index("period_start_date")["n"]
        for period, size in family.dropna().items():
            assert size == every[period] >= compared[period]


def test_access_uses_the_wres_4_relative_likelihood(force):
    row = _rates(force, "development_access", "police_officer", "training_any").loc[
        "minority_excl_white"
    ]
    # WRES 4 would be White rate / minority rate = (1/4) / (1/2) = 0.5, but the table is too
    # small to compare, so neither ratio is published.
    assert math.isnan(row["relative_likelihood_ratio"])
    # 1 of 2 against 1 of 4: an expected count of 0.67, too few to compare (Fisher p = 1).
    assert _too_small_and_not_significant(1, 2, 1, 4)
    assert math.isnan(row["rate_ratio"]) and pd.isna(row["p_value"])
    assert row["note"] == TOO_FEW and row["verdict"] == "not computable"


def test_a_programme_with_selection_is_a_selection_process(force):
    got = _query(
        force,
        """select stage_name, passed_count, selection_base_count, comparator_passed_count,
                  comparator_selection_base_count
           from analytics.disparities where process_type = 'development'
             and process_id = 'LEAD-2025' and comparison_code = 'ethnic_minority'
             and comparator_basis = 'reference_group' order by stage_order""",
    ).set_index("stage_name")
    assert got.loc["Interview"].tolist() == [1, 1, 2, 3]  # O3 | O1 O5 of O1 O2 O5
    assert got.loc["Attendance"].tolist() == [1, 1, 1, 2]  # O5 did not attend
    assert got.loc["Completion"].tolist() == [0, 1, 1, 1]
    positive = _query(
        force, "select count(*) as n from analytics.selection_rates where process_id = 'PA-2025'"
    )
    assert positive["n"].iloc[0] == 0  # no selection stage: not a selection process


# --------------------------------------------------------------------------- lateral moves


@pytest.mark.parametrize(
    ("measure", "counts"),
    [
        ("move_lateral", [1, 2, 1, 4]),  # O3 (role) | O1 (department); O2's was a promotion
        ("move_department", [0, 2, 1, 4]),
        ("move_into_specialist", [0, 1, 1, 4]),  # O4 was already in firearms: not in the base
    ],
)
def test_moves_between_snapshots(force, measure, counts):
    row = _rates(force, "lateral_moves", "police_officer", measure).loc["minority_excl_white"]
    assert _counts(row) == counts and row["rate_per"] == 100


# --------------------------------------------------------------------------- appraisal


def test_top_and_bottom_of_the_scale(force):
    got = _query(
        force,
        """select * from analytics.appraisal_outcomes where appraisal_year = 2025
           and worker_type = 'police_officer' and comparison_code = 'ethnic_minority'
           and group_code = 'minority_excl_white'""",
    ).set_index("measure_code")
    # Rated in 2024/25: O3 O4 minority, O1 O2 O5 White; P9 is in no snapshot.
    assert _counts(got.loc["appraisal_top"]) == [0, 2, 2, 3]
    assert _counts(got.loc["appraisal_bottom"]) == [1, 2, 0, 3]
    # 0 of 2 against 2 of 3 and 1 of 2 against 0 of 3: expected counts 0.8 and 0.4, too few
    # to compare, and Fisher's exact test finds nothing either.
    for measure, counts in (("appraisal_top", (0, 2, 2, 3)), ("appraisal_bottom", (1, 2, 0, 3))):
        assert _too_small_and_not_significant(*counts)
        assert got.loc[measure, "verdict"] == "not computable"
        assert got.loc[measure, "note"] == TOO_FEW
    earlier = _query(
        force,
        """select rated_count from analytics.appraisal_distribution where appraisal_year = 2024
           and comparison_code = 'all' and rating = 'Competent'""",
    )
    assert earlier["rated_count"].tolist() == [1]  # O6, from the snapshot of 2024-03-31


def test_the_distribution_of_ratings(force):
    got = _query(
        force,
        """select rating, rating_count, rated_count, rating_share
           from analytics.appraisal_distribution where appraisal_year = 2025
             and worker_type = 'police_officer' and group_code = 'white'
             and comparison_code = 'ethnic_minority' order by rating_order""",
    )
    assert got["rating_count"].tolist() == [0, 0, 0, 1, 2]
    assert set(got["rated_count"]) == {3}
    assert got["rating_share"].tolist() == pytest.approx([0, 0, 0, 1 / 3, 2 / 3])


# --------------------------------------------------------------------------- staff survey


def _survey(settings, comparison) -> pd.DataFrame:
    return _query(
        settings,
        "select * from analytics.survey_results where comparison_code = ?",
        (comparison,),
    ).set_index("group_code")


def test_survey_groups_are_sums_of_their_own_kind_of_row(force):
    minority = _survey(force, "ethnic_minority")
    # Ethnic groups from the rows by ethnicity alone: A2 + B1 = 20 of whom 8; W1 + W2 = 35, 7.
    assert minority.loc["minority_excl_white", ["respondent_count", "agreeing_count"]].tolist() \
        == [20, 8]  # fmt: skip
    assert minority.loc["white", ["respondent_count", "agreeing_count"]].tolist() == [35, 7]
    assert set(_query(force, "select distinct question_code from analytics.survey_results")[
        "question_code"]) == {"Q1"}  # Q9 is not configured  # fmt: skip
    assert _survey(force, "all").loc["all", "respondent_count"] == 60
    assert _survey(force, "sex").loc["female", "respondent_count"] == 25
    by_sex = _survey(force, "ethnic_minority_by_sex")
    assert by_sex.loc["minority_excl_white_female", "respondent_count"] == 4  # A2 F only
    assert by_sex.loc["white_male", "respondent_count"] == 16


def test_survey_shares_intervals_and_comparison(force):
    row = _survey(force, "ethnic_minority").loc["minority_excl_white"]
    assert row["agreeing_share"] == pytest.approx(0.4)
    lower, upper = proportion_confint(8, 20, alpha=0.05, method="wilson")
    assert row["ci_lower_share"] == pytest.approx(lower, rel=1e-12)
    assert row["ci_upper_share"] == pytest.approx(upper, rel=1e-12)
    assert row["share_ratio"] == pytest.approx(0.4 / 0.2)
    assert row["p_value"] == pytest.approx(comparison_p(8, 20, 7, 35), rel=1e-9)
    assert row["wres_indicator"] == "WRES 5"
    assert row["verdict"].startswith("higher share reporting it")


def test_a_group_below_the_minimum_is_withheld_and_not_compared(force):
    black = _survey(force, "broad_group").loc["black"]  # 8 respondents, minimum 10
    assert bool(black["is_below_minimum"])
    assert pd.isna(black["agreeing_share"]) and pd.isna(black["ci_lower_share"])
    assert pd.isna(black["p_value"]) and pd.isna(black["verdict"])
    assert black["note"] == "fewer respondents in this group than the minimum"
    women = _survey(force, "ethnic_minority_by_sex").loc["minority_excl_white_female"]
    assert pd.isna(women["share_ratio"]) and bool(women["is_below_minimum"])


# --------------------------------------------------------------------------- leadership


def test_chief_officer_team_senior_leadership_and_senior_bands(force):
    got = _query(
        force,
        """select * from analytics.leadership_representation
           where snapshot_date = '2025-03-31' and group_code = 'minority_excl_white'""",
    ).set_index("tier_code")
    team, senior = got.loc["chief_officer_team"], got.loc["senior_leadership"]
    assert [team["headcount"], team["group_headcount"]] == [1, 0]  # O7
    assert [senior["headcount"], senior["group_headcount"]] == [2, 0]  # O7, S3 (Band J)
    # Workforce: officers O1-O5 O7 and staff S1-S3 (special X1 is a volunteer): O3 O4 S2.
    assert [team["workforce_declared_headcount"], team["workforce_group_headcount"]] == [9, 3]
    assert team["workforce_share_gap"] == pytest.approx(0 - 3 / 9)
    assert team["population_share_gap"] == pytest.approx(0 - team["population_share"])
    assert [team["rest_declared_headcount"], team["rest_group_headcount"]] == [8, 3]
    # 0 of 1 against 3 of 8: an expected count of 0.33, one person: too few to compare.
    assert _too_small_and_not_significant(0, 1, 3, 8)
    assert pd.isna(team["p_value"]) and team["verdict"] == "not computable"
    # The senior staff bands (Band J: S3) against police staff (S1-S3; S2 in the group).
    bands = got.loc["senior_staff_bands"]
    assert [bands["headcount"], bands["group_headcount"]] == [1, 0]
    assert [bands["workforce_declared_headcount"], bands["workforce_group_headcount"]] == [3, 1]
    assert [bands["rest_declared_headcount"], bands["rest_group_headcount"]] == [2, 1]
    assert bands["workforce_share_gap"] == pytest.approx(0 - 1 / 3)
    # 0 of 1 against 1 of 2: too few to compare, like every tier of this tiny force.
    assert _too_small_and_not_significant(0, 1, 1, 2)
    assert pd.isna(bands["p_value"]) and bands["verdict"] == "not computable"
    assert bands["note"] == TOO_FEW


def test_women_in_senior_leadership_against_the_workforce(force):
    """By sex through the same comparison groups: women of those whose sex is recorded."""
    got = _query(
        force,
        """select * from analytics.leadership_representation
           where snapshot_date = '2025-03-31' and group_code = 'female'""",
    ).set_index("tier_code")
    senior, bands = got.loc["senior_leadership"], got.loc["senior_staff_bands"]
    assert senior["group_label"] == "Women" and pd.isna(senior["population_share"])
    assert [senior["declared_headcount"], senior["group_headcount"]] == [2, 0]  # O7, S3
    # Workforce: O1-O5 O7 S1-S3; women O2 O4 S1 S2. Police staff: S1-S3; women S1 S2.
    assert [senior["workforce_declared_headcount"], senior["workforce_group_headcount"]] == [9, 4]
    assert [bands["workforce_declared_headcount"], bands["workforce_group_headcount"]] == [3, 2]
    # 0 of 2 against 4 of 7: an expected count of 0.89, too few to compare (Fisher p = 0.5).
    assert _too_small_and_not_significant(0, 2, 4, 7)
    assert pd.isna(senior["p_value"]) and senior["verdict"] == "not computable"


# --------------------------------------------------------------------------- every comparison

VIEWS = {
    "misconduct_rates": ("rate_ratio", "event_count", "base_count", "reference_event_count",
                         "reference_base_count"),
    "grievance_rates": ("rate_ratio", "event_count", "base_count", "reference_event_count",
                        "reference_base_count"),
    "development_access": ("rate_ratio", "event_count", "base_count", "reference_event_count",
                           "reference_base_count"),
    "lateral_moves": ("rate_ratio", "event_count", "base_count", "reference_event_count",
                      "reference_base_count"),
    "appraisal_outcomes": ("rate_ratio", "event_count", "base_count", "reference_event_count",
                           "reference_base_count"),
    "survey_results": ("share_ratio", "agreeing_count", "respondent_count",
                       "reference_agreeing_count", "reference_respondent_count"),
    "leadership_representation": ("unit_to_rest_ratio", "group_headcount",
                                  "declared_headcount", "rest_group_headcount",
                                  "rest_declared_headcount"),
}  # fmt: skip


@pytest.mark.parametrize("view", VIEWS)
def test_every_comparison_is_the_score_methods_own(large_force, view):
    ratio, *counts = VIEWS[view]
    got = _query(
        large_force,
        f"""select {ratio} as ratio, {", ".join(counts)}, ci_lower_ratio, ci_upper_ratio,
                   p_value, is_significant from analytics.{view} where p_value is not null""",
    )
    assert len(got) > 3
    for row in got.itertuples(index=False):
        a, n1, c, n2 = (int(v) for v in row[1:5])
        assert row.p_value == pytest.approx(comparison_p(a, n1, c, n2), rel=1e-9, abs=1e-12)
        lower, upper = comparison_interval(a, n1, c, n2)
        assert row.ci_lower_ratio == pytest.approx(lower, rel=1e-7, abs=1e-12)
        assert row.ci_upper_ratio == pytest.approx(upper, rel=1e-7)
        if c:
            assert row.ratio == pytest.approx((a / n1) / (c / n2), rel=1e-12)
        assert bool(row.is_significant) == (lower > 1 or upper < 1)


# ------------------------------------------------------------- an extract not delivered
@pytest.fixture(scope="module")
def force_without_cases(tmp_path_factory):
    """The same force, sent only its snapshots, grievances and ratings: no misconduct or
    training extract."""
    settings = load_settings(write_config(tmp_path_factory.mktemp("nocases"), EXTRA))
    write_inbox(settings, "staff_snapshot_2024.csv", "\n".join([STAFF_HEADER, *SNAPSHOT_START]))
    write_inbox(settings, "staff_snapshot_2025.csv", "\n".join([STAFF_HEADER, *SNAPSHOT_END]))
    write_inbox(settings, "grievances_2025.csv", "\n".join(GRIEVANCES))
    write_inbox(settings, "appraisal_ratings_2025.csv", "\n".join(RATINGS))
    run_nightly(settings)
    return settings


def test_an_extract_not_delivered_is_no_data_not_zero(force_without_cases):
    """No misconduct or training file: no rows (so no section, no scorecard figure), never
    a rate of 0 per 1,000 'in post'; the extracts that came still count."""

    def rows(view):
        return _query(force_without_cases, f"select count(*) as n from analytics.{view}")["n"][0]

    assert rows("misconduct_rates") == 0
    assert rows("development_access") == 0
    assert rows("grievance_rates") > 0 and rows("appraisal_outcomes") > 0
    card = _query(
        force_without_cases,
        "select * from analytics.scorecard where indicator_code like 'misconduct%'"
        " or indicator_code like 'development%'",
    )
    assert card.empty or card.filter(like="count").isna().all().all()


def test_no_scorecard_row_claims_wres_2_for_another_quantity(force):
    """WRES 2 is appointment from shortlisting; the scorecard's recruitment rows are from
    applying (end to end) and its promotion row is of everyone in post, so neither is
    tagged WRES 2 (a force would otherwise compare them with others' WRES 2)."""
    card = _query(force, "select indicator_code, wres_indicator from analytics.scorecard")
    assert "promotion" in set(card["indicator_code"])
    tagged = card[card["wres_indicator"] == "WRES 2"]
    assert tagged.empty, tagged


def test_a_case_file_sent_again_replaces_its_earlier_delivery_wholly(tmp_path):
    """The register re-exported under the same name without C1 (recorded in error): C1 is
    withdrawn, not kept from the earlier delivery, and the run says so."""
    settings = load_settings(write_config(tmp_path, EXTRA))
    write_inbox(settings, "staff_snapshot_2024.csv", "\n".join([STAFF_HEADER, *SNAPSHOT_START]))
    write_inbox(settings, "staff_snapshot_2025.csv", "\n".join([STAFF_HEADER, *SNAPSHOT_END]))
    write_inbox(settings, "misconduct_cases_2025.csv", "\n".join(CASES))
    run_nightly(settings)
    white = _rates(settings, "misconduct_rates", "police_officer", "misconduct_case")
    assert _counts(white.loc["minority_excl_white"])[2] == 1  # O1's case C1
    resent = [line for line in CASES if not line.startswith("C1,")]
    write_inbox(settings, "misconduct_cases_2025.csv", "\n".join(resent))
    result = run_nightly(settings)
    white = _rates(settings, "misconduct_rates", "police_officer", "misconduct_case")
    assert _counts(white.loc["minority_excl_white"])[2] == 0
    (change,) = [c for c in result.replaced if c["extract_kind"] == "misconduct_cases"]
    assert (change["rows_before"], change["rows_after"], change["rows_withdrawn"]) == (8, 7, 1)


def test_each_survey_indicator_comes_from_the_latest_survey_that_asks_it(tmp_path):
    """A later pulse survey asking only Q9 does not remove Q1 from the section: each
    indicator's row is from the latest survey carrying it, and says which survey."""
    from pipeline.report.monitoring import SURVEY_SQL

    settings = load_settings(
        write_config(tmp_path, EXTRA.replace('Q1 = "harassment_public"',
                                              'Q1 = "harassment_public"\nQ9 = "discrimination"'))
    )  # fmt: skip
    write_inbox(settings, "staff_snapshot_2024.csv", "\n".join([STAFF_HEADER, *SNAPSHOT_START]))
    write_inbox(settings, "staff_snapshot_2025.csv", "\n".join([STAFF_HEADER, *SNAPSHOT_END]))
    write_inbox(settings, "staff_survey_2024.csv", "\n".join(SURVEY))
    pulse = [SURVEY_HEADER] + [
        f"PULSE-2025,2025-02-15,Q9,Question Q9,{eth},{sex},{n},{agree}"
        for (eth, sex), (n, agree) in SURVEY_CELLS.items()
    ]
    write_inbox(settings, "staff_survey_pulse.csv", "\n".join(pulse))
    run_nightly(settings)
    shown = _query(settings, SURVEY_SQL, ("ethnic_minority", "minority_excl_white"))
    assert dict(zip(shown["question_code"], shown["survey_id"], strict=True)) == {
        "Q1": "SS-2024",
        "Q9": "PULSE-2025",
    }


def test_a_later_pulse_survey_of_some_groups_is_not_compared_with_the_full_survey(tmp_path):
    """Hostile 15, finding 16: a pulse survey asking Q1 of Black (B1) and White British (W1)
    respondents only, beside its total row, became "this year's" survey: its "ethnic
    minority" was the Black respondents alone, and the scorecard compared it with last
    year's full survey. Its rows do not account for its respondents by ethnicity (400 in
    the total row, 160 in the rows, far more than 10 for each code with no row), so it
    does not cover the ethnic comparisons: the section and the scorecard keep Q1 from the
    full survey, and the section names the pulse survey it left out."""
    from pipeline.report.monitoring import PARTIAL_SURVEYS_SQL, SURVEY_SQL

    settings = load_settings(write_config(tmp_path, EXTRA))
    write_inbox(settings, "staff_snapshot_2024.csv", "\n".join([STAFF_HEADER, *SNAPSHOT_START]))
    write_inbox(settings, "staff_snapshot_2025.csv", "\n".join([STAFF_HEADER, *SNAPSHOT_END]))
    write_inbox(settings, "staff_survey_2024.csv", "\n".join(SURVEY))
    pulse = [SURVEY_HEADER] + [
        f"PULSE-2025,2025-02-15,Q1,Question Q1,{eth},,{n},{agree}"
        for eth, n, agree in (("", 400, 120), ("B1", 40, 20), ("W1", 120, 30))
    ]
    write_inbox(settings, "staff_survey_pulse.csv", "\n".join(pulse))
    run_nightly(settings)
    covers = _query(
        settings,
        """select survey_id, comparison_code, bool_and(is_comparison_covered) as covers
           from analytics.survey_results group by all""",
    ).set_index(["survey_id", "comparison_code"])["covers"]
    assert covers.loc[("SS-2024", "ethnic_minority")]
    assert covers.loc[("SS-2024", "ethnic_minority_by_sex")]  # 4 of 38 rows: small ones left out
    assert not covers.loc[("PULSE-2025", "ethnic_minority")]
    assert not covers.loc[("PULSE-2025", "broad_group")]
    assert not covers.loc[("PULSE-2025", "sex")]
    assert covers.loc[("PULSE-2025", "all")]
    shown = _query(settings, SURVEY_SQL, ("ethnic_minority", "minority_excl_white"))
    assert shown["survey_id"].tolist() == ["SS-2024"]
    left_out = _query(settings, PARTIAL_SURVEYS_SQL, ("ethnic_minority",))
    assert left_out["survey_id"].tolist() == ["PULSE-2025"]
    card = _query(
        settings,
        """select source_id, previous_source_id from analytics.scorecard
           where indicator_code = 'survey_harassment_public'""",
    )
    assert card["source_id"].tolist() == ["SS-2024"] * len(card) and len(card)
    assert card["previous_source_id"].isna().all()


def test_a_configured_question_no_survey_asks_is_a_warning_naming_the_setting(tmp_path):
    """Hostile 15, finding 14: `Q99 = "harassment_public"` in [survey.questions], a code no
    survey has (a mistyped 'Q17A' would be the same), ran with exit 0 and no word."""
    extra = '[survey]\nmin_respondents = 10\n[survey.questions]\nQ1 = "harassment_public"\n'
    extra += 'Q7A = "discrimination"\n'
    settings = load_settings(write_config(tmp_path, extra))
    write_inbox(settings, "staff_snapshot_2024.csv", "\n".join([STAFF_HEADER, *SNAPSHOT_START]))
    write_inbox(settings, "staff_survey_2024.csv", "\n".join(SURVEY))
    result = run_nightly(settings)
    named = [w for w in result.warnings if "[survey.questions] Q7A" in w]
    assert len(named) == 1
    assert not [w for w in result.warnings if "[survey.questions] Q1:" in w]


def test_survey_rows_that_do_not_add_up_are_a_warning_naming_file_row_and_column(tmp_path):
    """Hostile 15, finding 8: a provider's Black rows by gender set to 3 respondents, the
    Black subtotal to 0, were taken silently. Here Q1's Asian (A2) women are 2 respondents
    instead of 4: its rows by sex add up to 10, its own row says 12. Every other kind of
    row adds up (the fixture's survey is consistent), so this is the one warning."""
    settings = load_settings(write_config(tmp_path, EXTRA))
    write_inbox(settings, "staff_snapshot_2024.csv", "\n".join([STAFF_HEADER, *SNAPSHOT_START]))
    survey = [line.replace(",A2,F,4,2", ",A2,F,2,1") if ",Q1," in line else line for line in SURVEY]
    assert survey != SURVEY
    write_inbox(settings, "staff_survey_2024.csv", "\n".join(survey))
    result = run_nightly(settings)
    warned = [w for w in result.warnings if "survey_parts_add_up" in w]
    assert len(warned) == 1, result.warnings
    (message,) = warned
    assert "staff_survey_2024.csv" in message and "Q1" in message and "A2" in message
    assert "column respondent_count" in message and "12" in message and "10" in message


def test_a_survey_file_whose_rows_do_not_add_up_is_one_warning_with_exact_counts(tmp_path):
    """Hostile 6, finding 6: one warning per file x question x group flooded the run log
    (171 on one night), called the total row "ethnicity nan" and wrote "1 to 5 ... says 1 to
    5". Here both questions' total rows say 64 (their parts 60) and Q9's Asian (A2) row says
    5 (its rows by sex 12), so five question and group totals differ: one warning for the
    file, the largest differences with exact counts in the operator's log, counts of 1 to
    the threshold withheld in what is stored and published."""
    settings = load_settings(write_config(tmp_path, EXTRA))
    write_inbox(settings, "staff_snapshot_2024.csv", "\n".join([STAFF_HEADER, *SNAPSHOT_START]))
    survey = [
        line.replace(",,,60,", ",,,64,").replace(
            ",A2,,12,6", ",A2,,5,3" if ",Q9," in line else ",A2,,12,6"
        )
        for line in SURVEY
    ]
    write_inbox(settings, "staff_survey_2024.csv", "\n".join(survey))
    result = run_nightly(settings)
    warned = [w for w in result.warnings if "survey_parts_add_up" in w]
    assert len(warned) == 1, warned
    (logged,) = warned
    assert logged.startswith("staff_survey_2024.csv: survey_parts_add_up: 5 question and group")
    assert "nan" not in logged and "1 to 5" not in logged
    largest = logged[logged.index("the largest differences: ") :]
    assert largest.startswith(
        "the largest differences: SS-2024 Q9, the ethnicity rows add up to 53, the total row "
    )
    assert "SS-2024 Q9, the sex rows of ethnicity A2 add up to 12, its own row (row " in largest
    assert "says 5;" in largest
    assert largest.count("; SS-2024") == 2  # three differences named
    with connect(settings.paths.database, read_only=True) as con:
        stored = con.execute(
            """select source_file, unexpected_count, message from ops.contract_results
               where rule = 'survey_parts_add_up' and not success"""
        ).fetchall()
    ((source_file, affected, message),) = stored
    assert (source_file, affected) == ("staff_survey_2024.csv", 5)
    assert "says 1 to 5;" in message and "says 5;" not in message  # published: withheld
