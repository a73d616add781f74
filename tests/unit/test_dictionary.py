"""The column dictionary: one name, one type, one meaning for every analytics column."""

from __future__ import annotations

import duckdb
import pytest
from conftest import write_config

from pipeline import dictionary, nightly, reference, warehouse
from pipeline.config import load_settings
from pipeline.dictionary import ViewDocs
from pipeline.warehouse import ModelError, discover_models


@pytest.fixture(scope="module")
def empty_warehouse(tmp_path_factory):
    """Every model built on empty raw tables: the types must hold with no data at all."""

    settings = load_settings(write_config(tmp_path_factory.mktemp("empty")))
    con = duckdb.connect()
    warehouse.create_schemas(con)
    warehouse.create_raw_tables(con)
    warehouse.load_code_tables(con, settings)
    nightly._create_ops_tables(con)
    for name, frame in reference.load_reference(settings).items():
        warehouse.replace_table(con, f"raw.{name}", frame)
    models = discover_models()
    warehouse.run_models(con, models)
    warehouse.publish_analytics_views(con, models, min_people=None)
    yield con
    con.close()


def _published_columns(con) -> list[tuple[str, str, str]]:
    return con.execute(
        """select table_name, column_name, data_type from information_schema.columns
           where table_schema = 'analytics' order by table_name, ordinal_position"""
    ).fetchall()


def test_every_published_column_has_the_dictionary_name_and_type(empty_warehouse):
    defined = dictionary.load()
    columns = _published_columns(empty_warehouse)
    assert columns
    wrong = [(v, c, t) for v, c, t in columns if c not in defined or defined[c].type != t]
    assert wrong == []


def test_every_view_lists_exactly_its_columns_and_every_entry_is_used(empty_warehouse):
    columns = _published_columns(empty_warehouse)
    for model in (m for m in discover_models() if m.layer == "marts"):
        docs = ViewDocs.read(model.path.with_suffix(".toml"))
        assert [c for v, c, _ in columns if v == model.name] == list(docs.columns)
    used = {c for _, c, _ in columns}
    assert sorted(set(dictionary.load()) - used) == []


def test_names_the_issue_found_inconsistent_are_one_name_now(empty_warehouse):
    columns = _published_columns(empty_warehouse)
    names = {c for _, c, _ in columns}
    assert "grouping_code" not in names and "benchmark_share" not in names
    # representation_ratio is share / census share, and only that.
    assert {v for v, c, _ in columns if c == "representation_ratio"} == {"representation"}
    assert {t for _, c, t in columns if c.endswith("_date")} == {"DATE"}


def _model_dir(tmp_path, sql: str, toml: str):
    marts = tmp_path / "marts"
    for layer in ("staging", "intermediate", "marts"):
        (tmp_path / layer).mkdir(exist_ok=True)
    (marts / "bad.sql").write_text(sql, encoding="utf-8")
    (marts / "bad.toml").write_text(toml, encoding="utf-8")
    return discover_models(tmp_path)


@pytest.mark.parametrize(
    ("sql", "columns", "message"),
    [
        ("select 'seven' as headcount", '["headcount"]', "headcount is VARCHAR"),
        ("select 1 as head_count", '["head_count"]', "head_count is not in the dictionary"),
        ("select 1 as headcount, 2 as fte", '["headcount"]', "fte not listed in bad.toml"),
        ("select 1 as headcount", '["headcount", "fte"]', "fte not produced"),
        ("select 2.5::double as headcount", '["headcount"]', "without loss"),
    ],
)
def test_a_column_that_disagrees_with_the_dictionary_stops_the_build(
    tmp_path, sql, columns, message
):
    models = _model_dir(tmp_path, sql, f'description = "x"\ncolumns = {columns}\n')
    con = duckdb.connect()
    warehouse.create_schemas(con)
    with pytest.raises(ModelError, match=message):
        warehouse.run_models(con, models)


def test_safe_differences_are_conformed_to_the_dictionary(tmp_path):
    models = _model_dir(
        tmp_path,
        "select 3::integer as headcount, timestamp '2026-03-31' as snapshot_date, "
        "2.0::double as rank_order",
        'description = "x"\ncolumns = ["snapshot_date", "headcount", "rank_order"]\n',
    )
    con = duckdb.connect()
    warehouse.create_schemas(con)
    warehouse.run_models(con, models)
    warehouse.publish_analytics_views(con, models, min_people=None)
    got = con.execute("describe analytics.bad").fetchall()
    assert [(r[0], r[1]) for r in got] == [
        ("snapshot_date", "DATE"),
        ("headcount", "BIGINT"),
        ("rank_order", "INTEGER"),
    ]
    comment = con.execute(
        "select comment from duckdb_columns() "
        "where table_name = 'bad' and column_name = 'headcount'"
    ).fetchone()[0]
    assert comment.startswith("People in post") and comment.endswith("Unit: people.")


# ------------------------------------------------ statistics of people's own values

COUNT_UNITS = {
    "people", "people a year", "fraction", "fraction a year", "difference of fractions",
    "ratio", "probability", "items", "rows", "order", "year", "code", "label", "text",
    "flag", "hash",
}  # fmt: skip
"""Units of a count of people or things, a figure computed from counts, or a label: no
one's own value (``year`` is a calendar or reporting year)."""
SNAPSHOT_DATES = (
    "snapshot_date", "period_start_date", "period_end_date", "previous_snapshot_date",
    "previous_period_start_date", "previous_period_end_date", "year_earlier_snapshot_date",
    "workforce_snapshot_date", "window_start_date", "baseline_snapshot_date",
    "judged_snapshot_date", "benchmark_date", "projection_date",
)  # fmt: skip
NOT_PERSONAL = {
    **dict.fromkeys(
        SNAPSHOT_DATES, "a staff snapshot's date (or a census day, or a snapshot plus years)"
    ),
    **dict.fromkeys(("from_date", "target_date"), "a configured target's dates"),
    "loaded_date": "the day a file was loaded",
    "survey_date": "when a survey's fieldwork closed",
    "first_outcome_date": "a selection process's date (one per process, not per group)",
    "projection_year": "years after the latest snapshot (0 to the horizon)",
    "horizon_years": "the configured projection horizon",
    "years_remaining": "years from the latest snapshot to a configured target date",
}
"""Reviewed: columns of other units that are not a statistic of people's own values."""


def test_every_statistic_of_peoples_own_values_names_the_count_of_people_it_is_over():
    """A column that is neither a count (or a figure of counts) nor reviewed here must say
    which count of people it is over (``people_count``), so that the analysts' database
    withholds it over too few people: a mean of ages, days or service added tomorrow fails
    here until it does. Was: average_years_in_rank and fte, undeclared, published over one
    person (their own years in rank to the day, their own FTE)."""
    defined = dictionary.load()
    undeclared = [
        f"{name} ({column.unit})"
        for name, column in defined.items()
        if column.unit not in COUNT_UNITS and name not in NOT_PERSONAL and not column.people_count
    ]
    assert undeclared == []
    assert {n: c.people_count for n, c in defined.items() if c.people_count} == {
        "fte": "headcount",
        "average_years_in_rank": "promoted_count",
    }
    for name, column in defined.items():
        if column.people_count:
            count = defined[column.people_count]
            assert count.unit == "people" and count.type in ("BIGINT", "INTEGER"), name
            assert "Withheld (null) in the analysts' database" in column.description, name
    assert sorted(n for n in NOT_PERSONAL if n not in defined) == []  # no stale entry


def test_every_view_with_a_statistic_of_peoples_values_lists_its_count():
    defined = dictionary.load()
    for model in (m for m in discover_models() if m.layer == "marts"):
        docs = ViewDocs.read(model.path.with_suffix(".toml"))
        for column in docs.columns:
            count = defined[column].people_count
            assert count is None or count in docs.columns, (model.name, column, count)


def test_a_view_listing_a_personal_value_without_its_count_is_refused(tmp_path):
    models = _model_dir(
        tmp_path, "select 0.6::double as fte", 'description = "x"\ncolumns = ["fte"]\n'
    )
    con = duckdb.connect()
    warehouse.create_schemas(con)
    with pytest.raises(ModelError, match=r"fte \(its people_count, headcount\)"):
        warehouse.run_models(con, models)


def test_a_personal_value_is_withheld_over_1_to_the_minimum_less_one_people():
    con = duckdb.connect()
    con.execute(
        "create table t as select headcount, fte::double as fte from (values (0, 0.0), (1, 0.15), "
        "(4, 3.2), (5, 4.6), (null, 0.5)) v(headcount, fte)"
    )
    select = ", ".join(dictionary.withheld_select(["headcount", "fte"], min_people=5))
    assert con.execute(f"select {select} from t").fetchall() == [
        (0, 0.0),
        (1, None),
        (4, None),
        (5, 4.6),
        (None, None),
    ]
    kept = ", ".join(dictionary.withheld_select(["headcount", "fte"], min_people=None))
    assert con.execute(f"select {kept} from t").fetchall()[1] == (1, 0.15)
