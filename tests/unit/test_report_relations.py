"""Declared rows and cells that make a table's sums visible to the protection (hostile-6
findings 11 and 5)."""

from __future__ import annotations

import pandas as pd
from conftest import write_config
from force_factory import MONITORING_CONFIG, START, build_database, random_force

from pipeline.config import load_settings
from pipeline.disclosure import Relation, derive_relations
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
