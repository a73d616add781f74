"""What a report section is: tidy, already-suppressed values ready to render.

Section builders (one module per theme) return these; the template and the exports only lay
them out, so a new analysis adds a builder without touching the page structure. The optional
fields default to "nothing to add", so a builder that sets only the required ones still works.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from pipeline.disclosure import Layout

Theme = Literal["operational", "people", "processes", "data_quality"]

THEME_TITLES: dict[str, str] = {
    "operational": "Operational and service delivery",
    "people": "People and culture",
    "processes": "Organisational processes",
    "data_quality": "Data quality",
}

THEME_INTROS: dict[str, str] = {
    "operational": "Whether the workforce reflects the communities it polices, at every rank "
    "and band and in each Local Policing Unit.",
    "people": "Progression, retention and access to specialist roles.",
    "processes": "Whether promotion and recruitment are fair, stage by stage.",
    "data_quality": "How complete and reliable the figures in this report are.",
}

ColumnKind = Literal["label", "count", "percent", "ratio", "number", "text"]
"""``count`` is a number of people (disclosure control applies); ``number`` is any other
figure (a gap to parity, years); ``percent`` is shown as "12.3%" and exported as a fraction."""


@dataclass(frozen=True)
class Table:
    caption: str
    headers: list[str]
    """The first header names the row labels; the rest name the value columns."""
    rows: list[list[str]]
    column_kinds: tuple[ColumnKind, ...] | None = None
    """One per header; when absent, exports infer them from the shown values."""
    layout: Layout | None = None
    """How the counts add up, in header names: lets the tests audit every output."""
    notes: tuple[str, ...] = ()
    """Said under the table and in the workbook's notes sheet (e.g. why groups are merged)."""


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
    """The chart's text alternative: what it shows, in words, for a screen reader."""
    findings: list[str] = field(default_factory=list)
    """Sentences for the summary page, most important first."""
    chart_title: str = ""
    """A title stating the chart's message; the section's message when empty."""
    caveats: list[str] = field(default_factory=list)
    """Data-quality caveats for the summary page."""
    definitions: list[tuple[str, str]] = field(default_factory=list)
    """(term, definition) pairs this section adds to the methodology."""
