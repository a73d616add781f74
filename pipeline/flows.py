"""The workforce stock-and-flow model: a Markov ("push") manpower model by rank and group.

State: the number of people of each *membership* (``in_group``: members of the projected
ethnic grouping; ``rest_stated``: everyone else who stated an ethnicity; ``not_stated``) at
each *position* (a worker type's rank or band, lowest first). One step is one year::

    leavers[m, k]  = stock[m, k] * leaving[m, k]
    promoted[m, k] = stock[m, k] * promotion[m, k]       (to position k + 1, same worker type)
    recruits[w]    = sum of leavers[m, k] over the positions k of worker type w
    stock'[m, k]   = stock[m, k] - leavers[m, k] - promoted[m, k] + promoted[m, k - 1]
                     + recruits[w(k)] * recruit_mix[m, w(k)] * entry[k]

so each worker type keeps its size (every leaver is replaced: the establishment is
assumed to stay as it is), recruits join with the observed mix and at the observed entry
ranks, and leaving and promotion follow each group's observed rate at each rank. This is
the "push" (Markov) model of D. J. Bartholomew, A. F. Forbes and S. I. McClean, *Statistical
Techniques for Manpower Planning* (2nd ed., Wiley 1991), ch. 3, with recruitment set to
replace wastage.

Uncertainty (:func:`simulate`): each simulated future draws its rates from their posterior
given the observed counts (Jeffreys prior: ``Beta(x + 1/2, n - x + 1/2)`` for a rate of
``x`` events among ``n`` people in post, Brown, Cai and DasGupta, *Statistical Science* 16,
2001; ``Dirichlet(counts + 1/2)`` for the recruits' mix), then moves whole people year by
year (binomial leavers and promotions, multinomial recruits). The band is the central
``band`` share of those futures: it covers both what the rates might really be and the
chance in who leaves, is promoted or joins. A group with nobody at a rank borrows the
rank's rate for everyone; a worker type with no recruits in the window recruits in the
mix of its current workforce at its lowest rank, and one none of whose recruits stated an
ethnicity recruits nobody who states (the prior alone would invent a share of 50%). A scope
in which nobody stated an ethnicity at the latest snapshot has no share to project
(:func:`stated_now`).

A membership none of whose members joined a worker type in the window is given none of its
recruits in any future (the recruits' mix is a Dirichlet over the memberships that did
join): the prior's half joiner would otherwise create members of a group nobody in the data
belongs to (a band with none of the group, none of whom joined it, rose from 0% to about
1.6% by year 20). Promotion rates keep their Jeffreys draws, a rate of none promoted
included: it moves only people already there (nobody, where the group has nobody), and none
of a handful promoted is weak evidence of a rate of nothing, which the band must show (held
at zero, one Sergeant not promoted turned a settling share of 26% into 0%, and a rank
nobody was promoted into emptied, its share then the ratio of rounding leftovers).
(docs/methodology.md, section 24.)

Shares are of those who stated an ethnicity: ``in_group / (in_group + rest_stated)``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

MEMBERSHIPS = ("in_group", "rest_stated", "not_stated")
IN, REST, NS = range(3)


@dataclass(frozen=True)
class Ladder:
    """The positions: each a (worker type, rank or band), each worker type's lowest first."""

    worker_types: tuple[str, ...]
    ranks: tuple[str, ...]

    def __post_init__(self) -> None:
        if len(self.worker_types) != len(self.ranks):
            raise ValueError("one worker type per position")

    @property
    def size(self) -> int:
        return len(self.ranks)

    @property
    def types(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(self.worker_types))

    @property
    def type_index(self) -> np.ndarray:
        """For each position, the index of its worker type in :attr:`types`."""
        order = {w: i for i, w in enumerate(self.types)}
        return np.array([order[w] for w in self.worker_types], dtype=np.int64)

    @property
    def is_top(self) -> np.ndarray:
        """The highest position of each worker type (no promotion out of it)."""
        nxt = np.array([*self.worker_types[1:], None], dtype=object)
        return np.array(self.worker_types, dtype=object) != nxt

    def positions(self, worker_type: str | None = None, rank: str | None = None) -> np.ndarray:
        """The positions of a scope: everything, a worker type, or one rank of it."""
        keep = np.ones(self.size, dtype=bool)
        if worker_type is not None:
            keep &= np.array(self.worker_types, dtype=object) == worker_type
        if rank is not None:
            keep &= np.array(self.ranks, dtype=object) == rank
        return np.flatnonzero(keep)


@dataclass(frozen=True)
class Rates:
    """Annual rates: ``leaving`` and ``promotion`` (memberships x positions; promotion is the
    share of those in post at the start who are one rank up a year later), ``recruit_mix``
    (memberships x worker types, each column summing to 1) and ``entry`` (positions: the
    share of a worker type's recruits joining at each, summing to 1 within the type)."""

    leaving: np.ndarray
    promotion: np.ndarray
    recruit_mix: np.ndarray
    entry: np.ndarray

    def with_recruit_share(self, share: float, worker_types: Sequence[int]) -> Rates:
        """The same rates with the group's share of *stated* recruits set to ``share`` in
        the given worker types (the not-stated share of recruits unchanged)."""
        mix = self.recruit_mix.copy()
        for w in worker_types:
            stated = 1 - mix[NS, w]
            mix[IN, w], mix[REST, w] = stated * share, stated * (1 - share)
        return replace(self, recruit_mix=mix)

    def with_promotion_factor(self, factor: float, positions: Sequence[int]) -> Rates:
        """The group's promotion rate at ``positions`` multiplied by ``factor``, never above
        what is left after leaving (everyone who stays is promoted)."""
        promotion = self.promotion.copy()
        cap = 1 - self.leaving[IN, positions]
        promotion[IN, positions] = np.minimum(cap, promotion[IN, positions] * factor)
        return replace(self, promotion=promotion)


def step(stock: np.ndarray, rates: Rates, ladder: Ladder) -> np.ndarray:
    """One year of the deterministic model; ``stock`` is (..., memberships, positions), and
    ``rates`` may carry the same leading axes (one set of rates per simulated future)."""
    leavers = stock * rates.leaving
    promoted = stock * rates.promotion
    out = stock - leavers - promoted
    out[..., 1:] += promoted[..., :-1]  # a top position promotes nobody, so nothing crosses
    types = ladder.type_index
    recruits = np.zeros((*stock.shape[:-2], len(ladder.types)))
    for w in range(len(ladder.types)):
        recruits[..., w] = leavers[..., types == w].sum(axis=(-2, -1))
    out += recruits[..., None, types] * rates.recruit_mix[..., types] * rates.entry
    return out


def project(stock: np.ndarray, rates: Rates, ladder: Ladder, years: int) -> np.ndarray:
    """The deterministic path: (years + 1, memberships, positions), year 0 the stock given."""
    path = [np.asarray(stock, dtype=float)]
    for _ in range(years):
        path.append(step(path[-1], rates, ladder))
    return np.stack(path)


def recruits_path(path: np.ndarray, rates: Rates, ladder: Ladder) -> np.ndarray:
    """Recruits by membership and position in the year *ending* at each year of ``path``
    (year 0: zeros): (years + 1, memberships, positions)."""
    out = np.zeros_like(path)
    types = ladder.type_index
    for t in range(1, len(path)):
        leavers = path[t - 1] * rates.leaving
        recruits = np.array([leavers[:, types == w].sum() for w in range(len(ladder.types))])
        out[t] = recruits[types] * rates.recruit_mix[:, types] * rates.entry
    return out


def group_share(stock: np.ndarray, positions: np.ndarray) -> np.ndarray:
    """The group's share of those who stated, over ``positions``, for every leading index
    of ``stock`` (..., memberships, positions); NaN where nobody stated."""
    group = stock[..., IN, :][..., positions].sum(axis=-1)
    stated = group + stock[..., REST, :][..., positions].sum(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(stated > 0, group / np.where(stated > 0, stated, 1), np.nan)


def stated_now(stock: np.ndarray, positions: np.ndarray) -> bool:
    """Whether anyone at ``positions`` in ``stock`` (memberships, positions) stated an
    ethnicity. A scope where nobody did has no share to project from: the flow model gives
    it none (no projection, no band, no recruits' share or promotion rate needed), rather
    than a share its futures would draw from the prior or from people who arrive later."""
    return bool(stock[IN, positions].sum() + stock[REST, positions].sum() > 0)


NOBODY_STATED = (
    "Not projected: nobody in this scope has a stated ethnicity, so it has no share to project."
)
"""The note of a scope :func:`stated_now` rules out, wherever the flow model is not run."""


def share_at(path_shares: np.ndarray, years: float) -> float:
    """A yearly series read at a fractional year (straight line between the years)."""
    years = min(max(years, 0.0), len(path_shares) - 1)
    low = int(np.floor(years))
    high = min(low + 1, len(path_shares) - 1)
    return float(path_shares[low] + (path_shares[high] - path_shares[low]) * (years - low))


def settle(stock: np.ndarray, rates: Rates, ladder: Ladder, years: int = 3000) -> np.ndarray:
    """Where the model settles if the rates held for ever (its fixed point): stepped until
    no cell moves by more than 1e-9 of the workforce in a year, at most ``years``. With
    drawn rates (a leading ``draws`` axis, :meth:`Counts.drawn_rates`) every future settles
    under its own rates: (draws, memberships, positions)."""
    current = np.broadcast_to(
        np.asarray(stock, dtype=float), (*rates.leaving.shape[:-2], *np.shape(stock))
    ).copy()
    total = max(float(np.sum(stock)), 1.0)
    for _ in range(years):
        following = step(current, rates, ladder)
        if np.abs(following - current).max() < 1e-9 * total:
            return following
        current = following
    return current


RESIDUE = 1e-9
"""A stock at rest below this fraction of its worker type's headcount is the solve's rounding,
not people (:func:`stationary`)."""


def stationary(stock: np.ndarray, rates: Rates, ladder: Ladder) -> np.ndarray:
    """The same fixed point as :func:`settle`, solved rather than stepped: the model is
    linear (recruits replace leavers), so each worker type's stock at rest solves
    ``x = A x`` with the type's headcount kept, ``A`` being :func:`step` as a matrix over
    the type's (membership, position) cells. ``rates`` may carry a leading ``draws`` axis
    (each simulated future's own rates): (draws, memberships, positions) then. A type whose
    rest is not unique (a position nobody leaves or is promoted out of) is stepped instead."""
    lead = rates.leaving.shape[:-2]
    m = len(MEMBERSHIPS)
    stock = np.asarray(stock, dtype=float)
    out = np.zeros((*lead, m, ladder.size))
    stepped = None
    for w in range(len(ladder.types)):
        cols = np.flatnonzero(ladder.type_index == w)
        kw, n = cols.size, m * cols.size
        leave = rates.leaving[..., cols]
        promote = rates.promotion[..., cols]
        matrix = np.zeros((*lead, n, n))
        cells = np.arange(n)
        matrix[..., cells, cells] = (1 - leave - promote).reshape(*lead, n)
        below = np.array([i * kw + j for i in range(m) for j in range(kw - 1)], dtype=np.int64)
        matrix[..., below + 1, below] = promote[..., :-1].reshape(*lead, -1)
        arrive = rates.recruit_mix[..., :, w, None] * rates.entry[cols]  # (..., m, kw)
        matrix += arrive.reshape(*lead, n, 1) * leave.reshape(*lead, 1, n)
        system = matrix - np.eye(n)
        system[..., -1, :] = 1.0  # the last balance equation follows from the others
        rhs = np.zeros((*lead, n, 1))
        headcount = stock[:, cols].sum()
        rhs[..., -1, 0] = headcount
        try:
            solved = np.linalg.solve(system, rhs)[..., 0].reshape(*lead, m, kw)
        except np.linalg.LinAlgError:
            stepped = settle(stock, rates, ladder) if stepped is None else stepped
            solved = stepped[..., cols]
        # What the solve leaves where nobody is at rest (1e-14 people, either sign) is zero:
        # kept, it made a share of 100% of nobody (group_share of leftovers).
        kept = (solved > RESIDUE * headcount) | np.isnan(solved)  # NaN: bad rates, not hidden
        out[..., cols] = np.where(kept, solved, 0.0)
    return out


def long_run_share(stock: np.ndarray, rates: Rates, ladder: Ladder, positions) -> float:
    """The group's share over ``positions`` where the model settles (:func:`settle`)."""
    return float(group_share(settle(stock, rates, ladder), positions))


# --------------------------------------------------------------------------- from counts


@dataclass(frozen=True)
class Counts:
    """The observed counts the rates come from (memberships x positions), over the window:
    ``in_post`` at the start of each period, ``leavers`` and ``promoted`` among them,
    ``joiners``; ``stock`` is the headcount at the latest snapshot. ``periods_per_year``
    makes per-period rates annual (1 for annual snapshots, 12 for monthly, 0.5 for
    snapshots two years apart)."""

    ladder: Ladder
    stock: np.ndarray
    in_post: np.ndarray
    leavers: np.ndarray
    promoted: np.ndarray
    joiners: np.ndarray
    periods_per_year: float = 1.0

    def _borrowed(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(in_post, leavers, promoted) with each empty cell given its rank's totals, and a
        rank nobody held in the window its worker type's leaving and no promotion (someone
        promoted into it in a simulated future leaves like the rest of the worker type)."""
        empty = self.in_post <= 0
        out = []
        for counts in (self.in_post, self.leavers, self.promoted):
            counts = counts.astype(float)
            out.append(np.where(empty, counts.sum(axis=0, keepdims=True), counts))
        in_post, leavers, promoted = out
        types = self.ladder.type_index
        for k in np.flatnonzero(self.in_post.sum(axis=0) <= 0):
            same = types == types[k]
            in_post[:, k] = self.in_post[:, same].sum()
            leavers[:, k] = self.leavers[:, same].sum()
            promoted[:, k] = 0.0
        return in_post, leavers, promoted

    def _entry_and_mix(self, joiners: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        ladder = self.ladder
        types = ladder.type_index
        entry = np.zeros(ladder.size)
        mix = np.zeros((len(MEMBERSHIPS), len(ladder.types)))
        for w in range(len(ladder.types)):
            cols = np.flatnonzero(types == w)
            joined = joiners[:, cols]
            if joined.sum() > 0:
                entry[cols] = joined.sum(axis=0) / joined.sum()
                mix[:, w] = joined.sum(axis=1) / joined.sum()
            else:  # nobody joined in the window: the lowest rank, in the current mix
                entry[cols[0]] = 1.0
                current = self.stock[:, cols].sum(axis=1)
                mix[:, w] = current / current.sum() if current.sum() else [0.0, 0.0, 1.0]
        return entry, mix

    def _annual(self, per_period: np.ndarray) -> np.ndarray:
        return 1 - (1 - per_period) ** self.periods_per_year

    def point_rates(self) -> Rates:
        """The observed rates: events / people in post, pooled over the window."""
        in_post, leavers, promoted = self._borrowed()
        with np.errstate(invalid="ignore", divide="ignore"):
            leave = np.where(in_post > 0, leavers / np.where(in_post > 0, in_post, 1), 0.0)
            stay = in_post - leavers
            onward = np.where(stay > 0, promoted / np.where(stay > 0, stay, 1), 0.0)
        onward[:, self.ladder.is_top] = 0.0
        entry, mix = self._entry_and_mix(self.joiners.astype(float))
        leaving = self._annual(leave)
        promotion = (1 - leaving) * self._annual(onward)
        return Rates(leaving, promotion, mix, entry)

    def drawn_rates(self, rng: np.random.Generator, draws: int) -> Rates:
        """``draws`` sets of rates from their posteriors (Jeffreys Beta, Dirichlet), with a
        leading axis of length ``draws``. A worker type none of whose joiners stated an
        ethnicity recruits as observed (none who state): its Dirichlet would give stated
        recruits from the prior alone, half of them in the group (hostile 8, finding 2).
        Likewise a membership none of whose members joined a worker type gets none of its
        recruits (the draw is ``Dirichlet(joiners + 1/2)`` over the memberships that joined:
        drawn over all three, as before, and renormalised without the others, which is the
        same distribution and leaves the random numbers of every other rate as they were):
        the prior alone creates nobody (module docstring)."""
        in_post, leavers, promoted = self._borrowed()
        shape = (draws, *in_post.shape)
        has = in_post > 0
        leave = rng.beta(leavers + 0.5, np.maximum(in_post - leavers, 0) + 0.5, size=shape)
        stay = np.maximum(in_post - leavers, 0)
        onward = rng.beta(promoted + 0.5, np.maximum(stay - promoted, 0) + 0.5, size=shape)
        leave = np.where(has, leave, 0.0)
        onward = np.where(has & (stay > 0), onward, 0.0)
        onward[..., self.ladder.is_top] = 0.0
        entry, point_mix = self._entry_and_mix(self.joiners.astype(float))
        types = self.ladder.type_index
        mix = np.empty((draws, *point_mix.shape))
        for w in range(len(self.ladder.types)):
            joined = self.joiners[:, types == w].sum(axis=1)
            if joined[IN] + joined[REST] > 0:
                drawn = rng.dirichlet(joined + 0.5, size=draws)
                unseen = joined <= 0
                if unseen.any():  # nobody of it joined: none is recruited (its prior would)
                    drawn[:, unseen] = 0.0
                    drawn /= drawn.sum(axis=1, keepdims=True)  # Dirichlet(seen + 1/2)
                mix[:, :, w] = drawn
            else:  # nobody who joined stated: the prior alone would be a share of 50%
                mix[:, :, w] = point_mix[:, w]
        leaving = self._annual(leave)
        promotion = (1 - leaving) * self._annual(onward)
        return Rates(leaving, promotion, mix, entry)


def simulate(
    counts: Counts, years: int, draws: int, rng: np.random.Generator, rates: Rates | None = None
) -> np.ndarray:
    """Simulated futures of whole people: (draws, years + 1, memberships, positions)
    (:func:`simulate_with_recruits` without the recruits)."""
    return simulate_with_recruits(counts, years, draws, rng, rates)[0]


def simulate_with_recruits(
    counts: Counts, years: int, draws: int, rng: np.random.Generator, rates: Rates | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Simulated futures of whole people and their recruits, both (draws, years + 1,
    memberships, positions): the stock on each date, and the recruits in the year up to it
    (year 0: zeros).

    Each future has its own rates (``rates`` if given, with a leading ``draws`` axis, else
    drawn by :meth:`Counts.drawn_rates`); each year its leavers and promotions are binomial
    and its recruits (as many as its leavers, per worker type) multinomial over membership
    and entry rank."""
    rates = rates or counts.drawn_rates(rng, draws)
    ladder = counts.ladder
    types = ladder.type_index
    stock = np.broadcast_to(counts.stock.astype(np.int64), (draws, *counts.stock.shape)).copy()
    with np.errstate(invalid="ignore", divide="ignore"):
        onward = np.where(rates.leaving < 1, rates.promotion / (1 - rates.leaving), 0.0)
    onward = np.clip(onward, 0.0, 1.0)
    entry_positions = [
        np.flatnonzero((types == w) & (rates.entry > 0)) for w in range(len(ladder.types))
    ]
    path, joined = [stock], [np.zeros_like(stock)]
    for _ in range(years):
        leavers = rng.binomial(stock, rates.leaving)
        promoted = rng.binomial(stock - leavers, onward)
        new = stock - leavers - promoted
        new[..., 1:] += promoted[..., :-1]
        recruited = np.zeros_like(stock)
        for w in range(len(ladder.types)):
            recruits = leavers[..., types == w].sum(axis=(-2, -1))
            cols = entry_positions[w]
            pvals = rates.recruit_mix[:, :, w, None] * rates.entry[cols]  # (draws, M, K_w)
            pvals = pvals.reshape(draws, -1)
            pvals = pvals / pvals.sum(axis=1, keepdims=True)
            allocated = rng.multinomial(recruits, pvals).reshape(draws, len(MEMBERSHIPS), -1)
            recruited[..., cols] += allocated
        stock = new + recruited
        path.append(stock)
        joined.append(recruited)
    return np.stack(path, axis=1), np.stack(joined, axis=1)


# --------------------------------------------------------------------------- what it would take


def _solve(function, low: float, high: float, tolerance: float = 1e-7) -> float:
    """Bisection for an increasing ``function`` with function(low) < 0 <= function(high)."""
    for _ in range(200):
        middle = (low + high) / 2
        if function(middle) >= 0:
            high = middle
        else:
            low = middle
        if high - low < tolerance:
            break
    return high


@dataclass(frozen=True)
class Solution:
    """What a lever must be set to for the target to be met on the date, or why not:
    ``value`` is None when even the lever's limit falls short (``reachable`` False), or
    when nobody in the target's scope stated an ethnicity (``stated`` False,
    :func:`stated_now`: there is no share to move, and nothing is solved)."""

    value: float | None
    reachable: bool
    already_met: bool = False
    stated: bool = True


NO_SHARE = Solution(None, False, stated=False)


def solve_recruit_share(
    stock: np.ndarray,
    rates: Rates,
    ladder: Ladder,
    positions: np.ndarray,
    target_share: float,
    years: float,
    worker_types: Sequence[int],
) -> Solution:
    """The group's share of stated recruits (in ``worker_types``, from now on) that brings
    the group's share over ``positions`` to ``target_share`` ``years`` from now."""
    if not stated_now(stock, positions):
        return NO_SHARE
    horizon = int(np.ceil(years))

    def gap(share: float) -> float:
        changed = rates.with_recruit_share(share, worker_types)
        path = project(stock, changed, ladder, horizon)
        return share_at(group_share(path, positions), years) - target_share

    if gap(0.0) >= 0:
        return Solution(0.0, True, already_met=True)
    if gap(1.0) < 0:
        return Solution(None, False)
    return Solution(_solve(gap, 0.0, 1.0), True)


def joiners_by(
    recruits: np.ndarray, positions: np.ndarray, years: float, start: float = 0.0
) -> float:
    """The group's recruits at ``positions`` from ``start`` years from now until ``years``
    after that (a partial year pro rata), from :func:`recruits_path`: a period that begins
    later (a joiners target whose ``from_date`` is after the latest snapshot) counts only
    its own years."""
    per_year = recruits[:, IN, :][:, positions].sum(axis=1)
    cumulative = np.cumsum(per_year)
    return share_at(cumulative, start + years) - share_at(cumulative, start)


def solve_recruit_share_for_joiners(
    stock: np.ndarray,
    rates: Rates,
    ladder: Ladder,
    positions: np.ndarray,
    joiners_needed: float,
    years: float,
    worker_types: Sequence[int],
    start: float = 0.0,
) -> Solution:
    """The group's share of stated recruits (from now on) for ``joiners_needed`` more of
    the group's recruits at ``positions`` within the ``years`` that begin ``start`` years
    from now (:func:`joiners_by`)."""
    horizon = int(np.ceil(start + years))

    def gap(share: float) -> float:
        changed = rates.with_recruit_share(share, worker_types)
        path = project(stock, changed, ladder, horizon)
        recruits = recruits_path(path, changed, ladder)
        return joiners_by(recruits, positions, years, start) - joiners_needed

    if joiners_needed <= 0:
        return Solution(0.0, True, already_met=True)
    if gap(1.0) < 0:
        return Solution(None, False)
    return Solution(_solve(gap, 0.0, 1.0), True)


def solve_promotion_factor(
    stock: np.ndarray,
    rates: Rates,
    ladder: Ladder,
    positions: np.ndarray,
    target_share: float,
    years: float,
    below: np.ndarray,
    limit: float = 1000.0,
) -> Solution:
    """The factor on the group's promotion rates at the positions ``below`` the target's
    (everything else as observed) that brings its share over ``positions`` to
    ``target_share`` ``years`` from now."""
    if not stated_now(stock, positions):
        return NO_SHARE
    horizon = int(np.ceil(years))

    def gap(factor: float) -> float:
        changed = rates.with_promotion_factor(factor, below)
        path = project(stock, changed, ladder, horizon)
        return share_at(group_share(path, positions), years) - target_share

    now, most = gap(1.0), gap(limit)
    if np.isnan(now) or np.isnan(most):
        # nobody who stated at the target's positions on the date, whatever the factor: no
        # share to raise (bisecting on NaN walked up to the limit, published as a factor)
        return Solution(None, False)
    if now >= 0:
        return Solution(1.0, True, already_met=True)
    if most < 0:
        return Solution(None, False)
    value = _solve(gap, 1.0, limit)
    if value >= limit * (1 - 1e-6):  # the solver's bound, not a finding
        return Solution(None, False)
    return Solution(value, True)


# --------------------------------------------------------------------------- from the database


def load_counts(con, group_code: str) -> Counts | None:
    """The counts of ``marts.projection_rates`` for one projected group, over the worker
    types that have anyone in post at the latest snapshot; None when there is nobody."""
    frame = con.execute(
        """select * from marts.projection_rates where group_code = ?
           order by worker_type, rank_order, membership_sort_order""",
        [group_code],
    ).df()
    return counts_from_frame(frame)


def counts_from_frame(frame: pd.DataFrame) -> Counts | None:
    """:class:`Counts` from rows shaped like ``marts.projection_rates``."""
    if frame.empty:
        return None
    present = frame.groupby("worker_type")["headcount"].sum()
    frame = frame[frame["worker_type"].isin(present[present > 0].index)]
    if frame.empty:
        return None
    positions = (
        frame[["worker_type", "rank_or_band", "rank_order"]]
        .drop_duplicates()
        .sort_values(["worker_type", "rank_order"])
    )
    ladder = Ladder(tuple(positions["worker_type"]), tuple(positions["rank_or_band"]))
    index = {
        (w, r): k for k, (w, r) in enumerate(zip(ladder.worker_types, ladder.ranks, strict=True))
    }

    def grid(column: str) -> np.ndarray:
        out = np.zeros((len(MEMBERSHIPS), ladder.size))
        for row in frame[["membership_code", "worker_type", "rank_or_band", column]].itertuples(
            index=False
        ):
            out[MEMBERSHIPS.index(row[0]), index[(row[1], row[2])]] = row[3]
        return out

    return Counts(
        ladder=ladder,
        stock=grid("headcount"),
        in_post=grid("in_post_count"),
        leavers=grid("leaver_count"),
        promoted=grid("promoted_count"),
        joiners=grid("joiner_count"),
        periods_per_year=float(frame["periods_per_year"].iloc[0]),
    )
