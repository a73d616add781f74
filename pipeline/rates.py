"""Comparing how often something happens to one group with how often it happens to another.

Passing a selection stage, being promoted, leaving, being in a unit or at a rank: each is a
count of people out of a base, compared with a comparator group's by the ratio of the two
rates, its score interval and test (:mod:`pipeline.stats`), the false discovery rate within
each family of comparisons, and a verdict in the measure's own words. Every analytics view
with a ratio gets its statistics from :func:`add_rate_comparison`, so the same counts give
the same figures and the same words in every table.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from pipeline import stats
from pipeline.stats import Direction


@dataclass(frozen=True)
class Measure:
    """What a rate counts and which way a difference in it goes against the group.

    ``rate_name`` goes into verdicts ("lower pass rate"); ``people``, ``group`` and
    ``comparator`` name the two sides in notes ("no candidates in this group");
    ``event`` completes "no one in this group ..." (e.g. "passed").
    ``relative_likelihood`` says whether, and how, the view shows the NHS WRES relative
    likelihood: ``"comparator_over_group"`` for a good outcome (WRES indicator 2, White ÷
    BME rate of appointment from shortlisting), ``"group_over_comparator"`` for a bad one
    (indicator 3, BME ÷ White rate of entering a formal disciplinary process), ``None``
    where the measure is not one WRES defines (representation).
    """

    code: str
    rate_name: str
    direction: Direction
    people: str
    event: str
    group: str = "this group"
    comparator: str = "the comparator group"
    relative_likelihood: str | None = None


SELECTION = Measure(
    "selection", "pass rate", Direction.HIGHER_IS_BETTER, "candidates", "passed",
    relative_likelihood="comparator_over_group",
)  # fmt: skip
PROMOTION = Measure(
    "promotion", "promotion rate", Direction.HIGHER_IS_BETTER, "officers in post",
    "was promoted", comparator="the reference group",
    relative_likelihood="comparator_over_group",
)  # fmt: skip
LEAVING = Measure(
    "leaving", "leaving rate", Direction.HIGHER_IS_WORSE, "people in post", "left",
    comparator="the reference group", relative_likelihood="group_over_comparator",
)  # fmt: skip
UNIT_REPRESENTATION = Measure(
    "unit_representation", "share", Direction.NEITHER, "people who stated an ethnicity",
    "is in the grouping", group="this unit", comparator="the rest of the workforce",
)  # fmt: skip
RANK_REPRESENTATION = Measure(
    "rank_representation", "share", Direction.NEITHER, "officers who stated an ethnicity",
    "is in the grouping", group="this rank", comparator="constables",
)  # fmt: skip

RATE_COMPARISON_COLUMNS: tuple[str, ...] = (
    "rate_ratio",
    "relative_likelihood_ratio",
    "ci_lower_ratio",
    "ci_upper_ratio",
    "p_value",
    "adjusted_p_value",
    "family_comparison_count",
    "is_significant",
    "is_significant_after_adjustment",
    "verdict",
    "note",
)
"""The columns :func:`add_rate_comparison` adds (``rate_ratio`` under the name it is given;
``relative_likelihood_ratio`` only for measures WRES defines)."""


def note(
    events: int, base: int, comparator_events: int, comparator_base: int, measure: Measure
) -> str | None:
    """Why a figure is missing or 0, in words for a report; ``None`` when nothing is."""
    counts = (np.array([v]) for v in (events, base, comparator_events, comparator_base))
    return notes(*counts, measure)[0]


def _relative_likelihood(ratio: np.ndarray, measure: Measure) -> np.ndarray:
    if measure.relative_likelihood is None:
        return np.full(len(ratio), np.nan)
    if measure.relative_likelihood == "group_over_comparator":
        return ratio
    with np.errstate(divide="ignore"):
        inverse = 1.0 / ratio
    return np.where(np.isfinite(inverse), inverse, np.nan)


def _measures_by_row(
    frame: pd.DataFrame, measure: Measure | Mapping[str, Measure], measure_column: str
) -> list[tuple[np.ndarray, Measure]]:
    """(rows, measure) pairs covering the frame: one measure, or one per ``measure_column``
    value (a code the mapping does not know is an error, never a guess)."""
    if isinstance(measure, Measure):
        return [(np.ones(len(frame), dtype=bool), measure)]
    codes = frame[measure_column].to_numpy()
    unknown = sorted(set(codes) - set(measure))
    if unknown:
        raise KeyError(f"{measure_column} {unknown} has no measure declared")
    return [(codes == code, m) for code, m in measure.items()]


def add_rate_comparison(
    frame: pd.DataFrame,
    events: str,
    base: str,
    comparator_events: str,
    comparator_base: str,
    *,
    measure: Measure | Mapping[str, Measure],
    family: Sequence[str],
    confidence: float = 0.95,
    ratio_column: str = "rate_ratio",
    measure_column: str = "measure_code",
) -> pd.DataFrame:
    """A copy of ``frame`` with the comparison columns (:data:`RATE_COMPARISON_COLUMNS`).

    A row is compared when its comparator counts are present and it is not the comparator
    itself (equal ``group_code`` and ``reference_group_code``, when the frame has them);
    other rows get missing values. ``family`` names the columns whose values define a
    family of comparisons: the Benjamini-Hochberg adjustment is made within each, at the
    level 1 - ``confidence``, counting the comparisons that could be made
    (``family_comparison_count``); with no columns the whole frame is one family. Counts
    come from SQL, which coalesces true zeros.

    Columns: the ratio (group rate ÷ comparator rate, as ``ratio_column``); the WRES
    relative likelihood (see :class:`Measure`); the score interval (upper bound ``inf``
    when no one in the comparator had the event); the score test's p-value and its adjusted
    value; ``is_significant`` (the interval excludes 1, the same as p < 1 - confidence);
    ``is_significant_after_adjustment`` (adjusted p < 1 - confidence: what a report may call
    unlikely to be chance); the verdict (:func:`pipeline.stats.verdicts`, which says when a
    difference significant on its own could be chance among its family); the note.

    ``measure`` may instead map the codes in ``measure_column`` to measures, when one family
    holds several (a misconduct table's stages, a survey's questions, whose directions
    differ): the statistics and the false discovery rate are computed once over the frame,
    and each row gets its own measure's words and WRES orientation.
    """
    alpha = 1.0 - confidence
    counts = frame[[events, base, comparator_events, comparator_base]]
    compared = counts.notna().all(axis=1).to_numpy().copy()
    if "group_code" in frame and "reference_group_code" in frame:
        is_self = frame["group_code"] == frame["reference_group_code"]
        compared &= ~is_self.fillna(False).to_numpy(bool)
    rows = counts[compared].to_numpy(dtype=float)
    result = stats.compare_rates(*rows.T, confidence=confidence)

    def spread(values: np.ndarray, empty=np.nan) -> np.ndarray:
        full = np.full(len(frame), empty, dtype=object if empty is None else float)
        full[compared] = values
        return full

    ratio, lower, upper = spread(result.ratio), spread(result.ci_lower), spread(result.ci_upper)
    p_value = spread(result.p_value)
    computable = np.zeros(len(frame), dtype=bool)
    computable[compared] = result.is_computable
    significant = computable & ((lower > 1.0) | (upper < 1.0))
    codes = frame.groupby(list(family), dropna=False, sort=False).ngroup() if family else None
    adjusted, sizes = stats.benjamini_hochberg(p_value, None if codes is None else codes.to_numpy())
    by_row = _measures_by_row(frame, measure, measure_column)
    out = frame.copy()
    out[ratio_column] = pd.array(ratio, dtype="Float64")  # NaN becomes missing
    if any(m.relative_likelihood is not None for _, m in by_row):
        likelihood = np.full(len(frame), np.nan)
        for rows, m in by_row:
            likelihood[rows] = _relative_likelihood(ratio[rows], m)
        out["relative_likelihood_ratio"] = pd.array(likelihood, dtype="Float64")
    out["ci_lower_ratio"] = pd.array(lower, dtype="Float64")
    out["ci_upper_ratio"] = pd.array(upper, dtype="Float64")
    out["p_value"] = pd.array(p_value, dtype="Float64")
    out["adjusted_p_value"] = pd.array(adjusted, dtype="Float64")
    out["family_comparison_count"] = pd.array(np.where(sizes > 0, sizes, None), dtype="Int64")
    # Missing where no comparison could be made; the adjusted decision implies the raw one.
    out["is_significant"] = pd.array(np.where(computable, significant, None), dtype="boolean")
    survives = significant & (adjusted < alpha)
    out["is_significant_after_adjustment"] = pd.array(
        np.where(computable, survives, None), dtype="boolean"
    )
    words = np.empty(len(frame), dtype=object)
    row_notes = np.full(len(frame), None, dtype=object)
    all_counts = counts.to_numpy(dtype=float)
    for rows, m in by_row:
        words[rows] = stats.verdicts(
            ratio[rows],
            lower[rows],
            upper[rows],
            direction=m.direction,
            rate_name=m.rate_name,
            survives_adjustment=survives[rows],
            comparisons=sizes[rows],
        )
        chosen = rows & compared
        row_notes[chosen] = notes(*all_counts[chosen].T, m)
    out["verdict"] = pd.Series(np.where(compared, words, None), index=frame.index, dtype=object)
    out["note"] = pd.Series(row_notes, index=frame.index, dtype=object)
    return out


NO_BASE = "no_base"
NO_COMPARATOR_BASE = "no_comparator_base"
NO_EVENTS = "no_events"
TOO_FEW = "too_few"
NO_COMPARATOR_EVENTS = "no_comparator_events"
NO_GROUP_EVENTS = "no_group_events"
REASONS = (NO_BASE, NO_COMPARATOR_BASE, NO_EVENTS, TOO_FEW, NO_COMPARATOR_EVENTS, NO_GROUP_EVENTS)
"""Why a comparison is missing or its rate is 0, first that applies first: nobody in the
group's base, nobody in the comparator's, nobody with the event on either side, an expected
count below :data:`pipeline.stats.MIN_EXPECTED_COUNT`, nobody with the event in the
comparator, nobody with it in the group. The database's ``note`` and every report sentence
that says why a comparison is missing are both read from :func:`reasons`."""


def reasons(
    events: np.ndarray, base: np.ndarray, comparator_events: np.ndarray, comparator_base: np.ndarray
) -> np.ndarray:
    """The first of :data:`REASONS` that applies to each 2x2 table (``None`` for none): an
    object array."""
    events, base, comparator_events, comparator_base = (
        np.asarray(v, dtype=float) for v in (events, base, comparator_events, comparator_base)
    )
    conditions = [
        base == 0,
        comparator_base == 0,
        (events == 0) & (comparator_events == 0),
        ~stats.large_enough(events, base, comparator_events, comparator_base),
        comparator_events == 0,
        events == 0,
    ]
    return np.select(conditions, list(REASONS), default=None).astype(object)


def notes(
    events: np.ndarray,
    base: np.ndarray,
    comparator_events: np.ndarray,
    comparator_base: np.ndarray,
    measure: Measure,
) -> np.ndarray:
    """:func:`note` for arrays of counts: an object array of ``str`` or ``None``."""
    words = {
        NO_BASE: f"no {measure.people} in {measure.group}",
        NO_COMPARATOR_BASE: f"no {measure.people} in {measure.comparator}",
        NO_EVENTS: f"no one in {measure.group} or {measure.comparator} {measure.event}",
        TOO_FEW: "too few people to compare (an expected count below 1)",
        NO_COMPARATOR_EVENTS: f"no one in {measure.comparator} {measure.event}",
        NO_GROUP_EVENTS: f"no one in {measure.group} {measure.event}",
    }
    codes = reasons(events, base, comparator_events, comparator_base)
    return np.array([None if c is None else words[c] for c in codes], dtype=object)
