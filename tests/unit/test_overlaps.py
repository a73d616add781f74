"""One rule for files that describe the same snapshot date, process, campaign or period of
movements: a new file that overlaps another blocks, naming both, unless it has the same file
name or is marked as a correction; then it replaces exactly what it describes."""

from __future__ import annotations

import pytest
from conftest import STAFF_HEADER, staff_row, write_inbox

from pipeline.contracts import BlockedError
from pipeline.history import current_history
from pipeline.nightly import run_nightly
from pipeline.overlaps import Scope, is_correction
from pipeline.publish import Layout
from pipeline.warehouse import connect

MOVEMENT_HEADER = (
    "staff_id,movement_type,movement_date,worker_type,rank_or_band,department,lpu_code,sex,"
    "ethnicity_code,service_start_date,leaving_reason"
)
PROMOTION_HEADER = (
    "process_id,process_name,target_rank,staff_id,stage_order,stage_name,outcome,outcome_date"
)


def snapshot(settings, name: str, people: int, date: str = "2026-03-31") -> None:
    rows = [staff_row(f"P{i}", ["W1", "A2", "B1"][i % 3], snapshot=date) for i in range(people)]
    write_inbox(settings, name, STAFF_HEADER + "\n" + "\n".join(rows) + "\n")


def movements(settings, name: str, year: int, people: int, reason: str = "resignation"):
    rows = [
        f"M{i},leaver,{year}-{1 + i % 12:02d}-15,police_officer,Constable,Local Policing,BHM,"
        f"F,{['W1', 'A2'][i % 2]},2010-01-01,{reason if i < 2 else 'retirement'}"
        for i in range(people)
    ]
    write_inbox(settings, name, MOVEMENT_HEADER + "\n" + "\n".join(rows) + "\n")


def query(settings, sql: str) -> list[tuple]:
    with connect(current_history(settings), read_only=True) as con:
        return con.execute(sql).fetchall()


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("staff_snapshot_2026-03-31_correction.csv", True),
        ("joiners_leavers_2026_corrected.csv", True),
        ("Staff Snapshot 2026-03-31 (Corrected).xlsx", True),
        ("2026-04/corrections/staff_snapshot.csv", False),  # the folder does not count
        ("staff_snapshot_incorrect.csv", False),
        ("staff_snapshot_2026-03-31_b.csv", False),
    ],
)
def test_a_correction_is_marked_by_a_word_in_the_file_name(name, expected):
    assert is_correction(name) is expected


def test_two_files_for_one_snapshot_date_on_one_night_block_naming_both(tiny_force):
    snapshot(tiny_force, "staff_snapshot_2026-03-31_a.csv", 30)
    snapshot(tiny_force, "staff_snapshot_2026-03-31_b.csv", 20)  # the second, shorter
    with pytest.raises(BlockedError) as blocked:
        run_nightly(tiny_force)
    (problem,) = blocked.value.problems
    assert problem.startswith(
        "staff_snapshot_2026-03-31_b.csv describes snapshot date 2026-03-31, like "
        "staff_snapshot_2026-03-31_a.csv (arrived tonight)"
    )
    assert "staff_snapshot_2026-03-31_b_correction.csv" in problem
    assert Layout.of(tiny_force).current_release() is None  # nothing published


def test_a_correction_arriving_beside_its_original_wins(tiny_force):
    snapshot(tiny_force, "staff_snapshot_2026-03-31_correction.csv", 20)
    snapshot(tiny_force, "staff_snapshot_2026-03-31.csv", 30)
    run_nightly(tiny_force)
    assert query(tiny_force, "select source_file, count(*) from raw.staff_snapshot group by 1") == [
        ("staff_snapshot_2026-03-31_correction.csv", 20)
    ]


def test_a_file_for_a_date_already_loaded_blocks_unless_marked(tiny_force):
    snapshot(tiny_force, "staff_snapshot_2026-03-31.csv", 30)
    run_nightly(tiny_force)
    snapshot(tiny_force, "staff_snapshot_20260331_0215.csv", 28)
    with pytest.raises(BlockedError, match=r"like staff_snapshot_2026-03-31.csv \(already"):
        run_nightly(tiny_force)
    (tiny_force.paths.inbox / "staff_snapshot_20260331_0215.csv").rename(
        tiny_force.paths.inbox / "staff_snapshot_20260331_0215_correction.csv"
    )
    result = run_nightly(tiny_force)
    assert [(c["value"], c["rows_before"], c["rows_after"]) for c in result.replaced] == [
        ("2026-03-31", 30, 28)
    ]


def test_two_corrections_of_one_date_block(tiny_force):
    snapshot(tiny_force, "staff_snapshot_2026-03-31_correction.csv", 20)
    snapshot(tiny_force, "staff_snapshot_2026-03-31_corrected.csv", 21)
    with pytest.raises(BlockedError, match="both say they correct snapshot date 2026-03-31"):
        run_nightly(tiny_force)


def test_a_corrected_joiners_leavers_file_replaces_its_period_not_adds_to_it(tiny_force):
    """The reported case: every row was loaded twice, and the figures survived only because
    a model happened to keep one row per person."""
    snapshot(tiny_force, "staff_snapshot_2026-03-31.csv", 30)
    movements(tiny_force, "joiners_leavers_2026.csv", 2025, 12)
    run_nightly(tiny_force)
    movements(tiny_force, "joiners_leavers_2026_corrected.csv", 2025, 12, reason="dismissal")

    result = run_nightly(tiny_force)

    assert query(
        tiny_force,
        "select source_file, count(*), count(*) filter (where leaving_reason = 'dismissal') "
        "from raw.joiners_leavers group by 1",
    ) == [("joiners_leavers_2026_corrected.csv", 12, 2)]
    assert [(c["key"], c["value"], c["rows_before"], c["rows_after"]) for c in result.replaced] == [
        ("movement_period", "2025-01-15 to 2025-12-15", 12, 12)
    ]


def test_an_overlapping_joiners_leavers_file_under_a_new_name_blocks(tiny_force):
    snapshot(tiny_force, "staff_snapshot_2026-03-31.csv", 30)
    movements(tiny_force, "joiners_leavers_2026.csv", 2025, 12)
    run_nightly(tiny_force)
    movements(tiny_force, "joiners_leavers_2026_v2.csv", 2025, 6)
    with pytest.raises(BlockedError) as blocked:
        run_nightly(tiny_force)
    assert blocked.value.problems == [
        "joiners_leavers_2026_v2.csv describes movements from 2025-01-15 to 2025-06-15, like "
        "joiners_leavers_2026.csv (already loaded): loading both would count them twice or "
        "keep one at random. If joiners_leavers_2026_v2.csv corrects joiners_leavers_2026.csv, "
        "put 'correction' in its name (joiners_leavers_2026_v2_correction.csv) and it will "
        "replace it; otherwise remove the file that is wrong from the inbox."
    ]


def test_the_same_joiners_leavers_file_name_each_year_builds_history(tiny_force):
    snapshot(tiny_force, "staff_snapshot_2026-03-31.csv", 30)
    movements(tiny_force, "joiners_leavers.csv", 2024, 12)
    run_nightly(tiny_force)
    movements(tiny_force, "joiners_leavers.csv", 2025, 10)
    run_nightly(tiny_force)
    assert query(
        tiny_force,
        "select year(movement_date), count(*) from raw.joiners_leavers group by 1 order by 1",
    ) == [(2024, 12), (2025, 10)]


def test_two_files_describing_one_promotion_process_block(tiny_force):
    snapshot(tiny_force, "staff_snapshot_2026-03-31.csv", 30)
    rows = [f"SGT-26,Sergeant 2026,Sergeant,P{i},1,Exam,passed,2026-01-10" for i in range(10)]
    write_inbox(tiny_force, "promotion_candidates_a.csv", PROMOTION_HEADER + "\n" + "\n".join(rows))
    write_inbox(
        tiny_force, "promotion_candidates_b.csv", PROMOTION_HEADER + "\n" + "\n".join(rows[:6])
    )
    with pytest.raises(BlockedError, match=r"promotion_candidates_b\.csv describes process SGT-26"):
        run_nightly(tiny_force)


def test_an_overlap_of_case_files_counts_the_cases_and_never_lists_them():
    """A case reference is a pseudonym: the blocking message says how many cases, not which."""
    earlier = Scope("misconduct_cases", keys=frozenset({"9f2c01", "a41b7e", "c0ffee"}))
    later = Scope("misconduct_cases", keys=frozenset({"a41b7e", "c0ffee", "d00d42"}))
    assert str(earlier.shared(later)) == "2 misconduct cases"
    assert str(Scope("grievances", keys=frozenset({"a41b7e"}))) == "1 grievance or claim"
    assert str(Scope("staff_survey", keys=frozenset({"SS-2025"}))) == "survey SS-2025"
