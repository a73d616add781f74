"""Declared rows and cells that make a table's sums visible to the protection (hostile-6
findings 11 and 5)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from conftest import write_config
from force_factory import END, MONITORING_CONFIG, START, build_database, random_force

from pipeline.config import Settings, load_settings
from pipeline.disclosure import POPULATION, Relation, derive_relations
from pipeline.report import audit, build
from pipeline.report.cells import Cells
from pipeline.report.monitoring import period_population
from pipeline.report.trends import every_route_every_year


def test_every_officer_entry_route_has_a_row_in_every_year():
    """The hostile's small force: in 2025-26 nobody joined by Police Now, so the table had no
    row for it; 23 stated in all, 11 by DHEP, and PCDA's withheld 12 followed (23 - 11),
    with PCDA's 1 not stated. A reader takes a route left out of a year to be 0, but the
    protection took a route to be empty only when no year lists it. With a row of 0 for
    every route in every year, the routes' sum is among the published cells."""
    rows = [
        (2025, "All", 15, 14, 5), (2025, "DHEP", 6, 5, 1), (2025, "PCDA", 5, 5, 3),
        (2025, "Police Now", 4, 4, 1), (2026, "All", 24, 23, 7), (2026, "DHEP", 11, 11, 6),
        (2026, "PCDA", 13, 12, 1),
    ]  # fmt: skip
    frame = pd.DataFrame(
        rows,
        columns=["reporting_year", "entry_route", "joiner_count", "declared_joiner_count",
                 "group_joiner_count"],
    ).assign(is_partial_year=False, worker_type="police_officer", group_share=0.5)  # fmt: skip
    out = every_route_every_year(frame)
    latest = out[out["reporting_year"] == 2026]
    assert latest["entry_route"].tolist() == ["All", "DHEP", "PCDA", "Police Now"]
    police_now = latest[latest["entry_route"] == "Police Now"].iloc[0]
    assert police_now[["joiner_count", "declared_joiner_count", "group_joiner_count"]].tolist() == [
        0, 0, 0,
    ]  # fmt: skip
    assert pd.isna(police_now["group_share"])
    for _year, part in out.groupby("reporting_year"):
        routes = part[part["entry_route"] != "All"]
        total = part[part["entry_route"] == "All"]
        for column in ("joiner_count", "declared_joiner_count", "group_joiner_count"):
            assert routes[column].sum() == total[column].iloc[0]
    assert len(every_route_every_year(out)) == len(out)


def test_those_who_did_not_complete_are_the_difference_the_funnels_protect(tmp_path):
    """Hostile-6 finding 5: 'of those who started: completed' showed 44 and 39, so 5
    ethnic-minority officers did not complete, a count the funnels withhold. Those who
    started (the same people as 'any programme', dev_any) are now written on the
    development dimension beside those who completed, so the difference is a cell of the
    relations, protected and audited like a funnel's failures."""
    settings = load_settings(write_config(tmp_path, MONITORING_CONFIG))
    con = build_database(settings, random_force(3, size=60))
    try:
        cells = Cells(con, settings)
        population = period_population(cells, START)
        minority = cells.eth(cells.comparison.group_code)
        started = cells.key(population, dev_any="yes", eth=minority)
        assert started == cells.key(population, development=("started", "completed"), eth=minority)
        completed = cells.key(population, development="completed", eth=minority)
        did_not = cells.key(population, development="started", eth=minority)
        _keys, relations = derive_relations({started, completed}, cells.universe)
        assert Relation(started, tuple(sorted([completed, did_not]))) in relations
    finally:
        con.close()


def _board(passers: list[str], failers: list[str]) -> pd.DataFrame:
    rows = []
    for key in passers + failers:
        for order, stage in enumerate(("Eligibility", "Legal exam", "Interview"), start=1):
            failed = key in failers and order == 3
            rows.append({"process_id": "SGT-2026", "process_name": "Sergeant promotion 2026",
                         "target_rank": "Sergeant", "staff_key": key, "stage_order": order,
                         "stage_name": stage, "outcome": "failed" if failed else "passed",
                         "outcome_date": START + pd.Timedelta(days=30 * order)})  # fmt: skip
    return pd.DataFrame(rows)


def _boards(tmp_path: Path) -> Iterator[tuple[bool, Path, Settings, duckdb.DuckDBPyConnection]]:
    """A force's sergeant board passing the constables promoted by END (declared True), then
    those and one who stayed a constable (False); two others who stayed fail at interview.
    Each case is built in its own folder and database, closed when the next is yielded."""
    raw = random_force(5, size=200)
    staff = raw["staff_snapshot"]
    officers = staff[staff["worker_type"] == "police_officer"]
    ranks = {date: dict(zip(part["staff_key"], part["rank_or_band"], strict=True))
             for date, part in officers.groupby("snapshot_date")}  # fmt: skip
    constables = [k for k, rank in ranks[START].items() if rank == "Constable"]
    promoted = [k for k in constables if ranks[END].get(k, "Constable") != "Constable"]
    stayed = [k for k in constables if ranks[END].get(k) == "Constable"]
    assert promoted and len(stayed) > 2
    for passers, declared in ((promoted, True), (promoted + stayed[:1], False)):
        raw["promotion_candidates"] = _board(passers, stayed[1:3])
        folder = tmp_path / str(declared)
        folder.mkdir()
        settings = load_settings(write_config(folder, MONITORING_CONFIG))
        con = build_database(settings, raw)
        try:
            yield declared, folder, settings, con
        finally:
            con.close()


def test_a_boards_passes_are_the_years_promotions_when_they_are_the_same_people(tmp_path):
    """Hostile-6 finding 12: the demo's sergeant board passed at interview exactly the
    constables promoted by the next snapshot (the White figures agree, 88 and 88), so the
    passes withheld to protect the 4 who failed were read off the promotion rates. When the
    data show the same people, the two cells are declared equal across the two populations
    (and not when one passer was not promoted)."""
    for declared, _folder, settings, con in _boards(tmp_path):
        cells = Cells(con, settings)
        board = cells.selection("promotion", "SGT-2026", [1, 2, 3])
        group = cells.eth(cells.comparison.group_code)
        passed = cells.key(board, stage="e2e", outcome="passed", eth=group)
        same = cells.key(cells.staff(START, movements=True), post="police_officer/Constable",
                         promoted="yes", eth=group)  # fmt: skip
        assert cells.universe.elsewhere(passed) == ([same] if declared else [])


def test_tables_json_states_no_equality_only_the_data_bear_out(tmp_path):
    """hx11: tables.json published the board's passes = the constables promoted (and the
    officers dismissed = the leavers dismissed) only in a year the data bore it out: a
    fact about individuals no table shows, whose absence in another year says the
    opposite. The published file now carries the same equalities (those that hold by
    definition) whether the passers were the promoted or not; the protection and the
    in-run audit still use the observed one (the test above)."""
    published = {}
    for declared, folder, settings, con in _boards(tmp_path):
        cells = Cells(con, settings)
        board = cells.selection("promotion", "SGT-2026", [1, 2, 3])
        passed = cells.key(board, stage="e2e", outcome="passed")
        assert bool(cells.universe.elsewhere(passed)) == declared  # in memory: used
        report = build.build_report(
            con, settings, folder / "report", f"20260401T000000Z-{declared}"
        )
        manifest = json.loads((report / "tables.json").read_text(encoding="utf-8"))
        published[declared] = manifest["equalities"]
        assert not [e for e in manifest["equalities"] if POPULATION in e[2]]
        assert not [e for e in manifest["equalities"] if "misconduct_outcome" in e[1]]
        assert audit.audit_folder(report) == []
    assert published[True] == published[False]


def test_an_observed_equality_is_used_but_not_published():
    from pipeline.disclosure import Universe

    universe = Universe()
    universe.add("p", outcome=["dismissal", "other"], leaving=["dismissal", "other", "none"])
    universe.same("p", {"outcome": ["other"]}, {"leaving": ["other"]})  # by definition
    universe.same(
        "p", {"outcome": ["dismissal"]}, {POPULATION: ["p"], "leaving": ["dismissal"]},
        observed=True,
    )  # fmt: skip
    dismissed = universe.key("p", outcome="dismissal", leaving="none")
    assert universe.elsewhere(dismissed) == []  # left dismissed and did not leave: nobody
    dismissed = universe.key("p", outcome="dismissal")
    assert universe.elsewhere(dismissed) == [universe.key("p", leaving="dismissal")]
    assert universe.equalities_manifest() == [["p", {"outcome": ["other"]}, {"leaving": ["other"]}]]
    with pytest.raises(ValueError, match="relates two cells"):
        universe.same("p", {"outcome": ["other"]}, {"leaving": ["other"]}, observed=True)
