"""A projection horizon of ten years or fewer still publishes (hostile 14b, finding 10).

The outlook table showed the flow model ten years on beside the horizon's year; with
``horizon_years`` of 10 or fewer both columns named the same year, the workbook's sheet
differed from its declaration and the night ended in "Internal error".
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from conftest import write_config
from force_factory import build_database, random_force

from pipeline.config import load_settings
from pipeline.report import build, charts


@pytest.mark.parametrize("horizon", [10, 3])
def test_a_short_horizon_has_one_flow_model_column_per_year(tmp_path, monkeypatch, horizon):
    monkeypatch.setattr(charts, "render", lambda table, chart: "<svg></svg>")
    settings = load_settings(write_config(tmp_path, f"[projections]\nhorizon_years = {horizon}\n"))
    con = build_database(settings, random_force(4, size=60))
    out = Path(tmp_path) / "report"
    build.build_report(con, settings, out, "20260401T0Z-x")
    lines = (out / "csv" / "projection-outlook.csv").read_text(encoding="utf-8").splitlines()
    header = next(csv.reader(lines[1:]))
    flow = [h for h in header if h.startswith("Flow model, ")]
    assert flow == [f"Flow model, {2026 + horizon} (%)"]
    assert len(header) == len(set(header))


def test_a_one_year_window_reads_one_year(tmp_path, monkeypatch):
    """``window_years = 1`` wrote "the last one years" in about twenty places (hostile 14b)."""
    monkeypatch.setattr(charts, "render", lambda table, chart: "<svg></svg>")
    extra = "[projections]\nwindow_years = 1\ntrend_min_snapshots = 2\n"
    settings = load_settings(write_config(tmp_path, extra))
    con = build_database(settings, random_force(4, size=60))
    out = Path(tmp_path) / "report"
    build.build_report(con, settings, out, "20260401T0Z-x")
    texts = [(out / "index.html").read_text(encoding="utf-8")]
    texts += [p.read_text(encoding="utf-8") for p in sorted((out / "csv").glob("*.csv"))]
    assert not [t for t in texts if "one years" in t]
    assert any("last one year" in t for t in texts)
