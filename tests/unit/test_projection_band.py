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


@pytest.mark.parametrize(("seed", "size"), [(4, 22), (31, 200)])
def test_every_projected_row_is_one_simulated_future(tmp_path, seed, size):
    """Hostile 6, finding 9: the headcounts were the point path while the share was the
    median of the simulated futures ("0 of 1, share 100%"; 420 of 609 rows disagreed). Now
    every row's headcounts are those of the future whose share is the median."""
    settings = load_settings(write_config(tmp_path))
    con = build_database(settings, random_force(seed, size=size))
    rows = con.execute(
        """select projected_headcount, projected_declared_headcount, projected_group_headcount,
                  projected_group_share
           from analytics.projections"""
    ).fetchall()
    assert rows
    for headcount, declared, group, share in rows:
        if declared is None:  # nobody in the scope stated now: not projected (no future is
            assert group is None and share is None  # the central one; test_projection_unstated)
            continue
        assert headcount >= declared >= group >= 0
        if declared > 0:
            assert share is not None and math.isclose(group / declared, share, abs_tol=1e-12)
        else:
            assert share is None or math.isnan(share)


def test_where_the_rates_settle_comes_from_the_simulated_futures():
    """Hostile 6, finding 3: "Where today's rates settle" was the fixed point of the point
    rates, so a group of 2 in post of whom none left in the window never leaves and fills
    the rank: 100%, beside recruits of 20% and a median of the simulated futures near them.
    The simulated futures' own rates (Jeffreys Beta draws, never exactly 0) settle near the
    recruits' share, and :func:`flows.stationary` solves each future's fixed point exactly
    (the same as stepping the model until it stops moving)."""
    import numpy as np

    from pipeline import flows

    ladder = flows.Ladder(("police_officer",), ("Constable",))
    counts = flows.Counts(
        ladder=ladder,
        stock=np.array([[2.0], [98.0], [0.0]]),
        in_post=np.array([[2.0], [98.0], [0.0]]),
        leavers=np.array([[0.0], [10.0], [0.0]]),
        promoted=np.zeros((3, 1)),
        joiners=np.array([[2.0], [8.0], [0.0]]),
    )
    everyone = ladder.positions()
    point = counts.point_rates()
    assert flows.long_run_share(counts.stock, point, ladder, everyone) > 0.99
    assert float(flows.group_share(flows.stationary(counts.stock, point, ladder), everyone)) > 0.99
    drawn = counts.drawn_rates(np.random.default_rng(1), 1000)
    at_rest = flows.stationary(counts.stock, drawn, ladder)
    np.testing.assert_allclose(at_rest.sum(axis=(1, 2)), 100.0)
    np.testing.assert_allclose(flows.step(at_rest, drawn, ladder), at_rest, atol=1e-8)
    assert 0.1 < float(np.median(flows.group_share(at_rest, everyone))) < 0.5


@pytest.mark.parametrize(("seed", "size"), [(31, 200)])
def test_the_projection_settles_and_recruits_as_its_simulated_futures_do(tmp_path, seed, size):
    """The view's long-run share is the median of the simulated futures' own fixed points,
    and its recruits (what a joiners target's flow model adds up) the medians of the same
    futures' recruits, not the path of the point rates (hostile 6, findings 3 and 9)."""
    import numpy as np

    from pipeline import flows

    settings = load_settings(write_config(tmp_path))
    con = build_database(settings, random_force(seed, size=size))
    p = settings.projections
    for code, order in con.execute(
        "select group_code, projection_sort_order from ref.projection_groups"
    ).fetchall():
        counts = flows.load_counts(con, code)
        if counts is None or counts.in_post.sum() == 0:
            continue
        rng = np.random.default_rng([p.seed, order])
        drawn = counts.drawn_rates(rng, p.simulations)
        _, joined = flows.simulate_with_recruits(counts, p.horizon_years, p.simulations, rng, drawn)
        at_rest = flows.stationary(counts.stock, drawn, counts.ladder)
        published = con.execute(
            """select long_run_group_share, projected_group_joiners
               from analytics.projections
               where group_code = ? and worker_type = 'All' order by projection_year""",
            [code],
        ).df()
        expected = np.nanmedian(flows.group_share(at_rest, counts.ladder.positions()))
        assert math.isclose(published["long_run_group_share"][0], expected, abs_tol=1e-12)
        recruits = np.median(joined[:, :, flows.IN, :].sum(axis=-1), axis=0)
        np.testing.assert_allclose(published["projected_group_joiners"], recruits)
        point = flows.recruits_path(
            flows.project(counts.stock, counts.point_rates(), counts.ladder, p.horizon_years),
            counts.point_rates(),
            counts.ladder,
        )[:, flows.IN, :].sum(axis=-1)
        assert not np.allclose(published["projected_group_joiners"], point)


@pytest.mark.parametrize(
    ("band", "words"),
    [(0.8, "eight in ten"), (0.9, "nine in ten"), (0.95, "ninety-five in a hundred"),
     (0.99, "ninety-nine in a hundred"), (0.75, "seventy-five in a hundred"),
     (0.995, "nine hundred and ninety-five in a thousand"),
     (0.9999, "nine thousand nine hundred and ninety-nine in ten thousand"),
     (0.9999991, "at least ninety-nine thousand nine hundred and ninety-nine in a hundred "
      "thousand")],
)  # fmt: skip
def test_the_band_is_described_as_what_it_holds(band, words):
    """Hostile 6, finding 14: `band = 0.95` was "ten in ten simulated futures" (rounded to
    tenths), which reads as certainty."""
    from types import SimpleNamespace

    from pipeline.report.outlook import band_words

    cells = SimpleNamespace(settings=SimpleNamespace(projections=SimpleNamespace(band=band)))
    assert band_words(cells) == words
