"""The flow model's central projection and its band come from the same simulated futures.

Hostile 14b, finding 3: the central path ran the point rates (a group's leaving rate of 0 out
of a handful) while the band resampled them, so at small numbers they described different
models: seed 31 (200 people) published "Flow model, 2046: 24.9%" beside its band "7.6% to
23.4%". The central value is now the median of the simulated futures, so it lies within the
band (the band's edges are quantiles of the same futures either side of the median).
"""

from __future__ import annotations

import math

import pytest
from conftest import write_config
from force_factory import build_database, random_force

from pipeline.config import load_settings


def _outside(con) -> list[tuple]:
    """Every projected year and scope whose central share lies outside its band."""
    return con.execute(
        """select group_code, worker_type, rank_or_band, projection_year,
                  projected_group_share, projected_group_share_lower,
                  projected_group_share_upper
           from analytics.projections
           where projected_group_share is not null
             and (projected_group_share < projected_group_share_lower - 1e-12
                  or projected_group_share > projected_group_share_upper + 1e-12)"""
    ).fetchall()


@pytest.mark.parametrize(("seed", "size"), [(1, None), (3, None), (31, 200)])
def test_the_central_projection_lies_within_its_band(tmp_path, seed, size):
    """Random small forces (seeds 1 and 3: 5 to 200 people, and the hostile's seed 31 of 200):
    every group, scope and year, in the view and in the outlook at the horizon."""
    settings = load_settings(write_config(tmp_path))
    con = build_database(settings, random_force(seed, size=size))
    assert con.execute("select count(*) from analytics.projections").fetchone()[0] > 0
    assert _outside(con) == []
    for central, lower, upper in con.execute(
        """select projected_group_share, projected_group_share_lower,
                  projected_group_share_upper
           from analytics.projection_outlook where projected_group_share is not null"""
    ).fetchall():
        assert lower - 1e-12 <= central <= upper + 1e-12
    # year 0 is today's share in every simulated future, so the central value is today's
    for share, start in con.execute(
        """select outlook.group_share, p.projected_group_share
           from analytics.projection_outlook as outlook
           inner join analytics.projections as p using (group_code, worker_type, rank_or_band)
           where p.projection_year = 0 and outlook.group_share is not null"""
    ).fetchall():
        assert math.isclose(share, start, abs_tol=1e-12)
