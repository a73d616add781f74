"""Every output of the demo run, scanned for disclosure from what it shows: no count from
1 to the threshold, nothing computed from a withheld count, no withheld (or small
unpublished) count recoverable from the sums a table states. Each output is read back in its
own format (HTML tables, CSV files, workbook sheets, summary.json, the PDF's text), so a
leak introduced by any one writer is caught."""

from __future__ import annotations

import csv
import json
import re
import subprocess

import pytest
from openpyxl import load_workbook
from report_scan import (
    THRESHOLD,
    check_table,
    csv_rows,
    parse_page,
    sheet_rows,
    small_numbers_in,
)

from pipeline.disclosure import NOT_SHOWN_MARKS


@pytest.fixture(scope="module")
def manifest(demo_report) -> dict:
    return json.loads((demo_report / "tables.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def page(demo_report):
    return parse_page(demo_report / "index.html")


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


def test_html_tables_show_no_small_or_recoverable_count(page, manifest):
    problems = []
    for entry in manifest["tables"]:
        header, *rows = page.tables[f"{entry['id']}-table"]
        assert header == entry["headers"]
        problems += check_table(rows, header, entry, f"index.html {entry['id']}")
    assert problems == []


def test_csv_files_show_no_small_or_recoverable_count(demo_report, manifest):
    problems = []
    for entry in manifest["tables"]:
        headers, rows = csv_rows(demo_report / entry["csv"], entry)
        problems += check_table(rows, headers, entry, entry["csv"])
    assert problems == []


def test_workbook_sheets_show_no_small_or_recoverable_count(demo_report, manifest):
    workbook = load_workbook(demo_report / manifest["workbook"])
    assert workbook.sheetnames[:2] == ["Contents", "Notes"]
    assert sorted(workbook.sheetnames[2:]) == sorted(t["sheet"] for t in manifest["tables"])
    problems = []
    for entry in manifest["tables"]:
        headers, rows = sheet_rows(workbook, entry)
        assert headers == entry["headers"]
        problems += check_table(rows, headers, entry, f"workbook {entry['sheet']}")
    assert problems == []


def test_every_output_shows_the_same_values(demo_report, page, manifest):
    """The HTML, CSV and workbook agree cell by cell (so none is less protected)."""
    workbook = load_workbook(demo_report / manifest["workbook"])
    for entry in manifest["tables"]:
        _, *html_rows = page.tables[f"{entry['id']}-table"]
        _, from_csv = csv_rows(demo_report / entry["csv"], entry)
        _, from_sheet = sheet_rows(workbook, entry)
        for html_row, csv_row, sheet_row in zip(html_rows, from_csv, from_sheet, strict=True):
            for kind, h, c, x in zip(entry["column_kinds"], html_row, csv_row, sheet_row,
                                     strict=True):  # fmt: skip
                if h in NOT_SHOWN_MARKS:
                    assert c == h and x == h, (entry["id"], html_row[0])
                elif kind == "count":
                    assert int(h.replace(",", "")) == int(c) == x, (entry["id"], html_row[0])
                elif kind == "percent":
                    assert float(h.rstrip("%")) == float(c) == pytest.approx(x * 100)


def test_summary_json_shows_no_small_count(demo_report):
    summary = json.loads((demo_report / "summary.json").read_text(encoding="utf-8"))
    for group, figures in summary["headline"].items():
        for key, value in figures.items():
            if key.endswith("headcount") and value is not None:
                assert not 1 <= value <= THRESHOLD, (group, key)
            if value is None:
                assert key in figures["withheld"] or key.endswith(("share", "rate", "ratio"))


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


def test_the_pdf_shows_nothing_the_page_does_not(demo_report, page):
    """The PDF is the page printed: every number in its text is a number the page shows
    (the page is audited above), apart from the page numbers in its footer."""
    summary = json.loads((demo_report / "summary.json").read_text(encoding="utf-8"))
    text = subprocess.run(
        ["pdftotext", "-layout", str(demo_report / summary["outputs"]["pdf"]), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    body = re.sub(r"Page \d+ of \d+", "", text)
    body = re.sub(r"(?m)^\s*\d{1,2}\. ", "", body)  # list numbers, drawn by CSS
    assert "Findings" in body and "[c]" in body
    page_numbers = _numbers(" ".join(page.text))
    assert sorted(_numbers(body) - page_numbers) == []


def test_reports_are_archived_by_run_date_with_an_index(demo_run, demo_report):
    out, _ = demo_run
    reports = out / "var" / "reports"
    (dated,) = [p for p in reports.iterdir() if re.fullmatch(r"\d{4}-\d{2}-\d{2}", p.name)]
    assert (dated / "index.html").read_bytes() == (demo_report / "index.html").read_bytes()
    index = parse_page(reports / "index.html")
    assert f"{dated.name}/index.html" in index.urls
    summary = json.loads((dated / "summary.json").read_text(encoding="utf-8"))
    assert f"{dated.name}/{summary['outputs']['pdf']}" in index.urls


def test_the_audit_would_catch_a_withheld_count_put_back(page, manifest):
    """Put back any one withheld group count of the rank table: its partner becomes
    recoverable, so the scan above is not passing vacuously."""
    (entry,) = [t for t in manifest["tables"] if t["id"] == "representation-by-rank"]
    header, *rows = page.tables["representation-by-rank-table"]
    column = header.index("In the group")
    withheld = [i for i, row in enumerate(rows) if row[column] == "[c]"]
    assert len(withheld) >= 2
    changed = [list(row) for row in rows]
    changed[withheld[0]][column] = "50"
    kinds = {p.split(": ")[1] for p in check_table(changed, header, entry, "mutated")}
    assert "withheld count recoverable" in kinds


def _one_withheld_part(total: str, parts: list[str]) -> bool:
    """A total shown with exactly one of its parts withheld gives that part back."""
    return total != "[c]" and sum(p == "[c]" for p in parts) == 1


def test_fairness_tables_leave_no_withheld_count_recoverable_from_their_totals(demo_report):
    """Leavers by reason add up to all reasons within a worker type; promotions by rank add
    up to all ranks: no total may be shown beside exactly one withheld part."""
    with (demo_report / "csv" / "retention.csv").open(encoding="utf-8", newline="") as handle:
        header, *rows = list(csv.reader(handle))
    for column in (2, 6):  # minority leavers, White leavers
        blocks: dict[str, list[list[str]]] = {}
        for row in rows:
            blocks.setdefault(row[0].split(":")[0], []).append(row)
        for block in blocks.values():
            assert block[0][0].endswith("all reasons")
            assert not _one_withheld_part(block[0][column], [r[column] for r in block[1:]]), (
                header[column],
                block[0][0],
            )
    with (demo_report / "csv" / "promotion-rates.csv").open(encoding="utf-8", newline="") as f:
        header, total, *ranks = list(csv.reader(f))
    assert total[0] == "All ranks"
    for column in (1, 2, 5, 6):  # in post and promoted, both groups
        assert not _one_withheld_part(total[column], [r[column] for r in ranks]), header[column]


def test_the_rank_pipeline_shows_no_count_the_rank_table_withholds(demo_report):
    """Both tables give officers, those who stated and those in the group by rank: a count
    one of them withholds (secondary suppression included) must not stand in the other."""

    def by_rank(name: str, columns: tuple[str, str, str]) -> dict[str, list[str]]:
        with (demo_report / "csv" / name).open(encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
        return {row["Rank"]: [row[c] for c in columns] for row in rows}

    table = by_rank(
        "representation-by-rank.csv", ("Headcount", "Stated an ethnicity", "In the group")
    )
    pipeline = by_rank("rank-pipeline.csv", ("Officers", "Stated ethnicity", "In group"))
    assert any("[c]" in cells for cells in table.values())
    for rank, cells in pipeline.items():
        for theirs, ours in zip(table[rank], cells, strict=True):
            assert ours == "[c]" or theirs != "[c]", rank
