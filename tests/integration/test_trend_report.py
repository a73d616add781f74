"""The demo report's trends, joiners, targets and projection sections, read back from the
published files: they are there, the charts draw the table's own figures (the points'
heights in the SVG are one straight-line function of the values), the demo's configured
targets are tracked, and the report says plainly what the projections are and are not."""

from __future__ import annotations

import html
import itertools
import json
import re

import duckdb
import numpy as np
import pytest
from report_scan import parse_page

from pipeline.disclosure import Key
from pipeline.report import formatting as fmt
from pipeline.report.audit import _numbers, parse_html_cell
from pipeline.report.declared import Column, Withheld

TREND_SECTIONS = (
    "trend-by-worker-type",
    "trend-by-rank-over-time",
    "trend-by-group",
    "trend-groups-by-worker-type",
    "trend-groups-by-rank",
    "trend-groups-by-band",
    "trend-groups-by-lpu",
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
    for table_id in ("trend-by-worker-type", "trend-by-rank-over-time", "trend-groups-by-rank",
                     "projection-officers"):  # fmt: skip
        data = _chart_data(text, table_id)
        entry = next(t for t in manifest["tables"] if t["id"] == table_id)
        header, *rows = page.tables[f"{table_id}-table"]
        by_label = {row[0]: row for row in rows}
        columns = {c["name"]: c for c in entry["columns"]}
        heights = _point_heights(text, table_id)
        values, ys, withheld = [], [], 0
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
                    withheld += 1
                    continue
                assert value == pytest.approx(shown), (table_id, label)
                if (s, r) in heights:
                    values.append(value)
                    ys.append(heights[(s, r)])
        assert withheld < len(data["rows"]) <= len(values) + withheld, table_id
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
    """The table holds every rank at every snapshot; the chart draws the (at most four)
    lowest ranks whose latest share is shown (the senior ranks are withheld in the demo,
    and Chief Inspector with them: see the next test) and all officers, against the
    trended benchmark."""
    data = _chart_data(text, "trend-by-rank-over-time")
    _, *rows = page.tables["trend-by-rank-over-time-table"]
    labels = [r[0] for r in rows]
    assert "Chief Constable, 31 March 2026" in labels  # every rank is in the table
    shown = [r[0].removesuffix(", 31 March 2026") for r in rows
             if r[0].endswith(", 31 March 2026") and r[3] != "[c]"]  # fmt: skip
    ranks = [r for r in shown if r != "All officers"][:4]
    assert ranks[:3] == ["Constable", "Sergeant", "Inspector"]
    assert list(dict.fromkeys(data["lines"])) == [*ranks, "All officers"]
    assert data["benchmark"]["label"].startswith("Population share, estimated")
    assert len(data["rows"]) == (len(ranks) + 1) * len(set(data["x"]))


def test_the_demos_middle_ranks_lpus_and_force_total_are_shown(page):
    """Issue 9's over-suppression: to protect the superintendents' 2 ethnic-minority
    officers the search once withheld the minority count of every rank, then partners for
    each, up to the force total. With the cheapest complement the demo's 2026 sergeants
    (957 stating an ethnicity) and inspectors (317) show their minority counts and shares,
    the Inspector target its progress, every LPU its counts, and the whole workforce its
    11,500. Chief Inspector's 7 is withheld: all officers less the ranks shown would
    otherwise be the 3 ethnic-minority officers at superintendent and above (hostile 6,
    finding 15; hostile 7), so what all officers less the shown ranks leaves is never a
    count of 1 to 5."""
    header, *rows = page.tables["trend-by-rank-over-time-table"]
    by_label = {r[0]: dict(zip(header, r, strict=True)) for r in rows}
    count, share = header[2], header[3]
    for rank, stated in (("Sergeant", "957"), ("Inspector", "317")):
        row = by_label[f"{rank}, 31 March 2026"]
        assert row[header[1]] == stated
        assert row[count] != "[c]" and row[share].endswith("%"), rank
    latest = [r for label, r in by_label.items() if label.endswith(", 31 March 2026")]
    ranks = [r for r in latest if not r[header[0]].startswith("All officers")]
    left = int(by_label["All officers, 31 March 2026"][count].replace(",", "")) - sum(
        int(r[count].replace(",", "")) for r in ranks if r[count] != "[c]"
    )
    assert not 1 <= left <= 5, left
    header, *rows = page.tables["targets-shares-table"]
    inspectors = {r[0]: dict(zip(header, r, strict=True)) for r in rows}[
        "Ethnic-minority inspectors: 10% by 31 March 2031"
    ]
    assert inspectors["In the group"] == "24"
    assert "[c]" not in (inspectors["Status"], inspectors["Share now (31 March 2026)"])
    _, *lpus = page.tables["representation-by-lpu-table"]
    assert lpus and not any("[c]" in row for row in lpus)
    header, *rows = page.tables["representation-by-worker-type-table"]
    whole = dict(zip(header, rows[-1], strict=True))
    assert whole["Worker type"] == "Whole workforce" and whole["Headcount"] == "11,500"


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


# --------------------------------------------------------------------------- over time

OVER_TIME = ("trend-by-worker-type", "trend-by-rank-over-time")


@pytest.fixture(scope="module")
def database(demo_run):
    out, done = demo_run
    assert done.returncode == 0, done.stderr
    with duckdb.connect(str(out / "var" / "progression.duckdb"), read_only=True) as con:
        yield con


def _rows_by_date(page, table_id: str) -> dict[str, list[list[str]]]:
    """A table over time's rows by the snapshot date their label ends with."""
    _, *rows = page.tables[f"{table_id}-table"]
    out: dict[str, list[list[str]]] = {}
    for row in rows:
        out.setdefault(row[0].rsplit(", ", 1)[1], []).append(row)
    return out


def test_the_tables_over_time_cover_every_snapshot_loaded(page, text, database):
    """The issue: trends "over every snapshot loaded" (the demo loads five, 2022 to 2026;
    the tables once began at the rates window's first)."""
    loaded = [
        fmt.date(d)
        for (d,) in database.execute(
            "select distinct snapshot_date from analytics.representation order by 1"
        ).fetchall()
    ]
    assert len(loaded) == 5
    for table_id in OVER_TIME:
        by_date = _rows_by_date(page, table_id)
        assert list(by_date) == loaded, table_id
        assert len({len(rows) for rows in by_date.values()}) == 1  # every line at every date
        assert list(dict.fromkeys(_chart_data(text, table_id)["x"])) == loaded


def test_a_change_that_does_not_exist_is_marked_x_never_c(page):
    """The first snapshot has no previous one, so its change does not exist ([x], as the
    methodology defines it), whether or not its counts are withheld; the straight line's
    slope is only at the latest snapshot. [c] is only for a figure that exists."""
    for table_id in OVER_TIME:
        header, *_ = page.tables[f"{table_id}-table"]
        change = header.index("Change since the previous snapshot (percentage points)")
        slope = next(i for i, h in enumerate(header) if h.startswith("Straight-line trend"))
        by_date = _rows_by_date(page, table_id)
        dates = list(by_date)
        assert {row[change] for row in by_date[dates[0]]} == {"[x]"}, table_id
        for date in dates[:-1]:
            assert {row[slope] for row in by_date[date]} == {"[x]"}, (table_id, date)
        later = [row[change] for date in dates[1:] for row in by_date[date]]
        assert "[x]" not in later and any(c != "[c]" for c in later)
    # a rank whose counts are withheld: its later changes are withheld, its first is [x]
    rows = {r[0]: r for r in page.tables["trend-by-rank-over-time-table"][1:]}
    header = page.tables["trend-by-rank-over-time-table"][0]
    change = header.index("Change since the previous snapshot (percentage points)")
    assert rows["Chief Constable, 31 March 2022"][change] == "[x]"
    assert rows["Chief Constable, 31 March 2023"][change] == "[c]"


# --------------------------------------------------------------------------- sentences


def _section_sentences(text: str, section_id: str) -> list[str]:
    start = text.index(f'<section id="{section_id}"')
    section = text[start : text.index("</section>", start)]
    found = re.findall(r'<(?:p|figcaption|h4)[^>]*class="(?:message|chart-title)"[^>]*>(.*?)</',
                       section, re.S)  # fmt: skip
    return [html.unescape(re.sub(r"<[^>]+>", "", s)).strip() for s in found]


def _trend_ids(manifest) -> list[str]:
    return [*TREND_SECTIONS, *(t["id"] for t in manifest["tables"]
                               if t["id"].startswith("what-it-would-take-"))]  # fmt: skip


def test_every_number_a_trend_sentence_quotes_is_shown_in_the_trend_tables(text, page, manifest):
    """Sentences are written from the protected tables' shown values: every number one
    quotes (a share, a change, a factor, a count) is a cell these sections' tables show,
    never a withheld one, nor one read from a frame the tables do not publish."""
    ids = _trend_ids(manifest)
    shown = set()
    for table_id in ids:
        for row in page.tables[f"{table_id}-table"]:
            for cell in row:
                shown.update(_numbers(cell))
    quoted = 0
    for section_id in ids:
        sentences = _section_sentences(text, section_id)
        assert sentences, section_id
        for sentence in sentences:
            for number in _numbers(sentence):
                quoted += 1
                assert number in shown, (section_id, number, sentence)
    assert quoted > 50


def test_a_figure_solved_for_the_whole_target_is_shown_in_every_row_or_none(page, text, database):
    """The promotion factor is one figure for a target, solved from every rank's
    promotions at once (and each needed rate is it times the rank's own rate): it cannot be
    withheld for one rank and shown for another, nor quoted by the sentence when any rank's
    promotions are withheld (the demo's Sergeant promotions are)."""
    factors = database.execute(
        """select target_code, count(distinct promotion_rate_factor), any_value(
               promotion_rate_factor) from analytics.target_requirements group by 1"""
    ).fetchall()
    assert factors
    for code, distinct, factor in factors:
        assert distinct == 1
        header, *rows = page.tables[f"what-it-would-take-{code}-table"]
        for name in ("Times the recent rate", "Group's rate the target needs"):
            cells = {row[header.index(name)] for row in rows}
            assert cells == {"[c]"} or "[c]" not in cells, (code, name, cells)
        rates = {row[header.index("Group's promotion rate (a year)")] for row in rows}
        message = " ".join(_section_sentences(text, f"what-it-would-take-{code}"))
        if "[c]" in rates:  # the demo: Sergeant's promotions are too few to show
            assert {row[header.index("Times the recent rate")] for row in rows} == {"[c]"}
            assert f"{factor:.2f}" not in message
            assert "withheld" in message and "Sergeant" in message


# --------------------------------------------------------------------------- chart axes


def _group_labels(database) -> dict[frozenset[str], str]:
    members: dict[str, set[str]] = {}
    for group, code in database.execute(
        "select group_code, ethnicity_code from ref.grouping_members"
    ).fetchall():
        members.setdefault(group, set()).add(code)
    labels = dict(database.execute("select group_code, group_label from ref.groupings").fetchall())
    return {frozenset(codes): labels[group] for group, codes in members.items()}


def _worker_types(key: Key) -> frozenset[str] | None:
    """The worker types a cell is of (None: every one): a joiners' cell lists them, a staff
    snapshot's its posts ("police_officer/Constable"), an appraisal's its worker type."""
    if key.population == "joiners":
        return key.values("wt")
    if key.values("worker") is not None:
        return key.values("worker")
    posts = key.values("post")
    return None if posts is None else frozenset(p.split("/")[0] for p in posts)


def _every_chart(text: str) -> dict[str, dict]:
    """Every chart the report draws (each carries its data beside its SVG), by table id."""
    return {
        table_id: json.loads(html.unescape(data))
        for table_id, data in re.findall(
            r'<metadata id="([^"]+)-chart-data">(.*?)</metadata>', text, re.S
        )
    }


def test_every_chart_in_the_report_carries_its_data(text):
    """So the axis test below sees every chart: one data block per SVG drawn."""
    assert len(_every_chart(text)) == text.count("<svg") >= 30


def test_each_charts_axis_says_what_its_declared_columns_plot(text, manifest, database):
    """The axis (and legend) of every chart the report draws names what its plotted columns
    hold, as their declarations say. A share's or rate's ``of`` is (the group's count, the
    count it is of), so the numerator's ethnicity codes name the group: one group in the
    whole chart, the axis names it in full; one group per series, the legend does; a group
    per row, the axis says "Each group's". The denominator's say whether it is of those who
    stated an ethnicity, its population and posts say of whom (joiners, officers, police
    staff); a rate's axis gives its scale (per 100, per 1,000) as the column does."""
    labels = _group_labels(database)
    stated = frozenset(
        c for (c,) in database.execute(
            "select ethnicity_code from ref.ethnicities where is_stated").fetchall()
    )  # fmt: skip
    tables = {t["id"]: t for t in manifest["tables"]}
    charts = _every_chart(text)
    assert {"rank-pipeline", "promotion-rates", "specialist-roles"} <= set(charts)
    for table_id, data in charts.items():
        table = tables[table_id]
        columns = {c["name"]: c for c in table["columns"]}
        cells = dict(zip(table["rows"], table["cells"], strict=True))
        axis = data["axis"]
        numerators, denominators, per_series, per_row = set(), [], [], {}
        for series in data["series"]:
            kind = columns[series["column"]]["kind"]
            assert kind in ("share", "percent", "rate", "ratio"), (table_id, kind)
            groups = set()
            for row in data["rows"]:
                of = [Key.from_id(k) for k in cells[row].get(series["column"], {}).get("of", ())]
                if not of:
                    continue
                groups.add(of[0].values("eth"))
                per_row.setdefault(row, set()).add(of[0].values("eth"))
                denominators.append(of[1])
            numerators |= groups
            per_series.append((series, groups))
            if kind in ("share", "percent"):
                assert axis.endswith("(%)"), (table_id, axis)
            elif kind == "rate":
                scale = re.search(r"per (100|1,000)\b", columns[series["column"]]["header"])
                assert scale and f"per {scale.group(1)} " in axis, (table_id, axis)
            else:
                assert " / " in axis, (table_id, axis)
        if axis.startswith("Each group's "):  # a group per row: the row names it
            for row, groups in per_row.items():
                assert len(groups) == 1 and labels[groups.pop()] in row, (table_id, row)
        elif len(numerators) == 1:
            group = labels[numerators.pop()]
            assert axis.startswith(f"{group} share ") or all(
                s["label"] == group for s, groups in per_series if groups
            ), (table_id, axis, group)
        elif all(len(groups) <= 1 for _, groups in per_series):
            for series, groups in filter(lambda pair: pair[1], per_series):
                assert series["label"] == labels[next(iter(groups))], (table_id, series)
        else:
            raise AssertionError(f"{table_id}: a group per row, but the axis {axis!r} says not")
        if denominators and all(d.values("eth") == stated for d in denominators):
            assert "who stated an ethnicity" in axis, (table_id, axis)
        if denominators and all(d.population == "joiners" for d in denominators):
            assert " joiners" in axis, (table_id, axis)
        types = {_worker_types(d) for d in denominators}
        if types == {frozenset({"police_officer"})}:
            assert re.search(r"\bofficers?\b", axis, re.I), (table_id, axis)
        elif types == {frozenset({"police_staff"})}:
            assert "police staff" in axis.lower(), (table_id, axis)


def test_a_targets_status_names_every_count_of_the_straight_line_it_is_decided_by(manifest):
    """ "On track" means the straight line reaches the target by the date, so the status is
    shown only when every count behind the line is (the status of a target whose line is
    withheld would say on which side of the target it falls)."""
    tables = {t["id"]: t for t in manifest["tables"]}
    for table_id, line in (("targets-shares", "straight_line_group_share"),
                           ("targets-joiners", "straight_line_joiners")):  # fmt: skip
        for cells in tables[table_id]["cells"]:
            assert set(cells[line]["of"]) <= set(cells["target_status"]["of"]), table_id


def test_every_share_in_the_analysts_views_is_within_0_and_1(database):
    """Hostile 9: trend_group_share ran from -0.133 to 1.133 though declared a fraction. Every
    column the dictionary declares a fraction from 0 to 1 (a change or gap, which may be
    negative, is in "difference of fractions": hx11, the leadership gaps were *_share)."""
    from pipeline import dictionary

    shares = {c.name for c in dictionary.load().values() if c.unit == dictionary.FRACTION}
    checked = []
    for view, column in database.execute(
        """select table_name, column_name from information_schema.columns
           where table_schema = 'analytics'"""
    ).fetchall():
        if column in shares:
            low, high = database.execute(
                f'select min("{column}"), max("{column}") from analytics."{view}"'
            ).fetchone()
            checked.append(f"{view}.{column}")
            if low is not None:
                assert low >= 0.0 and high <= 1.0, (view, column, low, high)
    assert "representation_trend.trend_group_share" in checked


def _percent(cell: str) -> float | None:
    return None if cell in ("[c]", "[x]") else float(cell.rstrip("%").replace("+", ""))


def test_a_change_beside_its_two_shares_is_their_difference_as_printed(page):
    """Hostile 6: "rose from 11.0% to 11.4% (+0.3 percentage points)": the change was
    rounded from the unrounded difference. Every change printed beside (or between the rows
    of) its two shares is their difference as printed."""
    checked = 0

    def check(earlier: str, later: str, change: str, where) -> None:
        nonlocal checked
        terms, shown = (_percent(earlier), _percent(later)), _percent(change)
        if None not in terms and shown is not None:
            assert shown == pytest.approx(round(terms[1] - terms[0], 1), abs=1e-9), where
            checked += 1

    for table_id in OVER_TIME:
        header, *_ = page.tables[f"{table_id}-table"]
        change = header.index("Change since the previous snapshot (percentage points)")
        share = next(i for i, h in enumerate(header) if h.endswith("share of those stating"))
        by_date = _rows_by_date(page, table_id)
        dates = list(by_date)
        for before, after in itertools.pairwise(dates):
            for old, new in zip(by_date[before], by_date[after], strict=True):
                check(old[share], new[share], new[change], (table_id, new[0]))
    year_on = 0
    for table_id, (header, *rows) in page.tables.items():
        if "Change over the year (percentage points)" in header:
            year_on += 1
            change = header.index("Change over the year (percentage points)")
            then, now = (i for i, h in enumerate(header) if h.endswith(": share"))
            for row in rows:
                check(row[then], row[now], row[change], (table_id, row[0]))
    assert year_on >= 3
    header, *rows = page.tables["changes-since-last-report-table"]
    then, now = (i for i, h in enumerate(header) if h.endswith(": rate"))
    for row in rows:
        check(row[then], row[now], row[-1], ("changes", row[0]))
    assert checked > 50


def test_no_number_in_any_exported_table_is_stored_as_text(demo_report, manifest):
    """Hostile 11: "Joiners targeted" was the text "1,000" in the CSV and the workbook, and
    the projection's years were text in the workbook. Every column of a numeric kind (and a
    label column of years) holds numbers in both, or the marks [c] and [x] (and "no upper
    limit", an interval's infinite bound, which Excel cannot hold as a number)."""
    import csv

    from openpyxl import load_workbook

    from pipeline.report.declared import UNBOUNDED

    marks = {"[c]", "[x]", UNBOUNDED}  # an interval's infinite upper bound, like the marks
    book = load_workbook(next(demo_report.glob("*.xlsx")), read_only=True)
    checked = 0
    for table in manifest["tables"]:
        kinds = [c["kind"] for c in table["columns"] for _ in c["export_headers"]]
        headers = [h for c in table["columns"] for h in c["export_headers"]]
        numeric = [
            k not in ("label", "text") or h == "Year" for k, h in zip(kinds, headers, strict=True)
        ]
        lines = (demo_report / table["csv"]).read_text(encoding="utf-8-sig").splitlines()
        rows = list(csv.reader(line for line in lines if not line.startswith("#")))[1:]
        for row in rows:
            for cell, is_number in zip(row, numeric, strict=False):
                if is_number and cell not in marks:
                    float(cell)  # "1,000" or "12.3%" would raise
                    checked += 1
        sheet = book[table["sheet"]]
        body, started = [], False
        for values in sheet.iter_rows(values_only=True):
            if started and values[0] is None:
                break
            if started:
                body.append(values)
            started = started or (values[0] == headers[0] and values[1:2] == tuple(headers[1:2]))
        assert len(body) == len(rows), table["id"]
        for values in body:
            for value, is_number in zip(values, numeric, strict=False):
                if is_number and value not in marks:
                    assert isinstance(value, int | float), (table["id"], value)
    assert checked > 1000
