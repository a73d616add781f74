"""Independent reference values for the score interval and test that pipeline.stats computes:
statsmodels' Miettinen-Nurminen score test (``test_proportions_2indep``), inverted here with
scipy's root finder, so a model test can check a view's figures without pipeline.stats; and,
where an expected count is below 5, Fisher's mid-p from scipy (:func:`comparison_p`)."""

from __future__ import annotations

import math
import warnings

import numpy as np
from scipy.optimize import brentq
from scipy.stats import fisher_exact, hypergeom
from scipy.stats.contingency import expected_freq
from statsmodels.stats.proportion import test_proportions_2indep


def score_p(a: int, n1: int, c: int, n2: int, ratio: float = 1.0) -> float:
    """Two-sided p-value of H0: (a/n1) / (c/n2) = ratio; 1 where statsmodels has 0/0 (both
    groups all had the event, ratio 1)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        p = test_proportions_2indep(a, n1, c, n2, value=ratio, method="score", compare="ratio")
    return 1.0 if math.isnan(p.pvalue) else float(p.pvalue)


def score_interval(a: int, n1: int, c: int, n2: int, confidence: float = 0.95):
    """The ratios the test does not reject at 1 - confidence: (lower, upper), with lower 0
    when a = 0 and upper inf when c = 0."""
    alpha = 1 - confidence

    def excess(log_ratio: float) -> float:
        return score_p(a, n1, c, n2, math.exp(log_ratio)) - alpha

    centre = math.log(a * n2 / (n1 * c)) if a and c else (-30.0 if c else 30.0)
    lower = 0.0 if a == 0 else math.exp(brentq(excess, -60.0, centre, xtol=1e-14))
    upper = math.inf if c == 0 else math.exp(brentq(excess, centre, 60.0, xtol=1e-14))
    return lower, upper


def _small(a: int, n1: int, c: int, n2: int) -> bool:
    return bool(expected_freq([[a, n1 - a], [c, n2 - c]]).min() < 5.0)


def mid_p(a: int, n1: int, c: int, n2: int) -> float:
    """Fisher's two-sided mid-p: scipy's Fisher p-value less half the probability of each
    table as likely as the observed one (Lydersen, Fagerland and Laake 2009)."""
    support = np.arange(max(0, a + c - n2), min(a + c, n1) + 1)
    pmf = hypergeom.pmf(support, n1 + n2, a + c, n1)
    observed = hypergeom.pmf(a, n1 + n2, a + c, n1)
    as_likely = np.isclose(pmf, observed, rtol=1e-7, atol=0).sum()
    return float(fisher_exact([[a, n1 - a], [c, n2 - c]]).pvalue - 0.5 * as_likely * observed)


def comparison_p(a: int, n1: int, c: int, n2: int) -> float:
    """The p-value a comparison reports: the score test's, or where an expected count is
    below 5 the larger of it and Fisher's mid-p."""
    score = score_p(a, n1, c, n2)
    if a + c == n1 + n2 or not _small(a, n1, c, n2):
        return score
    return max(score, mid_p(a, n1, c, n2))


def comparison_interval(a: int, n1: int, c: int, n2: int, confidence: float = 0.95):
    """The interval a comparison reports: the score interval, extended to 1 where an
    expected count is below 5 and :func:`comparison_p` does not reject equality."""
    lower, upper = score_interval(a, n1, c, n2, confidence)
    if comparison_p(a, n1, c, n2) >= 1 - confidence:
        return min(lower, 1.0), max(upper, 1.0)
    return lower, upper
