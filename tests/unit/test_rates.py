"""pipeline.rates: one comparison for every measure, families for the false discovery rate,
and verdict words that follow the measure's direction."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.multitest import multipletests

from pipeline import stats
from pipeline.rates import (
    LEAVING,
    PROMOTION,
    RANK_REPRESENTATION,
    RATE_COMPARISON_COLUMNS,
    SELECTION,
    UNIT_REPRESENTATION,
    add_rate_comparison,
    note,
)

MEASURES = (SELECTION, PROMOTION, LEAVING, UNIT_REPRESENTATION, RANK_REPRESENTATION)


def _frame(tables, family=None) -> pd.DataFrame:
    a, n1, c, n2 = zip(*tables, strict=True)
    return pd.DataFrame(
        {
            "family": family if family is not None else ["f"] * len(tables),
            "k": a,
            "n": n1,
            "ref_k": c,
            "ref_n": n2,
        }
    )


def _compare(frame, measure=SELECTION, **kw):
    return add_rate_comparison(
        frame, "k", "n", "ref_k", "ref_n", measure=measure, family=["family"], **kw
    )


def test_the_same_counts_give_the_same_figures_and_verdict_in_every_measure():
    # The case: only the group had passes. Selection said "not computable", the other
    # rate tables "favourable"; now every table says the same (an unbounded ratio, higher).
    tables = [(6, 20, 0, 100), (0, 50, 10, 100), (4, 10, 5, 10), (0, 20, 0, 100), (4, 9, 0, 5)]
    rate_measures = (SELECTION, PROMOTION, LEAVING)
    results = [_compare(_frame(tables), m) for m in rate_measures]
    for column in ("rate_ratio", "ci_lower_ratio", "ci_upper_ratio", "p_value", "is_significant"):
        for other in results[1:]:
            pd.testing.assert_series_equal(results[0][column], other[column])
    verdicts = [list(r["verdict"]) for r in results]
    assert verdicts[0] == [
        "higher pass rate, significant",  # 6/20 against 0/100: no upper limit
        "lower pass rate, significant",  # 0/50 against 10/100: 0 to 0.73
        "no clear difference",
        "not computable",
        "higher pass rate, not significant",  # 4/9 against 0/5
    ]
    assert verdicts[2][:2] == ["higher leaving rate, significant",
                               "lower leaving rate, significant"]  # fmt: skip
    assert math.isinf(results[0].loc[0, "ci_upper_ratio"])
    assert results[0].loc[0, "rate_ratio"] is pd.NA
    assert results[0].loc[1, "ci_lower_ratio"] == 0.0


def test_no_measure_calls_anything_favourable_or_adverse():
    rng = np.random.default_rng(3)
    tables = []
    for _ in range(200):
        n1, n2 = (int(v) for v in rng.integers(1, 300, size=2))
        tables.append((int(rng.integers(0, n1 + 1)), n1, int(rng.integers(0, n2 + 1)), n2))
    for measure in MEASURES:
        out = _compare(_frame(tables), measure)
        words = set(out["verdict"])
        assert not any("favourable" in w or "adverse" in w for w in words)
        if measure.direction is stats.Direction.NEITHER:
            assert {w.split(",")[0] for w in words} <= {
                "under-represented", "over-represented", "no clear difference", "not computable"
            }  # fmt: skip
        significant = out["is_significant"].fillna(False).astype(bool)
        interval_excludes_one = (out["ci_lower_ratio"] > 1) | (out["ci_upper_ratio"] < 1)
        assert (significant == interval_excludes_one.fillna(False)).all()
        surviving = out["is_significant_after_adjustment"].fillna(False).astype(bool)
        assert out.loc[surviving, "verdict"].str.endswith(", significant").all()
        on_its_own = out.loc[significant & ~surviving, "verdict"]
        assert on_its_own.str.contains(", significant on its own, could be chance among").all()
        assert not out.loc[~significant, "verdict"].str.contains(", significant").any()


def test_benjamini_hochberg_within_each_family():
    rng = np.random.default_rng(11)
    tables, families = [], []
    for family in ("a", "b", "c"):
        for _ in range(15):
            n1, n2 = (int(v) for v in rng.integers(20, 200, size=2))
            a, c = (int(v) for v in rng.integers(5, 15, size=2))
            tables.append((a, n1, c, n2))
            families.append(family)
    tables.append((0, 10, 0, 10))  # not computable: not counted in its family
    families.append("a")
    out = _compare(_frame(tables, families))
    for family, members in out.groupby("family"):
        tested = members[members["p_value"].notna()]
        expected = multipletests(tested["p_value"].astype(float), method="fdr_bh")[1]
        assert tested["adjusted_p_value"].astype(float).to_numpy() == pytest.approx(expected)
        assert (tested["family_comparison_count"] == 15).all(), family
        finding = tested["is_significant_after_adjustment"].astype(bool)
        assert (finding == (tested["adjusted_p_value"] < 0.05)).all()
        assert tested.loc[finding, "is_significant"].all()  # a finding is always significant
    untested = out.iloc[-1]
    assert untested["verdict"] == "not computable"
    assert untested["adjusted_p_value"] is pd.NA and untested["is_significant"] is pd.NA


def test_relative_likelihood_follows_wres():
    # WRES indicator 2 (good outcome): comparator rate / group rate; indicator 3 (bad):
    # group rate / comparator rate; none for representation.
    frame = _frame([(2, 10, 117, 389)])
    assert _compare(frame, SELECTION).loc[0, "relative_likelihood_ratio"] == pytest.approx(
        1170 / 778
    )
    assert _compare(frame, LEAVING).loc[0, "relative_likelihood_ratio"] == pytest.approx(778 / 1170)
    assert "relative_likelihood_ratio" not in _compare(frame, UNIT_REPRESENTATION)
    # No passes in the group: the WRES likelihood is unbounded, so missing.
    assert _compare(_frame([(0, 10, 5, 10)])).loc[0, "relative_likelihood_ratio"] is pd.NA


def test_rows_without_a_comparator_or_of_the_reference_itself_are_left_blank():
    frame = pd.DataFrame(
        {
            "group_code": ["all", "white", "black"],
            "reference_group_code": [None, "white", "white"],
            "n": [100, 80, 20],
            "k": [10, 6, 4],
            "ref_n": pd.array([None, 80, 80], dtype="Int64"),
            "ref_k": pd.array([None, 6, 6], dtype="Int64"),
        }
    )
    out = add_rate_comparison(
        frame, "k", "n", "ref_k", "ref_n", measure=PROMOTION, family=[], confidence=0.95
    )
    assert list(out.columns) == [*frame.columns, *RATE_COMPARISON_COLUMNS]
    assert out.loc[[0, 1], "rate_ratio"].isna().all()
    assert out.loc[[0, 1], "verdict"].isna().all()
    assert out.loc[2, "rate_ratio"] == pytest.approx((4 / 20) / (6 / 80))
    assert out.loc[2, "family_comparison_count"] == 1
    assert str(out["p_value"].dtype) == "Float64"


def test_confidence_sets_the_level_of_both_the_interval_and_the_decisions():
    frame = _frame([(30, 100, 45, 100)])
    wide = _compare(frame, confidence=0.99).iloc[0]
    narrow = _compare(frame, confidence=0.90).iloc[0]
    assert wide["ci_lower_ratio"] < narrow["ci_lower_ratio"]
    assert wide["p_value"] == narrow["p_value"]
    assert 0.01 < wide["p_value"] < 0.1
    assert not wide["is_significant"] and narrow["is_significant"]
    assert not wide["is_significant_after_adjustment"]
    assert narrow["is_significant_after_adjustment"]


def test_notes_say_why():
    assert note(0, 0, 3, 4, SELECTION) == "no candidates in this group"
    assert note(1, 2, 0, 0, SELECTION) == "no candidates in the comparator group"
    assert note(0, 5, 0, 4, SELECTION) == "no one in this group or the comparator group passed"
    assert note(3, 5, 0, 4, LEAVING) == "no one in the reference group left"
    assert note(1, 5, 0, 4, LEAVING) == "too few people to compare (an expected count below 1)"
    assert note(0, 10, 4, 8, UNIT_REPRESENTATION) == "no one in this unit is in the grouping"
    assert note(1, 5, 2, 4, RANK_REPRESENTATION) is None


def test_an_empty_view_keeps_its_column_types():
    empty = _frame([(1, 2, 1, 2)]).iloc[:0]
    out = _compare(empty)
    assert len(out) == 0
    assert str(out["p_value"].dtype) == "Float64"
    assert str(out["is_significant"].dtype) == "boolean"
    assert str(out["family_comparison_count"].dtype) == "Int64"


def test_one_family_can_hold_measures_of_opposite_directions():
    """A misconduct table's stages or a survey's questions: one false-discovery-rate family,
    each row in its own measure's words and WRES orientation."""
    tables = [(30, 100, 10, 100), (5, 100, 20, 100), (12, 100, 10, 100), (9, 40, 0, 40)]
    frame = _frame(tables).assign(measure_code=["bad", "good", "bad", "good"])
    mixed = _compare(frame, {"bad": LEAVING, "good": PROMOTION})
    alone = _compare(frame.drop(columns="measure_code"), SELECTION)
    for column in ("rate_ratio", "p_value", "adjusted_p_value", "family_comparison_count"):
        pd.testing.assert_series_equal(mixed[column], alone[column])
    assert list(mixed["family_comparison_count"]) == [4, 4, 4, 4]  # not split by measure
    assert list(mixed["verdict"]) == [
        "higher leaving rate, significant",
        "lower promotion rate, significant",
        "no clear difference",
        "higher promotion rate, significant",
    ]
    # WRES orientation: group / comparator for the bad outcome, comparator / group for the good.
    assert mixed.loc[0, "relative_likelihood_ratio"] == pytest.approx(3.0)
    assert mixed.loc[1, "relative_likelihood_ratio"] == pytest.approx(4.0)
    assert mixed.loc[3, "relative_likelihood_ratio"] is pd.NA  # the ratio is unbounded
    with pytest.raises(KeyError, match="unknown"):
        _compare(frame.assign(measure_code="unknown"), {"bad": LEAVING})
