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


def period(start, end) -> str:
    """A period between two snapshots named for what it is: 'the year to 31 March 2026',
    'the two years to 31 March 2026' (a snapshot missing between them), 'the six months to
    30 September 2026'. Whole years within five weeks, otherwise whole months."""
    days = (pd.Timestamp(end) - pd.Timestamp(start)).days
    years, months = round(days / 365.25), round(days / (365.25 / 12))
    if years >= 1 and abs(days - years * 365.25) <= 35:
        words = "year" if years == 1 else f"{in_words(years)} years"
    else:
        words = "month" if months == 1 else f"{in_words(months)} months"
    return f"the {words} to {date(end)}"


def join(items: list[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def among_shown(shown: int, rows: int, nouns: str) -> str:
    """The scope of a superlative ('highest', 'widest', 'rose most'): '' when every row is
    shown, else ' among the three of seven LPUs shown' (in words: a sentence quotes only
    numbers its table shows), so a sentence never claims a maximum over rows the table
    withholds. Callers claim no superlative over fewer than two rows."""
    if shown >= rows:
        return ""
    return f" among the {in_words(shown)} of {in_words(rows)} {nouns} shown"


def as_shown(table, row: str, column: str) -> float | None:
    """A figure as the table writes it ('+0.3', '12.5%', '1,204'), as a number; None when it
    is withheld or does not exist. A sentence's verb and comparisons ('rose', 'most') read
    this, so a change written 0.0 is never said to rise."""
    try:
        return float(table.text(row, column).removesuffix("%").replace(",", ""))
    except ValueError:
        return None


def superlative(table, rows: list[str], column: str, row: str, unit: str = "") -> str:
    """The row a superlative names ('highest', 'least'), with every row of ``rows`` that ties
    it at the precision shown, and the value as the table shows it: 'Constable (+0.3)',
    'Constable and Sergeant (+0.3 each)'. Every sentence that names a largest or least
    writes it here, so no tie is named as one row's alone."""
    text = table.text(row, column)
    same = [r for r in rows if table.text(r, column) == text]
    return f"{join(same)} ({text}{unit}{' each' if len(same) > 1 else ''})"


UNITS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
         "ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen",
         "eighteen", "nineteen"]  # fmt: skip
TENS = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]


def in_words(n: int) -> str:
    """A whole number in words (British usage, up to 999,999): a sentence may only quote
    numbers a table shows, so a setting such as a window or a minimum is written out."""
    if n < 0 or n >= 1_000_000:
        return str(n)
    if n < 20:
        return UNITS[n]
    if n < 100:
        return TENS[n // 10] + ("" if n % 10 == 0 else "-" + UNITS[n % 10])
    if n < 1000:
        rest = n % 100
        return f"{UNITS[n // 100]} hundred" + ("" if rest == 0 else f" and {in_words(rest)}")
    rest = n % 1000
    joiner = " and " if 0 < rest < 100 else " "
    return f"{in_words(n // 1000)} thousand" + ("" if rest == 0 else joiner + in_words(rest))
