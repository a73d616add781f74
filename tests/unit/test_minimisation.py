"""Minimisation at ingest: dates of birth and of service start become bands at the date the
row describes, as it is stored, with the boundaries the measures use; quarantined rows keep
codes only; a history stored before all this is minimised by the next run."""

from __future__ import annotations

import json
import os
import stat

import pytest
from conftest import STAFF_HEADER, staff_row, write_inbox

from pipeline import history
from pipeline.history import current_history
from pipeline.nightly import run_nightly
from pipeline.publish import Layout
from pipeline.warehouse import connect

MOVEMENT_HEADER = (
    "staff_id,movement_type,movement_date,worker_type,rank_or_band,department,lpu_code,sex,"
    "ethnicity_code,service_start_date,leaving_reason"
)


def _person(staff_id: str, birth: str, service_start: str) -> str:
    return (
        staff_row(staff_id, "W1")
        .replace("1990-01-01", birth)
        .replace("2015-01-01", service_start)
        .replace("2018-01-01", "2024-06-01")
    )


def _history(settings, sql: str, params=None):
    with connect(current_history(settings), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


@pytest.fixture
def loaded(tiny_force):
    """People either side of the band boundaries on the snapshot date 2026-03-31, and two
    leavers either side of two years' service (730 and 731 days: 1.999 and 2.001 years)."""
    people = [
        _person("A", "2001-03-31", "2024-04-01"),  # 25 that day; 729 days' service
        _person("B", "2001-04-01", "2024-03-31"),  # 24; 730 days = 1.9986 years
        _person("C", "1971-03-31", "1996-03-30"),  # 55; 10,958 days = 30.001 years
        _person("D", "1971-04-01", "2016-04-01"),  # 54; 9.998 years
        *[staff_row(f"P{i}", "A2") for i in range(20)],
        staff_row("Q", "ZZ"),  # quarantined: its date of birth must not be kept
    ]
    write_inbox(
        tiny_force, "staff_snapshot_2026-03-31.csv", STAFF_HEADER + "\n" + "\n".join(people)
    )
    leavers = [
        f"L{n},leaver,2025-12-31,police_officer,Constable,Local Policing,BHM,F,W1,{start},"
        "resignation"
        for n, start in (("1", "2024-01-01"), ("2", "2023-12-31"))
    ]
    write_inbox(tiny_force, "joiners_leavers_2026.csv", MOVEMENT_HEADER + "\n" + "\n".join(leavers))
    run_nightly(tiny_force)
    return tiny_force


def test_bands_are_derived_at_the_row_date_with_the_measures_boundaries(loaded):
    bands = dict(
        (row[0], row[1:])
        for row in _history(
            loaded,
            "select s.staff_key, s.age_band, s.service_band from raw.staff_snapshot s "
            "join (select staff_key from raw.staff_snapshot) using (staff_key) order by 1",
        )
    )
    by_person = sorted(bands.values())
    assert ("16-24", "<2") in by_person  # B
    assert ("25-34", "<2") in by_person  # A
    assert ("45-54", "5-9") in by_person  # D
    assert ("55+", "30+") in by_person  # C
    leavers = _history(
        loaded,
        "select service_band, is_short_service from staging.stg_hr__joiners_leavers order by 1",
    )
    # 2023-12-31 to 2025-12-31 is 731 days (2.001 years); 2024-01-01 to it, 730 (1.999).
    assert leavers == [("2-4", False), ("<2", True)]


def test_no_date_of_birth_or_service_start_is_stored_anywhere(loaded):
    columns = _history(
        loaded,
        "select distinct column_name from duckdb_columns() where database_name = "
        "current_database() and column_name in ('date_of_birth', 'service_start_date')",
    )
    assert columns == []
    (values,) = _history(loaded, "select values_json from ops.quarantine")
    assert json.loads(values[0]) == {
        "worker_type": "police_officer", "rank_or_band": "Constable",
        "department": "Local Policing", "lpu_code": "BHM", "sex": "F",
        "ethnicity_code": "ZZ", "fte": "1", "is_temporary_rank": "N",
    }  # fmt: skip
    database = current_history(loaded).read_bytes()
    assert b"2001-03-31" not in database and b"1971-04-01" not in database


def test_a_history_stored_before_minimisation_is_minimised_by_the_next_run(loaded):
    """An installation whose one database held everyone's dates of birth: the next run,
    with nothing new to load, minimises it and publishes the split."""
    layout = Layout.of(loaded)
    legacy = layout.database.parent / "legacy.duckdb"
    legacy.write_bytes(current_history(loaded).read_bytes())
    with connect(legacy) as con:
        con.execute("alter table raw.staff_snapshot add column date_of_birth timestamp")
        con.execute("update raw.staff_snapshot set date_of_birth = '1990-01-01'")
        con.execute("alter table raw.staff_snapshot drop column age_band")
        con.execute(
            "update ops.quarantine set values_json = "
            """'{"ethnicity_code": "ZZ", "date_of_birth": "1990-01-01"}'"""
        )
    previous = layout.current_release()
    layout.database.unlink()
    os.replace(legacy, layout.releases / previous / layout.database.name)
    layout.database.symlink_to(layout.current / layout.database.name)
    (layout.releases / previous / history.PRIVATE / history.HISTORY).unlink()

    result = run_nightly(loaded)

    assert result.changed and layout.current_release() != previous
    ages = _history(loaded, "select distinct age_band from raw.staff_snapshot")
    assert ages == [("35-44",)]  # 1990-01-01 is 36 on 2026-03-31
    assert _history(loaded, "select values_json from ops.quarantine") == [
        ('{"ethnicity_code": "ZZ"}',)
    ]
    with connect(layout.database, read_only=True) as con:
        (raw,) = con.execute(
            "select count(*) from duckdb_tables() where schema_name = 'raw'"
        ).fetchone()
    assert raw == 0
    old = layout.releases / previous / layout.database.name
    assert stat.S_IMODE(old.stat().st_mode) == 0o600  # kept for a roll-back, owner only
