"""Shared fixtures: a tiny force (two LPUs) written as inline files into a temporary folder."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import openpyxl
import pytest

os.environ.setdefault("MPLCONFIGDIR", tempfile.mkdtemp(prefix="mpl-"))

from pipeline import warehouse
from pipeline.config import Settings, load_settings

PROGRESSION = Path(sys.executable).with_name("progression")
# A guard against a hung whole-demo run, not a speed limit (speed is measured in benchmarks/):
# on a shared two-core machine a demo run has taken over 300 s of wall time.
DEMO_RUN_TIMEOUT = 900

AREA_LOOKUP = """\
area_code,area_name,lpu_code,lpu_name
E08000025,Birmingham,BHM,Birmingham
E08000029,Solihull,SOL,Solihull
E08000026,Coventry,COV,Coventry
E08000027,Dudley,DUD,Dudley
E08000028,Sandwell,SAN,Sandwell
E08000030,Walsall,WAL,Walsall
E08000031,Wolverhampton,WOL,Wolverhampton
"""
"""The West Midlands force area: its seven local authorities, one LPU each (the LPUs must
cover the force, so that they add up to it)."""

STAFF_HEADER = (
    "staff_id,snapshot_date,worker_type,rank_or_band,department,lpu_code,role,sex,"
    "ethnicity_code,date_of_birth,service_start_date,rank_start_date,fte,is_temporary_rank"
)


def staff_row(
    staff_id: str,
    ethnicity: str,
    *,
    snapshot: str = "2026-03-31",
    worker_type: str = "police_officer",
    rank: str = "Constable",
    lpu: str = "BHM",
    department: str = "Local Policing",
    sex: str = "F",
    fte: str = "1",
) -> str:
    return (
        f"{staff_id},{snapshot},{worker_type},{rank},{department},{lpu},Response,{sex},"
        f"{ethnicity},1990-01-01,2015-01-01,2018-01-01,{fte},N"
    )


def write_config(root: Path, extra: str = "") -> Path:
    (root / "inbox").mkdir(parents=True, exist_ok=True)
    (root / "area_to_lpu.csv").write_text(AREA_LOOKUP, encoding="utf-8")
    (root / "test.key").write_text("a-test-key-of-more-than-16-bytes", encoding="utf-8")
    config = root / "progression.toml"
    config.write_text(
        textwrap.dedent(
            """\
            [force]
            name = "West Midlands"
            [paths]
            inbox = "inbox"
            database = "var/progression.duckdb"
            reports_dir = "var/reports"
            work_dir = "var/work"
            pseudonym_key_file = "test.key"
            [reference]
            area_lookup_file = "area_to_lpu.csv"
            census_2011_file = ""
            [[codes.departments]]
            name = "Local Policing"
            [[codes.departments]]
            name = "Firearms Operations"
            is_specialist = true
            [report]
            pdf = false  # unit tests skip Chromium; the demo run and browser tests use it
            """
        )
        + extra,
        encoding="utf-8",
    )
    return config


def write_workbook(path: Path, sheets: dict[str, list[list]]) -> Path:
    """An Excel workbook at ``path`` with ``sheets`` (name: rows), in that order."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


def model_project(root: Path, files: dict[str, str]) -> Path:
    """A warehouse project at ``root``: a folder for every layer, and ``files`` (path under
    ``root``: text, dedented)."""
    for layer in warehouse.LAYERS:
        (root / layer).mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (root / name).write_text(textwrap.dedent(text), encoding="utf-8")
    return root


@pytest.fixture
def tiny_force(tmp_path: Path) -> Settings:
    return load_settings(write_config(tmp_path))


def write_inbox(settings: Settings, name: str, text: str) -> Path:
    path = settings.paths.inbox / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def contracts_runner():
    """One GX context for the whole session: importing GX costs ~3 s, a context ~ms."""
    from pipeline.contracts import Contracts

    return Contracts()


@pytest.fixture(scope="session")
def demo_run(tmp_path_factory) -> tuple[Path, subprocess.CompletedProcess]:
    """The demo force through the real command, once per session: the integration modules
    that check its database and report share it (a demo run takes several seconds)."""
    out = tmp_path_factory.mktemp("demo")
    done = subprocess.run(
        [str(PROGRESSION), "demo", "--out", str(out)],
        capture_output=True,
        text=True,
        env={**os.environ, "PROGRESSION_PSEUDONYM_KEY": ""},
        timeout=DEMO_RUN_TIMEOUT,
    )
    return out, done


@pytest.fixture(scope="session")
def demo_report(demo_run) -> Path:
    """The demo's published report folder (``latest``)."""
    out, done = demo_run
    assert done.returncode == 0, done.stderr
    return out / "var" / "reports" / "latest"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Under pytest-xdist (``make test`` runs two workers, ``--dist loadgroup``) keep every
    test that shares a costly fixture on one worker: a module's tests together (its
    module-scoped pipeline runs are made once), and every test of the session's demo run
    together (one demo run, not one a worker). Without xdist the marks do nothing."""
    for item in items:
        uses = getattr(item, "fixturenames", ())
        group = "demo-run" if "demo_run" in uses else item.nodeid.partition("::")[0]
        item.add_marker(pytest.mark.xdist_group(group))


def pytest_configure(config: pytest.Config) -> None:
    """The mark is known without pytest-xdist too (``-p no:xdist``: no unknown-mark warning)."""
    config.addinivalue_line("markers", "xdist_group(name): tests kept on one xdist worker")
