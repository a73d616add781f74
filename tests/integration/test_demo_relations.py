"""Withheld counts in the demo's report that two published counts give back by subtraction,
because a relation between them was not declared (hostile-6 findings 11, 15, 12 and 5).
Each test reads the published CSVs of the session's demo run (conftest.demo_report) as a
reader would, and does the subtraction the finding did. Also callable on any report folder
(``python -m pytest`` is not needed: the checks take the folder)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

THRESHOLD = 5
WITHHELD = "[c]"


def rows(folder: Path, table_id: str) -> dict[str, dict[str, str]]:
    text = (folder / "csv" / f"{table_id}.csv").read_text(encoding="utf-8")
    _marking, header, *body = csv.reader(io.StringIO(text))
    return {row[0]: dict(zip(header, row, strict=True)) for row in body}


def small(difference: int) -> bool:
    return 1 <= difference <= THRESHOLD


def joiners_by_route_recoverable(folder: Path) -> list[str]:
    """Finding 11: a year whose 'all routes' row is shown and exactly one route's count
    withheld gives that route back (550 - 222 - 248 = 80 Police Now joiners, 4 not
    stated)."""
    table = rows(folder, "joiners-by-route")
    found = []
    for label, row in table.items():
        if not label.endswith(", all routes"):
            continue
        year = label.removesuffix(", all routes")
        routes = [r for name, r in table.items() if name.startswith(f"{year}, ") and r is not row]
        for column in list(row)[1:4]:
            hidden = [r for r in routes if r[column] == WITHHELD]
            if row[column] != WITHHELD and len(hidden) == 1:
                found.append(f"{label}: {column}")
    return found


def senior_officers_recoverable(folder: Path) -> list[str]:
    """Finding 15: senior leadership minus the senior staff bands is the officers of
    superintendent and above (27 - 24 = 3 ethnic minority)."""
    table = rows(folder, "scorecard-numbers")
    leadership = table["Senior leadership against officers, staff and PCSOs"]
    bands = table["Police staff in the senior bands against police staff"]
    found = []
    counted = ("Ethnic minority: counted", "Ethnic minority: of")
    for column in (*counted, *(f"Last year, {c}" for c in counted)):
        if WITHHELD in (leadership[column], bands[column]):
            continue
        difference = int(leadership[column]) - int(bands[column])
        if small(difference):
            found.append(f"{column}: {leadership[column]} - {bands[column]}")
    return found


def completion_recoverable(folder: Path) -> list[str]:
    """Finding 5: those who started a programme minus those who completed it is the number
    who did not complete (44 - 39 = 5), which the funnels withhold."""
    found = []
    for label, row in rows(folder, "development-access").items():
        if "completed" not in label:
            continue
        for base, counted in (("Ethnic minority: base", "Ethnic minority: counted"),
                              ("White: base", "White: counted")):  # fmt: skip
            if WITHHELD in (row[base], row[counted]):
                continue
            if small(int(row[base]) - int(row[counted])):
                found.append(f"{label}: {row[base]} - {row[counted]}")
    return found


def board_passes_recoverable(folder: Path) -> list[str]:
    """Finding 12: a board's last-stage passes withheld while the same people, the officers
    of the rank below promoted that year, are shown in the promotion rates."""
    promoted = rows(folder, "promotion-rates")
    found = []
    for table_id, rank in (
        ("promotion-sgt-2026", "Constable"),
        ("promotion-insp-2026", "Sergeant"),
    ):
        board = rows(folder, table_id)
        last = [label for label in board if label != "End to end"][-1]
        for side in ("Ethnic minority", "White"):
            passes = board[last][f"{side}: passed"]
            promotions = promoted[rank][f"{side}: promoted"]
            if passes == WITHHELD and promotions != WITHHELD:
                found.append(f"{table_id} {last} {side}: [c] but {rank} promoted {promotions}")
    return found


def test_joiners_by_route_do_not_give_back_a_withheld_route(demo_report):
    assert joiners_by_route_recoverable(demo_report) == []


def test_senior_leadership_minus_senior_bands_is_not_a_small_count(demo_report):
    assert senior_officers_recoverable(demo_report) == []


def test_board_passes_and_the_years_promotions_are_one_cell(demo_report):
    assert board_passes_recoverable(demo_report) == []


def test_started_minus_completed_is_protected_as_the_funnels_protect_failures(demo_report):
    assert completion_recoverable(demo_report) == []
