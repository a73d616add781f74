"""What a report section is: tidy, already-suppressed values ready to render.

Section builders (one module per theme) return these; the template only lays them out, so
a new analysis adds a builder without touching the page structure.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Theme = Literal["operational", "people", "processes", "data_quality"]

THEME_TITLES: dict[str, str] = {
    "operational": "Operational and service delivery",
    "people": "People and culture",
    "processes": "Organisational processes",
    "data_quality": "Data quality",
}


@dataclass(frozen=True)
class Table:
    caption: str
    headers: list[str]
    """The first header names the row labels; the rest name the value columns."""
    rows: list[list[str]]


@dataclass(frozen=True)
class Section:
    id: str
    theme: Theme
    title: str
    message: str
    """One plain-English sentence: what the numbers show and how sure we are."""
    table: Table
    chart_svg: str | None = None
    chart_alt: str = ""
    findings: list[str] = field(default_factory=list)
    """Sentences for the summary page, most important first."""
