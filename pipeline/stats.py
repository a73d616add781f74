"""Fairness statistics: rates, the ratio of two rates with its score interval and score test,
the false discovery rate, and the words of a verdict.

One method family for every comparison of two groups' rates: the **Miettinen-Nurminen score
test** of "the ratio of the two rates is R" and the **score interval** obtained by inverting
it (every R the test does not reject). Because the interval is the set of ratios the test
accepts, the test of R = 1 is significant exactly when the interval excludes 1, and the point
estimate (where the statistic is 0) always lies inside its interval. Zero cells need no
correction: no passes in the group gives an estimate of 0 with a lower bound of exactly 0;
no passes in the comparator gives an unbounded (infinite) upper side and no point estimate.
Sources: Miettinen O, Nurminen M (1985), "Comparative analysis of two rates", *Statistics in
Medicine* 4:213-226; Koopman PAR (1984), *Biometrics* 40:513-517 (the same interval without
the N/(N-1) variance factor); recommended for the ratio of two independent proportions by
Fagerland MW, Lydersen S, Laake P (2015), *Statistical Methods in Medical Research*
24:224-254. Identical to statsmodels' ``test_proportions_2indep(method="score",
compare="ratio")`` and the set of ratios it accepts (checked in the test suite).

Small tables (an expected count below :data:`EXACT_BELOW_EXPECTED_COUNT`, 5) are also given
Fisher's mid-p test, whose p-value is taken where it is the larger (the score test's is too
small there: 3 to 7 times Fisher's in the demo's misconduct rows), and the interval is
extended to 1 where that p-value does not reject equality, so test and interval still agree.
Below an expected count of 1 (:data:`MIN_EXPECTED_COUNT`) no comparison is made.

Everything is vectorised over arrays of counts and computed once per distinct table, so a
large force's thousands of rows cost milliseconds. Counts must be non-negative whole numbers
with events <= base; anything else raises ``ValueError`` (a data error upstream).

Convention: the *group* is the group under study (e.g. ethnic-minority candidates) and the
*comparator* the group it is compared with (e.g. White candidates). Ratios are group rate ÷
comparator rate unless named otherwise.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from numbers import Integral, Real
from typing import Any

import numpy as np
import pandas as pd
from scipy import special as _special
from scipy import stats as _sps

__all__ = [
    "FOUR_FIFTHS",
    "NOT_COMPUTABLE",
    "NO_CLEAR_DIFFERENCE",
    "Direction",
    "RatioComparison",
    "adverse_impact_ratio",
    "benjamini_hochberg",
    "compare_rates",
    "compounded_ratio",
    "parity_gap",
    "ratio_confidence_interval",
    "relative_likelihood",
    "score_test_p",
    "selection_rate",
    "verdict",
    "verdicts",
    "wilson_interval",
]

FOUR_FIFTHS = 0.8
"""The four-fifths threshold: below it a ratio of rates is large enough to matter. Its origin
is the US Uniform Guidelines (29 CFR 1607.4(D)); UK practice uses it through the NHS WRES
"non-adverse range" 0.80-1.25 and EHRC guidance. Its reciprocal, 1.25, is the upper end."""
EN_DASH = "\u2013"
NOT_COMPUTABLE = "not computable"
NO_CLEAR_DIFFERENCE = "no clear difference"
MIN_EXPECTED_COUNT = 1.0
"""The smallest expected count, in each of a 2x2 table's four cells under equal rates, for
which a comparison is made (Cochran WG (1954), "Some methods for strengthening the common
chi-squared tests", *Biometrics* 10:417-451: no expected count below 1). Below it the score
test's normal approximation fails: 0 of 1 against 163 of 170 gives p = 6e-6 where Fisher's
exact test gives 0.047, a verdict about one person."""
EXACT_BELOW_EXPECTED_COUNT = 5.0
"""Below this expected count in any of the four cells (Cochran's rule for a 2x2 table: none
below 5) the score test's p-value is too small (4 of 699 against 6 of 5,820: p = 0.0027, where
Fisher's exact test gives 0.016), so the table is also given Fisher's mid-p test (Lydersen S,
Fagerland MW, Laake P (2009), "Recommended tests for association in 2x2 tables", *Statistics
in Medicine* 28:1159-1175) and the larger p-value of the two is the comparison's: see
:func:`compare_rates`."""

# Ratios searched for the interval's bounds: exp(-60) to exp(60). A bound beyond this range
# would need a rate ratio of 10^26, which no count of people can produce.
_LOG_LIMIT = 60.0
# Bisection steps on the log scale: 120 / 2**64 is below double precision.
_BISECTIONS = 64


# --------------------------------------------------------------------------- validation


def _count(value: Any, name: str) -> int:
    """A non-negative whole number as ``int`` (accepts numpy ints and integral floats)."""
    if isinstance(value, bool):
        raise ValueError(f"{name} must be a count, got a bool ({value!r})")
    whole = isinstance(value, Integral) or (
        isinstance(value, Real) and math.isfinite(float(value)) and float(value).is_integer()
    )
    if not whole:
        raise ValueError(f"{name} must be a whole number, got {value!r}")
    out = int(value)
    if out < 0:
        raise ValueError(f"{name} must not be negative, got {out}")
    return out


def _pair(passed: Any, entered: Any, passed_name: str, entered_name: str) -> tuple[int, int]:
    p = _count(passed, passed_name)
    n = _count(entered, entered_name)
    if p > n:
        raise ValueError(f"{passed_name} ({p}) is greater than {entered_name} ({n})")
    return p, n


def _table(
    group_passed: Any, group_entered: Any, ref_passed: Any, ref_entered: Any
) -> tuple[int, int, int, int]:
    a, n1 = _pair(group_passed, group_entered, "group_passed", "group_entered")
    c, n2 = _pair(ref_passed, ref_entered, "ref_passed", "ref_entered")
    return a, n1, c, n2


def _alpha(confidence: float) -> float:
    if not (isinstance(confidence, Real) and 0.0 < float(confidence) < 1.0):
        raise ValueError(f"confidence must be strictly between 0 and 1, got {confidence!r}")
    return 1.0 - float(confidence)


def _z(confidence: float) -> float:
    """Two-sided standard-normal critical value; isf as statsmodels uses, to match it."""
    z = float(_sps.norm.isf(_alpha(confidence) / 2.0))
    if not math.isfinite(z):
        raise ValueError(f"confidence {confidence!r} is too close to 1")
    return z


def _is_missing(x: float | None) -> bool:
    return x is None or (isinstance(x, Real) and math.isnan(float(x)))


def _count_arrays(*columns: Any) -> list[np.ndarray]:
    """Four equal-length arrays of counts as int64, validated: whole, >= 0, events <= base."""
    names = ("group_events", "group_base", "comparator_events", "comparator_base")
    out = []
    for name, column in zip(names, columns, strict=True):
        values = np.asarray(column, dtype=float)
        bad = ~np.isfinite(values) | (values < 0) | (values != np.floor(values))
        if bad.any():
            row = int(np.flatnonzero(bad)[0])
            raise ValueError(f"{name} must be whole numbers >= 0; row {row} is {column[row]!r}")
        out.append(values.astype(np.int64))
    for events, base, name in ((out[0], out[1], "group"), (out[2], out[3], "comparator")):
        over = events > base
        if over.any():
            row = int(np.flatnonzero(over)[0])
            raise ValueError(
                f"{name} events ({events[row]}) are more than its base ({base[row]}) in row {row}"
            )
    return out


# --------------------------------------------------------------------------- rates


def selection_rate(passed: int, entered: int) -> float | None:
    """Share of those who entered a stage who passed it; ``None`` when nobody entered."""
    p, n = _pair(passed, entered, "passed", "entered")
    return None if n == 0 else p / n


def wilson_interval(successes: int, n: int, confidence: float = 0.95) -> tuple[float, float] | None:
    """Wilson score interval for a proportion; ``None`` when ``n == 0``.

    Why Wilson: unlike the normal (Wald) interval it stays inside [0, 1] and keeps close to
    nominal coverage at the small counts typical of minority groups at senior ranks
    (Wilson 1927, JASA 22:209-212; Newcombe 1998, Stat Med 17:857-872, method 3). It is the
    one-sample member of the score family used for ratios below. Bounds are clipped to
    [0, 1] exactly as ``statsmodels.stats.proportion.proportion_confint(method="wilson")``.
    """
    x, m = _pair(successes, n, "successes", "n")
    z = _z(confidence)
    if m == 0:
        return None
    p = x / m
    z2 = z * z
    denom = 1.0 + z2 / m
    centre = (p + z2 / (2.0 * m)) / denom
    half = z * math.sqrt(p * (1.0 - p) / m + z2 / (4.0 * m * m)) / denom
    return (min(max(centre - half, 0.0), 1.0), min(max(centre + half, 0.0), 1.0))


# --------------------------------------------------------------------------- point ratios


def adverse_impact_ratio(
    group_passed: int, group_entered: int, ref_passed: int, ref_entered: int
) -> float | None:
    """Group selection rate ÷ comparator selection rate (the "impact ratio").

    Below 0.8 (:data:`FOUR_FIFTHS`) is large enough to matter. ``None`` when either group
    had nobody in its base or the comparator had no passes (a rate of 0 below the line).
    Computed from integer cross-products, so 4 of 10 against 5 of 10 is exactly 0.8.
    """
    a, n1, c, n2 = _table(group_passed, group_entered, ref_passed, ref_entered)
    if n1 == 0 or n2 == 0 or c == 0:
        return None
    return (a * n2) / (n1 * c)


def relative_likelihood(
    group_passed: int, group_entered: int, ref_passed: int, ref_entered: int
) -> float | None:
    """Comparator selection rate ÷ group selection rate; above 1 favours the comparator.

    NHS Workforce Race Equality Standard, indicator 2: "relative likelihood of White staff
    being appointed from shortlisting compared to BME staff" (NHS England, WRES technical
    guidance). The reciprocal of :func:`adverse_impact_ratio`; ``None`` when either group
    had nobody in its base or the group had no passes.
    Example: White 117 of 389 (0.3008), BME 2 of 10 (0.2) gives 1.5039.
    """
    a, n1, c, n2 = _table(group_passed, group_entered, ref_passed, ref_entered)
    if n1 == 0 or n2 == 0 or a == 0:
        return None
    return (c * n1) / (n2 * a)


# --------------------------------------------------------------------------- score method


def _score_z(a, n1, c, n2, ratio):
    """Miettinen-Nurminen score statistic for H0: (a/n1) ÷ (c/n2) = ratio (arrays).

    The variance is evaluated at the maximum-likelihood rates under H0 (the smaller root of
    a quadratic, written in its cancellation-free form) and multiplied by N/(N-1). A zero
    residual is 0 whatever the variance (everyone or nobody passed in both groups at R = 1);
    a non-zero residual over a zero variance is infinite.
    """
    n = n1 + n2
    events = a + c
    qa = n * ratio
    qb = -(n1 * ratio + a + n2 + c * ratio)
    root = np.sqrt(np.maximum(qb * qb - 4.0 * qa * events, 0.0))
    p2 = np.clip(2.0 * events / (-qb + root), 0.0, 1.0)
    p1 = np.clip(ratio * p2, 0.0, 1.0)
    variance = (p1 * (1.0 - p1) / n1 + ratio * ratio * p2 * (1.0 - p2) / n2) * n / (n - 1.0)
    residual = a / n1 - ratio * (c / n2)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = residual / np.sqrt(variance)
    z = np.where(residual == 0.0, 0.0, z)
    return np.where(np.isnan(z), np.copysign(np.inf, residual), z)


def _two_sided_p(z):
    return np.minimum(2.0 * _special.ndtr(-np.abs(z)), 1.0)


def _accepts(a, n1, c, n2, log_ratio, alpha):
    return _two_sided_p(_score_z(a, n1, c, n2, np.exp(log_ratio))) >= alpha


def _bisect(a, n1, c, n2, accepted, rejected, alpha):
    """The boundary of the accepted ratios between a log ratio the test accepts and one it
    rejects; returns the accepted end, so the bound itself belongs to the interval."""
    for _ in range(_BISECTIONS):
        middle = (accepted + rejected) / 2.0
        ok = _accepts(a, n1, c, n2, middle, alpha)
        accepted = np.where(ok, middle, accepted)
        rejected = np.where(ok, rejected, middle)
    return accepted


@dataclass(frozen=True)
class RatioComparison:
    """Figures for many 2x2 tables at once, one element per table (float arrays, NaN where a
    figure does not exist).

    ``ratio``: group rate ÷ comparator rate; NaN when a base is 0 or the comparator rate is 0
    (then the ratio is unbounded and the interval has no upper limit). ``ci_lower`` and
    ``ci_upper``: the score interval; ``ci_upper`` is ``inf`` when no one in the comparator
    had the event, ``ci_lower`` 0 when no one in the group had it. ``p_value``: the score
    test of ratio = 1, two-sided. ``is_computable``: both bases > 0, someone in either
    group had the event, and the table is :func:`large_enough` for the test; where it is
    False every figure above is NaN.
    """

    ratio: np.ndarray
    ci_lower: np.ndarray
    ci_upper: np.ndarray
    p_value: np.ndarray
    is_computable: np.ndarray

    @property
    def is_significant(self) -> np.ndarray:
        """The interval excludes 1 (False where not computable)."""
        return self.is_computable & ((self.ci_lower > 1.0) | (self.ci_upper < 1.0))


def _compare_distinct(a, n1, c, n2, alpha) -> tuple[np.ndarray, ...]:
    """The score figures for tables that are all computable (n1, n2 > 0 and a + c > 0)."""
    a, n1, c, n2 = (np.asarray(x, dtype=float) for x in (a, n1, c, n2))
    p = _two_sided_p(_score_z(a, n1, c, n2, np.ones_like(a)))
    one_accepted = p >= alpha
    with np.errstate(divide="ignore"):
        log_estimate = np.log(a * n2) - np.log(n1 * c)  # -inf when a = 0, +inf when c = 0
    log_estimate = np.clip(log_estimate, -_LOG_LIMIT, _LOG_LIMIT)
    # Each search starts between a ratio the test accepts and one it rejects. Where it
    # accepts 1, 1 is a starting point on the accepted side of both searches, so the
    # interval contains 1; where it rejects 1, 1 is the rejected end of the search on that
    # side, so the interval excludes it. The estimate (statistic 0) is always accepted.
    lower_from = np.where(one_accepted, np.minimum(log_estimate, 0.0), log_estimate)
    lower_to = np.where(one_accepted | (log_estimate < 0.0), -_LOG_LIMIT, 0.0)
    upper_from = np.where(one_accepted, np.maximum(log_estimate, 0.0), log_estimate)
    upper_to = np.where(one_accepted | (log_estimate > 0.0), _LOG_LIMIT, 0.0)
    lower = np.exp(_bisect(a, n1, c, n2, lower_from, lower_to, alpha))
    upper = np.exp(_bisect(a, n1, c, n2, upper_from, upper_to, alpha))
    # Open ends: no one in the group had the event (the test accepts every ratio down to 0),
    # or no one in the comparator did (every ratio up to infinity).
    lower = np.where((a == 0) | _accepts(a, n1, c, n2, lower_to, alpha), 0.0, lower)
    upper = np.where((c == 0) | _accepts(a, n1, c, n2, upper_to, alpha), np.inf, upper)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(c > 0, (a * n2) / (n1 * c), np.nan)
    # A small table: the mid-p test decides too, and the interval then includes 1 when the
    # larger p-value does not reject equality, so that interval and p-value still agree.
    small = smallest_expected_count(a, n1, c, n2) < EXACT_BELOW_EXPECTED_COUNT
    if small.any():
        exact = np.array([_fisher_mid_p(*t) for t in np.column_stack([a, n1, c, n2])[small]])
        p[small] = np.maximum(p[small], exact)
        accepted = small & (p >= alpha)
        lower = np.where(accepted, np.minimum(lower, 1.0), lower)
        upper = np.where(accepted, np.maximum(upper, 1.0), upper)
    return ratio, lower, upper, p


def _fisher_mid_p(a: float, n1: float, c: float, n2: float) -> float:
    """Two-sided mid-p of Fisher's exact test (Lydersen et al. 2009): given both margins,
    the probability of the tables less likely than the observed one plus half that of the
    tables as likely (relative tolerance 1e-7, as ``scipy.stats.fisher_exact``). Where only
    the observed table is that likely, Fisher's p-value less half its probability."""
    total, events, base = int(n1 + n2), int(a + c), int(n1)
    support = np.arange(max(0, events - int(n2)), min(events, base) + 1)
    pmf = _sps.hypergeom.pmf(support, total, events, base)
    observed = _sps.hypergeom.pmf(int(a), total, events, base)
    tolerance = observed * 1e-7
    less = pmf[pmf < observed - tolerance].sum()
    equal = pmf[np.abs(pmf - observed) <= tolerance].sum()
    return float(min(less + 0.5 * equal, 1.0))


def smallest_expected_count(a, n1, c, n2) -> np.ndarray:
    """The smallest of each 2x2 table's four expected counts under equal rates (arrays of
    counts in, floats out; NaN where both bases are 0)."""
    a, n1, c, n2 = (np.asarray(x, dtype=float) for x in (a, n1, c, n2))
    total = n1 + n2
    events = a + c
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.minimum(n1, n2) * np.minimum(events, total - events) / total


def compare_rates(
    group_events: Sequence[int] | np.ndarray,
    group_base: Sequence[int] | np.ndarray,
    comparator_events: Sequence[int] | np.ndarray,
    comparator_base: Sequence[int] | np.ndarray,
    confidence: float = 0.95,
) -> RatioComparison:
    """The ratio of two rates, its score interval and score test, for arrays of 2x2 tables.

    Each distinct table is computed once. ``confidence`` is the interval's level; the test
    is significant at 1 - confidence exactly when the interval excludes 1.
    Raises ``ValueError`` naming the first row with a count that is negative, not whole,
    missing, or (events) larger than its base.
    """
    alpha = _alpha(confidence)
    a, n1, c, n2 = _count_arrays(group_events, group_base, comparator_events, comparator_base)
    size = a.size
    ratio, lower, upper, p = (np.full(size, np.nan) for _ in range(4))
    computable = (n1 > 0) & (n2 > 0) & ((a + c) > 0) & large_enough(a, n1, c, n2)
    if computable.any():
        tables = np.column_stack([a, n1, c, n2])[computable]
        distinct, inverse = np.unique(tables, axis=0, return_inverse=True)
        figures = _compare_distinct(*distinct.T, alpha)
        for target, values in zip((ratio, lower, upper, p), figures, strict=True):
            target[computable] = values[inverse.ravel()]
    return RatioComparison(ratio, lower, upper, p, computable)


def large_enough(a, n1, c, n2) -> np.ndarray:
    """Whether each 2x2 table's four expected counts under equal rates are all at least
    :data:`MIN_EXPECTED_COUNT` (arrays of counts in, a boolean array out; False where a
    base is 0). Everyone on both sides with the event counts as large enough: the rates are
    equal, whatever the numbers."""
    a, n1, c, n2 = (np.asarray(x, dtype=float) for x in (a, n1, c, n2))
    total = n1 + n2
    events = a + c
    smallest = smallest_expected_count(a, n1, c, n2)
    enough = np.nan_to_num(smallest, nan=0.0) >= MIN_EXPECTED_COUNT
    return enough | ((total > 0) & (events == total))


def _one(a: Any, n1: Any, c: Any, n2: Any, confidence: float) -> RatioComparison:
    return compare_rates(*([v] for v in _table(a, n1, c, n2)), confidence)


def ratio_confidence_interval(
    group_passed: int,
    group_entered: int,
    ref_passed: int,
    ref_entered: int,
    confidence: float = 0.95,
) -> tuple[float, float] | None:
    """The score interval for group rate ÷ comparator rate (see the module docstring).

    ``(0.0, upper)`` when the group had no passes; ``(lower, math.inf)`` when the comparator
    had none; ``None`` when either base is 0 or neither group had any passes.
    Example: 0 of 10 against 5 of 10 gives (0.0, 0.641), whose upper bound is below 1, so
    the difference is significant at 5% (:func:`score_test_p` gives 0.0163, the mid-p: an
    expected count is 2.5).
    """
    result = _one(group_passed, group_entered, ref_passed, ref_entered, confidence)
    if not result.is_computable[0]:
        return None
    return float(result.ci_lower[0]), float(result.ci_upper[0])


def score_test_p(
    group_passed: int, group_entered: int, ref_passed: int, ref_entered: int
) -> float | None:
    """Two-sided p-value of the score test that the two rates are equal (ratio = 1), or of
    Fisher's mid-p test where an expected count is below 5 and its p-value is the larger.

    The test whose inversion is :func:`ratio_confidence_interval`. ``None`` when either base
    is 0 or neither group had any passes; 1.0 when the two rates are equal.
    """
    result = _one(group_passed, group_entered, ref_passed, ref_entered, 0.95)
    return float(result.p_value[0]) if result.is_computable[0] else None


# --------------------------------------------------------------------------- many comparisons


def benjamini_hochberg(
    p_values: Sequence[float] | np.ndarray, families: Sequence[int] | np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Benjamini-Hochberg adjusted p-values within each family of comparisons.

    A comparison whose adjusted p-value is below q is a discovery with the false discovery
    rate controlled at q (Benjamini Y, Hochberg Y (1995), *J R Stat Soc B* 57:289-300):
    within a family of m, adjusted p(i) = min over j >= i of m p(j) / j, capped at 1, where
    p(1) <= ... <= p(m). ``families`` gives each comparison's family as an integer (all
    one family when None). NaN entries (comparisons that could not be made) are not counted
    in m and stay NaN. Returns the adjusted p-values and each comparison's family size m
    (0 where NaN). The same values as ``statsmodels.stats.multitest.multipletests(
    method="fdr_bh")`` applied to each family; vectorised over all families at once.
    """
    p = np.asarray(p_values, dtype=float)
    codes = np.zeros(p.shape, dtype=np.int64) if families is None else np.asarray(families)
    adjusted, sizes = np.full(p.shape, np.nan), np.zeros(p.shape, dtype=np.int64)
    tested = ~np.isnan(p)
    if not tested.any():
        return adjusted, sizes
    values, family = p[tested], codes[tested]
    order = np.lexsort((values, family))
    ranked, family = values[order], family[order]
    starts = np.flatnonzero(np.r_[True, family[1:] != family[:-1]])
    counts = np.diff(np.r_[starts, family.size])
    member = np.repeat(np.arange(starts.size), counts)
    m = counts[member]
    scaled = ranked * m / (np.arange(family.size) - starts[member] + 1)
    # The running minimum from the largest p-value down, within each family.
    step_up = _running_minimum(scaled[::-1], member[::-1])[::-1]
    # Never below the raw p-value (m p / m can round one ulp under p).
    within = np.empty(family.size)
    within[order] = np.maximum(np.minimum(step_up, 1.0), ranked)
    family_size = np.empty(family.size, dtype=np.int64)
    family_size[order] = m
    adjusted[tested], sizes[tested] = within, family_size
    return adjusted, sizes


def _running_minimum(values: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """Running minimum of ``values`` within each group (groups contiguous)."""
    return pd.Series(values).groupby(groups, sort=False).cummin().to_numpy()


# --------------------------------------------------------------------------- words


class Direction(StrEnum):
    """Which way a difference in a rate goes against the group studied."""

    HIGHER_IS_BETTER = "higher is better"
    """Passing a stage, being promoted: a lower rate is the group's disadvantage."""
    HIGHER_IS_WORSE = "higher is worse"
    """Leaving, entering a disciplinary process: a higher rate is the disadvantage."""
    NEITHER = "neither"
    """Representation in a unit or rank: under- or over-represented, neither good in itself."""


def verdict(
    ratio: float | None,
    ci_lower: float | None,
    ci_upper: float | None,
    *,
    direction: Direction,
    rate_name: str,
) -> str:
    """The plain reading of a ratio of rates and its interval.

    One of: ``"not computable"`` (no interval: nobody in a base, or nobody in either group
    had the event); ``"no clear difference"`` (the interval includes 1 and the ratio lies
    within 0.8-1.25); otherwise the direction of the difference followed by ``", significant"``
    when the interval excludes 1, else ``", not significant"``. The direction is "lower
    <rate_name>" or "higher <rate_name>" for a rate (``direction`` says which of the two is
    the group's disadvantage, so the words never need to), and "under-represented" or
    "over-represented" for representation (:attr:`Direction.NEITHER`). A missing ratio with
    an interval means the comparator's rate was 0 (the ratio is unbounded): "higher".
    """
    ratio_, lower, upper = ([np.nan if v is None else v] for v in (ratio, ci_lower, ci_upper))
    return str(verdicts(ratio_, lower, upper, direction=direction, rate_name=rate_name)[0])


def verdicts(
    ratio: Sequence[float] | np.ndarray,
    ci_lower: Sequence[float] | np.ndarray,
    ci_upper: Sequence[float] | np.ndarray,
    *,
    direction: Direction,
    rate_name: str,
    survives_adjustment: Sequence[bool] | np.ndarray | None = None,
    comparisons: Sequence[int] | np.ndarray | None = None,
) -> np.ndarray:
    """:func:`verdict` for arrays (NaN for a missing figure); an array of ``str``.

    With ``survives_adjustment`` (whether each row stays significant once the false
    discovery rate of its family is controlled) and ``comparisons`` (the family's size), a
    row significant on its own that does not survive reads "..., significant on its own,
    could be chance among <n> comparisons", so the verdict never says more than the
    adjusted p-value printed beside it.
    """
    ratio, lower, upper = (np.asarray(v, dtype=float) for v in (ratio, ci_lower, ci_upper))
    value = np.where(np.isnan(ratio), np.inf, ratio)
    computable = ~np.isnan(lower) & ~np.isnan(upper)
    significant = (lower > 1.0) | (upper < 1.0)
    within = ~significant & (value >= FOUR_FIFTHS) & (value <= 1.0 / FOUR_FIFTHS + 1e-12)
    if direction is Direction.NEITHER:
        below, above = "under-represented", "over-represented"
    else:
        below, above = f"lower {rate_name}", f"higher {rate_name}"
    words = np.where(value < 1.0, below, above).astype(object)
    decided = words + np.where(significant, ", significant", ", not significant")
    if survives_adjustment is not None:
        survives = np.asarray(survives_adjustment, dtype=bool)
        among = np.array([f"{n:,}" for n in np.asarray(comparisons, dtype=np.int64)], object)
        chance = words + ", significant on its own, could be chance among " + among
        decided = np.where(significant & ~survives, chance + " comparisons", decided)
    return np.where(
        ~computable, NOT_COMPUTABLE, np.where(within, NO_CLEAR_DIFFERENCE, decided)
    ).astype(object)


# --------------------------------------------------------------------------- pipelines


def compounded_ratio(ratios: Sequence[float | None]) -> float | None:
    """Product of per-step ratios: the cumulative effect through a rank pipeline.

    Why: small disparities compound; 0.9 at each of four promotion steps is 0.9**4 =
    0.6561 end to end, below four-fifths though no single step is. ``None`` if any step is
    None/NaN or the sequence is empty.
    """
    if len(ratios) == 0:
        return None
    product = 1.0
    for r in ratios:
        if _is_missing(r):
            return None
        assert r is not None
        if r < 0 or math.isinf(r):
            raise ValueError(f"step ratios must be finite and non-negative, got {r!r}")
        product *= float(r)
    return product if math.isfinite(product) else None


def parity_gap(
    population_share: float | None, declared_headcount: int, minority_headcount: int
) -> float | None:
    """Headcount gap to parity: population share x declared headcount - minority headcount.

    Positive = under-represented by that many people; negative = over-represented. Declared
    headcount excludes staff who did not state an ethnicity, the base the Home Office
    "Police workforce, England and Wales" statistics use. ``None`` when the population
    share is missing (None/NaN).
    """
    if _is_missing(population_share):
        return None
    assert population_share is not None
    share = float(population_share)
    if not 0.0 <= share <= 1.0:
        raise ValueError(f"population_share must be between 0 and 1, got {population_share!r}")
    declared = _count(declared_headcount, "declared_headcount")
    minority = _count(minority_headcount, "minority_headcount")
    if minority > declared:
        raise ValueError(
            f"minority_headcount ({minority}) is greater than declared_headcount ({declared})"
        )
    return share * declared - minority
