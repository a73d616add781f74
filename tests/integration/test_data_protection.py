"""What the demo force's run keeps, where, and who can read it: the analysts' database holds
aggregates only (a k-anonymity check over every relation it publishes, and no statistic of
people's own values over fewer than the disclosure threshold of people), the people's rows
are in the private history, and every file with personal data is the service user's alone."""

from __future__ import annotations

import stat
from pathlib import Path

import duckdb
import pytest

from pipeline import dictionary
from pipeline.config import load_settings
from pipeline.history import current_history
from pipeline.warehouse import connect

QUASI_IDENTIFIERS = (
    "date_of_birth", "age_band", "sex", "ethnicity_code", "lpu_code", "rank_or_band",
    "department", "role", "worker_type", "service_start_date", "service_band",
    "rank_start_date", "movement_date", "leaving_reason", "fte", "is_temporary_rank",
)  # fmt: skip
"""Columns that, together, could single a colleague out to someone who knows them."""
IDENTIFIERS = ("staff_key", "applicant_key", "candidate_key", "staff_id", "applicant_id")
PERSONAL_DATES = ("date_of_birth", "service_start_date", "rank_start_date")


def _is_aggregate(column: str) -> bool:
    """A count, or a rate or share over counts: a relation with one is of groups, not people
    (e.g. analytics.target_requirements: a promotion rate per rank)."""
    return column == "headcount" or column.endswith(("_count", "_headcount", "_rate", "_share"))


def smallest_groups(con: duckdb.DuckDBPyConnection, threshold: int) -> list[str]:
    """Every relation (outside the configured code lists in ``ref``) that holds a row per
    person, i.e. has no count, rate or share column, and has a combination of its
    quasi-identifiers shared by fewer than ``threshold`` rows: ``schema.relation (columns): k``."""
    relations = con.execute(
        """select schema_name, table_name, list(column_name order by column_index)
           from duckdb_columns() where database_name = current_database()
             and schema_name <> 'ref' group by all order by all"""
    ).fetchall()
    found = []
    for schema, name, columns in relations:
        present = [c for c in columns if c in QUASI_IDENTIFIERS]
        if not present or any(_is_aggregate(c) for c in columns):
            continue
        listed = ", ".join(present)
        (k,) = con.execute(
            f"select min(n) from (select count(*) as n from {schema}.{name} group by {listed})"
        ).fetchone()
        if k is not None and k < threshold:
            found.append(f"{schema}.{name} ({listed}): {k}")
    return found


@pytest.fixture(scope="module")
def demo(demo_run):
    out, done = demo_run
    assert done.returncode == 0, done.stderr
    return load_settings(out / "progression.toml")


def test_the_k_anonymity_check_finds_a_table_of_people():
    con = duckdb.connect()
    con.execute("create schema raw")
    con.execute(
        "create table raw.people as select * from (values ('F', 'A2', 'BHM', '1990-01-01'), "
        "('F', 'A2', 'BHM', '1990-01-01'), ('M', 'W1', 'SOL', '1971-06-30')) "
        "t(sex, ethnicity_code, lpu_code, date_of_birth)"
    )
    con.execute(
        "create table raw.counts as select 'F' as sex, 'A2' as ethnicity_code, 1 as headcount"
    )
    assert smallest_groups(con, 5) == [
        "raw.people (sex, ethnicity_code, lpu_code, date_of_birth): 1"
    ]


def test_no_combination_of_published_quasi_identifiers_isolates_anyone(demo):
    """Was: one row per person with exact date of birth, sex, ethnicity, rank, LPU and role
    (10,935 of 11,500 demo people unique on date of birth, sex and LPU alone)."""
    with connect(demo.paths.database, read_only=True) as con:
        assert smallest_groups(con, demo.disclosure.threshold) == []


def personal_values_over_too_few(con: duckdb.DuckDBPyConnection, threshold: int) -> list[str]:
    """Every column of the database (views and tables) that the dictionary declares a
    statistic of people's own values (``people_count``) with a value over 1 to
    ``threshold`` - 1 people: ``schema.relation.column: rows``; also a relation that has such
    a column without its count."""
    defined = dictionary.load()
    relations = con.execute(
        """select schema_name, table_name, list(column_name order by column_index)
           from duckdb_columns() where database_name = current_database()
           group by all order by all"""
    ).fetchall()
    found = []
    for schema, name, columns in relations:
        for column in columns:
            count = defined[column].people_count if column in defined else None
            if count is None:
                continue
            if count not in columns:
                found.append(f"{schema}.{name}.{column}: no {count} beside it")
                continue
            (rows,) = con.execute(
                f"""select count(*) from {schema}.{name} where {column} is not null
                    and {count} between 1 and {threshold - 1}"""
            ).fetchone()
            if rows:
                found.append(f"{schema}.{name}.{column}: {rows}")
    return found


def test_no_statistic_of_peoples_own_values_is_over_fewer_than_the_threshold(demo):
    """Was: analytics.promotion_rates.average_years_in_rank over one promoted person (the
    demo's only promoted Superintendent, also its only Black one: 2,178 days between their
    rank start dates), analytics.representation.fte over one person (a Special Inspector at
    0.15), and the mart tables behind them the same."""
    threshold = demo.disclosure.threshold
    with connect(demo.paths.database, read_only=True) as con:
        assert personal_values_over_too_few(con, threshold) == []
        for relation, count in (
            ("promotion_rates", "promoted_count"),
            ("representation", "headcount"),
        ):
            # Not vacuous: the demo has such small cells, and larger ones keep their values.
            small, shown = con.execute(
                f"""select count(*) filter (where {count} between 1 and {threshold - 1}),
                           count(*) filter (where {count} >= {threshold})
                    from analytics.{relation}"""
            ).fetchone()
            assert small > 0 and shown > 0, relation
        (years,) = con.execute(
            f"""select count(*) from analytics.promotion_rates
                where promoted_count >= {threshold} and average_years_in_rank > 0"""
        ).fetchone()
        assert years > 0


def test_the_personal_value_check_finds_a_mean_over_one_person():
    con = duckdb.connect()
    con.execute(
        "create table t as select * from (values (1, 4.5), (6, 3.0), (0, null)) "
        "v(promoted_count, average_years_in_rank)"
    )
    con.execute("create table u as select 0.6 as fte")
    assert personal_values_over_too_few(con, 5) == [
        "main.t.average_years_in_rank: 1",
        "main.u.fte: no headcount beside it",
    ]


def test_the_published_database_holds_aggregates_and_the_record_of_runs_only(demo):
    with connect(demo.paths.database, read_only=True) as con:
        tables = set(
            con.execute(
                "select schema_name || '.' || table_name from duckdb_tables() "
                "where database_name = current_database()"
            ).fetchall()
        )
        columns = {
            c for (c,) in con.execute(
                "select distinct column_name from duckdb_columns() "
                "where database_name = current_database()"
            ).fetchall()
        }  # fmt: skip
    schemas = {t.split(".")[0] for (t,) in tables}
    assert schemas == {"marts", "ref", "ops"}
    assert {t for (t,) in tables if t.startswith("ops.")} == {
        "ops.runs", "ops.load_history", "ops.contract_results", "ops.deliveries"
    }  # fmt: skip
    assert not columns & {*IDENTIFIERS, *PERSONAL_DATES}


def test_the_history_keeps_bands_not_dates_of_birth(demo):
    with connect(current_history(demo), read_only=True) as con:
        columns = {
            c for (c,) in con.execute(
                "select column_name from duckdb_columns() where schema_name = 'raw' "
                "and table_name = 'staff_snapshot'"
            ).fetchall()
        }  # fmt: skip
        bands = con.execute(
            "select age_band, count(*) from raw.staff_snapshot group by 1 order by 1"
        ).fetchall()
    assert {"age_band", "service_band", "rank_start_date"} <= columns
    assert not columns & {"date_of_birth", "service_start_date"}
    assert [band for band, _ in bands] == ["16-24", "25-34", "35-44", "45-54", "55+"]


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_files_with_personal_data_are_the_service_users_alone(demo):
    history = current_history(demo)
    assert _mode(history) == 0o600
    assert _mode(history.parent) == 0o700
    archive = demo.paths.archive
    assert _mode(archive) == 0o700
    copies = list(archive.iterdir())
    extracts = [p for p in demo.paths.inbox.iterdir() if p.suffix in (".csv", ".xlsx")]
    assert len(extracts) == 37  # 5 snapshots; 4 years of 8 other extracts (issue 15's five)
    assert len(copies) == len(extracts) and {_mode(p) for p in copies} == {0o600}
