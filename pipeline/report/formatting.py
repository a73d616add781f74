"""How numbers are written in reports; a withheld value is always shown as the same mark."""

from __future__ import annotations

import pandas as pd

from pipeline.disclosure import SUPPRESSED_MARK


def _missing(value) -> bool:
    return value is None or bool(pd.isna(value))


def percent(value) -> str:
    return SUPPRESSED_MARK if _missing(value) else f"{value * 100:.1f}%"


def count(value) -> str:
    return SUPPRESSED_MARK if _missing(value) else f"{int(value):,}"


def ratio(value) -> str:
    return SUPPRESSED_MARK if _missing(value) else f"{value:.2f}"


def people(value) -> str:
    return SUPPRESSED_MARK if _missing(value) else f"{value:,.0f}"


def optional_float(value) -> float | None:
    return None if _missing(value) else float(value)
