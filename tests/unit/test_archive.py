"""The report archive (reports/<date>/, reports/index.html) is derived from the releases, so
whatever stopped a run after it published, the next run, even one with nothing new to load,
brings the archive into line."""

from __future__ import annotations

import json

import pytest
from conftest import STAFF_HEADER, staff_row, write_inbox

from pipeline import nightly, publish
from pipeline.report import archive
from pipeline.report.archive import run_date


class Killed(RuntimeError):
    """Stands for the run dying the instant after its publishing rename."""


def _snapshot(settings, date: str) -> None:
    rows = [staff_row(f"P{i}", ["W1", "A2"][i % 2], snapshot=date) for i in range(12)]
    write_inbox(settings, f"staff_snapshot_{date}.csv", STAFF_HEADER + "\n" + "\n".join(rows))


def _listed(settings) -> str:
    return (settings.paths.reports_dir / "index.html").read_text(encoding="utf-8")


def test_the_index_carries_the_configured_marking_at_top_and_bottom(tmp_path):
    """The archive's index had no protective marking though every page is to carry it
    (grep -c OFFICIAL-SENSITIVE reports/index.html gave 0). It carries the configured
    marking as a report page does, and a changed marking renders it again."""
    day = tmp_path / "2026-03-31"
    day.mkdir()
    (day / "summary.json").write_text(
        json.dumps({"snapshot_date": "2026-03-31", "run_id": "20260331T020000Z-ab12cd34"}),
        encoding="utf-8",
    )
    index = archive.write_index(tmp_path, "OFFICIAL-SENSITIVE")
    html = index.read_text(encoding="utf-8")
    assert html.count("OFFICIAL-SENSITIVE") == 2
    body = html[html.index("<body>") :]
    assert body.index('<p class="marking marking-top">OFFICIAL-SENSITIVE</p>') < body.index("<main")
    assert body.index('<p class="marking marking-bottom">OFFICIAL-SENSITIVE</p>') > body.index(
        "</main>"
    )
    html = archive.write_index(tmp_path, "OFFICIAL").read_text(encoding="utf-8")
    assert "OFFICIAL-SENSITIVE" not in html
    assert html.count('">OFFICIAL</p>') == 2


def test_a_run_killed_inside_publish_leaves_an_archive_the_next_run_repairs(
    tiny_force, monkeypatch
):
    _snapshot(tiny_force, "2026-02-28")
    first = nightly.run_nightly(tiny_force)
    _snapshot(tiny_force, "2026-03-31")
    real = publish.publish

    def publish_then_die(*args, **kwargs):
        real(*args, **kwargs)
        raise Killed

    with monkeypatch.context() as patch:
        patch.setattr(publish, "publish", publish_then_die)
        with pytest.raises(Killed):
            nightly.run_nightly(tiny_force)
    layout = publish.Layout.of(tiny_force)
    published = layout.current_release()
    assert published != first.run_id  # the new release is out, whole
    dated = tiny_force.paths.reports_dir / run_date(published)

    again = nightly.run_nightly(tiny_force)

    assert not again.changed  # "No new or changed extracts"
    summary = json.loads((dated / "summary.json").read_text(encoding="utf-8"))
    assert (summary["run_id"], summary["snapshot_date"]) == (published, "2026-03-31")
    assert (dated / "index.html").read_bytes() == (layout.latest_report / "index.html").read_bytes()
    assert "<td>2026-03-31</td>" in _listed(tiny_force)
    assert _listed(tiny_force).count(f">{tiny_force.report.marking}</p>") == 2


def test_an_unchanged_run_leaves_an_archive_in_line_untouched(tiny_force):
    _snapshot(tiny_force, "2026-03-31")
    nightly.run_nightly(tiny_force)
    index = tiny_force.paths.reports_dir / "index.html"
    before = index.stat().st_mtime_ns
    nightly.run_nightly(tiny_force)
    assert index.stat().st_mtime_ns == before


def test_an_index_changed_by_hand_is_rendered_again_on_a_night_with_nothing_new(tiny_force):
    _snapshot(tiny_force, "2026-03-31")
    nightly.run_nightly(tiny_force)
    index = tiny_force.paths.reports_dir / "index.html"
    rendered = index.read_text(encoding="utf-8")
    index.write_text(rendered.replace("2026-03-31", "2026-03-30"), encoding="utf-8")
    result = nightly.run_nightly(tiny_force)
    assert not result.changed
    assert index.read_text(encoding="utf-8") == rendered
