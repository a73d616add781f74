"""A group nobody of which joined is recruited in no simulated future (the prior alone did).

A group with nobody in a band, none of whose members joined it or were promoted into it in
the window, was projected to about 1.6% of the band by year 20, and the report said so:
each simulated future drew the recruits' mix from ``Dirichlet(joiners + 1/2)`` and each
promotion rate from ``Beta(promoted + 1/2, ...)``, so a membership with no joiner (no
promotion) still got about half a joiner's (promotion's) worth of share from the prior in
every future, and over twenty years of recruitment most futures held some of the group.
Now a membership nobody of which joined a worker type recruits none into it in every
simulated future; promotion rates keep their Jeffreys draws (a promotion moves only people
already there), and rates with observed events are drawn exactly as before.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from test_projection_unstated import _database

from pipeline import flows, warehouse

SQL = Path(__file__).resolve().parents[2] / "sql" / "marts"
OFFICER_RANKS = ("Constable", "Sergeant", "Inspector")
STAFF_BANDS = ("Band A", "Band B")


def _counts() -> flows.Counts:
    """Officers among whom the group is present and joins, but none of whose Sergeants was
    promoted (and nobody of it is an Inspector), and police staff none of whom is in the
    group, nor any of whose joiners was."""
    ladder = flows.Ladder(
        ("police_officer",) * 3 + ("police_staff",) * 2, OFFICER_RANKS + STAFF_BANDS
    )
    #                   Con   Sgt   Insp A     B
    stock = np.array([[10.0, 2.0, 0.0, 0.0, 0.0],  # in the group
                      [80.0, 18.0, 6.0, 60.0, 20.0],  # everyone else who stated
                      [5.0, 1.0, 1.0, 8.0, 2.0]])  # not stated  # fmt: skip
    leavers = np.array([[1.0, 0.0, 0.0, 0.0, 0.0],
                        [8.0, 2.0, 1.0, 6.0, 2.0],
                        [1.0, 0.0, 0.0, 1.0, 0.0]])  # fmt: skip
    promoted = np.array([[1.0, 0.0, 0.0, 0.0, 0.0],
                         [6.0, 2.0, 0.0, 3.0, 0.0],
                         [1.0, 0.0, 0.0, 1.0, 0.0]])  # fmt: skip
    joiners = np.array([[4.0, 0.0, 0.0, 0.0, 0.0],
                        [6.0, 0.0, 0.0, 9.0, 0.0],
                        [1.0, 0.0, 0.0, 1.0, 0.0]])  # fmt: skip
    return flows.Counts(ladder, stock, stock.copy(), leavers, promoted, joiners)


def test_no_recruit_is_drawn_for_a_group_nobody_of_which_joined():
    """Police staff's drawn recruits' mix has nobody in the group (none joined) in every
    future; the officers' mix (the group joined) is still drawn, and so are promotion
    rates, none promoted included (the group's 2 Sergeants, none made Inspector: weak
    evidence of a rate of nothing, which the band must show)."""
    counts = _counts()
    drawn = counts.drawn_rates(np.random.default_rng(3), 500)
    staff = counts.ladder.types.index("police_staff")
    officers = counts.ladder.types.index("police_officer")
    np.testing.assert_array_equal(drawn.recruit_mix[:, flows.IN, staff], 0.0)
    np.testing.assert_allclose(drawn.recruit_mix[:, :, staff].sum(axis=1), 1.0)
    assert drawn.recruit_mix[:, flows.REST, staff].std() > 0  # still drawn
    assert (drawn.recruit_mix[:, flows.IN, officers] > 0).all()
    a = counts.ladder.positions("police_staff", "Band A")[0]
    # the group at Band A borrows the band's rate (4 of 68): observed, so drawn
    assert (drawn.promotion[:, flows.IN, a] > 0).all()
    constable = counts.ladder.positions("police_officer", "Constable")[0]
    assert (drawn.promotion[:, flows.IN, constable] > 0).all()
    sergeant = counts.ladder.positions("police_officer", "Sergeant")[0]
    assert (drawn.promotion[:, :, sergeant] > 0).all()


def test_rates_with_observed_events_are_drawn_as_before():
    """With every membership observed joining each worker type and promoted from each rank,
    the drawn rates are the Jeffreys and Dirichlet draws, number for number (so every
    projection of such a group is unchanged)."""
    base = _counts()
    promoted = np.array([[1.0, 1.0, 0.0, 1.0, 0.0],
                         [6.0, 2.0, 0.0, 3.0, 0.0],
                         [1.0, 1.0, 0.0, 1.0, 0.0]])  # fmt: skip
    joiners = base.joiners + np.array([[0.0, 0.0, 0.0, 1.0, 0.0]] + [[0.0] * 5] * 2)
    counts = flows.Counts(base.ladder, base.stock, base.in_post, base.leavers, promoted, joiners)
    drawn = counts.drawn_rates(np.random.default_rng(5), 50)
    rng = np.random.default_rng(5)  # the draws as they were made before
    in_post, leavers, promoted = counts._borrowed()
    shape = (50, *in_post.shape)
    leave = rng.beta(leavers + 0.5, in_post - leavers + 0.5, size=shape)
    stay = in_post - leavers
    onward = rng.beta(promoted + 0.5, np.maximum(stay - promoted, 0) + 0.5, size=shape)
    onward[..., counts.ladder.is_top] = 0.0
    types = counts.ladder.type_index
    mix = np.stack(
        [rng.dirichlet(counts.joiners[:, types == w].sum(axis=1) + 0.5, size=50)
         for w in range(len(counts.ladder.types))], axis=-1,
    )  # fmt: skip
    leaving = counts._annual(leave)
    np.testing.assert_array_equal(drawn.leaving, leaving)
    np.testing.assert_array_equal(drawn.promotion, (1 - leaving) * counts._annual(onward))
    np.testing.assert_array_equal(drawn.recruit_mix, mix)


def test_a_band_nobody_of_the_group_holds_or_enters_stays_at_nothing():
    """marts.projections on the tiny counts: police staff, Band A and Band B (nobody in the
    group, none joined) are 0% in the central projection in every one of the 21 years, with
    a band of 0% to 0% and a settling share of 0% (the prior alone lifted them from
    nothing); Constables, where the group is and joins (4 of 10 stated joiners against 10
    of 90 now), still rise."""
    con = _database(_counts())
    frame = warehouse._load_python_model(SQL / "projections.py").model(con)
    scopes = [("police_staff", "All"), ("police_staff", "Band A"), ("police_staff", "Band B")]
    for worker_type, rank in scopes:
        rows = frame[(frame["worker_type"] == worker_type) & (frame["rank_or_band"] == rank)]
        assert len(rows) == 21
        for column in ("projected_group_share", "projected_group_share_lower",
                       "projected_group_share_upper", "projected_group_headcount",
                       "projected_group_joiners"):  # fmt: skip
            assert (rows[column] == 0).all(), (rank, column, rows[column].tolist())
        assert (rows["long_run_group_share"].abs() < 1e-9).all()  # solved: to rounding
        assert (rows["reach_probability"] == 0).all()
    officers = frame[frame["worker_type"] == "police_officer"]
    rows = officers[officers["rank_or_band"] == "Constable"]
    shares = rows.set_index("projection_year")["projected_group_share"]
    assert abs(shares[0] - 10 / 90) < 1e-12
    assert shares[20] > shares[0] + 0.1, shares.tolist()


def test_the_report_does_not_say_a_group_with_no_officers_rises(tmp_path):
    """A random force (seed 3, 200 people) none of whose officers, nor officers who joined,
    is in the headline group (every officer who stated is White British). The officers'
    projection is 0% in every year, centrally and in its band, and the report says the share
    is 0.0% now and 0.0% at the horizon (it said it 'goes from 0.0% now to 1.3% by 2046',
    from the prior alone); the year-by-year sentence does not say the model 'takes' it
    anywhere either."""
    from conftest import write_config
    from force_factory import build_database, random_force
    from test_projection_unstated import _shown_in_full

    from pipeline.config import load_settings
    from pipeline.report import build, outlook
    from pipeline.report.cells import Cells

    settings = load_settings(write_config(tmp_path, ""))
    raw = random_force(3, size=200)
    for kind in ("staff_snapshot", "joiners_leavers"):
        frame = raw[kind]
        officer = (frame["worker_type"] == "police_officer") & (frame["ethnicity_code"] != "NS")
        frame.loc[officer, "ethnicity_code"] = "W1"
    con = build_database(settings, raw)
    (joined,) = con.execute(
        """select sum(joiner_count) from analytics.projection_rates
           where worker_type = 'police_officer' and membership_code = 'rest_stated'"""
    ).fetchone()
    assert joined > 0  # officers joined: their mix was drawn, with the group from the prior
    shares = con.execute(
        """select max(projected_group_share), max(projected_group_share_upper)
           from analytics.projections where worker_type = 'police_officer'"""
    ).fetchone()
    assert shares == (0.0, 0.0)

    cells = Cells(con, settings)
    end = build.latest_snapshot_date(con).year + settings.projections.horizon_years
    outlook_section, fan = outlook.projection(cells, build.latest_snapshot_date(con))
    _shown_in_full(outlook_section.table)
    _shown_in_full(fan.table)
    message = outlook_section.compose().message
    assert f"share of officers is 0.0% now and 0.0% in {end}" in message, message
    assert "goes from" not in message, message
    message = fan.compose().message
    assert "share of officers at 0.0% in" in message and "takes" not in message, message
