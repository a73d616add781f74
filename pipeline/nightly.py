"""The nightly run: read the inbox, load what is new, rebuild the models, report, publish.

Everything is built aside (a copy of the published database and a new report, in one
release folder) and made visible by a single rename only when every stage has succeeded
(``pipeline.publish``), so a failure or a kill at any point leaves the published database
and report exactly as they were.
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import pandas as pd

from pipeline import (
    contracts,
    cross_checks,
    dependencies,
    extracts,
    history,
    keys,
    nothing_new,
    overlaps,
    publish,
    quarantine,
    reference,
    retention,
    targets,
    verdicts,
    warehouse,
)
from pipeline.config import ConfigError, Settings
from pipeline.delivery import dispatch, ledger
from pipeline.inputs import InputFile, inbox_inputs, load_order
from pipeline.progress import Progress
from pipeline.report import archive
from pipeline.resources import blas_threads
from pipeline.runs import (
    ExitCode,
    LockedError,
    RunLog,
    RunResult,
    Terminated,
    lock_path,
    log_finished,
    log_path,
    new_run_id,
    run_lock,
    sigterm_raises,
    stop_requested,
)
from pipeline.schemas import EMPTY_FILE_MEANS, allowed_codes, shown_values_json, stored_select

SUPERSEDE_KEYS = {
    "staff_snapshot": "snapshot_date",
    "promotion_candidates": "process_id",
    "recruitment_applicants": "campaign_id",
    "joiners_leavers": None,
    "misconduct_cases": "case_key",
    "grievances": "case_key",
    "training_development": "programme_id",
    "appraisal_ratings": "appraisal_year",
    "staff_survey": "survey_id",
}
"""A new extract replaces the rows it describes (``pipeline.overlaps`` decides when it may):
a snapshot date, a process or a campaign, a misconduct or grievance case, a development
programme, an appraisal year or a survey, or, for joiners and leavers (key None), the
movements in its period."""

PSEUDONYMOUS_KEYS = frozenset({"case_key"})
"""Keys whose values are pseudonyms: changes are reported per file, not per case."""

BLOCKING_ERRORS: tuple[type[Exception], ...] = (
    extracts.ExtractError,
    reference.ReferenceDataError,
    contracts.BlockedError,
)
"""Bad input: nothing is published until the files are fixed (exit code 3, blocked)."""


def exit_code_for(error: BaseException) -> ExitCode:
    """The documented exit code for a run that raised ``error``: a run stopped by SIGTERM
    is 143 whatever error the stop surfaced as (DuckDB's "Query interrupted")."""
    if isinstance(error, Terminated) or stop_requested():
        return ExitCode.TERMINATED
    if isinstance(error, LockedError):
        return ExitCode.LOCKED
    if isinstance(error, ConfigError):
        return ExitCode.CONFIG_ERROR
    if isinstance(error, BLOCKING_ERRORS):
        return ExitCode.BLOCKED
    return ExitCode.INTERNAL_ERROR


def run_nightly(
    settings: Settings,
    *,
    force: bool = False,
    progress: Progress | None = None,
    inputs: list[InputFile] | None = None,
    command: str = "run",
    rotation: keys.Rotation | None = None,
) -> RunResult:
    """One run under the lock; raises on any failure, having published nothing.

    ``inputs`` are the inbox's files unless given (``progression backfill`` gives an
    archive's); ``rotation`` is a deliberate change of the pseudonymisation key
    (``progression rotate-key``, ``pipeline.keys``). Every run, refused, failed, stopped by
    SIGTERM (``Terminated``) or finished, ends its log with one line that carries its outcome
    and exit code. A night with nothing new is decided and logged by ``pipeline.nothing_new``
    without the work of a full run.
    """
    progress = progress or Progress()
    quick = not (force or rotation) and inputs is None
    if quick and (result := nothing_new.night(settings, progress, command)):
        return result
    log = RunLog(log_path(settings), new_run_id(), command)
    with sigterm_raises():
        try:
            with run_lock(lock_path(settings)):
                return _logged_run(settings, log, force, progress, inputs, rotation)
        except LockedError as exc:
            log.end("run_locked", ExitCode.LOCKED, error=str(exc))
            raise


def _logged_run(settings, log: RunLog, force, progress, inputs, rotation) -> RunResult:
    log.event("run_started", inbox=str(settings.paths.inbox))
    try:
        result = _run(settings, log, force, progress, inputs, rotation)
    except BaseException as exc:
        log_failure(settings, log, exc)
        raise
    dispatch.after_run(settings, log, result, progress)
    log_finished(log, result)
    return result


def log_failure(settings: Settings, log: RunLog, exc: BaseException) -> None:
    """A failed run's alert (``[delivery.alerts]``) and its last line in the run log."""
    if isinstance(exc, Exception | Terminated):
        dispatch.alert(settings, log, exc, exit_code_for(exc))
    log.end("run_failed", exit_code_for(exc), error_type=type(exc).__name__, error=str(exc))


def _run(settings: Settings, log: RunLog, force: bool, progress, inputs, rotation) -> RunResult:
    paths = settings.paths
    layout = publish.Layout.of(settings)
    from_inbox = inputs is None
    now = datetime.now(UTC)
    result = RunResult(log.run_id, paths.database, None, command=log.command)
    nothing_new.forget(settings)
    # The blocked run's record is the last run's or none: a run stopped before the file
    # checks (configuration, reference files) must not leave an earlier one's.
    quarantine.clear_blocked_run(settings)
    with log.stage("prepare"):
        # Under the lock, any build folder left beside the releases is a dead run's.
        leftovers = publish.remove_leftovers(layout)
        for partial in sorted(paths.archive.glob(".partial-*")):
            partial.unlink()
            leftovers.append(partial.name)
        if leftovers:
            log.event("leftovers_removed", names=leftovers)
        build_dir = layout.new_build(log.run_id)
        work_db = history.private_dir(build_dir) / history.HISTORY
        seeded = history.seed(layout, work_db, fresh=bool(rotation and rotation.new_history))
    try:
        with warehouse.connect(work_db, memory_limit=settings.resources.memory_limit) as con:
            warehouse.create_schemas(con)
            warehouse.create_raw_tables(con)
            _create_ops_tables(con)
            migrated = seeded == "migrated" and history.minimise_stored(con)
            if migrated:
                log.event("history_minimised")
            with log.stage("reference"):
                progress("Reading reference data (census, lookups)")
                tables = reference.load_reference(settings)
                notes = reference.geography_notes(tables)
                for note in notes:
                    log.event("force_geography", message=note)
                targets.check_lpus(settings, set(tables["area_lookup"]["lpu_code"]))
            with log.stage("read_extracts"):
                _check_key(con, settings, log, rotation, tables, now)
                inbox_seen = nothing_new.inbox_state(settings) if from_inbox else None
                inputs = inbox_inputs(settings) if inputs is None else inputs
                loaded, blocked = _read_new_extracts(
                    con, settings, result, tables, progress, inputs
                )
                for note in result.notes:
                    log.event("empty_extract", message=note)
            first_night = not paths.database.exists()
            if first_night and not blocked and "staff_snapshot" not in {e.kind for e in loaded}:
                raise extracts.nothing_to_load(settings, inputs)
            inbox = inputs if from_inbox else []
            expired = retention.expired_extracts(con, settings, inbox, result.file_hashes, now)
            due = retention.quarantine_due(con, settings, now)
            result.fingerprint = dependencies.fingerprint(settings)
            if paths.database.exists():
                before = dependencies.recorded(con)
                changed = dependencies.changes(before, result.fingerprint)
                result.settings_changed = [str(change) for change in changed]
                if changed:
                    log.event("settings_changed", changes=result.settings_changed)
            quiet_night = not (loaded or blocked or force or due or migrated)
            if quiet_night and not result.settings_changed and paths.database.exists():
                result.changed = False
                progress("No new or changed extracts: the published database and report stand.")
            else:
                report_dir = build_dir / "report"
                # Only a night that builds loads the linear algebra (0.2-0.5 s of imports).
                with blas_threads(settings.resources.blas_threads):
                    _build(con, settings, log, result, progress, tables, loaded, blocked,
                           inputs, now, report_dir)  # fmt: skip
            gone = {item.name for item in expired.inbox}
            kept = {h for name, h in result.file_hashes.items() if name not in gone}
            kept |= {p.name.split(".")[0] for p in paths.archive.glob("*")}
            kept -= {p.name.split(".")[0] for p in expired.archived}
            due_at = nothing_new.due_at(con, settings, kept)
        work_db.chmod(history.PRIVATE_FILE_MODE)
        if result.changed:
            with log.stage("publish"):
                progress("Publishing")
                history.export_published(
                    work_db,
                    build_dir / paths.database.name,
                    warehouse.discover_models(),
                    min_people=settings.disclosure.threshold,
                )
                previous = layout.current_release()
                result.report = publish.publish(layout, build_dir, log.run_id)
                history.protect_retired(layout, previous)
        with log.stage("archive"):
            archived = archive.sync(
                settings.paths.reports_dir, layout.releases, settings.report.marking
            )
            if archived and not result.changed:
                log.event("archive_repaired", dates=archived)
        with log.stage("retention"):
            retention.delete(expired, result.purged)
            if result.purged:
                log.event(
                    "retention_purged",
                    quarantine_rows=result.purged.quarantine_rows,
                    extract_files=result.purged.extract_files,
                    archived_copies=result.purged.archived_copies,
                    extract_days=settings.retention.extract_days,
                    quarantine_days=settings.retention.quarantine_days,
                )
        if from_inbox:
            nothing_new.record(settings, inbox=inbox_seen, result=result, due=due_at, notes=notes)
        return result
    finally:
        shutil.rmtree(build_dir, ignore_errors=True)


def _check_key(con, settings, log: RunLog, rotation, tables, now) -> None:
    """The key must be the history's, unless this run rotates it (``pipeline.keys``)."""
    if rotation is None:
        if reason := keys.check_key(con, settings, log.run_id, now):
            log.event("key_fingerprint_recorded", reason=reason)
        return
    allowed = allowed_codes(settings, frozenset(tables["area_lookup"]["lpu_code"]))
    replaced = keys.rotate(con, settings, rotation, log.run_id, now, allowed)
    log.event(
        "key_rotated",
        mode="new history" if rotation.new_history else "re-pseudonymised",
        pseudonyms_replaced=replaced,
    )


def _build(con, settings, log, result, progress, tables, loaded, blocked, inputs, now, report_dir):
    """Validate, load, purge what retention says, check against history, rebuild the models
    and the report, and record the run in the database about to be published."""
    names = {item.path: item.name for item in inputs}
    with log.stage("validate"):
        progress("Checking the data contracts")
        loaded, checks = _validate(con, settings, log, tables, loaded, blocked, result, names)
    loaded.sort(key=lambda extract: load_order(extract, names[extract.path]))
    with log.stage("load"):
        progress("Loading raw tables")
        result.changes = _load(con, settings, tables, loaded, log.run_id, names, progress)
        _record_results(con, log.run_id, checks)
        result.purged.quarantine_rows = retention.purge_quarantine(con, settings, now)
        for change in result.changes:
            log.event("rows_changed", **change)
    with log.stage("cross_checks"):
        progress("Comparing with earlier snapshots")
        history = cross_checks.run_cross_checks(con, settings)
        _record_results(con, log.run_id, history)
        result.warnings += _warnings(history)
    with log.stage("transform"):
        progress("Building the SQL models")
        models = warehouse.discover_models()
        warehouse.run_models(con, models)
        # The private history's views, read by the report alone (which withholds a
        # figure with its count); the analysts' database withholds in export_published.
        warehouse.publish_analytics_views(con, models, min_people=None)
        targets.check_dates(
            settings,
            *con.execute(
                "select min(snapshot_date), max(snapshot_date) from marts.representation"
            ).fetchone(),
        )
    with log.stage("report"):
        from pipeline.report.build import build_report

        progress("Rendering the report")
        build_report(con, settings, report_dir, log.run_id)
    ledger.copy_into(con, settings)
    _record_run(con, log, result)


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
        """
    )
    con.execute(f"create table if not exists ops.runs ({', '.join(_RUNS_COLUMNS)})")
    for column in _RUNS_COLUMNS:
        con.execute(f"alter table ops.runs add column if not exists {column}")


_RUNS_COLUMNS = (
    "run_id varchar",
    "started_at timestamptz",
    "finished_at timestamptz",
    "stage_seconds json",
    "files_loaded varchar[]",
    "rows_loaded bigint",
    "rows_quarantined bigint",
    "outcome varchar",
    "command varchar",
    "duration_seconds double",
    "input_files struct(source_file varchar, extract_kind varchar, source_file_hash varchar,"
    " status varchar)[]",
    "rows_read bigint",
    "rows_changed json",
    "quarantine_rows_purged bigint",
    "warnings varchar[]",
    "settings json",
)
"""ops.runs, one row per published run. Columns are only ever added (``add column if not
exists``), so a database published by an earlier version keeps working."""


def _read_new_extracts(con, settings, result, tables, progress, inputs):
    """Every new or changed file, read; a file that cannot be read at all is set aside
    with its problem, so that one night reports every blocking problem at once. Files whose
    content was loaded before (by SHA-256) are skipped, whatever their name."""
    known = {
        row[0] for row in con.execute("select source_file_hash from ops.load_history").fetchall()
    }
    allowed = allowed_codes(settings, frozenset(tables["area_lookup"]["lpu_code"]))
    loaded, blocked = [], []
    for item in progress.track(inputs, "Reading extracts", lambda item: item.name):
        content_hash = extracts.file_hash(item.path)
        result.file_hashes[item.name] = content_hash
        result.file_kinds[item.name] = item.kind
        if content_hash in known:
            result.files_unchanged.append(item.name)
            continue
        known.add(content_hash)
        try:
            extract = extracts.read_extract(item.path, item.kind, settings, allowed)
        except extracts.ExtractError as exc:
            blocked.append(f"{item.name}: {exc.problem} {exc.fix}")
            continue
        loaded.append(extract)
        result.files_loaded.append(item.name)
        result.warnings += [f"{item.name}: {warning}" for warning in extract.warnings]
        result.rows_read += extract.rows_read
        if not extract.rows_read:  # only a kind that may be empty gets here (the reader)
            result.notes.append(
                f"{item.name}: a header and no rows: read as no "
                f"{EMPTY_FILE_MEANS[item.kind]} in its period"
            )
    return loaded, blocked


def _validate(con, settings, log, tables, loaded, blocked, result, names):
    """Run the suites of the new files and of the reference tables (whose results are
    reused while nothing they depend on has changed: ``pipeline.verdicts``), and look for
    files that describe the same thing (``pipeline.overlaps``); raise ``BlockedError``
    (nothing published) if anything blocks."""
    lpu_codes = frozenset(tables["area_lookup"]["lpu_code"])
    parameters = contracts.contract_parameters(settings, lpu_codes, date.today())
    runner = contracts.Contracts()
    checks: list[contracts.ContractResult] = []
    reused = []
    for name, source in (
        ("area_lookup", settings.reference.area_lookup_file),
        ("census_population", settings.reference.census_file),
    ):
        found, blocking, kept = verdicts.validate_reference(
            runner, name, tables[name], source, parameters, verdicts.store_path(settings)
        )
        checks += found
        blocked += blocking
        reused += [name] if kept else []
    if reused:
        log.event("contract_results_reused", tables=reused)
    checked = []
    for extract, found, blocking in contracts.validate_extracts(
        runner, loaded, parameters, settings
    ):
        checked.append(extract)
        name, base = names[extract.path], extract.path.name
        checks += [dataclasses.replace(c, source_file=name) for c in found]
        blocked += [f"{name}{m.removeprefix(base)}" if m.startswith(f"{base}:") else m
                    for m in blocking]  # fmt: skip
    blocked += overlaps.conflicts(con, checked, names)
    if blocked:
        quarantine.record_blocked_run(settings, result.run_id, blocked, checked, names)
        raise contracts.BlockedError(blocked, sum(len(e.quarantined) for e in checked))
    for extract in checked:
        result.rows_loaded += len(extract.frame)
        result.rows_quarantined += len(extract.quarantined)
        if extract.dropped_columns:
            result.dropped_columns[names[extract.path]] = extract.dropped_columns
    result.warnings += _warnings(checks)
    return checked, checks


def _warnings(checks: list[contracts.ContractResult]) -> list[str]:
    return [
        f"{c.source_file or c.extract_kind}: {c.rule}: {c.log_message or c.message}"
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
    """Keep the file as delivered (names, National Insurance numbers and all): in a folder
    only the service user can open, itself readable by the owner only."""
    target = archive_path(settings, extract)
    target.parent.mkdir(mode=history.PRIVATE_DIR_MODE, parents=True, exist_ok=True)
    history.make_private(target.parent)
    if target.exists():
        return
    partial = target.with_name(f".partial-{target.name}")
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC
    with (
        extract.path.open("rb") as source,
        open(os.open(partial, flags, history.PRIVATE_FILE_MODE), "wb") as copy,
    ):
        shutil.copyfileobj(source, copy)
    os.replace(partial, target)


def _load(con, settings, tables, loaded, run_id, names, progress) -> list[dict]:
    """One transaction: reference tables are replaced whole; each extract replaces only the
    rows it describes. Returns rows before and after for every key an extract touched."""
    con.execute("begin transaction")
    try:
        for name, frame in tables.items():
            warehouse.replace_table(con, f"raw.{name}", frame)
        warehouse.load_code_tables(con, settings)
        now = datetime.now(UTC)
        changes = []
        for extract in progress.track(loaded, "Loading", lambda e: names[e.path]):
            _archive(settings, extract)
            changes += _load_extract(con, extract, names[extract.path], run_id, now)
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        for view in _REGISTERED:
            con.unregister(view)
        raise
    return changes


_REGISTERED = ("_frame", "_keys", "_quarantine")
"""Frames a load registers as views; an error leaves them registered until the rollback."""


def _load_extract(con, extract: extracts.Extract, name: str, run_id: str, now) -> list[dict]:
    frame = extract.frame.assign(
        source_file=name,
        source_file_hash=extract.content_hash,
        run_id=run_id,
        loaded_at=now,
    )
    table = f"raw.{extract.kind}"
    con.register("_frame", frame)
    key = SUPERSEDE_KEYS[extract.kind]
    withdrawn = 0
    if key in PSEUDONYMOUS_KEYS:
        ((withdrawn,),) = con.execute(
            f"""select count(*) from {table} where source_file = ?
                and {key} not in (select {key} from _frame where {key} is not null)""",
            [name],
        ).fetchall()
    before, superseded_hashes = _supersede(con, table, extract, name)
    con.execute(f"insert into {table} by name select {stored_select(extract.kind)} from _frame")
    con.unregister("_frame")
    quarantine = extract.quarantined.assign(
        values_json=lambda q: q["values_json"].map(lambda v: shown_values_json(extract.kind, v)),
        run_id=run_id,
        extract_kind=extract.kind,
        source_file=name,
        source_file_hash=extract.content_hash,
        quarantined_at=now,
    )
    # A superseded file's quarantined rows go with its rows; so do those of an earlier file
    # of the same name that left no rows at all (every row was quarantined).
    con.execute(
        f"""delete from ops.quarantine
            where extract_kind = ?
              and (list_contains(?::varchar[], source_file_hash)
                   or (source_file = ?
                       and source_file_hash not in (select source_file_hash from {table})))""",
        [extract.kind, sorted(superseded_hashes), name],
    )
    con.register("_quarantine", quarantine)
    con.execute("insert into ops.quarantine by name select * from _quarantine")
    con.unregister("_quarantine")
    con.execute(
        "insert into ops.load_history values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            run_id,
            extract.kind,
            name,
            extract.content_hash,
            extract.encoding,
            extract.rows_read,
            len(extract.frame),
            len(extract.quarantined),
            sum(before.values()),
            extract.dropped_columns,
            now,
        ],
    )
    if key in PSEUDONYMOUS_KEYS:  # one line per file: a case's pseudonym says nothing
        before, after, label = {name: sum(before.values())}, {name: len(extract.frame)}, "file"
        if before[name]:
            return [
                {
                    "extract_kind": extract.kind,
                    "source_file": name,
                    "key": label,
                    "value": name,
                    "rows_before": before[name],
                    "rows_after": after[name],
                    "rows_withdrawn": int(withdrawn),
                }
            ]
    elif key is None:
        after, label = {_period_text(extract): len(extract.frame)}, "movement_period"
    else:
        after = {_key_text(v): int(n) for v, n in extract.frame[key].value_counts().items()}
        label = key
    return [
        {
            "extract_kind": extract.kind,
            "source_file": name,
            "key": label,
            "value": value,
            "rows_before": before.get(value, 0),
            "rows_after": after.get(value, 0),
        }
        for value in sorted(before.keys() | after.keys())
    ]


def _supersede(con, table: str, extract: extracts.Extract, name: str):
    """Delete the rows ``extract`` replaces; return their count per key value (or period)
    and the content hashes of the files they came from."""
    key = SUPERSEDE_KEYS[extract.kind]
    if key is None:
        period = overlaps.scope_of(extract).period
        if period is None:
            return {}, set()
        condition, params = "cast(movement_date as date) between ? and ?", list(period)
        label = "?"  # one period: counted under the file's period text below
    else:
        values = extract.frame[key].dropna().drop_duplicates()
        if values.empty and key not in PSEUDONYMOUS_KEYS:
            return {}, set()
        con.register("_keys", values.to_frame("key"))
        condition, params, label = f"{key} in (select key from _keys)", [], key
        if key in PSEUDONYMOUS_KEYS:
            # A case register sent again under its name replaces that file's earlier
            # delivery wholly: a case it no longer lists (recorded in error) is withdrawn.
            condition, params = f"({condition} or source_file = ?)", [name]
    rows = con.execute(
        f"""select {label} as key_value, source_file_hash, count(*)
            from {table} where {condition} group by all""",
        params if key else [_period_text(extract), *params],
    ).fetchall()
    con.execute(f"delete from {table} where {condition}", params)
    if key:
        con.unregister("_keys")
    before: dict[str, int] = {}
    for value, _hash, count in rows:
        before[_key_text(value)] = before.get(_key_text(value), 0) + int(count)
    return before, {row[1] for row in rows}


def _period_text(extract: extracts.Extract) -> str:
    period = overlaps.scope_of(extract).period
    return f"{period[0].isoformat()} to {period[1].isoformat()}" if period else ""


def _key_text(value) -> str:
    """A snapshot date as yyyy-mm-dd, a process or campaign id as it is."""
    if isinstance(value, (datetime, pd.Timestamp)):
        return pd.Timestamp(value).date().isoformat()
    return str(value)


def _record_run(con, log: RunLog, result: RunResult) -> None:
    """The run's row in ops.runs, written into the database being published: so ops.runs
    lists published runs (failed, refused and unchanged runs are in the run log only)."""
    finished = datetime.now(UTC)
    row = {
        "run_id": log.run_id,
        "command": log.command,
        "started_at": log.started_at,
        "finished_at": finished,
        "duration_seconds": round((finished - log.started_at).total_seconds(), 3),
        "stage_seconds": json.dumps(log.stage_seconds),
        "input_files": [
            {
                "source_file": name,
                "extract_kind": result.file_kinds[name],
                "source_file_hash": content_hash,
                "status": "loaded" if name in result.files_loaded else "unchanged",
            }
            for name, content_hash in result.file_hashes.items()
        ],
        "files_loaded": result.files_loaded,
        "rows_read": result.rows_read,
        "rows_loaded": result.rows_loaded,
        "rows_quarantined": result.rows_quarantined,
        "rows_changed": json.dumps(result.changes),
        "quarantine_rows_purged": result.purged.quarantine_rows,
        "warnings": result.warnings,
        "outcome": result.outcome,
        "settings": json.dumps(result.fingerprint),
    }
    columns = ", ".join(row)
    con.execute(
        f"insert into ops.runs ({columns}) values ({', '.join('?' for _ in row)})",
        list(row.values()),
    )
