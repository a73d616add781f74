"""Tests for pipeline.stats: cross-checks against scipy/statsmodels plus hand-worked edges.

Hand-worked values were computed with plain arithmetic from the published formulas
(shown in comments), not with pipeline.stats. z(0.975) = 1.959963984540054.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy.stats import fisher_exact
from statsmodels.stats.contingency_tables import Table2x2
from statsmodels.stats.proportion import proportion_confint

from pipeline import stats
from pipeline.stats import (
    STAGE_STATISTICS_COLUMNS,
    add_stage_statistics,
    adverse_impact_ratio,
    compounded_ratio,
    describe_missing,
    fisher_exact_p,
    parity_gap,
    ratio_confidence_interval,
    relative_likelihood,
    selection_rate,
    stage_statistics,
    verdict,
    wilson_interval,
)

Z = 1.959963984540054
REL = 1e-9
WITHIN = "within 0.8\u20131.25"  # en dash, as the report prints it


# --------------------------------------------------------------------------- generated tables


def _generate_tables() -> list[tuple[int, int, int, int]]:
    """(group_passed, group_entered, ref_passed, ref_entered): 40 small, 40 large."""
    rng = np.random.default_rng(20240607)
    tables = []
    for high in (10, 5000):
        for _ in range(40):
            n1, n2 = (int(v) for v in rng.integers(1, high + 1, size=2))
            a = int(rng.integers(0, n1 + 1))
            c = int(rng.integers(0, n2 + 1))
            tables.append((a, n1, c, n2))
    return tables


TABLES = _generate_tables()
KATZ_TABLES = [t for t in TABLES if 0 < t[0] < t[1] and 0 < t[2] < t[3]]  # no zero cell


def _ids(tables):
    return [f"{a}of{n1}-vs-{c}of{n2}" for a, n1, c, n2 in tables]


def test_generated_tables_cover_small_large_and_zero_cells():
    assert len(TABLES) == 80
    assert len(KATZ_TABLES) >= 50
    assert any(max(t) <= 10 for t in TABLES)
    assert any(max(t) > 1000 for t in TABLES)
    assert any(t[0] == 0 or t[2] == 0 or t[0] == t[1] or t[2] == t[3] for t in TABLES)


@pytest.mark.parametrize("table", TABLES, ids=_ids(TABLES))
def test_fisher_matches_scipy(table):
    a, n1, c, n2 = table
    expected = fisher_exact([[a, n1 - a], [c, n2 - c]], alternative="two-sided").pvalue
    assert fisher_exact_p(a, n1, c, n2) == pytest.approx(expected, rel=1e-12, abs=1e-300)


@pytest.mark.parametrize("table", TABLES, ids=_ids(TABLES))
def test_wilson_matches_statsmodels(table):
    a, n1, c, n2 = table
    for x, n in ((a, n1), (c, n2)):
        for conf in (0.95, 0.9):
            lo, hi = proportion_confint(x, n, alpha=1 - conf, method="wilson")
            assert wilson_interval(x, n, conf) == pytest.approx((lo, hi), rel=1e-12, abs=1e-15)


@pytest.mark.parametrize("table", KATZ_TABLES, ids=_ids(KATZ_TABLES))
def test_ratio_ci_matches_statsmodels_katz(table):
    a, n1, c, n2 = table
    t = Table2x2(np.array([[a, n1 - a], [c, n2 - c]]))
    lo, hi = t.riskratio_confint(alpha=0.05)
    assert ratio_confidence_interval(a, n1, c, n2) == pytest.approx((lo, hi), rel=1e-10)
    assert adverse_impact_ratio(a, n1, c, n2) == pytest.approx(t.riskratio, rel=1e-12)


@pytest.mark.parametrize("table", TABLES, ids=_ids(TABLES))
def test_stage_statistics_never_nan_or_inf(table):
    result = stage_statistics(*table)
    assert tuple(result) == STAGE_STATISTICS_COLUMNS
    for key, value in result.items():
        assert value is None or isinstance(value, str | float), key
        if isinstance(value, float):
            assert math.isfinite(value), key
    assert isinstance(result["verdict"], str)


# --------------------------------------------------------------------------- hand-worked


def test_katz_hand_worked():
    # 30/100 vs 50/100: RR 0.6, se = sqrt(1/30 - 1/100 + 1/50 - 1/100)
    lo, hi = ratio_confidence_interval(30, 100, 50, 100)
    assert lo == pytest.approx(0.41951145274354046, rel=REL)
    assert hi == pytest.approx(0.8581410534698285, rel=REL)
    assert fisher_exact_p(30, 100, 50, 100) == pytest.approx(0.005937341166015537, rel=1e-7)


def test_wres_worked_example():
    # White 117/389 = 0.3008, BME 2/10 = 0.2 → 0.3008 / 0.2 = 1170/778
    rl = relative_likelihood(group_passed=2, group_entered=10, ref_passed=117, ref_entered=389)
    assert rl == pytest.approx(1.5039, abs=5e-5)
    assert rl == pytest.approx(1170 / 778, rel=1e-15)
    air = adverse_impact_ratio(2, 10, 117, 389)
    assert air == pytest.approx(778 / 1170, rel=1e-15)
    assert air * rl == pytest.approx(1.0)


def test_zero_candidates_in_group():
    s = stage_statistics(0, 0, 5, 10)
    assert s == {
        "group_selection_rate": None,
        "reference_selection_rate": 0.5,
        "adverse_impact_ratio": None,
        "relative_likelihood": None,
        "ratio_ci_lower": None,
        "ratio_ci_upper": None,
        "fisher_p_value": None,
        "verdict": "not computable",
        "note": "no candidates in this group",
    }
    assert wilson_interval(0, 0) is None
    assert selection_rate(0, 0) is None


def test_zero_candidates_in_reference():
    s = stage_statistics(3, 10, 0, 0)
    assert s["group_selection_rate"] == 0.3
    assert s["reference_selection_rate"] is None
    assert s["adverse_impact_ratio"] is None
    assert s["relative_likelihood"] is None
    assert s["ratio_ci_lower"] is None and s["ratio_ci_upper"] is None
    assert s["fisher_p_value"] is None
    assert s["verdict"] == "not computable"
    assert s["note"] == "no candidates in the reference group"


@pytest.mark.parametrize(
    ("table", "note"),
    [
        ((4, 7, 0, 0), "no candidates in the reference group"),
        ((0, 0, 4, 7), "no candidates in this group"),
        ((0, 0, 0, 0), "no candidates in this group"),
    ],
)
def test_all_candidates_in_one_group(table, note):
    s = stage_statistics(*table)
    assert s["adverse_impact_ratio"] is None
    assert s["fisher_p_value"] is None
    assert s["ratio_ci_lower"] is None
    assert s["verdict"] == "not computable"
    assert s["note"] == note


def test_zero_passes_in_group():
    # 0/10 vs 5/10. Fisher: 2 * C(10,0) C(10,5) / C(20,5) = 2 * 252/15504 (symmetric table)
    s = stage_statistics(0, 10, 5, 10)
    assert s["group_selection_rate"] == 0.0
    assert s["adverse_impact_ratio"] == 0.0
    assert s["relative_likelihood"] is None
    assert s["fisher_p_value"] == pytest.approx(0.032507739938080496, rel=1e-9)
    assert s["verdict"] == "adverse and significant"
    assert s["note"] is None
    # Haldane-Anscombe: a=0.5 n1=11 c=5.5 n2=11 → RR 1/11, se sqrt(2 - 1/11 + 1/5.5 - 1/11)
    assert s["ratio_ci_lower"] == pytest.approx(
        (1 / 11) * math.exp(-Z * math.sqrt(2 - 2 / 11 + 1 / 5.5)), rel=REL
    )


def test_zero_passes_corrected_ci_hand_worked():
    # 0/10 vs 5/20 → a=0.5, n1=11, c=5.5, n2=21; RR = (0.5/11)/(5.5/21) = 0.17355...
    # se = sqrt(1/0.5 - 1/11 + 1/5.5 - 1/21)
    lo, hi = ratio_confidence_interval(0, 10, 5, 20)
    assert lo == pytest.approx(0.01053646604627173, rel=REL)
    assert hi == pytest.approx(2.858728272773937, rel=REL)
    # the uncorrected point estimate (0.0) lies outside the corrected interval, by design
    assert adverse_impact_ratio(0, 10, 5, 20) == 0.0


def test_zero_passes_in_reference():
    # 3/10 vs 0/10: ratio undefined; CI from corrected a=3.5 n1=11 c=0.5 n2=11 → RR 7
    s = stage_statistics(3, 10, 0, 10)
    assert s["adverse_impact_ratio"] is None
    assert s["relative_likelihood"] == 0.0
    assert s["ratio_ci_lower"] == pytest.approx(0.407798936690611, rel=REL)
    assert s["ratio_ci_upper"] == pytest.approx(120.15725297777156, rel=REL)
    # Fisher [[3,7],[0,10]]: 2 * C(3,3)C(17,7)/C(20,10) = 2 * 19448/184756
    assert s["fisher_p_value"] == pytest.approx(2 * 19448 / 184756, rel=1e-9)
    assert s["verdict"] == "not computable"
    assert s["note"] == "no one in the reference group passed"


def test_zero_passes_in_both_groups():
    assert ratio_confidence_interval(0, 10, 0, 12) is None
    assert fisher_exact_p(0, 10, 0, 12) == 1.0
    assert adverse_impact_ratio(0, 10, 0, 12) is None
    assert describe_missing(group_entered=10, ref_entered=12, ref_passed=0, group_passed=0) == (
        "no one in the reference group passed"
    )


def test_everyone_passed_empty_failure_margin():
    s = stage_statistics(10, 10, 20, 20)
    assert s["adverse_impact_ratio"] == 1.0
    assert s["relative_likelihood"] == 1.0
    assert s["fisher_p_value"] == 1.0
    # Katz variance 1/10 - 1/10 + 1/20 - 1/20 = 0 → zero-width interval at 1
    assert s["ratio_ci_lower"] == 1.0 and s["ratio_ci_upper"] == 1.0
    assert s["verdict"] == WITHIN
    assert wilson_interval(10, 10) == pytest.approx((1 / (1 + Z * Z / 10), 1.0), rel=REL)


def test_everyone_passed_in_one_group_katz_without_correction():
    # 10/10 vs 5/10: RR 2, se = sqrt(1/10 - 1/10 + 1/5 - 1/10) — failure cell 0, no correction
    lo, hi = ratio_confidence_interval(10, 10, 5, 10)
    assert lo == pytest.approx(1.0761094202541792, rel=REL)
    assert hi == pytest.approx(3.717094121390734, rel=REL)
    assert verdict(adverse_impact_ratio(10, 10, 5, 10), 0.03) == "favourable"


def test_cell_of_one():
    # 1/1 vs 3/4: RR 4/3, se = sqrt(1 - 1 + 1/3 - 1/4) = sqrt(1/12)
    s = stage_statistics(1, 1, 3, 4)
    assert s["adverse_impact_ratio"] == pytest.approx(4 / 3, rel=1e-15)
    assert s["relative_likelihood"] == pytest.approx(0.75, rel=1e-15)
    assert s["ratio_ci_lower"] == pytest.approx(0.7572129217741901, rel=REL)
    assert s["ratio_ci_upper"] == pytest.approx(2.3477911253975297, rel=REL)
    # Fisher [[1,0],[3,1]]: P(X=1)=4/5, P(X=0)=1/5, both <= 4/5 → p = 1
    assert s["fisher_p_value"] == pytest.approx(1.0)
    assert s["verdict"] == "favourable"
    # Wilson 1 of 1: lower = 1/(1+z^2), upper = 1
    assert wilson_interval(1, 1) == pytest.approx((0.20654931437723742, 1.0), rel=REL)


def test_wilson_zero_successes_hand_worked():
    # 0 of 10: lower 0, upper = (z^2/n) / (1 + z^2/n)
    assert wilson_interval(0, 10) == pytest.approx((0.0, 0.2775327998628892), rel=REL)


def test_four_fifths_boundary_is_within():
    air = adverse_impact_ratio(4, 10, 5, 10)
    assert air == 0.8
    assert verdict(air, 0.001) == WITHIN
    upper = adverse_impact_ratio(5, 10, 4, 10)
    assert upper == 1.25
    assert verdict(upper, 0.001) == WITHIN
    # rate/rate computed elsewhere can land an ulp away; still "within"
    assert verdict(0.4 / 0.5 - 1e-16, None) == WITHIN
    assert verdict(0.79, 0.2) == "adverse but not significant (small numbers)"
    assert verdict(1.26, 0.2) == "favourable"


def test_verdict_labels():
    assert verdict(0.5, 0.01) == "adverse and significant"
    assert verdict(0.5, 0.05) == "adverse but not significant (small numbers)"
    assert verdict(0.5, None) == "adverse but not significant (small numbers)"
    assert verdict(0.5, float("nan")) == "adverse but not significant (small numbers)"
    assert verdict(None, 0.01) == "not computable"
    assert verdict(float("nan"), 0.01) == "not computable"
    assert verdict(1.0, None) == WITHIN
    assert verdict(0.95, 0.5, lower=0.9, upper=1.1) == "within 0.9\u20131.1"
    assert verdict(0.85, 0.04, alpha=0.01, lower=0.9, upper=1.1) == (
        "adverse but not significant (small numbers)"
    )


def test_describe_missing():
    kw = {"group_entered": 10, "ref_entered": 10, "ref_passed": 4, "group_passed": 2}
    assert describe_missing(**kw) is None
    assert describe_missing(**{**kw, "group_entered": 0, "group_passed": 0}) == (
        "no candidates in this group"
    )
    assert describe_missing(**{**kw, "ref_entered": 0, "ref_passed": 0}) == (
        "no candidates in the reference group"
    )
    assert describe_missing(**{**kw, "ref_passed": 0}) == "no one in the reference group passed"


def test_selection_rate_and_ratios_simple():
    assert selection_rate(3, 12) == 0.25
    assert adverse_impact_ratio(3, 12, 1, 2) == 0.5
    assert relative_likelihood(3, 12, 1, 2) == 2.0
    assert relative_likelihood(0, 12, 1, 2) is None
    assert adverse_impact_ratio(3, 12, 0, 2) is None


def test_compounded_ratio():
    assert compounded_ratio([0.9] * 4) == pytest.approx(0.6561, rel=1e-12)
    assert compounded_ratio([0.5, 2.0, 0.8]) == pytest.approx(0.8, rel=1e-15)
    assert compounded_ratio([0.9, None, 0.9]) is None
    assert compounded_ratio([0.9, float("nan")]) is None
    assert compounded_ratio([]) is None
    with pytest.raises(ValueError):
        compounded_ratio([0.9, -0.1])


def test_parity_gap():
    # 18% of 1,000 declared = 180 expected; 120 actual → 60 short
    assert parity_gap(0.18, 1000, 120) == pytest.approx(60.0, rel=1e-12)
    # over-represented → negative
    assert parity_gap(0.05, 200, 15) == pytest.approx(-5.0, rel=1e-12)
    assert parity_gap(None, 1000, 120) is None
    assert parity_gap(float("nan"), 1000, 120) is None
    with pytest.raises(ValueError):
        parity_gap(1.5, 1000, 120)
    with pytest.raises(ValueError):
        parity_gap(0.2, 100, 101)


@pytest.mark.parametrize(
    "call",
    [
        lambda: selection_rate(5, 4),
        lambda: selection_rate(-1, 4),
        lambda: selection_rate(1.5, 4),
        lambda: adverse_impact_ratio(1, 2, 3, 2),
        lambda: fisher_exact_p(1, 2, True, 2),
        lambda: wilson_interval(1, 2, confidence=1.0),
        lambda: ratio_confidence_interval(1, 2, 1, 2, confidence=0.0),
        lambda: verdict(1.0, 0.5, lower=1.25, upper=0.8),
    ],
)
def test_invalid_input_raises(call):
    with pytest.raises(ValueError):
        call()


def test_accepts_numpy_and_integral_float_counts():
    assert adverse_impact_ratio(np.int64(4), np.int32(10), 5.0, np.float64(10)) == 0.8


# --------------------------------------------------------------------------- dataframe helper


def test_add_stage_statistics():
    df = pd.DataFrame(
        {
            "stage": ["shortlist", "interview", "board"],
            "group_passed_count": [2, 0, 3],
            "group_entered_count": [10, 0, 10],
            "reference_passed_count": [117, 5, 0],
            "reference_entered_count": [389, 10, 10],
        },
        index=[7, 8, 9],
    )
    before = df.copy()
    out = add_stage_statistics(df)
    pd.testing.assert_frame_equal(df, before)  # input untouched
    assert list(out.columns) == [*df.columns, *STAGE_STATISTICS_COLUMNS]
    assert list(out.index) == [7, 8, 9]
    assert str(out["adverse_impact_ratio"].dtype) == "Float64"
    assert out["verdict"].dtype == object and out["note"].dtype == object
    assert out.loc[7, "relative_likelihood"] == pytest.approx(1170 / 778)
    assert out.loc[7, "note"] is None
    assert out.loc[8, "adverse_impact_ratio"] is pd.NA
    assert out.loc[8, "verdict"] == "not computable"
    assert out.loc[8, "note"] == "no candidates in this group"
    assert out.loc[9, "adverse_impact_ratio"] is pd.NA
    assert out.loc[9, "ratio_ci_upper"] == pytest.approx(120.15725297777156, rel=REL)
    assert out.loc[9, "note"] == "no one in the reference group passed"
    numbers = out[list(STAGE_STATISTICS_COLUMNS[:7])].to_numpy(dtype=float, na_value=0.0)
    assert np.isfinite(numbers).all()


def test_add_stage_statistics_custom_columns_and_errors():
    df = pd.DataFrame({"gp": [4], "ge": [10], "rp": [5], "re": [10]})
    out = add_stage_statistics(df, "gp", "ge", "rp", "re")
    assert out.loc[0, "adverse_impact_ratio"] == 0.8
    assert out.loc[0, "verdict"] == WITHIN
    with pytest.raises(KeyError):
        add_stage_statistics(df)
    bad = pd.DataFrame({"gp": pd.array([4, None], dtype="Int64"), "ge": [10, 10]})
    bad["rp"], bad["re"] = 5, 10
    with pytest.raises(ValueError, match="row 1"):
        add_stage_statistics(bad, "gp", "ge", "rp", "re")


def test_add_stage_statistics_empty_frame():
    df = pd.DataFrame(
        {
            c: pd.Series([], dtype="int64")
            for c in (
                "group_passed_count",
                "group_entered_count",
                "reference_passed_count",
                "reference_entered_count",
            )
        }
    )
    out = add_stage_statistics(df)
    assert len(out) == 0
    assert list(out.columns)[-9:] == list(STAGE_STATISTICS_COLUMNS)
    assert str(out["fisher_p_value"].dtype) == "Float64"


def test_public_interface_names():
    expected = {
        "selection_rate",
        "wilson_interval",
        "adverse_impact_ratio",
        "relative_likelihood",
        "ratio_confidence_interval",
        "fisher_exact_p",
        "verdict",
        "describe_missing",
        "stage_statistics",
        "compounded_ratio",
        "parity_gap",
        "add_stage_statistics",
    }
    assert expected <= set(stats.__all__)
    assert stats.WITHIN_DEFAULT == WITHIN
    assert WITHIN.encode() == b"within 0.8\xe2\x80\x931.25"
