"""selection_rates (SQL) and disparities (Python model) on tiny inline processes.

Every expected value is worked out by hand in the comments from the rows written here.
"""

from __future__ import annotations

import math

import pandas as pd
import pytest
from conftest import STAFF_HEADER, staff_row, write_config, write_inbox
from scipy.stats import fisher_exact
from scipy.stats.contingency import expected_freq

from pipeline.config import load_settings
from pipeline.nightly import run_nightly
from pipeline.warehouse import connect

PROMOTION_HEADER = (
    "process_id,process_name,target_rank,staff_id,stage_order,stage_name,outcome,outcome_date"
)
RECRUITMENT_HEADER = (
    "campaign_id,campaign_name,worker_type,entry_route,applicant_id,sex,ethnicity_code,"
    "age_band,stage_order,stage_name,outcome,outcome_date"
)

# Who is who. P1 was W1 on 2024-03-31 and A2 on 2025-03-31: the process starts on 2024-06-03,
# so the 2024 snapshot (the most recent on or before it) applies and P1 counts as White.
# P9 is only in the 2025 snapshot (the earliest after the start). P10 is in no snapshot.
SNAPSHOT_2024 = [
    ("P1", "W1", "F"),
    ("P2", "W1", "M"),
    ("P3", "A2", "F"),
    ("P4", "B1", "M"),
    ("P5", "NS", "F"),
    ("P6", "W2", "M"),
]
SNAPSHOT_2025 = [("P1", "A2", "F"), ("P9", "M1", "F")]

PROMOTION = [
    # stage 1 Eligibility (2024-06-03), stage 2 Legal exam (2024-09-02)
    ("P1", 1, "passed"),
    ("P1", 2, "passed"),
    ("P2", 1, "passed"),
    ("P2", 2, "failed"),
    ("P3", 1, "passed"),
    ("P3", 2, "withdrew"),
    ("P4", 1, "passed"),
    ("P4", 2, "passed"),
    ("P5", 1, "failed"),
    ("P6", 1, "did_not_attend"),
    ("P9", 1, "passed"),  # no stage-2 row yet: still in the process end to end
    ("P10", 1, "withdrew"),
]

RECRUITMENT = [
    # STAFF-2025: everyone "not stated"; PCSO-2025: everyone White, and nobody passes stage 2.
    ("STAFF-2025", "police_staff", "A1", "F", "NS", 1, "passed"),
    ("STAFF-2025", "police_staff", "A2", "M", "NS", 1, "passed"),
    ("STAFF-2025", "police_staff", "A3", "F", "NS", 1, "failed"),
    ("PCSO-2025", "pcso", "B1", "F", "W1", 1, "passed"),
    ("PCSO-2025", "pcso", "B2", "M", "W1", 1, "passed"),
    ("PCSO-2025", "pcso", "B3", "F", "W1", 1, "failed"),
    ("PCSO-2025", "pcso", "B4", "M", "W1", 1, "failed"),
    ("PCSO-2025", "pcso", "B1", "F", "W1", 2, "failed"),
    ("PCSO-2025", "pcso", "B2", "M", "W1", 2, "failed"),
]


TOO_FEW = "too few people to compare (an expected count below 1)"


def _too_small_and_not_significant(a: int, n1: int, c: int, n2: int) -> bool:
    """Whether a of n1 against c of n2 has an expected count below 1 under equal rates
    (Cochran's floor, so not compared) and Fisher's exact test finds no difference either."""
    table = [[a, n1 - a], [c, n2 - c]]
    return expected_freq(table).min() < 1 and fisher_exact(table).pvalue > 0.05


def _write_force(settings) -> None:
    for name, date, people in (
        ("staff_snapshot_2024.csv", "2024-03-31", SNAPSHOT_2024),
        ("staff_snapshot_2025.csv", "2025-03-31", SNAPSHOT_2025),
    ):
        rows = [staff_row(p, eth, sex=sex, snapshot=date) for p, eth, sex in people]
        write_inbox(settings, name, STAFF_HEADER + "\n" + "\n".join(rows) + "\n")
    dates = {1: ("Eligibility", "2024-06-03"), 2: ("Legal exam", "2024-09-02")}
    rows = [
        f"SGT-2025,Sergeant promotion 2025,Sergeant,{p},{s},{dates[s][0]},{o},{dates[s][1]}"
        for p, s, o in PROMOTION
    ]
    write_inbox(
        settings, "promotion_candidates_2025.csv", PROMOTION_HEADER + "\n" + "\n".join(rows)
    )
    rows = [
        f"{c},{c} campaign,{wt},Not applicable,{a},{sex},{eth},25-34,{s},"
        f"Stage {s},{o},2024-0{4 + s}-01"
        for c, wt, a, sex, eth, s, o in RECRUITMENT
    ]
    write_inbox(
        settings, "recruitment_applicants_2025.csv", RECRUITMENT_HEADER + "\n" + "\n".join(rows)
    )


@pytest.fixture(scope="module")
def processes(tmp_path_factory):
    """Built once for the module: the tests only read the published database."""
    settings = load_settings(write_config(tmp_path_factory.mktemp("processes")))
    _write_force(settings)
    run_nightly(settings)
    return settings


def _rates(settings, process_id: str, stage_order: int):
    with connect(settings.paths.database, read_only=True) as con:
        return (
            con.execute(
                """select * from analytics.selection_rates
                   where process_id = ? and stage_order = ?
                   order by group_sort_order""",
                [process_id, stage_order],
            )
            .df()
            # White is in two comparisons (with the minority, and among the broad groups).
            .drop_duplicates("group_code")
            .set_index("group_code")
        )


def _disparity(
    settings, process_id, stage_order, group_code, basis="reference_group", comparison=None
):
    with connect(settings.paths.database, read_only=True) as con:
        got = con.execute(
            """select * from analytics.disparities where process_id = ? and stage_order = ?
               and group_code = ? and comparator_basis = ?
               and comparison_code = coalesce(?, comparison_code)""",
            [process_id, stage_order, group_code, basis, comparison],
        ).df()
    assert len(got) == 1
    return got.iloc[0]


def _counts(row) -> tuple:
    return tuple(
        int(row[c])
        for c in (
            "entered_count",
            "passed_count",
            "failed_count",
            "withdrew_count",
            "did_not_attend_count",
            "in_progress_count",
            "selection_base_count",
        )
    )


def test_stage_counts_by_group(processes):
    got = _rates(processes, "SGT-2025", 1)
    # Everyone: 8 entered; 5 passed (P1 P2 P3 P4 P9), P5 failed, P10 withdrew, P6 did not
    # attend; base = 8 - 1 withdrawal = 7.
    assert _counts(got.loc["all"]) == (8, 5, 1, 1, 1, 0, 7)
    assert got.loc["all", "selection_rate"] == pytest.approx(5 / 7)
    # Minority (excluding White minorities): P3 A2, P4 B1, P9 M1 (from the later snapshot).
    assert _counts(got.loc["minority_excl_white"]) == (3, 3, 0, 0, 0, 0, 3)
    # White: P1 (W1 in the 2024 snapshot, not A2 from 2025), P2, P6 (W2).
    assert _counts(got.loc["white"]) == (3, 2, 0, 0, 1, 0, 3)
    assert got.loc["white", "selection_rate"] == pytest.approx(2 / 3)
    # A cell of one, and a group with no candidates at all (present, zeros, no rate).
    assert _counts(got.loc["black"]) == (1, 1, 0, 0, 0, 0, 1)
    assert _counts(got.loc["other"]) == (0, 0, 0, 0, 0, 0, 0)
    assert math.isnan(got.loc["other", "selection_rate"])
    # Sex from the snapshot; P10 (in no snapshot) is in neither sex.
    assert _counts(got.loc["female"]) == (4, 3, 1, 0, 0, 0, 4)  # P1 P3 P5 P9
    assert _counts(got.loc["male"]) == (3, 2, 0, 0, 1, 0, 3)  # P2 P4 P6
    assert _counts(got.loc["minority_excl_white_female"]) == (2, 2, 0, 0, 0, 0, 2)  # P3 P9
    assert _counts(got.loc["white_male"]) == (2, 1, 0, 0, 1, 0, 2)  # P2 P6
    assert got.loc["all", "reporting_year"] == 2025  # first outcome 2024-06-03
    assert got.loc["all", "target_label"] == "Sergeant"


def test_second_stage_and_end_to_end(processes):
    stage_two = _rates(processes, "SGT-2025", 2)
    # P1 passed, P2 failed, P3 withdrew, P4 passed: base 3.
    assert _counts(stage_two.loc["all"]) == (4, 2, 1, 1, 0, 0, 3)
    assert stage_two.loc["minority_excl_white", "selection_rate"] == pytest.approx(1.0)  # P4
    # The funnel: of the 3 minority entrants (P3 P4 P9), 1 passed stage 2; of all 8, 2.
    assert stage_two.loc["minority_excl_white", "entrant_count"] == 3
    assert stage_two.loc["minority_excl_white", "passed_entrant_share"] == pytest.approx(1 / 3)
    assert stage_two.loc["all", "passed_entrant_share"] == pytest.approx(2 / 8)
    end = _rates(processes, "SGT-2025", 0)
    assert bool(end.loc["all", "is_end_to_end"])
    assert end.loc["all", "stage_name"] == "End to end"
    # Last stage reached: P1 P4 passed the final stage; P2 P5 failed; P3 P10 withdrew;
    # P6 did not attend; P9 passed stage 1 of 2 (in progress). Base = 8 - 2 - 1 = 5.
    assert _counts(end.loc["all"]) == (8, 2, 2, 2, 1, 1, 5)
    assert end.loc["all", "selection_rate"] == pytest.approx(2 / 5)


def test_everyone_not_stated_and_all_one_group(processes):
    staff = _rates(processes, "STAFF-2025", 1)
    assert _counts(staff.loc["all"]) == (3, 2, 1, 0, 0, 0, 3)
    assert staff.loc["all", "target_label"] == "Police staff"
    assert _counts(staff.loc["minority_excl_white"]) == (0,) * 7
    assert _counts(staff.loc["white"]) == (0,) * 7
    assert _counts(staff.loc["female"]) == (2, 1, 1, 0, 0, 0, 2)
    pcso = _rates(processes, "PCSO-2025", 1)
    assert _counts(pcso.loc["white"]) == (4, 2, 2, 0, 0, 0, 4)
    assert _counts(pcso.loc["minority_excl_white"]) == (0,) * 7


def test_excluded_outcomes_are_configurable(tmp_path):
    settings = load_settings(
        write_config(tmp_path, '[fairness]\nexcluded_outcomes = ["withdrew", "did_not_attend"]\n')
    )
    _write_force(settings)
    run_nightly(settings)
    got = _rates(settings, "SGT-2025", 1)
    assert got.loc["all", "selection_base_count"] == 6  # 8 - 1 withdrew - 1 did not attend
    assert got.loc["all", "selection_rate"] == pytest.approx(5 / 6)


def test_disparity_against_the_reference_group(processes):
    # Stage 1, minority 3 of 3 against White 2 of 3: an expected count of 0.5 (one person
    # failed), too few to compare; Fisher's exact test finds nothing either (p = 1).
    row = _disparity(processes, "SGT-2025", 1, "minority_excl_white")
    assert row["comparator_group_code"] == "white"
    assert _too_small_and_not_significant(3, 3, 2, 3)
    assert row["note"] == TOO_FEW
    assert row["verdict"] == "not computable"
    assert math.isnan(row["adverse_impact_ratio"]) and math.isnan(row["p_value"])
    assert math.isnan(row["ci_lower_ratio"]) and math.isnan(row["ci_upper_ratio"])
    # Women against men at stage 1: 3/4 against 2/3, an expected count of 0.86: too few.
    women = _disparity(processes, "SGT-2025", 1, "female")
    assert women["comparator_group_code"] == "male"
    assert _too_small_and_not_significant(3, 4, 2, 3)
    assert women["note"] == TOO_FEW
    assert women["verdict"] == "not computable"
    # Ethnicity within sex: minority women (2 of 2) against White women (P1: 1 of 1).
    within_sex = _disparity(processes, "SGT-2025", 1, "minority_excl_white_female")
    assert within_sex["comparator_group_code"] == "white_female"
    assert within_sex["adverse_impact_ratio"] == pytest.approx(1.0)


def test_disparity_against_the_highest_rate_group(processes):
    # Broad groups at stage 1: Asian, Black, Mixed all 1 of 1 (tie: the first listed, Asian),
    # White 2 of 3: an expected count of 0.25 against one person, too few to compare (the
    # ratio 2/3 would be below four-fifths; Fisher's exact test gives p = 1).
    white = _disparity(
        processes, "SGT-2025", 1, "white", basis="highest_rate_group", comparison="broad_group"
    )
    assert white["comparator_group_code"] == "asian"
    assert _too_small_and_not_significant(2, 3, 1, 1)
    assert white["note"] == TOO_FEW
    assert white["verdict"] == "not computable"
    assert math.isnan(white["adverse_impact_ratio"]) and math.isnan(white["p_value"])
    with connect(processes.paths.database, read_only=True) as con:
        (self_pairs,) = con.execute(
            "select count(*) from analytics.disparities where group_code = comparator_group_code"
        ).fetchone()
        (everyone,) = con.execute(
            "select count(*) from analytics.disparities where comparison_code = 'all'"
        ).fetchone()
    assert self_pairs == 0
    assert everyone == 0


def test_zero_candidates_and_empty_margins_say_why(processes):
    # Everyone not stated: no minority and no White candidates.
    row = _disparity(processes, "STAFF-2025", 1, "minority_excl_white")
    assert row["verdict"] == "not computable"
    assert row["note"] == "no candidates in this group"
    assert math.isnan(row["p_value"]) and pd.isna(row["is_significant"])
    # All one group: no minority candidates against 2 of 4 White.
    row = _disparity(processes, "PCSO-2025", 1, "minority_excl_white")
    assert row["note"] == "no candidates in this group"
    # An empty margin: at PCSO stage 2 nobody passed (women 0 of 1 against men 0 of 1).
    women = _disparity(processes, "PCSO-2025", 2, "female")
    assert women["note"] == "no one in this group or the comparator group passed"
    assert women["verdict"] == "not computable"
    assert math.isnan(women["p_value"])
    assert math.isnan(women["adverse_impact_ratio"])
    assert math.isnan(women["ci_lower_ratio"])


def test_one_false_discovery_family_per_process_and_comparator_basis(processes):
    with connect(processes.paths.database, read_only=True) as con:
        families = con.execute(
            """select process_id, comparator_basis, count(p_value) as tested,
                      min(family_comparison_count), max(family_comparison_count),
                      bool_and(adjusted_p_value >= p_value)
               from analytics.disparities where p_value is not null group by all"""
        ).fetchall()
    assert families
    for process_id, basis, tested, smallest, largest, never_below in families:
        assert smallest == largest == tested, (process_id, basis)
        assert never_below
