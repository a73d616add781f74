"""promotion_rates, retention, rank_pipeline and specialist_roles on a tiny inline force.

Expected values are worked out by hand from the rows written here (comments show how).
"""

from __future__ import annotations

import math
from datetime import date

import pandas as pd
import pytest
from conftest import STAFF_HEADER, write_config, write_inbox
from scipy.stats import fisher_exact
from scipy.stats.contingency import expected_freq
from score_reference import comparison_interval, comparison_p

from pipeline import stats
from pipeline.config import load_settings
from pipeline.history import current_history
from pipeline.nightly import run_nightly
from pipeline.warehouse import connect

MOVEMENTS_HEADER = (
    "staff_id,movement_type,movement_date,worker_type,rank_or_band,department,lpu_code,sex,"
    "ethnicity_code,service_start_date,leaving_reason"
)


def _person(
    staff_id,
    snapshot,
    ethnicity,
    sex,
    rank="Constable",
    *,
    worker_type="police_officer",
    department="Local Policing",
    role="Response",
    service_start="2015-01-01",
    rank_start="2018-01-01",
    temporary="N",
):
    return (
        f"{staff_id},{snapshot},{worker_type},{rank},{department},BHM,{role},{sex},{ethnicity},"
        f"1990-01-01,{service_start},{rank_start},1,{temporary}"
    )


FIREARMS = {"department": "Firearms Operations", "role": "Authorised Firearms Officer"}
START = [  # 2024-03-31
    _person("P1", "2024-03-31", "W1", "M", **FIREARMS),
    _person("P2", "2024-03-31", "W1", "F", **FIREARMS),
    _person("P3", "2024-03-31", "A2", "M", **FIREARMS),
    _person("P4", "2024-03-31", "B1", "F", service_start="2023-06-01", rank_start="2023-06-01"),
    _person("P5", "2024-03-31", "W1", "M", "Sergeant", service_start="1995-01-01"),
    _person("P6", "2024-03-31", "NS", "M"),
    _person("S1", "2024-03-31", "W1", "F", "Band C", worker_type="police_staff", role="HR"),
    _person("S2", "2024-03-31", "A1", "F", "Band C", worker_type="police_staff", role="HR"),
]
END = [  # 2025-03-31: P1 promoted, P3 temporarily promoted, P4 P5 S1 left.
    _person("P1", "2025-03-31", "W1", "M", "Sergeant", rank_start="2024-10-01"),
    _person("P2", "2025-03-31", "W1", "F", **FIREARMS),
    _person("P3", "2025-03-31", "A2", "M", "Sergeant", rank_start="2025-01-06", temporary="Y"),
    _person("P6", "2025-03-31", "NS", "M"),
    _person("S2", "2025-03-31", "A1", "F", "Band C", worker_type="police_staff", role="HR"),
]
MOVEMENTS = [
    "P4,leaver,2024-08-15,police_officer,Constable,Local Policing,BHM,F,B1,2023-06-01,resignation",
    "P5,leaver,2024-12-31,police_officer,Sergeant,Local Policing,BHM,M,W1,1995-01-01,retirement",
    "S1,leaver,2024-05-01,police_staff,Band C,Local Policing,BHM,F,W1,2015-01-01,transfer",
    # Joined and left within the year: not in post at the start, so not in the rate.
    "P7,joiner,2024-09-02,police_officer,Constable,Local Policing,BHM,M,W1,2024-09-02,",
    "P7,leaver,2025-02-03,police_officer,Constable,Local Policing,BHM,M,W1,2024-09-02,resignation",
    # After the last snapshot: belongs to no measured period.
    "P6,leaver,2025-06-02,police_officer,Constable,Local Policing,BHM,M,NS,2015-01-01,other",
]


@pytest.fixture(scope="module")
def force(tmp_path_factory):
    """Built once for the module: the tests only read the published database."""
    settings = load_settings(write_config(tmp_path_factory.mktemp("force")))
    write_inbox(settings, "staff_snapshot_2024.csv", STAFF_HEADER + "\n" + "\n".join(START))
    write_inbox(settings, "staff_snapshot_2025.csv", STAFF_HEADER + "\n" + "\n".join(END))
    write_inbox(
        settings, "joiners_leavers_2025.csv", MOVEMENTS_HEADER + "\n" + "\n".join(MOVEMENTS)
    )
    run_nightly(settings)
    return settings


def _rows(settings, view: str, where: str, params=(), database=None):
    with connect(database or settings.paths.database, read_only=True) as con:
        frame = con.execute(f"select * from analytics.{view} where {where}", list(params)).df()
    return frame


def _history(settings):
    """The private history (its views withhold nothing: the report reads them)."""
    return current_history(settings)


def _by_group(frame):
    return frame.drop_duplicates("group_code").set_index("group_code")


TOO_FEW = "too few people to compare (an expected count below 1)"


def _too_small_and_not_significant(a: int, n1: int, c: int, n2: int) -> bool:
    """Whether a of n1 against c of n2 has an expected count below 1 under equal rates
    (Cochran's floor, so not compared) and Fisher's exact test finds no difference either."""
    table = [[a, n1 - a], [c, n2 - c]]
    return expected_freq(table).min() < 1 and fisher_exact(table).pvalue > 0.05


def _years(earlier: str, later: str) -> float:
    return (date.fromisoformat(later) - date.fromisoformat(earlier)).days / 365.25


# --------------------------------------------------------------------------- promotion


def test_promotions_between_snapshots(force):
    constables = _by_group(
        _rows(force, "promotion_rates", "rank_or_band = 'Constable' order by group_sort_order")
    )
    # P1 P2 P3 P4 P6 constables on 2024-03-31; P1 and P3 (temporary) at Sergeant a year on.
    assert constables.loc["all", ["in_post_count", "promoted_count"]].tolist() == [5, 2]
    assert constables.loc["all", "temporary_promoted_count"] == 1
    assert constables.loc["all", "promotion_rate"] == pytest.approx(2 / 5)
    assert str(constables.loc["all", "period_end_date"])[:10] == "2025-03-31"
    minority, white = constables.loc["minority_excl_white"], constables.loc["white"]
    assert [minority["in_post_count"], minority["promoted_count"]] == [2, 1]  # P3 P4 (left)
    assert [white["in_post_count"], white["promoted_count"]] == [2, 1]  # P1 P2
    # One promoted each: their own years in rank, so the analysts' database withholds them
    # (over fewer than [disclosure] threshold people); the private history's mart has them.
    assert pd.isna(white["average_years_in_rank"]) and pd.isna(minority["average_years_in_rank"])
    private = _by_group(
        _rows(force, "promotion_rates", "rank_or_band = 'Constable'", database=_history(force))
    )
    assert private.loc["white", "average_years_in_rank"] == pytest.approx(
        _years("2018-01-01", "2024-10-01")
    )
    assert private.loc["minority_excl_white", "average_years_in_rank"] == pytest.approx(
        _years("2018-01-01", "2025-01-06")
    )
    # 1 of 2 against 1 of 2: ratio 1, the score interval around it, p = 1.
    assert minority["rate_ratio"] == pytest.approx(1.0)
    lower, upper = comparison_interval(1, 2, 1, 2)
    assert minority["ci_lower_ratio"] == pytest.approx(lower, rel=1e-9)
    assert minority["ci_upper_ratio"] == pytest.approx(upper, rel=1e-9)
    assert minority["p_value"] == pytest.approx(1.0)
    assert minority["verdict"] == "no clear difference"
    assert not minority["is_significant"] and not minority["is_significant_after_adjustment"]
    assert math.isnan(white["rate_ratio"])  # the reference group is not compared with itself


def test_promotion_of_nobody_in_a_group(force):
    constables = _by_group(
        _rows(force, "promotion_rates", "rank_or_band = 'Constable' order by group_sort_order")
    )
    women = constables.loc["female"]
    # Women P2 P4: 0 of 2; men P1 P3 P6: 2 of 3.
    assert [women["in_post_count"], women["promoted_count"]] == [2, 0]
    assert women["reference_promoted_count"] == 2
    # 0 of 2 against 2 of 3: an expected count of 0.8, too few to compare (Fisher p = 0.4).
    assert _too_small_and_not_significant(0, 2, 2, 3)
    assert women["note"] == TOO_FEW
    assert women["verdict"] == "not computable"
    assert math.isnan(women["rate_ratio"]) and math.isnan(women["relative_likelihood_ratio"])
    assert pd.isna(women["p_value"]) and pd.isna(women["ci_lower_ratio"])
    other = constables.loc["other"]  # nobody at all
    assert other["in_post_count"] == 0
    assert other["note"] == "no officers in post in this group"
    assert other["verdict"] == "not computable"
    everyone = _by_group(_rows(force, "promotion_rates", "rank_or_band = 'All'")).loc["all"]
    assert [everyone["in_post_count"], everyone["promoted_count"]] == [6, 2]  # + P5 sergeant


# --------------------------------------------------------------------------- retention


def _retention(settings, worker_type: str, reason: str):
    return _by_group(
        _rows(
            settings,
            "retention",
            "worker_type = ? and leaving_reason_code = ? order by group_sort_order",
            (worker_type, reason),
        )
    )


def test_leaving_rates(force):
    officers = _retention(force, "police_officer", "all")
    # In post 2024-03-31: P1-P6; P4 (resigned, 1.2 years' service) and P5 (retired) left.
    # P7 joined and left in the year: not in the base, not counted.
    everyone = officers.loc["all"]
    assert [everyone["in_post_count"], everyone["leaver_count"]] == [6, 2]
    assert everyone["leaving_rate"] == pytest.approx(2 / 6)
    assert everyone["short_service_leaver_count"] == 1
    assert everyone["short_service_share"] == pytest.approx(0.5)
    minority = officers.loc["minority_excl_white"]  # P3 P4: 1 left
    assert minority["leaving_rate"] == pytest.approx(1 / 2)
    assert minority["reference_leaving_rate"] == pytest.approx(1 / 3)  # P1 P2 P5: P5 left
    # 1 of 2 against 1 of 3: an expected count of 0.8, too few to compare (Fisher p = 1).
    assert _too_small_and_not_significant(1, 2, 1, 3)
    assert minority["note"] == TOO_FEW
    assert minority["verdict"] == "not computable"
    assert math.isnan(minority["rate_ratio"]) and pd.isna(minority["p_value"])


def test_leaving_by_reason_and_worker_type(force):
    resigned = _retention(force, "police_officer", "resignation").loc["minority_excl_white"]
    assert [resigned["leaver_count"], resigned["reference_leaver_count"]] == [1, 0]
    # 1 of 2 against 0 of 3: too few to compare (expected 0.4; Fisher p = 0.4).
    assert _too_small_and_not_significant(1, 2, 0, 3)
    assert resigned["note"] == TOO_FEW
    assert math.isnan(resigned["rate_ratio"]) and pd.isna(resigned["ci_upper_ratio"])
    assert resigned["verdict"] == "not computable"
    retired = _retention(force, "police_officer", "retirement").loc["minority_excl_white"]
    assert [retired["leaver_count"], retired["reference_leaver_count"]] == [0, 1]
    # Nobody in the group retired, one of three others did: too few to compare.
    assert _too_small_and_not_significant(0, 2, 1, 3)
    assert retired["verdict"] == "not computable"
    assert retired["note"] == TOO_FEW
    staff_other = _retention(force, "police_staff", "other").loc["all"]
    assert [staff_other["in_post_count"], staff_other["leaver_count"]] == [2, 1]  # transfer
    assert staff_other["short_service_share"] == pytest.approx(0.0)
    everyone = _retention(force, "All", "all").loc["all"]
    assert [everyone["in_post_count"], everyone["leaver_count"]] == [8, 3]


# --------------------------------------------------------------------------- specialist roles


def test_specialist_department_against_the_rest_of_the_workforce(force):
    got = _rows(
        force,
        "specialist_roles",
        """snapshot_date = '2024-03-31' and worker_type = 'police_officer'
           and unit_label = 'Firearms Operations' order by group_sort_order""",
    ).set_index("group_code")
    minority = got.loc["minority_excl_white"]
    # Firearms: P1 W1, P2 W1, P3 A2 -> 1 of 3. Rest: P4 B1, P5 W1, P6 NS -> 1 of 2 declared.
    assert bool(minority["is_specialist"])
    assert [minority["declared_headcount"], minority["group_headcount"]] == [3, 1]
    assert [minority["rest_declared_headcount"], minority["rest_group_headcount"]] == [2, 1]
    assert minority["workforce_group_share"] == pytest.approx(2 / 5)
    # 1 of 3 against 1 of 2: an expected count of 0.8, too few to compare (Fisher p = 1).
    assert _too_small_and_not_significant(1, 3, 1, 2)
    assert math.isnan(minority["unit_to_rest_ratio"]) and pd.isna(minority["p_value"])
    assert minority["note"] == TOO_FEW
    assert minority["verdict"] == "not computable"
    assert "relative_likelihood_ratio" not in got  # representation is not a WRES measure
    black = got.loc["black"]  # 0 of 3 in firearms against P4, 1 of 2, in the rest
    assert _too_small_and_not_significant(0, 3, 1, 2)
    assert black["note"] == TOO_FEW


def test_a_unit_that_is_the_whole_workforce_has_no_comparison(force):
    got = _rows(
        force,
        "specialist_roles",
        """snapshot_date = '2024-03-31' and worker_type = 'police_staff'
           and unit_label = 'Local Policing' and group_code = 'minority_excl_white'""",
    ).iloc[0]
    assert [got["declared_headcount"], got["rest_declared_headcount"]] == [2, 0]
    assert got["note"] == "no people who stated an ethnicity in the rest of the workforce"
    assert got["verdict"] == "not computable"
    role = _rows(
        force,
        "specialist_roles",
        "unit_type = 'role' and unit_label = 'Authorised Firearms Officer' limit 1",
    ).iloc[0]
    assert pd.isna(role["is_specialist"])


# --------------------------------------------------------------------------- rank pipeline


def test_rank_pipeline_steps_and_compounding(tiny_force):
    ranks = (
        [("Constable", e) for e in ("A1", "W1", "B2", "W1", "NS")]  # 2 of 4 declared
        + [("Sergeant", e) for e in ("A2", "M1", "W1", "W1", "W2")]  # 2 of 5
        + [("Inspector", e) for e in ("O9", "W1", "W1", "W1")]  # 1 of 4
        + [("Chief Inspector", e) for e in ("W1", "W1")]  # 0 of 2
        + [("Superintendent", "B1")]  # 1 of 1
    )
    rows = [_person(f"R{i}", "2026-03-31", e, "F", r) for i, (r, e) in enumerate(ranks)]
    write_inbox(tiny_force, "staff_snapshot_2026.csv", STAFF_HEADER + "\n" + "\n".join(rows))
    run_nightly(tiny_force)
    got = _rows(
        tiny_force, "rank_pipeline", "group_code = 'minority_excl_white' order by rank_order"
    ).set_index("rank_or_band")
    shares = [0.5, 0.4, 0.25, 0.0, 1.0]
    assert got["group_share"].tolist() == pytest.approx(shares)
    assert got.loc["Sergeant", "rank_below"] == "Constable"
    steps = [0.4 / 0.5, 0.25 / 0.4, 0.0]
    assert got["step_ratio"].tolist()[1:4] == pytest.approx(steps)
    assert math.isnan(got.loc["Constable", "step_ratio"])
    assert math.isnan(got.loc["Superintendent", "step_ratio"])  # share below is 0
    # Compounded = product of the steps where they exist (0.8, 0.5, 0), and the rank's share
    # over the constables' share beyond a missing step (1.0 / 0.5).
    for rank, n in (("Sergeant", 1), ("Inspector", 2), ("Chief Inspector", 3)):
        assert got.loc[rank, "compounded_ratio"] == pytest.approx(stats.compounded_ratio(steps[:n]))
    assert got.loc["Superintendent", "compounded_ratio"] == pytest.approx(2.0)
    # Each rank against constables (different people): Sergeant 2 of 5 against 2 of 4.
    assert got.loc["Sergeant", "p_value"] == pytest.approx(comparison_p(2, 5, 2, 4), rel=1e-9)
    assert got.loc["Sergeant", "verdict"] == "no clear difference"
    assert got.loc["Inspector", "p_value"] == pytest.approx(comparison_p(1, 4, 2, 4), rel=1e-9)
    # Chief Inspector 0 of 2 and Superintendent 1 of 1 against 2 of 4: expected counts 0.67
    # and 0.4, too few to compare, and Fisher's exact test finds nothing either.
    for rank, a, n in (("Chief Inspector", 0, 2), ("Superintendent", 1, 1)):
        assert _too_small_and_not_significant(a, n, 2, 4)
        assert got.loc[rank, "verdict"] == "not computable"
        assert got.loc[rank, "note"] == TOO_FEW
        assert pd.isna(got.loc[rank, "p_value"])
    assert pd.isna(got.loc["Constable", "p_value"])
    # One family per snapshot and grouping: the two ranks above constable that are compared.
    compared = got.loc[["Sergeant", "Inspector"]]
    assert (compared["family_comparison_count"] == 2).all()
    p = compared["p_value"].astype(float).to_numpy()
    expected = [min(min(2 * q / k for k, q in enumerate(sorted(p), 1) if q >= v), 1) for v in p]
    assert compared["adjusted_p_value"].astype(float).tolist() == pytest.approx(expected)
    assert got.loc["Constable", "constable_declared_headcount"] == 4
