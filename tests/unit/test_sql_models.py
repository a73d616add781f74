"""Each SQL model on a tiny inline force, against values worked out by hand."""

from __future__ import annotations

import csv

import pytest
from conftest import STAFF_HEADER, staff_row, write_inbox

from pipeline.config import BUNDLED_REFERENCE
from pipeline.history import current_history
from pipeline.nightly import run_nightly
from pipeline.warehouse import connect, discover_models


def _census_share(area_codes: set[str], minority_broad_columns: list[str]) -> float:
    with (BUNDLED_REFERENCE / "census2021-ts021-ltla.csv").open(encoding="utf-8") as handle:
        rows = [r for r in csv.DictReader(handle) if r["geography code"] in area_codes]
    total = sum(int(r["Ethnic group: Total: All usual residents"]) for r in rows)
    return sum(int(r[c]) for r in rows for c in minority_broad_columns) / total


MINORITY_EXCL_WHITE = [
    "Ethnic group: Asian, Asian British or Asian Welsh",
    "Ethnic group: Black, Black British, Black Welsh, Caribbean or African",
    "Ethnic group: Mixed or Multiple ethnic groups",
    "Ethnic group: Other ethnic group",
]


def _snapshot(settings, rows: list[str], name: str = "staff_snapshot_2026.csv") -> None:
    write_inbox(settings, name, STAFF_HEADER + "\n" + "\n".join(rows) + "\n")


def _query(settings, sql: str, params=None):
    with connect(settings.paths.database, read_only=True) as con:
        return con.execute(sql, params or []).df()


@pytest.fixture
def five_officers(tiny_force):
    # BHM: W1, A2 (1 of 2 declared in the minority); SOL: NS, B1, W9 (1 of 2 declared).
    _snapshot(
        tiny_force,
        [
            staff_row("P1", "W1", lpu="BHM"),
            staff_row("P2", "A2", lpu="BHM", fte="0.5"),
            staff_row("P3", "NS", lpu="SOL"),
            staff_row("P4", "B1", lpu="SOL", rank="Sergeant"),
            staff_row("P5", "W9", lpu="SOL"),
        ],
    )
    run_nightly(tiny_force)
    return tiny_force


def test_models_are_ordered_after_what_they_read():
    order = [m.relation for m in discover_models()]
    assert order.index("staging.stg_hr__staff_snapshots") < order.index(
        "intermediate.int_staff__with_groups"
    )
    assert order.index("marts.population_benchmark") < order.index("marts.representation")


def test_representation_force_wide(five_officers):
    got = _query(
        five_officers,
        """select * from analytics.representation where worker_type = 'All'
           and rank_or_band = 'All' and lpu_code = 'All' order by group_code""",
    ).set_index("group_code")
    excl = got.loc["minority_excl_white"]
    assert excl["headcount"] == 5
    assert excl["fte"] == pytest.approx(4.5)
    assert excl["declared_headcount"] == 4
    assert excl["declaration_rate"] == pytest.approx(4 / 5)
    assert excl["group_headcount"] == 2  # A2 and B1
    assert excl["group_share"] == pytest.approx(2 / 4)
    force_share = _census_share({f"E080000{n}" for n in range(25, 32)}, MINORITY_EXCL_WHITE)
    assert excl["population_share"] == pytest.approx(force_share, rel=1e-12)
    assert excl["representation_ratio"] == pytest.approx(0.5 / force_share)
    assert excl["parity_gap_headcount"] == pytest.approx(force_share * 4 - 2)
    # Including White minorities adds W9: 3 of 4.
    assert got.loc["minority_incl_white", "group_headcount"] == 3
    assert got.loc["white", "group_headcount"] == 2
    assert got.loc["black", "group_headcount"] == 1
    assert got.loc["asian", "group_share"] == pytest.approx(1 / 4)


def test_representation_by_lpu_uses_the_lpus_own_population(five_officers):
    got = _query(
        five_officers,
        """select * from analytics.representation where worker_type = 'police_officer'
           and rank_or_band = 'All' and group_code = 'minority_excl_white'
           and lpu_code <> 'All' order by lpu_code""",
    ).set_index("lpu_code")
    birmingham = _census_share({"E08000025"}, MINORITY_EXCL_WHITE)
    solihull = _census_share({"E08000029"}, MINORITY_EXCL_WHITE)
    assert got.loc["BHM", "population_share"] == pytest.approx(birmingham, rel=1e-12)
    assert got.loc["SOL", "population_share"] == pytest.approx(solihull, rel=1e-12)
    assert got.loc["SOL", "headcount"] == 3
    assert got.loc["SOL", "declared_headcount"] == 2
    assert got.loc["SOL", "group_share"] == pytest.approx(0.5)
    assert got.loc["BHM", "lpu_name"] == "Birmingham"


def test_representation_by_rank(five_officers):
    got = _query(
        five_officers,
        """select rank_or_band, rank_order, headcount, group_headcount
           from analytics.representation where worker_type = 'police_officer'
           and lpu_code = 'All' and group_code = 'black' and rank_or_band <> 'All'
           order by rank_order""",
    )
    assert got.to_dict("records") == [
        {"rank_or_band": "Constable", "rank_order": 1, "headcount": 4, "group_headcount": 0},
        {"rank_or_band": "Sergeant", "rank_order": 2, "headcount": 1, "group_headcount": 1},
    ]


def test_everyone_not_stated_gives_no_share_and_no_ratio(tiny_force):
    _snapshot(tiny_force, [staff_row(f"P{i}", "NS") for i in range(3)])
    run_nightly(tiny_force)
    got = _query(
        tiny_force,
        """select * from analytics.representation where worker_type = 'All'
           and lpu_code = 'All' and group_code = 'minority_excl_white'""",
    ).iloc[0]
    assert got["headcount"] == 3
    assert got["declared_headcount"] == 0
    assert got["declaration_rate"] == 0
    assert got["group_share"] is None or got["group_share"] != got["group_share"]
    assert (
        got["representation_ratio"] is None
        or got["representation_ratio"] != got["representation_ratio"]
    )
    assert got["parity_gap_headcount"] == 0


def test_population_benchmark_lpu_is_the_sum_of_its_areas(five_officers):
    got = _query(
        five_officers,
        """select area_level, area_code, population_count, total_population_count
           from analytics.population_benchmark where group_code = 'black'
           order by area_level, area_code""",
    )
    force = got[got["area_level"] == "force"].iloc[0]
    assert force["total_population_count"] == 2_919_655
    assert len(got[got["area_level"] == "local_authority"]) == 7
    lpu = got[got["area_level"] == "lpu"].set_index("area_code")
    la = got[got["area_level"] == "local_authority"].set_index("area_code")
    assert lpu.loc["BHM", "population_count"] == la.loc["E08000025", "population_count"]


def test_staging_has_bands_and_years_in_rank(five_officers):
    with connect(current_history(five_officers), read_only=True) as con:
        got = (
            con.execute(
                "select age_band, service_band, years_in_rank from staging.stg_hr__staff_snapshots"
            )
            .df()
            .iloc[0]
        )
    assert got["age_band"] == "35-44"  # born 1990-01-01: 36 on the snapshot date, 2026-03-31
    assert got["service_band"] == "10-19"  # since 2015-01-01: 11.2 years
    assert got["years_in_rank"] == pytest.approx((365 * 8 + 2 + 89) / 365.25)  # since 2018-01-01


def test_every_analytics_view_and_column_is_documented(five_officers):
    got = _query(
        five_officers,
        """select table_name, column_name, comment from duckdb_columns()
           where database_name = 'warehouse' and schema_name = 'analytics'""",
    )
    assert len(got) > 20
    assert got["comment"].notna().all()
    views = _query(
        five_officers,
        """select view_name, comment from duckdb_views()
           where database_name = 'warehouse' and schema_name = 'analytics'""",
    )
    assert {"representation", "population_benchmark"} <= set(views["view_name"])
    assert views["comment"].notna().all()
