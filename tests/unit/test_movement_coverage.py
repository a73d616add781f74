"""Flows only for the periods the joiners-and-leavers data cover, and a period's length read
from its dates (hostile-7 findings 1 and 4), on the tiny force of test_trend_models.

- A snapshot loaded before its year's joiners-and-leavers file is not a year in which nobody
  left or joined: the period's flows (retention, workforce_flows, the projection's rates)
  are withheld, and a warning (exit 5) names what is missing.
- Two snapshots two years apart make a two-year period: the report says so, the projection
  makes its rates annual, and a warning names the missing snapshot.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from conftest import STAFF_HEADER, staff_row, write_config, write_inbox
from test_trend_models import LPU, MOVEMENTS_2025, MOVEMENTS_2026, MOVEMENTS_HEADER, SNAPSHOTS

from pipeline.config import load_settings
from pipeline.nightly import run_nightly
from pipeline.runs import ExitCode
from pipeline.warehouse import connect


def _force(root, snapshots: list[str], movements: list[str], targets: str = ""):
    config = write_config(root, targets + "[projections]\ntrend_min_declared_headcount = 10\n")
    settings = load_settings(config)
    for day in snapshots:
        rows = [
            staff_row(i, eth, snapshot=day, rank=rank, lpu=LPU.get(i, "BHM"))
            for i, eth, rank in SNAPSHOTS[day]
        ]
        write_inbox(settings, f"staff_snapshot_{day}.csv", STAFF_HEADER + "\n" + "\n".join(rows))
    files = {
        "2025": (MOVEMENTS_HEADER, MOVEMENTS_2025),
        "2026": (MOVEMENTS_HEADER + ",entry_route", MOVEMENTS_2026),
    }
    for year in movements:
        header, rows = files[year]
        write_inbox(settings, f"joiners_leavers_{year}.csv", "\n".join([header, *rows]))
    return settings, run_nightly(settings)


def _query(settings, sql: str):
    with connect(settings.paths.database, read_only=True) as con:
        return con.execute(sql).df()


def _periods(settings, view: str) -> list[str]:
    rows = _query(settings, f"select distinct period_start_date from analytics.{view} order by 1")
    return [str(d)[:10] for d in rows["period_start_date"]]


@pytest.fixture(scope="module")
def late(tmp_path_factory):
    """Three snapshots, and the movements of 2024-25 only (2025-26's file not yet here)."""
    return _force(
        tmp_path_factory.mktemp("late"), ["2024-03-31", "2025-03-31", "2026-03-31"], ["2025"]
    )


@pytest.fixture(scope="module")
def gap(tmp_path_factory):
    """Snapshots of 2024 and 2026 (2025's missing), with both years' movements."""
    return _force(tmp_path_factory.mktemp("gap"), ["2024-03-31", "2026-03-31"], ["2025", "2026"])


def test_a_period_the_movements_do_not_cover_has_no_flows(late):
    settings, _ = late
    # 2025-26: C5 and G1 are gone from the 2026 snapshot, but no leaver record is loaded:
    # the period is withheld, not published as "0 leavers"
    assert _periods(settings, "retention") == ["2024-03-31"]
    assert _periods(settings, "workforce_flows") == ["2024-03-31"]
    rates = _query(settings, "select distinct period_count from analytics.projection_rates")
    assert rates["period_count"].tolist() == [1]
    # promotion needs only the snapshots: both periods stay
    assert _periods(settings, "promotion_rates") == ["2024-03-31", "2025-03-31"]


def test_the_missing_movements_are_named_in_a_warning(late):
    _, result = late
    assert result.exit_code == ExitCode.SUCCESS_WITH_WARNINGS
    (warning,) = [w for w in result.warnings if "movements_cover_period" in w]
    assert "Joiners and leavers dated 1 April 2025 to 31 March 2026 are not loaded" in warning
    assert "(the latest, joiners_leavers_2025.csv, ends on 2 September 2024)" in warning
    assert "not published for 31 March 2025 to 31 March 2026" in warning
    assert "Deliver a joiners-and-leavers file for 1 April 2025 to 31 March 2026" in warning


def test_the_report_gives_the_last_period_the_movements_cover(late):
    settings, _ = late
    html = (settings.paths.reports_dir / "latest" / "index.html").read_text(encoding="utf-8")
    assert "Leavers in the year to 31 March 2025 per 1,000" in html
    assert "Leavers in the year to 31 March 2026" not in html


def test_a_covered_force_has_no_coverage_warning(gap):
    _, result = gap
    assert not [w for w in result.warnings if "movements_cover_period" in w]


def test_a_two_year_period_is_named_and_its_rates_made_annual(gap):
    settings, result = gap
    (warning,) = [w for w in result.warnings if "snapshot_gap" in w]
    assert "No snapshot between 31 March 2024 and 31 March 2026" in warning
    assert "cover 2 years" in warning
    rates = _query(
        settings,
        """select * from analytics.projection_rates
           where group_code = 'minority_excl_white' and worker_type = 'police_officer'
             and rank_or_band = 'Constable' and membership_code = 'rest_stated'""",
    ).iloc[0]
    # C3-C9 in post on 31 March 2024; C3 and C5 left over the two years; the annual rate
    # is the one that, held for two years, leaves 5 of 7
    assert [rates["in_post_count"], rates["leaver_count"]] == [7, 2]
    assert rates["periods_per_year"] == pytest.approx(0.5)
    assert rates["leaving_rate"] == pytest.approx(1 - (5 / 7) ** 0.5)
    html = (settings.paths.reports_dir / "latest" / "index.html").read_text(encoding="utf-8")
    assert "Leavers in the two years to 31 March 2026 per 1,000" in html
    assert "Promotions in the two years to 31 March 2026" in html
    assert "the year to 31 March 2026" not in html


@pytest.fixture(scope="module")
def waiting(tmp_path_factory):
    """Two snapshots, and only the movements of the year before the first (hostile-7's
    /tmp/h7x/late: the 2025-26 file not yet delivered)."""
    return _force(
        tmp_path_factory.mktemp("waiting"), ["2025-03-31", "2026-03-31"], ["2025"], WAITING_TARGETS
    )


WAITING_TARGETS = """
[[targets]]
code = "officers"
worker_type = "police_officer"
share = 0.5
by_date = 2030-03-31

[[targets]]
code = "sergeants"
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
code = "joiners"
worker_type = "police_officer"
joiners = 3
from_date = 2025-04-01
by_date = 2027-03-31

"""


def test_no_covered_period_projects_nothing_and_says_why(waiting):
    settings, result = waiting
    assert result.exit_code == ExitCode.SUCCESS_WITH_WARNINGS
    assert _periods(settings, "retention") == []
    assert _query(settings, "select count(*) as n from analytics.projections")["n"][0] == 0
    latest = settings.paths.reports_dir / "latest"
    outlook = (latest / "csv" / "projection-outlook.csv").read_text(encoding="utf-8")
    assert "Periods between them with their joiners and leavers loaded,0,1" in outlook
    html = (latest / "index.html").read_text(encoding="utf-8")
    assert "but the joiners-and-leavers files loaded cover no period between them" in html


def test_a_period_before_the_window_and_the_first_movements_file_does_not_warn(
    tmp_path_factory,
):
    """Snapshots older than the first movements file (a backfill of snapshots only): their
    periods have no flows, but only the periods of the [projections] window warn, or the
    run would exit 5 every night for good."""
    root = tmp_path_factory.mktemp("older")
    config = write_config(root, "[projections]\nwindow_years = 1\n")
    settings = load_settings(config)
    for day, people in SNAPSHOTS.items():
        rows = [staff_row(i, e, snapshot=day, rank=r, lpu=LPU.get(i, "BHM")) for i, e, r in people]
        write_inbox(settings, f"staff_snapshot_{day}.csv", STAFF_HEADER + "\n" + "\n".join(rows))
    write_inbox(
        settings,
        "joiners_leavers_2026.csv",
        "\n".join([MOVEMENTS_HEADER + ",entry_route", *MOVEMENTS_2026]),
    )
    result = run_nightly(settings)
    assert not [w for w in result.warnings if "movements_cover_period" in w]
    assert _periods(settings, "retention") == ["2025-03-31"]


def test_a_period_is_named_in_words_the_prose_audit_accepts():
    """Snapshots 18 months apart were "the 18 months to 31 March 2026": a sentence may quote
    only figures its table shows, so the audit stopped the report (exit 1). Every length is
    written in words."""
    from pipeline.report import audit
    from pipeline.report.formatting import period

    assert period("2025-03-31", "2026-03-31") == "the year to 31 March 2026"
    assert period("2024-03-31", "2026-03-31") == "the two years to 31 March 2026"
    assert period("2025-09-30", "2026-03-31") == "the six months to 31 March 2026"
    named = period("2024-09-30", "2026-03-31")
    assert named == "the eighteen months to 31 March 2026"
    assert audit.audit_prose([f"Leavers in {named}."], ["5,095"], 5) == []


@pytest.fixture(scope="module")
def settings(tmp_path_factory):
    """The default configuration."""
    return load_settings(write_config(tmp_path_factory.mktemp("settings")))


def _periods_in_memory(settings, staff: dict[str, list[str]], movements: dict[str, list[tuple]]):
    """intermediate.int_workforce__periods and the movements_cover_period check on an
    in-memory history: snapshots {date: [staff keys]}, movement files {name: [(staff key,
    type, date)]}."""
    import duckdb

    from pipeline import warehouse
    from pipeline.cross_checks import CHECKS_DIR

    con = duckdb.connect()
    warehouse.create_schemas(con)
    warehouse.create_raw_tables(con)
    warehouse.load_code_tables(con, settings)
    for day, keys in staff.items():
        for key in keys:
            con.execute(
                "insert into raw.staff_snapshot (staff_key, snapshot_date) values (?, ?)",
                [key, day],
            )
    for name, rows in movements.items():
        for key, kind, day in rows:
            con.execute(
                """insert into raw.joiners_leavers (staff_key, movement_type, movement_date,
                   source_file) values (?, ?, ?, ?)""",
                [key, kind, day, name],
            )
    check = (CHECKS_DIR / "movements_cover_period.sql").read_text(encoding="utf-8")
    warehouse.build_views_read_by(con, check)
    periods = con.execute("select * from intermediate.int_workforce__periods").df()
    failing = con.execute(check, {"window_years": 5}).df().to_dict("records")
    con.close()
    return periods, failing


def _leavers(count: int, first_month: int, months: int) -> list[tuple]:
    """``count`` leavers P0 ... spread over ``months`` months of 2025-26 from ``first_month``."""
    return [
        (f"P{i}", "leaver", f"{2025 + (first_month + i % months - 1) // 12}-"
         f"{(first_month + i % months - 1) % 12 + 1:02d}-{10 + i // months % 15:02d}")
        for i in range(count)
    ]  # fmt: skip


PEOPLE = [f"P{i}" for i in range(200)]


def test_a_part_year_movements_file_does_not_cover_the_year(settings):
    """Snapshots a year apart and a file of April to September only (hostile-8 #3b): the
    reporting year 2025-26 has movements, but October to March has none while 24 people left
    over the year. The period was taken as covered and its flows published as a year's,
    half its leavers missing; now it is not covered, and the missing days are named."""
    staff = {"2025-03-31": PEOPLE, "2026-03-31": PEOPLE[24:]}
    files = {"joiners_leavers_2026_h1.csv": _leavers(12, 4, 6)}
    periods, failing = _periods_in_memory(settings, staff, files)
    assert periods["is_movements_covered"].tolist() == [False]
    ((stretch,),) = periods["missing_stretches"]
    assert [str(stretch["first_date"]), str(stretch["last_date"])] == [
        "2025-09-12",
        "2026-03-31",
    ]
    (row,) = failing
    assert not row["is_movements_covered"]


def test_the_second_half_year_file_completes_the_year(settings):
    """The same year delivered as two half-year files is covered."""
    staff = {"2025-03-31": PEOPLE, "2026-03-31": PEOPLE[24:]}
    files = {
        "joiners_leavers_2026_h1.csv": _leavers(12, 4, 6),
        "joiners_leavers_2026_h2.csv": [(f"P{i + 12}", k, d) for i, (_, k, d) in
                                        enumerate(_leavers(12, 10, 6))],
    }  # fmt: skip
    periods, failing = _periods_in_memory(settings, staff, files)
    assert periods["is_movements_covered"].tolist() == [True]
    assert failing == []


@pytest.mark.parametrize(
    ("movers", "covered"),
    [
        # 24 movers over the year, none in the 201 days after 11 September: evenly spread,
        # 25 x (164/365)^24, about 1 in 9 million
        (24, False),
        # 3 movers: 4 x (164/365)^3 = 0.36, what a complete file of a tiny force can look like
        (3, True),
    ],
)
def test_a_stretch_without_movements_is_missing_only_if_the_snapshots_expect_some(
    settings, movers, covered
):
    staff = {"2025-03-31": PEOPLE, "2026-03-31": PEOPLE[movers:]}
    files = {"joiners_leavers_2026.csv": _leavers(movers, 4, 6)}
    periods, _ = _periods_in_memory(settings, staff, files)
    assert periods["is_movements_covered"].tolist() == [covered]


def test_a_full_year_file_ending_days_before_the_snapshot_covers_it(settings):
    """A complete file whose last movement is 20 March: the last days of a year without a
    movement are not a missing file (a stretch must be at least a month)."""
    staff = {"2025-03-31": PEOPLE, "2026-03-31": PEOPLE[100:]}
    rows = [*_leavers(99, 4, 12), ("P99", "leaver", "2026-03-20")]
    periods, failing = _periods_in_memory(settings, staff, {"joiners_leavers_2026.csv": rows})
    assert periods["is_movements_covered"].tolist() == [True]
    assert failing == []


def test_the_warning_names_the_file_the_missing_dates_and_what_to_deliver(settings):
    """The warning says which file covers what, which days are missing, what is withheld and
    what to deliver, in plain words (hostile-8 #3c)."""
    from pipeline.cross_checks import CHECKS

    staff = {"2025-03-31": PEOPLE, "2026-03-31": PEOPLE[24:]}
    _, (row,) = _periods_in_memory(
        settings, staff, {"joiners_leavers_2026_h1.csv": _leavers(12, 4, 6)}
    )
    (check,) = [c for c in CHECKS if c.rule == "movements_cover_period"]
    message = " ".join(check.describe(row, settings).split())
    assert message == (
        "Joiners and leavers dated 12 September 2025 to 31 March 2026 are not loaded. "
        "joiners_leavers_2026_h1.csv has movements dated 10 April 2025 to 11 September 2025 "
        "only. The snapshots show people leaving or joining over the period (24 people in "
        "the snapshot of 31 March 2025 are not in that of 31 March 2026, and 0 in the later "
        "one are not in the earlier), so leaving, joining and the projection are not "
        "published for 31 March 2025 to 31 March 2026, rather than published as if nobody "
        "left or joined from 12 September 2025 to 31 March 2026. Deliver a "
        "joiners-and-leavers file for 12 September 2025 to 31 March 2026 (or one for the "
        "whole period, with 'correction' in its name to replace a file loaded before); the "
        "period's figures are published the night it is loaded."
    )


def _holed_file() -> dict[str, list[tuple]]:
    """100 leavers P0 ... P99 on the 10th to the 21st of April to June and October to March
    of 2025-26, in one file: none from 21 June to 9 October (111 days), while no other gap
    between two movements is three weeks long."""
    months = (4, 5, 6, 10, 11, 12, 1, 2, 3)
    return {
        "joiners_leavers_2026.csv": [
            (f"P{i}", "leaver",
             f"{2025 if months[i % 9] >= 4 else 2026}-{months[i % 9]:02d}-{10 + i // 9:02d}")
            for i in range(100)
        ]
    }  # fmt: skip


def _quiet_force() -> dict[str, list[tuple]]:
    """5 leavers, none from 11 June 2025 to 9 February 2026 (244 days): evenly spread, all
    five miss that stretch with a chance of (121/365)^5, about 1 in 250."""
    days = ("2025-04-10", "2025-05-10", "2025-06-10", "2026-02-10", "2026-03-10")
    return {"joiners_leavers_2026.csv": [(f"P{i}", "leaver", d) for i, d in enumerate(days)]}


def test_the_longest_of_many_stretches_is_judged_as_the_longest(settings):
    """40 leavers about a week apart but for one stretch of 61 days: evenly spread, one
    given stretch that long is empty with a chance of (304/365)^40, 1 in 1,500, but some
    stretch among the 41 with about 1 in 36. Judged alone, the stretch was taken for a
    missing file: about one force in 25 with 40 movers a year would have been warned of a
    gap evenly spread movements leave by chance."""
    start = date(2025, 4, 1)
    days = [start + timedelta(days=5 + 8 * i) for i in range(20)]
    days += [days[-1] + timedelta(days=62 + 7 * i) for i in range(20)]
    files = {
        "joiners_leavers_2026.csv": [
            (f"P{i}", "leaver", f"{d:%Y-%m-%d}") for i, d in enumerate(days)
        ]
    }
    staff = {"2025-03-31": PEOPLE, "2026-03-31": PEOPLE[40:]}
    periods, failing = _periods_in_memory(settings, staff, files)
    assert periods["is_movements_covered"].tolist() == [True]
    assert failing == []


def test_a_hole_inside_one_file_is_missing_and_named(settings):
    """One file of April to June and October to March, 100 leavers (hostile pass, coverage
    finding 1): taken as covering its first movement to its last, it 'covered' July to
    September, and the year's leaving was published without a quarter's leavers. The hole
    between two of its movements is tested like any stretch no file covers."""
    from pipeline.cross_checks import CHECKS

    staff = {"2025-03-31": PEOPLE, "2026-03-31": PEOPLE[100:]}
    periods, (row,) = _periods_in_memory(settings, staff, _holed_file())
    assert periods["is_movements_covered"].tolist() == [False]
    ((stretch,),) = periods["missing_stretches"]
    assert [str(stretch["first_date"]), str(stretch["last_date"])] == [
        "2025-06-21",
        "2025-10-09",
    ]
    (check,) = [c for c in CHECKS if c.rule == "movements_cover_period"]
    message = " ".join(check.describe(row, settings).split())
    assert message.startswith(
        "Joiners and leavers dated 21 June 2025 to 9 October 2025 are not loaded. "
        "joiners_leavers_2026.csv has movements dated 10 April 2025 to 20 March 2026, but "
        "none from 21 June 2025 to 9 October 2025. "
    )
    assert message.endswith(
        "Deliver a joiners-and-leavers file for 21 June 2025 to 9 October 2025 with "
        "'correction' in its name (those dates lie within the movements of "
        "joiners_leavers_2026.csv), or one for the whole period with 'correction' in its "
        "name to replace the files loaded before; the period's figures are published the "
        "night it is loaded."
    )


def test_a_small_force_with_a_long_quiet_stretch_is_covered(settings):
    """Five movers and eight months without a movement: what a complete file of a small
    force can look like, not a hole."""
    staff = {"2025-03-31": PEOPLE, "2026-03-31": PEOPLE[5:]}
    periods, failing = _periods_in_memory(settings, staff, _quiet_force())
    assert periods["is_movements_covered"].tolist() == [True]
    assert failing == []


@pytest.mark.parametrize(
    ("contracts", "files", "gone", "covered"),
    [
        # the 111-day hole is shorter than the configured stretch
        ("movements_gap_days = 120", _holed_file(), 100, True),
        # a chance of about 1 in 40 (six stretches, each 1 in 250) is under 1 in 20
        ("movements_gap_chance = 0.05", _quiet_force(), 5, False),
    ],
)
def test_the_configured_stretch_and_chance_decide(tmp_path, contracts, files, gone, covered):
    """[contracts] movements_gap_days and movements_gap_chance (defaults 31 and 0.001, with
    which the verdicts are the reverse, tests above) are what the model reads."""
    settings = load_settings(write_config(tmp_path, f"[contracts]\n{contracts}\n"))
    staff = {"2025-03-31": PEOPLE, "2026-03-31": PEOPLE[gone:]}
    periods, failing = _periods_in_memory(settings, staff, files)
    assert periods["is_movements_covered"].tolist() == [covered]
    assert bool(failing) is not covered


@pytest.mark.parametrize("covered", [False, True])
def test_the_coverage_warning_gives_no_count_that_works_out_a_withheld_one(covered, tmp_path):
    """40 in post, 57 a year later, 3 gone and 20 come (hostile pass finding 3): the warning
    said '1 to 5 people ... are not in that of 31 March 2026, and 20 in the later one',
    and the published headcounts give 40 + 20 - 57 = 3. Where any of the counts it gives
    together is from 1 to the threshold, none is given exactly."""
    from datetime import date

    from pipeline.cross_checks import _movements_cover

    settings = load_settings(write_config(tmp_path))
    row = {
        "period_start_date": date(2025, 3, 31), "period_end_date": date(2026, 3, 31),
        "gone_count": 3, "came_count": 20, "unrecorded_leaver_count": 0,
        "unrecorded_joiner_count": 14, "is_movements_covered": covered,
        "missing_stretches": [{"first_date": date(2025, 6, 16), "last_date": date(2026, 3, 31)}],
        "movement_files": [{"source_file": "joiners_leavers_2026.csv",
                            "first_date": date(2025, 4, 10), "last_date": date(2025, 6, 15),
                            "missing_stretches": []}],
        "latest_movement_date": date(2025, 6, 15),
        "latest_movement_file": "joiners_leavers_2026.csv",
    }  # fmt: skip
    words = _movements_cover(row, settings)
    assert "1 to 5 people in the snapshot of 31 March 2025" in words
    assert "more than 5 in the later one" in words
    assert "20" not in words.replace("2025", "").replace("2026", "")
    assert "14" not in words


def test_a_year_the_movements_do_not_cover_has_no_joiners_mix(tmp_path):
    """A file of April to June only (hostile pass finding 2): leaving was withheld for the
    year, but the joiners' mix still published the year's six joiners as 'April 2025 to
    March 2026'. A reporting year any day of which the movements do not cover is left out."""
    import pandas as pd
    from force_factory import build_database, random_force

    settings = load_settings(write_config(tmp_path))
    raw = random_force(7, 200)
    moves = raw["joiners_leavers"]
    full = build_database(settings, raw)
    query = "select count(*) from analytics.joiners_mix where reporting_year = 2026"
    assert full.execute(query).fetchone()[0] > 0
    raw["joiners_leavers"] = moves[moves["movement_date"] < pd.Timestamp("2025-07-01")]
    part = build_database(settings, raw)
    (covered,) = part.execute(
        "select is_movements_covered from intermediate.int_workforce__periods"
    ).fetchone()
    assert not covered
    assert part.execute(query).fetchone()[0] == 0
