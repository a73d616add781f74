"""The stock-and-flow model (pipeline.flows) on tiny cases worked out by hand."""

from __future__ import annotations

import numpy as np
import pytest

from pipeline import flows
from pipeline.flows import IN, NS, REST, Counts, Ladder, Rates

ONE_RANK = Ladder(("police_officer",), ("Constable",))
TWO_RANKS = Ladder(("police_officer", "police_officer"), ("Constable", "Sergeant"))


def _rates(leaving, promotion, mix, entry) -> Rates:
    return Rates(
        np.array(leaving, dtype=float),
        np.array(promotion, dtype=float),
        np.array(mix, dtype=float).reshape(3, -1),
        np.array(entry, dtype=float),
    )


@pytest.mark.parametrize("years", [1, 2, 5, 10, 20])
def test_one_rank_with_one_leaving_rate_follows_the_closed_form(years):
    """N people, leaving rate w for everyone, recruits (as many as leave) a share p from
    the group: m(t + 1) = m(t)(1 - w) + N w p, so m(t) = N p + (m(0) - N p)(1 - w)^t."""
    n, m0, w, p = 1000.0, 100.0, 0.08, 0.3
    stock = np.array([[m0], [n - m0], [0.0]])
    rates = _rates([[w], [w], [w]], [[0], [0], [0]], [p, 1 - p, 0], [1])
    path = flows.project(stock, rates, ONE_RANK, years)
    expected = n * p + (m0 - n * p) * (1 - w) ** years
    assert path[years, IN, 0] == pytest.approx(expected, rel=1e-12)
    assert path[years].sum() == pytest.approx(n, rel=1e-12)
    assert flows.group_share(path, np.array([0]))[years] == pytest.approx(expected / n)


def test_one_rank_with_a_leaving_rate_per_group_is_the_matrix_power():
    """With leaving rates w = (w_in, w_rest, w_ns) and recruit mix q, the stock follows
    x(t + 1) = A x(t), A = diag(1 - w) + q w^T: x(n) = A^n x(0)."""
    w = np.array([0.12, 0.07, 0.05])
    q = np.array([0.25, 0.70, 0.05])
    x0 = np.array([80.0, 880.0, 40.0])
    rates = _rates(w[:, None], np.zeros((3, 1)), q, [1])
    a = np.diag(1 - w) + np.outer(q, w)
    for years in (1, 3, 7, 15):
        path = flows.project(x0[:, None], rates, ONE_RANK, years)
        assert path[years, :, 0] == pytest.approx(np.linalg.matrix_power(a, years) @ x0)


def test_promotion_moves_people_up_one_rank_and_recruits_join_at_the_bottom():
    """Two ranks, by hand: constables (in group 50, rest 450), sergeants (10, 90).
    Constables leave 10%, are promoted 4%; sergeants leave 20%. Recruits replace the
    5 + 45 + 2 + 18 = 70 leavers, 20% from the group, all as constables."""
    stock = np.array([[50.0, 10.0], [450.0, 90.0], [0.0, 0.0]])
    rates = _rates(
        [[0.1, 0.2], [0.1, 0.2], [0.1, 0.2]],
        [[0.04, 0.0], [0.04, 0.0], [0.04, 0.0]],
        [0.2, 0.8, 0.0],
        [1.0, 0.0],
    )
    after = flows.step(stock, rates, TWO_RANKS)
    # constables in group: 50 - 5 left - 2 promoted + 0.2 x 70 recruits = 57
    assert after[IN, 0] == pytest.approx(57.0)
    # sergeants in group: 10 - 2 left + 2 promoted = 10
    assert after[IN, 1] == pytest.approx(10.0)
    # rest: constables 450 - 45 - 18 + 56 = 443; sergeants 90 - 18 + 18 = 90
    assert after[REST] == pytest.approx([443.0, 90.0])
    assert after.sum() == pytest.approx(stock.sum())


def test_two_worker_types_recruit_only_for_their_own_leavers():
    ladder = Ladder(("police_officer", "police_staff"), ("Constable", "Band A"))
    stock = np.array([[10.0, 30.0], [90.0, 70.0], [0.0, 0.0]])
    rates = _rates(
        [[0.1, 0.5], [0.1, 0.5], [0.0, 0.0]],
        np.zeros((3, 2)),
        [[0.5, 0.0], [0.5, 1.0], [0.0, 0.0]],
        [1.0, 1.0],
    )
    after = flows.step(stock, rates, ladder)
    assert after[:, 0].sum() == pytest.approx(100.0)
    assert after[:, 1].sum() == pytest.approx(100.0)
    # officers: 10 leavers replaced half from the group; staff: 50 replaced by the rest only
    assert after[IN] == pytest.approx([9.0 + 5.0, 15.0])


def _counts() -> Counts:
    """A force of constables and sergeants with its window's counts."""
    return Counts(
        ladder=TWO_RANKS,
        stock=np.array([[60.0, 6.0], [500.0, 80.0], [20.0, 4.0]]),
        in_post=np.array([[150.0, 15.0], [1500.0, 240.0], [60.0, 12.0]]),
        leavers=np.array([[15.0, 3.0], [90.0, 24.0], [3.0, 1.0]]),
        promoted=np.array([[3.0, 0.0], [45.0, 0.0], [1.0, 0.0]]),
        joiners=np.array([[30.0, 0.0], [110.0, 0.0], [5.0, 0.0]]),
    )


def test_point_rates_are_the_pooled_observed_rates():
    rates = _counts().point_rates()
    assert rates.leaving[IN] == pytest.approx([15 / 150, 3 / 15])
    assert rates.promotion[REST] == pytest.approx([45 / 1500, 0.0])
    assert rates.recruit_mix[:, 0] == pytest.approx([30 / 145, 110 / 145, 5 / 145])
    assert rates.entry == pytest.approx([1.0, 0.0])


def test_monthly_periods_are_compounded_to_annual_rates():
    counts = _counts()
    monthly = Counts(**{**counts.__dict__, "periods_per_year": 12})
    rates = monthly.point_rates()
    assert rates.leaving[IN, 0] == pytest.approx(1 - (1 - 15 / 150) ** 12)
    stay = 1 - (1 - 15 / 150) ** 12
    assert rates.promotion[IN, 0] == pytest.approx((1 - stay) * (1 - (1 - 3 / 135) ** 12))


def test_a_group_with_nobody_at_a_rank_borrows_the_rank_rate():
    counts = _counts()
    in_post = counts.in_post.copy()
    in_post[IN, 1] = 0
    leavers = counts.leavers.copy()
    leavers[IN, 1] = 0
    rates = Counts(**{**counts.__dict__, "in_post": in_post, "leavers": leavers}).point_rates()
    assert rates.leaving[IN, 1] == pytest.approx((0 + 24 + 1) / (0 + 240 + 12))


def test_a_rank_nobody_held_leaves_like_its_worker_type_and_promotes_nobody():
    counts = _counts()
    empty = {name: getattr(counts, name).copy() for name in ("in_post", "leavers", "promoted")}
    for array in empty.values():
        array[:, 1] = 0
    rates = Counts(**{**counts.__dict__, **empty}).point_rates()
    constables = counts.in_post[:, 0].sum()
    assert rates.leaving[:, 1] == pytest.approx([108 / constables] * 3)
    assert (rates.promotion[:, 1] == 0).all()


@pytest.mark.parametrize(
    ("positions", "target", "years"),
    [([0, 1], 0.14, 5.0), ([0, 1], 0.12, 2.5), ([0], 0.2, 10.0)],
)
def test_the_solved_recruit_share_reaches_the_target_when_fed_back(positions, target, years):
    counts = _counts()
    rates = counts.point_rates()
    positions = np.array(positions)
    solution = flows.solve_recruit_share(
        counts.stock, rates, TWO_RANKS, positions, target, years, [0]
    )
    assert solution.reachable and not solution.already_met
    fed_back = rates.with_recruit_share(solution.value, [0])
    path = flows.project(counts.stock, fed_back, TWO_RANKS, int(np.ceil(years)))
    share = flows.share_at(flows.group_share(path, positions), years)
    assert share == pytest.approx(target, abs=1e-6)
    # the not-stated share of recruits is kept; the group's share of stated recruits is set
    stated = fed_back.recruit_mix[IN, 0] + fed_back.recruit_mix[REST, 0]
    assert fed_back.recruit_mix[NS, 0] == pytest.approx(rates.recruit_mix[NS, 0])
    assert fed_back.recruit_mix[IN, 0] / stated == pytest.approx(solution.value)


def test_a_target_out_of_reach_of_recruitment_says_so():
    counts = _counts()
    solution = flows.solve_recruit_share(
        counts.stock, counts.point_rates(), TWO_RANKS, np.array([0, 1]), 0.9, 1.0, [0]
    )
    assert solution.value is None and not solution.reachable


def test_a_target_already_met_needs_no_change():
    counts = _counts()
    solution = flows.solve_recruit_share(
        counts.stock, counts.point_rates(), TWO_RANKS, np.array([0, 1]), 0.05, 3.0, [0]
    )
    assert solution.already_met and solution.value == 0.0


def test_the_solved_promotion_factor_reaches_the_target_when_fed_back():
    counts = _counts()
    rates = counts.point_rates()
    sergeants, below = np.array([1]), np.array([0])
    solution = flows.solve_promotion_factor(
        counts.stock, rates, TWO_RANKS, sergeants, 0.12, 4.0, below
    )
    assert solution.reachable and solution.value > 1
    fed_back = rates.with_promotion_factor(solution.value, below)
    path = flows.project(counts.stock, fed_back, TWO_RANKS, 4)
    assert flows.group_share(path, sergeants)[4] == pytest.approx(0.12, abs=1e-6)
    assert fed_back.promotion[IN, 0] == pytest.approx(rates.promotion[IN, 0] * solution.value)


def test_the_solved_recruit_share_for_joiners_gives_that_many_when_fed_back():
    counts = _counts()
    rates = counts.point_rates()
    solution = flows.solve_recruit_share_for_joiners(
        counts.stock, rates, TWO_RANKS, np.array([0, 1]), 80.0, 3.5, [0]
    )
    fed_back = rates.with_recruit_share(solution.value, [0])
    path = flows.project(counts.stock, fed_back, TWO_RANKS, 4)
    recruits = flows.recruits_path(path, fed_back, TWO_RANKS)
    assert flows.joiners_by(recruits, np.array([0, 1]), 3.5) == pytest.approx(80.0, abs=1e-4)


def test_joiners_by_counts_a_later_period_only():
    """Recruits of 10, 20, 30, 40 in years 1-4 (cumulative 10, 30, 60, 100): from year 1
    to 3, 20 + 30; from year 0.5 for two years, 45 - 5 (half of years 1 and 3)."""
    recruits = np.zeros((5, 3, 1))
    recruits[1:, IN, 0] = [10, 20, 30, 40]
    recruits[1:, REST, 0] = 99  # not the group's
    positions = np.array([0])
    assert flows.joiners_by(recruits, positions, 2.0, start=1.0) == pytest.approx(50.0)
    assert flows.joiners_by(recruits, positions, 2.0, start=0.5) == pytest.approx(40.0)
    assert flows.joiners_by(recruits, positions, 4.0) == pytest.approx(100.0)


def test_the_solved_recruit_share_for_a_later_period_gives_that_many_in_it():
    """40 joiners in the two years from 1.5 years on need a larger recruits' share than 40
    in the 3.5 years from now (the first 1.5 years' recruits do not count)."""
    counts = _counts()
    rates = counts.point_rates()
    both = np.array([0, 1])
    later = flows.solve_recruit_share_for_joiners(
        counts.stock, rates, TWO_RANKS, both, 40.0, 2.0, [0], start=1.5
    )
    now = flows.solve_recruit_share_for_joiners(
        counts.stock, rates, TWO_RANKS, both, 40.0, 3.5, [0]
    )
    assert later.reachable and now.reachable and later.value > now.value
    fed_back = rates.with_recruit_share(later.value, [0])
    path = flows.project(counts.stock, fed_back, TWO_RANKS, 4)
    recruits = flows.recruits_path(path, fed_back, TWO_RANKS)
    assert flows.joiners_by(recruits, both, 2.0, start=1.5) == pytest.approx(40.0, abs=1e-4)


def test_the_long_run_share_of_one_rank_is_the_recruits_share_when_everyone_leaves_alike():
    counts = Counts(
        ladder=ONE_RANK,
        stock=np.array([[10.0], [90.0], [0.0]]),
        in_post=np.array([[100.0], [900.0], [0.0]]),
        leavers=np.array([[10.0], [90.0], [0.0]]),
        promoted=np.zeros((3, 1)),
        joiners=np.array([[30.0], [70.0], [0.0]]),
    )
    rates = counts.point_rates()
    assert flows.long_run_share(counts.stock, rates, ONE_RANK, np.array([0])) == pytest.approx(
        0.3, abs=1e-6
    )


def test_simulated_futures_centre_on_the_deterministic_path():
    """Fixed rates (no parameter draws): the mean of many simulated futures is the
    deterministic path within sampling error, and each future keeps the workforce's size."""
    counts = _counts()
    rates = counts.point_rates()
    draws = 4000
    fixed = Rates(
        np.broadcast_to(rates.leaving, (draws, *rates.leaving.shape)),
        np.broadcast_to(rates.promotion, (draws, *rates.promotion.shape)),
        np.broadcast_to(rates.recruit_mix, (draws, *rates.recruit_mix.shape)),
        rates.entry,
    )
    futures = flows.simulate(counts, 5, draws, np.random.default_rng(7), fixed)
    path = flows.project(counts.stock, rates, TWO_RANKS, 5)
    assert (futures.sum(axis=(2, 3)) == counts.stock.sum()).all()
    mean = futures.mean(axis=0)
    spread = futures.std(axis=0) / np.sqrt(draws)
    assert np.all(np.abs(mean - path) <= 5 * spread + 1e-9)


def test_drawn_rates_follow_the_jeffreys_posterior():
    """Beta(x + 1/2, n - x + 1/2) has mean (x + 1/2) / (n + 1)."""
    counts = _counts()
    drawn = counts.drawn_rates(np.random.default_rng(3), 20000)
    assert drawn.leaving[:, IN, 1].mean() == pytest.approx(3.5 / 16, abs=0.004)
    assert drawn.recruit_mix[:, IN, 0].mean() == pytest.approx(30.5 / 146.5, abs=0.002)
