"""The report on tiny forces: every output written, nothing small shown, edge cases named."""

from __future__ import annotations

import json
import logging
import re

import pytest
from conftest import STAFF_HEADER, staff_row, write_inbox
from openpyxl import load_workbook
from report_scan import page_table, parse_page, scan_report

from pipeline import groupings
from pipeline.config import ReportSettings
from pipeline.history import current_history
from pipeline.nightly import run_nightly
from pipeline.report.archive import run_date
from pipeline.report.build import build_report
from pipeline.warehouse import connect


def _snapshot(settings, rows: list[str], snapshot: str = "2026-03-31") -> None:
    write_inbox(
        settings,
        f"staff_snapshot_{snapshot}.csv",
        STAFF_HEADER + "\n" + "\n".join(rows) + "\n",
    )


def _officers(prefix: str, count: int, ethnicity: str, **kwargs) -> list[str]:
    return [staff_row(f"{prefix}{i}", ethnicity, **kwargs) for i in range(count)]


def _latest(settings):
    return settings.paths.reports_dir / "latest"


GROUP = "Ethnic minority (excluding White minorities)"
PEOPLE, SHARE = f"{GROUP}: people", f"{GROUP}: share of those stating"


@pytest.fixture
def small_force(tiny_force):
    """40 officers in two LPUs and two ranks, with a minority count of 3 at Sergeant."""
    _snapshot(
        tiny_force,
        _officers("C", 20, "W1", lpu="BHM")
        + _officers("D", 8, "A2", lpu="BHM")
        + _officers("E", 7, "W1", lpu="SOL", rank="Sergeant")
        + _officers("F", 3, "B1", lpu="SOL", rank="Sergeant")
        + _officers("G", 2, "NS", lpu="SOL"),
    )
    run_nightly(tiny_force)
    return tiny_force


def test_a_small_force_gets_every_output_and_none_shows_a_small_count(small_force):
    report = _latest(small_force)
    summary = json.loads((report / "summary.json").read_text(encoding="utf-8"))
    assert summary["outputs"]["pdf"] is None  # turned off in the test configuration
    assert "turned off" in summary["outputs"]["pdf_skipped"]
    for name in ["index.html", summary["outputs"]["workbook"], *summary["outputs"]["csv"]]:
        assert (report / name).exists(), name
    assert scan_report(report) == []


def test_a_count_of_three_is_withheld_with_its_share_and_a_partner(small_force):
    by_rank = page_table(_latest(small_force), "representation-by-rank")
    # 3 of 10 sergeants are in the group: withheld, and so is the constables' 8 (otherwise
    # 11 - 8 gives it back), with both shares.
    assert by_rank["Sergeant"][PEOPLE] == "[c]"
    assert by_rank["Sergeant"][SHARE] == "[c]"
    assert by_rank["Constable"][PEOPLE] == "[c]"
    # The force-wide 11 may be withheld too: which partner breaks a chain is the protection's
    # choice (the audit inside the build proves none is recoverable); it is never another number.
    assert by_rank["All officers"][PEOPLE] in ("11", "[c]")
    # 2 did not state (both constables): headcount 30 and 28 stated would give it away.
    assert "[c]" in (by_rank["Constable"]["Headcount"], by_rank["Constable"]["Stated an ethnicity"])


def test_a_force_of_five_shows_no_count_at_all(tiny_force):
    _snapshot(
        tiny_force,
        [
            staff_row("P1", "W1"),
            staff_row("P2", "A2"),
            staff_row("P3", "NS", lpu="SOL"),
            staff_row("P4", "B1", rank="Sergeant"),
            staff_row("P5", "W9", lpu="SOL"),
        ],
    )
    run_nightly(tiny_force)
    report = _latest(tiny_force)
    assert scan_report(report) == []
    summary = json.loads((report / "summary.json").read_text(encoding="utf-8"))
    workforce = summary["headline"]["rows"][-1]
    assert workforce["label"] == "Whole workforce"
    assert workforce["headcount"] == workforce["group_headcount"] is None


def test_everyone_not_stated_gives_undefined_shares_not_errors(tiny_force):
    _snapshot(tiny_force, _officers("N", 12, "NS") + _officers("M", 9, "NS", lpu="SOL"))
    run_nightly(tiny_force)
    report = _latest(tiny_force)
    assert scan_report(report) == []
    page = parse_page(report / "index.html")
    rows = page_table(report, "representation-by-lpu")
    assert all(row[SHARE] in ("[x]", "[c]") for row in rows.values())  # share of nobody
    assert any("too small" in p or "no figures" in p for p in page.prose)


def test_all_one_group_is_shown_when_large_enough(tiny_force):
    _snapshot(tiny_force, _officers("W", 30, "W1") + _officers("X", 12, "W1", lpu="SOL"))
    run_nightly(tiny_force)
    rows = page_table(_latest(tiny_force), "representation-by-lpu")
    assert [r[PEOPLE] for r in rows.values()] == ["0", "0", "0"]
    assert [r[SHARE] for r in rows.values()] == ["0.0%", "0.0%", "0.0%"]


def test_the_first_report_says_there_is_nothing_to_compare_with(small_force):
    summary = json.loads((_latest(small_force) / "summary.json").read_text(encoding="utf-8"))
    assert summary["previous_snapshot_date"] is None
    assert summary["changes"] == [
        "This is the first report: there is no earlier snapshot to compare with."
    ]


def test_what_changed_compares_with_the_previous_snapshot(tiny_force):
    then = {"snapshot": "2025-03-31"}
    _snapshot(
        tiny_force,
        _officers("A", 40, "W1", **then) + _officers("B", 10, "A1", **then),
        snapshot="2025-03-31",
    )
    _snapshot(tiny_force, _officers("A", 40, "W1") + _officers("B", 20, "A1"))
    run_nightly(tiny_force)
    summary = json.loads((_latest(tiny_force) / "summary.json").read_text(encoding="utf-8"))
    assert summary["previous_snapshot_date"] == "2025-03-31"
    # 10 of 50 (20.0%) then, 20 of 60 (33.3%) now: +13.3 points.
    assert summary["changes"][0] == (
        "Ethnic minority (excluding White minorities) share of the workforce: rose from "
        "20.0% to 33.3% (+13.3 percentage points)."
    )
    assert "unchanged at 100.0%" in summary["changes"][2]


def test_without_chromium_the_run_succeeds_and_says_the_pdf_was_skipped(small_force, caplog):
    settings = small_force.model_copy(
        update={"report": ReportSettings(pdf=True, chromium="/nonexistent/chromium")}
    )
    with (
        caplog.at_level(logging.WARNING, logger="pipeline.report.build"),
        connect(current_history(settings), read_only=True) as con,
    ):
        out = build_report(con, settings, settings.paths.work_dir / "no-pdf", "20260401T0Z-x")
    assert "PDF skipped: Chromium was not found" in caplog.text
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["outputs"]["pdf"] is None
    assert "Chromium was not found" in summary["outputs"]["pdf_skipped"]
    assert ".pdf" not in (out / "index.html").read_text(encoding="utf-8")
    assert not list(out.glob("*.pdf"))


def test_the_workbook_has_contents_notes_and_one_excel_table_per_sheet(small_force):
    report = _latest(small_force)
    summary = json.loads((report / "summary.json").read_text(encoding="utf-8"))
    workbook = load_workbook(report / summary["outputs"]["workbook"])
    contents, notes, *tables = workbook.worksheets
    assert (contents.title, notes.title) == ("Contents", "Notes")
    links = [c.hyperlink.location for c in contents["A"] if c.hyperlink]
    assert links == [f"'{t.title}'!A1" for t in tables] + ["'Notes'!A1"]
    assert all(len(t.title) <= 31 and len(t.tables) == 1 for t in tables)
    noted = [c.value for c in notes["A"] if c.value]
    assert "Protecting colleagues' privacy" in noted and "Glossary" in noted
    rank = workbook["representation-by-rank"]
    assert rank["A1"].value == "OFFICIAL-SENSITIVE"
    assert rank.oddHeader.center.text == rank.oddFooter.center.text == "OFFICIAL-SENSITIVE"
    (table,) = rank.tables.values()
    header = [c.value for c in rank[table.ref][0]]
    total = dict(zip(header, [c.value for c in rank[table.ref][-1]], strict=True))
    # Numbers are numbers (formatted as shown), withheld cells the mark: 40 officers, 38
    # stated, so the 2 not stated force one of the two totals to be withheld.
    assert total["Rank"] == "All officers" and total[PEOPLE] in (11, "[c]")
    totals = (total["Headcount"], total["Stated an ethnicity"])
    assert "[c]" in totals and any(isinstance(v, int) for v in totals)
    if total[PEOPLE] == 11:
        assert total[f"{SHARE} (%)"] == pytest.approx(11 / 38, abs=0.0005)  # shown as 28.9%
    else:
        assert total[f"{SHARE} (%)"] == "[c]"


def test_the_archive_keeps_each_run_date_and_lists_them(small_force):
    reports = small_force.paths.reports_dir
    (dated,) = [p.name for p in reports.iterdir() if re.fullmatch(r"\d{4}-\d{2}-\d{2}", p.name)]
    assert (reports / dated / "index.html").read_bytes() == (
        reports / "latest" / "index.html"
    ).read_bytes()
    later = {"snapshot": "2026-04-30"}
    _snapshot(
        small_force,
        _officers("Z", 30, "W1", **later) + _officers("Y", 9, "A1", **later),
        "2026-04-30",
    )
    run_nightly(small_force)
    assert (reports / dated / "index.html").read_bytes() == (
        reports / "latest" / "index.html"
    ).read_bytes()  # same run date: replaced
    index = parse_page(reports / "index.html")
    assert f"{dated}/index.html" in index.urls
    (reports / "2020-01-01").mkdir()
    (reports / "2020-01-01" / "summary.json").write_text('{"snapshot_date": "2019-12-31"}')
    run_nightly(small_force, force=True)
    index = parse_page(reports / "index.html")
    listed = [u.split("/")[0] for u in index.urls if u.endswith("/index.html")][1:]
    assert listed == [dated, "2020-01-01"]


def test_run_date_comes_from_the_run_id():
    assert run_date("20260401T020000Z-ab12cd34") == "2026-04-01"


@pytest.mark.parametrize("headline", ["minority_excl_white", "minority_incl_white"])
def test_every_level_partitions_the_codes_and_adds_up_to_the_headline(tiny_force, headline):
    settings = tiny_force.model_copy(
        update={"groups": tiny_force.groups.model_copy(update={"headline": headline})}
    )
    group = groupings.headline(settings).members
    every_code = groupings.STATED
    for level in groupings.levels(settings):
        members = [groupings.members(settings, code) for code in level.group_codes]
        assert set().union(*members) == every_code
        assert sum(len(m) for m in members) == len(every_code)  # disjoint
        inside = [m for m in members if m <= group]
        assert set().union(*inside) == group  # the headline is a union of the level's groups
    broad = set(groupings.levels(settings)[1].group_codes)
    assert ("white" in broad) == (headline == "minority_excl_white")


def test_a_failing_chromium_is_a_skipped_pdf_not_a_failed_run(small_force, caplog):
    settings = small_force.model_copy(
        update={"report": ReportSettings(pdf=True, chromium="/bin/false")}
    )
    with (
        caplog.at_level(logging.WARNING, logger="pipeline.report.build"),
        connect(current_history(settings), read_only=True) as con,
    ):
        out = build_report(con, settings, settings.paths.work_dir / "bad-pdf", "20260401T0Z-y")
    assert "PDF skipped: Chromium failed (BrowserError" in caplog.text
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["outputs"]["pdf"] is None and (out / "index.html").exists()
