"""A role whose people are those of some ranks is those ranks' cells.

Before: the demo's specialist-roles.csv showed "Chief Officer, 6, 6, 0" (six officers, all
stated, none ethnic minority) while every rank table withheld the Assistant Chief
Constable, Deputy Chief Constable and Chief Constable cells: the role's people are the
union of those ranks' people, so its counts are the sums of the ranks' and the withheld
"0 ethnic minority" of the Chief Constable was published anyway. The role and the ranks
were keyed on different dimensions, so neither the protection nor the audit related them.
"""

from __future__ import annotations

import csv
import json

import pandas as pd
from conftest import write_config
from force_factory import START, Person, build_database, fixed_force

from pipeline.config import load_settings
from pipeline.report import audit, build
from pipeline.report.cells import Cells

CHIEFS = ("Assistant Chief Constable", "Deputy Chief Constable", "Chief Constable")


def _people() -> list[Person]:
    people = []

    def add(n: int, rank: str, ethnicity: str, department: str, role: str) -> None:
        for _ in range(n):
            people.append(Person(f"K{len(people):03d}", "police_officer", rank, "BHM",
                                 department, role, "F", ethnicity, START))  # fmt: skip

    for department, role in (("Local Policing", "Response"), ("Crime", "Investigation")):
        add(14, "Constable", "W1", department, role)
        add(8, "Constable", "A2", department, role)
        add(6, "Sergeant", "W1", department, role)
        add(6, "Sergeant", "B1", department, role)
        add(1, "Constable", "NS", department, role)
    add(4, CHIEFS[0], "W1", "Chief Officer Team", "Chief Officer")
    add(1, CHIEFS[1], "W1", "Chief Officer Team", "Chief Officer")
    add(1, CHIEFS[2], "W1", "Chief Officer Team", "Chief Officer")
    return people


def _csv(folder, name: str) -> dict[str, dict[str, str]]:
    lines = (folder / "csv" / f"{name}.csv").read_text(encoding="utf-8").splitlines()[1:]
    return {row[next(iter(row))]: row for row in csv.DictReader(lines)}


def test_the_chief_officer_role_is_the_chief_ranks(tmp_path):
    settings = load_settings(write_config(tmp_path))
    con = build_database(settings, fixed_force(_people()))
    cells = Cells(con, settings)
    population = cells.staff(pd.Timestamp("2026-03-31"))
    chiefs = {f"police_officer/{rank}" for rank in CHIEFS}
    for dim, unit in (("role", "Chief Officer"), ("dept", "Chief Officer Team")):
        assert cells.key(population, **{dim: unit}) == cells.key(population, post=chiefs)
    folder = build.build_report(con, settings, tmp_path / "report", "20260401T000000Z-chiefs")
    roles = _csv(folder, "specialist-roles")["Chief Officer"]
    # The role's "0 ethnic minority" is the sum of the chief ranks' withheld zeros.
    people = [v for h, v in roles.items() if h.endswith(": people")]
    assert people == ["[c]"], roles
    manifest = json.loads((folder / "tables.json").read_text(encoding="utf-8"))
    (table,) = [t for t in manifest["tables"] if t["id"] == "specialist-roles"]
    row = dict(zip(table["rows"], table["cells"], strict=True))["Chief Officer"]
    assert "role=" not in row["group_headcount"]  # keyed on the ranks, as the audit sees it
    assert audit.audit_folder(folder) == []
