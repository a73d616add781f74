"""The straight line carried forward: the one rule for where it stops being shown.

Whether there is a line at all (enough snapshots, enough people at each) is decided once, in
``marts.representation_trend`` (``trend_line_note``). Where there is one, it is carried on
from the share now (the latest snapshot's ``group_share``, not the fitted line's value there)
at the slope the view gives, by the projection and the targets alike, so "7.6% now, +0.45 a
year" reads the same in both; and it is shown only while it stays a share: from
the year it would pass 0% or 100% it is not a forecast of anything (a share cannot go on
rising at a constant rate), so it is missing there (shown [x]), never clipped to the bound.
docs/methodology.md, section 21.
"""

from __future__ import annotations

import numpy as np


def extend(start: float, slope: float, years) -> np.ndarray:
    """The line ``start + slope * years`` (shares as fractions, ``start`` within 0-1;
    ``years`` >= 0, an array or a number), NaN where it is below 0 or above 1: a line is
    monotone, so from the first such year on."""
    line = start + slope * np.atleast_1d(np.asarray(years, dtype=float))
    return np.where((line < 0.0) | (line > 1.0), np.nan, line)


def at(start: float, slope: float, years: float) -> float | None:
    """The line ``years`` ahead; None where it has left 0-1 by then."""
    (value,) = extend(start, slope, years)
    return None if np.isnan(value) else float(value)
