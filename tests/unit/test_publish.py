"""Publication switches one link: database and report change together, or not at all."""

from __future__ import annotations

import os
import shutil

import pytest
from conftest import STAFF_HEADER, staff_row, write_inbox

from pipeline.contracts import BlockedError
from pipeline.nightly import run_nightly
from pipeline.publish import Layout, publish, remove_leftovers


def _build(layout: Layout, run_id: str, text: str):
    build = layout.new_build(run_id)
    (build / layout.database.name).write_text(f"database {text}")
    (build / "report").mkdir()
    (build / "report" / "index.html").write_text(f"report {text}")
    return build


def test_the_database_and_report_paths_are_links_through_one_switch(tiny_force):
    layout = Layout.of(tiny_force)
    publish(layout, _build(layout, "r1", "one"), "r1")
    assert layout.database.read_text() == "database one"
    assert (layout.latest_report / "index.html").read_text() == "report one"

    report = publish(layout, _build(layout, "r2", "two"), "r2")

    assert report == layout.latest_report / "index.html"
    assert layout.database.read_text() == "database two"
    assert report.read_text() == "report two"
    assert os.readlink(layout.current) == "r2"
    assert layout.database.is_symlink() and layout.latest_report.is_symlink()
    # Both fixed links go through `current`, so switching it switches both at once.
    assert "current" in os.readlink(layout.database)
    assert "current" in os.readlink(layout.latest_report)


def test_the_release_before_is_kept_and_older_ones_removed(tiny_force):
    layout = Layout.of(tiny_force)
    for run_id in ("r1", "r2", "r3"):
        publish(layout, _build(layout, run_id, run_id), run_id)
    kept = sorted(p.name for p in layout.releases.iterdir())
    assert kept == ["current", "r2", "r3"]


def test_links_are_relative_so_the_data_folder_can_move(tiny_force, tmp_path):
    layout = Layout.of(tiny_force)
    publish(layout, _build(layout, "r1", "one"), "r1")
    moved = tmp_path.parent / f"{tmp_path.name}-moved"
    shutil.move(tmp_path, moved)
    try:
        assert (moved / layout.database.relative_to(tmp_path)).read_text() == "database one"
    finally:
        shutil.move(moved, tmp_path)


def test_leftovers_of_a_dead_run_are_removed(tiny_force):
    layout = Layout.of(tiny_force)
    publish(layout, _build(layout, "r1", "one"), "r1")
    _build(layout, "r2", "killed")
    os.symlink("r2", layout.releases / ".incoming-current-123")
    os.symlink("x", layout.database.with_name(f".incoming-{layout.database.name}-123"))
    reports = layout.latest_report.parent
    for half_archived in (".incoming-r2", ".retired-r2"):  # the report archive's staging
        (reports / half_archived).mkdir()
    (reports / ".index.html.incoming").write_text("half an index")

    removed = remove_leftovers(layout)

    assert sorted(removed) == sorted(
        [
            ".build-r2",
            ".incoming-current-123",
            f".incoming-{layout.database.name}-123",
            ".incoming-r2",
            ".retired-r2",
            ".index.html.incoming",
        ]
    )
    assert sorted(p.name for p in reports.iterdir()) == ["latest"]
    assert sorted(p.name for p in layout.releases.iterdir()) == ["current", "r1"]
    assert layout.database.read_text() == "database one"


def test_an_installation_published_before_releases_is_upgraded(tiny_force):
    """A database file and a report folder from an earlier version become links."""
    layout = Layout.of(tiny_force)
    layout.database.parent.mkdir(parents=True)
    layout.database.write_text("old database")
    layout.latest_report.mkdir(parents=True)
    (layout.latest_report / "index.html").write_text("old report")

    publish(layout, _build(layout, "r1", "new"), "r1")

    assert layout.database.is_symlink() and layout.database.read_text() == "database new"
    assert (layout.latest_report / "index.html").read_text() == "report new"
    assert not list(layout.latest_report.parent.glob(".incoming-*"))


def test_a_failed_run_leaves_no_build_folder(tiny_force):
    write_inbox(tiny_force, "staff_snapshot_1.csv", STAFF_HEADER + "\n" + staff_row("P1", "W1"))
    run_nightly(tiny_force)
    write_inbox(tiny_force, "staff_snapshot_2.csv", "staff_id\nP1\n")
    with pytest.raises(BlockedError):
        run_nightly(tiny_force)
    layout = Layout.of(tiny_force)
    assert not [p for p in layout.releases.iterdir() if p.name.startswith(".")]
