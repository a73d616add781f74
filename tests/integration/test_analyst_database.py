"""The database analysts open, built from the demo force: the DuckDB shell they install
reads it, and the notebooks in notebooks/ run from start to end against it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import jupytext
import pytest
from processes import DUCKDB_CLI

from pipeline.analysts import connect_published
from pipeline.config import REPO_ROOT, load_settings
from pipeline.demo import PLANTED_ADVERSE_STAGE, write_demo_force
from pipeline.nightly import run_nightly

NOTEBOOKS = sorted((REPO_ROOT / "notebooks").glob("*.py"))
CLI_VERSION = "v1.5"
"""duckdb-cli on PyPI, pinned in the dev extra: older than the library (2.0), which is why
the warehouse writes storage version v1.5.0."""


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    config = write_demo_force(tmp_path_factory.mktemp("analysts"), seed=2026)
    settings = load_settings(config)
    run_nightly(settings)
    return config, settings


def _cli(*args: str) -> subprocess.CompletedProcess:
    assert DUCKDB_CLI.exists(), "duckdb-cli is missing: pip install -e '.[dev]'"
    return subprocess.run(
        [str(DUCKDB_CLI), *args], capture_output=True, text=True, timeout=60, check=False
    )


def test_the_duckdb_shell_analysts_install_opens_the_published_database(demo):
    _, settings = demo
    database = str(settings.paths.database)
    assert _cli("--version").stdout.startswith(CLI_VERSION)
    assert not duckdb.__version__.startswith(CLI_VERSION[1:])

    shell = _cli("-readonly", database, "-json", "-c",
                 "select count(*) as n from analytics.representation")  # fmt: skip

    assert shell.returncode == 0, shell.stderr
    con = connect_published(settings)
    (expected,) = con.execute("select count(*) from analytics.representation").fetchone()
    con.close()
    assert json.loads(shell.stdout) == [{"n": expected}]
    assert expected > 1000
    refused = _cli("-readonly", database, "-c", "create table analytics.mine (a int)")
    assert refused.returncode != 0


def test_the_shell_cannot_read_the_librarys_default_storage(tmp_path):
    """Why the storage version is pinned: without it the analysts' shell is locked out."""
    path = tmp_path / "default.duckdb"
    con = duckdb.connect(str(path))
    con.execute("create table t as select 1 as a")
    con.close()
    shell = _cli("-readonly", str(path), "-c", "select * from t")
    assert shell.returncode != 0
    assert "version" in shell.stderr


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda path: path.stem)
def test_each_notebook_is_a_jupytext_notebook_stored_without_outputs(notebook):
    parsed = jupytext.read(notebook)
    kinds = [cell.cell_type for cell in parsed.cells]
    assert parsed.metadata["jupytext"]["text_representation"]["format_name"] == "percent"
    assert kinds[0] == "markdown" and kinds.count("code") >= 3
    assert all(not cell.get("outputs") for cell in parsed.cells)


def test_the_notebooks_run_from_start_to_end_against_the_demo_database(demo, tmp_path):
    config, settings = demo
    assert len(NOTEBOOKS) >= 3
    published = settings.paths.database.read_bytes()
    running = {}
    for notebook in NOTEBOOKS:
        figures = tmp_path / notebook.stem
        env = {**os.environ, "PROGRESSION_CONFIG": str(config),
               "PROGRESSION_FIGURES": str(figures), "MPLBACKEND": "Agg"}  # fmt: skip
        running[notebook] = (
            figures,
            subprocess.Popen(
                [sys.executable, str(notebook)],
                env=env,
                cwd=tmp_path,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            ),
        )
    printed = {}
    for notebook, (figures, process) in running.items():
        printed[notebook.stem], err = process.communicate(timeout=300)
        assert process.returncode == 0, f"{notebook.name}:\n{printed[notebook.stem]}\n{err}"
        assert "Traceback" not in err
        pictures = list(Path(figures).glob("*.png"))
        assert pictures and all(p.stat().st_size > 5000 for p in pictures), notebook.name
    assert settings.paths.database.read_bytes() == published  # read-only, really
    # The demo force has exactly one adverse stage; the investigation must find it.
    process_id, stage = PLANTED_ADVERSE_STAGE
    assert f"{process_id} (" in printed["promotion_process"]
    assert f"lowest at '{stage}' (ratio 0." in printed["promotion_process"]
    assert "lower pass rate, significant, unlikely to be chance)" in printed["promotion_process"]
