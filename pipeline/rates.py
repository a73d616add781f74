"""Comparing how often something happens to a group with how often it happens to another.

Promotion (good for the person), leaving (bad for the force) and being in a specialist unit
(an opportunity) are all a count of people out of a base. This module applies the
selection-stage statistics of :mod:`pipeline.stats` to them, the right way round: a verdict
is *adverse* when the group is worse off, whichever direction that is.
"""

from __future__ import annotations

import math

import pandas as pd

from pipeline import stats

RATE_COMPARISON_COLUMNS: tuple[str, ...] = (
    "rate_ratio",
    "relative_likelihood_ratio",
    "ci_lower_ratio",
    "ci_upper_ratio",
    "fisher_p_value",
    "verdict",
    "note",
)
_FLOATS = RATE_COMPARISON_COLUMNS[:5]


def compare(
    events: int,
    base: int,
    ref_events: int,
    ref_base: int,
    *,
    higher_is_better: bool,
    event: str,
    confidence: float = 0.95,
) -> dict[str, float | str | None]:
    """The figures for one group against its reference group.

    ``rate_ratio`` is always group rate / reference rate, with its Katz interval
    (Katz et al. 1978). ``relative_likelihood_ratio`` follows the NHS WRES convention for
    the kind of event: for a good outcome (indicator 2, appointment) reference rate / group
    rate, so above 1 favours the reference group; for a bad outcome (indicator 3,
    disciplinary) group rate / reference rate, so above 1 means the group is more likely to
    suffer it. Either way above 1 is the group's disadvantage. The verdict applies the
    0.8-1.25 band (29 CFR 1607.4(D); NHS England's non-adverse range) to the ratio of the
    good outcome, with Fisher's exact test for significance. ``event`` completes "no one in
    this group ..." in notes (e.g. "was promoted", "left").
    """
    fisher = stats.fisher_exact_p(events, base, ref_events, ref_base)
    interval = stats.ratio_confidence_interval(events, base, ref_events, ref_base, confidence)
    rate_ratio = stats.adverse_impact_ratio(events, base, ref_events, ref_base)
    if higher_is_better:
        likelihood = stats.relative_likelihood(events, base, ref_events, ref_base)
        favourable_ratio = _favourable_ratio(events, base, ref_events, ref_base)
    else:
        likelihood = rate_ratio
        favourable_ratio = _favourable_ratio(ref_events, ref_base, events, base)
    return {
        "rate_ratio": rate_ratio,
        "relative_likelihood_ratio": likelihood,
        "ci_lower_ratio": None if interval is None else interval[0],
        "ci_upper_ratio": None if interval is None else interval[1],
        "fisher_p_value": fisher,
        "verdict": stats.verdict(favourable_ratio, fisher),
        "note": _note(events, base, ref_events, ref_base, event),
    }


def _favourable_ratio(good: int, base: int, ref_good: int, ref_base: int) -> float | None:
    """Group rate / reference rate of the good outcome; infinite (so "favourable") when only
    the group had it, rather than "not computable"."""
    ratio = stats.adverse_impact_ratio(good, base, ref_good, ref_base)
    if ratio is None and base and ref_base and good and not ref_good:
        return math.inf
    return ratio


def _note(events: int, base: int, ref_events: int, ref_base: int, event: str) -> str | None:
    if base == 0:
        return "no one in this group"
    if ref_base == 0:
        return "no one in the reference group"
    if events == 0 and ref_events == 0:
        return f"no one in either group {event}"
    if ref_events == 0:
        return f"no one in the reference group {event}"
    if events == 0:
        return f"no one in this group {event}"
    return None


def add_rate_comparison(
    frame: pd.DataFrame,
    events: str,
    base: str,
    ref_events: str,
    ref_base: str,
    *,
    higher_is_better: bool,
    event: str,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """A copy of ``frame`` with :data:`RATE_COMPARISON_COLUMNS` for every row that has a
    reference (reference counts present) and is not the reference group itself (equal
    ``group_code`` and ``reference_group_code``, when the frame has them); other rows get
    missing values. Counts come from SQL, which coalesces true zeros."""
    rows = []
    for record in frame.to_dict("records"):
        counts = [record[events], record[base], record[ref_events], record[ref_base]]
        is_self = record.get("group_code") is not None and record.get("group_code") == record.get(
            "reference_group_code"
        )
        if is_self or any(pd.isna(c) for c in counts):
            rows.append(dict.fromkeys(RATE_COMPARISON_COLUMNS))
            continue
        rows.append(
            compare(
                *(int(c) for c in counts),
                higher_is_better=higher_is_better,
                event=event,
                confidence=confidence,
            )
        )
    out = frame.copy()
    for column in RATE_COMPARISON_COLUMNS:
        values = [r[column] for r in rows]
        if column in _FLOATS:
            out[column] = pd.array(values, dtype="Float64")
        else:
            out[column] = pd.Series(values, index=frame.index, dtype=object)
    return out
