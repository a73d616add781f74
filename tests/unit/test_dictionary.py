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
    warehouse.publish_analytics_views(con, models)
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
    warehouse.publish_analytics_views(con, models)
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
