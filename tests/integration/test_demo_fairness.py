"""The demo force has exactly one planted adverse stage; the analytics must find it, and only
it, and the report must call it out. Reads the session's demo run (conftest.demo_run)."""

from __future__ import annotations

import re

import pytest

from pipeline.demo import PLANTED_ADVERSE_STAGE
from pipeline.warehouse import connect

ADVERSE = "adverse and significant"


@pytest.fixture(scope="module")
def demo_database(demo_run):
    out, done = demo_run
    assert done.returncode == 0, done.stderr
    return out / "var" / "progression.duckdb"


def _query(database, sql, params=()):
    with connect(database, read_only=True) as con:
        return con.execute(sql, list(params)).df()


def test_the_planted_stage_is_adverse_and_significant(demo_database):
    process_id, stage_name = PLANTED_ADVERSE_STAGE
    got = _query(
        demo_database,
        """select * from analytics.disparities where process_id = ? and stage_name = ?
           and comparison_code = 'ethnic_minority' and comparator_basis = 'reference_group'
           and group_code = 'minority_excl_white'""",
        (process_id, stage_name),
    ).iloc[0]
    assert got["comparator_group_code"] == "white"
    assert got["verdict"] == ADVERSE
    assert got["adverse_impact_ratio"] < 0.8
    assert got["ci_upper_ratio"] < 1.0
    assert got["fisher_p_value"] < 0.05


def test_no_fair_stage_is_flagged_between_minority_and_white(demo_database):
    flagged = _query(
        demo_database,
        """select process_id, stage_name from analytics.disparities
           where comparison_code = 'ethnic_minority' and comparator_basis = 'reference_group'
             and verdict = ? and not is_end_to_end""",
        (ADVERSE,),
    )
    assert [tuple(r) for r in flagged.itertuples(index=False)] == [PLANTED_ADVERSE_STAGE]
    stages = _query(
        demo_database,
        """select count(*) as n from analytics.disparities
           where comparison_code = 'ethnic_minority' and comparator_basis = 'reference_group'
             and not is_end_to_end""",
    ).iloc[0]["n"]
    assert stages > 60  # every stage of 8 promotion processes and 12 campaigns was tested


def test_the_report_calls_out_where_the_gap_opens(demo_run):
    out, _ = demo_run
    html = (out / "var" / "reports" / "latest" / "index.html").read_text(encoding="utf-8")
    process_id, stage_name = PLANTED_ADVERSE_STAGE
    section = re.search(
        rf'<section id="promotion-{process_id.lower()}".*?</section>', html, flags=re.S
    )
    assert section, "the planted process is older than the latest year but must be shown"
    text = section.group(0)
    assert f"the gap opens at the {stage_name.lower()}" in text
    assert "unlikely to be chance" in text
    assert "Gap opens here" in text  # the chart's call-out
    for section_id in ("rank-pipeline", "promotion-rates", "retention", "specialist-departments"):
        assert f'<section id="{section_id}"' in html
    latest_only = re.findall(r'<section id="(promotion-[a-z]+-\d{4})"', html)
    assert sorted(latest_only) == [
        "promotion-insp-2025",
        "promotion-insp-2026",
        "promotion-sgt-2026",
    ]
