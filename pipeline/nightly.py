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
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import pandas as pd

from pipeline import contracts, cross_checks, extracts, reference, warehouse
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
                loaded, blocked = _read_new_extracts(con, settings, result, tables, progress)
            if not (loaded or blocked or force) and paths.database.exists():
                result.changed = False
                progress("No new or changed extracts: the published database and report stand.")
                return result
            with log.stage("validate"):
                progress("Checking the data contracts")
                loaded, checks = _validate(settings, tables, loaded, blocked, result)
            with log.stage("load"):
                progress("Loading raw tables")
                _load(con, settings, tables, loaded, run_id)
                _record_results(con, run_id, checks)
            with log.stage("cross_checks"):
                progress("Comparing with earlier snapshots")
                history = cross_checks.run_cross_checks(con, settings)
                _record_results(con, run_id, history)
                result.warnings += _warnings(history)
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
            result.report = _publish(settings, work_db, report_dir)
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
        create table if not exists ops.contract_results (
            run_id varchar, extract_kind varchar, source_file varchar, source_file_hash varchar,
            rule varchar, expectation_type varchar, column_name varchar, severity varchar,
            success boolean, unexpected_count bigint, message varchar, checked_at timestamptz
        );
        create table if not exists ops.runs (
            run_id varchar, started_at timestamptz, finished_at timestamptz,
            stage_seconds json, files_loaded varchar[], rows_loaded bigint,
            rows_quarantined bigint, outcome varchar
        );
        """
    )


def _read_new_extracts(con, settings, result, tables, progress):
    """Every new or changed file, read; a file that cannot be read at all is set aside
    with its problem, so that one night reports every blocking problem at once."""
    known = {
        row[0] for row in con.execute("select source_file_hash from ops.load_history").fetchall()
    }
    allowed = allowed_codes(settings, frozenset(tables["area_lookup"]["lpu_code"]))
    loaded, blocked = [], []
    for kind, path in extracts.inbox_files(settings):
        if extracts.file_hash(path) in known:
            result.files_unchanged.append(path.name)
            continue
        progress(f"Reading {path.name}")
        try:
            loaded.append(extracts.read_extract(path, kind, settings, allowed))
        except extracts.ExtractError as exc:
            blocked.append(str(exc))
    return loaded, blocked


def _validate(settings, tables, loaded, blocked, result):
    """Run every suite; raise ``BlockedError`` (nothing published) if anything blocks."""
    lpu_codes = frozenset(tables["area_lookup"]["lpu_code"])
    parameters = contracts.contract_parameters(settings, lpu_codes, date.today())
    runner = contracts.Contracts()
    checks: list[contracts.ContractResult] = []
    for name, source in (
        ("area_lookup", settings.reference.area_lookup_file),
        ("census_population", settings.reference.census_file),
    ):
        found, blocking = contracts.validate_reference(
            runner, name, tables[name], source, parameters
        )
        checks += found
        blocked += blocking
    checked = []
    for extract in loaded:
        extract, found, blocking = contracts.validate_extract(runner, extract, parameters, settings)
        checked.append(extract)
        checks += found
        blocked += blocking
    if blocked:
        raise contracts.BlockedError(blocked)
    for extract in checked:
        result.files_loaded.append(extract.path.name)
        result.rows_loaded += len(extract.frame)
        result.rows_quarantined += len(extract.quarantined)
        if extract.dropped_columns:
            result.dropped_columns[extract.path.name] = extract.dropped_columns
    result.warnings += _warnings(checks)
    return checked, checks


def _warnings(checks: list[contracts.ContractResult]) -> list[str]:
    return [
        f"{c.source_file or c.extract_kind}: {c.rule}: {c.message}"
        for c in checks
        if c.severity == "warning" and not c.success
    ]


def _record_results(con, run_id: str, checks: list[contracts.ContractResult]) -> None:
    frame = contracts.results_frame(checks).assign(run_id=run_id, checked_at=datetime.now(UTC))
    con.register("_results", frame)
    try:
        con.execute("insert into ops.contract_results by name select * from _results")
    finally:
        con.unregister("_results")


def archive_path(settings: Settings, extract: extracts.Extract) -> Path:
    """Where the original file is kept: named by its content, so that every loaded row's
    ``source_file_hash`` leads back to the exact bytes it came from."""
    return settings.paths.archive / f"{extract.content_hash}{extract.path.suffix.lower()}"


def _archive(settings: Settings, extract: extracts.Extract) -> None:
    target = archive_path(settings, extract)
    if target.exists():
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".partial-{target.name}")
    shutil.copy2(extract.path, partial)
    os.replace(partial, target)


def _load(con, settings, tables, loaded, run_id) -> None:
    """Reference tables are replaced whole; extracts replace only the rows they describe."""
    for name, frame in tables.items():
        warehouse.replace_table(con, f"raw.{name}", frame)
    warehouse.load_code_tables(con, settings)
    now = datetime.now(UTC)
    for extract in loaded:
        _archive(settings, extract)
        frame = extract.frame.assign(
            source_file=extract.path.name,
            source_file_hash=extract.content_hash,
            run_id=run_id,
            loaded_at=now,
        )
        table = f"raw.{extract.kind}"
        con.register("_frame", frame)
        try:
            superseded, superseded_hashes = _supersede(con, table, extract)
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
        con.execute(
            """delete from ops.quarantine
               where source_file = ? or list_contains(?, source_file_hash)""",
            [extract.path.name, superseded_hashes],
        )
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


def _supersede(con, table: str, extract: extracts.Extract) -> tuple[int, list[str]]:
    """Delete the rows the new file replaces; return how many, and the files they came
    from (whose quarantined rows the new file replaces too)."""
    key = SUPERSEDE_KEYS[extract.kind]
    condition, params = "source_file = ?", [extract.path.name]
    if key is not None:
        values = pd.Series(extract.frame[key].dropna().unique())
        if len(values):
            con.register("_keys", values.to_frame("key"))
            condition += f" or {key} in (select key from _keys)"
    count, hashes = con.execute(
        f"select count(*), list(distinct source_file_hash) from {table} where {condition}",
        params,
    ).fetchone()
    con.execute(f"delete from {table} where {condition}", params)
    return int(count), [h for h in hashes or [] if h is not None]


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


def _publish(settings: Settings, work_db: Path, report_dir: Path) -> Path:
    """Swap the new report and database into place.

    Both are first copied next to their targets (a failure there changes nothing); then
    three renames on the same file system put them in place, and if the database's rename
    fails the report's is undone, so the published report and database always match.
    """
    reports = settings.paths.reports_dir
    reports.mkdir(parents=True, exist_ok=True)
    settings.paths.database.parent.mkdir(parents=True, exist_ok=True)
    target = reports / "latest"
    staged = reports / f".incoming-{work_db.parent.name}"
    retired = reports / f".retired-{work_db.parent.name}"
    staged_db = settings.paths.database.with_name(f".incoming-{settings.paths.database.name}")
    try:
        shutil.copytree(report_dir, staged)
        shutil.copy2(work_db, staged_db)
        if target.exists():
            os.replace(target, retired)
        swapped = False
        try:
            os.replace(staged, target)
            swapped = True
            os.replace(staged_db, settings.paths.database)
        except BaseException:
            if swapped:
                os.replace(target, staged)
            if retired.exists():
                os.replace(retired, target)
            raise
    finally:
        shutil.rmtree(staged, ignore_errors=True)
        staged_db.unlink(missing_ok=True)
    shutil.rmtree(retired, ignore_errors=True)
    return target / "index.html"
