"""The data-quality marts and report sections, against counts worked out by hand from the
inline extract; small counts are withheld and no row value reaches the report."""

from __future__ import annotations

import html
import re

import pytest
from conftest import STAFF_HEADER, staff_row, write_inbox

from pipeline.nightly import run_nightly
from pipeline.warehouse import connect

GOOD_W1, GOOD_NS, UNKNOWN_CODE, BAD_FTE = 60, 20, 6, 2
"""80 good rows (75% declared), 6 rows with an unknown ethnicity code (above the disclosure
threshold of 5, so shown) and 2 with an FTE above 1 (withheld): 8 of 88 rows, under 10%."""


def _snapshot(settings, name="staff_snapshot_2026-03-31.csv", snapshot="2026-03-31", prefix="P"):
    rows = (
        [staff_row(f"{prefix}W{i}", "W1", snapshot=snapshot) for i in range(GOOD_W1)]
        + [staff_row(f"{prefix}N{i}", "NS", snapshot=snapshot) for i in range(GOOD_NS)]
        + [staff_row(f"{prefix}X{i}", "X7", snapshot=snapshot) for i in range(UNKNOWN_CODE)]
        + [staff_row(f"{prefix}F{i}", "A1", snapshot=snapshot, fte="1.5") for i in range(BAD_FTE)]
    )
    write_inbox(settings, name, STAFF_HEADER + "\n" + "\n".join(rows) + "\n")


def _query(settings, sql):
    with connect(settings.paths.database, read_only=True) as con:
        return con.execute(sql).df()


def _section(settings, section_id: str) -> str:
    page = (settings.paths.reports_dir / "latest" / "index.html").read_text(encoding="utf-8")
    start = page.index(f'<section id="{section_id}"')
    return page[start : page.index("</section>", start)]


def _rows(section: str) -> list[list[str]]:
    body = section[section.index("<tbody>") :]
    return [
        [html.unescape(re.sub(r"<[^>]+>", "", cell)).strip() for cell in re.findall(
            r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)
    ]  # fmt: skip


@pytest.fixture
def loaded(tiny_force):
    _snapshot(tiny_force)
    result = run_nightly(tiny_force)
    assert (result.rows_loaded, result.rows_quarantined) == (80, 8)
    return tiny_force


def test_quarantine_summary_counts_by_file_and_rule(loaded):
    got = _query(
        loaded, "select rule_code, quarantined_row_count from analytics.quarantine_summary"
    )
    assert dict(zip(got["rule_code"], got["quarantined_row_count"], strict=True)) == {
        "ethnicity_code_allowed": UNKNOWN_CODE,
        "fte_in_range": BAD_FTE,
    }


def test_source_files_trace_rows_to_the_file(loaded):
    got = _query(loaded, "select * from analytics.source_files").iloc[0]
    assert got["source_file"] == "staff_snapshot_2026-03-31.csv"
    assert (got["read_row_count"], got["loaded_row_count"], got["quarantined_row_count"]) == (
        88,
        80,
        8,
    )
    archived = loaded.paths.archive / f"{got['source_file_hash']}.csv"
    assert archived.read_bytes() == (loaded.paths.inbox / got["source_file"]).read_bytes()


def test_data_quality_checks_hold_every_rule_once_per_file(loaded):
    got = _query(loaded, "select * from analytics.data_quality_checks")
    file_rules = got[got["source_file_hash"].notna()]
    assert len(file_rules) == 50 and file_rules["rule_code"].is_unique
    failed = got[~got["is_success"]].set_index("rule_code")["affected_count"].to_dict()
    assert failed == {"ethnicity_code_allowed": UNKNOWN_CODE, "fte_in_range": BAD_FTE}
    reference = got[got["extract_code"].isin(["area_lookup", "census_population"])]
    assert reference["is_success"].all() and len(reference) == 7
    history = got[got["expectation_type"].str.startswith("progression_sql_check")]
    assert sorted(history["rule_code"]) == [
        "candidate_in_staff_snapshot", "declaration_rate_drop", "headcount_change",
        "movements_cover_period", "person_in_staff_snapshot", "rank_disappeared",
        "snapshot_gap", "survey_parts_add_up", "survey_question_asked",
    ]  # fmt: skip


def test_report_withholds_small_counts_and_shows_the_rest(loaded):
    rows = _rows(_section(loaded, "data-quality-quarantine"))
    assert rows == [
        ["staff_snapshot_2026-03-31.csv", "ethnicity_code_allowed", "6"],
        ["staff_snapshot_2026-03-31.csv", "fte_in_range", "[c]"],
    ]
    checks = _rows(_section(loaded, "data-quality-checks"))
    assert [(r[0], r[3], r[4]) for r in checks] == [
        ("ethnicity_code_allowed", "Rows quarantined", "6"),
        ("fte_in_range", "Rows quarantined", "[c]"),
    ]
    files = _rows(_section(loaded, "data-quality-files"))
    assert files == [
        ["staff_snapshot_2026-03-31.csv", "Staff snapshot", files[0][2], "80", "8", "48 of 50"],
        ["All files", "", "", "80", "8", ""],
    ]


def test_declaration_rates_by_worker_type(loaded):
    rows = _rows(_section(loaded, "data-quality-declaration"))
    assert rows == [
        ["Police officers", "80", "60", "75.0%"],
        ["All worker types", "80", "60", "75.0%"],
    ]
    assert "75.0% of the workforce have stated their ethnicity" in _section(
        loaded, "data-quality-declaration"
    )


def test_report_carries_no_row_values(loaded):
    page = (loaded.paths.reports_dir / "latest" / "index.html").read_text(encoding="utf-8")
    assert "X7" not in page and "fte 1.5" not in page
    assert not re.search(r"\bP[WNXF]\d+\b", page)


def test_declaration_rate_is_compared_with_the_previous_snapshot(loaded):
    _snapshot(loaded, "staff_snapshot_2026-04-30.csv", "2026-04-30", prefix="Q")
    run_nightly(loaded)
    section = _section(loaded, "data-quality-declaration")
    rows = _rows(section)
    # The previous rate comes with the counts it is computed from.
    assert rows[-1] == ["All worker types", "80", "60", "75.0%", "80", "60", "75.0%"]
    assert "Declaration rate on 31 March 2026" in section


def test_a_small_declared_or_undeclared_count_withholds_the_rate(tiny_force):
    rows = [staff_row(f"P{i}", "W1") for i in range(20)] + [staff_row("N1", "NS")]
    write_inbox(tiny_force, "staff_snapshot_x.csv", STAFF_HEADER + "\n" + "\n".join(rows) + "\n")
    run_nightly(tiny_force)
    got = _rows(_section(tiny_force, "data-quality-declaration"))
    # One person has not stated: 20 of 21 would reveal them, so one of the two is withheld.
    assert got[-1][0] == "All worker types" and got[-1][3] == "[c]"
    # Which partner goes with it is the protection's choice: both may be withheld.
    assert "[c]" in got[-1][1:3] and set(got[-1][1:3]) <= {"20", "21", "[c]"}


def test_a_clean_run_reports_every_check_passed(tiny_force):
    rows = [staff_row(f"P{i}", "W1") for i in range(10)]
    write_inbox(tiny_force, "staff_snapshot_x.csv", STAFF_HEADER + "\n" + "\n".join(rows) + "\n")
    result = run_nightly(tiny_force)
    assert result.rows_quarantined == 0 and result.warnings == []
    section = _section(tiny_force, "data-quality-checks")
    assert "Every data-quality check passed." in section
    assert "No rows are quarantined." in _section(tiny_force, "data-quality-quarantine")


def test_a_check_failing_for_two_extracts_lists_each(tiny_force):
    """People in no snapshot in the misconduct and the appraisal extracts alike: a row for
    each, where one cell with two values used to stop the report ("Internal error")."""
    _snapshot(tiny_force)
    case = ("C{i},Z{i},2025-06-01,internal_report,investigation,management_action,none,"
            "2025-11-01")  # fmt: skip
    header = ("case_id,staff_id,opened_date,case_source,misconduct_stage,misconduct_outcome,"
              "suspension_status,closed_date")  # fmt: skip
    cases = "\n".join([header, *(case.format(i=i) for i in range(8))])
    write_inbox(tiny_force, "misconduct_cases_2026.csv", cases + "\n")
    ratings = "\n".join(
        ["staff_id,appraisal_year,rating", *(f"Y{i},2025,Competent" for i in range(9))]
    )
    write_inbox(tiny_force, "appraisal_ratings_2025.csv", ratings + "\n")
    run_nightly(tiny_force)
    checks = _rows(_section(tiny_force, "data-quality-checks"))
    missing = sorted((r[1], r[4]) for r in checks if r[0] == "person_in_staff_snapshot")
    assert missing == [("Appraisal ratings", "9"), ("Misconduct cases", "8")], checks
