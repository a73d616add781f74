"""A new force's first night (one snapshot and a year of joiners): no verdict from a
comparison the tables do not show, and no projection from rates nobody has observed.

Hostile 6, finding 16: the first night said "recruitment is not raising the share" beside an
[x] for the officers at the start of the year (the joiners' share was above the officers'
now), and published a flat projection, band 11.3% to 11.3%, "not within 20 years, chance
0.0%", driven by no rates at all.
"""

from __future__ import annotations

import pytest
from conftest import STAFF_HEADER, staff_row, write_config, write_inbox

from pipeline.config import load_settings
from pipeline.history import current_history
from pipeline.nightly import run_nightly
from pipeline.report import build
from pipeline.warehouse import connect

MOVEMENT_HEADER = (
    "staff_id,movement_type,movement_date,worker_type,rank_or_band,department,lpu_code,sex,"
    "ethnicity_code,service_start_date,leaving_reason"
)


@pytest.fixture(scope="module")
def first_night(tmp_path_factory):
    settings = load_settings(write_config(tmp_path_factory.mktemp("first")))
    officers = [staff_row(f"W{i}", "W1", sex="FM"[i % 2]) for i in range(60)]
    officers += [staff_row(f"A{i}", ("A1", "B1", "M1")[i % 3], sex="FM"[i % 2])
                 for i in range(12)]  # fmt: skip
    joiners = [
        f"{who},joiner,2025-09-01,police_officer,Constable,Local Policing,BHM,{'FM'[i % 2]},"
        f"{eth},2025-09-01,"
        for i, (who, eth) in enumerate(
            [(f"W{i}", "W1") for i in range(12)] + [(f"A{i}", "A1") for i in range(8)]
        )
    ]
    write_inbox(
        settings, "staff_snapshot_2026-03-31.csv", STAFF_HEADER + "\n" + "\n".join(officers)
    )
    write_inbox(settings, "joiners_leavers_2026.csv", MOVEMENT_HEADER + "\n" + "\n".join(joiners))
    run_nightly(settings)
    with connect(current_history(settings), read_only=True) as con:
        prepared = build.prepare(con, settings)
        projected = con.execute("select count(*) from analytics.projections").fetchone()[0]
    return {s.id: s for s in prepared.sections}, projected


def test_the_joiners_verdict_needs_the_comparison_it_names(first_night):
    sections, _ = first_night
    message = sections["joiners-mix"].message
    assert "40.0% of officers who joined" in message  # 8 of 20: shown
    assert "raising the share" not in message, message
    assert (
        "whether recruitment is raising the officers' share cannot be compared yet: no "
        "snapshot of the start of the year is loaded." in message
    ), message
    assert not any("raising the share" in f for f in sections["joiners-mix"].findings)


def test_no_projection_until_the_window_holds_a_year_of_flows(first_night):
    sections, projected = first_night
    assert projected == 0
    outlook = sections["projection-outlook"]
    assert outlook.message.startswith("Nothing is projected yet"), outlook.message
    assert "at least 2 snapshots in the last three years, and 1 is loaded" in outlook.message
    assert "projection-officers" not in sections
    assert not any("within 20 years" in f for s in sections.values() for f in s.findings)


def test_a_first_night_with_every_kind_of_target_publishes(tmp_path):
    """Hostile 7, finding 2: a rank or band target on a new force's first night ended in
    exit 1 ("KeyError: 'rank_or_band'"): "what it would take: promotion" grouped the empty
    table of promotions a night without flows has."""
    targets = "".join(
        f'[[targets]]\ncode = "{code}"\n{scope}by_date = 2031-03-31\n'
        for code, scope in (
            ("force", "share = 0.2\n"),
            ("officers", 'worker_type = "police_officer"\nshare = 0.2\n'),
            (
                "sergeants",
                'worker_type = "police_officer"\nrank_or_band = "Sergeant"\nshare = 0.2\n',
            ),
            ("band", 'worker_type = "police_staff"\nrank_or_band = "Band C"\nshare = 0.2\n'),
            ("lpu", 'lpu_code = "BHM"\nshare = 0.2\n'),
            ("joiners", "joiners = 10\nfrom_date = 2026-04-01\n"),
        )
    )
    settings = load_settings(write_config(tmp_path, targets))
    rows = [staff_row(f"W{i}", "W1") for i in range(40)]
    rows += [staff_row(f"S{i}", "W1", rank="Sergeant") for i in range(10)]
    rows += [staff_row(f"A{i}", "A1", rank="Sergeant") for i in range(6)]
    rows += [staff_row(f"C{i}", "B1", worker_type="police_staff", rank="Band C")
             for i in range(8)]  # fmt: skip
    write_inbox(settings, "staff_snapshot_2026-03-31.csv", STAFF_HEADER + "\n" + "\n".join(rows))
    run_nightly(settings)
    with connect(current_history(settings), read_only=True) as con:
        sections = {s.id for s in build.prepare(con, settings).sections}
    assert "projection-outlook" in sections
