"""pipeline.stats against independent values: statsmodels' score test and interval, its
Benjamini-Hochberg adjustment, and hand-worked edges.

The interval is checked as what it claims to be: the set of ratios that statsmodels' score
test (``score_test_proportions_2indep``, Miettinen-Nurminen) does not reject. At each bound
statsmodels accepts, a hair outside it rejects, and on a grid of ratios statsmodels accepts
exactly those inside the interval: so the interval is neither narrower nor wider than the
method's own, on 320 generated tables covering all 16 patterns of zero cells.
"""

from __future__ import annotations

import math
import warnings
from pathlib import Path

import numpy as np
import pytest
from scipy.stats import fisher_exact, hypergeom
from scipy.stats.contingency import expected_freq
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import (
    confint_proportions_2indep,
    proportion_confint,
    score_test_proportions_2indep,
)
from statsmodels.stats.proportion import test_proportions_2indep as score_test_2indep

from pipeline import stats
from pipeline.rates import SELECTION, note
from pipeline.stats import (
    Direction,
    adverse_impact_ratio,
    benjamini_hochberg,
    compare_rates,
    compounded_ratio,
    parity_gap,
    ratio_confidence_interval,
    relative_likelihood,
    score_test_p,
    selection_rate,
    verdict,
    verdicts,
    wilson_interval,
)

REL = 1e-9


# --------------------------------------------------------------------------- generated tables


def _generate_tables() -> list[tuple[int, int, int, int]]:
    """(a, n1, c, n2): 20 tables for each of the 16 patterns of zero cells in
    [[a, n1 - a], [c, n2 - c]], half small (up to 12 people a side), half large (up to
    6,000): every way a cell can be empty, bases of zero included."""
    rng = np.random.default_rng(20261124)
    tables = []
    for pattern in range(16):
        zero = [bool(pattern >> bit & 1) for bit in range(4)]  # a, n1-a, c, n2-c
        for i in range(20):
            high = 12 if i < 10 else 6000
            cells = [0 if z else int(rng.integers(1, high + 1)) for z in zero]
            a, fail1, c, fail2 = cells
            tables.append((a, a + fail1, c, c + fail2))
    return tables


TABLES = _generate_tables()
A, N1, C, N2 = (np.array(column) for column in zip(*TABLES, strict=True))


def _statsmodels_p(a, n1, c, n2, ratio):
    """statsmodels' two-sided score-test p-value of H0: rate ratio = ``ratio`` (arrays)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        _, p = score_test_proportions_2indep(
            a, n1, c, n2, value=ratio, compare="ratio", return_results=False
        )
    return np.asarray(p, dtype=float)


def _testable(a, n1, c, n2) -> np.ndarray:
    """Independently: bases positive, someone had the event, and scipy's expected counts
    under equal rates all at least 1 (or everyone on both sides had the event)."""
    out = []
    for table in zip(a, n1, c, n2, strict=True):
        x, m, y, n = (int(v) for v in table)
        if m == 0 or n == 0 or x + y == 0:
            out.append(False)
        elif x + y == m + n:
            out.append(True)
        else:
            expected = expected_freq([[x, m - x], [y, n - y]])
            out.append(bool(expected.min() >= 1.0))
    return np.array(out)


def _exact_mid_p(a, n1, c, n2) -> float:
    """Fisher's mid-p from scipy's Fisher p-value: less half the probability of each table
    as likely as the observed one (Lydersen, Fagerland and Laake 2009)."""
    table = [[a, n1 - a], [c, n2 - c]]
    support = np.arange(max(0, a + c - n2), min(a + c, n1) + 1)
    pmf = hypergeom.pmf(support, n1 + n2, a + c, n1)
    observed = hypergeom.pmf(a, n1 + n2, a + c, n1)
    as_likely = np.isclose(pmf, observed, rtol=1e-7, atol=0).sum()
    return fisher_exact(table).pvalue - 0.5 * as_likely * observed


def _small(a, n1, c, n2) -> np.ndarray:
    """Independently: a table with an expected count below 5 under equal rates (scipy)."""
    out = []
    for table in zip(a, n1, c, n2, strict=True):
        x, m, y, n = (int(v) for v in table)
        expected = expected_freq([[x, m - x], [y, n - y]]) if m and n else np.zeros(1)
        out.append(bool(expected.min() < 5.0))
    return np.array(out)


def test_tables_cover_every_zero_cell_pattern_and_both_sizes():
    assert len(TABLES) >= 300
    patterns = {(a == 0, n1 - a == 0, c == 0, n2 - c == 0) for a, n1, c, n2 in TABLES}
    assert len(patterns) == 16
    assert max(max(t) for t in TABLES) > 1000 and min(max(t) for t in TABLES) <= 12
    testable = _testable(A, N1, C, N2)
    assert testable.sum() >= 100 and (~testable & (N1 > 0) & (N2 > 0) & (A + C > 0)).sum() >= 20


def test_a_table_too_small_for_the_score_test_is_not_compared():
    """0 of 1 against 163 of 170: the score test's p is 6e-6, Fisher's exact test 0.047: a
    verdict about one person. An expected count is below 1, so no comparison is made."""
    assert fisher_exact([[0, 1], [163, 7]])[1] == pytest.approx(8 / 171)
    small = compare_rates([0, 0, 2, 0], [1, 1, 2, 5], [163, 10, 87, 2], [170, 10, 390, 2])
    assert not small.is_computable.any()
    assert np.isnan(small.p_value).all() and np.isnan(small.ci_lower).all()
    # The boundary: expected counts exactly 1 are compared (2 of 4 against 0 of 4 has
    # expected counts 1, 3, 1, 3); everyone on both sides with the event is compared too.
    edge = compare_rates([2, 1, 3], [4, 1, 3], [0, 1, 5], [4, 1, 5])
    assert edge.is_computable.all()
    assert edge.p_value[1] == 1.0 and edge.p_value[2] == 1.0
    assert (
        note(0, 1, 163, 170, SELECTION) == "too few people to compare (an expected count below 1)"
    )


@pytest.mark.parametrize("confidence", [0.95, 0.9])
def test_interval_is_what_the_statsmodels_score_test_accepts(confidence):
    alpha = 1 - confidence
    got = compare_rates(A, N1, C, N2, confidence)
    ok = got.is_computable
    # Computable exactly when both bases are positive, someone had the event and every
    # expected count is at least 1 (or everyone had it).
    assert (ok == _testable(A, N1, C, N2)).all()
    # A small table whose mid-p test accepts equality where the score test rejects it has
    # its interval widened to 1 (test_a_small_table_is_decided_by_the_exact_test_too).
    widened = _small(A, N1, C, N2) & (got.p_value >= alpha)
    widened &= (_statsmodels_p(A, N1, C, N2, 1.0) < alpha) & ok
    ok = ok & ~widened
    a, n1, c, n2 = A[ok], N1[ok], C[ok], N2[ok]
    lower, upper = got.ci_lower[ok], got.ci_upper[ok]
    for i in range(ok.sum()):
        table = (a[i], n1[i], c[i], n2[i])
        if lower[i] > 0:
            assert _statsmodels_p(*table, lower[i]) >= alpha - 1e-9, table
            assert _statsmodels_p(*table, lower[i] * (1 - 1e-7)) < alpha, table
        else:  # only when nobody in the group had the event: every ratio down to 0 accepted
            assert a[i] == 0, table
            assert _statsmodels_p(*table, 1e-9) >= alpha, table
        if math.isfinite(upper[i]):
            assert _statsmodels_p(*table, upper[i]) >= alpha - 1e-9, table
            assert _statsmodels_p(*table, upper[i] * (1 + 1e-7)) < alpha, table
        else:  # only when nobody in the comparator had it
            assert c[i] == 0, table
            assert _statsmodels_p(*table, 1e9) >= alpha, table
    # And between and beyond the bounds: accepted exactly inside the interval.
    for ratio in np.geomspace(1e-3, 1e3, 61):
        p = _statsmodels_p(a, n1, c, n2, ratio)
        # statsmodels' statistic is 0/0 at ratio 1 when both groups all had the event (1 is
        # then inside the interval, which the exact-estimate test below checks).
        undefined = np.isnan(p)
        assert ((a == n1) & (c == n2))[undefined].all()
        inside = (lower <= ratio) & (ratio <= upper)
        with np.errstate(divide="ignore"):
            clear = (np.abs(ratio / lower - 1) > 1e-6) & (np.abs(ratio / upper - 1) > 1e-6)
        assert ((p >= alpha) == inside)[clear & ~undefined].all(), ratio


def test_p_value_is_statsmodels_score_test():
    """Where every expected count is at least 5; below it, the larger of the score test's
    and the exact mid-p test's (test_a_small_table_is_decided_by_the_exact_test_too)."""
    got = compare_rates(A, N1, C, N2)
    for i in np.flatnonzero(got.is_computable & ~_small(A, N1, C, N2)):
        table = (int(A[i]), int(N1[i]), int(C[i]), int(N2[i]))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            expected = score_test_2indep(*table, method="score", compare="ratio").pvalue
        if math.isnan(expected):  # statsmodels: 0/0 when both groups all had the event
            assert table[0] == table[1] and table[2] == table[3]
            assert got.p_value[i] == 1.0
        else:
            assert got.p_value[i] == pytest.approx(expected, rel=1e-9, abs=1e-300), table


def test_a_small_table_is_decided_by_the_exact_test_too():
    """Hostile 6, finding 18: below an expected count of 5 (Cochran's rule for a 2x2 table)
    the score test's p-value was 3 to 7 times Fisher's, and such rows were "significant"
    after the false discovery rate. Now the p-value is the larger of the score test's and
    Fisher's mid-p, and the interval includes 1 whenever that p-value does not reject."""
    got = compare_rates(A, N1, C, N2)
    small = got.is_computable & _small(A, N1, C, N2)
    assert small.sum() >= 50
    for i in np.flatnonzero(small):
        table = (int(A[i]), int(N1[i]), int(C[i]), int(N2[i]))
        score = (
            float(_statsmodels_p(*table, 1.0)) if table[0] + table[2] < table[1] + table[3] else 1.0
        )
        expected = max(score, _exact_mid_p(*table))
        assert got.p_value[i] == pytest.approx(expected, rel=1e-9, abs=1e-15), table
        assert (got.ci_lower[i] <= 1.0 <= got.ci_upper[i]) == (expected >= 0.05), table
    assert (got.p_value[small] > _statsmodels_p(A, N1, C, N2, 1.0)[small]).any()
    # 5 of 10 against 3 of 20: the score test rejects equality (p = 0.0445, interval 1.06 to
    # 10.93), the mid-p test does not (0.0533): not significant, the interval from 1.
    one = compare_rates([5], [10], [3], [20])
    assert float(_statsmodels_p(5, 10, 3, 20, 1.0)) == pytest.approx(0.044514683, rel=1e-6)
    assert one.p_value[0] == pytest.approx(_exact_mid_p(5, 10, 3, 20), rel=1e-12)
    assert one.p_value[0] == pytest.approx(0.0532990, rel=1e-5)
    assert one.ci_lower[0] == 1.0 and one.ci_upper[0] == pytest.approx(10.92959527, rel=1e-7)
    assert not one.is_significant[0]
    assert verdict(one.ratio[0], 1.0, one.ci_upper[0], direction=Direction.HIGHER_IS_BETTER,
                   rate_name="pass rate") == "higher pass rate, not significant"  # fmt: skip


@pytest.mark.parametrize(
    ("table", "score_p", "mid_p"),
    [  # the demo's misconduct rows of the finding: score p 3 to 7 times the exact one
        ((4, 699, 6, 5820), 0.00275, 0.0092191),
        ((5, 33, 234, 5666), 0.00164, 0.0067330),
        ((5, 5, 234, 734), 0.00118, 0.0017193),
    ],
)
def test_the_findings_tables_take_fishers_mid_p(table, score_p, mid_p):
    a, n1, c, n2 = table
    assert float(_statsmodels_p(*table, 1.0)) == pytest.approx(score_p, rel=0.01)
    fisher = fisher_exact([[a, n1 - a], [c, n2 - c]]).pvalue
    scipy_mid_p = fisher - 0.5 * hypergeom.pmf(a, n1 + n2, a + c, n1)
    assert scipy_mid_p == pytest.approx(mid_p, rel=1e-4)
    assert score_test_p(*table) == pytest.approx(scipy_mid_p, rel=1e-12)


def test_interval_is_statsmodels_closed_form_without_zero_cells():
    """Koopman's closed form (Nam 1995) as statsmodels computes it. Only where no cell is
    zero: statsmodels 0.15.0 picks the wrong root when a group all had the event (for 10 of
    10 against 5 of 10 it returns a lower bound of 1.33 where its own test accepts 1.25)."""
    no_zero = [t for t in TABLES if min(t[0], t[1] - t[0], t[2], t[3] - t[2]) > 0]
    assert len(no_zero) >= 20
    for table in no_zero:
        lower, upper = confint_proportions_2indep(*table, method="score", compare="ratio")
        got = ratio_confidence_interval(*table)
        if _small(*([v] for v in table))[0] and score_test_p(*table) >= 0.05:
            lower, upper = min(lower, 1.0), max(upper, 1.0)  # the exact test does not reject
        assert got == pytest.approx((lower, upper), rel=1e-7), table


@pytest.mark.parametrize("confidence", [0.95, 0.9, 0.99])
def test_estimate_inside_and_significance_exactly_when_the_interval_excludes_one(confidence):
    got = compare_rates(A, N1, C, N2, confidence)
    ok = got.is_computable
    estimate = np.where(C > 0, got.ratio, np.inf)[ok]
    assert (got.ci_lower[ok] <= estimate).all() and (estimate <= got.ci_upper[ok]).all()
    assert (got.ci_lower[ok][A[ok] == 0] == 0).all()
    assert np.isinf(got.ci_upper[ok][C[ok] == 0]).all()
    excludes_one = (got.ci_lower > 1) | (got.ci_upper < 1)
    assert (got.is_significant == (ok & excludes_one)).all()
    assert ((got.p_value < 1 - confidence) == excludes_one)[ok].all()
    assert np.isnan(got.ratio[~ok]).all() and np.isnan(got.p_value[~ok]).all()
    assert np.isnan(got.ci_lower[~ok]).all() and np.isnan(got.ci_upper[~ok]).all()


def test_the_same_table_gives_the_same_figures_in_any_company():
    alone = compare_rates([3], [10], [0], [10])
    together = compare_rates([5, 3, 3], [9, 10, 10], [1, 0, 0], [20, 10, 10])
    for name in ("ratio", "ci_lower", "ci_upper", "p_value"):
        assert np.array_equal(getattr(alone, name), getattr(together, name)[1:2], equal_nan=True)


# --------------------------------------------------------------------------- the cases


def test_no_passes_in_the_group_gives_zero_inside_its_interval():
    # 0 of 10 against 5 of 10: the estimate 0, lower bound 0, and a finite upper bound below
    # 1, agreeing with the test (expected counts 2.5: Fisher's mid-p 0.0163, the score test
    # 0.0118): a lower pass rate, significant.
    result = compare_rates([0], [10], [5], [10])
    assert result.ratio[0] == 0.0 and result.ci_lower[0] == 0.0
    assert result.ci_upper[0] == pytest.approx(0.6411778729679285, rel=1e-9)
    assert result.p_value[0] == pytest.approx(0.016253869969040248, rel=1e-9)
    assert result.is_significant[0]
    assert verdict(0.0, 0.0, result.ci_upper[0], direction=Direction.HIGHER_IS_BETTER,
                   rate_name="pass rate") == "lower pass rate, significant"  # fmt: skip


def test_one_chief_constable_against_the_constables():
    # 0 of 1 against 97 of 5,095: an expected count of 0.02; nothing to conclude, so no
    # comparison is made (before the rule: estimate 0 in an interval of 0 to 42.95).
    assert ratio_confidence_interval(0, 1, 97, 5095) is None
    assert score_test_p(0, 1, 97, 5095) is None


def test_a_group_of_one_is_never_compared():
    # 105 of 164 against 1 of 1: Katz with Haldane gave a falsely narrow 0.571 to 0.718
    # beside p = 1.0; a comparator of one person is too few for any interval.
    assert ratio_confidence_interval(105, 164, 1, 1) is None
    # The smallest comparator a 1-in-2 rate can be compared with: expected counts 1.
    assert ratio_confidence_interval(1, 2, 1, 2) is not None


def test_no_passes_in_the_comparator_is_one_sided():
    # 3 of 10 against 0 of 10: no estimate (the ratio is unbounded), a lower bound, no upper.
    assert adverse_impact_ratio(3, 10, 0, 10) is None
    lower, upper = ratio_confidence_interval(3, 10, 0, 10)
    assert lower == pytest.approx(0.8807470560354821, rel=1e-9) and upper == math.inf
    assert score_test_p(3, 10, 0, 10) == pytest.approx(0.10526315789473684, rel=1e-9)  # mid-p
    assert verdict(None, lower, upper, direction=Direction.HIGHER_IS_BETTER,
                   rate_name="pass rate") == "higher pass rate, not significant"  # fmt: skip


def test_nobody_or_everybody_passing():
    assert ratio_confidence_interval(0, 10, 0, 12) is None
    assert score_test_p(0, 10, 0, 12) is None
    assert ratio_confidence_interval(0, 0, 3, 4) is None
    # Everyone passed on both sides: ratio 1, p = 1, a finite interval around 1.
    lower, upper = ratio_confidence_interval(10, 10, 20, 20)
    assert lower < 1 < upper and score_test_p(10, 10, 20, 20) == 1.0
    assert _statsmodels_p(10, 10, 20, 20, lower) == pytest.approx(0.05, abs=1e-9)


def test_wres_worked_example():
    # White 117 of 389 shortlisted appointed, BME 2 of 10: 0.3008 / 0.2 = 1170/778 = 1.504.
    rl = relative_likelihood(group_passed=2, group_entered=10, ref_passed=117, ref_entered=389)
    assert rl == pytest.approx(1170 / 778, rel=1e-15)
    assert round(rl, 3) == 1.504
    assert adverse_impact_ratio(2, 10, 117, 389) == pytest.approx(778 / 1170, rel=1e-15)
    lower, upper = ratio_confidence_interval(2, 10, 117, 389)
    assert (lower, upper) == pytest.approx((0.1868784914729874, 1.7287132690564322), rel=1e-7)
    # an expected count of 2.9: Fisher's mid-p (the score test's p is 0.492)
    assert score_test_p(2, 10, 117, 389) == pytest.approx(0.6115562765288026, rel=1e-9)


METHODOLOGY = Path(__file__).parents[2] / "docs" / "methodology.md"


def test_methodology_worked_example():
    # docs/methodology.md, section 5: 30 of 100 against 50 of 100.
    lower, upper = ratio_confidence_interval(30, 100, 50, 100)
    assert (round(lower, 3), round(upper, 3)) == (0.416, 0.852)
    assert round(score_test_p(30, 100, 50, 100), 4) == 0.0040
    text = METHODOLOGY.read_text(encoding="utf-8")
    assert "p = 0.0040" in text and "**0.416 to 0.852**" in text


@pytest.mark.parametrize(
    ("table", "row"),
    [
        ((0, 10, 5, 10), "| 0 of 10 | 5 of 10 | 0 | 0 to 0.641 | 0.016 |"),
        (
            (3, 10, 0, 10),
            "| 3 of 10 | 0 of 10 | none (unbounded) | 0.881 to no upper limit | 0.105 |",
        ),
        ((10, 10, 20, 20), "| 10 of 10 | 20 of 20 | 1 | 0.716 to 1.199 | 1 |"),
        ((0, 1, 97, 5095), "| 0 of 1 | 97 of 5,095 | not compared: too few | none | none |"),
        ((105, 164, 1, 1), "| 105 of 164 | 1 of 1 | not compared: too few | none | none |"),
        ((0, 1, 163, 170), "| 0 of 1 | 163 of 170 | not compared: too few | none | none |"),
    ],
)
def test_methodology_table_is_what_the_code_computes(table, row):
    """Each row of the table in docs/methodology.md, section 5, recomputed."""
    assert row in METHODOLOGY.read_text(encoding="utf-8")
    cells = [c.strip() for c in row.strip("|").split("|")]
    ratio, interval, p = cells[2], cells[3], cells[4]
    if ratio == "not compared: too few":
        assert ratio_confidence_interval(*table) is None and score_test_p(*table) is None
        return
    lower, upper = ratio_confidence_interval(*table)
    low_text, high_text = interval.split(" to ")
    assert float(low_text) == pytest.approx(lower, abs=0.5 * 10 ** -_decimals(low_text))
    if high_text == "no upper limit":
        assert upper == math.inf
    else:
        assert float(high_text) == pytest.approx(upper, abs=0.5 * 10 ** -_decimals(high_text))
    assert float(p) == pytest.approx(score_test_p(*table), abs=0.5 * 10 ** -_decimals(p))
    estimate = adverse_impact_ratio(*table)
    if ratio.startswith("none"):
        assert estimate is None
    else:
        assert float(ratio) == pytest.approx(estimate, abs=0.5 * 10 ** -_decimals(ratio))


def _decimals(text: str) -> int:
    return len(text.partition(".")[2])


# --------------------------------------------------------------------------- many comparisons


def test_benjamini_hochberg_matches_statsmodels():
    rng = np.random.default_rng(7)
    for size in (1, 2, 7, 40, 300):
        p = rng.uniform(size=size) ** 3
        p[rng.uniform(size=size) < 0.2] = np.nan
        tested = ~np.isnan(p)
        got, sizes = benjamini_hochberg(p)
        assert np.isnan(got[~tested]).all() and (sizes[~tested] == 0).all()
        assert (sizes[tested] == tested.sum()).all()
        if tested.any():
            expected = multipletests(p[tested], method="fdr_bh")[1]
            assert got[tested] == pytest.approx(expected, rel=1e-12)
            assert (got[tested] >= p[tested]).all()


def test_benjamini_hochberg_within_families_at_once():
    rng = np.random.default_rng(8)
    p = rng.uniform(size=500) ** 2
    p[rng.uniform(size=500) < 0.1] = np.nan
    families = rng.integers(0, 37, size=500)
    got, sizes = benjamini_hochberg(p, families)
    for family in np.unique(families):
        members = (families == family) & ~np.isnan(p)
        if members.any():
            expected = multipletests(p[members], method="fdr_bh")[1]
            assert got[members] == pytest.approx(expected, rel=1e-12)
            assert (sizes[members] == members.sum()).all()


def test_benjamini_hochberg_by_hand():
    # m = 4: 0.01*4/1 = 0.04, 0.02*4/2 = 0.04, 0.03*4/3 = 0.04, 0.5*4/4 = 0.5.
    adjusted, sizes = benjamini_hochberg([0.03, 0.5, 0.01, 0.02])
    assert adjusted == pytest.approx([0.04, 0.5, 0.04, 0.04])
    assert sizes.tolist() == [4, 4, 4, 4]
    assert benjamini_hochberg([])[0].size == 0
    assert np.isnan(benjamini_hochberg([np.nan])[0]).all()


# --------------------------------------------------------------------------- words


@pytest.mark.parametrize(
    ("ratio", "lower", "upper", "direction", "expected"),
    [
        (0.5, 0.3, 0.8, Direction.HIGHER_IS_BETTER, "lower pass rate, significant"),
        (0.5, 0.2, 1.3, Direction.HIGHER_IS_BETTER, "lower pass rate, not significant"),
        (0.9, 0.85, 0.95, Direction.HIGHER_IS_BETTER, "lower pass rate, significant"),
        (0.9, 0.6, 1.3, Direction.HIGHER_IS_BETTER, "no clear difference"),
        (0.8, 0.6, 1.1, Direction.HIGHER_IS_BETTER, "no clear difference"),
        (1.25, 0.9, 1.7, Direction.HIGHER_IS_BETTER, "no clear difference"),
        (1.26, 0.9, 1.7, Direction.HIGHER_IS_BETTER, "higher pass rate, not significant"),
        (0.51, 0.2, 1.2, Direction.HIGHER_IS_WORSE, "lower pass rate, not significant"),
        (1.5, 1.1, 2.0, Direction.HIGHER_IS_WORSE, "higher pass rate, significant"),
        (1.53, 1.2, 1.9, Direction.NEITHER, "over-represented, significant"),
        (0.4, 0.2, 0.7, Direction.NEITHER, "under-represented, significant"),
        (None, 1.4, math.inf, Direction.NEITHER, "over-represented, significant"),
        (None, None, None, Direction.NEITHER, "not computable"),
    ],
)
def test_verdict_words(ratio, lower, upper, direction, expected):
    got = verdict(ratio, lower, upper, direction=direction, rate_name="pass rate")
    assert got == expected
    assert "favourable" not in got and "adverse" not in got


def test_a_verdict_significant_only_before_adjustment_says_it_could_be_chance():
    """The report prints "could be chance (p = 0.033; p = 0.098 allowing for 15
    comparisons)" beside the verdict: the verdict must not call that row just significant."""
    got = verdicts(
        [0.61, 0.61, 0.61, 0.9],
        [0.39, 0.39, 0.3, 0.5],
        [0.96, 0.96, 1.2, 1.3],
        direction=Direction.NEITHER,
        rate_name="share",
        survives_adjustment=[True, False, False, False],
        comparisons=[15, 1_500, 15, 15],
    )
    assert got.tolist() == [
        "under-represented, significant",
        "under-represented, significant on its own, could be chance among 1,500 comparisons",
        "under-represented, not significant",
        "no clear difference",
    ]


# --------------------------------------------------------------------------- rates and more


@pytest.mark.parametrize("table", TABLES[::8])
def test_wilson_matches_statsmodels(table):
    a, n1, c, n2 = table
    for x, n in ((a, n1), (c, n2)):
        if n == 0:
            assert wilson_interval(x, n) is None
            continue
        for conf in (0.95, 0.9):
            lo, hi = proportion_confint(x, n, alpha=1 - conf, method="wilson")
            assert wilson_interval(x, n, conf) == pytest.approx((lo, hi), rel=1e-12, abs=1e-15)


def test_four_fifths_boundary_is_exact():
    assert adverse_impact_ratio(4, 10, 5, 10) == 0.8
    assert adverse_impact_ratio(5, 10, 4, 10) == 1.25
    assert stats.FOUR_FIFTHS == 0.8


def test_selection_rate_and_ratios_simple():
    assert selection_rate(3, 12) == 0.25
    assert selection_rate(0, 0) is None
    assert adverse_impact_ratio(3, 12, 1, 2) == 0.5
    assert relative_likelihood(3, 12, 1, 2) == 2.0
    assert relative_likelihood(0, 12, 1, 2) is None
    assert adverse_impact_ratio(3, 12, 0, 2) is None


def test_compounded_ratio():
    assert compounded_ratio([0.9] * 4) == pytest.approx(0.6561, rel=1e-12)
    assert compounded_ratio([0.9, None, 0.9]) is None
    assert compounded_ratio([]) is None
    with pytest.raises(ValueError):
        compounded_ratio([0.9, -0.1])


def test_parity_gap():
    assert parity_gap(0.18, 1000, 120) == pytest.approx(60.0, rel=1e-12)
    assert parity_gap(0.05, 200, 15) == pytest.approx(-5.0, rel=1e-12)
    assert parity_gap(None, 1000, 120) is None
    with pytest.raises(ValueError):
        parity_gap(1.5, 1000, 120)


@pytest.mark.parametrize(
    "call",
    [
        lambda: selection_rate(5, 4),
        lambda: selection_rate(-1, 4),
        lambda: selection_rate(1.5, 4),
        lambda: adverse_impact_ratio(1, 2, 3, 2),
        lambda: score_test_p(1, 2, True, 2),
        lambda: wilson_interval(1, 2, confidence=1.0),
        lambda: ratio_confidence_interval(1, 2, 1, 2, confidence=0.0),
        lambda: compare_rates([1, 5], [2, 4], [1, 1], [2, 2]),
        lambda: compare_rates([1, np.nan], [2, 4], [1, 1], [2, 2]),
        lambda: compare_rates([1, 1.5], [2, 4], [1, 1], [2, 2]),
    ],
)
def test_invalid_input_raises(call):
    with pytest.raises(ValueError):
        call()


def test_accepts_numpy_and_integral_float_counts():
    assert adverse_impact_ratio(np.int64(4), np.int32(10), 5.0, np.float64(10)) == 0.8
    assert compare_rates(np.array([4.0]), [10], [5], [10]).ratio[0] == 0.8
