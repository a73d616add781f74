"""Python models (dbt-style ``<name>.py`` beside the SQL) in pipeline.warehouse."""

from __future__ import annotations

import duckdb
import pytest
from conftest import model_project

from pipeline import warehouse
from pipeline.warehouse import ModelError, discover_models, run_models

DOUBLED = """\
    import pandas as pd

    DEPENDS_ON = ["staging.numbers"]

    def model(con):
        return con.execute(
            "select n as headcount, n * 2 as group_headcount from staging.numbers"
        ).df()
    """


def test_a_python_model_runs_after_what_it_reads_and_before_what_reads_it(tmp_path):
    root = model_project(
        tmp_path,
        {
            "staging/numbers.sql": "select * from range(3) as t(n)",
            "marts/doubled.py": DOUBLED,
            "marts/doubled.toml": 'description = "x"\ncolumns = ["headcount", "group_headcount"]',
            "marts/summed.sql": "select sum(group_headcount) as headcount from marts.doubled",
            "marts/summed.toml": 'description = "x"\ncolumns = ["headcount"]',
        },
    )
    models = discover_models(root)
    order = [m.relation for m in models]
    assert order.index("staging.numbers") < order.index("marts.doubled")
    assert order.index("marts.doubled") < order.index("marts.summed")
    con = duckdb.connect()
    warehouse.create_schemas(con)
    assert run_models(con, models) == order
    assert con.execute("select headcount from marts.summed").fetchone() == (6,)  # 0 + 2 + 4
    (kind,) = con.execute(
        "select table_type from information_schema.tables where table_name = 'doubled'"
    ).fetchone()
    assert kind == "BASE TABLE"


def test_the_real_disparities_model_is_discovered_after_selection_rates():
    order = [m.relation for m in discover_models()]
    assert order.index("marts.selection_rates") < order.index("marts.disparities")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("def model(con):\n    return None\n", r"defines DEPENDS_ON and model\(con\)"),
        ("DEPENDS_ON = ['numbers']\ndef model(con):\n    pass\n", "must be schema.table"),
    ],
)
def test_a_malformed_python_model_is_named(tmp_path, text, message):
    root = model_project(tmp_path, {"marts/broken.py": text})
    with pytest.raises(ModelError, match=f"broken.py: .*{message}"):
        discover_models(root)


def test_a_python_model_must_return_a_frame(tmp_path):
    root = model_project(
        tmp_path, {"marts/nothing.py": "DEPENDS_ON = []\ndef model(con):\n    return 1\n"}
    )
    con = duckdb.connect()
    warehouse.create_schemas(con)
    with pytest.raises(ModelError, match=r"nothing\.py: model\(con\) must return a pandas"):
        run_models(con, discover_models(root))


def test_a_python_model_failing_on_bad_data_is_a_model_error(tmp_path):
    failing = """\
        DEPENDS_ON = []

        def model(con):
            raise ValueError("row 3: passed (4) is greater than entered (2)")
        """
    root = model_project(tmp_path, {"marts/failing.py": failing})
    con = duckdb.connect()
    warehouse.create_schemas(con)
    with pytest.raises(ModelError, match=r"marts/failing\.py: row 3"):
        run_models(con, discover_models(root))


def test_the_same_model_in_sql_and_python_is_refused(tmp_path):
    root = model_project(tmp_path, {"marts/twice.sql": "select 1 as x", "marts/twice.py": DOUBLED})
    with pytest.raises(ModelError, match="defined by both"):
        discover_models(root)
