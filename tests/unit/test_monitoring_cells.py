"""The monitoring sections' cells, protected with the rest of the report (issue 15, hostile
findings 4, 7 and 17), on random forces built through every model (tests/force_factory.py)
with their monitoring extracts changed to the case each finding describes."""

from __future__ import annotations

import csv
import io
import json

import pandas as pd
from conftest import write_config
from force_factory import MONITORING_CONFIG, START, build_database, random_force

from pipeline.config import load_settings
from pipeline.report import audit, build


def _report(tmp_path, raw: dict[str, pd.DataFrame]):
    settings = load_settings(write_config(tmp_path, MONITORING_CONFIG))
    con = build_database(settings, raw)
    try:
        folder = build.build_report(con, settings, tmp_path / "report", "20260401T000000Z-m")
    finally:
        con.close()
    manifest = json.loads((folder / "tables.json").read_text(encoding="utf-8"))
    return folder, {t["id"]: t for t in manifest["tables"]}


def _csv(folder, table_id: str) -> dict[str, dict[str, str]]:
    text = (folder / "csv" / f"{table_id}.csv").read_text(encoding="utf-8")
    _marking, header, *rows = csv.reader(io.StringIO(text))
    return {row[0]: dict(zip(header, row, strict=True)) for row in rows}


def _cells(table: dict) -> dict[str, dict]:
    return dict(zip(table["rows"], table["cells"], strict=True))


def test_dismissals_after_misconduct_and_leavers_dismissed_are_one_cell(tmp_path):
    """Finding 4: the demo's officers dismissed after a hearing are its leavers dismissed, yet
    misconduct.csv showed '712, [c]' where retention.csv showed '712, 0': two keys for one
    count. Here every leaver dismissed had a case that ended in dismissal, and no one else.
    The two are protected as one, but tables.json keeps a key for each and does not state
    their equality (hx11: the data bear it out, no definition makes it so)."""
    raw = random_force(3, size=200)
    movements = raw["joiners_leavers"]
    dismissed = movements[
        (movements["movement_type"] == "leaver") & (movements["leaving_reason"] == "dismissal")
    ]
    assert len(dismissed) > 0
    cases = raw["misconduct_cases"]
    cases = cases[cases["misconduct_outcome"] != "dismissal"]
    raw["misconduct_cases"] = pd.concat(
        [
            cases,
            pd.DataFrame(
                {
                    "case_key": [f"D{i}" for i in range(len(dismissed))],
                    "staff_key": dismissed["staff_key"].to_numpy(),
                    "opened_date": [
                        max(START + pd.Timedelta(days=1), d - pd.Timedelta(days=1))
                        for d in dismissed["movement_date"]
                    ],
                    "case_source": "internal_report",
                    "misconduct_stage": "gross_misconduct_hearing",
                    "misconduct_outcome": "dismissal",
                    "suspension_status": "suspended",
                    "closed_date": pd.NaT,
                }
            ),
        ],
        ignore_index=True,
    )
    folder, tables = _report(tmp_path, raw)
    misconduct, retention = _cells(tables["misconduct"]), _cells(tables["retention"])
    shown_misconduct, shown_retention = _csv(folder, "misconduct"), _csv(folder, "retention")
    compared = 0
    for worker_type in ("Police officers", "Police staff"):
        case_row = f"{worker_type}: most severe outcome: dismissal"
        leaving_row = f"{worker_type}: dismissal"
        if case_row not in misconduct or leaving_row not in retention:
            continue
        compared += 1
        for event, leavers in (("event_count", "leaver_count"),
                               ("reference_event_count", "reference_leaver_count")):  # fmt: skip
            assert misconduct[case_row][event] != retention[leaving_row][leavers]
        header = tables["misconduct"]["headers"]
        for group in ("Ethnic minority", "White"):
            case_shown = shown_misconduct[case_row][f"{group}: counted"]
            left_shown = shown_retention[leaving_row][f"{group}: leavers"]
            assert case_shown == left_shown, (group, header)
    assert compared
    manifest = json.loads((folder / "tables.json").read_text(encoding="utf-8"))
    assert not [e for e in manifest["equalities"] if "misconduct_outcome" in e[1]]
    assert audit.audit_folder(folder) == []


def test_a_zero_beside_the_only_case_does_not_say_whose_it_is(tmp_path):
    """Finding 7: the year's only misconduct case, a White officer's, gave 'Police officers:
    subject of a misconduct case, 712, 0, 0.0, 5789, [c]': the 0 says the one subject is
    White. Both groups' count (1) is a total beside the 0, so the 0 is withheld too."""
    raw = random_force(5, size=600)
    staff = raw["staff_snapshot"]
    white = staff[
        (staff["snapshot_date"] == START)
        & (staff["worker_type"] == "police_officer")
        & (staff["ethnicity_code"] == "W1")
    ]
    cases = raw["misconduct_cases"]
    raw["misconduct_cases"] = cases.head(1).assign(
        staff_key=white["staff_key"].iloc[0],
        opened_date=START + pd.Timedelta(days=30),
        misconduct_stage="investigation",
        misconduct_outcome="management_action",
    )
    folder, _tables = _report(tmp_path, raw)
    shown = {**_csv(folder, "misconduct"), **_csv(folder, "misconduct-stages")}
    checked = 0
    for label, row in shown.items():
        if not label.startswith("Police officers"):
            continue
        counts = [v for h, v in row.items() if h.endswith((": counted", ": went on"))]
        assert not (("0" in counts) and ("[c]" in counts)), (label, row)
        checked += 1
    assert checked
    assert audit.audit_folder(folder) == []
