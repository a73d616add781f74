"""pipeline.rates: the selection-stage statistics applied to good and bad outcomes."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.stats import fisher_exact

from pipeline import stats
from pipeline.rates import RATE_COMPARISON_COLUMNS, add_rate_comparison, compare

RNG = np.random.default_rng(4)
TABLES = []
for _ in range(60):
    n1, n2 = (int(v) for v in RNG.integers(1, 400, size=2))
    TABLES.append((int(RNG.integers(0, n1 + 1)), n1, int(RNG.integers(0, n2 + 1)), n2))


@pytest.mark.parametrize("table", TABLES)
def test_a_good_outcome_is_judged_like_a_selection_stage(table):
    got = compare(*table, higher_is_better=True, event="was promoted")
    expected = stats.stage_statistics(*table)
    assert got["rate_ratio"] == expected["adverse_impact_ratio"]
    assert got["relative_likelihood_ratio"] == expected["relative_likelihood"]
    assert got["ci_lower_ratio"] == expected["ratio_ci_lower"]
    assert got["fisher_p_value"] == pytest.approx(
        fisher_exact([[table[0], table[1] - table[0]], [table[2], table[3] - table[2]]]).pvalue
    )
    if table[2] > 0 or table[0] == 0:
        assert got["verdict"] == expected["verdict"]


@pytest.mark.parametrize("table", TABLES)
def test_a_bad_outcome_is_judged_the_other_way_round(table):
    a, n1, c, n2 = table
    got = compare(a, n1, c, n2, higher_is_better=False, event="left")
    # The same ratio and interval, but the verdict is that of the reference against the group.
    assert got["rate_ratio"] == stats.adverse_impact_ratio(a, n1, c, n2)
    assert got["relative_likelihood_ratio"] == got["rate_ratio"]
    if a > 0 or c == 0:
        assert got["verdict"] == stats.stage_statistics(c, n2, a, n1)["verdict"]


def test_only_one_side_having_the_event_is_a_verdict_not_a_gap():
    # Nobody in the group left, 10 of 100 in the reference did: favourable.
    assert compare(0, 50, 10, 100, higher_is_better=False, event="left")["verdict"] == (
        "favourable"
    )
    # Some of the group were promoted, nobody in the reference: favourable too.
    promoted = compare(3, 20, 0, 100, higher_is_better=True, event="was promoted")
    assert promoted["verdict"] == "favourable"
    assert promoted["note"] == "no one in the reference group was promoted"
    # Nobody on either side: nothing to say.
    neither = compare(0, 20, 0, 100, higher_is_better=True, event="was promoted")
    assert neither["verdict"] == "not computable"
    assert neither["note"] == "no one in either group was promoted"


def test_worked_leaving_example():
    # 30 of 200 minority officers left against 100 of 1,000 White: 0.15 / 0.10 = 1.5.
    got = compare(30, 200, 100, 1000, higher_is_better=False, event="left")
    assert got["rate_ratio"] == pytest.approx(1.5)
    assert got["fisher_p_value"] == pytest.approx(fisher_exact([[30, 170], [100, 900]]).pvalue)
    assert got["fisher_p_value"] < 0.05
    assert got["verdict"] == "adverse and significant"


def test_frame_rows_without_a_reference_or_of_the_reference_itself_are_left_blank():
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
    out = add_rate_comparison(frame, "k", "n", "ref_k", "ref_n", higher_is_better=True, event="x")
    assert list(out.columns) == [*frame.columns, *RATE_COMPARISON_COLUMNS]
    assert out.loc[[0, 1], "rate_ratio"].isna().all()
    assert out.loc[[0, 1], "verdict"].isna().all()
    assert out.loc[2, "rate_ratio"] == pytest.approx((4 / 20) / (6 / 80))
    assert str(out["fisher_p_value"].dtype) == "Float64"
