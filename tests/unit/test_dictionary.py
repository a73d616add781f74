"""The column dictionary: one name, one type, one meaning for every analytics column."""

from __future__ import annotations

import duckdb
import pytest
from conftest import write_config

from pipeline import dictionary, nightly, reference, warehouse
from pipeline.config import REPO_ROOT, load_settings
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


RENAMED = {
    "covers_comparison": "is_comparison_covered",
    "workforce_gap_share": "workforce_share_gap",
    "population_gap_share": "population_share_gap",
    "projected_joiner_count": "projected_joiners",
    "projected_group_joiner_count": "projected_group_joiners",
    "straight_line_joiner_count": "straight_line_joiners",
}


def test_columns_renamed_to_the_contract_are_published_by_the_new_name_and_listed(
    empty_warehouse,
):
    """A boolean not named is_*, a difference of shares named *_share (it is negative) and
    fractional medians of recruits named *_count were renamed; analysts.md lists them."""
    names = {c for _, c, _ in _published_columns(empty_warehouse)}
    assert names.isdisjoint(RENAMED) and set(RENAMED.values()) <= names
    notes = (REPO_ROOT / "docs" / "analysts.md").read_text(encoding="utf-8")
    renamed = notes.split("### Renamed columns", 1)[1].split("\n## ", 1)[0]
    for old, new in RENAMED.items():
        assert f"`{old}` | `{new}`" in renamed


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


def test_every_column_in_the_dictionary_keeps_the_naming_contract():
    """The contract over sql/columns.toml itself, so the next column to break it fails
    here: a boolean not named is_*/has_*, a *_count that is fractional (DOUBLE) or not
    people, rows or items, a *_share that is a difference of shares (below 0) or in any
    unit but a fraction from 0 to 1, a figure in percentage points given as a fraction."""
    assert dictionary.naming_problems(dictionary.load()) == []


@pytest.mark.parametrize(
    ("name", "type_", "unit", "description", "problem"),
    [
        ("covers_comparison", "BOOLEAN", "flag", "x", "not named is_*/has_*"),
        ("is_covered", "VARCHAR", "code", "x", "is_*/has_* is BOOLEAN"),
        ("workforce_gap_share", "DOUBLE", "difference of fractions", "a - b", "*_share/*_rate"),
        ("tier_share", "DOUBLE", "fraction (0 to 1)", "a - b (x100 = percentage points)", "a "
         "difference of fractions"),
        ("projected_joiner_count", "DOUBLE", "people", "median", "*_count/headcount is BIGINT"),
        ("case_count", "BIGINT", "fraction (0 to 1)", "x", "*_count/headcount"),
        ("review_date", "VARCHAR", "date", "x", "*_date is DATE"),
        ("reviewed_on", "DATE", "date", "x", "not named *_date"),
    ],
)  # fmt: skip
def test_a_column_breaking_the_naming_contract_is_named(name, type_, unit, description, problem):
    column = dictionary.ColumnDefinition(name, type_, unit, description)
    (found,) = dictionary.naming_problems({name: column})
    assert found.startswith(name) and problem in found


def _documented_naming() -> list[tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]]:
    """The "Column names" table of docs/analysts.md: name patterns, types, units."""
    text = (REPO_ROOT / "docs" / "analysts.md").read_text(encoding="utf-8")
    section = text.split("### Column names", 1)[1].split("\n#", 1)[0]
    rows = []
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if not line.startswith("| `"):
            continue
        rows.append(
            tuple(tuple(v.strip().strip("`") for v in cell.split(",")) for cell in cells[:3])
        )
    return rows


def test_the_naming_contract_analysts_read_is_the_one_checked():
    checked = [(r.patterns, r.types, r.units) for r in dictionary.NAMING]
    assert _documented_naming() == checked


# ------------------------------------------------ statistics of people's own values

COUNT_UNITS = {
    "people", "people a year", "people (expected, fractional)", "fraction (0 to 1)",
    "fraction a year", "difference of fractions",
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
