"""The demo force has exactly one planted adverse stage; the analytics must find it, and only it."""

from __future__ import annotations

import pytest

from pipeline.config import load_settings
from pipeline.demo import PLANTED_ADVERSE_STAGE, write_demo_force
from pipeline.nightly import run_nightly
from pipeline.warehouse import connect

ADVERSE = "adverse and significant"


@pytest.fixture(scope="module")
def demo_force(tmp_path_factory, monkeypatch_module):
    monkeypatch_module.delenv("PROGRESSION_PSEUDONYM_KEY", raising=False)
    settings = load_settings(write_demo_force(tmp_path_factory.mktemp("fair")))
    result = run_nightly(settings)
    return settings, result


@pytest.fixture(scope="module")
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as patch:
        yield patch


def _query(settings, sql, params=()):
    with connect(settings.paths.database, read_only=True) as con:
        return con.execute(sql, list(params)).df()


def test_the_planted_stage_is_adverse_and_significant(demo_force):
    settings, _ = demo_force
    process_id, stage_name = PLANTED_ADVERSE_STAGE
    got = _query(
        settings,
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


def test_no_fair_stage_is_flagged_between_minority_and_white(demo_force):
    settings, _ = demo_force
    flagged = _query(
        settings,
        """select process_id, stage_name from analytics.disparities
           where comparison_code = 'ethnic_minority' and comparator_basis = 'reference_group'
             and verdict = ? and not is_end_to_end""",
        (ADVERSE,),
    )
    assert [tuple(r) for r in flagged.itertuples(index=False)] == [PLANTED_ADVERSE_STAGE]
    stages = _query(
        settings,
        """select count(*) as n from analytics.disparities
           where comparison_code = 'ethnic_minority' and comparator_basis = 'reference_group'
             and not is_end_to_end""",
    ).iloc[0]["n"]
    assert stages > 60  # every stage of 8 promotion processes and 12 campaigns was tested
