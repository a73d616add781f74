"""A run that fails at any stage leaves the published database and report byte for byte as
they were, and the next run succeeds. Each failure is raised inside the real stage, after it
has done part of its work (SIGKILL is tested separately, for crash safety)."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from conftest import STAFF_HEADER, staff_row, write_config, write_inbox

from pipeline import contracts, cross_checks, extracts, nightly, publish, reference, warehouse
from pipeline.config import load_settings
from pipeline.history import current_history
from pipeline.report import audit, build
from pipeline.warehouse import connect


class Injected(RuntimeError):
    """The failure the test injects."""


def _fail(*_args, **_kwargs):
    raise Injected("injected")


def _after(real):
    """The real function, then the failure: the stage has done part of its work."""

    def run(*args, **kwargs):
        real(*args, **kwargs)
        raise Injected("injected")

    return run


def _fail_renaming_to(target_of):
    """os.rename or os.replace, failing for one target (the rest of the run is unaffected)."""

    def patch(mp, settings, name):
        real = getattr(os, name)
        target = target_of(publish.Layout.of(settings))

        def rename(source, destination):
            if Path(destination).parent == target.parent and Path(destination).match(target.name):
                raise Injected("injected")
            return real(source, destination)

        mp.setattr(publish.os, name, rename)

    return patch


_INTO_RELEASES = _fail_renaming_to(lambda layout: layout.releases / "*")
_SWITCH = _fail_renaming_to(lambda layout: layout.current)


STAGES = {
    "reference": lambda mp, s: mp.setattr(reference, "read_area_lookup", _fail),
    "read": lambda mp, s: mp.setattr(extracts, "_convert", _fail),
    "validate": lambda mp, s: mp.setattr(contracts, "_quarantine_share", _fail),
    "load": lambda mp, s: mp.setattr(nightly, "_supersede", _after(nightly._supersede)),
    "cross_checks": lambda mp, s: mp.setattr(cross_checks, "_latest_file", _fail),
    "transform": lambda mp, s: mp.setattr(
        warehouse, "publish_analytics_views", _after(warehouse.publish_analytics_views)
    ),
    "report": lambda mp, s: mp.setattr(build, "render_html", _fail),
    # The disclosure audit reads back every output written, before anything is published.
    "disclosure_audit": lambda mp, s: mp.setattr(audit, "audit_report", _fail),
    # Publication is two renames: the build folder into releases/, then the `current` link.
    "publish_release": lambda mp, s: _INTO_RELEASES(mp, s, "rename"),
    "publish_switch": lambda mp, s: _SWITCH(mp, s, "replace"),
}


def _published(settings) -> dict[str, bytes]:
    latest = settings.paths.reports_dir / "latest"
    files = [settings.paths.database, *latest.rglob("*")]
    return {str(p): p.read_bytes() for p in files if p.is_file()}


def _snapshot(settings, name: str, date: str, ethnicity: str) -> None:
    rows = [staff_row(f"P{i}", ethnicity, snapshot=date) for i in range(20)]
    write_inbox(settings, name, STAFF_HEADER + "\n" + "\n".join(rows) + "\n")


@pytest.fixture(scope="module")
def first_night(tmp_path_factory) -> Path:
    """A force with one night published, built once and copied for each test."""
    root = tmp_path_factory.mktemp("first-night")
    settings = load_settings(write_config(root))
    _snapshot(settings, "staff_snapshot_2026-02-28.csv", "2026-02-28", "W1")
    nightly.run_nightly(settings)
    return root


@pytest.mark.parametrize("stage", list(STAGES))
def test_a_failed_run_changes_nothing_published_and_the_next_run_succeeds(
    first_night, tmp_path, monkeypatch, stage
):
    shutil.copytree(first_night, tmp_path / "force")
    tiny_force = load_settings(tmp_path / "force" / "progression.toml")
    before = _published(tiny_force)
    _snapshot(tiny_force, "staff_snapshot_2026-03-31.csv", "2026-03-31", "A2")

    with monkeypatch.context() as patch:
        STAGES[stage](patch, tiny_force)
        with pytest.raises(Injected):
            nightly.run_nightly(tiny_force)

    assert _published(tiny_force) == before
    work = tiny_force.paths.work_dir
    releases = publish.Layout.of(tiny_force).releases
    assert not list(releases.glob(".build-*")), "the build folder is removed"
    assert not list(releases.glob(".incoming-*"))
    assert not [p for p in tiny_force.paths.reports_dir.iterdir() if p.name.startswith(".")]
    assert not list(tiny_force.paths.database.parent.glob(".incoming-*"))
    events = [json.loads(line) for line in (work / "logs" / "runs.jsonl").read_text().splitlines()]
    assert events[-1]["event"] == "run_failed" and events[-1]["error_type"] == "Injected"

    result = nightly.run_nightly(tiny_force)
    assert result.files_loaded == ["staff_snapshot_2026-03-31.csv"]
    with connect(current_history(tiny_force), read_only=True) as con:
        dates = con.execute(
            "select snapshot_date, count(*) from raw.staff_snapshot group by 1 order by 1"
        ).fetchall()
    assert [(d.date().isoformat(), n) for d, n in dates] == [
        ("2026-02-28", 20),
        ("2026-03-31", 20),
    ]
    page = (tiny_force.paths.reports_dir / "latest" / "index.html").read_text(encoding="utf-8")
    assert "31 March 2026" in page


def test_a_failure_on_the_first_night_publishes_nothing(tiny_force, monkeypatch):
    _snapshot(tiny_force, "staff_snapshot_2026-03-31.csv", "2026-03-31", "W1")
    with monkeypatch.context() as patch:
        STAGES["publish_switch"](patch, tiny_force)
        with pytest.raises(Injected):
            nightly.run_nightly(tiny_force)
    assert not tiny_force.paths.database.exists()
    assert not (tiny_force.paths.reports_dir / "latest").exists()
    nightly.run_nightly(tiny_force)
    assert tiny_force.paths.database.exists()
