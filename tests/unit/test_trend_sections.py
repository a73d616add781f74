"""The trend sections on a tiny force: a change that does not exist is [x] (never [c]),
whatever the counts beside it, in the tables over time and the year-on tables."""

from __future__ import annotations

import pytest
from conftest import STAFF_HEADER, write_config, write_inbox
from test_workforce_models import _person

from pipeline.config import load_settings
from pipeline.history import current_history
from pipeline.nightly import run_nightly
from pipeline.report import build
from pipeline.warehouse import connect

C, X = "[c]", "[x]"
CONSTABLES = [*(("W1", "M"), ("W1", "F"), ("W2", "M"), ("W3", "F")) * 3,
              ("A1", "F"), ("A2", "M"), ("A4", "F"), ("B1", "M"), ("B2", "F"), ("M1", "M"),
              ("O2", "F"), ("A9", "M")]  # fmt: skip


def _snapshot(date: str, inspectors: int) -> list[str]:
    """Twenty constables (eight of an ethnic minority), and ``inspectors`` White
    inspectors (2025: two, too few to show; 2024: none, nobody held the rank)."""
    rows = [_person(f"P{i}", date, eth, sex) for i, (eth, sex) in enumerate(CONSTABLES)]
    rows += [_person(f"I{i}", date, "W1", "M", "Inspector") for i in range(inspectors)]
    return rows


@pytest.fixture(scope="module")
def sections(tmp_path_factory):
    # Lines through two snapshots of ~20 officers (by default there would be none: fewer
    # than three snapshots, and 30 people, tests/unit/test_straight_line.py), so that a
    # withheld line and one that does not exist can be told apart.
    relaxed = "[projections]\ntrend_min_snapshots = 2\ntrend_min_declared_headcount = 1\n"
    settings = load_settings(write_config(tmp_path_factory.mktemp("trends"), relaxed))
    write_inbox(
        settings,
        "staff_snapshot_2024.csv",
        STAFF_HEADER + "\n" + "\n".join(_snapshot("2024-03-31", 0)),
    )
    write_inbox(
        settings,
        "staff_snapshot_2025.csv",
        STAFF_HEADER + "\n" + "\n".join(_snapshot("2025-03-31", 2)),
    )
    run_nightly(settings)
    with connect(current_history(settings), read_only=True) as con:
        prepared = build.prepare(con, settings)
    return {s.id: s for s in prepared.sections}


def _column(section, header_start: str) -> dict[str, str]:
    position = next(i for i, h in enumerate(section.table.headers) if h.startswith(header_start))
    return {row[0]: row[position] for row in section.table.html_rows()}


def test_the_first_snapshots_change_does_not_exist(sections):
    change = _column(sections["trend-by-rank-over-time"], "Change since the previous")
    assert change["Constable, 31 March 2024"] == X
    assert change["All officers, 31 March 2025"] == "-3.6"  # 8 of 20, then 8 of 22
    # Nobody held the rank in 2024: no change and no straight line, though its counts are
    # withheld (and the constables' with them, or the two could be worked out).
    assert change["Inspector, 31 March 2025"] == X
    assert change["Constable, 31 March 2025"] == C  # a change that exists, withheld
    slope = _column(sections["trend-by-rank-over-time"], "Straight-line trend")
    assert slope["Inspector, 31 March 2025"] == X
    assert slope["Constable, 31 March 2025"] == C
    assert slope["All officers, 31 March 2025"] == "-3.6"


def test_a_unit_nobody_held_a_year_earlier_has_no_change_even_with_withheld_counts(sections):
    year_on = sections["trend-by-rank"]
    now = _column(year_on, "31 March 2025: in the group")
    then = _column(year_on, "31 March 2024: stated")
    change = _column(year_on, "Change over the year")
    assert then["Inspector"] == "0" and now["Inspector"] == C  # two inspectors: withheld
    assert change["Inspector"] == X
    assert change["Constable"] == C  # withheld with the constables' counts
    assert change["All officers"] == "-3.6"
