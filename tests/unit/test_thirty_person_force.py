"""The issue's 30-person force, fixed: 19 officers (6 ethnic minority, 12 White, 1 not
stated, 3 inspectors all White) and 11 police staff (5 ethnic minority, 6 White).

Before: the data-quality table showed the officers' headcount (19) while the workforce
table showed 6 and 12 with "not stated" withheld (19 - 18 = 1); a summary sentence quoted
"(11 of 29)" beside the data-quality table's 30; and the rank table showed "0" ethnic
minority beside the inspectors' withheld headcount of 3.
"""

from __future__ import annotations

import json

import pandas as pd
import pytest
from conftest import write_config
from force_factory import Person, build_database, fixed_force
from report_scan import page_table

from pipeline.config import load_settings
from pipeline.report import audit, build

START = pd.Timestamp("2010-01-01")


def _people() -> list[Person]:
    people = []

    def add(n: int, worker_type: str, rank: str, ethnicity: str) -> None:
        for _ in range(n):
            people.append(
                Person(
                    f"K{len(people):03d}",
                    worker_type,
                    rank,
                    "BHM",
                    "Local Policing",
                    "Response",
                    "F",
                    ethnicity,
                    START,
                )
            )

    add(6, "police_officer", "Constable", "A2")
    add(8, "police_officer", "Constable", "W1")
    add(1, "police_officer", "Constable", "NS")
    add(1, "police_officer", "Sergeant", "W1")
    add(3, "police_officer", "Inspector", "W1")
    add(5, "police_staff", "Band A", "B1")
    add(6, "police_staff", "Band A", "W1")
    return people


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    root = tmp_path_factory.mktemp("thirty")
    settings = load_settings(write_config(root))
    con = build_database(settings, fixed_force(_people()))
    return build.build_report(con, settings, root / "report", "20260401T000000Z-thirty")


def test_the_report_passes_the_audit_from_its_files(report):
    assert audit.audit_folder(report) == []


def test_not_stated_cannot_be_worked_out_from_the_officers_headcount(report):
    quality = page_table(report, "data-quality-declaration")["Police officers"]
    groups = page_table(report, "workforce-by-group")
    minority = groups["Ethnic minority (excluding White minorities)"]["Police officers"]
    white = groups["White"]["Police officers"]
    not_stated = groups["Not stated"]["Police officers"]
    assert not_stated == "[c]"
    shown = [v for v in (quality["Headcount"], minority, white) if v != "[c]"]
    assert len(shown) < 3, "19 - 6 - 12 would give the one officer who did not state back"


def test_no_sentence_quotes_a_count_the_tables_make_recoverable(report):
    summary = json.loads((report / "summary.json").read_text(encoding="utf-8"))
    sentences = " ".join(summary["findings"])
    workforce = page_table(report, "representation-by-worker-type")["Whole workforce"]
    quality = page_table(report, "data-quality-declaration")["All worker types"]
    if "of 29)" in sentences:  # 29 stated: then 30 must be shown nowhere
        assert workforce["Headcount"] == quality["Headcount"] == "[c]"


def test_no_zero_stands_beside_the_inspectors_small_headcount(report):
    inspectors = page_table(report, "representation-by-rank")["Inspector"]
    assert inspectors["Headcount"] == "[c]"
    assert inspectors["Ethnic minority (excluding White minorities): people"] == "[c]"
