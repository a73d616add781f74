"""A SQL model's declared materialisation (``-- materialized: table``) in pipeline.warehouse."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from conftest import model_project

from pipeline import warehouse
from pipeline.warehouse import ModelError, discover_models, run_models


def _kinds(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    return {
        f"{schema}.{name}": kind
        for schema, name, kind in con.execute(
            "select table_schema, table_name, table_type from information_schema.tables"
        ).fetchall()
    }


COUNTED = """\
    -- Counts read by several marts.
    -- materialized: table
    select n, n * 2 as twice from staging.numbers
    """


def _counted_project(root: Path, counted: str = COUNTED) -> Path:
    return model_project(
        root,
        {
            "staging/numbers.sql": "select * from range(3) as t(n)",
            "intermediate/counted.sql": counted,
            "marts/summed.sql": "select sum(twice) as headcount from intermediate.counted",
            "marts/summed.toml": 'description = "x"\ncolumns = ["headcount"]',
        },
    )


def test_an_intermediate_model_declared_a_table_is_built_as_one_and_read_by_its_marts(tmp_path):
    models = discover_models(_counted_project(tmp_path))
    assert {m.relation: m.materialized for m in models} == {
        "staging.numbers": "view",
        "intermediate.counted": "table",
        "marts.summed": "table",
    }
    con = duckdb.connect()
    warehouse.create_schemas(con)
    run_models(con, models)
    kinds = _kinds(con)
    assert kinds["intermediate.counted"] == "BASE TABLE"
    assert kinds["staging.numbers"] == "VIEW"
    assert con.execute("select headcount from marts.summed").fetchone() == (6,)


def test_a_database_built_when_the_model_was_a_view_is_rebuilt_with_a_table_and_back(tmp_path):
    """A nightly history holds the previous run's relations: DuckDB will not replace a view
    by a table (nor a table by a view), so the other kind is dropped first."""
    con = duckdb.connect()
    warehouse.create_schemas(con)
    as_view = COUNTED.replace("-- materialized: table\n", "")
    run_models(con, discover_models(_counted_project(tmp_path / "a", as_view)))
    assert _kinds(con)["intermediate.counted"] == "VIEW"
    run_models(con, discover_models(_counted_project(tmp_path / "b")))
    assert _kinds(con)["intermediate.counted"] == "BASE TABLE"
    assert con.execute("select headcount from marts.summed").fetchone() == (6,)
    run_models(con, discover_models(_counted_project(tmp_path / "c", as_view)))
    assert _kinds(con)["intermediate.counted"] == "VIEW"


def test_an_unknown_materialisation_is_refused_naming_the_file(tmp_path):
    root = _counted_project(tmp_path, COUNTED.replace("materialized: table", "materialized: tabel"))
    with pytest.raises(ModelError, match=r"counted.sql: declare one materialisation"):
        discover_models(root)


def test_a_mart_declared_a_view_is_refused_naming_the_file(tmp_path):
    """The analysts' database copies the marts' tables: a mart built as a view broke the
    publish stage (exit 1) instead of being refused with the models (review)."""
    root = _counted_project(tmp_path)
    (root / "marts/summed.sql").write_text(
        "-- materialized: view\nselect sum(twice) as headcount from intermediate.counted\n",
        encoding="utf-8",
    )
    with pytest.raises(ModelError, match=r"marts/summed\.sql: declare one materialisation, "):
        discover_models(root)
    (root / "marts/summed.sql").write_text(
        "-- materialized: table\nselect sum(twice) as headcount from intermediate.counted\n",
        encoding="utf-8",
    )
    assert {m.relation: m.materialized for m in discover_models(root)}["marts.summed"] == "table"


def test_a_check_before_the_transform_does_not_build_a_model_materialised_as_a_table(
    tmp_path, monkeypatch
):
    models = discover_models(_counted_project(tmp_path))
    monkeypatch.setattr(warehouse, "discover_models", lambda: models)
    con = duckdb.connect()
    warehouse.create_schemas(con)
    with pytest.raises(ModelError, match=r"intermediate\.counted is a table"):
        warehouse.build_views_read_by(con, "select * from intermediate.counted")


def test_the_monitoring_counts_every_monitoring_mart_reads_are_a_table():
    """The five monitoring marts each run pipeline.monitoring.RATE_SQL on these counts: as
    a view they were computed five times a build (0.71 s against 0.13 s for one read)."""
    models = {m.relation: m for m in discover_models()}
    assert models["intermediate.int_monitoring__measure_counts"].materialized == "table"
    readers = [
        m.relation
        for m in models.values()
        if "intermediate.int_monitoring__measure_counts" in m.dependencies()
    ]
    assert len(readers) == 5
    # every other staging and intermediate model stays a view
    assert {
        m.materialized
        for m in models.values()
        if m.layer != "marts" and m.relation != "intermediate.int_monitoring__measure_counts"
    } == {"view"}
