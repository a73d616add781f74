"""analytics.quarantine_summary counts rows, not the columns a row broke a rule in, and its
counts per file add up to no more than source_files' rows held back: the real models, on a
few quarantine rows in an in-memory database."""

from __future__ import annotations

import duckdb
import pytest

from pipeline import nightly, warehouse
from pipeline.dictionary import load
from pipeline.report.data_quality import EXTRACT_LABELS
from pipeline.schemas import EXTRACT_COLUMNS

QUARANTINE = [
    # file, row, rules as the reader writes them (a rule once a column that broke it)
    ("a.csv", 2, "invalid_date; invalid_date; invalid_date; invalid_date"),  # header again
    ("a.csv", 7, "invalid_date; invalid_number"),
    ("a.csv", 9, "ethnicity_code_allowed"),
    ("b.csv", 3, "invalid_number; invalid_number"),
]


@pytest.fixture
def con():
    con = duckdb.connect()
    warehouse.create_schemas(con)
    warehouse.create_raw_tables(con)
    nightly._create_ops_tables(con)
    for name in ("a.csv", "b.csv"):
        con.execute(
            """insert into ops.load_history (run_id, extract_kind, source_file,
               source_file_hash, rows_read, loaded_at) values ('r', 'staff_snapshot', ?, ?, 10,
               now())""",
            [name, f"hash-{name}"],
        )
    con.executemany(
        """insert into ops.quarantine (run_id, extract_kind, source_file, source_file_hash,
           source_row, rule, column_name) values ('r', 'staff_snapshot', ?, ?, ?, ?, 'x')""",
        [(name, f"hash-{name}", row, rule) for name, row, rule in QUARANTINE],
    )
    models = {m.relation: m for m in warehouse.discover_models()}
    warehouse.run_models(con, [models["marts.source_files"], models["marts.quarantine_summary"]])
    return con


def test_a_rule_broken_in_several_columns_of_a_row_counts_the_row_once(con):
    got = con.execute(
        "select source_file, rule_code, quarantined_row_count from marts.quarantine_summary"
    ).fetchall()
    assert got == [
        ("a.csv", "ethnicity_code_allowed", 1),
        ("a.csv", "invalid_date", 2),
        ("a.csv", "invalid_number", 1),
        ("b.csv", "invalid_number", 1),
    ]


def test_no_rule_counts_more_rows_than_the_file_holds_back(con):
    got = con.execute(
        """select files.source_file, files.quarantined_row_count,
               max(summary.quarantined_row_count), count(*)
           from marts.source_files as files
           join marts.quarantine_summary as summary using (source_file_hash)
           group by all order by 1"""
    ).fetchall()
    # b.csv's one row broke one rule: its summary total is its rows held back
    assert got == [("a.csv", 3, 2, 3), ("b.csv", 1, 1, 1)]


def test_the_extract_code_description_names_every_extract_kind():
    description = load()["extract_code"].description
    missing = [k for k in {**EXTRACT_COLUMNS, **EXTRACT_LABELS} if k not in description]
    assert not missing, f"sql/columns.toml [extract_code] leaves out {missing}"


def test_a_file_of_every_extract_kind_is_listed_with_its_rows(con):
    """source_files counted the rows of four of the nine raw tables: a misconduct or survey
    file with nothing quarantined was missing, and so were its checks."""
    for kind in EXTRACT_COLUMNS:
        con.execute(
            """insert into ops.load_history (run_id, extract_kind, source_file,
               source_file_hash, rows_read, loaded_at) values ('r', ?, ?, ?, 1, now())""",
            [kind, f"{kind}.csv", f"hash-{kind}"],
        )
        con.execute(f"insert into raw.{kind} (source_file_hash) values (?)", [f"hash-{kind}"])
    models = {m.relation: m for m in warehouse.discover_models()}
    warehouse.run_models(con, [models["marts.source_files"]])
    got = dict(
        con.execute(
            """select extract_code, loaded_row_count from marts.source_files
               where source_file = extract_code || '.csv'"""
        ).fetchall()
    )
    assert got == dict.fromkeys(EXTRACT_COLUMNS, 1)
