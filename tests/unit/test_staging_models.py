"""Staging models on tiny inline extracts: types, derived columns, one row per input row."""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import STAFF_HEADER, staff_row, write_inbox

from pipeline.history import current_history
from pipeline.nightly import run_nightly
from pipeline.warehouse import connect


@pytest.fixture
def loaded(tiny_force):
    write_inbox(tiny_force, "staff_snapshot_2026.csv", f"{STAFF_HEADER}\n{staff_row('P1', 'A1')}\n")
    write_inbox(
        tiny_force,
        "joiners_leavers_2026.csv",
        """\
        staff_id,movement_type,movement_date,worker_type,rank_or_band,department,lpu_code,sex,ethnicity_code,service_start_date,leaving_reason
        P9,leaver,2025-10-01,police_officer,Constable,Local Policing,BHM,M,B2,2024-04-01,resignation
        P1,joiner,01/09/2025,police_officer,Constable,Local Policing,SOL,F,A1,2025-09-01,
        """,
    )
    write_inbox(
        tiny_force,
        "promotion_candidates_2026.csv",
        """\
        process_id,process_name,target_rank,staff_id,stage_order,stage_name,outcome,outcome_date
        SGT-2026,Sergeant 2026,Sergeant,P1,1,Eligibility,passed,2026-01-10
        SGT-2026,Sergeant 2026,Sergeant,P1,2,Legal exam,withdrew,2026-02-10
        """,
    )
    write_inbox(
        tiny_force,
        "recruitment_applicants_2026.csv",
        """\
        campaign_id,campaign_name,worker_type,entry_route,applicant_id,sex,ethnicity_code,age_band,stage_order,stage_name,outcome,outcome_date
        PC-2026,PC 2026,police_officer,PCDA,A1,F,M1,16-24,1,Application,passed,2026-01-05
        PC-2026,PC 2026,police_officer,PCDA,A1,F,M1,16-24,2,Online assessment,failed,2026-01-20
        """,
    )
    result = run_nightly(tiny_force)
    assert result.rows_quarantined == 0
    return tiny_force


def _df(settings, sql: str) -> pd.DataFrame:
    with connect(current_history(settings), read_only=True) as con:
        return con.execute(sql).df()


def test_joiners_and_leavers(loaded):
    got = _df(loaded, "select * from staging.stg_hr__joiners_leavers order by movement_date")
    assert got["movement_type"].tolist() == ["joiner", "leaver"]
    leaver = got.iloc[1]
    assert leaver["leaving_reason"] == "resignation"
    assert (leaver["service_band"], leaver["is_short_service"]) == ("<2", True)  # 548 days
    joiner = got.iloc[0]
    assert joiner["movement_date"] == pd.Timestamp("2025-09-01")
    assert pd.isna(joiner["leaving_reason"])
    assert joiner["service_band"] == "<2"


def test_promotion_stages(loaded):
    got = _df(loaded, "select * from staging.stg_hr__promotion_stages order by stage_order")
    assert got["stage_order"].tolist() == [1, 2]
    assert got["outcome"].tolist() == ["passed", "withdrew"]
    assert got["staff_key"].nunique() == 1
    assert len(got["staff_key"].iloc[0]) == 32


def test_recruitment_stages(loaded):
    got = _df(loaded, "select * from staging.stg_hr__recruitment_stages order by stage_order")
    assert got["applicant_key"].nunique() == 1
    assert got["applicant_key"].iloc[0] != "A1"
    assert got[["ethnicity_code", "age_band", "entry_route"]].iloc[0].tolist() == [
        "M1",
        "16-24",
        "PCDA",
    ]
    assert str(got["outcome_date"].dtype).startswith("datetime64")


def test_census_staging_has_one_row_per_area_and_code(loaded):
    got = _df(
        loaded,
        """select count(*) as n, count(distinct area_code) as areas,
                  sum(population_count) filter (where area_code like 'E080000%') as wm
           from staging.stg_census__population""",
    ).iloc[0]
    assert got["areas"] == 331
    assert got["n"] == 331 * 18
    assert got["wm"] > 2_919_655  # E080000xx includes other metropolitan districts too
