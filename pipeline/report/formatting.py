"""How numbers are written in reports.

A withheld value is always shown as the same mark, ``[c]``; a value that does not exist (a
share of nobody) as ``[x]``, the GSS convention for "not applicable". Every formatter takes
``withheld`` so a builder never has to tell the two apart by looking at a missing value.
"""

from __future__ import annotations

import pandas as pd

from pipeline.disclosure import SUPPRESSED_MARK

NOT_APPLICABLE = "[x]"


def _missing(value) -> bool:
    return value is None or bool(pd.isna(value))


def _shown(value, withheld: bool, text) -> str:
    if withheld:
        return SUPPRESSED_MARK
    if _missing(value):
        return NOT_APPLICABLE
    return text(value)


def percent(value, withheld: bool = False) -> str:
    return _shown(value, withheld, lambda v: f"{v * 100:.1f}%")


def count(value, withheld: bool = False) -> str:
    return _shown(value, withheld, lambda v: f"{int(v):,}")


def ratio(value, withheld: bool = False) -> str:
    return _shown(value, withheld, lambda v: f"{v:.2f}")


def people(value, withheld: bool = False) -> str:
    return _shown(value, withheld, lambda v: f"{v:,.0f}")


def points(change) -> str:
    """A change in a share, in percentage points, with its sign (none when it rounds to 0)."""
    text = f"{change * 100:+.1f}"
    return "0.0 percentage points" if text in ("+0.0", "-0.0") else f"{text} percentage points"


def optional_float(value) -> float | None:
    return None if _missing(value) else float(value)


def date(value) -> str:
    return pd.Timestamp(value).strftime("%-d %B %Y")


def join(items: list[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]
