"""[resources]: DuckDB's memory limit and BLAS threads, from configuration, never part of
what a release is built from."""

from __future__ import annotations

import pytest
from conftest import write_config
from threadpoolctl import threadpool_info

from pipeline import dependencies, warehouse
from pipeline.config import ConfigError, load_settings
from pipeline.resources import blas_threads


def test_the_memory_limit_has_a_default_and_is_checked(tmp_path):
    assert load_settings(write_config(tmp_path)).resources.memory_limit == "2GB"
    bad = tmp_path / "bad"
    with pytest.raises(ConfigError, match=r"resources\.memory_limit"):
        load_settings(write_config(bad, '[resources]\nmemory_limit = "lots"\n'))


def test_the_connection_keeps_under_the_limit_and_spills_beside_the_database(tmp_path):
    database = tmp_path / "work.duckdb"
    with warehouse.connect(database, memory_limit="1GB") as con:
        limit, spill = con.execute(
            "select current_setting('memory_limit'), current_setting('temp_directory')"
        ).fetchone()
    assert limit == "953.6 MiB"
    assert spill == f"{database}.tmp"


def test_resource_settings_do_not_rebuild_a_release(tmp_path):
    before = dependencies.fingerprint(load_settings(write_config(tmp_path)))
    extra = '[resources]\nmemory_limit = "6GB"\nblas_threads = 2\n'
    after = dependencies.fingerprint(load_settings(write_config(tmp_path, extra)))
    assert dependencies.changes(before, after) == []


def _blas_threads() -> list[int]:
    return [pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas"]


def test_blas_threads_are_limited_inside_and_restored_after():
    with blas_threads(1):
        inside = _blas_threads()
    assert len(inside) >= 2, "numpy's and scipy's OpenBLAS are both loaded and limited"
    assert set(inside) == {1}
    with blas_threads(3):
        assert set(_blas_threads()) == {3}


def test_a_night_builds_its_report_with_the_configured_blas_threads(tmp_path, monkeypatch):
    from conftest import STAFF_HEADER, staff_row

    from pipeline.nightly import run_nightly
    from pipeline.report import build

    seen: list[list[int]] = []
    real = build.build_report

    def recording(*args, **kwargs):
        seen.append(_blas_threads())
        return real(*args, **kwargs)

    monkeypatch.setattr(build, "build_report", recording)
    settings = load_settings(write_config(tmp_path, "[resources]\nblas_threads = 1\n"))
    rows = [staff_row(f"P{i}", ["W1", "A2", "B1", "NS"][i % 4]) for i in range(9)]
    (settings.paths.inbox / "staff_snapshot_2024-03-31.csv").write_text(
        STAFF_HEADER + "\n" + "\n".join(rows) + "\n"
    )
    run_nightly(settings)
    assert seen and set(seen[0]) == {1}
