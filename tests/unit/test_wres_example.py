"""The WRES worked example as a real recruitment extract through the whole pipeline.

A council's published figures (NHS England's WRES indicator 2 style): 389 White applicants
shortlisted, 117 appointed; 10 ethnic-minority applicants shortlisted, 2 appointed. The
relative likelihood of White applicants being appointed from shortlisting is
(117 / 389) / (2 / 10) = 1170 / 778 = 1.504. Everyone shortlisted passed the shortlisting
stage, so that stage compares 100% with 100%; the appointment stage's 2 appointments are
withheld in the report. The report must say so, not that no stage was below four-fifths.
"""

from __future__ import annotations

import re

import pytest
from conftest import STAFF_HEADER, staff_row, write_config, write_inbox

from pipeline.config import load_settings
from pipeline.nightly import run_nightly
from pipeline.warehouse import connect

HEADER = (
    "campaign_id,campaign_name,worker_type,entry_route,applicant_id,sex,ethnicity_code,"
    "age_band,stage_order,stage_name,outcome,outcome_date"
)
CAMPAIGN = "STAFF-2026,Council officer campaign 2026,police_staff,Not applicable"


def _applicants(prefix: str, ethnicity: str, shortlisted: int, appointed: int) -> list[str]:
    rows = []
    for i in range(shortlisted):
        person = f"{CAMPAIGN},{prefix}{i:04d},{'F' if i % 2 else 'M'},{ethnicity},25-34"
        outcome = "passed" if i < appointed else "failed"
        rows.append(f"{person},1,Shortlisting,passed,2025-06-02")
        rows.append(f"{person},2,Appointment,{outcome},2025-07-14")
    return rows


@pytest.fixture(scope="module")
def wres_force(tmp_path_factory):
    settings = load_settings(write_config(tmp_path_factory.mktemp("wres")))
    staff = [staff_row(f"S{i}", "W1" if i % 4 else "A1", snapshot="2026-03-31") for i in range(40)]
    write_inbox(settings, "staff_snapshot_2026.csv", STAFF_HEADER + "\n" + "\n".join(staff))
    rows = _applicants("W", "W1", 389, 117) + _applicants("M", "A2", 10, 2)
    write_inbox(settings, "recruitment_applicants_2026.csv", HEADER + "\n" + "\n".join(rows))
    run_nightly(settings)
    return settings


def test_relative_likelihood_in_the_database(wres_force):
    with connect(wres_force.paths.database, read_only=True) as con:
        got = con.execute(
            """select * from analytics.disparities
               where process_id = 'STAFF-2026' and stage_name = 'Appointment'
                 and comparison_code = 'ethnic_minority' and comparator_basis = 'reference_group'
                 and group_code = 'minority_excl_white'"""
        ).df()
    assert len(got) == 1
    row = got.iloc[0]
    assert (row["passed_count"], row["selection_base_count"]) == (2, 10)
    assert (row["comparator_passed_count"], row["comparator_selection_base_count"]) == (117, 389)
    assert row["relative_likelihood_ratio"] == pytest.approx(1170 / 778, rel=1e-12)
    assert round(row["relative_likelihood_ratio"], 3) == 1.504
    assert row["adverse_impact_ratio"] == pytest.approx(778 / 1170, rel=1e-12)
    # 0.66 is below four-fifths, but 10 applicants cannot show it is not chance.
    assert row["verdict"] == "lower pass rate, not significant"
    assert row["ci_lower_ratio"] < row["adverse_impact_ratio"] < 1 < row["ci_upper_ratio"]


def test_the_report_says_which_stage_could_not_be_shown(wres_force):
    html = (wres_force.paths.reports_dir / "latest" / "index.html").read_text(encoding="utf-8")
    section = re.search(r'<section id="recruitment-staff-2026".*?</section>', html, flags=re.S)
    assert section
    text = re.sub(r"\s+", " ", section.group(0))
    assert "at no stage" not in text
    assert (
        "Council officer campaign 2026: at the shortlisting stage the pass rate of ethnic "
        "minority (excluding White minorities) candidates was not below four-fifths of White "
        "candidates&#39;; the appointment stage could not be shown because the numbers are "
        "small." in text
    )
