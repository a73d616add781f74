"""Fairness statistics for selection stages (recruitment, promotion) and representation.

Everything here works on plain counts and returns plain Python ``float``/``str``/``None``:
an undefined quantity (a zero denominator, a rate of zero on the bottom of a ratio) is
``None``, never NaN or inf, so a report can say *why* a figure is missing instead of
printing "nan". Counts must be non-negative whole numbers with passed <= entered; anything
else raises ``ValueError`` because it is a data error upstream, not a statistical result.

Convention: the *group* is the group under study (e.g. ethnic-minority candidates) and the
*reference* is the comparison group (e.g. White candidates). Ratios are computed from
integer cross-products so the result is correctly rounded, which keeps the four-fifths
boundary exact (4 of 10 against 5 of 10 gives exactly ``0.8``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from numbers import Integral, Real
from typing import TYPE_CHECKING, Any

from scipy import stats as _sps

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "NO_GROUP_CANDIDATES",
    "NO_REFERENCE_CANDIDATES",
    "NO_REFERENCE_PASSES",
    "STAGE_STATISTICS_COLUMNS",
    "WITHIN_DEFAULT",
    "add_stage_statistics",
    "adverse_impact_ratio",
    "compounded_ratio",
    "describe_missing",
    "fisher_exact_p",
    "parity_gap",
    "ratio_confidence_interval",
    "relative_likelihood",
    "selection_rate",
    "stage_statistics",
    "verdict",
    "wilson_interval",
]

#: Keys of :func:`stage_statistics`, in order; also the columns :func:`add_stage_statistics` adds.
STAGE_STATISTICS_COLUMNS: tuple[str, ...] = (
    "group_selection_rate",
    "reference_selection_rate",
    "adverse_impact_ratio",
    "relative_likelihood",
    "ratio_ci_lower",
    "ratio_ci_upper",
    "fisher_p_value",
    "verdict",
    "note",
)

_FLOAT_COLUMNS = STAGE_STATISTICS_COLUMNS[:7]
_TEXT_COLUMNS = STAGE_STATISTICS_COLUMNS[7:]

# Tolerance for the verdict bands, so a ratio computed elsewhere as rate/rate (which can
# land one ulp either side of 0.8) is still classed by its exact value.
_BOUNDARY_TOLERANCE = 1e-12

EN_DASH = "\u2013"
WITHIN_DEFAULT = f"within 0.8{EN_DASH}1.25"
NO_GROUP_CANDIDATES = "no candidates in this group"
NO_REFERENCE_CANDIDATES = "no candidates in the reference group"
NO_REFERENCE_PASSES = "no one in the reference group passed"


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


def _z(confidence: float) -> float:
    """Two-sided standard-normal critical value; isf as statsmodels uses, to match it."""
    if not (isinstance(confidence, Real) and 0.0 < float(confidence) < 1.0):
        raise ValueError(f"confidence must be strictly between 0 and 1, got {confidence!r}")
    z = float(_sps.norm.isf((1.0 - float(confidence)) / 2.0))
    if not math.isfinite(z):
        raise ValueError(f"confidence {confidence!r} is too close to 1")
    return z


def _finite_or_none(x: float) -> float | None:
    return float(x) if math.isfinite(x) else None


def _is_missing(x: float | None) -> bool:
    return x is None or (isinstance(x, Real) and math.isnan(float(x)))


# --------------------------------------------------------------------------- rates


def selection_rate(passed: int, entered: int) -> float | None:
    """Share of those who entered a stage who passed it; ``None`` when nobody entered.

    The basic quantity behind every comparison below (29 CFR 1607.16(R), "selection rate").
    """
    p, n = _pair(passed, entered, "passed", "entered")
    return None if n == 0 else p / n


def wilson_interval(successes: int, n: int, confidence: float = 0.95) -> tuple[float, float] | None:
    """Wilson score interval for a proportion; ``None`` when ``n == 0``.

    Why Wilson: unlike the normal (Wald) interval it stays inside [0, 1] and keeps close to
    nominal coverage at the small counts typical of minority groups at senior ranks
    (Wilson 1927, JASA 22:209-212; Newcombe 1998, Stat Med 17:857-872, method 3).
    Bounds are clipped to [0, 1] exactly as
    ``statsmodels.stats.proportion.proportion_confint(method="wilson")`` does.
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


# --------------------------------------------------------------------------- ratios


def adverse_impact_ratio(
    group_passed: int, group_entered: int, ref_passed: int, ref_entered: int
) -> float | None:
    """Group selection rate / reference selection rate (the "impact ratio").

    Below 0.8 is evidence of adverse impact under the four-fifths rule of the US Uniform
    Guidelines on Employee Selection Procedures, 29 CFR 1607.4(D). ``None`` when either
    group had no candidates or nobody in the reference group passed (rate of 0 below).
    A group with no passes against a reference with some gives ``0.0``.
    """
    a, n1, c, n2 = _table(group_passed, group_entered, ref_passed, ref_entered)
    if n1 == 0 or n2 == 0 or c == 0:
        return None
    return (a * n2) / (n1 * c)


def relative_likelihood(
    group_passed: int, group_entered: int, ref_passed: int, ref_entered: int
) -> float | None:
    """Reference selection rate / group selection rate; above 1 favours the reference group.

    The NHS Workforce Race Equality Standard, indicator 2 ("relative likelihood of White
    staff being appointed from shortlisting compared to BME staff"), NHS England WRES
    technical guidance. This is the reciprocal of :func:`adverse_impact_ratio`. ``None``
    when either group had no candidates or nobody in the group passed.
    Example: White 117 of 389 (0.3008), BME 2 of 10 (0.2) gives 1.5039.
    """
    a, n1, c, n2 = _table(group_passed, group_entered, ref_passed, ref_entered)
    if n1 == 0 or n2 == 0 or a == 0:
        return None
    return (c * n1) / (n2 * a)


def ratio_confidence_interval(
    group_passed: int,
    group_entered: int,
    ref_passed: int,
    ref_entered: int,
    confidence: float = 0.95,
) -> tuple[float, float] | None:
    """Confidence interval for the risk ratio group rate / reference rate (the impact ratio).

    Why: an impact ratio from 3 of 7 people is not the same evidence as one from 300 of
    700; the interval shows how far chance alone could move it. Katz log method
    (Katz, Baptista, Azen & Pike 1978, Biometrics 34:469-474):
    ``exp(ln RR ± z * sqrt(1/a - 1/n1 + 1/c - 1/n2))`` with ``a``, ``c`` the passes and
    ``n1``, ``n2`` the candidates. Equals statsmodels ``Table2x2.riskratio_confint()``
    when no cell of the 2x2 table is zero.

    Zero passes in either group make ``ln RR`` or ``1/a`` infinite, so then (and only then)
    the Haldane-Anscombe correction is applied: 0.5 is added to every cell, i.e. ``a`` and
    ``c`` get +0.5 and ``n1`` and ``n2`` get +1 (Haldane 1956, Ann Hum Genet 20:309;
    Anscombe 1956, Biometrika 43:461). The corrected interval is around the *corrected*
    ratio, so the uncorrected point estimate (e.g. an impact ratio of 0.0) can fall outside
    it. Everyone passing (a zero failure cell) needs no correction: Katz is defined there,
    and when both groups all passed the interval collapses to (1.0, 1.0).

    ``None`` when either group had no candidates or neither group had any passes.
    """
    a, n1, c, n2 = _table(group_passed, group_entered, ref_passed, ref_entered)
    z = _z(confidence)
    if n1 == 0 or n2 == 0 or (a == 0 and c == 0):
        return None
    if a == 0 or c == 0:
        a_, n1_, c_, n2_ = a + 0.5, n1 + 1.0, c + 0.5, n2 + 1.0
    else:
        a_, n1_, c_, n2_ = float(a), float(n1), float(c), float(n2)
    log_rr = math.log(a_ * n2_) - math.log(n1_ * c_)
    # max(): the exact variance is >= 0; guard against -1e-17 from rounding when a == n1.
    se = math.sqrt(max(1.0 / a_ - 1.0 / n1_ + 1.0 / c_ - 1.0 / n2_, 0.0))
    try:
        return (math.exp(log_rr - z * se), math.exp(log_rr + z * se))
    except OverflowError:  # only reachable with an absurd confidence such as 1 - 1e-300
        return None


def fisher_exact_p(
    group_passed: int, group_entered: int, ref_passed: int, ref_entered: int
) -> float | None:
    """Two-sided Fisher exact p-value for table [[group pass, fail], [reference pass, fail]].

    Why exact: with a handful of minority candidates the chi-squared approximation is
    unreliable; Fisher's test conditions on the margins and is exact at any size
    (Fisher 1935, J R Stat Soc 98:39-54). Delegates to ``scipy.stats.fisher_exact``
    (two-sided: sum of tables no more probable than the one observed). ``None`` when
    either group had no candidates; a zero column margin (all or nobody passed) gives 1.0.
    """
    a, n1, c, n2 = _table(group_passed, group_entered, ref_passed, ref_entered)
    if n1 == 0 or n2 == 0:
        return None
    result = _sps.fisher_exact([[a, n1 - a], [c, n2 - c]], alternative="two-sided")
    p = float(result.pvalue)
    return min(p, 1.0) if math.isfinite(p) else None


# --------------------------------------------------------------------------- labels


def describe_missing(
    group_entered: int, ref_entered: int, ref_passed: int, group_passed: int
) -> str | None:
    """Why the impact ratio cannot be computed, in words for a report; ``None`` if it can.

    Checked in this order (the first that applies is returned): no candidates in the
    group, no candidates in the reference group, nobody in the reference group passed.
    Note the argument order differs from the other functions; pass by keyword.
    """
    _a, n1, c, n2 = _table(group_passed, group_entered, ref_passed, ref_entered)
    if n1 == 0:
        return NO_GROUP_CANDIDATES
    if n2 == 0:
        return NO_REFERENCE_CANDIDATES
    if c == 0:
        return NO_REFERENCE_PASSES
    return None


def verdict(
    air: float | None,
    p_value: float | None,
    alpha: float = 0.05,
    lower: float = 0.8,
    upper: float = 1.25,
) -> str:
    """Plain-language label for an impact ratio and its Fisher p-value.

    The band 0.8-1.25 is the four-fifths rule (29 CFR 1607.4(D)) and its reciprocal, so a
    ratio and its inverse get mirror-image labels. Both bounds are inclusive ("within").
    Returns exactly one of: ``"adverse and significant"`` (air < lower, p < alpha),
    ``"adverse but not significant (small numbers)"`` (air < lower, p >= alpha or no p),
    ``f"within {lower:g}\u2013{upper:g}"`` (en dash U+2013; default "within 0.8\u20131.25",
    also exported as ``WITHIN_DEFAULT``),
    ``"favourable"`` (air > upper; not split by significance), ``"not computable"``
    (air is None/NaN; use :func:`describe_missing` for the reason).
    """
    if not lower < upper:
        raise ValueError(f"lower ({lower}) must be below upper ({upper})")
    if air is None or math.isnan(air):
        return "not computable"
    if air < lower - _BOUNDARY_TOLERANCE:
        if p_value is not None and not math.isnan(p_value) and p_value < alpha:
            return "adverse and significant"
        return "adverse but not significant (small numbers)"
    if air > upper + _BOUNDARY_TOLERANCE:
        return "favourable"
    return f"within {lower:g}{EN_DASH}{upper:g}"


# --------------------------------------------------------------------------- bundles


def stage_statistics(
    group_passed: int,
    group_entered: int,
    ref_passed: int,
    ref_entered: int,
    confidence: float = 0.95,
) -> dict[str, float | str | None]:
    """All the figures for one selection stage, keyed as :data:`STAGE_STATISTICS_COLUMNS`.

    ``ratio_ci_lower``/``ratio_ci_upper`` bound the *impact ratio* (group/reference), not
    the relative likelihood. ``verdict`` uses the impact ratio and Fisher p at alpha 0.05;
    ``note`` is :func:`describe_missing` (why the impact ratio is missing, else None).
    Values are plain floats, strings or None; never NaN or inf.
    """
    a, n1, c, n2 = _table(group_passed, group_entered, ref_passed, ref_entered)
    air = adverse_impact_ratio(a, n1, c, n2)
    p = fisher_exact_p(a, n1, c, n2)
    ci = ratio_confidence_interval(a, n1, c, n2, confidence)
    return {
        "group_selection_rate": selection_rate(a, n1),
        "reference_selection_rate": selection_rate(c, n2),
        "adverse_impact_ratio": air,
        "relative_likelihood": relative_likelihood(a, n1, c, n2),
        "ratio_ci_lower": None if ci is None else ci[0],
        "ratio_ci_upper": None if ci is None else ci[1],
        "fisher_p_value": p,
        "verdict": verdict(air, p),
        "note": describe_missing(group_entered=n1, ref_entered=n2, ref_passed=c, group_passed=a),
    }


def add_stage_statistics(
    df: pd.DataFrame,
    group_passed: str = "group_passed_count",
    group_entered: str = "group_entered_count",
    ref_passed: str = "reference_passed_count",
    ref_entered: str = "reference_entered_count",
    confidence: float = 0.95,
) -> pd.DataFrame:
    """A copy of ``df`` (e.g. a SQL mart result) with the :func:`stage_statistics` columns.

    Row-wise: these tables are a few hundred rows at most. Numeric columns are pandas
    ``Float64`` (missing values are ``pd.NA``); ``verdict`` and ``note`` are ``object``
    (missing is ``None``). Existing columns of the same names are overwritten. A missing
    (NA) count raises ``ValueError`` naming the row: coalesce true zeros in SQL first.
    """
    import pandas as pd

    absent = [c for c in (group_passed, group_entered, ref_passed, ref_entered) if c not in df]
    if absent:
        raise KeyError(f"add_stage_statistics: missing column(s) {absent}")

    rows: list[Mapping[str, float | str | None]] = []
    for idx, gp, ge, rp, re in zip(
        df.index,
        df[group_passed],
        df[group_entered],
        df[ref_passed],
        df[ref_entered],
        strict=True,
    ):
        if any(pd.isna(v) for v in (gp, ge, rp, re)):
            raise ValueError(f"add_stage_statistics: missing count in row {idx!r}")
        try:
            rows.append(stage_statistics(gp, ge, rp, re, confidence))
        except ValueError as exc:
            raise ValueError(f"add_stage_statistics: row {idx!r}: {exc}") from exc

    out = df.copy()
    for col in _FLOAT_COLUMNS:
        out[col] = pd.array([r[col] for r in rows], dtype="Float64")
    for col in _TEXT_COLUMNS:
        out[col] = pd.Series([r[col] for r in rows], index=df.index, dtype=object)
    return out


# --------------------------------------------------------------------------- pipelines


def compounded_ratio(ratios: Sequence[float | None]) -> float | None:
    """Product of per-step ratios: the cumulative effect through a rank pipeline.

    Why: small disparities compound; 0.9 at each of four promotion steps is 0.9**4 =
    0.6561 end to end, below four-fifths though no single step is. (Ratios multiply
    because the end-to-end selection rate is the product of the step rates, conditional
    on reaching each step.) ``None`` if any step is None/NaN or the sequence is empty.
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
    return _finite_or_none(product)


def parity_gap(
    population_share: float | None, declared_headcount: int, minority_headcount: int
) -> float | None:
    """Headcount gap to parity: population share x declared headcount - minority headcount.

    Why: "the force needs N more minority officers to mirror its area" is clearer than a
    percentage-point gap. Positive = under-represented by that many people; negative =
    over-represented. Declared headcount excludes staff who did not state an ethnicity,
    the same base the Home Office "Police workforce, England and Wales" statistics use
    for representation. ``None`` when the population share is missing (None/NaN).
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
