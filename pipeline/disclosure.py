"""Disclosure control: one mechanism for every published figure, across tables.

Ethnicity is special-category data; a count from 1 to the threshold could identify a
colleague. Every count the report publishes is a **cell**: a set of people, named by a
:class:`Key` (a population, such as the staff snapshot of a date, and for each of its
dimensions the values the cell covers: ranks, ethnicity codes, LPUs, outcomes). A cell
published in two tables, or quoted in a sentence, is one cell; a total in one table and its
parts in another are related because their sets are. From the keys alone
:func:`derive_relations` finds every additive relation a reader can use (a set that is the
union of others, along any one dimension, with the unpublished remainders it implies, such
as "not stated" = headcount - stated), so the relations between tables never have to be
declared by hand. Snapshots a year apart are related by their flow as well
(:func:`flow_relations`: start + joiners - leavers = end).

The rule, with the threshold from ``[disclosure]`` (:func:`protect`):

1. **Primary**: a published count from 1 to the threshold is withheld.
2. **Zeros**: a published 0 beside a total of 1 to the threshold is withheld too: "0
   ethnic minority" among three inspectors says something about all three; so is a 0
   beside a total that is withheld ("0 promoted" beside "[c] in post"), once secondary
   suppression has decided which are (:func:`zero_totals` says which cells are its totals:
   those that hold it, a rate's denominator, its column's count in a table's total row),
   and a 0 in a row whose cells add up to 1 to the threshold ("0 ethnic minority" beside
   "[c] White" retirements: :func:`row_totals`), whether or not that total is published.
3. **Secondary**, across every table at once: no withheld count, and no unpublished count
   of an ethnic group from 1 to the threshold, may be worked out from what is shown; nor
   may the sum of a total's withheld parts of one group, or of ethnic-minority groups
   however many (a total, shown or worked out, less the parts shown: "1 ethnic-minority
   officer at Chief Inspector or above", "2 Black or Mixed Chief Inspectors",
   :func:`_sums_exposed`, :func:`a_group_count`).
   Recovery is found by linear algebra over every relation (so chains through several
   tables are caught) and repaired by withholding the cheapest set of counts that frees
   the exposed cell (:func:`cheapest_complement`, an integer programme), until nothing is
   exposed.
4. A rate, share, ratio or statistic is shown only when every count it is computed from is
   shown or can be worked out from what is shown, so no derived figure adds anything.

Aggregation to coarser groups, where a breakdown would be mostly withheld, is chosen per
table (:func:`choose_grouping`). The independent proof that the published outputs hold no
recoverable cell is :mod:`pipeline.report.audit` (integer programming over every figure
actually written, rounding included).
"""

from __future__ import annotations

import functools
import itertools
import logging
import tempfile
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TypeVar

import numpy as np
import pandas as pd
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import coo_matrix
from wurlitzer import pipes

from pipeline.nullspace import FIXED, NullSpaces, row_space

T = TypeVar("T")
Fn = TypeVar("Fn", bound=Callable)

SUPPRESSED_MARK = "[c]"
"""The ONS/GSS convention for a value withheld for confidentiality."""
NOT_APPLICABLE_MARK = "[x]"
"""The GSS convention for a figure that does not exist (a share of nobody)."""
NOT_SHOWN_MARKS = frozenset({SUPPRESSED_MARK, NOT_APPLICABLE_MARK})

_TOLERANCE = 1e-9
SHORTLIST = 24
"""Secondary suppression weighs this many candidates (the most preferable) at each step."""
PAIRS = 6
"""When no single count frees an exposed cell, pairs of this many candidates each are tried."""
TOTAL_COST = 4
"""Withholding a count that is the total of others (a rank's, the force's) costs this many
times its people: a total tells readers most, so the complement avoids it where it can."""
SHARE_COST = 0.1
"""Each published share or rate a count is the denominator of adds this much to its cost
(times its people): those who stated an ethnicity, whom every share is of, are withheld
after their worker type's headcount, behind a declaration rate only."""
NEAR = 3
""":func:`cheapest_complement` first looks for a complement among the cells within this many
relations of the exposed cell itself (its table's neighbours: a small programme), and only
when there is none there in the wider regions below."""
REACH_FROM, REACH = 2, 4
""":func:`cheapest_complement` looks for a complement among the counts within this many
relations of the exposed cell's component, then one more, up to the second."""
BIG_M = 1_000.0
"""The largest change of one cell that a complement's direction of change may need."""
MILP_SECONDS = 10.0
"""The longest one complement's integer programme may take (the best found so far is
used; the greedy search when none is)."""


def is_small(counts: pd.Series, threshold: int) -> pd.Series:
    numeric = pd.to_numeric(counts, errors="coerce")
    return numeric.between(1, threshold, inclusive="both").fillna(False).astype(bool)


def suppress(
    frame: pd.DataFrame, rules: Mapping[str, Sequence[str]], threshold: int
) -> pd.DataFrame:
    """Primary suppression of one frame, for analysts' own tables (notebooks).

    ``rules`` maps each count column to the columns computed from it; a row whose count is
    in 1..threshold has the count and those columns set to missing, and ``is_suppressed``
    says so. The report itself uses :func:`protect`, which also withholds what could be
    worked out across tables.
    """
    out = frame.copy()
    any_suppressed = pd.Series(False, index=out.index)
    for count_column, derived in rules.items():
        small = is_small(frame[count_column], threshold)
        for column in (count_column, *derived):
            out[column] = out[column].astype("object").where(~small, None)
        any_suppressed |= small
    out["is_suppressed"] = any_suppressed
    return out


# --------------------------------------------------------------------------- cells


@dataclass(frozen=True, order=True)
class Key:
    """A cell: the people of ``population`` whose value on each listed dimension is one of
    the listed values. A dimension not listed is not restricted (every value)."""

    population: str
    coords: tuple[tuple[str, tuple[str, ...]], ...] = ()

    def values(self, dim: str) -> frozenset[str] | None:
        for name, values in self.coords:
            if name == dim:
                return frozenset(values)
        return None

    @property
    def id(self) -> str:
        """A stable text form, used in tables.json and in messages."""
        parts = [self.population, *(f"{d}={'+'.join(v)}" for d, v in self.coords)]
        return " | ".join(parts)

    @classmethod
    def from_id(cls, text: str) -> Key:
        population, *parts = text.split(" | ")
        coords = []
        for part in parts:
            dim, _, values = part.partition("=")
            coords.append((dim, tuple(values.split("+"))))
        return cls(population, tuple(coords))

    def __str__(self) -> str:
        return self.id


POPULATION = "population"
"""In an equality's canonical side (:meth:`Universe.same`): the population it is of."""


class Universe:
    """The dimensions of each population and every value each can take: what a key's
    sets are subsets of, so that "all values" is one key however it is written.

    ``listing`` names the dimensions whose values tables list as rows only when someone
    has them (ranks, LPUs, departments, stages): a reader can take a value no table lists
    to be empty, so a cell of unlisted values that is 0 counts as known (see
    :func:`unlisted_zeros`)."""

    def __init__(self, listing: Collection[str] = ()) -> None:
        self.domains: dict[str, dict[str, frozenset[str]]] = {}
        self.listing = frozenset(listing)
        self.rests: dict[tuple[str, str], set[frozenset[str]]] = defaultdict(set)
        """(population, dimension) -> the sets of values that cells take as "the rest" of
        that dimension's domain (see :meth:`complement`)."""
        self.flows: list[Flow] = []
        """Pairs of snapshots linked by their movements (see :func:`flow_relations`)."""
        self.equalities: dict[str, list[tuple[dict[str, frozenset[str]], dict]]] = {}
        """population -> declared equal sets (see :meth:`same`)."""
        self.observed: list[tuple[str, tuple[dict, dict]]] = []
        """The equalities the data bear out rather than define (:meth:`same` with
        ``observed``): the protection and the in-run audit use them, ``tables.json`` does
        not state them (:meth:`equalities_manifest`)."""
        self.known: set[Key] = set()
        """Cells a reader knows to be 0 without reading a count (:func:`known_zeros`), once
        the report's counts are protected: ``tables.json`` lists them."""
        self.distributions: set[tuple[str, str]] = set()
        """(population, dimension) pairs published as distributions (see
        :meth:`distribution`)."""

    def distribution(self, population: str, dim: str) -> None:
        """Declare that tables publish ``population``'s cells along ``dim`` as a
        distribution beside its total (appraisal ratings and those rated, misconduct
        outcomes and those in post): a reader adds up what is shown and takes it from the
        total, so the withheld values' sum is a cell protected like any other
        (:func:`withheld_sums`)."""
        self.distributions.add((population, dim))

    def same(
        self,
        population: str,
        alias: Mapping[str, Iterable[str]],
        canonical: Mapping[str, Iterable[str]],
        *,
        observed: bool = False,
    ) -> None:
        """Declare that the people chosen by ``alias`` (values on some dimensions) are the
        same people as those chosen by ``canonical`` (values on the same or other
        dimensions): a process's candidates who passed end to end are those who passed its
        last stage; the officers in the role "Chief Officer" are those of the chief ranks.
        :meth:`key` gives every cell so chosen the canonical key (with the cell's other
        dimensions kept, and intersected where both restrict one), so a count published
        under either is one cell: protected once (shown in both places or withheld in
        both) and one variable for the audit (``tables.json`` holds the one key, and these
        equalities for the cells the relations derive).

        ``canonical`` may name another population under :data:`POPULATION` (one value):
        the people chosen are then that population's (a promotion board's last-stage passes
        are the officers of the rank below promoted in the year), with the cell's other
        dimensions, which that population must have too. Such a cell keeps its key (each
        population's sums still hold); :func:`derive_relations` relates the two keys as
        equal instead. The population may be ``population`` itself.

        ``observed``: the two are the same people because the data say so, not by
        definition (this year's board passed exactly the constables promoted; the officers
        dismissed after misconduct are exactly those who left dismissed). Protecting and
        auditing with it assumes a reader who knows more, which is conservative; but
        published, it would state a fact about individuals that no table shows (and its
        absence in another year the opposite), so :meth:`equalities_manifest` leaves it
        out. It must relate two keys (canonical under :data:`POPULATION`): a shared key
        would state it in ``tables.json`` as plainly."""
        if observed and POPULATION not in canonical:
            raise ValueError(
                f"{population}: an observed equality relates two cells (canonical under "
                f"{POPULATION!r}); one key for both would publish it"
            )
        rule = (
            {d: frozenset(str(v) for v in values) for d, values in alias.items()},
            {d: frozenset(str(v) for v in values) for d, values in canonical.items()},
        )
        rules = self.equalities.setdefault(population, [])
        if rule not in rules:
            rules.append(rule)
        if observed and (population, rule) not in self.observed:
            self.observed.append((population, rule))

    def add_flow(self, flow: Flow) -> None:
        if flow not in self.flows:
            self.flows.append(flow)

    def add(self, population: str, **domains: Iterable[str]) -> None:
        cleaned = {dim: frozenset(str(v) for v in values) for dim, values in domains.items()}
        existing = self.domains.setdefault(population, {})
        for dim, values in cleaned.items():
            existing[dim] = existing.get(dim, frozenset()) | values

    def dims(self, population: str) -> dict[str, frozenset[str]]:
        return self.domains[population]

    def key(self, population: str, **dims: str | Iterable[str] | None) -> Key:
        """The key of a cell; ``None`` or the whole domain means "every value"."""
        domains = self.domains.get(population)
        if domains is None:
            raise KeyError(f"Unknown population {population!r}")
        chosen_by_dim: dict[str, frozenset[str]] = {}
        for dim, values in dims.items():
            if values is not None:
                chosen_by_dim[dim] = frozenset(
                    [values] if isinstance(values, str) else (str(v) for v in values)
                )
        for alias, canonical in self.equalities.get(population, ()):
            if POPULATION in canonical:
                continue  # another population's cell: related, not renamed
            if not all(chosen_by_dim.get(d) == v for d, v in alias.items()):
                continue
            rest = {d: v for d, v in chosen_by_dim.items() if d not in alias}
            for dim, values in canonical.items():
                rest[dim] = rest[dim] & values if dim in rest else values
            if all(rest.values()):  # else the cell is empty: left as it is written
                chosen_by_dim = rest
        coords = []
        for dim, chosen in sorted(chosen_by_dim.items()):
            domain = domains[dim]
            if not chosen:
                raise ValueError(f"{population}: a cell needs at least one {dim} value")
            unknown = chosen - domain
            if unknown:
                raise ValueError(f"{population}: {sorted(unknown)} not among the {dim} values")
            if chosen != domain:
                coords.append((dim, tuple(sorted(chosen))))
        return Key(population, tuple(coords))

    def elsewhere(self, key: Key) -> list[Key]:
        """The cells of other populations declared the same people as ``key``
        (:meth:`same` with :data:`POPULATION`)."""
        out = []
        for alias, canonical in self.equalities.get(key.population, ()):
            if POPULATION not in canonical:
                continue
            if not all(key.values(d) == v for d, v in alias.items()):
                continue
            dims = {d: frozenset(v) for d, v in key.coords if d not in alias}
            for dim, values in canonical.items():
                if dim != POPULATION:
                    dims[dim] = dims[dim] & values if dim in dims else values
            if not all(dims.values()):
                continue  # the cell is empty (left dismissed, not dismissed): nobody
            (other,) = canonical[POPULATION]
            out.append(self.key(other, **dims))
        return out

    def with_values(self, key: Key, dim: str, values: Iterable[str] | None) -> Key:
        """The same cell with another set on one dimension."""
        dims: dict[str, object] = {d: v for d, v in key.coords}
        dims[dim] = None if values is None else frozenset(values)
        return self.key(key.population, **dims)

    def complement(self, key: Key, dim: str) -> Key:
        """The rest of the cell's parent along ``dim`` (e.g. the rest of the force beside a
        department). Its set of values is remembered as a rest (:attr:`rests`), so that
        :func:`derive_relations` relates every cell with that set to its whole and its part
        by one sum rather than as the sum of every other value."""
        values = key.values(dim)
        domain = self.domains[key.population][dim]
        rest = domain - (values or domain)
        if rest:
            self.rests[(key.population, dim)].add(rest)
        return self.with_values(key, dim, rest)

    def equalities_manifest(self) -> list[list]:
        """:attr:`equalities` that hold by definition, as JSON: ``[population, alias,
        canonical]`` rows. The :attr:`observed` ones are left out: they are facts about
        individuals, which the published ``tables.json`` must not state."""
        return [
            [population, {d: sorted(v) for d, v in alias.items()},
             {d: sorted(v) for d, v in canonical.items()}]
            for population, rules in sorted(self.equalities.items())
            for alias, canonical in rules
            if (population, (alias, canonical)) not in self.observed
        ]  # fmt: skip

    def rests_manifest(self) -> list[list]:
        """:attr:`rests` as JSON: ``[population, dimension, [values]]`` rows."""
        return sorted(
            [population, dim, sorted(values)]
            for (population, dim), sets in self.rests.items()
            for values in sets
        )


@dataclass(frozen=True, order=True)
class Relation:
    """``total`` is the sum of ``parts``: a fact a reader of the outputs can use."""

    total: Key
    parts: tuple[Key, ...]


FLOW_RESIDUAL = "flow residual"
"""The population of each flow's residuals (:func:`flow_relations`)."""


@dataclass(frozen=True)
class Flow:
    """Two staff snapshots linked by what happened between them: everyone in post at the
    ``end`` is someone in post at the ``start`` who stayed (``stayed``: the start
    population's dimension and value that say so), a joiner in between (the ``joiners``
    population's ``years``, those of the period, or none), or neither (a residual: someone
    who joined and left within the period, changed worker type or recorded ethnicity, or is
    missing from a file). Both snapshots' ``scope`` dimension holds values
    ``"<worker type>/<rank or band>"``; the joiners' ``joiner_scope`` the worker type."""

    start: str
    end: str
    joiners: str | None = None
    years: tuple[str, ...] = ()
    stayed: tuple[str, str] = ("leaving", "stayed")
    scope: str = "post"
    joiner_scope: str = "wt"

    @property
    def residuals(self) -> str:
        return f"{FLOW_RESIDUAL} {self.start} to {self.end}"


def is_flow_residual(key: Key) -> bool:
    return key.population.startswith(FLOW_RESIDUAL)


def flow_relations(keys: Iterable[Key], universe: Universe) -> tuple[set[Key], list[Relation]]:
    """The flow identity of each of the universe's flows, as sums: for each worker type
    (and all of them) and each ethnic group any cell of the three populations is of,
    ``in post at the end = stayed + joiners in between + residual``. With the leavers
    (``in post at the start = stayed + leavers``, a relation :func:`derive_relations`
    finds from the sets) this is ``end = start + joiners - leavers + residual``: a reader
    with headcounts, joiners and leavers can work out a withheld one. The residual is
    taken to be known to a reader (see :func:`protect`), the strictest assumption.

    Returns the cells the identities need (the stayers, the residuals, ...) and the
    relations; a flow whose populations are not all published adds nothing."""
    keys = set(keys)
    new: set[Key] = set()
    relations: list[Relation] = []
    for flow in universe.flows:
        domains = universe.domains
        if flow.start not in domains or flow.end not in domains:
            continue
        if flow.joiners is not None and flow.joiners not in domains:
            continue
        dim, stayed = flow.stayed
        if stayed not in domains[flow.start].get(dim, ()):
            continue
        posts = {
            name: {p for p in domains[name].get(flow.scope, ()) if "/" in p}
            for name in (flow.start, flow.end)
        }
        scopes = sorted({p.split("/", 1)[0] for values in posts.values() for p in values})
        joiner_domains = domains[flow.joiners] if flow.joiners else {}
        years = [y for y in flow.years if y in joiner_domains.get("year", ())]
        eth_domain = domains[flow.start].get("eth", frozenset())
        # The groups whose leavers, headcount at the end and joiners are all published
        # (each in some table): elsewhere the identity has two unknown parts and gives
        # nothing a reader could use, and it would only join unknown cells together.
        seen: dict[str, set[frozenset[str] | None]] = defaultdict(set)
        for key in keys:
            if key.population == flow.start and key.values(dim) is None:
                continue
            if key.population in (flow.start, flow.end, flow.joiners):
                values = key.values("eth")
                if values is None or values <= eth_domain:
                    seen[key.population].add(values)
        groups = set.intersection(
            *(seen[name] for name in (flow.start, flow.end, flow.joiners) if name)
        )
        universe.add(flow.residuals, wt=scopes or ["none"], eth=eth_domain)
        # The whole force's identity is over the worker types the snapshots hold: joiners of
        # one neither holds (a PCSO hired and gone within the year, in a force with none at
        # either) are in neither headcount, and with them the whole force's residual would
        # be theirs alone, which the residuals' strict assumption would give away (and the
        # worker types' residuals would not add up to it: exit 1).
        joiner_types = joiner_domains.get(flow.joiner_scope)
        held = None if joiner_types is None else sorted(set(scopes) & set(joiner_types))
        for scope in [None, *scopes]:
            chosen = {
                name: None if scope is None else {p for p in values if p.startswith(f"{scope}/")}
                for name, values in posts.items()
            }
            if scope is not None and not (chosen[flow.start] and chosen[flow.end]):
                continue
            for eth in sorted(groups, key=lambda g: sorted(g or ())):
                end = universe.key(flow.end, **{flow.scope: chosen[flow.end], "eth": eth})
                parts = [
                    universe.key(
                        flow.start, **{flow.scope: chosen[flow.start], "eth": eth, dim: stayed}
                    ),
                    universe.key(flow.residuals, wt=scope, eth=eth),
                ]
                if years and (held is None or (bool(held) if scope is None else scope in held)):
                    parts.append(
                        universe.key(
                            flow.joiners,
                            **{"year": years, flow.joiner_scope: scope or held, "eth": eth},
                        )
                    )
                new |= {end, *parts}
                relations.append(Relation(end, tuple(sorted(parts))))
    return new, relations


def _refine(sets: Collection[frozenset[str]]) -> list[frozenset[str]]:
    """The coarsest partition of the union in which every set is a union of blocks."""
    ordered = list(sets)
    signature: dict[str, tuple[bool, ...]] = {}
    for value in frozenset().union(*ordered):
        signature[value] = tuple(value in s for s in ordered)
    blocks: dict[tuple[bool, ...], set[str]] = defaultdict(set)
    for value, sig in signature.items():
        blocks[sig].add(value)
    return [frozenset(b) for b in blocks.values()]


def _tiers(
    refined: Mapping[frozenset[str], Key],
    blocks: Collection[frozenset[str]],
    given: Collection[Key],
    domain: frozenset[str],
) -> list[tuple[frozenset[str], frozenset[str]]]:
    """Pairs of given cells, one set within the other, each of several blocks, whose
    difference is several blocks too (senior leadership and its senior staff bands): the
    difference (the officers of superintendent and above) is itself a cell a reader works
    out by subtracting the two, though no table publishes it, so it becomes a key, related
    to the two by one sum, which the protection and the audit then see. A difference of one
    block is a key already; the sum of the blocks gives the rest. Not the whole domain
    (the rest of a cell beside the whole is a key already where a table uses it), and, by
    the caller, only along listing dimensions (posts, units, stages, routes: the force's
    tiers), where two published tiers can differ by a handful of people; along ``eth`` the
    differences of groupings would add a fifth more keys and slow the protection by half."""
    size = {values: sum(1 for b in blocks if b <= values) for values in refined}
    tiers = [v for v, key in refined.items() if size[v] > 1 and key in given]
    return [
        (wider, narrower)
        for wider in tiers
        if wider != domain
        for narrower in tiers
        if narrower < wider and size[wider] - size[narrower] > 1 and wider - narrower not in refined
    ]


def derive_relations(
    keys: Iterable[Key], universe: Universe, passes: int = 4
) -> tuple[set[Key], list[Relation]]:
    """Every key (those given and the remainders they imply) and every additive relation
    among them: along each dimension, among keys that agree on every other dimension, each
    set is the sum of the blocks of the finest partition their sets share. Remainders
    (e.g. "not stated", "the rest of the force") become keys and are related in turn.

    A key whose set along a dimension is one of the universe's rests (``D - S``, the rest
    of the force beside a unit ``S``) is related by the one sum ``D = (D - S) + S`` instead
    (the whole and the part become keys if they are not): its sum of blocks follows from
    that one and the whole's, so nothing a reader could work out is lost, and with many
    units the system stays sparse (``n`` sums of three rather than ``n`` sums of ``n``).

    The universe's flows add the identities between snapshots (:func:`flow_relations`),
    its equalities across populations (:meth:`Universe.elsewhere`) one relation ``a = b``
    each, and two given cells of several blocks, one within the other, their difference
    (:func:`_tiers`).
    """
    all_keys = set(keys)
    given = frozenset(all_keys)
    flow_keys, flows = flow_relations(all_keys, universe)
    all_keys |= flow_keys
    relations: set[Relation] = set(flows)
    for key in list(all_keys):  # the same people in two populations: equal cells
        for other in universe.elsewhere(key):
            all_keys.add(other)
            relations.add(Relation(key, (other,)))
    # Each pass relates the groups new keys joined (a group's relations depend only on its
    # members, so an untouched group would give what it gave before): speed, same result.
    groups: dict[tuple, dict[frozenset[str], Key]] = defaultdict(dict)
    fresh = all_keys
    for _ in range(passes):
        touched: dict[tuple, None] = {}
        for key in fresh:
            coords = key.coords
            at = {name: i for i, (name, _) in enumerate(coords)}
            for dim, domain in universe.dims(key.population).items():
                i = at.get(dim)
                if i is None:
                    values, rest = domain, coords
                else:
                    values = frozenset(coords[i][1]) or domain
                    rest = coords[:i] + coords[i + 1 :]
                group = (key.population, dim, rest)
                groups[group][values] = key
                touched[group] = None
        new: set[Key] = set()
        for population, dim, rest in touched:
            members = groups[(population, dim, rest)]
            domain = universe.dims(population)[dim]
            rests = universe.rests.get((population, dim), set())

            def keyed(values, population=population, dim=dim, rest=rest) -> Key:
                dims: dict[str, object] = {d: v for d, v in rest}
                dims[dim] = values
                return universe.key(population, **dims)

            refined: dict[frozenset[str], Key] = {}
            for values, key in members.items():
                if values in rests:
                    whole = members.get(domain) or keyed(None)
                    part = members.get(domain - values) or keyed(domain - values)
                    relations.add(Relation(whole, tuple(sorted([key, part]))))
                    new |= {whole, part}
                    refined[domain], refined[domain - values] = whole, part
                else:
                    refined[values] = key
            if len(refined) < 2:
                continue
            blocks = _refine(refined.keys())
            if len(blocks) == len(refined) and all(b in refined for b in blocks):
                continue  # disjoint sets, no set the union of others
            tiered = dim in universe.listing  # posts, units, stages: the force's tiers
            for wider, narrower in _tiers(refined, blocks, given, domain) if tiered else ():
                part = refined.get(wider - narrower) or keyed(wider - narrower)
                new.add(part)
                relations.add(Relation(refined[wider], tuple(sorted([refined[narrower], part]))))
            for values, key in refined.items():
                parts = [b for b in blocks if b <= values]
                if len(parts) < 2:
                    continue
                part_keys = []
                for block in parts:
                    part = refined.get(block) or members.get(block)
                    if part is None:
                        part = keyed(block)
                        new.add(part)
                    part_keys.append(part)
                relations.add(Relation(key, tuple(sorted(part_keys))))
        new -= all_keys
        for key in list(new):
            for other in universe.elsewhere(key):
                relations.add(Relation(key, (other,)))
                if other not in all_keys:
                    new.add(other)
        if not new:
            break
        all_keys |= new
        fresh = new
    return all_keys, sorted(relations)


def complete_values(
    values: Mapping[Key, int], keys: Iterable[Key], relations: Sequence[Relation]
) -> dict[Key, int]:
    """The true value of every key the relations fix given ``values`` (the counts the
    marts hold); keys left free by them are absent."""
    known = dict(values)
    unknown = [k for k in keys if k not in known]
    if not unknown:
        return known
    system = LinearSystem(relations, [*known, *unknown])
    fixed = system.solve(known)
    for key, value in fixed.items():
        known[key] = round(value)
    return known


# --------------------------------------------------------------------------- linear algebra


class LinearSystem:
    """The relations as sparse rows over integer-indexed keys, with components and
    determinedness computed per component (most are small: a shown count separates them)."""

    def __init__(self, relations: Sequence[Relation], keys: Iterable[Key] = ()) -> None:
        self.keys: list[Key] = []
        self.index: dict[Key, int] = {}
        for key in keys:
            self._add(key)
        self.rows: list[dict[int, float]] = []
        for relation in relations:
            row: dict[int, float] = defaultdict(float)
            row[self._add(relation.total)] -= 1.0
            for part in relation.parts:
                row[self._add(part)] += 1.0
            self.rows.append({i: c for i, c in row.items() if c})
        self.rows_of: list[list[int]] = [[] for _ in self.keys]
        for r, row in enumerate(self.rows):
            for i in row:
                self.rows_of[i].append(r)

    def _add(self, key: Key) -> int:
        if key not in self.index:
            self.index[key] = len(self.keys)
            self.keys.append(key)
        return self.index[key]

    def components(self, unknown: set[int]) -> list[set[int]]:
        """Unknown cells connected by a relation with two or more unknown cells."""
        seen: set[int] = set()
        out = []
        for start in unknown:
            if start not in seen:
                component = self.component_of(start, unknown)
                seen |= component
                out.append(component)
        return out

    def component_of(self, cell: int, unknown: set[int]) -> set[int]:
        """The unknown cells ``cell`` is connected to (itself included)."""
        stack, seen = [cell], {cell}
        while stack:
            i = stack.pop()
            for r in self.rows_of[i]:
                for j in self.rows[r]:
                    if j in unknown and j not in seen:
                        seen.add(j)
                        stack.append(j)
        return seen

    def determined_in(self, component: set[int]) -> set[int]:
        """The cells of one component whose value the relations fix, given every cell
        outside it.

        A cell that occurs in one relation only is set aside with that relation first
        (peeling): the relation cannot constrain the others, and the cell is fixed exactly
        when the relation's other cells are. What remains is solved by the null space: a
        cell is fixed when every vector of it is zero at the cell."""
        rows = {r: [i for i in self.rows[r] if i in component]
                for c in component for r in self.rows_of[c]}  # fmt: skip
        uses: dict[int, set[int]] = {c: set() for c in component}
        for r, cells in rows.items():
            for c in cells:
                uses[c].add(r)
        peeled: list[tuple[int, int]] = []
        lonely = [c for c, used in uses.items() if len(used) == 1]
        while lonely:
            cell = lonely.pop()
            if len(uses.get(cell, ())) != 1:
                continue
            (row,) = uses.pop(cell)
            peeled.append((cell, row))
            for other in rows[row]:
                if other != cell and other in uses:
                    uses[other].discard(row)
                    if len(uses[other]) == 1:
                        lonely.append(other)
        core = sorted(uses)
        freedom = self._freedom(core, {r for c in core for r in uses[c]})
        for cell, row in reversed(peeled):
            coefficients = self.rows[row]
            vector = 0.0
            for other in rows[row]:
                if other != cell:
                    vector = vector - coefficients[other] * freedom[other]
            freedom[cell] = vector / coefficients[cell]
        return {c for c, v in freedom.items() if np.abs(np.atleast_1d(v)).max(initial=0.0) < 1e-7}

    def _freedom(self, cells: list[int], row_ids: set[int]) -> dict[int, np.ndarray]:
        """How each cell can move among the solutions: its column of the projection onto
        the null space (zero exactly when the cell is fixed)."""
        if not cells:
            return {}
        position = {c: p for p, c in enumerate(cells)}
        ordered = sorted(row_ids)
        matrix = np.zeros((len(ordered), len(cells)))
        for m, r in enumerate(ordered):
            for i, coefficient in self.rows[r].items():
                if i in position:
                    matrix[m, position[i]] = coefficient
        free = np.eye(len(cells))
        space = row_space(matrix.T, _TOLERANCE, full=False) if len(ordered) else None
        if space is not None:
            basis = space.q[:, : space.rank]
            free = free - basis @ basis.T
        elif len(ordered):
            # The row space's orthonormal basis is the left singular vectors of the transpose.
            basis, singular, _ = np.linalg.svd(matrix.T, full_matrices=False)
            rank = int((singular > _TOLERANCE * max(1.0, singular.max(initial=0.0))).sum())
            basis = basis[:, :rank]
            free = free - basis @ basis.T
        return {c: free[:, p] for p, c in enumerate(cells)}

    def determined(self, unknown: set[int]) -> set[int]:
        out: set[int] = set()
        for component in self.components(unknown):
            out |= self.determined_in(component)
        return out

    def solve(self, known: Mapping[Key, float]) -> dict[Key, float]:
        """Values of the unknown keys that the relations fix, given ``known``."""
        unknown = {i for i, k in enumerate(self.keys) if k not in known}
        fixed = self.determined(unknown)
        if not fixed:
            return {}
        cells = sorted(fixed | self._neighbours_unknown(fixed, unknown))
        position = {c: p for p, c in enumerate(cells)}
        row_ids = sorted({r for c in cells for r in self.rows_of[c]})
        matrix = np.zeros((len(row_ids), len(cells)))
        rhs = np.zeros(len(row_ids))
        for m, r in enumerate(row_ids):
            for i, coefficient in self.rows[r].items():
                if i in position:
                    matrix[m, position[i]] = coefficient
                elif i in unknown:
                    continue  # a free cell: its row cannot be used (its value is unknown)
                else:
                    rhs[m] -= coefficient * float(known[self.keys[i]])
        usable = [m for m, r in enumerate(row_ids) if all(
            i in position or i not in unknown for i in self.rows[r])]  # fmt: skip
        solution, *_ = np.linalg.lstsq(matrix[usable], rhs[usable], rcond=None)
        return {self.keys[c]: float(solution[position[c]]) for c in fixed}

    def _neighbours_unknown(self, cells: set[int], unknown: set[int]) -> set[int]:
        """The whole components the fixed cells belong to (a fixed cell's rows may involve
        free cells whose combination is fixed)."""
        out: set[int] = set()
        for component in self.components(unknown):
            if component & cells:
                out |= component
        return out


# --------------------------------------------------------------------------- protection


@dataclass
class Protection:
    """What :func:`protect` decided: the published counts to withhold, and which keys are
    known to a reader (shown, or worked out from what is shown)."""

    withheld: frozenset[Key]
    known: frozenset[Key]
    reasons: dict[Key, str] = field(default_factory=dict)
    """Why each count is withheld: primary, zero beside a small total, or secondary."""
    unresolved: frozenset[Key] = frozenset()
    """The ``targets`` given to :func:`protect` for which no complement was found."""

    def shows(self, key: Key) -> bool:
        return key not in self.withheld

    def knows(self, keys: Iterable[Key]) -> bool:
        """Whether a figure computed from these counts may be shown: all are known."""
        return all(k in self.known for k in keys)


def unlisted_zeros(
    values: Mapping[Key, int | None], published: Collection[Key], universe: Universe
) -> set[Key]:
    """Unpublished cells that cover, on a listing dimension, only values no published cell
    covers (an LPU no table lists, say): a reader knows them to be empty, since a table
    lists every row with anyone in it. Only those that are indeed 0 are returned."""
    listed: dict[tuple[str, str], set[str]] = defaultdict(set)
    for key in published:
        for dim, chosen in key.coords:
            listed[(key.population, dim)].update(chosen)
    out = set()
    for key, value in values.items():
        if value != 0 or key in published:
            continue
        for dim, chosen in key.coords:
            if dim in universe.listing and not set(chosen) & listed[(key.population, dim)]:
                out.add(key)
                break
    return out


def known_zeros(
    values: Mapping[Key, int | None],
    published: Collection[Key],
    universe: Universe,
    relations: Sequence[Relation],
) -> set[Key]:
    """The cells a reader knows to be 0 before reading any count: those of values no table
    lists (:func:`unlisted_zeros`), and what the relations make of them. A relation all of
    whose cells but one are known 0 makes that one 0 too (the universe's equalities can
    leave a cell on both sides of a sum: Band C in a department declared to be officers
    only); a relation whose cells on one side are known 0 makes those on the other 0
    (counts are never negative: every part of an empty total is empty). Published cells
    among them are known whether shown or not, so :func:`protect` never withholds them and
    the audit counts nothing they give away. Only cells that are indeed 0 are returned (a
    table may leave out a row with people in it; a relation the truth breaks adds
    nothing); the report's ``tables.json`` lists them (:attr:`Universe.known`) for the
    audit from the files alone.

    Shape: a set of keys of ``values``; the one notion :func:`protect` and
    :func:`pipeline.report.audit.audit_publication` share."""
    known = unlisted_zeros(values, published, universe)
    rows: list[dict[Key, float]] = []
    for relation in relations:
        row: dict[Key, float] = defaultdict(float)
        row[relation.total] -= 1.0
        for part in relation.parts:
            row[part] += 1.0
        rows.append({k: c for k, c in row.items() if c})
    rows_of: dict[Key, list[int]] = defaultdict(list)
    for r, row in enumerate(rows):
        for key in row:
            rows_of[key].append(r)
    queue = list(range(len(rows)))
    while queue:
        row = rows[queue.pop()]
        rest = [k for k in row if k not in known]
        if not rest:
            continue
        negative = all(k in known for k, c in row.items() if c < 0)
        positive = all(k in known for k, c in row.items() if c > 0)
        if len(rest) > 1 and not negative and not positive:
            continue
        for key in rest:
            if values.get(key) == 0:
                known.add(key)
                queue.extend(rows_of[key])
    return known


def contains(wider: Key, narrower: Key) -> bool:
    """Whether every person of ``narrower`` is in ``wider`` (same population)."""
    if wider.population != narrower.population:
        return False
    mine = dict(narrower.coords)
    for dim, values in wider.coords:
        if dim not in mine or not set(mine[dim]) <= set(values):
            return False
    return True


def implied_by_a_shown_zero(key: Key, shown_zeros: Iterable[Key]) -> bool:
    """A zero that follows from a zero shown for a wider group: hiding it protects nothing."""
    return any(other != key and contains(other, key) for other in shown_zeros)


def is_whole(key: Key) -> bool:
    """A cell of a whole population, or of an ethnic group of it, with no other dimension:
    the force at a snapshot, a period's leavers, a process's candidates."""
    return all(dim == "eth" for dim, _ in key.coords)


def is_ethnic(key: Key, dim: str = "eth") -> bool:
    """A cell of an ethnic group (not everyone): the cells whose small values are personal."""
    return key.values(dim) is not None


NOT_MINORITY = frozenset({"W1", "NS"})
"""The codes whose people are not of an ethnic minority under any grouping the product
measures: White British (the reference group when White minorities are in the headline
group; part of the White reference group otherwise) and not stated. The cells here do not
say which headline grouping is configured, so a cell of White minorities only (W2, W3, W9)
counts as of ethnic-minority people (as under ``minority_incl_white``): the wider reading,
which only ever protects more."""


def is_minority(key: Key, dim: str = "eth") -> bool:
    """A cell of ethnic-minority people only: its ethnicity codes are stated and none is
    White British (:data:`NOT_MINORITY`)."""
    values = key.values(dim)
    return bool(values) and not values & NOT_MINORITY


def a_group_count(parts: Collection[Key], sensitive: Callable[[Key], bool] = is_ethnic) -> bool:
    """Whether the sum of ``parts`` (disjoint cells, parts of one relation) is itself a
    count of an ethnic group: all are of one group (``sensitive``: White at Chief Inspector
    and above), or all are of ethnic-minority groups (:func:`is_minority`: "Black or Mixed
    at Chief Inspector = 2" is a count of ethnic-minority people). A sum with the White
    reference group or "not stated" in it beside other groups is not (rule 3,
    :func:`_sums_exposed`)."""
    if not parts or not all(sensitive(k) for k in parts):
        return False
    return len({k.values("eth") for k in parts}) == 1 or all(is_minority(k) for k in parts)


def _small_group_sum(parts, value, threshold, keys, sensitive=is_ethnic) -> bool:
    """Whether the cells ``parts`` (positions in ``keys``, values in ``value``) add up to
    1..threshold and are a count of a group (:func:`a_group_count`)."""
    values = [value[i] for i in parts]
    return (
        len(parts) >= 2
        and None not in values
        and 1 <= sum(values) <= threshold
        and a_group_count([keys[i] for i in parts], sensitive)
    )


def small_group_within(
    withheld: Sequence[int],
    unpublished: Sequence[int],
    value,
    threshold: int,
    keys: Sequence[Key],
    sensitive: Callable[[Key], bool] = is_ethnic,
) -> list[int] | None:
    """Of a relation's unknown parts, the ``withheld`` ones and those ``unpublished`` that
    can join them in a count of a group from 1 to ``threshold`` (in order, each of the
    group and small enough): the parts whose sum a reader has when the other unpublished
    ones are worked out ("Sergeants 343 - White 300 - Other 15 - not stated 15 - Asian 9
    (unpublished, the Asian officers less the other ranks' Asian) = 4 Black or Mixed").
    None when that is no such count of two or more parts, or none is withheld."""
    chosen = list(withheld)
    if not chosen or None in (value[i] for i in chosen):
        return None
    room = threshold - sum(value[i] for i in chosen)
    if room < 0 or not a_group_count([keys[i] for i in chosen], sensitive):
        return None
    for i in unpublished:
        if value[i] is None or value[i] > room:
            continue
        if a_group_count([keys[j] for j in (*chosen, i)], sensitive):
            chosen.append(i)
            room -= value[i]
    return chosen if _small_group_sum(chosen, value, threshold, keys, sensitive) else None


SUBSETS = 256
"""At most this many sets of a relation's unknown parts are looked at for a small count of
a group (:func:`small_group_subsets`), smallest first. A relation has few parts (a rank's
broad groups, a group's ranks), and few of them unknown and small: 256 is every set of
eight."""


def small_group_subsets(
    parts: Sequence[int],
    value,
    threshold: int,
    keys: Sequence[Key],
    sensitive: Callable[[Key], bool] = is_ethnic,
) -> list[tuple[int, ...]]:
    """The sets of two or more of ``parts`` (a relation's unknown ones), not all of them,
    that are a count of a group from 1 to ``threshold`` (:func:`_small_group_sum`): "Chief
    Inspectors' Asian 0 + Other 3", "Asian Chief Inspectors 2 + Sergeants 1". Only parts
    of 0 to the threshold can be in one; of those, the sets of each size in turn, at most
    :data:`SUBSETS` of them."""
    small = [i for i in parts if value[i] is not None and value[i] <= threshold]
    largest = len(small) if len(small) < len(parts) else len(small) - 1
    out = []
    tried = itertools.islice(
        itertools.chain.from_iterable(
            itertools.combinations(small, size) for size in range(2, largest + 1)
        ),
        SUBSETS,
    )
    for chosen in tried:
        if 1 <= sum(value[i] for i in chosen) <= threshold and a_group_count(
            [keys[i] for i in chosen], sensitive
        ):
            out.append(chosen)
    return out


def sum_cell(parts: Sequence[Key]) -> Key:
    """A cell for the sum of ``parts`` (disjoint parts of one relation): on each dimension
    all of them restrict, the union of their values."""
    coords = []
    for dim, _ in parts[0].coords:
        sets = [p.values(dim) for p in parts]
        if all(v is not None for v in sets):
            coords.append((dim, tuple(sorted(frozenset().union(*sets)))))
    return Key(parts[0].population, tuple(coords))


def zero_totals(
    zeros: Iterable[Key],
    cells: Iterable[Key],
    denominators: Mapping[Key, Collection[Key]] | None = None,
) -> dict[Key, set[Key]]:
    """For each zero's cell, the cells among ``cells`` that hold it and differ from it on
    one dimension (the totals it adds up to: a rank's people beside the rank's people of a
    group, those in post beside those promoted), and the denominators declared for it (a
    rate's or share's). A 0 beside a total says something about everyone in the total."""
    index: dict[tuple, list[Key]] = defaultdict(list)
    for cell in cells:
        index[(cell.population, cell.coords, None)].append(cell)
        for position, (dim, _) in enumerate(cell.coords):
            rest = cell.coords[:position] + cell.coords[position + 1 :]
            index[(cell.population, rest, dim)].append(cell)
    denominators = denominators or {}
    out: dict[Key, set[Key]] = {}
    for key in zeros:
        found = set(denominators.get(key, ()))
        for position, (dim, values) in enumerate(key.coords):
            rest = key.coords[:position] + key.coords[position + 1 :]
            found.update(index.get((key.population, rest, None), ()))
            found.update(
                total
                for total in index.get((key.population, rest, dim), ())
                if set(values) < (total.values(dim) or set())
            )
        found.discard(key)
        out[key] = found
    return out


def row_totals(
    zeros: Iterable[Key], cells: Iterable[Key], values: Mapping[Key, int | None]
) -> dict[Key, int]:
    """For each zero's cell, the smallest number of people that it and the cells beside it
    along one dimension hold (its siblings: the same cell with other values there, such as
    the White leavers beside the ethnic-minority leavers of a row), as far as ``cells``
    show them: the total of the relation the 0 is read in, published or not.

    '0 ethnic minority' beside '[c] White' among one worker type's retirements says that
    every retiree who stated an ethnicity is White: a 0 whose row adds up to 1..threshold
    people tells something about each of them, whether or not that total is published.
    Along each dimension the siblings are taken largest first while they do not overlap
    (so the sum is at most the union); the smallest sum over the dimensions with a
    sibling that holds anyone is returned (zeros with none are absent)."""
    index: dict[tuple, list[Key]] = defaultdict(list)
    for cell in cells:
        if values.get(cell) is None:
            continue
        for position, (dim, _) in enumerate(cell.coords):
            rest = cell.coords[:position] + cell.coords[position + 1 :]
            index[(cell.population, rest, dim)].append(cell)
    out: dict[Key, int] = {}
    for key in zeros:
        for position, (dim, chosen) in enumerate(key.coords):
            rest = key.coords[:position] + key.coords[position + 1 :]
            taken: set[str] = set(chosen)
            total = 0
            siblings = sorted(
                index.get((key.population, rest, dim), ()),
                key=lambda cell: (-(values[cell] or 0), cell.id),
            )
            for sibling in siblings:
                sibling_values = sibling.values(dim) or frozenset()
                if sibling != key and not sibling_values & taken:
                    taken |= sibling_values
                    total += values[sibling] or 0
            if total > 0:
                out[key] = min(out.get(key, total), total)
    return out


def zeros_beside_small_totals(
    values: Mapping[Key, int],
    published: Collection[Key],
    threshold: int,
    denominators: Mapping[Key, Collection[Key]] | None = None,
) -> set[Key]:
    """Published zeros beside a total (:func:`zero_totals`) of 1..threshold people, or in a
    row of 1..threshold people (:func:`row_totals`): '0 ethnic minority' among 3
    inspectors tells something about all three, and so does '0 ethnic minority' beside a
    withheld '[c] White'."""
    zeros = [k for k in published if values.get(k) == 0]
    small = [k for k, v in values.items() if v is not None and 1 <= v <= threshold]
    small += [d for k in zeros for d in (denominators or {}).get(k, ())]
    totals = zero_totals(zeros, small, denominators)
    rows = row_totals(zeros, published, values)
    return {
        key
        for key, found in totals.items()
        if any(v is not None and 1 <= v <= threshold for v in map(values.get, found))
        or 1 <= rows.get(key, 0) <= threshold
    }


def withheld_sums(
    truth: Mapping[Key, int | None],
    relations: Sequence[Relation],
    universe: Universe,
    threshold: int,
    *,
    sensitive: Callable[[Key], bool] = is_ethnic,
) -> tuple[dict[Key, int], list[Relation]]:
    """The cells a reader of a distribution works out as the sum of its withheld values,
    with their true counts and their relations (each the sum of its parts).

    Along a dimension declared a distribution (:meth:`Universe.distribution`), each
    relation whose parts include two or more counts from 1 to the threshold that add up
    to no more than it (the Exceptional and the Unsatisfactory of 59 rated, beside 14 +
    33 + 7 shown: 5) gives the cell of those values and the parts that are 0 (a 0
    withheld beside them adds nobody): the primary suppression withholds the small ones,
    so their sum is the total less what is shown, a small count of an ethnic group unless
    one more count beside them is withheld. As a cell of its own, the protection and the
    audit treat it like any other unpublished small count."""
    sums: dict[Key, int] = {}
    found: list[Relation] = []
    for relation in relations:
        total = relation.total
        if len(relation.parts) < 3 or not sensitive(total):
            continue
        if any(p.population != total.population for p in relation.parts):
            continue
        differ = {
            dim
            for part in relation.parts
            for dim in universe.dims(total.population)
            if part.values(dim) != total.values(dim)
        }
        if len(differ) != 1:
            continue
        (dim,) = differ
        if (total.population, dim) not in universe.distributions:
            continue
        counts = [truth.get(p) for p in relation.parts]
        if None in counts:
            continue
        small = [v for v in counts if 1 <= v <= threshold]
        if len(small) < 2 or sum(small) > threshold:
            continue
        chosen = [p for p, v in zip(relation.parts, counts, strict=True) if v <= threshold]
        if len(chosen) == len(relation.parts):
            continue  # the total itself: a small count of its own
        values = frozenset().union(*(p.values(dim) or () for p in chosen))
        key = universe.with_values(total, dim, values)
        if key in truth or key in sums:
            continue
        sums[key] = sum(small)
        found.append(Relation(key, tuple(sorted(chosen))))
    return sums, found


SOLVER_LOG = logging.getLogger(f"{__name__}.highs")


@contextmanager
def solver_output_logged() -> Iterator[None]:
    """What the integer-programme solver prints goes to ``SOLVER_LOG`` (at INFO, a line a
    record), not to the analyst's console: HiGHS as SciPy 1.17 bundles it prints a stray
    debugging line, ``HighsMipSolverData::transformNewIntegerFeasibleSolution
    tmpSolver.run();``, to the C-level stdout (ERGO-Code/HiGHS#2783), which Python's own
    redirection cannot catch. The C-level stdout goes to a temporary file while the block
    runs and is logged after it: logged as it came (through a pipe into the logger), a
    logging handler that writes to stdout would feed the pipe it drains, and the run would
    never end."""
    with tempfile.TemporaryFile() as printed:
        with pipes(stdout=printed, stderr=None):
            yield
        printed.seek(0)
        text = printed.read().decode(errors="replace")
    for line in text.splitlines():
        if line.strip():
            SOLVER_LOG.info(line)


def solving(function: Fn) -> Fn:
    """``function`` run inside one :func:`solver_output_logged` (for the functions that
    solve integer programmes: :func:`protect`, the audit's). Speed: the redirection costs
    about 3.5 ms of wall time (0.5 ms of CPU) to set up and take down, once a call rather
    than once an integer programme, of which a report solves hundreds."""

    @functools.wraps(function)
    def logged(*args, **kwargs):
        with solver_output_logged():
            return function(*args, **kwargs)

    return logged  # type: ignore[return-value]


@solving
def protect(
    values: Mapping[Key, int],
    published: Collection[Key],
    relations: Sequence[Relation],
    threshold: int,
    *,
    sensitive: Callable[[Key], bool] = is_ethnic,
    withheld: Collection[Key] = (),
    known_zeros: Collection[Key] = (),
    denominators: Mapping[Key, Collection[Key]] | None = None,
    targets: Collection[Key] = (),
    shares_of: Mapping[Key, int] | None = None,
) -> Protection:
    """The published counts to withhold so that no small or withheld count can be worked
    out from what is shown, across every table at once.

    ``values`` holds the true value of every key (published, or implied by the relations:
    see :func:`complete_values`); a key whose value is unknown stays unknown.
    ``known_zeros`` are cells a reader knows to be 0 without reading a count
    (:func:`known_zeros`): never withheld, never exposed.
    ``sensitive`` says which
    unpublished keys must not be worked out when they are 1..threshold (ethnic-group cells);
    ``withheld`` are withheld whatever their value. ``denominators`` gives, for a count, the
    counts a table divides it by (a promotion rate's officers in post), or reads it
    against (its column's count in a total row: a funnel's "End to end"): its totals too.

    A shown 0 beside a total of 1..threshold people, or in a row of 1..threshold people
    (:func:`zeros_beside_small_totals`), is withheld. A shown 0 whose total
    (:func:`zero_totals`) is withheld is withheld as well, once secondary suppression is
    done, and secondary suppression runs again for it, until no shown 0 is beside a
    withheld total: '0 promoted' beside '[c] in post' says that all of them, however many,
    were not promoted. A residual of a flow (:func:`flow_relations`)
    whose value is known counts as known to a reader.

    ``shares_of`` gives, for a count, how many published shares or rates divide by it:
    each adds :data:`SHARE_COST` to its cost.

    A sum of some of a relation's unknown parts that is a small count of a group and that
    the relations fix (:func:`_sums_exposed`) becomes a cell of its own (:func:`sum_cell`),
    and the protection starts again with it, what is withheld so far kept withheld.

    Each exposed cell gets the cheapest complement (:func:`cheapest_complement`), and so
    does each of ``targets`` (withheld cells the audit found pinned by what the relations
    alone do not show: counts are never negative), as far as one is found: those for which
    none is are :attr:`Protection.unresolved`.
    """
    published = set(published)
    system = LinearSystem(relations, sorted({*published, *values}))
    n = len(system.keys)
    value = [values.get(k) for k in system.keys]
    is_published = [k in published for k in system.keys]

    def small(i: int) -> bool:
        return value[i] is not None and 1 <= value[i] <= threshold

    protected_implied = {
        i for i in range(n) if not is_published[i] and small(i) and sensitive(system.keys[i])
    }
    known_zeros = set(known_zeros)
    structural = {
        i
        for i in range(n)
        if system.keys[i] in known_zeros
        or (not is_published[i] and is_flow_residual(system.keys[i]) and value[i] is not None)
    }
    reasons: dict[Key, str] = {}
    hidden: set[int] = set()
    for i in range(n):
        key = system.keys[i]
        if is_published[i] and small(i):
            hidden.add(i)
            reasons[key] = "primary"
        elif is_published[i] and key in withheld and i not in structural:
            hidden.add(i)
            reasons[key] = "withheld with another table"
    beside_small = zeros_beside_small_totals(values, published, threshold, denominators)
    wide_zeros = [k for k in published if values.get(k) == 0 and k not in beside_small]
    for key in beside_small:
        i = system.index[key]
        if key in withheld:
            continue
        if implied_by_a_shown_zero(key, wide_zeros):
            continue
        if i not in hidden and i not in structural:
            hidden.add(i)
            reasons[key] = "zero beside a small total"
    implied = {i for i in range(n) if not is_published[i] and i not in structural}

    total_of = {system.index[r.total] for r in relations}
    shares = [(shares_of or {}).get(k, 0) for k in system.keys]
    cost = [
        ((value[i] or 0) + 1) * (TOTAL_COST if i in total_of else 1) * (1 + SHARE_COST * shares[i])
        for i in range(n)
    ]
    cache: dict[frozenset[int], frozenset[int]] = {}

    spaces = NullSpaces(system, _TOLERANCE)  # speed: one factorisation per component

    def exposed_in(
        component: frozenset[int], parts: list[frozenset[int]] | None = None, new: tuple = ()
    ) -> frozenset[int]:
        if component not in cache:
            if parts is None:
                fixed = spaces.determined(component)
            else:
                fixed = spaces.determined_grown(parts, new)
            cache[component] = frozenset(i for i in fixed if i in protected_implied or i in hidden)
        return cache[component]

    def frees(target: int, chosen: list[int]) -> bool:
        """Whether withholding ``chosen`` leaves ``target`` free (checked with the same
        linear algebra as everything else, so the integer programme's tolerance cannot
        let a cell through)."""
        parts = {components.of(target), *components.joined(chosen)}
        grown = frozenset().union(*parts, chosen)
        return target not in exposed_in(grown, list(parts), tuple(chosen))

    unknown = hidden | implied
    components = _Components(system, unknown)
    queue = sorted(c for comp in components.all() for c in exposed_in(comp))
    published_zeros = sorted(k for k in published if values.get(k) == 0)
    totals_of_zeros = zero_totals(published_zeros, published, denominators)

    def withhold(chosen: list[int]) -> None:
        for cell in chosen:
            hidden.add(cell)
            unknown.add(cell)
            components.add(cell)
            reasons[system.keys[cell]] = "secondary"
        for cell in chosen:
            queue.extend(sorted(exposed_in(components.of(cell))))

    fixed_in: dict[frozenset[int], frozenset[int]] = {}

    def worked_out(cell: int) -> bool:
        """Whether an unknown cell is fixed by the relations (``system.determined``)."""
        component = components.of(cell)
        if component not in fixed_in:
            if len(fixed_in) > 5_000:
                fixed_in.clear()
            fixed_in[component] = frozenset(spaces.determined(component))
        return cell in fixed_in[component]

    free_sums: set[tuple[int, ...]] = set()  # cells only become unknown: free stays free
    candidates: dict[tuple[int, ...], list[tuple[int, ...]]] = {}

    def pinned_sums(parts: list[int]) -> list[tuple[int, ...]]:
        """The sets of some of a relation's unknown ``parts`` that are a small count of a
        group (:func:`small_group_subsets`) and whose sum the relations fix: its vector
        (ones on the set) is orthogonal to the null space of the component (a relation
        joins its unknown parts in one)."""
        if len(parts) < 3:
            return []
        key = tuple(parts)
        if key not in candidates:
            if len(candidates) > 20_000:
                candidates.clear()
            candidates[key] = small_group_subsets(parts, value, threshold, system.keys, sensitive)
        out = []
        for chosen in candidates[key]:
            if chosen in free_sums:
                continue
            factor = spaces.factor(components.of(chosen[0]))
            moves = factor.null[[factor.position[c] for c in chosen]].sum(axis=0)
            if np.abs(moves).max(initial=0.0) < FIXED:
                out.append(chosen)
            else:
                free_sums.add(chosen)
        return out

    def free(cell: int) -> list[int]:
        """The cheapest shown counts whose withholding leaves ``cell`` free to move."""
        return (
            cheapest_complement(
                system, cell, unknown, is_published, structural, cost, hidden, value
            )
            or []
        )

    unresolved = set()
    for key in sorted(targets):
        target = system.index.get(key)
        if target is None or target not in unknown:
            continue
        chosen = cheapest_complement(
            system, target, unknown, is_published, structural, cost, hidden, value
        )
        if chosen:
            withhold(chosen)
        else:
            unresolved.add(key)
    while True:
        while queue:
            target = queue.pop()
            if target not in unknown:
                continue
            component = components.of(target)
            if target not in exposed_in(component):
                continue
            chosen = cheapest_complement(
                system, target, unknown, is_published, structural, cost, hidden, value
            )
            if not chosen or not frees(target, chosen):
                chosen = _greedy_complement(
                    system, target, component, is_published, hidden | structural, value,
                    total_of, components, exposed_in,
                )  # fmt: skip
            if len(cache) > 20_000:  # trial components are rarely asked about twice
                cache.clear()
            withhold(chosen)
        # A shown 0 beside a count now withheld: withheld too, then protected in turn.
        shown_zeros = [k for k in published_zeros if system.index[k] not in hidden]
        withholdable = [k for k in shown_zeros if system.index[k] not in structural]
        beside = [
            key
            for key in withholdable
            if any(system.index[t] in hidden for t in totals_of_zeros[key])
            and not implied_by_a_shown_zero(key, shown_zeros)
        ]
        if not beside:
            chosen, pinned = _sums_exposed(
                relations, system, unknown, structural, value, cost, threshold, sensitive,
                worked_out, free, hidden, pinned_sums,
            )  # fmt: skip
            if chosen:
                withhold(chosen)
                continue
            # Some of a relation's unknown parts whose sum several relations fix: each sum
            # becomes a cell of its own, protected like any other (again from the start,
            # with what is withheld so far kept withheld).
            sums = {sum_cell([system.keys[i] for i in s]): s for s in pinned}
            sums = {k: s for k, s in sums.items() if k not in values}
            if not sums:
                break
            summed = [Relation(k, tuple(system.keys[i] for i in s)) for k, s in sums.items()]
            again = protect(
                {**values, **{k: sum(value[i] for i in s) for k, s in sums.items()}},
                published,
                [*relations, *summed],
                threshold, sensitive=sensitive,
                withheld={*withheld, *(system.keys[i] for i in hidden)},
                known_zeros=known_zeros, denominators=denominators, targets=targets,
                shares_of=shares_of,
            )  # fmt: skip
            return Protection(
                withheld=again.withheld,
                known=again.known - set(sums),
                reasons={**again.reasons, **reasons},
                unresolved=again.unresolved,
            )
        for key in beside:
            cell = system.index[key]
            hidden.add(cell)
            unknown.add(cell)
            components.add(cell)
            reasons[key] = "zero beside a withheld total"
        for key in beside:
            queue.extend(sorted(exposed_in(components.of(system.index[key]))))
    unknown = hidden | implied
    fixed = system.determined(unknown)
    known = {system.keys[i] for i in range(n) if i not in unknown or i in fixed}
    return Protection(
        withheld=frozenset(system.keys[i] for i in hidden),
        known=frozenset(known),
        reasons=reasons,
        unresolved=frozenset(unresolved),
    )


def _sums_exposed(
    relations: Sequence[Relation],
    system: LinearSystem,
    unknown: set[int],
    structural: set[int],
    value: list,
    cost: list,
    threshold: int,
    sensitive: Callable[[Key], bool],
    worked_out: Callable[[int], bool],
    free: Callable[[int], list[int]],
    hidden: Collection[int],
    pinned_sums: Callable[[list[int]], list[tuple[int, ...]]],
) -> tuple[list[int], list[tuple[int, ...]]]:
    """Counts to withhold for each relation whose unknown parts (two or more) add up to
    1..threshold beside a total and other parts a reader has, when that sum is a count of
    an ethnic group (:func:`a_group_count`: parts of one group, or of ethnic-minority
    groups however many): "All officers 162 - (Constable 129 + Sergeant 25 + Inspector 7)
    = 1 ethnic-minority officer at Chief Inspector or above", "Chief Inspectors 40 - White
    38 = 2 Black or Mixed" (each withheld cell keeps a range; their sum, itself a count of
    ethnic-minority people, does not). A sum that takes in White or "not stated" beside
    another group is no count of a group and is left alone.

    The total need not be shown: one withheld or unpublished that the relations fix
    (``worked_out``: the rank's ethnic-minority total as the sum of the LPUs' shown ones)
    gives the sum as surely; so does an unpublished part it fixes ("not stated" at a rank
    as all ranks' less the others shown): it is not one of the sum's parts. The cheapest
    shown part that lifts the sum above the threshold, or the total when shown, is
    withheld, so the sum is large or has a range (a shown count that is withheld is then
    protected in turn); when there is neither, the cheapest complement that frees the
    worked-out total (``free``).

    Otherwise, the sets of some of the unknown parts, a small count of a group, whose sum
    the relations fix by combining several (``pinned_sums``: "Chief Inspectors' Asian 0 +
    Other 3", given by the Asian and the Other officers less their other ranks), are
    returned second: no shown count of this relation need free them; the caller makes each
    sum a cell of its own (:func:`sum_cell`) and protects it like any other.

    Cost: :func:`LinearSystem.determined` (``worked_out``) is asked only of the totals
    of relations whose unknown parts do add up to a small count of a group, and of the
    unpublished parts of relations whose withheld ones (``hidden``) do; ``pinned_sums``
    only of sets whose true sum is small."""
    chosen: list[int] = []
    pinned: list[tuple[int, ...]] = []
    for relation in relations:
        total = system.index.get(relation.total)
        parts = [system.index.get(p) for p in relation.parts]
        if total is None or None in parts:
            continue
        unknown_parts = [i for i in parts if i in unknown]
        withheld: list[int] | None = unknown_parts
        if not _small_group_sum(withheld, value, threshold, system.keys, sensitive):
            # an unpublished part the relations fix ("not stated" at a rank, all ranks'
            # less the others shown; a rank's Asian, its total less the others shown) is
            # known to a reader as a shown one is: the others may be such a sum
            within = small_group_within(
                [i for i in withheld if i in hidden],
                [i for i in withheld if i not in hidden],
                value, threshold, system.keys, sensitive,
            )  # fmt: skip
            if not within or not all(worked_out(i) for i in withheld if i not in within):
                within = None
            withheld = within
        if withheld is not None and total in unknown and not worked_out(total):
            withheld = None
        if withheld is None:
            pinned.extend(s for s in pinned_sums(unknown_parts) if s not in pinned)
            continue
        together = sum(value[i] for i in withheld)
        # a shown part that lifts the sum above the threshold, or the total: a 0 or another
        # small part would leave it small, a round each
        options = [
            i
            for i in (*parts, total)
            if i not in unknown
            and i not in structural
            and (i == total or (value[i] or 0) + together > threshold)
        ]
        if set(options) & set(chosen):
            continue
        if options:
            chosen.append(min(options, key=lambda i: (cost[i], i)))
        elif total in unknown:
            chosen.extend(i for i in free(total) if i not in chosen)
    return chosen, pinned


def _greedy_complement(
    system, target, component, is_published, unavailable, value, total_of, components, exposed_in
) -> list[int]:
    """The fallback when :func:`cheapest_complement` finds nothing within reach: the count
    near ``target`` that frees it and exposes least (then a pair), the most preferable
    first (a count that is no total, near, small); ``unavailable``: the cells already
    withheld and those a reader knows without them. Empty when every count is withheld:
    what pins the target then is known without any (the audit agrees)."""
    near = {j for r in system.rows_of[target] for j in system.rows[r]}
    pool = [j for j in near if is_published[j] and j not in unavailable]
    if not pool:
        neighbours = {j for i in component for r in system.rows_of[i] for j in system.rows[r]}
        pool = [j for j in neighbours if is_published[j] and j not in unavailable]
    if not pool:
        pool = [j for j in range(len(system.keys)) if is_published[j] and j not in unavailable]
    if not pool:
        return []  # everything is withheld: the target is known without any count

    def preference(candidate: int) -> tuple:
        return (
            candidate in total_of,
            candidate not in near,
            value[candidate] or 0,
            system.keys[candidate].id,
        )

    def score(*candidates: int) -> tuple:
        """Whether the target stays exposed, then how many more cells are exposed than
        before in the components the candidates join, then preference."""
        joined = components.joined(candidates)
        grown = frozenset().union(*joined, candidates)
        after = exposed_in(grown, joined, candidates)
        before = sum(len(exposed_in(part)) for part in joined)
        return (target in after, len(after) - before,
                *(p for c in candidates for p in preference(c)))  # fmt: skip

    shortlist = sorted(pool, key=preference)[:SHORTLIST]
    best_score, chosen = None, []
    for candidate in shortlist:  # the most preferable first: stop at one that frees the
        scored = score(candidate)  # target and exposes nothing new
        if best_score is None or scored < best_score:
            best_score, chosen = scored, [candidate]
        if not scored[0] and scored[1] <= 0:
            break
    if best_score[0]:
        # No single count frees the target: look one step further, at pairs.
        best_pair = None
        for first in shortlist[:PAIRS]:
            seconds = sorted(
                {j for r in system.rows_of[first] for j in system.rows[r]
                 if is_published[j] and j not in unavailable and j != first},
                key=preference,
            )[:PAIRS]  # fmt: skip
            for second in seconds:
                scored = score(first, second)
                if not scored[0] and (best_pair is None or scored < best_pair[0]):
                    best_pair = (scored, [first, second])
            if best_pair is not None and best_pair[0][1] <= 0:
                break
        if best_pair is not None:
            chosen = best_pair[1]
    return chosen


def _reach(system: LinearSystem, start: set[int], unknown: set[int], depth: int) -> set[int]:
    """The cells within ``depth`` relations of ``start``, with every unknown cell that a
    cell among them shares a relation with, and the whole component of each unknown cell
    (unknown cells are free to move, so withholding a count joins it to them)."""
    region, ring = set(start), set(start)
    for _ in range(depth):
        ring = {j for i in ring for r in system.rows_of[i] for j in system.rows[r]} - region
        beside = {j for i in ring for r in system.rows_of[i] for j in system.rows[r]}
        for cell in sorted((ring | beside) & unknown):
            if cell not in region and cell not in ring:
                ring |= system.component_of(cell, unknown)
        region |= ring
    return region


def _near(system: LinearSystem, target: int, unknown: set[int], depth: int) -> set[int]:
    """The cells within ``depth`` relations of ``target``, with every unknown cell that a
    cell among them shares a relation with (as :func:`_reach`, without the whole
    components of those unknown cells)."""
    region, ring = {target}, {target}
    for _ in range(depth):
        ring = {j for i in ring for r in system.rows_of[i] for j in system.rows[r]} - region
        beside = {j for i in ring for r in system.rows_of[i] for j in system.rows[r]}
        ring |= (beside & unknown) - region
        region |= ring
    return region


def cheapest_complement(
    system: LinearSystem,
    target: int,
    unknown: set[int],
    is_published: Sequence[bool],
    structural: Collection[int],
    cost: Sequence[float],
    hidden: Collection[int],
    value: Sequence[int | None],
) -> list[int] | None:
    """The cheapest set of shown counts whose withholding leaves ``target`` free to move:
    the minimum-cost secondary suppression of one cell (as τ-ARGUS's optimal method and
    sdcTable's), an integer programme solved by HiGHS (``scipy.optimize.milp``).

    The target can be worked out exactly when every solution of the relations agrees on it,
    that is when no vector ``x`` with ``A x = 0`` (a way to change the unknown cells that
    keeps every relation true) has ``x[target] != 0``. So: find ``x`` with ``x[target] = 1``,
    ``A x = 0``, ``x`` zero on every count left shown and on cells a reader knows
    (``structural``), free on the unknown cells (``unknown``: withheld or unpublished), and
    ``|x[i]| <= M s[i]`` with ``s[i]`` binary for every shown count; minimise the sum of
    ``cost[i] s[i]``. Counts are never negative, so a cell whose ``value`` is 0 may only
    rise (``x[i] >= 0``): "0 + x = 0" pins the x as surely as a relation (the target is
    tried rising, then falling). The counts with ``s[i] = 1`` are the complement; in a
    cheapest one each moves with the target (else it could be dropped), so none of them can
    be worked out either. The programme is first over the cells within :data:`NEAR`
    relations of the target itself, then over those within :data:`REACH` relations of the
    target's component (nearest first, widening); ``None`` when none is found there. (Speed:
    the component of unknown cells can hold most of a report's unpublished cells, and a
    programme over all of them for every exposed count grew with the square of the cells
    published; a complement is nearly always among the target's neighbours.) What the
    solver prints is logged by the caller (:func:`protect` is :func:`solving`).
    """

    def regions():
        yield _near(system, target, unknown, NEAR)
        component = system.component_of(target, unknown)
        for depth in range(REACH_FROM, REACH + 1):
            yield _reach(system, component, unknown, depth)

    def searches():
        """Every region without the whole populations' counts (the headline every
        breakdown is read against), then, only if none frees the target, with them."""
        seen = []
        for region in regions():
            seen.append(region)
            yield region, True
        for region in seen:
            yield region, False

    for region, keep_whole in searches():
        free = sorted(i for i in region if i in unknown and i not in structural)
        shown = sorted(
            i
            for i in region
            if is_published[i]
            and i not in unknown
            and i not in hidden
            and i not in structural
            and not (keep_whole and is_whole(system.keys[i]))
        )
        if not shown:
            continue
        cells = free + shown
        position = {c: p for p, c in enumerate(cells)}
        n_x, n_s = len(cells), len(shown)
        relations = sorted({r for c in cells for r in system.rows_of[c]})
        entries: list[tuple[int, int, float]] = [
            (m, position[i], c)
            for m, r in enumerate(relations)
            for i, c in system.rows[r].items()
            if i in position
        ]
        base = len(relations)
        for k, i in enumerate(shown):  # x[i] - M s[i] <= 0 and -x[i] - M s[i] <= 0
            up, down = base + 2 * k, base + 2 * k + 1
            entries += [(up, position[i], 1.0), (down, position[i], -1.0),
                        (up, n_x + k, -BIG_M), (down, n_x + k, -BIG_M)]  # fmt: skip
        rows, columns, data = zip(*entries, strict=True)
        shape = (base + 2 * n_s, n_x + n_s)
        matrix = coo_matrix((data, (rows, columns)), shape=shape).tocsr()
        upper_rows = np.zeros(shape[0])
        lower_rows = np.concatenate([np.zeros(base), np.full(2 * n_s, -np.inf)])
        lower = np.full(n_x + n_s, -BIG_M)
        upper = np.full(n_x + n_s, BIG_M)
        lower[n_x:], upper[n_x:] = 0.0, 1.0
        # A count of 0 can only be larger: every direction of change raises it.
        lower[[position[i] for i in cells if value[i] == 0]] = 0.0
        objective = np.concatenate([np.zeros(n_x), [cost[i] for i in shown]])
        for sign in (1.0, -1.0) if value[target] else (1.0,):
            lower[position[target]] = upper[position[target]] = sign
            result = milp(
                objective,
                constraints=LinearConstraint(matrix, lower_rows, upper_rows),
                integrality=np.concatenate([np.zeros(n_x), np.ones(n_s)]),
                bounds=Bounds(lower, upper),
                options={"time_limit": MILP_SECONDS},
            )
            if result.x is not None and result.status in (0, 1):
                return [i for k, i in enumerate(shown) if result.x[n_x + k] > 0.5]
    return None


class _Components:
    """The components of the unknown cells, kept up to date as cells are added (a
    union of the neighbours' components), so that no search repeats."""

    def __init__(self, system: LinearSystem, unknown: set[int]) -> None:
        self.system = system
        self.unknown = set(unknown)
        self.owner: dict[int, int] = {}
        self.members: dict[int, frozenset[int]] = {}
        for number, component in enumerate(system.components(self.unknown)):
            self.members[number] = frozenset(component)
            for cell in component:
                self.owner[cell] = number
        self._next = len(self.members)

    def all(self) -> list[frozenset[int]]:
        return list(self.members.values())

    def of(self, cell: int) -> frozenset[int]:
        return self.members[self.owner[cell]]

    def _touching(self, cell: int) -> set[int]:
        rows = self.system.rows
        return {
            self.owner[j]
            for r in self.system.rows_of[cell]
            for j in rows[r]
            if j in self.unknown and j != cell
        }

    def joined(self, cells) -> list[frozenset[int]]:
        """The current components that ``cells`` would join if they became unknown."""
        owners: set[int] = set()
        for cell in cells:
            if cell in self.unknown:
                owners.add(self.owner[cell])
            else:
                owners |= self._touching(cell)
        return [self.members[o] for o in owners]

    def add(self, cell: int) -> None:
        if cell in self.unknown:
            return
        owners = self._touching(cell)
        merged = frozenset().union(*(self.members.pop(o) for o in owners), {cell})
        self.unknown.add(cell)
        number, self._next = self._next, self._next + 1
        self.members[number] = merged
        for member in merged:
            self.owner[member] = number


def withheld_share(protection: Protection, keys: Iterable[Key], values: Mapping[Key, int]):
    """Of the non-zero counts among ``keys``, the share withheld."""
    nonzero = [k for k in keys if values.get(k)]
    if not nonzero:
        return 0.0
    return sum(k in protection.withheld for k in nonzero) / len(nonzero)


def choose_grouping(
    levels: Sequence[T], protect_level: Callable[[T], float], max_withheld_share: float
) -> tuple[T, bool]:
    """The finest level whose table withholds at most ``max_withheld_share`` of its counts.

    ``protect_level`` protects the table at a level and returns its withheld share. Returns
    the level and whether it is coarser than the first (so the section can say so); when even
    the coarsest is mostly withheld it is still used (withheld cells stay withheld).
    """
    for position, level in enumerate(levels):
        if protect_level(level) <= max_withheld_share or position == len(levels) - 1:
            return level, position > 0
    raise ValueError("choose_grouping needs at least one level")
