"""The cells the report publishes, named by what they count (:class:`pipeline.disclosure.Key`).

One :class:`Cells` per build holds the populations (each staff snapshot, each selection
process, the data-quality counts), their dimensions and values read from the database, and
the groups the report compares, read from the reference tables built from the
configuration (``ref.groupings``, ``ref.grouping_levels``, ``ref.comparison_groups``), so
nothing here decides who is in which group.

Staff snapshot dimensions: ``post`` (``worker_type/rank_or_band``), ``eth`` (the 18+1
codes), ``lpu``, ``dept``, ``role``; for a snapshot that starts a period, also what happened
to each person by the next one: ``promoted`` (yes, no), ``leaving`` (stayed or the reason)
and ``service`` (under_2 or not, at leaving). Selection processes: ``stage`` (each stage,
and e2e for the whole process), ``outcome``, ``eth``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import duckdb
import pandas as pd

from pipeline import codes
from pipeline.config import Settings
from pipeline.disclosure import POPULATION, Flow, Key, Universe

ETHNICITY_CODES = tuple(e.code for e in codes.ETHNICITIES)
NOT_STATED = frozenset({codes.NOT_STATED})
STATED = frozenset(ETHNICITY_CODES) - NOT_STATED
NO_UNIT = "(not recorded)"
LEAVING = ("stayed", "resignation", "retirement", "dismissal", "other")
OUTCOMES = ("passed", "failed", "withdrew", "did_not_attend", "in_progress")
LISTING = ("post", "lpu", "dept", "role", "stage", "item", "route")
"""Dimensions whose values the tables list as rows when someone has them: an officer entry
route no row lists (the routes of other worker types, "Not applicable") is one nobody joined
by, so the routes listed add up to "all routes" and a withheld one is their difference."""
JOINERS = "joiners"
"""The joiners' population (:func:`pipeline.report.trends.joiners_population`)."""


def _unit(label) -> str:
    return NO_UNIT if label is None else str(label)


def post(worker_type: str, rank_or_band: str) -> str:
    return f"{worker_type}/{rank_or_band}"


@dataclass(frozen=True)
class Comparison:
    """The two groups the fairness sections compare, as configured."""

    code: str
    group_code: str
    group_label: str
    reference_code: str
    reference_label: str


class Cells:
    """Populations, their keys, and the groups, for one report build."""

    def __init__(self, con: duckdb.DuckDBPyConnection, settings: Settings) -> None:
        self.con = con
        self.settings = settings
        self.universe = Universe(listing=LISTING)
        self.memo: dict[str, dict] = {}
        """Grids several sections share, built once per report."""
        self._held: dict = {}

    # ------------------------------------------------------------------ groups

    @cached_property
    def members(self) -> dict[str, frozenset[str]]:
        rows = self.con.execute(
            "select group_code, ethnicity_code from ref.grouping_members"
        ).fetchall()
        out: dict[str, set[str]] = {}
        for group, code in rows:
            out.setdefault(group, set()).add(code)
        return {g: frozenset(m) for g, m in out.items()}

    @cached_property
    def labels(self) -> dict[str, str]:
        return dict(
            self.con.execute("select group_code, group_label from ref.groupings").fetchall()
        )

    @cached_property
    def levels(self) -> list[tuple[str, str, tuple[str, ...]]]:
        """(level code, description, group codes) from detailed to binary."""
        frame = self.con.execute(
            "select * from ref.grouping_levels order by level_order, sort_order"
        ).df()
        return [
            (code, str(part["level_label"].iloc[0]), tuple(part["group_code"]))
            for code, part in frame.groupby("level_code", sort=False)
        ]

    @cached_property
    def headline(self) -> str:
        return self.settings.groups.headline

    @cached_property
    def comparison(self) -> Comparison:
        """The ethnic comparison the fairness sections show: the configured reference group
        against the first other group of the first comparison that has it."""
        frame = self.con.execute(
            """select * from ref.comparison_groups
               where comparison_code in ('ethnic_minority', 'broad_group')
               order by comparison_sort_order, group_sort_order"""
        ).df()
        for code, part in frame.groupby("comparison_code", sort=False):
            reference = part[part["is_reference_group"]]
            others = part[~part["is_reference_group"]]
            if len(reference) and len(others):
                return Comparison(
                    str(code),
                    str(others.iloc[0]["group_code"]),
                    str(others.iloc[0]["group_label"]),
                    str(reference.iloc[0]["group_code"]),
                    str(reference.iloc[0]["group_label"]),
                )
        raise ValueError("No ethnic comparison has a reference group in ref.comparison_groups")

    @cached_property
    def comparison_members(self) -> dict[str, frozenset[str]]:
        rows = self.con.execute(
            """select group_code, ethnicity_code from ref.comparison_members
               where comparison_code = ?""",
            [self.comparison.code],
        ).fetchall()
        out: dict[str, set[str]] = {}
        for group, code in rows:
            out.setdefault(group, set()).add(code)
        return {g: frozenset(m) for g, m in out.items()}

    # ------------------------------------------------------------------ staff snapshots

    @cached_property
    def every_post(self) -> frozenset[str]:
        """Every post (worker type and rank or band) anyone holds on any snapshot date, and
        every officer rank: the values of each snapshot's ``post`` dimension. A post nobody
        holds on a date is a cell of that date with nobody in it (a count of 0, as a reader
        who sees no row for it takes it to be), so a table can key a cell on it (the
        constables of a force that has none left) without the build stopping."""
        rows = self.con.execute(
            "select distinct worker_type, rank_or_band from analytics.workforce_by_ethnicity"
        ).fetchall()
        return frozenset(post(w, r) for w, r in rows) | frozenset(
            post("police_officer", rank) for rank in codes.OFFICER_RANKS
        )

    def held_posts(self, snapshot_date) -> frozenset[str]:
        """The posts someone holds on a snapshot date (a subset of :attr:`every_post`)."""
        date = pd.Timestamp(snapshot_date).date()
        if date not in self._held:
            rows = self.con.execute(
                """select distinct worker_type, rank_or_band from analytics.workforce_by_ethnicity
                   where snapshot_date = ? and headcount > 0""",
                [date],
            ).fetchall()
            self._held[date] = frozenset(post(w, r) for w, r in rows)
        return self._held[date]

    def staff(self, snapshot_date, *, movements: bool = False) -> str:
        """The population of a staff snapshot, registered with its dimensions."""
        date = pd.Timestamp(snapshot_date)
        name = f"staff {date:%Y-%m-%d}"
        if name not in self.universe.domains:
            lpus = self.con.execute(
                """select distinct lpu_code from analytics.representation
                   where snapshot_date = ? and lpu_code <> 'All'""",
                [date.date()],
            ).fetchall()
            units = self.con.execute(
                """select distinct unit_type, unit_label from analytics.specialist_roles
                   where snapshot_date = ?""",
                [date.date()],
            ).fetchall()
            self.universe.add(
                name,
                post=self.every_post or {"none"},
                eth=ETHNICITY_CODES,
                lpu=[_unit(c) for (c,) in lpus] or [NO_UNIT],
                dept=[_unit(label) for kind, label in units if kind == "department"] or [NO_UNIT],
                role=[_unit(label) for kind, label in units if kind == "role"] or [NO_UNIT],
            )
            self._same_units_as_posts(date, name)
        if movements:
            self.universe.add(
                name, promoted=("yes", "no"), leaving=LEAVING, service=("under_2", "2_or_more")
            )
            self._add_flow(date, name)
        return name

    def _same_units_as_posts(self, date: pd.Timestamp, name: str) -> None:
        """Declare each department or role whose people are exactly those of some posts
        (the role "Chief Officer" and the chief officer ranks), and the rest of the force
        beside it, the same cells as those posts' (:meth:`Universe.same`): a reader who
        sees that the role's counts are the sums of the ranks' works out a rank's withheld
        count from the role's, so the two must be protected as one."""
        rows = self.con.execute(
            """with staff as (
                   select worker_type || '/' || rank_or_band as post,
                          coalesce(department, ?) as dept, coalesce(role, ?) as role
                   from staging.stg_hr__staff_snapshots where snapshot_date = ?
               ),
               units as (
                   select 'dept' as dim, dept as unit, post from staff
                   union all select 'role', role, post from staff
               ),
               held as (
                   select dim, unit, list(distinct post) as posts, count(*) as people
                   from units group by all
               )
               select dim, unit, posts from held
               where people = (select count(*) from staff where list_contains(held.posts, post))
            """,
            [NO_UNIT, NO_UNIT, date.date()],
        ).fetchall()
        domains = self.universe.dims(name)
        held = dict(
            self.con.execute(
                """select 'dept', list(distinct coalesce(department, ?)) from
                   staging.stg_hr__staff_snapshots where snapshot_date = ?
                   union all select 'role', list(distinct coalesce(role, ?)) from
                   staging.stg_hr__staff_snapshots where snapshot_date = ?""",
                [NO_UNIT, date.date(), NO_UNIT, date.date()],
            ).fetchall()
        )
        for dim, unit, posts in rows:
            if unit not in domains[dim] or domains[dim] == {unit} or set(posts) - domains["post"]:
                continue
            self.universe.same(name, {dim: [unit]}, {"post": posts})
            if set(held[dim]) <= domains[dim]:  # the rest of the unit's dimension is everyone else
                rest = domains["post"] - set(posts)
                self.universe.same(name, {dim: domains[dim] - {unit}}, {"post": rest})

    def _add_flow(self, date: pd.Timestamp, name: str) -> None:
        """The flow from this snapshot to the next (the period its movements cover), with
        the joiners' reporting years in between when the period is whole reporting years
        (31 March to 31 March), so that the audit sees start + joiners - leavers = end."""
        (end,) = self.con.execute(
            "select min(snapshot_date) from analytics.representation where snapshot_date > ?",
            [date.date()],
        ).fetchone()
        if end is None:
            return
        end = pd.Timestamp(end)
        if not (date.month, date.day) == (end.month, end.day) == (3, 31):
            return  # joiners are counted by reporting year: they would not line up
        years = tuple(str(y) for y in range(date.year + 1, end.year + 1))
        self.universe.add_flow(
            Flow(start=name, end=f"staff {end:%Y-%m-%d}", joiners=JOINERS, years=years)
        )

    def posts(self, population: str, worker_type: str | None = None, rank: str | None = None):
        """The post values of a worker type (every rank), or of one rank: values of the
        population's ``post`` dimension, held on its date or not (see :attr:`every_post`)."""
        everything = self.universe.dims(population)["post"]
        if worker_type is None:
            return everything
        if rank is not None:
            return frozenset({post(worker_type, rank)})
        return frozenset(p for p in everything if p.startswith(f"{worker_type}/"))

    def key(self, population: str, **dims) -> Key:
        return self.universe.key(population, **dims)

    def eth(self, group: str) -> frozenset[str]:
        """The codes of a grouping, or "all", "stated", "NS"."""
        if group == "all":
            return frozenset(ETHNICITY_CODES)
        if group == "stated":
            return STATED
        if group == "NS":
            return NOT_STATED
        return self.members[group]

    # ------------------------------------------------------------------ selection processes

    def selection(self, process_type: str, process_id: str, stages) -> str:
        name = f"{process_type} {process_id}"
        self.universe.add(
            name, stage=[*(str(s) for s in stages), "e2e"], outcome=OUTCOMES, eth=ETHNICITY_CODES
        )
        if stages:  # passed end to end = passed the last stage: the same people, one cell
            self.universe.same(
                name,
                {"stage": ["e2e"], "outcome": ["passed"]},
                {"stage": [str(max(int(s) for s in stages))], "outcome": ["passed"]},
            )
            if process_type == "promotion":
                self._passes_as_promotions(name, process_id, str(max(int(s) for s in stages)))
        return name

    def _passes_as_promotions(self, name: str, process_id: str, last: str) -> None:
        """Declare a promotion board's last-stage passes the same cell as the officers of
        one rank on a snapshot who held a higher rank on the next (the promotion rates'),
        when they are the same people with the same recorded ethnicity: a reader who sees
        the White passes equal the White constables promoted works out the group's
        withheld passes from the group's promotions, so the two are protected as one.
        Observed, not defined: ``tables.json`` does not state it (:meth:`Universe.same`)."""
        found = self.con.execute(
            """with passed as (
                   select candidate_key as staff_key, characteristics_snapshot_date as start
                   from intermediate.int_selection__candidate_stages
                   where process_type = 'promotion' and process_id = ?
                     and stage_order = ? and outcome = 'passed'
               ),
               starts as (select distinct start from passed),
               ending as (
                   select min(snapshot_date) as end_date from analytics.representation
                   where snapshot_date > (select min(start) from starts)
               ),
               ranks as (
                   select snapshot.rank_or_band, snapshot.staff_key
                   from staging.stg_hr__staff_snapshots as snapshot
                   where snapshot.worker_type = 'police_officer'
                     and snapshot.snapshot_date = (select min(start) from starts)
               ),
               promoted as (
                   select starting.staff_key, starting.rank_or_band
                   from intermediate.int_staff__with_groups as starting
                   join intermediate.int_staff__with_groups as later
                     on later.staff_key = starting.staff_key
                    and later.snapshot_date = (select end_date from ending)
                    and later.worker_type = 'police_officer'
                   where starting.worker_type = 'police_officer'
                     and starting.snapshot_date = (select min(start) from starts)
                     and later.rank_order > starting.rank_order
               ),
               from_rank as (
                   select distinct rank_or_band from ranks
                   where staff_key in (select staff_key from passed)
               )
               select (select min(start) from starts), (select any_value(rank_or_band)
                       from from_rank)
               where (select count(*) from starts) = 1
                 and (select count(*) from from_rank) = 1
                 and (select end_date from ending) is not null
                 and (select count(*) from passed) > 0
                 and (select list(staff_key order by staff_key) from passed)
                     = (select list(staff_key order by staff_key) from promoted
                        where rank_or_band = (select any_value(rank_or_band) from from_rank))
            """,
            [process_id, int(last)],
        ).fetchone()
        if found is None:
            return
        start, rank = found
        staff = self.staff(start, movements=True)
        self.universe.same(
            name,
            {"stage": [last], "outcome": ["passed"]},
            {POPULATION: [staff], "post": [post("police_officer", rank)], "promoted": ["yes"]},
            observed=True,
        )

    # ------------------------------------------------------------------ other counts

    def items(self, population: str, **domains) -> str:
        """A population of things counted that are not people by group (rows of files,
        checks): its dimensions and their values."""
        self.universe.add(
            population, **{d: [str(v) for v in values] or ["none"] for d, values in domains.items()}
        )
        return population
