"""When a straight line (the "current rate") is published, and where it stops.

Hostile 7, second half: "Straight line, 2046: 100.0%" was published for a force of 22 to 30
people from two snapshots, a line through two points clipped to the top of the scale. The
rule lives once in marts.representation_trend (enough snapshots, enough people at each) and
in pipeline.straight_line (no value past 0% or 100%); every reader follows it.
"""

from __future__ import annotations

import csv
import math
from pathlib import Path

import numpy as np
import pytest
from conftest import write_config
from force_factory import build_database, random_force

from pipeline.config import ConfigError, load_settings
from pipeline.report import build, charts
from pipeline.straight_line import at, extend


def test_the_line_is_missing_from_the_year_it_leaves_0_to_1():
    # 0.8 + 0.05 t: 0.8, 0.85, ..., 1.0 at t = 4, 1.05 at t = 5 (by hand)
    line = extend(0.8, 0.05, np.arange(8))
    assert line[:5] == pytest.approx([0.8, 0.85, 0.9, 0.95, 1.0])
    assert np.isnan(line[5:]).all()
    assert np.isnan(extend(0.1, -0.04, [3.0])[0])  # 0.1 - 0.12 < 0
    assert at(0.1, -0.04, 2.0) == pytest.approx(0.02)
    assert at(0.1, -0.04, 3.0) is None
    assert at(0.3, 0.0, 40.0) == pytest.approx(0.3)


@pytest.mark.parametrize(("seed", "size"), [(2, 30), (4, 22)])
def test_a_small_force_with_two_snapshots_publishes_no_straight_line(tmp_path, seed, size):
    """The hostile's forces: two snapshots (fewer than three) of 22 and 30 people."""
    settings = load_settings(write_config(tmp_path))
    con = build_database(settings, random_force(seed, size=size))
    rows = con.execute(
        """select trend_line_note, trend_share_change_per_year, trend_group_share
           from analytics.representation_trend
           where snapshot_date = (select max(snapshot_date) from analytics.representation_trend)"""
    ).fetchall()
    assert rows
    for note, slope, fitted in rows:
        assert note == "fewer than 3 snapshots in the last 3 years"
        assert slope is None and fitted is None
    (shown,) = con.execute(
        """select count(straight_line_group_share) + count(straight_line_parity_year)
           from analytics.projection_outlook"""
    ).fetchone()
    assert shown == 0
    assert con.execute(
        "select count(straight_line_group_share) from analytics.projections"
    ).fetchone() == (0,)


def test_the_base_and_the_bound_decide_where_a_line_through_two_snapshots_is_shown(tmp_path):
    """With the rule relaxed to two snapshots, the 30-person force's lines exist only where at
    least ``trend_min_declared_headcount`` people stated at both snapshots, and are carried
    on only while they stay within 0-1: never clipped to 0% or 100%."""
    extra = "[projections]\ntrend_min_snapshots = 2\ntrend_min_declared_headcount = 8\n"
    settings = load_settings(write_config(tmp_path, extra))
    con = build_database(settings, random_force(2, size=30))
    trend = con.execute(
        """select trend_snapshot_count, trend_min_declared_headcount, trend_line_note,
                  trend_share_change_per_year
           from analytics.representation_trend
           where snapshot_date = (select max(snapshot_date) from analytics.representation_trend)
             and lpu_code = 'All'"""
    ).fetchall()
    kinds = set()
    for count, base, note, slope in trend:
        if count < 2:
            assert note.startswith("fewer than 2 snapshots") and slope is None
        elif base < 8:
            assert note.startswith("fewer than 8 people") and slope is None
        else:
            assert note is None and slope is not None
        kinds.add(note.split(" ")[3] if note else "line")
    assert {"line", "people"} <= kinds  # both sides of the base rule occur
    lines = con.execute(
        """select p.worker_type, p.rank_or_band, p.group_code, p.projection_year,
                  p.straight_line_group_share, t.group_share,
                  t.trend_share_change_per_year
           from analytics.projections as p
           inner join analytics.representation_trend as t
               on t.snapshot_date = p.snapshot_date and t.lpu_code = 'All'
               and t.worker_type = p.worker_type and t.rank_or_band = p.rank_or_band
               and t.group_code = p.group_code
           where t.trend_share_change_per_year is not null"""
    ).fetchall()
    assert lines
    past_a_bound = 0
    for *_, year, value, now, slope in lines:
        expected = now + slope * year  # from the share now, as a target's line is
        if 0 <= expected <= 1:
            assert value == pytest.approx(expected)
        else:
            assert value is None or math.isnan(value)
            past_a_bound += 1
    assert past_a_bound  # the hostile's 100.0% in 2046 is now [x]


def test_the_report_of_a_tiny_force_says_why_there_is_no_straight_line(tmp_path, monkeypatch):
    monkeypatch.setattr(charts, "render", lambda table, chart: "<svg></svg>")
    settings = load_settings(write_config(tmp_path))
    con = build_database(settings, random_force(4, size=22))
    out = Path(tmp_path) / "report"
    build.build_report(con, settings, out, "20260401T0Z-x")
    text = (out / "index.html").read_text(encoding="utf-8")
    assert "drawn only through at least three snapshots" in text
    for name in ("projection-outlook", "projection-officers"):
        lines = (out / "csv" / f"{name}.csv").read_text(encoding="utf-8").splitlines()[1:]
        header, *rows = list(csv.reader(lines))
        column = next(i for i, h in enumerate(header) if h.startswith("Straight line"))
        assert {row[column] for row in rows} <= {"[x]", "[c]"}, name


def test_the_rule_is_checked_where_it_is_configured(tmp_path):
    with pytest.raises(ConfigError, match="trend_min_snapshots"):
        load_settings(write_config(tmp_path, "[projections]\ntrend_min_snapshots = 1\n"))


def test_the_fan_chart_draws_the_straight_line_only_where_it_is_shown():
    """Where the line is [x] (past a bound, or none at all) the chart draws no point."""
    import pandas as pd

    from pipeline.report.declared import NOT_APPLICABLE, Chart, Column, DeclaredTable, Series

    frame = pd.DataFrame({"label": ["2026", "2027", "2028"], "x": ["2026", "2027", "2028"],
                          "mid": [0.9, 0.92, 0.93], "low": [0.9, 0.9, 0.9],
                          "high": [0.9, 0.95, 0.96], "line": [0.9, 0.99, None]})  # fmt: skip
    table = DeclaredTable(
        "fan", "Fan", (Column("label", "Year", "label"), Column("mid", "Mid", "percent"),
                       Column("low", "Band", "percent_interval", upper="high"),
                       Column("line", "Line", "percent")), frame,
    )  # fmt: skip
    table.shown_rows = [["2026", 90.0, (90.0, 90.0), 90.0], ["2027", 92.0, (90.0, 95.0), 99.0],
                        ["2028", 93.0, (90.0, 96.0), NOT_APPLICABLE]]  # fmt: skip
    chart = Chart(
        kind="fan", series=(Series("mid", "Flow"), Series("line", "Straight")),
        band=Series("low", "Band"), axis="Share (%)", title="t", alt="a", x="x",
        rows=("2026", "2027", "2028"),
    )  # fmt: skip
    svg = charts.render(table, chart)
    assert 'id="fan-point-s1-r1"' in svg and 'id="fan-point-s1-r2"' not in svg
    assert 'id="fan-point-s0-r2"' in svg
