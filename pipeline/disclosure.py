"""Small-number suppression applied to every table before it leaves the database.

Ethnicity is special-category data: a count from 1 to the threshold could identify a
colleague, so it is withheld, and so is every rate, share or ratio computed from it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd

SUPPRESSED_MARK = "[c]"
"""The ONS/GSS convention for a value withheld for confidentiality."""


def is_small(counts: pd.Series, threshold: int) -> pd.Series:
    numeric = pd.to_numeric(counts, errors="coerce")
    return numeric.between(1, threshold, inclusive="both").fillna(False).astype(bool)


def suppress(
    frame: pd.DataFrame, rules: Mapping[str, Sequence[str]], threshold: int
) -> pd.DataFrame:
    """Withhold small counts and what is derived from them.

    ``rules`` maps each count column to the columns computed from it; a row whose count is
    in 1..threshold has the count and those columns set to missing, and ``is_suppressed``
    says that something in the row was withheld.
    """
    out = frame.copy()
    any_suppressed = pd.Series(False, index=out.index)
    for count_column, derived in rules.items():
        small = is_small(frame[count_column], threshold)
        for column in (count_column, *derived):
            out[column] = out[column].astype("object").where(~small, None)
        any_suppressed |= small
    out["is_suppressed"] = any_suppressed
    return out
