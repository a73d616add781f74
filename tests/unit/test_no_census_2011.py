"""Without a Census 2011 file the report claims no 2011-2021 census trend (hostile 14b,
finding 12): with ``[reference] census_2011_file = ""`` (the tests' configuration) a report
said the population's share was "estimated to have moved from 38.6% to 38.6% on the census
trend" beside a column "estimated from the 2011 to 2021 census trend" holding the Census 2021
share. The benchmark is then the Census 2021 share held flat, and the report says so."""

from __future__ import annotations

from conftest import write_config
from force_factory import build_database, random_force

from pipeline.config import load_settings
from pipeline.report import build


def test_a_report_without_a_2011_census_claims_no_census_trend(tmp_path):
    settings = load_settings(write_config(tmp_path))
    assert settings.reference.census_2011_file is None
    con = build_database(settings, random_force(31, size=200))
    sections = {s.id: s for s in build.prepare(con, settings).sections}
    for section_id in ("trend-by-worker-type", "trend-by-rank-over-time"):
        section = sections[section_id]
        section.prose = section.compose()
        table = section.table
        words = " ".join([section.message, *table.notes, *(t for _, t in section.definitions)])
        assert "census trend" not in words
        assert "2011" not in " ".join(table.headers) + words
        assert not any("estimated" in h for h in table.headers)
        assert "no earlier census" in " ".join(table.notes).lower()
        if section.chart:
            assert section.chart.benchmark.column == "population_share"
            assert "no earlier census loaded" in section.chart.alt
    message = sections["trend-by-worker-type"].message
    assert "no earlier census is loaded" in message
    assert "census trend" not in message
