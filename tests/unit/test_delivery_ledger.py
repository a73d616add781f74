"""The delivery ledger: readable while a run writes it, copied into the published database,
and a broken ledger never fails the night that publishes."""

from __future__ import annotations

import sqlite3
from datetime import date

import pytest
from conftest import STAFF_HEADER, staff_row, write_config, write_inbox

from pipeline.config import load_settings
from pipeline.delivery import ledger
from pipeline.nightly import run_nightly
from pipeline.publish import Layout
from pipeline.runs import ExitCode
from pipeline.warehouse import connect


def _queue(settings, run_id="20260401T020000Z-aaaa1111"):
    with ledger.open_ledger(settings) as con:
        ledger.queue(con, run_id, ["folder", "email"], "f" * 64, date(2026, 3, 31), "<m@x>")
        (email,) = [d for d in ledger.open_deliveries(con, run_id) if d.channel == "email"]
        ledger.attempt(con, email, by="run-2")
        ledger.finish(con, email, ledger.DELIVERED, recipients_count=3, detail="sent")


def test_a_reader_holding_the_ledger_open_does_not_stop_a_run_writing_it(tiny_force):
    _queue(tiny_force)
    with ledger.open_ledger(tiny_force, read_only=True) as reader:
        assert ledger.get(reader, "20260401T020000Z-aaaa1111", "email").status == "delivered"
        _queue(tiny_force, "20260402T020000Z-bbbb2222")  # a run writes meanwhile
        assert ledger.get(reader, "20260402T020000Z-bbbb2222", "folder").status == "pending"


def test_the_ledger_is_copied_into_the_database_typed(tiny_force, tmp_path):
    _queue(tiny_force)
    with connect(tmp_path / "published.duckdb") as con:
        con.execute("create schema ops")
        ledger.copy_into(con, tiny_force)
        rows = con.execute(
            "select channel, status, attempts, recipients_count, snapshot_date, "
            "typeof(delivered_at) from ops.deliveries order by channel"
        ).fetchall()
    assert rows == [
        ("email", "delivered", 1, 3, date(2026, 3, 31), "TIMESTAMP WITH TIME ZONE"),
        ("folder", "pending", 0, None, date(2026, 3, 31), "TIMESTAMP WITH TIME ZONE"),
    ]


@pytest.mark.parametrize("state", ["missing", "corrupt"])
def test_a_missing_or_broken_ledger_gives_an_empty_table(tiny_force, tmp_path, state):
    if state == "corrupt":
        path = ledger.ledger_path(tiny_force)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"not a database at all" * 100)
        with pytest.raises(sqlite3.DatabaseError), ledger.open_ledger(tiny_force) as con:
            ledger.get(con, "x", "email")
    with connect(tmp_path / "published.duckdb") as con:
        con.execute("create schema ops")
        ledger.copy_into(con, tiny_force)
        assert con.execute("select count(*) from ops.deliveries").fetchone() == (0,)


def test_a_broken_ledger_leaves_the_night_published_with_exit_code_5(tmp_path):
    config = write_config(tmp_path, '[delivery.folder]\npath = "share"\n')
    (tmp_path / "share").mkdir()
    settings = load_settings(config)
    rows = [staff_row(f"P{i}", ["W1", "A2", "B1"][i % 3]) for i in range(30)]
    write_inbox(settings, "staff_snapshot_2026-03-31.csv", STAFF_HEADER + "\n" + "\n".join(rows))
    path = ledger.ledger_path(settings)
    path.parent.mkdir(parents=True)
    path.write_bytes(b"not a database at all" * 100)
    result = run_nightly(settings)
    assert result.exit_code == ExitCode.SUCCESS_WITH_WARNINGS
    assert Layout.of(settings).current_release() == result.run_id
    (outcome,) = result.deliveries
    assert outcome.failed and "Delivery could not run: DatabaseError" in outcome.text
