"""The scaled demo force: every person copied under new identifiers that still join up across
extracts, monthly snapshots copied to new dates, nobody joining after a snapshot lists them."""

from __future__ import annotations

import csv
from datetime import date, datetime

import pytest

from pipeline.config import load_settings
from pipeline.demo_scale import SEED_FOLDER, month_ends, write_scaled_force, write_snapshot
from pipeline.extracts import classify


def _rows(path):
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _count(path) -> int:
    """Data rows: the demo's CSV has no line breaks inside fields."""
    return path.read_bytes().count(b"\r\n") - 1


def _day(text: str) -> date:
    return datetime.strptime(text, "%d/%m/%Y").date()


def test_month_ends_count_back_from_the_last():
    assert month_ends(date(2026, 3, 31), 3) == [
        date(2026, 1, 31),
        date(2026, 2, 28),
        date(2026, 3, 31),
    ]
    assert month_ends(date(2024, 1, 15), 2) == [date(2023, 12, 31), date(2024, 1, 31)]


@pytest.fixture(scope="module")
def scaled(tmp_path_factory):
    folder = tmp_path_factory.mktemp("scaled")
    config, rows = write_scaled_force(folder, scale=2, months=52)
    return folder, config, rows


def test_every_seed_row_is_written_scale_times(scaled):
    folder, config, rows = scaled
    settings = load_settings(config)
    seed = {p.name: _count(p) for p in (folder / SEED_FOLDER).glob("*.csv")}
    inbox = {p.name: _count(p) for p in (folder / "inbox").glob("*.csv")}
    snapshot_rows = {n: c for n, c in inbox.items() if classify(folder / n, settings) == (
        "staff_snapshot")}  # fmt: skip
    assert len(snapshot_rows) == 52
    for name, count in seed.items():
        if not name.startswith("staff_snapshot"):
            assert inbox[name] == 2 * count
    assert rows == sum(inbox.values())


def test_copies_have_new_identifiers_that_join_up_across_extracts(scaled):
    folder, _, _ = scaled
    snapshot = _rows(folder / "inbox" / "staff_snapshot_2026-03-31.csv")
    ids = [row["Payroll Number"] for row in snapshot]
    assert len(set(ids)) == len(ids)
    originals = {i for i in ids if not i.endswith("R1")}
    assert {f"{i}R1" for i in originals} == set(ids) - originals
    candidates = _rows(folder / "inbox" / "promotion_candidates_2026.csv")
    assert {row["Payroll Number"] for row in candidates if row["Payroll Number"].endswith("R1")}
    movements = _rows(folder / "inbox" / "joiners_leavers_2026.csv")
    assert sum(row["Payroll Number"].endswith("R1") for row in movements) * 2 == len(movements)


def test_snapshots_before_the_first_are_moved_back_whole(scaled):
    folder, _, _ = scaled
    early = _rows(folder / "inbox" / "staff_snapshot_2021-12-31.csv")
    assert {row["Snapshot Date"] for row in early} == {"31/12/2021"}
    for row in early:
        for column in ("Continuous Service Date", "Date in Rank", "Date of Birth"):
            if row[column]:
                assert _day(row[column]) <= date(2021, 12, 31), row
    later = _rows(folder / "inbox" / "staff_snapshot_2023-06-30.csv")
    seed = _rows(folder / SEED_FOLDER / "staff_snapshot_2023-03-31.csv")
    assert [r["Date in Rank"] for r in later[: len(seed)]] == [r["Date in Rank"] for r in seed]


def test_a_new_night_s_snapshot(scaled):
    folder, _, _ = scaled
    assert write_snapshot(folder, 2, date(2026, 4, 30)) == 2 * len(
        _rows(folder / SEED_FOLDER / "staff_snapshot_2026-03-31.csv")
    )
    new = _rows(folder / "inbox" / "staff_snapshot_2026-04-30.csv")
    assert {row["Snapshot Date"] for row in new} == {"30/04/2026"}


def test_progression_demo_scale_writes_the_force_without_running_it(tmp_path):
    from typer.testing import CliRunner

    from pipeline.cli import app

    result = CliRunner().invoke(
        app, ["demo", "--out", str(tmp_path), "--scale", "2", "--months", "1", "--no-run"]
    )
    assert result.exit_code == 0, result.output
    snapshots = sorted(p.name for p in (tmp_path / "inbox").glob("staff_snapshot*"))
    assert snapshots == ["staff_snapshot_2026-03-31.csv"]
    assert not (tmp_path / "var").exists()
