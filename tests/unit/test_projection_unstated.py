"""A scope in which nobody has a stated ethnicity has no share to project (hostile 8,
finding 2).

A force whose police staff were all "not stated" was projected with an ethnic-minority share
of police staff of about 50%, rising from nothing: their joiners' mix was drawn from a
Jeffreys Dirichlet, ``Dirichlet(joiners + 1/2)``, which with no stated joiner gives a few
stated recruits from the prior alone, half of them in the group; the median of the futures
in which anyone stated was then about 50%, and "where today's rates settle" near 53%. The
same held for a rank nobody at which stated (its futures' shares came from whoever arrived
later). Now a worker type none of whose joiners stated recruits nobody who states, and a
scope nobody in which stated at the latest snapshot is not projected
(:func:`pipeline.flows.stated_now`): no share, band, chance, settling share or straight
line, and no recruits' share or promotion rate is solved for it.
"""

from __future__ import annotations

import math
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from pipeline import flows, warehouse

SQL = Path(__file__).resolve().parents[2] / "sql" / "marts"
STAFF_BANDS = ("Band A", "Band B")
OFFICER_RANKS = ("Constable", "Sergeant", "Inspector")


def _counts() -> flows.Counts:
    """Officers who stated (but nobody at Inspector did) and police staff of whom nobody
    stated, nor did any of their joiners."""
    ladder = flows.Ladder(
        ("police_officer",) * 3 + ("police_staff",) * 2, OFFICER_RANKS + STAFF_BANDS
    )
    #                   Con  Sgt  Insp  A    B
    stock = np.array([[20.0, 4.0, 0.0, 0.0, 0.0],  # in the group
                      [70.0, 16.0, 0.0, 0.0, 0.0],  # everyone else who stated
                      [10.0, 2.0, 3.0, 30.0, 10.0]])  # not stated  # fmt: skip
    leavers = np.array([[2.0, 0.0, 0.0, 0.0, 0.0],
                        [7.0, 2.0, 0.0, 0.0, 0.0],
                        [1.0, 0.0, 1.0, 4.0, 1.0]])  # fmt: skip
    promoted = np.array([[2.0, 0.0, 0.0, 0.0, 0.0],
                         [6.0, 2.0, 0.0, 0.0, 0.0],
                         [1.0, 0.0, 0.0, 1.0, 0.0]])  # fmt: skip
    joiners = np.array([[3.0, 0.0, 0.0, 0.0, 0.0],
                        [7.0, 0.0, 0.0, 0.0, 0.0],
                        [1.0, 0.0, 0.0, 5.0, 0.0]])  # fmt: skip
    return flows.Counts(ladder, stock, stock.copy(), leavers, promoted, joiners)


def test_no_stated_recruits_are_drawn_where_no_joiner_stated():
    """The drawn recruits' mix of a worker type none of whose joiners stated is all not
    stated, as the observed (point) mix is: the Dirichlet gave about one recruit in seven a
    stated ethnicity, in the group half the time."""
    counts = _counts()
    drawn = counts.drawn_rates(np.random.default_rng(1), 200)
    staff = counts.ladder.types.index("police_staff")
    np.testing.assert_array_equal(drawn.recruit_mix[:, flows.IN, staff], 0.0)
    np.testing.assert_array_equal(drawn.recruit_mix[:, flows.REST, staff], 0.0)
    futures = flows.simulate(counts, 10, 200, np.random.default_rng(2), drawn)
    staff_positions = counts.ladder.positions("police_staff")
    assert np.isnan(flows.group_share(futures, staff_positions)).all()
    at_rest = flows.stationary(counts.stock, drawn, counts.ladder)  # solved: to rounding
    np.testing.assert_array_equal(at_rest[:, : flows.NS][..., staff_positions], 0.0)
    # no share at rest of nobody (the solve's 1e-14 leftovers gave 100% in 137 of 200 draws)
    assert np.isnan(flows.group_share(at_rest, staff_positions)).all()
    # officers' joiners stated: their mix is still drawn
    officers = counts.ladder.types.index("police_officer")
    assert drawn.recruit_mix[:, flows.IN, officers].std() > 0


def test_nothing_is_solved_for_a_scope_nobody_in_which_stated():
    """What it would take: no recruits' share or promotion factor for a scope with no
    stated ethnicity (bisection on a gap that is NaN everywhere gave a share of 100% and a
    factor of 1000, "not reachable")."""
    counts = _counts()
    rates, ladder = counts.point_rates(), counts.ladder
    inspectors = ladder.positions("police_officer", "Inspector")
    staff = ladder.positions("police_staff")
    staff_type = [ladder.types.index("police_staff")]
    assert not flows.stated_now(counts.stock, inspectors)
    assert flows.stated_now(counts.stock, ladder.positions("police_officer"))
    solved = flows.solve_recruit_share(counts.stock, rates, ladder, staff, 0.3, 5.0, staff_type)
    assert solved == flows.NO_SHARE and solved.value is None and not solved.stated
    below = ladder.positions("police_officer")[:2]
    solved = flows.solve_promotion_factor(counts.stock, rates, ladder, inspectors, 0.3, 5.0, below)
    assert solved.value is None and not solved.stated


def _rates_frame(counts: flows.Counts) -> pd.DataFrame:
    rows = []
    ladder = counts.ladder
    for k, (worker_type, rank) in enumerate(zip(ladder.worker_types, ladder.ranks, strict=True)):
        order = ladder.positions(worker_type).tolist().index(k) + 1
        for m, membership in enumerate(flows.MEMBERSHIPS):
            rows.append(
                {
                    "group_code": "minority", "membership_code": membership,
                    "membership_sort_order": m + 1, "worker_type": worker_type,
                    "rank_or_band": rank, "rank_order": order,
                    "snapshot_date": pd.Timestamp("2026-03-31"), "periods_per_year": 1.0,
                    "headcount": counts.stock[m, k], "in_post_count": counts.in_post[m, k],
                    "leaver_count": counts.leavers[m, k],
                    "promoted_count": counts.promoted[m, k],
                    "joiner_count": counts.joiners[m, k],
                }
            )  # fmt: skip
    return pd.DataFrame(rows)


def _database(counts: flows.Counts) -> duckdb.DuckDBPyConnection:
    """The tables the projection model reads, with the counts above."""
    con = duckdb.connect()
    for schema in ("marts", "ref"):
        con.execute(f"create schema {schema}")
    rates = _rates_frame(counts)  # noqa: F841 (read by name below)
    con.execute("create table marts.projection_rates as select * from rates")
    con.execute(
        """create table ref.projection_settings as select 20 as horizon_years,
           400 as simulations, 7 as seed, 0.8::double as band, 3 as window_years"""
    )
    con.execute(
        """create table marts.population_benchmark as
           select 'force' as area_level, 'minority' as group_code,
                  0.3::double as population_share"""
    )
    con.execute(
        """create table marts.representation_trend as
           select date '2026-03-31' as snapshot_date, 'All' as lpu_code,
                  'minority' as group_code, worker_type, rank_or_band,
                  0.2::double as group_share, 0.2::double as trend_group_share,
                  0.01::double as trend_share_change_per_year
           from (values ('police_staff', 'All'), ('police_staff', 'Band A'),
                        ('police_officer', 'Inspector'), ('police_officer', 'All'))
                as t (worker_type, rank_or_band)"""
    )
    con.execute(
        """create table ref.worker_types as select * from (values
           ('police_officer', 'Police officers'), ('police_staff', 'Police staff'))
           as t (worker_type, worker_type_label)"""
    )
    con.execute(
        """create table ref.groupings as select 'minority' as group_code,
           'Ethnic minority' as group_label"""
    )
    con.execute(
        """create table ref.projection_groups as select 'minority' as group_code,
           1 as projection_sort_order"""
    )
    return con


def test_a_scope_nobody_in_which_stated_is_not_projected():
    """marts.projections on tiny in-memory counts: police staff (nobody stated, nor any of
    their joiners) and Inspector (three people, none stated; officers promoted into it
    later would state) have rows with headcounts but no share, band, chance, settling share,
    straight line or stated headcounts, in every year; officers and the workforce are
    projected, and the workforce's stated people are all officers in every future."""
    counts = _counts()
    con = _database(counts)
    module = warehouse._load_python_model(SQL / "projections.py")
    frame = module.model(con)
    shares = ["projected_group_share", "projected_group_share_lower",
              "projected_group_share_upper", "reach_probability", "long_run_group_share",
              "straight_line_group_share", "projected_group_headcount",
              "projected_declared_headcount"]  # fmt: skip
    unstated = [("police_staff", "All"), ("police_staff", "Band A"),
                ("police_staff", "Band B"), ("police_officer", "Inspector")]  # fmt: skip
    for worker_type, rank in unstated:
        rows = frame[(frame["worker_type"] == worker_type) & (frame["rank_or_band"] == rank)]
        assert len(rows) == 21
        assert rows[shares].isna().all().all(), (worker_type, rank, rows[shares].dropna())
        assert (rows["projected_headcount"] > 0).all()
    for worker_type, rank in [("police_officer", "All"), ("police_officer", "Constable"),
                              ("All", "All")]:  # fmt: skip
        rows = frame[(frame["worker_type"] == worker_type) & (frame["rank_or_band"] == rank)]
        assert rows["projected_group_share"].notna().all(), (worker_type, rank)
        assert rows["long_run_group_share"].notna().all()
    everyone = frame[frame["worker_type"] == "All"].set_index("projection_year")
    officers = frame[(frame["worker_type"] == "police_officer") & (frame["rank_or_band"] == "All")]
    officers = officers.set_index("projection_year")
    # the central future of the workforce need not be the officers', but no staff member
    # states in any future: the workforce's stated people are officers, so its share is the
    # share among them
    assert (everyone["projected_declared_headcount"] <= officers["projected_headcount"]).all()
    assert math.isclose(everyone.loc[0, "projected_group_share"], 24 / 110)


def test_the_outlook_says_why_a_scope_is_not_projected():
    """marts.projection_outlook's status names the reason (it said 'not computable', the
    word for a missing population share)."""
    counts = _counts()
    con = _database(counts)
    module = warehouse._load_python_model(SQL / "projections.py")
    projections = module.model(con)  # noqa: F841 (read by name below)
    con.execute("create table marts.projections as select * from projections")
    rates = _rates_frame(counts)  # noqa: F841
    sql = (SQL / "projection_outlook.sql").read_text(encoding="utf-8")
    status = {
        (w, r): s
        for w, r, s in con.execute(
            f"select worker_type, rank_or_band, parity_status from ({sql})"
        ).fetchall()
    }
    reason = "not projected: nobody stated an ethnicity"
    assert status[("police_staff", "All")] == reason
    assert status[("police_staff", "Band A")] == reason
    assert status[("police_officer", "Inspector")] == reason
    assert not status[("police_officer", "All")].startswith("not projected")


TARGET = """
[[targets]]
code = "t-staff"
worker_type = "police_staff"
share = 0.3
by_date = 2031-03-31
"""


def _shown_in_full(table):
    """The table as it reads when disclosure control withholds nothing (every count known):
    what its words say wherever its counts are shown."""
    from pipeline.disclosure import Protection

    keys = frozenset(
        key
        for name in table.frame.columns
        if name.endswith("@key")
        for key in table.frame[name]
        if key is not None and not isinstance(key, float)
    )
    table.protect_with(Protection(withheld=frozenset(), known=keys))
    return table


def test_the_report_says_why_police_staff_are_not_projected(tmp_path):
    """A random force (seed 31, 200 people) whose police staff and PCSOs all have no stated
    ethnicity. In the database: no share, band or settling share for them, and their share
    target no flow model figure nor recruits' share needed, with the reason in its note.
    In the report: every figure of theirs is withheld or [x] (never a number); where their
    counts are shown (here, as they read with nothing withheld: this force's disclosure
    control withholds them) the table shows [x] for their shares with the reason as the
    status, and the words say it, and the share target's sentence says why its progress
    cannot be shown. (Police staff were projected from nothing to 54.5% by 2046, 'where
    today's rates settle' 53.2%, 'not computable', with no word of why; the target was
    given a recruits' share needed of 100%.)"""
    from conftest import write_config
    from force_factory import build_database, random_force

    from pipeline import codes
    from pipeline.config import load_settings
    from pipeline.report import build, outlook
    from pipeline.report.cells import Cells
    from pipeline.report.declared import Withheld

    settings = load_settings(write_config(tmp_path, TARGET))
    raw = random_force(31, size=200)
    for kind in ("staff_snapshot", "joiners_leavers"):
        frame = raw[kind]
        frame.loc[frame["worker_type"] != "police_officer", "ethnicity_code"] = codes.NOT_STATED
    con = build_database(settings, raw)
    (projected,) = con.execute(
        """select count(*) from analytics.projections where worker_type <> 'police_officer'
           and worker_type <> 'All' and (projected_group_share is not null
               or long_run_group_share is not null)"""
    ).fetchone()
    assert projected == 0
    (target,) = con.execute(
        """select projected_group_share, needed_recruit_share, note
           from analytics.target_progress where target_code = 't-staff'"""
    ).fetchall()
    assert target[0] is None and target[1] is None
    assert "nobody in this scope has a stated ethnicity" in target[2]

    sections = {s.id: s for s in build.prepare(con, settings).sections}
    table = sections["projection-outlook"].table
    for row in ("Police staff", "PCSOs"):
        shown = table.shown_rows[table.labels.index(row)]
        for column, value in zip(table.columns, shown, strict=True):
            if column.kind in ("percent", "percent_interval", "share"):
                assert isinstance(value, Withheld) or column.name == "population_share", (
                    row, column.name, value)  # fmt: skip

    cells = Cells(con, settings)
    snapshot_date = build.latest_snapshot_date(con)
    (section, *_) = outlook.projection(cells, snapshot_date)
    table = _shown_in_full(section.table)
    for name in ("group_share", "projected_group_share", "projected_group_share_lower",
                 "reach_probability", "long_run_group_share"):  # fmt: skip
        assert table.text("Police staff", name) == "[x]", name
    assert table.text("Police staff", "parity_status") == (
        "not projected: nobody stated an ethnicity"
    )
    message = section.compose().message
    assert (
        "Police staff and PCSOs are not projected: nobody in them has a stated ethnicity, so "
        "there is no share to project." in message
    ), message
    targets = outlook.share_targets(cells, snapshot_date)
    table = _shown_in_full(targets.table)
    (label,) = table.labels
    assert table.text(label, "projected_group_share") == "[x]"
    assert table.text(label, "needed_recruit_share") == "[x]"
    sentence = targets.compose().message
    assert "its share now is not available: nobody in its scope stated an ethnicity" in (
        sentence
    ), sentence


def test_no_promotion_rate_is_solved_for_a_rank_nobody_at_which_stated():
    """marts.target_requirements for a share target at Inspector, where nobody stated: no
    factor or needed rate, and the note says why (it said "Not reachable by promotion
    alone", from a gap that was NaN at every factor)."""
    module = warehouse._load_python_model(SQL / "target_requirements.py")
    target = {
        "target_code": "t-insp", "target_name": "Inspectors", "target_sort_order": 1,
        "group_code": "minority", "group_label": "Ethnic minority",
        "worker_type": "police_officer", "rank_or_band": "Inspector", "target_share": 0.3,
        "target_date": pd.Timestamp("2031-03-31"),
    }  # fmt: skip
    rows = module.requirements(target, _counts(), pd.Timestamp("2026-03-31"))
    assert [r["rank_or_band"] for r in rows] == ["Constable", "Sergeant"]
    for row in rows:
        assert row["promotion_rate_factor"] is None and row["needed_promotion_rate"] is None
        assert row["factor_reason_code"] == "rank_vacant"
        assert row["note"] == module.NOTES["rank_vacant"].format(rank="Inspector")
