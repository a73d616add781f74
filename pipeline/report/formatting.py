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


def join(items: list[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]
