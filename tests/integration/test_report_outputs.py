"""Every output of the demo run, read back and audited from the files alone: the page, every
CSV, every workbook sheet, summary.json and the PDF's text. Every table is declared (the
cell behind every count is in tables.json) and so in the audit; every chart plots exactly
its table's figures; numbers are numbers; every output carries the protective marking."""

from __future__ import annotations

import csv
import html
import json
import re
import subprocess

import pytest
from openpyxl import load_workbook
from report_scan import parse_page, scan_report, small_numbers_in

from pipeline.demo import PLANTED_ADVERSE_STAGE
from pipeline.report.audit import parse_html_cell
from pipeline.report.declared import Column, Withheld

MARKING = "OFFICIAL-SENSITIVE"


@pytest.fixture(scope="module")
def manifest(demo_report) -> dict:
    return json.loads((demo_report / "tables.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def page(demo_report):
    return parse_page(demo_report / "index.html")


@pytest.fixture(scope="module")
def pdf_pages(demo_report) -> list[str]:
    summary = json.loads((demo_report / "summary.json").read_text(encoding="utf-8"))
    text = subprocess.run(
        ["pdftotext", "-layout", str(demo_report / summary["outputs"]["pdf"]), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return [p for p in text.split("\f") if p.strip()]


def test_every_output_is_written(demo_report, manifest):
    summary = json.loads((demo_report / "summary.json").read_text(encoding="utf-8"))
    outputs = summary["outputs"]
    assert (demo_report / "index.html").exists()
    assert outputs["pdf"] and (demo_report / outputs["pdf"]).read_bytes().startswith(b"%PDF")
    assert (demo_report / outputs["workbook"]).exists()
    assert sorted(outputs["csv"]) == sorted(t["csv"] for t in manifest["tables"])
    assert all((demo_report / name).exists() for name in outputs["csv"])
    ids = {t["id"] for t in manifest["tables"]}
    assert {"representation-by-rank", "representation-by-lpu", "workforce-by-group"} <= ids


def test_the_report_makes_no_external_request(page):
    external = [u for u in page.urls if re.match(r"^(https?:)?//", u)]
    assert external == []
    assert "script" not in page.tags and "link" not in page.tags and "img" not in page.tags
    assert "svg" in page.tags


def test_the_summary_comes_first_then_themes_then_methodology(page):
    headings = [t.strip() for t in page.text if t.strip()]
    order = [
        headings.index(h)
        for h in (
            "Findings",
            "What changed since the last report",
            "Data-quality caveats",
            "Operational and service delivery",
            "People and culture",
            "Organisational processes",
            "Data quality",
            "Methodology and definitions",
            "Glossary of police terms",
        )
    ]
    assert order == sorted(order)


def test_five_to_eight_findings_and_a_comparison_with_the_last_snapshot(demo_report):
    summary = json.loads((demo_report / "summary.json").read_text(encoding="utf-8"))
    assert 5 <= len(summary["findings"]) <= 8
    assert summary["previous_snapshot_date"] == "2025-03-31"
    assert any("share of the workforce" in c for c in summary["changes"])
    assert any("Declaration rate" in c for c in summary["changes"])
    assert summary["caveats"]


def test_the_planted_gap_is_on_the_first_page_of_findings(demo_report, pdf_pages):
    """The one-page scorecard under the title, then the contents, then the summary: its
    first page has the gap."""
    _, stage = PLANTED_ADVERSE_STAGE
    summary = json.loads((demo_report / "summary.json").read_text(encoding="utf-8"))
    gap = [f for f in summary["findings"] if f"gap opens at the {stage.lower()}" in f]
    assert len(gap) == 1 and summary["findings"].index(gap[0]) <= 2
    pages = [" ".join(page.split()) for page in pdf_pages]
    title = "OFFICIAL-SENSITIVE West Midlands Police · BME Progression Group Workforce"
    assert pages[0].startswith(title) and "Scorecard: Ethnic minority" in pages[0]
    assert "Officers entering the formal misconduct process" in pages[0]
    assert "Believe the force offers equal opportunities" in pages[0]  # the last row: one page
    assert pages[1].startswith("OFFICIAL-SENSITIVE Contents")
    assert pages[2].startswith("OFFICIAL-SENSITIVE Summary Findings")
    assert f"gap opens at the {stage.lower()}" in pages[2]


# --------------------------------------------------------------------------- the audit


def test_every_output_passes_the_audit_from_the_files_alone(demo_report):
    """No count from 1 to the threshold shown; no withheld count, and no small unpublished
    count of an ethnic group, that can be worked out from everything published together
    (the page, every CSV, every sheet, summary.json; shares to their rounding); the outputs
    agree cell by cell; every sentence quotes only figures a table shows."""
    assert scan_report(demo_report) == []


def test_every_table_on_the_page_is_declared_and_audited(page, manifest):
    declared = {f"{t['id']}-table": t for t in manifest["tables"]}
    unaudited = [table_id for table_id in page.tables if table_id not in declared]
    assert unaudited == []
    for entry in manifest["tables"]:
        counts = [c["name"] for c in entry["columns"] if c["kind"] == "count"]
        for row, cells in zip(entry["rows"], entry["cells"], strict=True):
            # every count that exists is a declared cell (one that does not is [x])
            assert all(cells[name] for name in counts if name in cells), (entry["id"], row)
        derived = [c["name"] for c in entry["columns"]
                   if c["kind"] not in ("label", "count", "text")]  # fmt: skip
        # A derived figure names the counts it is computed from, unless it does not exist
        # by the table's design (a change at the first snapshot): then it is [x].
        _, *shown = page.tables[f"{entry['id']}-table"]
        for cells, row in zip(entry["cells"], shown, strict=True):
            for name in derived:
                position = entry["headers"].index(
                    next(c["header"] for c in entry["columns"] if c["name"] == name)
                )
                assert name not in cells or cells[name]["of"] or row[position] == "[x]", (
                    entry["id"],
                    name,
                )


def test_the_audit_would_catch_a_withheld_count_put_back(demo_report, tmp_path):
    """Put the true value back into one withheld cell of one CSV: the outputs disagree, and
    the cell's partner can be worked out. The scan above is not passing vacuously."""
    import shutil

    copy = tmp_path / "report"
    shutil.copytree(demo_report, copy)
    path = copy / "csv" / "representation-by-rank.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        marking, header, *rows = list(csv.reader(handle))
    column = header.index("Headcount")
    withheld = [i for i, row in enumerate(rows) if row[column] == "[c]"]
    assert withheld
    rows[withheld[0]][column] = "110"
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.write(marking[0] + "\n")
        csv.writer(handle).writerows([header, *rows])
    kinds = {p.split(":")[0] for p in scan_report(copy)}
    assert "outputs disagree" in kinds


# --------------------------------------------------------------------------- numbers


def test_csv_and_workbook_hold_numbers_with_intervals_and_p_values_in_their_own_columns(
    demo_report, manifest, page
):
    header, *html_rows = page.tables["promotion-insp-2025-table"]
    shown = dict(
        zip(header, next(r for r in html_rows if r[0] == "Assessment centre"), strict=True)
    )
    rate = float(shown["Ethnic minority: pass rate"].rstrip("%"))
    (entry,) = [t for t in manifest["tables"] if t["id"] == "promotion-insp-2025"]
    with (demo_report / entry["csv"]).open(encoding="utf-8", newline="") as handle:
        assert handle.readline().strip() == f"# {MARKING}"
        rows = {r["Stage"]: r for r in csv.DictReader(handle)}
    centre = rows["Assessment centre"]
    assert float(centre["95% interval: lower"]) < float(centre["95% interval: upper"]) < 1
    assert 0 < float(centre["How sure: p-value"]) < 0.05
    assert 0 < float(centre["How sure: adjusted p-value"]) < 0.05
    assert float(centre["Ethnic minority: pass rate (%)"]) == rate
    workbook = load_workbook(demo_report / manifest["workbook"])
    sheet = workbook[entry["sheet"]]
    (table,) = sheet.tables.values()
    header, *body = [[c.value for c in row] for row in sheet[table.ref]]
    centre = dict(zip(header, next(r for r in body if r[0] == "Assessment centre"), strict=True))
    assert isinstance(centre["95% interval: lower"], float)
    assert isinstance(centre["How sure: p-value"], float)
    assert centre["Ethnic minority: pass rate (%)"] == pytest.approx(rate / 100)
    assert isinstance(centre["Ethnic minority: candidates counted"], int)


def test_the_page_keeps_the_readable_forms(page):
    header, *rows = page.tables["promotion-insp-2025-table"]
    centre = dict(zip(header, next(r for r in rows if r[0] == "Assessment centre"), strict=True))
    assert re.fullmatch(r"\d\.\d\d to \d\.\d\d", centre["95% interval"])
    assert re.fullmatch(
        r"unlikely to be chance \(p [<=] 0\.\d{3}; p = 0\.0\d\d allowing for \d+ comparisons\)",
        centre["How sure"],
    )


# --------------------------------------------------------------------------- marking


def test_every_output_carries_the_protective_marking(demo_report, manifest, page, pdf_pages):
    text = (demo_report / "index.html").read_text(encoding="utf-8")
    assert text.count(f'class="marking marking-top">{MARKING}<') == 1
    assert text.count(f'class="marking marking-bottom">{MARKING}<') == 1
    for entry in manifest["tables"]:
        with (demo_report / entry["csv"]).open(encoding="utf-8") as handle:
            assert handle.readline().strip() == f"# {MARKING}", entry["csv"]
    workbook = load_workbook(demo_report / manifest["workbook"])
    for sheet in workbook.worksheets:
        assert sheet["A1"].value == MARKING, sheet.title
        assert sheet.oddHeader.center.text == sheet.oddFooter.center.text == MARKING
    for name in ("summary.json", "tables.json"):
        content = json.loads((demo_report / name).read_text(encoding="utf-8"))
        assert next(iter(content)) == "protective_marking"
        assert content["protective_marking"] == MARKING
    for number, text in enumerate(pdf_pages, start=1):
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        assert lines[0] == MARKING, number
        assert lines[-1].startswith(MARKING), number


def test_generated_sentences_quote_no_small_count(page, demo_report):
    summary = json.loads((demo_report / "summary.json").read_text(encoding="utf-8"))
    sentences = page.prose + summary["findings"] + summary["changes"] + summary["caveats"]
    assert len(page.prose) > 10
    assert small_numbers_in(sentences) == []


def test_the_prose_check_would_catch_a_small_count():
    assert small_numbers_in(["Black officers: 3 of 40 inspectors."]) != []
    assert small_numbers_in(["12.2% of constables (621 of 5,095)."]) == []


def _numbers(text: str) -> set[str]:
    return set(re.findall(r"\d[\d,]*(?:\.\d+)?%?", text))


def test_the_pdf_shows_nothing_the_page_does_not(pdf_pages, page):
    """The PDF is the page printed: every number in its text is a number the page shows
    (the page is audited above), apart from the page numbers in its footer."""
    body = re.sub(r"Page \d+ of \d+", "", "\f".join(pdf_pages))
    body = re.sub(r"(?m)^\s*\d{1,2}\. ", "", body)  # list numbers, drawn by CSS
    assert "Findings" in body and "[c]" in body
    page_numbers = _numbers(" ".join(page.text))
    assert sorted(_numbers(body) - page_numbers) == []


# --------------------------------------------------------------------------- charts


def _chart_data(text: str, table_id: str) -> dict:
    found = re.search(rf'<metadata id="{table_id}-chart-data">(.*?)</metadata>', text, re.S)
    assert found, table_id
    return json.loads(html.unescape(found.group(1)))


def _bar_width(text: str, table_id: str, series: int, row: int) -> float | None:
    found = re.search(
        rf'<g id="{table_id}-bar-s{series}-r{row}">\s*<path d="M ([\d.]+) [\d.]+ \s*L ([\d.]+)',
        text,
    )
    return None if not found else float(found.group(2)) - float(found.group(1))


def test_every_chart_plots_its_tables_figures(demo_report, manifest, page):
    """For every chart (every funnel included), the values in the SVG are the values its
    table shows, row by row, and the bars are drawn to those lengths."""
    text = (demo_report / "index.html").read_text(encoding="utf-8")
    charts = re.findall(r'<metadata id="([\w-]+)-chart-data">', text)
    ids = [t["id"] for t in manifest["tables"]]
    funnels = [i for i in ids if i.startswith(("promotion-", "recruitment-"))]
    assert set(funnels) - {"promotion-rates"} <= set(charts)
    assert len(charts) >= 15
    for table_id in charts:
        data = _chart_data(text, table_id)
        entry = next(t for t in manifest["tables"] if t["id"] == table_id)
        header, *rows = page.tables[f"{table_id}-table"]
        by_label = {row[0]: row for row in rows}
        columns = {c["name"]: c for c in entry["columns"]}
        widths = []
        for s, series in enumerate(data["series"]):
            column = columns[series["column"]]
            position = header.index(column["header"])
            for r, (label, value) in enumerate(zip(data["rows"], series["values"], strict=True)):
                shown = parse_html_cell(Column(column["name"], column["header"], column["kind"]),
                                        by_label[label][position])  # fmt: skip
                if isinstance(shown, Withheld):
                    assert value is None, (table_id, label)
                    continue
                assert value == shown, (table_id, label, series["column"])
                width = _bar_width(text, table_id, s, r)
                if width is not None and value:
                    widths.append(width / value)
        assert not widths or max(widths) / min(widths) == pytest.approx(1, abs=1e-3), table_id


def test_every_funnel_chart_says_exactly_what_it_plots(demo_report, manifest):
    text = (demo_report / "index.html").read_text(encoding="utf-8")
    ids = [t["id"] for t in manifest["tables"]]
    funnels = [i for i in ids if re.match(r"(promotion|recruitment)-[a-z]+-\d", i)]
    assert funnels
    for table_id in funnels:
        data = _chart_data(text, table_id)
        assert data["axis"].startswith("Pass rate: candidates who passed / candidates at the stage")
        assert [s["column"] for s in data["series"]] == [
            "selection_rate",
            "reference_selection_rate",
        ]
        assert html.escape(data["axis"]) in text or data["axis"] in text


def test_summary_json_headline_is_the_declared_table(demo_report, manifest):
    summary = json.loads((demo_report / "summary.json").read_text(encoding="utf-8"))
    headline = summary["headline"]
    entry = next(t for t in manifest["tables"] if t["id"] == headline["table"])
    assert [r["label"] for r in headline["rows"]] == entry["rows"]
    for row in headline["rows"]:
        for key, value in row.items():
            if key.endswith("headcount") and isinstance(value, int):
                assert not 1 <= value <= 5, (row["label"], key)


def _csv_rows(demo_report, name: str) -> dict[str, dict[str, str]]:
    lines = (demo_report / "csv" / f"{name}.csv").read_text(encoding="utf-8").splitlines()[1:]
    return {row[next(iter(row))]: row for row in csv.DictReader(lines)}


def test_a_funnels_last_stage_passed_is_its_end_to_end_passed(demo_report, manifest):
    """Hostile item 1: recruitment-pc-2026 showed Appointment passed [c] beside End to end
    passed 109 (the same candidates). One cell: the same text in both places."""
    funnels = [t for t in manifest["tables"] if t["id"].startswith(("recruitment-", "promotion-"))]
    checked = 0
    for table in funnels:
        if "End to end" not in table["rows"]:
            continue
        rows = _csv_rows(demo_report, table["id"])
        last = table["rows"][table["rows"].index("End to end") - 1]
        for header in rows[last]:
            if header.endswith(": passed"):
                assert rows[last][header] == rows["End to end"][header], (table["id"], header)
                checked += 1
    assert checked


def test_the_chief_officer_role_hides_what_the_chief_ranks_hide(demo_report):
    """Hostile item 3: specialist-roles showed "Chief Officer, 6, 6, 0" while the rank
    tables withheld the chief ranks' cells."""
    roles = _csv_rows(demo_report, "specialist-roles")
    chief = roles.get("Chief Officer")
    if chief is not None:
        people = [v for h, v in chief.items() if h.endswith(": people")]
        assert people == ["[c]"], chief


def test_short_service_shares_are_shown_where_their_counts_are(demo_report):
    """Hostile item 12: "under 2 years' service (%)" was [c] in every row of retention.csv,
    even beside 54 and 374 leavers: its count was not published, so the share never was."""
    rows = _csv_rows(demo_report, "retention")
    shown = [
        v for row in rows.values() for h, v in row.items()
        if h.endswith("under 2 years' service (%)") and v != "[c]"
    ]  # fmt: skip
    assert shown


def test_a_note_naming_x_does_not_call_it_withheld(demo_report):
    """``[x]`` is "no figure" (never computed), ``[c]`` a figure withheld: a note naming
    ``[x]`` must not call it withheld (hostile 11, #8: the survey notes said results below
    the minimum respondents are "not shown ([x])", which is what ``[c]`` means)."""
    text = html.unescape((demo_report / "index.html").read_text(encoding="utf-8"))
    notes = re.findall(r'class="table-note">([^<]*)', text)
    marked = [n for n in notes if "[x]" in n]
    assert len(marked) >= 3, "the demo's survey and trend notes name [x]"
    withheld = re.compile(r"not shown|withheld|suppressed", re.IGNORECASE)
    assert [n for n in marked if withheld.search(n.split("[x]")[0][-60:])] == []
