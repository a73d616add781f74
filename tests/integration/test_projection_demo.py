"""The demo force's projection read back from its database: the central projection (the
median of the simulated futures, hostile 14b finding 3) lies within its band everywhere, and
at the demo's size (thousands of people) it agrees with the path of today's rates held, so
the change of method moved no figure the Group has seen by more than chance would."""

from __future__ import annotations

import duckdb
import numpy as np
import pytest

from pipeline import flows


@pytest.fixture(scope="module")
def database(demo_run):
    out, done = demo_run
    assert done.returncode == 0, done.stderr
    with duckdb.connect(str(out / "var" / "progression.duckdb"), read_only=True) as con:
        yield con


def test_the_demos_central_projection_lies_within_its_band(database):
    rows = database.execute(
        """select projected_group_share, projected_group_share_lower,
                  projected_group_share_upper
           from analytics.projections where projected_group_share is not null"""
    ).fetchall()
    assert len(rows) > 100
    for central, lower, upper in rows:
        assert lower - 1e-12 <= central <= upper + 1e-12


def test_at_the_demos_size_the_median_future_follows_todays_rates(database):
    """The whole workforce and all officers: the median of the futures and the path of the
    point rates are within half a percentage point of each other every year (the band is
    a few points wide), and both move the same way from today's share."""
    frame = database.execute(
        "select * from analytics.projection_rates where group_code = 'minority_excl_white'"
    ).df()
    counts = flows.counts_from_frame(frame)
    years = int(
        database.execute("select max(projection_year) from analytics.projections").fetchone()[0]
    )
    path = flows.project(counts.stock, counts.point_rates(), counts.ladder, years)
    for worker_type, positions in (
        ("All", counts.ladder.positions()),
        ("police_officer", counts.ladder.positions("police_officer")),
    ):
        central = np.array(
            [
                v
                for (v,) in database.execute(
                    """select projected_group_share from analytics.projections
                       where group_code = 'minority_excl_white' and worker_type = ?
                         and rank_or_band = 'All' order by projection_year""",
                    [worker_type],
                ).fetchall()
            ]
        )
        point = flows.group_share(path, positions)
        assert np.abs(central - point).max() < 0.005, worker_type
        assert np.sign(central[-1] - central[0]) == np.sign(point[-1] - point[0])
