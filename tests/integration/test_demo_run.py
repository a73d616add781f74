"""The whole demo, end to end, through the real command into a temporary folder."""

from __future__ import annotations

import os
import subprocess

from conftest import DEMO_RUN_TIMEOUT, PROGRESSION

from pipeline.warehouse import connect


def test_demo_ends_with_a_report_and_a_database(demo_run):
    out, done = demo_run
    assert done.returncode == 0, done.stderr
    assert "Highs" not in done.stdout + done.stderr  # the solver's own prints are logged
    report = out / "var" / "reports" / "latest" / "index.html"
    assert report.exists()
    assert str(report) in done.stderr.replace("\n", "")
    html = report.read_text(encoding="utf-8")
    assert "Officers by rank against the force-area population" in html
    assert "<svg" in html
    with connect(out / "var" / "progression.duckdb", read_only=True) as con:
        (officers,) = con.execute(
            """select headcount from analytics.representation
               where worker_type = 'police_officer' and rank_or_band = 'All'
               and lpu_code = 'All' and group_code = 'black'
               and snapshot_date = (select max(snapshot_date) from analytics.representation)"""
        ).fetchone()
    assert 6000 < officers < 7600


def test_demo_drops_names_and_never_stores_payroll_numbers(demo_run):
    out, done = demo_run
    assert "allow-list: NI Number, Surname (from 5 file(s))" in done.stderr
    database = (out / "var" / "progression.duckdb").read_bytes()
    first_payroll = (out / "inbox").glob("staff_snapshot_*.csv").__next__()
    payroll = first_payroll.read_text(encoding="utf-8").splitlines()[1].split(",")[0]
    assert payroll.startswith("WM")
    assert payroll.encode() not in database
    assert payroll not in (out / "var" / "reports" / "latest" / "index.html").read_text()


def test_a_second_run_on_the_same_extracts_changes_nothing(demo_run):
    out, _ = demo_run
    database = out / "var" / "progression.duckdb"
    before = database.read_bytes()
    done = subprocess.run(
        [str(PROGRESSION), "run", "--config", str(out / "progression.toml")],
        capture_output=True,
        text=True,
        env={**os.environ, "PROGRESSION_PSEUDONYM_KEY": ""},
        timeout=DEMO_RUN_TIMEOUT,
    )
    assert done.returncode == 0, done.stderr
    assert "No new or changed extracts" in done.stderr
    assert database.read_bytes() == before
