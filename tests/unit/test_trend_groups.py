"""Every group's share (both definitions of ethnic minority, the broad groups, Black on its
own) by worker type, rank, band and LPU over time (issue 14, hostile-14b finding 13): a
table per breakdown with a line per unit and group, protected with the rest of the report,
and a chart that draws the table's own shown values."""

from __future__ import annotations

import html
import json
import re

import pytest
from conftest import write_config
from force_factory import build_database, random_force
from threadpoolctl import threadpool_limits

from pipeline.config import load_settings
from pipeline.report import audit, build
from pipeline.report.audit import parse_html_cell
from pipeline.report.declared import Withheld
from pipeline.report.representation import headline_label
from pipeline.report.trends import BREAKDOWNS, GROUPS

SECTIONS = tuple(f"trend-groups-by-{b}" for b in BREAKDOWNS)


@pytest.fixture(scope="module")
def prepared(tmp_path_factory):
    settings = load_settings(write_config(tmp_path_factory.mktemp("groups")))
    con = build_database(settings, random_force(4, size=400))
    with threadpool_limits(limits=1):
        return settings, build.prepare(con, settings)


def test_each_breakdown_has_every_group_at_every_snapshot(prepared):
    _, ready = prepared
    sections = {s.id: s for s in ready.sections}
    assert set(SECTIONS) <= set(sections)
    for section_id in SECTIONS:
        frame = sections[section_id].table.frame
        assert set(frame["group_code"]) == set(GROUPS), section_id
        dates = frame["snapshot_date"].nunique()
        assert dates == 2, section_id  # the random force's two snapshots
        per_line = frame.groupby("line")["snapshot_date"].nunique()
        assert per_line.max() == dates, section_id
        assert frame["label"].is_unique, section_id


def test_the_group_tables_pass_the_disclosure_audit(prepared):
    settings, ready = prepared
    problems = audit.audit_publication(
        ready.tables, audit.in_memory(ready.tables), ready.cells.universe,
        ready.protected.truth, settings.disclosure.threshold,
    )  # fmt: skip
    assert problems == []
    for section_id in SECTIONS:
        table = next(t for t in ready.tables if t.id == section_id)
        shown = [row for row in table.html_rows() if row[2] not in ("[c]", "[x]")]
        assert shown, section_id  # not all withheld: the force has 400 people


def test_each_group_chart_draws_its_tables_shown_values(prepared):
    _, ready = prepared
    drawn = 0
    for section in ready.sections:
        if section.id not in SECTIONS or section.prose.chart is None:
            continue
        table, chart = section.table, section.prose.chart
        found = re.search(
            rf'<metadata id="{table.id}-chart-data">(.*?)</metadata>', section.chart_svg, re.S
        )
        data = json.loads(html.unescape(found.group(1)))
        rows = dict(zip(table.labels, table.html_rows(), strict=True))
        position = {c.name: i for i, c in enumerate(table.columns)}
        for series in data["series"]:
            column = table.columns[position[series["column"]]]
            for label, value in zip(data["rows"], series["values"], strict=True):
                shown = parse_html_cell(column, rows[label][position[column.name]])
                if isinstance(shown, Withheld) or shown is None:
                    assert value is None, (table.id, label)
                else:
                    assert value == pytest.approx(shown), (table.id, label)
        drawn += 1
        assert "Black" in chart.axis
    assert drawn >= 3


def test_the_headers_of_a_table_of_every_group_name_no_one_group(prepared):
    """Every row is a group's (hostile-8 #5): the headers said "Ethnic minority (excluding
    White minorities): people" over the rows of Black, White, Asian..."""
    _, ready = prepared
    headline = headline_label(ready.cells.settings)
    for section in ready.sections:
        if section.id in SECTIONS:
            headers = " ".join(section.table.headers)
            assert headline not in headers, section.id
            assert "The row's ethnic group: people" in headers, section.id
