"""Trends, joiners, targets and projections on a tiny inline force, against hand values.

Twelve officers in three annual snapshots (2024, 2025, 2026), with a leaver, a promotion
and two joiners each year. Ethnic minority = A*, B*, M*, O* (the headline group):

    2024-03-31  constables C1 C2 (A1) C3-C9 (W1) C10 (NS); sergeants G1 G2 (W1)
    2024-25     C3 leaves; C4 promoted to sergeant; J1 (B1) and J2 (W1) join as constables
    2025-03-31  constables C1 C2 C5-C9 C10 J1 J2; sergeants G1 G2 C4
    2025-26     C5 and G1 leave; C1 promoted; J3 (A2, PCDA) and J4 (A1, Police Now) join
    2026-03-31  constables C2 C6-C9 C10 J1-J4; sergeants G2 C4 C1

Officers' minority share of those who stated: 2/11, 3/12, 5/12; constables 2/9, 3/9, 4/9;
sergeants 0/2, 0/3, 1/3. The force area's Census 2021 share is 38.6%: the officers are
already above it, the sergeants below.
"""

from __future__ import annotations

import csv
from datetime import date

import numpy as np
import pandas as pd
import pytest
from conftest import STAFF_HEADER, staff_row, write_config, write_inbox

from pipeline import flows
from pipeline.config import BUNDLED_REFERENCE, ConfigError, load_settings
from pipeline.history import current_history
from pipeline.nightly import run_nightly
from pipeline.warehouse import connect

MOVEMENTS_HEADER = (
    "staff_id,movement_type,movement_date,worker_type,rank_or_band,department,lpu_code,sex,"
    "ethnicity_code,service_start_date,leaving_reason"
)
SNAPSHOTS = {
    "2024-03-31": [("C1", "A1", "Constable"), ("C2", "A1", "Constable"),
                   *((f"C{i}", "W1", "Constable") for i in range(3, 10)),
                   ("C10", "NS", "Constable"), ("G1", "W1", "Sergeant"), ("G2", "W1", "Sergeant")],
    "2025-03-31": [("C1", "A1", "Constable"), ("C2", "A1", "Constable"),
                   *((f"C{i}", "W1", "Constable") for i in range(5, 10)),
                   ("C10", "NS", "Constable"), ("J1", "B1", "Constable"),
                   ("J2", "W1", "Constable"), ("G1", "W1", "Sergeant"), ("G2", "W1", "Sergeant"),
                   ("C4", "W1", "Sergeant")],
    "2026-03-31": [("C2", "A1", "Constable"),
                   *((f"C{i}", "W1", "Constable") for i in range(6, 10)),
                   ("C10", "NS", "Constable"), ("J1", "B1", "Constable"),
                   ("J2", "W1", "Constable"), ("J3", "A2", "Constable"),
                   ("J4", "A1", "Constable"), ("G2", "W1", "Sergeant"), ("C4", "W1", "Sergeant"),
                   ("C1", "A1", "Sergeant")],
}  # fmt: skip
LPU = {"C2": "SOL", "C6": "SOL", "J3": "SOL"}
MOVEMENTS_2025 = [  # no entry_route column: the extract may leave it out
    "C3,leaver,2024-06-01,police_officer,Constable,Local Policing,BHM,F,W1,2015-01-01,resignation",
    "J1,joiner,2024-09-02,police_officer,Constable,Local Policing,BHM,F,B1,2024-09-02,",
    "J2,joiner,2024-09-02,police_officer,Constable,Local Policing,BHM,F,W1,2024-09-02,",
]
MOVEMENTS_2026 = [
    "C5,leaver,2025-07-01,police_officer,Constable,Local Policing,BHM,F,W1,2015-01-01,resignation,",
    "G1,leaver,2025-10-01,police_officer,Sergeant,Local Policing,BHM,F,W1,1995-01-01,retirement,",
    "J3,joiner,2025-09-01,police_officer,Constable,Local Policing,SOL,F,A2,2025-09-01,,PCDA",
    "J4,joiner,2025-09-01,police_officer,Constable,Local Policing,BHM,F,A1,2025-09-01,,Police Now",
    # After the latest snapshot: not yet in any figure, which are all as of 31 March 2026.
    "J5,joiner,2026-05-01,police_officer,Constable,Local Policing,BHM,F,A1,2026-05-01,,PCDA",
]
TARGETS = """
[[targets]]
code = "officers"
worker_type = "police_officer"
share = 0.5
by_date = 2030-03-31

[[targets]]
code = "joiners"
worker_type = "police_officer"
joiners = 3
from_date = 2024-04-01
by_date = 2027-03-31

[[targets]]
code = "joiners-later"
worker_type = "police_officer"
joiners = 5
from_date = 2027-04-01
by_date = 2030-03-31

[[targets]]
code = "sergeants"
label = "Sergeants: 60% by 2029"
worker_type = "police_officer"
rank_or_band = "Sergeant"
share = 0.6
by_date = 2029-03-31

[[targets]]
code = "birmingham"
lpu_code = "BHM"
share = 0.6
by_date = 2028-03-31

[[targets]]
code = "passed"
worker_type = "police_officer"
share = 0.3
by_date = 2025-06-30

[projections]
trend_min_declared_headcount = 10  # 11 and 12 people state: lines are allowed (default 30)
"""


@pytest.fixture(scope="module")
def force(tmp_path_factory):
    root = tmp_path_factory.mktemp("trends")
    config = write_config(root, TARGETS)
    text = config.read_text(encoding="utf-8").replace('census_2011_file = ""\n', "")
    config.write_text(text, encoding="utf-8")
    settings = load_settings(config)
    for day, people in SNAPSHOTS.items():
        rows = [
            staff_row(i, eth, snapshot=day, rank=rank, lpu=LPU.get(i, "BHM"))
            for i, eth, rank in people
        ]
        write_inbox(settings, f"staff_snapshot_{day}.csv", STAFF_HEADER + "\n" + "\n".join(rows))
    write_inbox(
        settings, "joiners_leavers_2025.csv", "\n".join([MOVEMENTS_HEADER, *MOVEMENTS_2025])
    )
    write_inbox(
        settings,
        "joiners_leavers_2026.csv",
        "\n".join([MOVEMENTS_HEADER + ",entry_route", *MOVEMENTS_2026]),
    )
    run_nightly(settings)
    return settings


def _query(settings, sql: str, params=()):
    with connect(settings.paths.database, read_only=True) as con:
        return con.execute(sql, list(params)).df()


def _census(path: str, codes: set[str], total: str, white: str) -> float:
    with (BUNDLED_REFERENCE / path).open(encoding="utf-8-sig") as handle:
        rows = [r for r in csv.DictReader(handle) if r["geography code"] in codes]
    people = sum(int(r[total]) for r in rows)
    return (people - sum(int(r[white]) for r in rows)) / people


WEST_MIDLANDS = {f"E0800002{i}" for i in range(5, 10)} | {"E08000030", "E08000031"}
SHARE_2011 = _census(
    "census2011-qs201ew-la.csv",
    WEST_MIDLANDS,
    "Ethnic Group: All categories: Ethnic group; measures: Value",
    "Ethnic Group: White; measures: Value",
)
SHARE_2021 = _census(
    "census2021-ts021-ltla.csv",
    WEST_MIDLANDS,
    "Ethnic group: Total: All usual residents",
    "Ethnic group: White",
)
CENSUS_YEARS = (date(2021, 3, 21) - date(2011, 3, 27)).days / 365.25


def _years(day: str) -> float:
    return (date.fromisoformat(day) - date(2000, 1, 1)).days / 365.25


# --------------------------------------------------------------------------- benchmark trend


def test_benchmark_is_interpolated_between_the_censuses_and_extrapolated_after(force):
    rows = _query(
        force,
        """select benchmark_date, census_2011_share, census_2021_share,
                  estimated_population_share, population_estimate_method
           from analytics.population_benchmark_trend
           where area_level = 'force' and group_code = 'minority_excl_white'
           order by benchmark_date""",
    )
    assert rows["census_2011_share"].iloc[0] == pytest.approx(SHARE_2011)
    assert rows["census_2021_share"].iloc[0] == pytest.approx(SHARE_2021)
    by_date = rows.set_index(rows["benchmark_date"].astype(str))
    assert by_date.loc["2011-03-27", "estimated_population_share"] == pytest.approx(SHARE_2011)
    assert by_date.loc["2011-03-27", "population_estimate_method"] == "census 2011"
    later = (date(2026, 3, 31) - date(2021, 3, 21)).days / 365.25
    expected = SHARE_2021 + (SHARE_2021 - SHARE_2011) / CENSUS_YEARS * later
    assert by_date.loc["2026-03-31", "estimated_population_share"] == pytest.approx(expected)
    assert by_date.loc["2026-03-31", "population_estimate_method"] == (
        "extrapolated from the 2011-2021 trend"
    )


def test_an_lpu_benchmark_is_trended_from_its_own_areas(force):
    rows = _query(
        force,
        """select census_2011_share, population_estimate_method
           from analytics.population_benchmark_trend
           where area_level = 'lpu' and area_code = 'SOL' and group_code = 'minority_excl_white'
             and benchmark_date = date '2021-03-21'""",
    )
    assert rows["census_2011_share"].iloc[0] == pytest.approx(
        _census(
            "census2011-qs201ew-la.csv",
            {"E08000029"},
            "Ethnic Group: All categories: Ethnic group; measures: Value",
            "Ethnic Group: White; measures: Value",
        )
    )
    assert rows["population_estimate_method"].iloc[0] == "census 2021"


def test_without_a_2011_census_the_2021_share_is_carried_and_said_so(tiny_force):
    write_inbox(
        tiny_force,
        "staff_snapshot_2026.csv",
        STAFF_HEADER + "\n" + staff_row("X1", "A1") + "\n" + staff_row("X2", "W1"),
    )
    run_nightly(tiny_force)
    rows = _query(
        tiny_force,
        """select estimated_population_share, population_estimate_method
           from analytics.representation_trend
           where worker_type = 'All' and lpu_code = 'All' and group_code = 'minority_excl_white'""",
    )
    assert rows["estimated_population_share"].iloc[0] == pytest.approx(SHARE_2021)
    assert rows["population_estimate_method"].iloc[0] == "census 2021 (no 2011 figure)"


# --------------------------------------------------------------------------- trend


def test_representation_trend_gives_the_changes_and_the_straight_line(force):
    rows = _query(
        force,
        """select * from analytics.representation_trend
           where worker_type = 'police_officer' and rank_or_band = 'All' and lpu_code = 'All'
             and group_code = 'minority_excl_white' order by snapshot_date""",
    )
    assert rows["group_share"].tolist() == pytest.approx([2 / 11, 3 / 12, 5 / 12])
    last = rows.iloc[-1]
    assert str(last["previous_snapshot_date"])[:10] == "2025-03-31"
    assert last["group_share_change"] == pytest.approx(5 / 12 - 3 / 12)
    assert str(last["year_earlier_snapshot_date"])[:10] == "2025-03-31"
    assert last["annual_group_share_change"] == pytest.approx(5 / 12 - 3 / 12)
    assert [last["year_earlier_group_headcount"], last["year_earlier_declared_headcount"]] == [
        3,
        12,
    ]
    x = [_years(d) for d in ("2024-03-31", "2025-03-31", "2026-03-31")]
    slope, intercept = np.polyfit(x, [2 / 11, 3 / 12, 5 / 12], 1)
    assert last["trend_snapshot_count"] == 3
    assert last["trend_share_change_per_year"] == pytest.approx(slope)
    assert last["trend_group_share"] == pytest.approx(intercept + slope * x[-1])
    assert pd_isna(last["trend_line_note"])
    # one point, or two, is not a line ([projections] trend_min_snapshots = 3)
    assert rows["trend_share_change_per_year"].iloc[:2].isna().all()
    assert rows["trend_line_note"].iloc[1] == "fewer than 3 snapshots in the last 3 years"
    assert pd_isna(rows["previous_snapshot_date"].iloc[0])


def pd_isna(value) -> bool:
    import pandas as pd

    return bool(pd.isna(value))


# --------------------------------------------------------------------------- joiners


def test_joiners_mix_by_year_and_entry_route_against_the_workforce(force):
    rows = _query(
        force,
        """select * from analytics.joiners_mix
           where group_code = 'minority_excl_white' and worker_type = 'police_officer'
           order by reporting_year, entry_route""",
    ).set_index(["reporting_year", "entry_route"])
    first = rows.loc[(2025, "All")]
    assert [first["joiner_count"], first["group_joiner_count"]] == [2, 1]
    assert first["group_share"] == pytest.approx(0.5)
    assert str(first["workforce_snapshot_date"])[:10] == "2024-03-31"
    assert first["workforce_group_share"] == pytest.approx(2 / 11)
    assert first["joiner_workforce_ratio"] == pytest.approx(0.5 / (2 / 11))
    assert rows.loc[(2025, "Not recorded"), "joiner_count"] == 2
    second = rows.loc[2026]
    assert second.loc["All", "group_share"] == pytest.approx(1.0)
    assert second.loc["All", "workforce_group_share"] == pytest.approx(3 / 12)
    assert second.loc["PCDA", "joiner_count"] == 1
    assert second.loc["Police Now", "group_joiner_count"] == 1
    assert not rows["is_partial_year"].any()
    assert set(rows.index.get_level_values(0)) == {2025, 2026}  # J5 (May 2026) is not counted


# --------------------------------------------------------------------------- projection


def test_projection_rates_pool_the_window_counts(force):
    rows = _query(
        force,
        """select * from analytics.projection_rates
           where group_code = 'minority_excl_white' and worker_type = 'police_officer'
             and rank_or_band in ('Constable', 'Sergeant')""",
    ).set_index(["rank_or_band", "membership_code"])
    group = rows.loc[("Constable", "in_group")]
    # in post: C1 C2 (2024), C1 C2 J1 (2025); C1 promoted; J1 J3 J4 joined
    assert [group["in_post_count"], group["leaver_count"], group["promoted_count"]] == [5, 0, 1]
    assert group["joiner_count"] == 3 and group["headcount"] == 4
    rest = rows.loc[("Constable", "rest_stated")]
    # C3-C9 (2024), C5-C9 J2 (2025); C3 C5 left; C4 promoted; J2 joined
    assert [rest["in_post_count"], rest["leaver_count"], rest["promoted_count"]] == [13, 2, 1]
    assert rest["leaving_rate"] == pytest.approx(2 / 13)
    assert group["promotion_rate"] == pytest.approx(1 / 5)
    assert group["joiner_share"] == pytest.approx(3 / 4)
    sergeants = rows.loc[("Sergeant", "rest_stated")]
    assert [sergeants["in_post_count"], sergeants["leaver_count"]] == [5, 1]
    assert rows.loc[("Sergeant", "in_group"), "headcount"] == 1
    assert (rows["periods_per_year"] == 1).all() and (rows["period_count"] == 2).all()


def test_workforce_flows_give_each_period_apart(force):
    rows = _query(
        force,
        """select * from analytics.workforce_flows
           where group_code = 'minority_excl_white' and rank_or_band = 'Constable'
           order by period_start_date, membership_sort_order""",
    )
    by_period = {
        (str(r["period_start_date"])[:10], r["membership_code"]): (
            r["in_post_count"], r["leaver_count"], r["promoted_count"], r["joiner_count"])
        for r in rows.to_dict("records")
    }  # fmt: skip
    assert by_period[("2024-03-31", "in_group")] == (2, 0, 0, 1)  # C1 C2; J1 joined
    assert by_period[("2025-03-31", "in_group")] == (3, 0, 1, 2)  # C1 C2 J1; C1 up; J3 J4
    assert by_period[("2024-03-31", "rest_stated")] == (7, 1, 1, 1)  # C3 left, C4 up, J2
    assert by_period[("2025-03-31", "not_stated")] == (1, 0, 0, 0)  # C10


def test_a_force_already_at_parity_projects_reached(force):
    rows = _query(
        force,
        """select * from analytics.projection_outlook
           where group_code = 'minority_excl_white'""",
    ).set_index(["worker_type", "rank_or_band"])
    force_wide = rows.loc[("All", "All")]
    assert force_wide["group_share"] == pytest.approx(5 / 12)
    assert force_wide["group_share"] >= force_wide["population_share"]
    assert force_wide["parity_status"] == "reached"
    assert force_wide["parity_year"] == 2026
    assert rows.loc[("police_officer", "Constable"), "parity_status"] == "reached"
    assert rows.loc[("police_officer", "Sergeant"), "parity_status"] != "reached"


def test_projection_year_zero_is_the_latest_snapshot_and_the_band_holds_the_centre(force):
    rows = _query(
        force,
        """select * from analytics.projections
           where group_code = 'minority_excl_white' and worker_type = 'police_officer'
             and rank_or_band = 'All' order by projection_year""",
    )
    assert len(rows) == 21
    first = rows.iloc[0]
    assert first["projected_group_share"] == pytest.approx(5 / 12)
    assert first["projected_headcount"] == pytest.approx(13)
    assert (rows["projected_headcount"] - 13).abs().max() < 1e-9  # every leaver replaced
    assert str(rows["projection_date"].iloc[20])[:10] == "2046-03-31"
    assert (rows["projected_group_share_lower"] <= rows["projected_group_share_upper"]).all()
    # the chance of being at or above the population share on the date: above one half
    # exactly when the central share is (hostile 6, finding 3)
    at = rows["projected_group_share"] >= rows["population_share"]
    assert ((rows["reach_probability"] > 0.5) == at).all()


def test_the_projection_and_the_target_carry_one_straight_line_from_the_share_now(force):
    """One name, one quantity: the projection's "Straight line" and a target's "at the
    current rate, by the date" are the share now carried on at the slope, for the same scope
    and date alike. The projection's started from the fitted line's value at the latest
    snapshot (about 40.0% here, not 5/12 = 41.7%), so the two disagreed (hostile: 16.2%
    against 7.6% + 0.45 x 20 = 16.5%)."""
    x = [_years(d) for d in ("2024-03-31", "2025-03-31", "2026-03-31")]
    slope, _ = np.polyfit(x, [2 / 11, 3 / 12, 5 / 12], 1)  # about 0.1175 a year (by hand)
    assert slope == pytest.approx(31 / 264 * 365.25 / 365)  # (5/12 - 2/11) / 2 snapshots
    years = (date(2030, 3, 31) - date(2026, 3, 31)).days / 365.25
    assert years == 4  # the target's date is the projection's year 4
    by_hand = 5 / 12 + slope * 4  # about 0.887
    (target,) = _query(
        force,
        "select group_code, straight_line_group_share from analytics.target_progress "
        "where target_code = 'officers'",
    ).itertuples(index=False)
    projected = _query(
        force,
        """select projection_year, straight_line_group_share from analytics.projections
           where group_code = ? and worker_type = 'police_officer' and rank_or_band = 'All'
           order by projection_year""",
        [target.group_code],
    )
    assert target.straight_line_group_share == pytest.approx(by_hand)
    assert projected["straight_line_group_share"].iloc[4] == pytest.approx(by_hand)
    assert projected["straight_line_group_share"].iloc[0] == pytest.approx(5 / 12)


# --------------------------------------------------------------------------- targets


def test_share_target_progress_and_what_it_would_take(force):
    rows = _query(force, "select * from analytics.target_progress").set_index("target_code")
    officers = rows.loc["officers"]
    assert officers["group_share"] == pytest.approx(5 / 12)
    assert officers["baseline_group_share"] == pytest.approx(2 / 11)
    years = (date(2030, 3, 31) - date(2026, 3, 31)).days / 365.25
    assert officers["years_remaining"] == pytest.approx(years)
    assert officers["needed_share_change_per_year"] == pytest.approx((0.5 - 5 / 12) / years)
    slope = officers["trend_share_change_per_year"]
    assert officers["straight_line_group_share"] == pytest.approx(min(5 / 12 + slope * years, 1))
    assert officers["target_status"] == "on track"
    assert 0 < officers["needed_recruit_share"] < 1
    assert officers["recruit_group_share"] == pytest.approx(3 / 4)


def test_joiner_target_counts_the_groups_joiners_since_its_start(force):
    joiners = (
        _query(force, "select * from analytics.target_progress")
        .set_index("target_code")
        .loc["joiners"]
    )
    assert joiners["group_joiner_count"] == 3  # J1, J3, J4
    assert joiners["target_status"] == "met"
    span = (date(2026, 3, 31) - date(2024, 3, 31)).days / 365.25  # since the first snapshot
    assert joiners["current_joiners_per_year"] == pytest.approx(3 / span)


def test_a_joiner_target_that_begins_later_counts_only_its_own_years(force):
    """Hostile 14b, finding 6: 5 joiners from 1 April 2027 to 31 March 2030 were counted
    over the four years from the latest snapshot (31 March 2026), 2026/27 included: needed
    5 / 4 = 1.25 a year, at the current rate 1.5 x 4 = 6.0, "on track". Over the target's
    own three years the current rate gives 1.5 x 3 = 4.5: not on track, 5 / 3 a year."""
    rows = _query(force, "select * from analytics.target_progress").set_index("target_code")
    later = rows.loc["joiners-later"]
    assert pd_isna(later["group_joiner_count"])  # not begun: nothing counted, not a 0
    assert "Not begun: counting starts on 1 April 2027" in later["note"]
    rate = 3 / ((date(2026, 3, 31) - date(2024, 3, 31)).days / 365.25)  # J1, J3, J4
    assert later["current_joiners_per_year"] == pytest.approx(rate)
    own = (date(2030, 3, 31) - date(2027, 3, 31)).days / 365.25  # 2027/28 to 2029/30
    assert later["needed_joiners_per_year"] == pytest.approx(5 / own)
    assert later["straight_line_joiners"] == pytest.approx(rate * own)
    assert later["target_status"] == "not on track"
    # The flow model's joiners from projection year 365 / 365.25 to 4, not from 0 to 4.
    with connect(force.paths.database, read_only=True) as con:
        yearly = (
            con.execute(
                """select projected_group_joiners from analytics.projections
               where group_code = 'minority_excl_white' and worker_type = 'police_officer'
                 and rank_or_band = 'All' order by projection_year"""
            )
            .df()["projected_group_joiners"]
            .to_numpy()
        )
        counts = flows.load_counts(con, "minority_excl_white")
    lead = (date(2027, 3, 31) - date(2026, 3, 31)).days / 365.25
    expected = yearly[1:5].sum() - lead * yearly[1]  # year k: joiners of the year to k
    assert later["projected_group_joiners"] == pytest.approx(expected)
    assert later["projected_group_joiners"] < yearly[1:5].sum() - 1e-6
    # even if every recruit were from the group, 5 need more than the target's own years
    # (counted from now, 2026/27 included, they would be enough)
    assert pd_isna(later["needed_recruit_share"])
    assert "Not reachable by the date" in later["note"]
    ladder = counts.ladder
    everyone = counts.point_rates().with_recruit_share(1.0, [ladder.types.index("police_officer")])
    path = flows.project(counts.stock, everyone, ladder, 4)
    recruits = flows.recruits_path(path, everyone, ladder)
    positions = ladder.positions("police_officer")
    assert (
        flows.joiners_by(recruits, positions, own, lead)
        < 5
        <= flows.joiners_by(recruits, positions, lead + own)
    )


def test_lpu_target_uses_the_straight_line_only_and_says_why(force):
    bhm = (
        _query(force, "select * from analytics.target_progress")
        .set_index("target_code")
        .loc["birmingham"]
    )
    assert bhm["lpu_code"] == "BHM"
    assert pd_isna(bhm["projected_group_share"]) and pd_isna(bhm["needed_recruit_share"])
    assert "not run for an LPU" in bhm["note"]


def test_a_target_whose_date_has_passed_is_judged_on_that_date(force):
    passed = (
        _query(force, "select * from analytics.target_progress")
        .set_index("target_code")
        .loc["passed"]
    )
    # judged at the 2025 snapshot, beside the share now (hostile 14b finding 4: the judged
    # share was once published as "now")
    assert passed["judged_group_share"] == pytest.approx(3 / 12)
    assert str(passed["judged_snapshot_date"])[:10] == "2025-03-31"
    assert passed["group_share"] == pytest.approx(5 / 12)  # the latest snapshot
    assert pd.isna(passed["trend_share_change_per_year"])
    assert passed["target_status"] == "missed"
    assert passed["years_remaining"] == 0


def test_promotion_needed_at_each_rank_below_a_rank_target(force):
    rows = _query(force, "select * from analytics.target_requirements")
    assert rows["target_code"].tolist() == ["sergeants"]
    constables = rows.iloc[0]
    assert constables["rank_or_band"] == "Constable"
    assert constables["promotion_rate"] == pytest.approx(1 / 5)
    assert constables["reference_promotion_rate"] == pytest.approx(1 / 13)
    assert constables["promotion_rate_factor"] > 1
    assert constables["needed_promotion_rate"] == pytest.approx(
        min(1 / 5 * constables["promotion_rate_factor"], 1.0)  # nobody in the group left
    )
    # fed back into the model built from the database, the factor meets the target
    with connect(force.paths.database, read_only=True) as con:
        counts = flows.load_counts(con, "minority_excl_white")
    ladder = counts.ladder
    rates = counts.point_rates().with_promotion_factor(
        constables["promotion_rate_factor"], ladder.positions("police_officer", "Constable")
    )
    years = (date(2029, 3, 31) - date(2026, 3, 31)).days / 365.25
    path = flows.project(counts.stock, rates, ladder, int(np.ceil(years)))
    sergeants = ladder.positions("police_officer", "Sergeant")
    assert flows.share_at(flows.group_share(path, sergeants), years) == pytest.approx(0.6, abs=1e-6)


# --------------------------------------------------------------------------- configuration


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ('[[targets]]\nshare = 0.2\njoiners = 5\nby_date = 2030-03-31\n', "exactly one of"),
        ('[[targets]]\nrank_or_band = "Sergeant"\nshare = 0.2\nby_date = 2030-03-31\n',
         "rank_or_band needs worker_type"),
        ("[[targets]]\njoiners = 100\nby_date = 2030-03-31\n", "needs from_date"),
        ("[[targets]]\njoiners = 100\nfrom_date = 2022-01-01\nby_date = 2030-03-31\n",
         "whole reporting years"),
        ("[[targets]]\nshare = 1.5\nby_date = 2030-03-31\n", "share"),
        # The joiners tables are by worker type and route: a rank's or an LPU's joiner count
        # stopped the build (a cell with two values) or was published beside its withheld
        # count as a rate a year (hostile 14b, findings 1 and 2).
        ('[[targets]]\nworker_type = "police_officer"\nrank_or_band = "Superintendent"\n'
         "joiners = 3\nfrom_date = 2023-04-01\nby_date = 2027-03-31\n",
         "a joiners target is for the force or one worker type"),
        ('[[targets]]\nlpu_code = "SOL"\njoiners = 20\nfrom_date = 2023-04-01\n'
         "by_date = 2030-03-31\n", "a joiners target is for the force or one worker type"),
    ],
)  # fmt: skip
def test_a_malformed_target_is_a_configuration_error(tmp_path, extra, message):
    with pytest.raises(ConfigError, match=message):
        load_settings(write_config(tmp_path, extra))


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ('[[targets]]\ngroup = "purple"\nshare = 0.2\nby_date = 2030-03-31\n',
         "group 'purple' is not an ethnic grouping"),
        ('[[targets]]\nworker_type = "police_officer"\nrank_or_band = "Captain"\nshare = 0.2\n'
         'by_date = 2030-03-31\n', "'Captain' is not a police_officer rank"),
        ('[[targets]]\nlpu_code = "XYZ"\nshare = 0.2\nby_date = 2030-03-31\n',
         "LPU 'XYZ' is not in the area"),
        # A White share of 60% was "met" at 85.2%: a target is a floor (hostile 14b, 9).
        ('[[targets]]\ngroup = "white"\nshare = 0.6\nby_date = 2030-03-31\n',
         "group 'white' includes White British"),
        ('[[targets]]\ngroup = "W1"\nshare = 0.6\nby_date = 2030-03-31\n',
         "group 'W1' includes White British"),
    ],
)  # fmt: skip
def test_a_target_naming_what_the_force_does_not_have_stops_the_run(tmp_path, extra, message):
    settings = load_settings(write_config(tmp_path, extra))
    write_inbox(settings, "staff_snapshot_2026.csv", STAFF_HEADER + "\n" + staff_row("X1", "A1"))
    with pytest.raises(ConfigError, match=message):
        run_nightly(settings)


def test_a_database_built_before_entry_route_gains_the_column(tiny_force):
    """A force's history built by an earlier version has no entry_route in its raw
    joiners table; the next run adds it rather than failing to load."""
    write_inbox(tiny_force, "staff_snapshot_2026.csv", STAFF_HEADER + "\n" + staff_row("X1", "A1"))
    run_nightly(tiny_force)
    with connect(current_history(tiny_force)) as con:
        con.execute("alter table raw.joiners_leavers drop column entry_route")
    write_inbox(
        tiny_force,
        "joiners_leavers_2026.csv",
        "\n".join(
            [
                MOVEMENTS_HEADER + ",entry_route",
                "X2,joiner,2025-09-01,police_officer,Constable,Local Policing,BHM,F,A1,"
                "2025-09-01,,DHEP",
            ]
        ),
    )
    run_nightly(tiny_force)
    rows = _query(
        tiny_force,
        """select entry_route, joiner_count from analytics.joiners_mix
           where worker_type = 'police_officer' and group_code = 'minority_excl_white'
           order by entry_route""",
    )
    assert rows.values.tolist() == [["All", 1], ["DHEP", 1]]


def test_the_projection_is_the_same_every_run(force, tmp_path):
    """The simulated futures are seeded ([projections] seed): the same data, the same bands."""
    import shutil

    from pipeline import warehouse

    copy = tmp_path / "copy.duckdb"
    shutil.copy2(force.paths.database.resolve(), copy)
    model = next(m for m in warehouse.discover_models() if m.name == "projections")
    with connect(copy) as con:
        before = con.execute("select * from marts.projections order by all").df()
        warehouse.run_models(con, [model])
        after = con.execute("select * from marts.projections order by all").df()
    assert before.equals(after)


def test_the_forces_report_protects_the_targets_like_every_table(force):
    """The run published, so the audit passed with the new tables in it; and on a force
    this small the targets' counts (5 of 12 officers, 3 joiners) are withheld, with every
    figure computed from them, while the configured targets themselves are shown."""
    from report_scan import page_table

    report = force.paths.reports_dir / "latest"
    names = dict(
        _query(force, "select target_code, target_name from analytics.target_progress").values
    )
    shares = page_table(report, "targets-shares")
    officers = shares[names["officers"]]
    assert officers["In the group"] == "[c]"  # 5 of 12
    share_now = next(v for k, v in officers.items() if k.startswith("Share now ("))
    assert share_now == officers["Status"] == "[c]"
    assert officers["Flow model, by the date"] == "[c]"
    assert officers["Target share"] == "50.0%"
    joiners = page_table(report, "targets-joiners")[names["joiners"]]
    assert joiners["Joiners from the group so far"] == "[c]"  # 3
    assert joiners["Status"] == "[c]"
    assert joiners["Joiners targeted"] == "3"
    assert "what-it-would-take-sergeants" in (report / "index.html").read_text(encoding="utf-8")


def test_the_report_says_a_joiner_target_has_not_begun_rather_than_zero_so_far(force):
    """Hostile 14b, finding 6: a period after the latest snapshot was published as '0 so
    far'; nothing has been counted, so it is [x], and the table and sentence say why."""
    from report_scan import page_table

    report = force.paths.reports_dir / "latest"
    (name,) = _query(
        force,
        "select target_name from analytics.target_progress where target_code = 'joiners-later'",
    )["target_name"]
    later = page_table(report, "targets-joiners")[name]
    assert later["Joiners from the group so far"] == "[x]"
    assert later["Joiners targeted"] == "5"
    page = (report / "index.html").read_text(encoding="utf-8")
    assert "whose period has not begun (it starts after the latest snapshot)" in page
    assert "has not begun: its joiners so far are [x]" in page


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ('[[targets]]\ncode = "past"\nworker_type = "police_officer"\nshare = 0.2\n'
         "by_date = 2020-03-31\n", r"\[\[targets\]\] past: by_date 2020-03-31 is before the first"),
        ('[[targets]]\ncode = "old-joiners"\nworker_type = "police_officer"\njoiners = 100\n'
         "from_date = 2019-04-01\nby_date = 2021-03-31\n",
         r"\[\[targets\]\] old-joiners: by_date 2021-03-31 is before the first"),
        ('[[targets]]\ncode = "early-joiners"\njoiners = 100\n'
         "from_date = 2019-04-01\nby_date = 2030-03-31\n",
         r"\[\[targets\]\] early-joiners: from_date 2019-04-01 is before the first"),
    ],
)  # fmt: skip
def test_a_target_before_the_data_is_a_configuration_error_not_a_crash_or_a_zero(
    tmp_path, extra, message
):
    """Hostile 2 and 4: a share target dated before the first snapshot crashed (exit 1); a
    joiners target before the data published '0 so far ... missed'."""
    settings = load_settings(write_config(tmp_path, extra))
    write_inbox(settings, "staff_snapshot_2026.csv", STAFF_HEADER + "\n" + staff_row("X1", "A1"))
    with pytest.raises(ConfigError, match=message) as caught:
        run_nightly(settings)
    assert "the data cover 31 March 2026 to 31 March 2026" in str(caught.value)


def test_a_target_already_met_needs_nothing_and_a_pcso_label_keeps_its_capitals(tmp_path):
    """Hostile 8: a met target showed 'Needed from now -1.1' points a year and a recruits'
    share needed; the automatic label said 'pcsos'."""
    extra = (
        '[[targets]]\ncode = "met"\nworker_type = "police_officer"\nshare = 0.2\n'
        "by_date = 2030-03-31\n\n"
        '[[targets]]\ncode = "pcsos"\nworker_type = "pcso"\nshare = 0.21\nby_date = 2030-03-31\n'
    )
    settings = load_settings(write_config(tmp_path, extra))
    rows = [staff_row(f"X{i}", "A1" if i < 4 else "W1") for i in range(10)]
    rows += [staff_row(f"P{i}", "W1", worker_type="pcso", rank="PCSO") for i in range(3)]
    write_inbox(settings, "staff_snapshot_2026.csv", STAFF_HEADER + "\n" + "\n".join(rows))
    run_nightly(settings)
    met = _query(settings, "select * from analytics.target_progress where target_code = 'met'")
    met = met.iloc[0]
    assert met["group_share"] == pytest.approx(0.4)
    assert met["target_status"] == "met"
    assert pd_isna(met["needed_share_change_per_year"])
    assert pd_isna(met["needed_recruit_share"])
    assert "Already met" in met["note"]
    (name,) = _query(
        settings, "select target_name from analytics.target_progress where target_code = 'pcsos'"
    )["target_name"]
    assert ", PCSOs: 21% by 31 March 2030" in name
