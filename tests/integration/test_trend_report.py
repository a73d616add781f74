"""The demo report's trends, joiners, targets and projection sections, read back from the
published files: they are there, the charts draw the table's own figures (the points'
heights in the SVG are one straight-line function of the values), the demo's configured
targets are tracked, and the report says plainly what the projections are and are not."""

from __future__ import annotations

import html
import json
import re

import numpy as np
import pytest
from report_scan import parse_page

from pipeline.report.audit import parse_html_cell
from pipeline.report.declared import Column, Withheld

TREND_SECTIONS = (
    "trend-by-worker-type",
    "trend-by-rank-over-time",
    "trend-by-group",
    "trend-by-rank",
    "trend-by-band",
    "trend-by-lpu",
    "joiners-mix",
    "joiners-by-route",
    "targets-shares",
    "targets-trends",
    "targets-joiners",
    "projection-outlook",
    "projection-officers",
)


@pytest.fixture(scope="module")
def manifest(demo_report) -> dict:
    return json.loads((demo_report / "tables.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def page(demo_report):
    return parse_page(demo_report / "index.html")


@pytest.fixture(scope="module")
def text(demo_report) -> str:
    return (demo_report / "index.html").read_text(encoding="utf-8")


def _chart_data(text: str, table_id: str) -> dict:
    found = re.search(rf'<metadata id="{table_id}-chart-data">(.*?)</metadata>', text, re.S)
    assert found, table_id
    return json.loads(html.unescape(found.group(1)))


def _point_heights(text: str, table_id: str) -> dict[tuple[int, int], float]:
    """(series, row) -> the y coordinate matplotlib drew the point's marker at."""
    out = {}
    for series, row, y in re.findall(
        rf'<g id="{table_id}-point-s(\d+)-r(\d+)">.*?<use [^>]*?y="([\d.]+)"', text, re.S
    ):
        out[(int(series), int(row))] = float(y)
    return out


def test_every_trend_section_is_in_the_report_and_declared(page, manifest):
    ids = {t["id"] for t in manifest["tables"]}
    missing = [s for s in TREND_SECTIONS if s not in ids or f"{s}-table" not in page.tables]
    assert missing == []
    assert any(i.startswith("what-it-would-take-") for i in ids)  # the inspectors' target


def test_the_trend_and_projection_charts_draw_their_tables_figures(text, manifest, page):
    """Each point's value in the chart's data is the table's shown value, and the heights
    of the points are one straight line in those values (the chart is drawn to scale)."""
    for table_id in ("trend-by-worker-type", "trend-by-rank-over-time", "projection-officers"):
        data = _chart_data(text, table_id)
        entry = next(t for t in manifest["tables"] if t["id"] == table_id)
        header, *rows = page.tables[f"{table_id}-table"]
        by_label = {row[0]: row for row in rows}
        columns = {c["name"]: c for c in entry["columns"]}
        heights = _point_heights(text, table_id)
        values, ys = [], []
        for s, series in enumerate(data["series"]):
            column = columns[series["column"]]
            position = header.index(column["header"])
            for r, (label, value) in enumerate(zip(data["rows"], series["values"], strict=True)):
                shown = parse_html_cell(
                    Column(column["name"], column["header"], column["kind"]),
                    by_label[label][position],
                )
                if isinstance(shown, Withheld):
                    assert value is None
                    continue
                assert value == pytest.approx(shown), (table_id, label)
                if (s, r) in heights:
                    values.append(value)
                    ys.append(heights[(s, r)])
        assert len(values) >= len(data["rows"]), table_id
        slope, intercept = np.polyfit(values, ys, 1)
        assert slope < 0  # SVG y grows downwards: a higher share is drawn higher
        assert np.abs(np.polyval([slope, intercept], values) - ys).max() < 0.05, table_id


def test_the_fan_chart_draws_the_band_the_table_shows(text, manifest, page):
    data = _chart_data(text, "projection-officers")
    band = data["band"][0]
    header, *rows = page.tables["projection-officers-table"]
    position = header.index(next(h for h in header if h.startswith("Band")))
    for label, value in zip(data["rows"], band["values"], strict=True):
        row = next(r for r in rows if r[0] == label)
        lower, _, upper = row[position].partition(" to ")
        assert value == [float(lower.rstrip("%")), float(upper.rstrip("%"))]
    assert data["x"] == data["rows"]  # one point a year
    assert data["benchmark"]["label"] == "Population share (Census 2021)"


def test_the_lines_chart_has_a_line_per_worker_type_and_the_trended_benchmark(text):
    data = _chart_data(text, "trend-by-worker-type")
    assert set(data["lines"]) == {
        "Police officers", "Police staff", "PCSOs", "Special constables", "Whole workforce"
    }  # fmt: skip
    assert data["benchmark"]["label"].startswith("Population share, estimated")
    assert [r["label"] for r in data["references"]] == ["Population share (Census 2021)"]
    # the estimate rises after 2021 (extrapolated), the census share does not move
    estimate = dict(zip(data["x"], data["benchmark"]["values"], strict=True))
    by_date = [estimate[x] for x in dict.fromkeys(data["x"])]
    assert by_date == sorted(by_date) and by_date[0] < by_date[-1]
    assert len(set(data["references"][0]["values"])) == 1


def test_the_rank_lines_chart_draws_the_lowest_ranks_shown_and_all_officers(text, page):
    """The table holds every rank at every snapshot; the chart draws the four lowest ranks
    whose latest share is shown (the senior ranks are withheld in the demo) and all
    officers, against the trended benchmark."""
    data = _chart_data(text, "trend-by-rank-over-time")
    assert list(dict.fromkeys(data["lines"])) == [
        "Constable", "Sergeant", "Inspector", "Chief Inspector", "All officers"
    ]  # fmt: skip
    assert data["benchmark"]["label"].startswith("Population share, estimated")
    _, *rows = page.tables["trend-by-rank-over-time-table"]
    labels = [r[0] for r in rows]
    assert "Chief Constable, 31 March 2026" in labels  # every rank is in the table
    assert len(data["rows"]) == 5 * len(set(data["x"]))


def test_the_demos_targets_are_tracked_with_what_it_would_take(page):
    header, *rows = page.tables["targets-shares-table"]
    by_label = {r[0]: dict(zip(header, r, strict=True)) for r in rows}
    officers = by_label["Ethnic-minority police officers: 20% by 31 March 2030"]
    assert officers["Status"] == "not on track"
    assert officers["Target share"] == "20.0%"
    assert officers["Recruits' share needed from now"].endswith("%")
    inspectors = by_label["Ethnic-minority inspectors: 10% by 31 March 2031"]
    assert inspectors["Status"] in ("on track", "not on track")
    header, *rows = page.tables["targets-joiners-table"]
    (joiners,) = [dict(zip(header, r, strict=True)) for r in rows]
    assert joiners["Joiners targeted"] == "1,000"
    assert joiners["Status"] == "not on track"
    assert int(joiners["Joiners from the group so far"].replace(",", "")) > 0


def test_the_report_says_what_the_projections_are_and_what_drives_them(text, page):
    plain = html.unescape(re.sub(r"<[^>]+>", " ", text))
    plain = " ".join(plain.split())
    assert "not targets for any individual" in plain
    assert "Assumptions: the joining, leaving and promotion rates" in plain
    start = text.index('<section id="projection-officers"')
    section = text[start : text.index("</section>", start)]
    message = html.unescape(re.search(r'<p class="message">(.*?)</p>', section, re.S).group(1))
    assert "What drives it:" in message
    assert "recruitment raises the share" in message
    # the estimated benchmark is named an estimate wherever it is shown
    assert "an estimate, not a census count" in plain


def test_the_outlook_says_when_each_rank_reaches_the_population_share(page):
    header, *rows = page.tables["projection-outlook-table"]
    status = header.index("Reaches the population share")
    shown = {r[0]: r[status] for r in rows}
    assert shown["All officers"] in ("reached", "not within 20 years") or shown[
        "All officers"
    ].startswith("by ")
    assert "Constable" in shown
