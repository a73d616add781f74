"""The declared kinds the trend and projection sections add (model outputs: a projected share,
its band, joiners a year) and the line and fan drawings, without a database."""

from __future__ import annotations

import pandas as pd
import pytest

from pipeline.report import charts, trend_charts
from pipeline.report.audit import _json_back, _same, parse_export_cells, parse_html_cell
from pipeline.report.declared import (
    STATISTICS,
    Chart,
    Column,
    DeclaredTable,
    Series,
)
from pipeline.report.exports import json_rows


@pytest.mark.parametrize(
    ("kind", "value", "shown", "page", "exported", "as_json"),
    [
        ("percent", 0.12345, 12.3, "12.3%", [12.3], 0.123),
        ("percent_interval", (0.1049, 0.2351), (10.5, 23.5), "10.5% to 23.5%", [10.5, 23.5],
         [0.105, 0.235]),
        ("number", 167.5, 168, "168", [168], 168),
    ],
)  # fmt: skip
def test_model_outputs_are_statistics_shown_and_read_back_alike(
    kind, value, shown, page, exported, as_json
):
    column = Column("x", "X", kind, upper="x_upper" if kind == "percent_interval" else None)
    assert kind in STATISTICS  # shown only when the counts they start from are known
    rounded = (
        tuple(column.rounded(v) for v in value)
        if isinstance(value, tuple)
        else column.rounded(value)
    )
    assert rounded == shown
    assert column.html(rounded) == page
    assert column.exported(rounded) == exported
    assert _same(column, parse_html_cell(column, page), rounded)
    assert _same(column, parse_export_cells(column, exported), rounded)
    table = DeclaredTable("t", "T", (Column("label", "L", "label"), column),
                          pd.DataFrame({"label": ["a"], "x": [0.0], "x_upper": [0.0]}))  # fmt: skip
    table.shown_rows = [["a", rounded]]
    (row,) = json_rows(table)
    assert row["x"] == as_json
    assert _same(column, _json_back(column, row["x"]), rounded)


def _trend_table() -> DeclaredTable:
    frame = pd.DataFrame(
        {
            "label": ["A, 2024", "A, 2025", "B, 2024", "B, 2025"],
            "x": ["2024", "2025", "2024", "2025"],
            "line": ["A", "A", "B", "B"],
            "share": [0.10, 0.12, 0.20, 0.0],
            "bench": [0.30, 0.31, 0.30, 0.31],
        }
    )
    table = DeclaredTable(
        "trend", "Trend", (Column("label", "Row", "label"), Column("share", "Share", "percent"),
                           Column("bench", "Benchmark", "percent")), frame,
    )  # fmt: skip
    table.shown_rows = [
        ["A, 2024", 10.0, 30.0],
        ["A, 2025", 12.0, 31.0],
        ["B, 2024", 20.0, 30.0],
        ["B, 2025", charts.Withheld("[c]"), 31.0],
    ]
    return table


def test_a_lines_chart_draws_each_line_from_its_rows_and_leaves_a_gap_where_withheld():
    table = _trend_table()
    chart = Chart(
        kind="lines", series=(Series("share", "Share"),), benchmark=Series("bench", "Pop"),
        axis="Share (%)", title="t", alt="a", x="x", line="line", rows=tuple(table.labels),
    )  # fmt: skip
    svg = charts.render(table, chart)
    assert svg.count('id="trend-point-s0-r') == 3  # the withheld point is not drawn
    assert 'id="trend-point-s0-r3"' not in svg
    _, values = charts.plotted(table, chart)
    assert values["share"] == [10.0, 12.0, 20.0, None]
    lines = trend_charts._references(chart, values, ["2024", "2025", "2024", "2025"],
                                     ["2024", "2025"])  # fmt: skip
    assert [line.values for line in lines] == [[30.0, 31.0]]


def test_a_fan_chart_draws_the_central_line_its_band_and_the_straight_line():
    frame = pd.DataFrame(
        {
            "label": ["2026", "2027"],
            "x": ["2026", "2027"],
            "mid": [0.11, 0.12],
            "low": [0.11, 0.10],
            "high": [0.11, 0.14],
            "line": [0.11, 0.13],
        }
    )
    table = DeclaredTable(
        "fan", "Fan", (Column("label", "Year", "label"), Column("mid", "Mid", "percent"),
                       Column("low", "Band", "percent_interval", upper="high"),
                       Column("line", "Line", "percent")), frame,
    )  # fmt: skip
    table.shown_rows = [["2026", 11.0, (11.0, 11.0), 11.0], ["2027", 12.0, (10.0, 14.0), 13.0]]
    chart = Chart(
        kind="fan", series=(Series("mid", "Flow"), Series("line", "Straight")),
        band=Series("low", "Band"), axis="Share (%)", title="t", alt="a", x="x",
        rows=("2026", "2027"),
    )  # fmt: skip
    svg = charts.render(table, chart)
    for series in (0, 1):
        for row in (0, 1):
            assert f'id="fan-point-s{series}-r{row}"' in svg
    assert '"band": [{"column": "low"' in svg.replace("&quot;", '"')
