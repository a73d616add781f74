"""Counts of the same people are one cell: shown in both places or withheld in both.

Before: a recruitment funnel's last stage "passed" was withheld while the "End to end"
passed count below it (the same candidates, by definition) was shown, so the withheld count
was published anyway (demo recruitment-pc-2026.csv: ethnic minority Appointment 111
counted, [c] passed; End to end 109 passed, so 2 did not pass). The two were keyed as
different cells, so neither the protection nor the audit knew they were equal.
"""

from __future__ import annotations

import json

import pandas as pd
from conftest import write_config
from force_factory import START, Person, build_database, fixed_force

from pipeline.config import load_settings
from pipeline.report import audit, build

STAGES = ("Application", "Assessment", "Appointment")


def _people() -> list[Person]:
    ethnicities = ["W1"] * 14 + ["A2"] * 6 + ["B1"] * 4 + ["NS"]
    return [
        Person(
            f"K{n:03d}",
            "police_officer",
            "Constable",
            "BHM",
            "Local Policing",
            "Response",
            "F",
            e,
            START,
        )
        for n, e in enumerate(ethnicities)
    ]


def _applicants() -> pd.DataFrame:
    """40 ethnic minority applicants: 10 fail the first stage, 28 of the 30 left pass the
    last (2 fail it); 60 White, 12 failing the first stage and 45 of 48 passing the last."""
    rows = []

    def applicant(n: int, ethnicity: str, outcomes: list[str]) -> None:
        for order, (stage, outcome) in enumerate(zip(STAGES, outcomes, strict=False), start=1):
            rows.append(
                {
                    "campaign_id": "PC-2026",
                    "campaign_name": "Police constable recruitment 2026",
                    "worker_type": "police_officer",
                    "entry_route": "PCDA",
                    "applicant_key": f"A{n:04d}",
                    "sex": "F",
                    "ethnicity_code": ethnicity,
                    "age_band": "25-34",
                    "stage_order": order,
                    "stage_name": stage,
                    "outcome": outcome,
                    "outcome_date": START + pd.Timedelta(days=40 * order),
                }
            )

    n = 0
    for ethnicity, fail_first, passed_last, failed_last in (("A2", 10, 28, 2), ("W1", 12, 45, 3)):
        for outcomes in (
            [["failed"]] * fail_first
            + [["passed", "passed", "passed"]] * passed_last
            + [["passed", "passed", "failed"]] * failed_last
        ):
            applicant(n, ethnicity, outcomes)
            n += 1
    return pd.DataFrame(rows)


def test_last_stage_passed_and_end_to_end_passed_are_one_cell(tmp_path):
    settings = load_settings(write_config(tmp_path))
    raw = fixed_force(_people())
    raw["recruitment_applicants"] = _applicants()
    con = build_database(settings, raw)
    folder = build.build_report(con, settings, tmp_path / "report", "20260401T000000Z-same")
    manifest = json.loads((folder / "tables.json").read_text(encoding="utf-8"))
    (table,) = [t for t in manifest["tables"] if t["id"] == "recruitment-pc-2026"]
    cells = dict(zip(table["rows"], table["cells"], strict=True))
    for column in ("passed_count", "reference_passed_count"):
        assert cells["Appointment"][column] == cells["End to end"][column]
    csv = (folder / "csv" / "recruitment-pc-2026.csv").read_text(encoding="utf-8").splitlines()
    header = csv[1].split(",")
    lines = {line.split(",")[0]: line.split(",") for line in csv[2:]}
    for column in ("Ethnic minority: passed", "White: passed"):
        i = header.index(column)
        assert lines["Appointment"][i] == lines["End to end"][i], column
    assert audit.audit_folder(folder) == []


def test_a_declared_equality_gives_both_sides_one_key():
    from pipeline.disclosure import Universe

    universe = Universe()
    universe.add("p", stage=["1", "2", "e2e"], outcome=["passed", "failed"], eth=["A", "W"])
    universe.same(
        "p", {"stage": ["e2e"], "outcome": ["passed"]}, {"stage": ["2"], "outcome": ["passed"]}
    )
    end_to_end = universe.key("p", stage="e2e", outcome="passed", eth="A")
    assert end_to_end == universe.key("p", stage="2", outcome="passed", eth="A")
    assert universe.key("p", stage="e2e", outcome="failed") != universe.key(
        "p", stage="2", outcome="failed"
    )
