"""A post nobody holds on a snapshot date is a cell of that date with nobody in it.

Before: a force whose constables were all promoted by its second snapshot stopped the
build (``ValueError: staff 2026-03-31: ['police_officer/Constable'] not among the post
values``): the scorecard compares each rank with constables, and a snapshot's ``post``
dimension held only the posts someone held on its date (property test seed 77). A real
force could meet it. Now every snapshot's posts are every post of the force.
"""

from __future__ import annotations

import pandas as pd
from conftest import write_config
from force_factory import END, START, Person, _snapshot_rows, build_database

from pipeline.config import load_settings
from pipeline.report import audit, build
from pipeline.report.cells import Cells


def _force() -> dict[str, pd.DataFrame]:
    def person(n: int, rank: str, ethnicity: str) -> Person:
        return Person(f"K{n:03d}", "police_officer", rank, "BHM", "Local Policing",
                      "Response", "F", ethnicity, START - pd.Timedelta(days=3000))  # fmt: skip

    ethnicities = ["W1", "A2", "W1", "B1", "W1", "W2", "NS", "W1"] * 3
    start = [person(n, "Constable" if n < 12 else "Sergeant", e) for n, e in enumerate(ethnicities)]
    end = [Person(**{**p.__dict__, "rank": "Sergeant" if p.rank == "Constable" else "Inspector"})
           for p in start]  # fmt: skip
    empty = pd.DataFrame()
    return {
        "staff_snapshot": pd.DataFrame(_snapshot_rows(start, START) + _snapshot_rows(end, END)),
        "joiners_leavers": empty,
        "promotion_candidates": empty,
        "recruitment_applicants": empty,
    }


def test_a_force_with_no_constable_left_builds_and_passes_its_audit(tmp_path):
    settings = load_settings(write_config(tmp_path))
    con = build_database(settings, _force())
    cells = Cells(con, settings)
    population = cells.staff(END)
    constables = cells.posts(population, "police_officer", "Constable")
    key = cells.key(population, post=constables, eth=cells.eth("stated"))
    assert key.values("post") == {"police_officer/Constable"}
    folder = build.build_report(con, settings, tmp_path / "report", "20260401T000000Z-unheld")
    assert audit.audit_folder(folder) == []
