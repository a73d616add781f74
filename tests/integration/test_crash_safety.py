"""SIGKILL a real `progression run` at each of its stages: the published database and report
stay exactly as they were (or, from the publishing rename on, are the new release, whole),
the next run succeeds, and it removes what the killed run left behind."""

from __future__ import annotations

import json
import os
import signal

from conftest import STAFF_HEADER, staff_row, write_config
from processes import LogTap, NthStage, start

from pipeline.config import load_settings
from pipeline.history import current_history
from pipeline.nightly import log_path, run_nightly
from pipeline.publish import Layout
from pipeline.report.archive import run_date
from pipeline.warehouse import connect

EVERY_STAGE = {
    "prepare",
    "reference",
    "read_extracts",
    "validate",
    "load",
    "cross_checks",
    "transform",
    "report",
    "publish",
    "archive",
    "retention",
}
SLOW_STAGES = {"reference", "read_extracts", "validate", "load", "transform", "report"}
"""Long enough that the kill must land inside them, not after they have finished."""
ATTEMPTS_PER_STAGE = 3
TERMINAL = {"run_finished", "run_failed", "run_locked"}


def _snapshot(settings, month: int) -> None:
    date = f"{2020 + (month - 1) // 12}-{(month - 1) % 12 + 1:02d}-28"
    rows = [staff_row(f"P{i}", ["W1", "A2", "B1", "NS"][i % 4], snapshot=date) for i in range(9)]
    path = settings.paths.inbox / f"staff_snapshot_{date}.csv"
    path.write_text(STAFF_HEADER + "\n" + "\n".join(rows) + "\n")


def _published(settings) -> dict[str, bytes]:
    """Every byte an analyst or a reader of the report can see."""
    layout = Layout.of(settings)
    files = {"database": layout.database.read_bytes()}
    for path in sorted(layout.latest_report.rglob("*")):
        if path.is_file():
            files[str(path.relative_to(layout.latest_report))] = path.read_bytes()
    return files


def _is_release_of(settings, run_id: str) -> bool:
    """The published database and report both come from the run ``run_id``."""
    layout = Layout.of(settings)
    with connect(layout.database, read_only=True) as con:
        runs = {r for (r,) in con.execute("select run_id from ops.runs").fetchall()}
    report = (layout.latest_report / "index.html").read_text(encoding="utf-8")
    return layout.current_release() == run_id and run_id in runs and run_id in report


def _kill_at_stage(tap: LogTap, config, n: int):
    """Start a run, SIGKILL it the moment it announces its n-th stage; return its lines and
    exit status (a run with fewer stages is not killed and exits by itself)."""
    mark = tap.sync()
    target: dict[str, int] = {}
    trigger = tap.on(NthStage(n), lambda _: os.kill(target["pid"], signal.SIGKILL))
    process = start(config, "run")
    target["pid"] = process.pid
    _, stderr = process.communicate(timeout=120)
    if not trigger.fired.is_set():
        tap._triggers.remove(trigger)
    tap.sync()
    return tap.since(mark), process.returncode, stderr


def test_a_kill_at_any_stage_leaves_the_published_release_whole(tmp_path):
    config = write_config(tmp_path)
    settings = load_settings(config)
    _snapshot(settings, 1)
    run_nightly(settings)
    layout = Layout.of(settings)
    killed_at: set[str] = set()
    killed_inside: set[str] = set()
    month = 1
    with LogTap(log_path(settings)) as tap:
        n = 1
        attempts = 0
        while True:
            month += 1
            _snapshot(settings, month)  # something new, so the run goes through every stage
            before = _published(settings)
            lines, status, stderr = _kill_at_stage(tap, config, n)
            started = [line for line in lines if line.get("event") == "stage_started"]
            if status != -signal.SIGKILL:
                assert status == 0, stderr
                if len(started) < n:
                    break  # the run has fewer stages than n: every stage has been killed
                attempts += 1  # it finished before the kill landed: try the stage again
                assert attempts < ATTEMPTS_PER_STAGE, f"could not kill at stage {n}"
                continue
            stage = started[-1]["stage"]
            run_id = started[-1]["run_id"]
            assert len(started) == n
            ends = {line["event"] for line in lines if line.get("event") in TERMINAL}
            # Killed with work left to do; only the last, empty stage can be overtaken by
            # the run's final log line before the signal lands.
            assert not ends or (stage == "retention" and ends == {"run_finished"})
            if stage == "publish":
                assert _published(settings) == before or _is_release_of(settings, run_id)
            elif stage in ("archive", "retention"):  # after the publishing rename
                assert _is_release_of(settings, run_id)
            else:
                assert _published(settings) == before, f"killed at {stage}, published changed"
            killed_at.add(stage)
            finished = {(e.get("event"), e.get("stage")) for e in lines}
            if ("stage_finished", stage) not in finished:
                killed_inside.add(stage)

            hidden = [*layout.releases.iterdir(), *settings.paths.reports_dir.iterdir()]
            leftovers = [p.name for p in hidden if p.name.startswith(".")]
            mark = tap.sync()
            after = run_nightly(settings)  # the next run (in this process: it is faster)
            assert after.exit_code == 0, after
            hidden = [*layout.releases.iterdir(), *settings.paths.reports_dir.iterdir()]
            assert not [p for p in hidden if p.name.startswith(".")]
            removed = [e for e in tap.since(mark) if e.get("event") == "leftovers_removed"]
            if leftovers:
                assert removed and set(removed[0]["names"]) == set(leftovers)
            with connect(current_history(settings), read_only=True) as con:
                (dates,) = con.execute(
                    "select count(distinct snapshot_date) from raw.staff_snapshot"
                ).fetchone()
            assert dates == month
            if stage in SLOW_STAGES and stage not in killed_inside:
                attempts += 1  # the kill came after the stage had finished: again
                assert attempts < ATTEMPTS_PER_STAGE, f"could not kill inside {stage}"
                continue
            n, attempts = n + 1, 0
    assert killed_at >= EVERY_STAGE, f"never killed at {EVERY_STAGE - killed_at}"
    assert killed_inside >= SLOW_STAGES


def test_a_run_killed_between_publishing_and_archiving_is_repaired_by_a_run_with_nothing_new(
    tmp_path,
):
    """SIGKILL the moment the release is published (the archive stage starts): the next run,
    with no new extract, brings reports/<date>/ and reports/index.html into line."""
    config = write_config(tmp_path)
    settings = load_settings(config)
    _snapshot(settings, 1)
    run_nightly(settings)
    layout = Layout.of(settings)
    target: dict[str, int] = {}
    with LogTap(log_path(settings)) as tap:
        for month in range(2, 2 + ATTEMPTS_PER_STAGE):
            _snapshot(settings, month)
            killed = tap.on(
                lambda line: (
                    line.get("event") == "stage_started" and line.get("stage") == "archive"
                ),
                lambda _: os.kill(target["pid"], signal.SIGKILL),
            )
            process = start(config, "run")
            target["pid"] = process.pid
            process.communicate(timeout=120)
            assert process.returncode == -signal.SIGKILL
            published = killed.wait()["run_id"]
            assert layout.current_release() == published
            dated = settings.paths.reports_dir / run_date(published)
            if _archived_run(dated) != published:
                break  # killed before the archive caught up: what is to be repaired
    assert _archived_run(dated) != published, "the kill never landed before the archive"

    again = run_nightly(settings)

    assert not again.changed
    assert _archived_run(dated) == published
    index = (settings.paths.reports_dir / "index.html").read_text(encoding="utf-8")
    snapshot = json.loads((dated / "summary.json").read_text(encoding="utf-8"))["snapshot_date"]
    assert snapshot in index


def _archived_run(folder) -> str:
    return json.loads((folder / "summary.json").read_text(encoding="utf-8"))["run_id"]
