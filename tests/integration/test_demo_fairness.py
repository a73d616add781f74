"""The demo force has exactly one planted adverse stage; the analytics must find it, and only
it, after the false discovery rate is controlled, and the report must call it out. Every
comparison in every analytics view is checked against the method it claims. Reads the
session's demo run (conftest.demo_run)."""

from __future__ import annotations

import json
import math
import re
import warnings

import numpy as np
import pytest
from score_reference import comparison_p
from statsmodels.stats.proportion import score_test_proportions_2indep

from pipeline.demo import PLANTED_ADVERSE_STAGE
from pipeline.warehouse import connect

# Each view with a ratio: the ratio, and the four counts it is computed from.
VIEWS = {
    "disparities": ("adverse_impact_ratio", "passed_count", "selection_base_count",
                    "comparator_passed_count", "comparator_selection_base_count"),
    "promotion_rates": ("rate_ratio", "promoted_count", "in_post_count",
                        "reference_promoted_count", "reference_in_post_count"),
    "retention": ("rate_ratio", "leaver_count", "in_post_count", "reference_leaver_count",
                  "reference_in_post_count"),
    "rank_pipeline": ("compounded_ratio", "group_headcount", "declared_headcount",
                      "constable_group_headcount", "constable_declared_headcount"),
    "specialist_roles": ("unit_to_rest_ratio", "group_headcount", "declared_headcount",
                         "rest_group_headcount", "rest_declared_headcount"),
}  # fmt: skip


@pytest.fixture(scope="module")
def demo_database(demo_run):
    out, done = demo_run
    assert done.returncode == 0, done.stderr
    return out / "var" / "progression.duckdb"


def _query(database, sql, params=()):
    with connect(database, read_only=True) as con:
        return con.execute(sql, list(params)).df()


def _compared(database, view):
    ratio, *counts = VIEWS[view]
    frame = _query(
        database,
        f"""select {ratio} as ratio, {", ".join(counts)}, ci_lower_ratio, ci_upper_ratio,
                   p_value, adjusted_p_value, is_significant, is_significant_after_adjustment,
                   verdict
            from analytics.{view} where verdict is not null""",
    )
    frame.columns = ["ratio", "a", "n1", "c", "n2", *frame.columns[5:]]
    return frame


@pytest.mark.parametrize("view", VIEWS)
def test_every_interval_holds_its_estimate_and_decides_the_verdict(demo_database, view):
    got = _compared(demo_database, view)
    assert len(got) > 50
    words = set(got["verdict"])
    assert not any("favourable" in w or "adverse" in w for w in words), words
    computable = got["verdict"] != "not computable"
    assert got.loc[computable, ["ci_lower_ratio", "ci_upper_ratio", "p_value"]].notna().all().all()
    rows = got[computable]
    # The estimate (infinite when the comparator's rate is 0) lies inside its interval.
    estimate = rows["ratio"].astype(float).where(rows["c"] > 0, math.inf)
    assert (rows["ci_lower_ratio"] <= estimate * (1 + 1e-12)).all()
    assert (estimate <= rows["ci_upper_ratio"] * (1 + 1e-12)).all()
    # Significant exactly when the interval excludes 1, in the flag and in the words; the
    # adjusted decision is never more confident than the comparison's own.
    excludes_one = (rows["ci_lower_ratio"] > 1) | (rows["ci_upper_ratio"] < 1)
    assert (rows["is_significant"].astype(bool) == excludes_one).all()
    assert (rows["verdict"].str.contains(", significant") == excludes_one).all()
    survives = rows["is_significant_after_adjustment"].astype(bool)
    chance = rows["verdict"].str.contains("could be chance among")
    assert (chance == (excludes_one & ~survives)).all()
    assert ((rows["p_value"] < 0.05) == excludes_one).all()
    assert (rows["adjusted_p_value"] >= rows["p_value"]).all()
    assert not (rows["is_significant_after_adjustment"].astype(bool) & ~excludes_one).any()


@pytest.mark.parametrize("view", VIEWS)
def test_every_interval_is_the_score_tests_own(demo_database, view):
    """Recomputed independently with statsmodels for every distinct table in the view: the
    test accepts each bound and rejects a hair beyond it, so no interval is narrower (or
    wider) than the method's own; except a bound of exactly 1 where an expected count is
    below 5 and Fisher's mid-p (scipy) does not reject what the score test rejects (hostile
    6, finding 18: the interval then reaches 1)."""
    got = _compared(demo_database, view)
    rows = got[got["verdict"] != "not computable"]
    tables = rows.drop_duplicates(["a", "n1", "c", "n2"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        for row in tables.itertuples():
            table = (int(row.a), int(row.n1), int(row.c), int(row.n2))

            def p(ratio, table=table):
                return score_test_proportions_2indep(
                    *table, value=ratio, compare="ratio", return_results=False
                )[1]

            if 1.0 in (row.ci_lower_ratio, row.ci_upper_ratio) and p(1.0) < 0.05:
                assert comparison_p(*table) >= 0.05, table  # widened: the exact test accepts
                assert row.p_value == pytest.approx(comparison_p(*table), rel=1e-9), table
                continue
            if row.ci_lower_ratio > 0:
                assert p(row.ci_lower_ratio) >= 0.05 - 1e-9, table
                assert p(row.ci_lower_ratio * (1 - 1e-7)) < 0.05, table
            else:
                assert table[0] == 0, table
            if np.isfinite(row.ci_upper_ratio):
                assert p(row.ci_upper_ratio) >= 0.05 - 1e-9, table
                assert p(row.ci_upper_ratio * (1 + 1e-7)) < 0.05, table
            else:
                assert table[2] == 0, table


def test_the_planted_stage_survives_the_false_discovery_rate(demo_database):
    process_id, stage_name = PLANTED_ADVERSE_STAGE
    got = _query(
        demo_database,
        """select * from analytics.disparities where process_id = ? and stage_name = ?
           and comparison_code = 'ethnic_minority' and comparator_basis = 'reference_group'
           and group_code = 'minority_excl_white'""",
        (process_id, stage_name),
    ).iloc[0]
    assert got["comparator_group_code"] == "white"
    assert got["verdict"] == "lower pass rate, significant"
    assert got["adverse_impact_ratio"] < 0.8
    assert got["ci_upper_ratio"] < 1.0
    assert got["family_comparison_count"] >= 30  # every stage and group of the process
    assert got["adjusted_p_value"] < 0.05
    assert got["is_significant_after_adjustment"]


def _shown(prefix: str = "") -> str:
    """A comparison a report can show: no count from 1 to the threshold (5), which every
    output withholds and the score test, an approximation, is not to be trusted with."""
    counts = ("passed_count", "selection_base_count", "comparator_passed_count",
              "comparator_selection_base_count")  # fmt: skip
    return " and ".join(f"({prefix}{c} = 0 or {prefix}{c} > 5)" for c in counts)


def test_fair_comparisons_do_not_survive_the_false_discovery_rate(demo_database):
    # Fair comparisons (nothing is planted but the one stage) significant on their own and
    # chance among their process's comparisons: the false discovery rate control matters.
    chance = _query(
        demo_database,
        f"""select * from analytics.disparities
            where comparator_basis = 'reference_group' and p_value < 0.01
              and (process_id, stage_name) != (?, ?) and {_shown()}""",
        PLANTED_ADVERSE_STAGE,
    )
    assert len(chance) >= 1
    assert (chance["adjusted_p_value"] > 0.05).all()
    assert not chance["is_significant_after_adjustment"].any()
    # Against the reference groups, only the planted stage survives, in any comparison.
    survivors = _query(
        demo_database,
        f"""select distinct process_id, stage_name from analytics.disparities
           where comparator_basis = 'reference_group' and is_significant_after_adjustment
             and not is_end_to_end and {_shown()}""",
    )
    assert [tuple(r) for r in survivors.itertuples(index=False)] == [PLANTED_ADVERSE_STAGE]
    stages = _query(
        demo_database,
        """select count(*) as n from analytics.disparities
           where comparison_code = 'ethnic_minority' and comparator_basis = 'reference_group'
             and not is_end_to_end""",
    ).iloc[0]["n"]
    assert stages > 60  # every stage of 8 promotion processes and 12 campaigns was tested


def test_only_surviving_differences_reach_the_summary(demo_report):
    findings = json.loads((demo_report / "summary.json").read_text(encoding="utf-8"))["findings"]
    _, stage_name = PLANTED_ADVERSE_STAGE
    planted = [f for f in findings if f"the gap opens at the {stage_name.lower()}" in f]
    assert len(planted) == 1 and "unlikely to be chance" in planted[0]
    assert "allowing for" in planted[0]  # the adjusted p-value beside the raw one
    assert not [f for f in findings if "Inspector promotion 2024" in f or "women" in f.lower()]


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
    for word in ("favourable", "adverse and significant", "adverse but not significant"):
        assert word not in html
