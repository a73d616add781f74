"""The analysts' database holds no one's own values: a statistic of people's values (mean
years in rank, FTE added up) over fewer than the disclosure threshold of people is withheld.

Was (hostile tester): ``analytics.promotion_rates.average_years_in_rank`` over the one
promoted Superintendent was their own gap between two rank start dates, to the day (x 365.25
a whole number of days), and ``analytics.representation.fte`` with headcount 1 one person's
working pattern; the mart tables copied beside the views held the same values.
"""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest
from conftest import write_config
from force_factory import _empty_database, _insert_raw

from pipeline import warehouse
from pipeline.config import load_settings
from pipeline.history import export_published

START, END = pd.Timestamp("2024-03-31"), pd.Timestamp("2025-03-31")


def _officer(key: str, date: pd.Timestamp, rank: str, rank_start: str, fte: float) -> dict:
    return {
        "staff_key": key, "snapshot_date": date, "worker_type": "police_officer",
        "rank_or_band": rank, "department": "Local Policing", "lpu_code": "BHM",
        "role": "Response", "sex": "M", "ethnicity_code": "W1",
        "date_of_birth": pd.Timestamp("1985-06-01"),
        "service_start_date": pd.Timestamp("2010-01-01"),
        "rank_start_date": pd.Timestamp(rank_start), "fte": fte, "is_temporary_rank": False,
    }  # fmt: skip


def _force(promoted: int) -> dict[str, pd.DataFrame]:
    """Ten Inspectors, ``promoted`` of them Chief Inspectors a year on; the first Inspector
    alone works 0.6 FTE, the only Superintendent 0.8."""
    rows = [_officer("SUP", START, "Superintendent", "2020-01-01", 0.8)]
    rows += [_officer("SUP", END, "Superintendent", "2020-01-01", 0.8)]
    for i in range(10):
        fte = 0.6 if i == 0 else 1.0
        rows.append(_officer(f"I{i}", START, "Inspector", "2019-05-01", fte))
        if i < promoted:
            rows.append(_officer(f"I{i}", END, "Chief Inspector", f"2024-0{i % 9 + 1}-02", fte))
        else:
            rows.append(_officer(f"I{i}", END, "Inspector", "2019-05-01", fte))
    empty = pd.DataFrame()
    return {
        "staff_snapshot": pd.DataFrame(rows),
        "joiners_leavers": empty,
        "promotion_candidates": empty,
        "recruitment_applicants": empty,
    }


@pytest.fixture(scope="module")
def settings(tmp_path_factory):
    return load_settings(write_config(tmp_path_factory.mktemp("personal")))


def _built(settings, promoted: int) -> tuple[duckdb.DuckDBPyConnection, list]:
    con = _empty_database(settings)
    _insert_raw(con, _force(promoted))
    models = warehouse.discover_models()
    warehouse.run_models(con, models)
    return con, models


def _inspectors(con, relation: str) -> tuple:
    return con.execute(
        f"""select promoted_count, average_years_in_rank from {relation}
            where rank_or_band = 'Inspector' and comparison_code = 'all'"""
    ).fetchone()


def _fte(con, relation: str, rank: str) -> tuple:
    return con.execute(
        f"""select headcount, fte from {relation}
            where snapshot_date = '2025-03-31' and worker_type = 'police_officer'
              and rank_or_band = ? and lpu_code = 'All' and group_code = 'white'""",
        [rank],
    ).fetchone()


@pytest.mark.parametrize("promoted", [1, 4])
def test_a_mean_over_fewer_than_the_threshold_of_people_is_withheld(settings, promoted):
    con, models = _built(settings, promoted)
    warehouse.publish_analytics_views(con, models, min_people=settings.disclosure.threshold)
    assert _inspectors(con, "marts.promotion_rates")[1] is not None  # the mart keeps it
    assert _inspectors(con, "analytics.promotion_rates") == (promoted, None)
    assert _fte(con, "analytics.representation", "Superintendent") == (1, None)
    assert _fte(con, "analytics.representation", "Chief Inspector") == (promoted, None)


@pytest.mark.parametrize("promoted", [5, 6])
def test_a_mean_over_the_threshold_of_people_or_more_is_shown(settings, promoted):
    con, models = _built(settings, promoted)
    warehouse.publish_analytics_views(con, models, min_people=settings.disclosure.threshold)
    count, years = _inspectors(con, "analytics.promotion_rates")
    assert count == promoted and years > 4
    assert years == pytest.approx(_inspectors(con, "marts.promotion_rates")[1])
    assert _fte(con, "analytics.representation", "Chief Inspector") == (
        promoted, pytest.approx(promoted - 0.4)
    )  # fmt: skip
    left = 10 - promoted  # the Inspectors not promoted: 5, or 4 (withheld)
    assert _fte(con, "analytics.representation", "Inspector") == (
        left, pytest.approx(left) if left >= settings.disclosure.threshold else None
    )  # fmt: skip


def test_the_analysts_database_withholds_it_in_the_views_and_the_mart_tables(settings, tmp_path):
    con, models = _built(settings, 1)
    history = tmp_path / "history.duckdb"
    con.execute(f"attach '{history}' as history")
    con.execute("copy from database memory to history")
    con.execute("detach history")
    published = tmp_path / "progression.duckdb"
    export_published(history, published, models, min_people=settings.disclosure.threshold)
    with warehouse.connect(published, read_only=True) as out:
        for relation in ("analytics.promotion_rates", "marts.promotion_rates"):
            assert _inspectors(out, relation) == (1, None), relation
        for relation in ("analytics.representation", "marts.representation"):
            assert _fte(out, relation, "Superintendent") == (1, None), relation
            assert _fte(out, relation, "Inspector") == (9, pytest.approx(9.0)), relation
