"""The projection's verdict and the chance beside it come from the same simulated futures."""

from __future__ import annotations

import pytest
from conftest import write_config
from force_factory import build_database, random_force

from pipeline.config import load_settings


@pytest.mark.parametrize(("seed", "size"), [(2, 30), (4, 22)])
def test_the_verdict_never_contradicts_the_chance_of_reaching_it(tmp_path, seed, size):
    """Hostile 7: seed 4 (22 people) said 'not within 20 years' beside a 71.9% chance of
    reaching the population share by 2046. The verdict is the median year of reaching it."""
    settings = load_settings(write_config(tmp_path))
    con = build_database(settings, random_force(seed, size=size))
    rows = con.execute(
        """select outlook.parity_status, outlook.reach_probability, outlook.snapshot_date,
                  (select min(projection_year) from marts.projections as p
                   where p.group_code = outlook.group_code
                     and p.worker_type = outlook.worker_type
                     and p.rank_or_band = outlook.rank_or_band
                     and p.reach_probability >= 0.5) as median_offset
           from marts.projection_outlook as outlook
           where outlook.parity_status <> 'not computable'"""
    ).fetchall()
    assert rows
    for status, chance, snapshot, median in rows:
        if status.startswith("not within"):
            assert chance < 0.5, (status, chance)
        elif status == "reached":
            assert median == 0
        else:
            assert chance >= 0.5, (status, chance)
            assert status == f"by {snapshot.year + median}"
