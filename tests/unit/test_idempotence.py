"""Re-running is safe: the same extracts change nothing, new snapshots add to history, and a
corrected extract replaces exactly the rows of the date it describes, in one transaction."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime

import duckdb
import pandas as pd
import pytest
from conftest import STAFF_HEADER, staff_row, write_inbox
from typer.testing import CliRunner

from pipeline import extracts, nightly, warehouse
from pipeline.cli import app
from pipeline.history import current_history
from pipeline.nightly import log_path, run_nightly
from pipeline.progress import Progress
from pipeline.publish import Layout
from pipeline.runs import ExitCode
from pipeline.schemas import allowed_codes
from pipeline.warehouse import connect

ETHNICITIES = ["W1", "A2", "B1", "NS", "W9", "A1", "M1", "W1"]


def snapshot(settings, name: str, date: str, people: int, first: int = 1) -> None:
    rows = [
        staff_row(f"P{first + i}", ETHNICITIES[i % len(ETHNICITIES)], snapshot=date)
        for i in range(people)
    ]
    write_inbox(settings, name, STAFF_HEADER + "\n" + "\n".join(rows) + "\n")


def rows_per_date(settings) -> dict[str, int]:
    with connect(current_history(settings), read_only=True) as con:
        got = con.execute(
            "select snapshot_date, count(*) from raw.staff_snapshot group by 1 order by 1"
        ).fetchall()
    return {d.date().isoformat(): n for d, n in got}


def log_events(settings, event: str | None = None) -> list[dict]:
    lines = [json.loads(line) for line in log_path(settings).read_text().splitlines()]
    return [line for line in lines if event is None or line["event"] == event]


def test_same_extracts_change_nothing_and_say_so(tiny_force):
    snapshot(tiny_force, "staff_snapshot_2026-03-31.csv", "2026-03-31", 7)
    first = run_nightly(tiny_force)
    layout = Layout.of(tiny_force)
    published = layout.current_release()
    before = tiny_force.paths.database.read_bytes()

    result = CliRunner().invoke(app, ["run", "--config", str(_config(tiny_force))])

    assert result.exit_code == ExitCode.SUCCESS
    assert "No new or changed extracts, nothing to do" in result.stderr
    assert "the 1 found were all loaded before (same content)" in result.stderr
    assert "published database and report are unchanged" in result.stderr
    assert layout.current_release() == published == first.run_id
    assert tiny_force.paths.database.read_bytes() == before
    last = log_events(tiny_force)[-1]
    assert (last["event"], last["outcome"], last["exit_code"]) == ("run_finished", "unchanged", 0)
    assert "publish" not in last["stage_seconds"]


def test_a_new_snapshot_is_added_to_history_never_duplicated(tiny_force):
    snapshot(tiny_force, "staff_snapshot_2026-03-31.csv", "2026-03-31", 7)
    run_nightly(tiny_force)
    snapshot(tiny_force, "staff_snapshot_2026-04-30.csv", "2026-04-30", 8)
    run_nightly(tiny_force)
    assert rows_per_date(tiny_force) == {"2026-03-31": 7, "2026-04-30": 8}

    # The same content again, under another name: recognised by its hash, not loaded twice.
    april = tiny_force.paths.inbox / "staff_snapshot_2026-04-30.csv"
    (tiny_force.paths.inbox / "staff_snapshot_copy.csv").write_bytes(april.read_bytes())
    again = run_nightly(tiny_force)
    assert not again.changed
    assert rows_per_date(tiny_force) == {"2026-03-31": 7, "2026-04-30": 8}


def test_an_hr_system_writing_the_same_file_name_every_night_builds_history(tiny_force):
    snapshot(tiny_force, "staff_snapshot.csv", "2026-03-31", 7)
    run_nightly(tiny_force)
    snapshot(tiny_force, "staff_snapshot.csv", "2026-04-01", 6)
    run_nightly(tiny_force)
    assert rows_per_date(tiny_force) == {"2026-03-31": 7, "2026-04-01": 6}


def test_a_corrected_extract_replaces_that_dates_rows_and_the_log_says_what_changed(tiny_force):
    snapshot(tiny_force, "staff_snapshot_2026-03-31.csv", "2026-03-31", 7)
    snapshot(tiny_force, "staff_snapshot_2026-04-30.csv", "2026-04-30", 8)
    run_nightly(tiny_force)
    # HR re-sends March with two people who had been left out (another file name).
    snapshot(tiny_force, "staff_snapshot_2026-03-31_corrected.csv", "2026-03-31", 9)

    result = CliRunner().invoke(app, ["run", "--config", str(_config(tiny_force))])

    # 9 then 8 people: the night-to-night check warns about the headcount change.
    assert result.exit_code == ExitCode.SUCCESS_WITH_WARNINGS, result.stderr
    assert "headcount_change" in result.stderr
    assert rows_per_date(tiny_force) == {"2026-03-31": 9, "2026-04-30": 8}
    assert "Replaced staff_snapshot snapshot_date 2026-03-31: 7 rows before, 9 after." in (
        result.stderr
    )
    changed = log_events(tiny_force, "rows_changed")[-1]
    assert changed["source_file"] == "staff_snapshot_2026-03-31_corrected.csv"
    assert (changed["key"], changed["value"]) == ("snapshot_date", "2026-03-31")
    assert (changed["rows_before"], changed["rows_after"]) == (7, 9)
    finished = log_events(tiny_force, "run_finished")[-1]
    fields = ("extract_kind", "source_file", "key", "value", "rows_before", "rows_after")
    assert finished["rows_replaced"] == [{field: changed[field] for field in fields}]
    with connect(current_history(tiny_force), read_only=True) as con:
        files = con.execute(
            "select distinct source_file from raw.staff_snapshot where snapshot_date = '2026-03-31'"
        ).fetchall()
        (superseded,) = con.execute(
            "select rows_superseded from ops.load_history where source_file like '%corrected%'"
        ).fetchone()
    assert files == [("staff_snapshot_2026-03-31_corrected.csv",)]
    assert superseded == 7


def test_the_replacement_is_one_transaction(tiny_force, tmp_path):
    """If loading fails part-way, nothing of the load is kept: the old rows are still there."""
    snapshot(tiny_force, "staff_snapshot_2026-03-31.csv", "2026-03-31", 7)
    allowed = allowed_codes(tiny_force, frozenset({"BHM", "SOL"}))
    inbox = tiny_force.paths.inbox
    march = extracts.read_extract(
        inbox / "staff_snapshot_2026-03-31.csv", "staff_snapshot", tiny_force, allowed
    )
    snapshot(tiny_force, "staff_snapshot_2026-04-30.csv", "2026-04-30", 5)
    april = extracts.read_extract(
        inbox / "staff_snapshot_2026-04-30.csv", "staff_snapshot", tiny_force, allowed
    )
    snapshot(tiny_force, "staff_snapshot_fix.csv", "2026-03-31", 3)
    broken = extracts.read_extract(
        inbox / "staff_snapshot_fix.csv", "staff_snapshot", tiny_force, allowed
    )
    broken.frame["fte"] = broken.frame["fte"].astype("object").map(lambda _: "not a number")
    names = {e.path: e.path.name for e in (march, april, broken)}
    tables = {"area_lookup": pd.DataFrame({"lpu_code": ["BHM"], "lpu_name": ["Birmingham"]})}

    with connect(tmp_path / "t.duckdb") as con:
        warehouse.create_schemas(con)
        warehouse.create_raw_tables(con)
        nightly._create_ops_tables(con)
        nightly._load(con, tiny_force, tables, [march], "r1", names, Progress())
        with pytest.raises(duckdb.ConversionException):
            nightly._load(con, tiny_force, tables, [april, broken], "r2", names, Progress())
        got = con.execute(
            "select cast(snapshot_date as date), count(*) from raw.staff_snapshot group by 1"
        ).fetchall()
        history = con.execute("select run_id from ops.load_history").fetchall()
    assert [(d.isoformat(), n) for d, n in got] == [("2026-03-31", 7)]
    assert history == [("r1",)]


def test_files_load_in_the_order_of_the_date_they_describe(tiny_force):
    """Two deliveries for one date in the same run: the correction wins (two unmarked ones
    block: tests/unit/test_overlaps.py), whatever the names and times of the files."""
    snapshot(tiny_force, "staff_snapshot_b.csv", "2026-03-31", 4)
    snapshot(tiny_force, "staff_snapshot_a.csv", "2026-04-30", 6)
    original = tiny_force.paths.inbox / "staff_snapshot_b.csv"
    snapshot(tiny_force, "staff_snapshot_0_correction.csv", "2026-03-31", 5)
    correction = tiny_force.paths.inbox / "staff_snapshot_0_correction.csv"
    stamp = datetime(2026, 4, 1, tzinfo=UTC).timestamp()
    os.utime(original, (stamp + 3600, stamp + 3600))
    os.utime(correction, (stamp, stamp))
    run_nightly(tiny_force)
    assert rows_per_date(tiny_force) == {"2026-03-31": 5, "2026-04-30": 6}


def _config(settings):
    return settings.paths.inbox.parent / "progression.toml"
