"""Forces of three and four people: the report is published, and it discloses nothing.

Hostile findings: in such a force some counts are known to be 0 before any is read (the
declared equalities leave "Band C in a department of officers only" empty; a senior
leadership of nobody is pinned by the relations alone), and each stopped the run with exit 1,
"Nothing left to withhold" or a disclosure audit that blamed the report for what no
withholding could hide; a force whose departments are all specialist units had no cell for
"moves into a specialist unit" and stopped the same way. Each force is built in process
(:mod:`force_factory`), about three seconds each.
"""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import write_config
from force_factory import MONITORING_CONFIG, build_database, random_force

from pipeline.config import load_settings
from pipeline.report import audit, build, charts

FORCES = {
    "cells the equalities leave empty": (5, 4),
    "a senior leadership pinned at 0 by the relations alone": (110, 3),
    "every department a specialist unit": (213, 3),
}


@pytest.mark.parametrize("seed,size", FORCES.values(), ids=FORCES.keys())
def test_a_force_of_a_few_people_is_published_and_discloses_nothing(
    seed, size, tmp_path, monkeypatch
):
    monkeypatch.setattr(charts, "render", lambda table, chart: "<svg></svg>")
    settings = load_settings(write_config(tmp_path / "config", MONITORING_CONFIG))
    con = build_database(settings, random_force(seed, size))
    folder = build.build_report(con, settings, tmp_path / "report", "20260401T000000Z-tiny")
    assert audit.audit_folder(folder) == []


def test_a_worker_type_whose_only_member_joined_and_left_is_published(tmp_path, monkeypatch):
    """A force with no PCSO at either snapshot that hired one who left within the year
    (hostile pass on the trend-groups landing, finding 1): the whole force's flow identity
    counted that joiner, the worker types' residuals did not add up to the force's, and the
    run stopped with exit 1 at any size. The identity is over the worker types the
    snapshots hold."""
    monkeypatch.setattr(charts, "render", lambda table, chart: "<svg></svg>")
    settings = load_settings(write_config(tmp_path / "config", MONITORING_CONFIG))
    raw = random_force(21, 60)
    staff = raw["staff_snapshot"]
    pcsos = set(staff.loc[staff["worker_type"] == "pcso", "staff_key"])
    raw["staff_snapshot"] = staff[staff["worker_type"] != "pcso"].reset_index(drop=True)
    moves = raw["joiners_leavers"]
    moves = moves[(moves["worker_type"] != "pcso") & ~moves["staff_key"].isin(pcsos)]
    joined = dict(
        moves.iloc[0].to_dict(), staff_key="CHURN1", movement_type="joiner",
        movement_date=pd.Timestamp("2025-08-12"), worker_type="pcso", rank_or_band="PCSO",
        ethnicity_code="B1", leaving_reason=None, entry_route=None,
    )  # fmt: skip
    left = dict(joined, movement_type="leaver", movement_date=pd.Timestamp("2026-03-20"),
                leaving_reason="resignation")  # fmt: skip
    raw["joiners_leavers"] = pd.concat([moves, pd.DataFrame([joined, left])], ignore_index=True)
    con = build_database(settings, raw)
    folder = build.build_report(con, settings, tmp_path / "report", "20260401T000000Z-churn")
    assert audit.audit_folder(folder) == []
