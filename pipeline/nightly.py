"""The nightly run: read the inbox, load what is new, rebuild the models, report, publish.

Everything is built aside (a copy of the published database and a new report folder) and
swapped into place only when every stage has succeeded, so a failure at any point leaves
yesterday's database and report exactly as they were.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pandas as pd

from pipeline import extracts, reference, warehouse
from pipeline.config import Settings
from pipeline.runs import RunLog, new_run_id, run_lock
from pipeline.schemas import allowed_codes

SUPERSEDE_KEYS = {
    "staff_snapshot": "snapshot_date",
    "promotion_candidates": "process_id",
    "recruitment_applicants": "campaign_id",
    "joiners_leavers": None,
}
"""A reloaded extract replaces the rows it describes: a snapshot date, a process, a campaign,
or (joiners and leavers) whatever came from a file of the same name."""

Progress = Callable[[str], None]


@dataclass
class RunResult:
    run_id: str
    database: Path
    report: Path | None
    files_loaded: list[str] = field(default_factory=list)
    files_unchanged: list[str] = field(default_factory=list)
    rows_loaded: int = 0
    rows_quarantined: int = 0
    dropped_columns: dict[str, list[str]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    changed: bool = True


def lock_path(settings: Settings) -> Path:
    return settings.paths.work_dir / "progression.lock"


def run_nightly(
    settings: Settings, *, force: bool = False, progress: Progress = lambda _: None
) -> RunResult:
    """One nightly run under the lock; raises on any failure, having published nothing."""
    run_id = new_run_id()
    log = RunLog(settings.paths.work_dir / "logs" / "runs.jsonl", run_id)
    with run_lock(lock_path(settings)):
        log.event("run_started", inbox=str(settings.paths.inbox))
        try:
            result = _run(settings, run_id, log, force, progress)
        except BaseException as exc:
            log.event("run_failed", error_type=type(exc).__name__, error=str(exc))
            raise
        log.event(
            "run_finished",
            changed=result.changed,
            files_loaded=result.files_loaded,
            rows_loaded=result.rows_loaded,
            rows_quarantined=result.rows_quarantined,
            warnings=result.warnings,
            stage_seconds=log.stage_seconds,
        )
        return result


def _run(settings: Settings, run_id: str, log: RunLog, force: bool, progress) -> RunResult:
    paths = settings.paths
    build_dir = paths.work_dir / f"build-{run_id}"
    build_dir.mkdir(parents=True)
    try:
        work_db = build_dir / paths.database.name
        if paths.database.exists():
            shutil.copy2(paths.database, work_db)
        result = RunResult(run_id=run_id, database=paths.database, report=None)
        with warehouse.connect(work_db) as con:
            warehouse.create_schemas(con)
            warehouse.create_raw_tables(con)
            _create_ops_tables(con)
            with log.stage("reference"):
                progress("Reading reference data (census, lookups)")
                tables = reference.load_reference(settings)
            with log.stage("read_extracts"):
                loaded = _read_new_extracts(con, settings, tables, result, progress)
            if not loaded and not force and paths.database.exists():
                result.changed = False
                progress("No new or changed extracts: the published database and report stand.")
                return result
            with log.stage("load"):
                progress("Loading raw tables")
                _load(con, settings, tables, loaded, run_id)
            with log.stage("transform"):
                progress("Building the SQL models")
                models = warehouse.discover_models()
                warehouse.run_models(con, models)
                warehouse.publish_analytics_views(con, models)
            with log.stage("report"):
                from pipeline.report.build import build_report

                progress("Rendering the report")
                report_dir = build_report(con, settings, build_dir / "report", run_id)
            _record_run(con, run_id, log, result)
        with log.stage("publish"):
            progress("Publishing")
            result.report = _publish(settings, work_db, report_dir, run_id)
        return result
    finally:
        shutil.rmtree(build_dir, ignore_errors=True)


def _create_ops_tables(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(
        """
        create table if not exists ops.load_history (
            run_id varchar, extract_kind varchar, source_file varchar, source_file_hash varchar,
            encoding varchar, rows_read bigint, rows_loaded bigint, rows_quarantined bigint,
            rows_superseded bigint, dropped_columns varchar[], loaded_at timestamptz
        );
        create table if not exists ops.quarantine (
            run_id varchar, extract_kind varchar, source_file varchar, source_file_hash varchar,
            source_row bigint, rule varchar, column_name varchar, message varchar,
            values_json varchar, quarantined_at timestamptz
        );
        create table if not exists ops.runs (
            run_id varchar, started_at timestamptz, finished_at timestamptz,
            stage_seconds json, files_loaded varchar[], rows_loaded bigint,
            rows_quarantined bigint, outcome varchar
        );
        """
    )


def _read_new_extracts(con, settings, tables, result, progress) -> list[extracts.Extract]:
    known = {
        row[0] for row in con.execute("select source_file_hash from ops.load_history").fetchall()
    }
    lpu_codes = frozenset(tables["area_lookup"]["lpu_code"])
    allowed = allowed_codes(settings, lpu_codes)
    loaded = []
    for kind, path in extracts.inbox_files(settings):
        if extracts.file_hash(path) in known:
            result.files_unchanged.append(path.name)
            continue
        progress(f"Reading {path.name}")
        extract = extracts.read_extract(path, kind, settings, allowed)
        loaded.append(extract)
        result.files_loaded.append(path.name)
        result.rows_loaded += len(extract.frame)
        result.rows_quarantined += len(extract.quarantined)
        if extract.dropped_columns:
            result.dropped_columns[path.name] = extract.dropped_columns
    return loaded


def _load(con, settings, tables, loaded, run_id) -> None:
    """Reference tables are replaced whole; extracts replace only the rows they describe."""
    for name, frame in tables.items():
        warehouse.replace_table(con, f"raw.{name}", frame)
    warehouse.load_code_tables(con, settings)
    now = datetime.now(UTC)
    for extract in loaded:
        frame = extract.frame.assign(
            source_file=extract.path.name,
            source_file_hash=extract.content_hash,
            run_id=run_id,
            loaded_at=now,
        )
        table = f"raw.{extract.kind}"
        con.register("_frame", frame)
        try:
            superseded = _supersede(con, table, extract)
            con.execute(f"insert into {table} by name select * from _frame")
        finally:
            con.unregister("_frame")
        quarantine = extract.quarantined.assign(
            run_id=run_id,
            extract_kind=extract.kind,
            source_file=extract.path.name,
            source_file_hash=extract.content_hash,
            quarantined_at=now,
        )
        con.execute("delete from ops.quarantine where source_file = ?", [extract.path.name])
        con.register("_quarantine", quarantine)
        con.execute("insert into ops.quarantine by name select * from _quarantine")
        con.unregister("_quarantine")
        con.execute(
            "insert into ops.load_history values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                run_id,
                extract.kind,
                extract.path.name,
                extract.content_hash,
                extract.encoding,
                extract.rows_read,
                len(extract.frame),
                len(extract.quarantined),
                superseded,
                extract.dropped_columns,
                now,
            ],
        )


def _supersede(con, table: str, extract: extracts.Extract) -> int:
    key = SUPERSEDE_KEYS[extract.kind]
    condition, params = "source_file = ?", [extract.path.name]
    if key is not None:
        values = pd.Series(extract.frame[key].dropna().unique())
        if len(values):
            con.register("_keys", values.to_frame("key"))
            condition += f" or {key} in (select key from _keys)"
    (count,) = con.execute(f"select count(*) from {table} where {condition}", params).fetchone()
    con.execute(f"delete from {table} where {condition}", params)
    return int(count)


def _record_run(con, run_id: str, log: RunLog, result: RunResult) -> None:
    con.execute(
        "insert into ops.runs values (?, ?, ?, ?, ?, ?, ?, ?)",
        [
            run_id,
            log.started_at,
            datetime.now(UTC),
            json.dumps(log.stage_seconds),
            result.files_loaded,
            result.rows_loaded,
            result.rows_quarantined,
            "published",
        ],
    )


def _publish(settings: Settings, work_db: Path, report_dir: Path, run_id: str) -> Path:
    """Swap the new report and database into place: renames on the same file system.
    The report is archived under the run's date, with ``latest`` pointing at it."""
    from pipeline.report import archive

    published = archive.publish(settings.paths.reports_dir, report_dir, run_id)
    settings.paths.database.parent.mkdir(parents=True, exist_ok=True)
    staged_db = settings.paths.database.with_name(f".incoming-{settings.paths.database.name}")
    shutil.copy2(work_db, staged_db)
    os.replace(staged_db, settings.paths.database)
    return published
