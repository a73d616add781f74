"""Independent reference values for the score interval and test that pipeline.stats computes:
statsmodels' Miettinen-Nurminen score test (``test_proportions_2indep``), inverted here with
scipy's root finder, so a model test can check a view's figures without pipeline.stats."""

from __future__ import annotations

import math
import warnings

from scipy.optimize import brentq
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
