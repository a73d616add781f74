"""What it would take in promotion, on tiny hand-worked ladders (hostile 8, finding 4).

A rank nobody holds once got "1000 times their recent level": the group's share there does
not exist (NaN), bisection on NaN walked up to the solver's bound and the bound was
published as the factor. Now the factor is null with a reason code (and no factor from the
solver's bound is ever published); a reachable factor fed back into the model meets the
target.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest

from pipeline import flows

MART = Path(__file__).parents[2] / "sql" / "marts" / "target_requirements.py"
_spec = importlib.util.spec_from_file_location("target_requirements_under_test", MART)
requirements_mart = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(requirements_mart)

LADDER = flows.Ladder(("police_officer",) * 3, ("Constable", "Sergeant", "Inspector"))
TARGET = {
    "target_code": "t", "target_name": "t", "target_sort_order": 1, "group_code": "g",
    "group_label": "G", "worker_type": "police_officer", "rank_or_band": "Inspector",
    "target_share": 0.2, "target_date": "2027-03-31",
}  # fmt: skip


def counts(stock, promoted, in_post=None) -> flows.Counts:
    """Nobody leaves and nobody joins: promotion is the only flow (by hand: each year the
    group's Sergeants gain stock x rate from Constable)."""
    stock = np.array(stock, dtype=float)
    return flows.Counts(
        ladder=LADDER,
        stock=stock,
        in_post=stock if in_post is None else np.array(in_post, dtype=float),
        leavers=np.zeros_like(stock),
        promoted=np.array(promoted, dtype=float),
        joiners=np.zeros_like(stock),
    )


def solve(c: flows.Counts, target=TARGET, years: float = 1.0):
    positions = LADDER.positions("police_officer", target["rank_or_band"])
    below = np.arange(positions.min())
    return requirements_mart.why_not(target, c, c.point_rates(), positions, below, years)


def test_a_rank_nobody_holds_has_no_factor_and_says_so():
    #            Constable  Sergeant  Inspector
    vacant = counts(
        [[10, 5, 0], [10, 5, 0], [0, 0, 0]],
        promoted=[[1, 0, 0], [1, 0, 0], [0, 0, 0]],
    )
    solution, reason = solve(vacant)
    assert (solution.value, reason) == (None, "rank_vacant")
    rows = requirements_mart.requirements(TARGET, vacant, "2026-03-31")
    assert [r["rank_or_band"] for r in rows] == ["Constable", "Sergeant"]
    assert all(r["promotion_rate_factor"] is None for r in rows)
    assert all(r["needed_promotion_rate"] is None for r in rows)
    assert all(r["factor_reason_code"] == "rank_vacant" for r in rows)
    assert "Nobody who stated an ethnicity holds Inspector" in rows[0]["note"]


def test_the_solver_never_returns_its_bound_for_a_share_that_does_not_exist():
    """Before: bisection on NaN returned the limit, 1000, as a reachable factor."""
    vacant = counts([[10, 5, 0], [10, 5, 0], [0, 0, 0]], [[1, 0, 0], [1, 0, 0], [0, 0, 0]])
    rates = vacant.point_rates()
    solution = flows.solve_promotion_factor(
        vacant.stock, rates, LADDER, np.array([2]), 0.2, 1.0, np.array([0, 1])
    )
    assert solution.value is None and not solution.reachable


def test_a_rank_nobody_was_promoted_into_has_no_factor():
    # Inspectors are all outside the group; nobody was promoted from Sergeant in the window
    stock = [[10, 5, 0], [10, 5, 4], [0, 0, 0]]
    nobody = counts(stock, promoted=[[1, 0, 0], [1, 0, 0], [0, 0, 0]])
    assert solve(nobody) == (flows.Solution(None, False), "no_promotions_into_rank")
    # others were promoted from Sergeant, the group's members were not
    others_only = counts(stock, promoted=[[1, 0, 0], [1, 2, 0], [0, 0, 0]])
    assert solve(others_only) == (flows.Solution(None, False), "no_group_promotions_into_rank")
    rows = requirements_mart.requirements(TARGET, others_only, "2026-03-31")
    assert {r["factor_reason_code"] for r in rows} == {"no_group_promotions_into_rank"}
    assert all(r["promotion_rate_factor"] is None for r in rows)


def test_a_reachable_factor_is_the_hand_worked_one_and_meets_the_target_fed_back():
    # Sergeants: group 10 (1 promoted in the window: rate 0.1), rest 10 (1 promoted);
    # Inspectors: rest 11. In a year, with factor f: group f, rest 11 + 1 = 12 at Inspector
    # -> f / (f + 12) = 0.2 -> f = 3.
    c = counts(
        [[0, 10, 0], [0, 10, 11], [0, 0, 0]],
        promoted=[[0, 1, 0], [0, 1, 0], [0, 0, 0]],
        in_post=[[1, 10, 1], [1, 10, 11], [0, 0, 0]],
    )
    solution, reason = solve(c)
    assert reason == "solved"
    assert solution.value == pytest.approx(3.0, abs=1e-6)
    rates = c.point_rates().with_promotion_factor(solution.value, np.array([0, 1]))
    path = flows.project(c.stock, rates, LADDER, 1)
    share = flows.share_at(flows.group_share(path, np.array([2])), 1.0)
    assert share == pytest.approx(0.2, abs=1e-6)


def test_an_unreachable_target_and_the_solvers_bound_are_not_reachable():
    c = counts(
        [[0, 10, 0], [0, 10, 11], [0, 0, 0]],
        promoted=[[0, 1, 0], [0, 1, 0], [0, 0, 0]],
        in_post=[[1, 10, 1], [1, 10, 11], [0, 0, 0]],
    )
    # at most everyone of the group promoted: 10 / (10 + 12) < 0.9
    assert solve(c, {**TARGET, "target_share": 0.9}) == (
        flows.Solution(None, False),
        "not_reachable",
    )
    rates, positions, below = c.point_rates(), np.array([2]), np.array([0, 1])
    # a bound the answer (3) sits on is the bound, not a factor
    at_bound = flows.solve_promotion_factor(c.stock, rates, LADDER, positions, 0.2, 1.0, below,
                                            limit=3.0 + 1e-7)  # fmt: skip
    assert at_bound.value is None and not at_bound.reachable
    assert flows.solve_promotion_factor(
        c.stock, rates, LADDER, positions, 0.2, 1.0, below, limit=3.5
    ).value == pytest.approx(3.0, abs=1e-6)
