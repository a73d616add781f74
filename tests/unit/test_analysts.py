"""The analysts' interface: `progression describe` and `progression query`, read-only."""

from __future__ import annotations

import csv
import io

import pandas as pd
import pytest
from conftest import STAFF_HEADER, staff_row, write_config, write_inbox
from typer.testing import CliRunner

from pipeline.analysts import connect_published, describe, for_display
from pipeline.cli import app
from pipeline.config import load_settings
from pipeline.dictionary import ViewDocs
from pipeline.disclosure import suppress
from pipeline.nightly import run_nightly
from pipeline.runs import ExitCode
from pipeline.warehouse import discover_models


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    """One published database for the module: every test here only reads it."""
    settings = load_settings(write_config(tmp_path_factory.mktemp("published")))
    rows = [staff_row(f"P{i}", code) for i, code in enumerate(["W1", "A2", "B1", "NS", "W9"])]
    write_inbox(settings, "staff_snapshot.csv", STAFF_HEADER + "\n" + "\n".join(rows) + "\n")
    run_nightly(settings)
    return settings


def _invoke(settings, *args):
    config = settings.paths.inbox.parent / "progression.toml"
    return CliRunner().invoke(app, [*args, "--config", str(config)])


def _documented_marts() -> dict[str, ViewDocs]:
    return {
        m.name: ViewDocs.read(m.path.with_suffix(".toml"))
        for m in discover_models()
        if m.layer == "marts"
    }


def test_describe_lists_every_view_and_column_with_its_comment(published):
    marts = _documented_marts()
    con = connect_published(published)
    try:
        views = {view.name: view for view in describe(con)}
    finally:
        con.close()
    assert views.keys() == marts.keys()
    for name, docs in marts.items():
        assert views[name].comment == " ".join(docs.description.split())
        got = {c.name: c.comment for c in views[name].columns}
        assert got == {c: " ".join(docs.comment(c).split()) for c in docs.columns}
        assert [c.name for c in views[name].columns] == list(docs.columns)

    result = _invoke(published, "describe")

    assert result.exit_code == 0
    for name, docs in marts.items():
        assert f"analytics.{name}" in result.stdout
        for column in docs.columns:
            assert column in result.stdout
            assert " ".join(docs.comment(column).split())[:40] in result.stdout


def test_query_prints_csv(published):
    sql = """select group_code, headcount, group_share from analytics.representation
             where worker_type = 'All' and rank_or_band = 'All' and lpu_code = 'All'
             order by group_code"""
    result = _invoke(published, "query", sql, "--csv")
    assert result.exit_code == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    by_group = {row["group_code"]: row for row in rows}
    assert len(rows) == 27  # every grouping of ref.groupings, down to each detailed code
    # 5 people, 4 declared, A2 and B1 in the minority (excluding White minorities).
    assert by_group["minority_excl_white"]["headcount"] == "5"
    assert float(by_group["minority_excl_white"]["group_share"]) == 0.5


def test_query_prints_a_table(published):
    result = _invoke(published, "query", "select 1 as answer, date '2026-03-31' as snapshot_date")
    assert result.exit_code == 0
    assert "answer" in result.stdout and "snapshot_date" in result.stdout
    assert "2026-03-31" in result.stdout and "1 row(s)" in result.stdout


def test_query_and_describe_print_cell_text_exactly_as_stored(published):
    """[c] and [x] are the disclosure marks and [fairness] a setting's name: text, never
    terminal markup that would make them vanish."""
    sql = "select '[c]' as \"[withheld]\", '[x]' as b, '[bold]n[/bold] [fairness] x' as c"
    result = _invoke(published, "query", sql)
    assert result.exit_code == 0, result.stderr
    for text in ("[withheld]", "[c]", "[x]", "[bold]n[/bold] [fairness] x"):
        assert text in result.stdout, text

    described = " ".join(_invoke(published, "describe").stdout.split())
    assert "([fairness] reference_group, White by default;" in described


@pytest.mark.parametrize(
    "sql",
    [
        "create table analytics.mine as select 1 as a",
        "delete from marts.representation",
        "copy (select 1) to 'exported.csv'",
        "select * from no_such_table",
    ],
)
def test_query_cannot_change_the_database_or_touch_files(published, sql, tmp_path, monkeypatch):
    """Refused SQL is the user's input, not a fault of the program: exit 2, never 1."""
    monkeypatch.chdir(tmp_path)
    result = _invoke(published, "query", sql)
    assert result.exit_code == ExitCode.CONFIG_ERROR
    assert "Query failed:" in result.stderr
    assert not (tmp_path / "exported.csv").exists()
    count = _invoke(
        published, "query", "select count(*) > 0 as n from marts.representation", "--csv"
    )
    assert count.stdout.splitlines() == ["n", "True"]


def test_query_before_anything_is_published_says_what_to_do(tiny_force):
    result = _invoke(tiny_force, "query", "select 1")
    assert result.exit_code == ExitCode.CONFIG_ERROR
    assert "run `progression run` first" in result.stderr


def test_for_display_marks_withheld_values_and_leaves_missing_ones_blank():
    frame = pd.DataFrame(
        {
            "group_headcount": [3, 10, 0],
            "group_share": [1 / 3, 0.5, float("nan")],
            "snapshot_date": pd.to_datetime(["2026-03-31"] * 3),
        }
    )
    shown = for_display(suppress(frame, {"group_headcount": ["group_share"]}, 5))
    assert shown.to_dict("list") == {
        "group_headcount": ["[c]", "10", "0"],
        "group_share": ["[c]", "0.500", ""],
        "snapshot_date": ["2026-03-31"] * 3,
    }
