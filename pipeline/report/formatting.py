"""How dates and lists are written in the report's sentences.

Numbers are formatted by their column's kind (:class:`pipeline.report.declared.Column`), so a
sentence quotes a figure exactly as its table shows it.
"""

from __future__ import annotations

import pandas as pd

from pipeline.disclosure import NOT_APPLICABLE_MARK

NOT_APPLICABLE = NOT_APPLICABLE_MARK


def date(value) -> str:
    return pd.Timestamp(value).strftime("%-d %B %Y")


_COUNT_WORDS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight",
                "nine", "ten", "eleven", "twelve")  # fmt: skip


def period(start, end) -> str:
    """A period between two snapshots named for what it is: 'the year to 31 March 2026',
    'the two years to 31 March 2026' (a snapshot missing between them), 'the six months to
    30 September 2026'. Whole years within five weeks, otherwise whole months."""
    days = (pd.Timestamp(end) - pd.Timestamp(start)).days
    years, months = round(days / 365.25), round(days / (365.25 / 12))
    if years >= 1 and abs(days - years * 365.25) <= 35:
        words = "year" if years == 1 else f"{_word(years)} years"
    else:
        words = "month" if months == 1 else f"{_word(months)} months"
    return f"the {words} to {date(end)}"


def _word(count: int) -> str:
    return _COUNT_WORDS[count] if count < len(_COUNT_WORDS) else f"{count:,}"


def join(items: list[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]
