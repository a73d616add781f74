"""What a report section is: a declared table, and the words written once it is protected.

A section builder (one module per theme) reads the analytics views and declares its table
(:class:`~pipeline.report.declared.DeclaredTable`). Every table of the report is then
protected together, across tables (:func:`pipeline.disclosure.protect`), and only then is
each section's ``compose`` called: it writes the message, the findings and the chart from
the table's *shown* values (``table.text(row, column)``), so a sentence can only repeat what
the table shows. The template and the exports lay the results out.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from pipeline.report.declared import Chart, DeclaredTable

Theme = Literal[
    "summary",
    "scorecard",
    "operational",
    "people",
    "processes",
    "trends",
    "data_quality",
    "annex",
]

THEME_TITLES: dict[str, str] = {
    "operational": "Operational and service delivery",
    "people": "People and culture",
    "processes": "Organisational processes",
    "trends": "Trends, targets and projections",
    "data_quality": "Data quality",
    "annex": "Annex",
}
"""The themes after the summary, in order; the scorecard comes before the summary."""

THEME_INTROS: dict[str, str] = {
    "operational": "Whether the workforce reflects the communities it polices, at every rank "
    "and band and in each Local Policing Unit.",
    "people": "Progression, retention, development, moves, appraisal and what colleagues say "
    "in the staff survey.",
    "processes": "Whether promotion, development, recruitment, misconduct and grievance "
    "processes are fair, stage by stage.",
    "trends": "Whether the force is moving towards a representative workforce, how fast, "
    "progress against its targets, and what it would take. Projections are statistical: "
    "what the recent rates imply if they continue, with their assumptions stated; they are "
    "not forecasts, and not targets for any individual.",
    "data_quality": "How complete and reliable the figures in this report are.",
    "annex": "The counts behind the scorecard's figures.",
}


@dataclass
class Prose:
    """The words and the chart of a section, written from its protected table."""

    message: str
    """One plain-English sentence: what the numbers show and how sure we are."""
    chart: Chart | None = None
    findings: list[str] = field(default_factory=list)
    """Sentences for the summary page, most important first."""
    caveats: list[str] = field(default_factory=list)
    """Data-quality caveats for the summary page."""
    definitions: list[tuple[str, str]] = field(default_factory=list)
    """(term, definition) pairs this section adds to the methodology."""


@dataclass
class Section:
    id: str
    theme: Theme
    title: str
    table: DeclaredTable
    compose: Callable[[], Prose]
    prose: Prose | None = None
    chart_svg: str | None = None

    @property
    def message(self) -> str:
        return self.prose.message if self.prose else ""

    @property
    def findings(self) -> list[str]:
        return self.prose.findings if self.prose else []

    @property
    def caveats(self) -> list[str]:
        return self.prose.caveats if self.prose else []

    @property
    def definitions(self) -> list[tuple[str, str]]:
        return self.prose.definitions if self.prose else []

    @property
    def chart(self) -> Chart | None:
        return self.prose.chart if self.prose else None
