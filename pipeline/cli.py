"""The ``progression`` command: a thin layer mapping commands to library calls and outcomes
to documented exit codes."""

from __future__ import annotations

import sys
from contextlib import closing
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from pipeline.config import ConfigError, Settings, load_settings
from pipeline.progress import for_console
from pipeline.runs import ExitCode, LockedError, Terminated
from pipeline.safe_text import printable, visible

app = typer.Typer(
    help="Nightly workforce representation and progression analytics for a police force.",
    no_args_is_help=True,
    add_completion=False,
)
err = Console(stderr=True, soft_wrap=True)
"""Messages go to stderr, unwrapped, so that a cron e-mail or a log keeps each on one line."""

ConfigOption = Annotated[
    Path | None,
    typer.Option(
        "--config",
        "-c",
        help="The TOML configuration file (default: $PROGRESSION_CONFIG).",
        dir_okay=False,
    ),
]
QuietOption = Annotated[bool, typer.Option("--quiet", "-q", help="Print only errors.")]


def _print_version(value: bool) -> None:
    if value:
        from importlib.metadata import PackageNotFoundError, version

        try:
            typer.echo(f"progression {version('progression')}")
        except PackageNotFoundError:
            typer.echo("progression (version unknown: not installed as a package)")
        raise typer.Exit(ExitCode.SUCCESS)


@app.callback()
def main(
    _version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_print_version, is_eager=True, help="Print the version."
        ),
    ] = False,
) -> None:
    """Nightly workforce representation and progression analytics for a police force."""


FAILURE_HEADINGS = {
    ExitCode.LOCKED: "[bold yellow]Locked:[/bold yellow]",
    ExitCode.CONFIG_ERROR: "[bold red]Configuration error, nothing published:[/bold red]",
    ExitCode.BLOCKED: "[bold red]Blocked, nothing published:[/bold red]",
    ExitCode.INTERNAL_ERROR: "[bold red]Internal error, nothing published:[/bold red]",
    ExitCode.TERMINATED: "[bold red]Stopped by SIGTERM, nothing published:[/bold red]",
}


def _settings(config: Path | None) -> Settings:
    try:
        return load_settings(config)
    except ConfigError as exc:
        err.print(f"[bold red]Configuration error:[/bold red] {escape(visible(str(exc)))}")
        raise typer.Exit(ExitCode.CONFIG_ERROR) from None


def _run(
    settings: Settings, force: bool, quiet: bool, inputs=None, command="run", rotation=None
) -> ExitCode:
    from pipeline import nothing_new

    try:
        with for_console(err, quiet) as progress:
            # A night with nothing new is decided before the full run's imports (pandas...).
            quick = not (force or rotation) and inputs is None
            result = quick and nothing_new.night(settings, progress, command)
            if not result:
                from pipeline.nightly import run_nightly

                result = run_nightly(
                    settings,
                    force=force,
                    progress=progress,
                    inputs=inputs,
                    command=command,
                    rotation=rotation,
                )
    except (Exception, Terminated) as exc:
        from pipeline.contracts import BlockedError
        from pipeline.nightly import exit_code_for, log_path

        code = exit_code_for(exc)
        message = str(exc) if code != ExitCode.INTERNAL_ERROR else f"{type(exc).__name__}: {exc}"
        err.print(FAILURE_HEADINGS[code], escape(visible(message)), highlight=False)
        if code == ExitCode.BLOCKED and isinstance(exc, BlockedError) and exc.rows_set_aside:
            err.print("The rows it would have quarantined, and why: progression quarantine")
        if code != ExitCode.LOCKED:
            err.print(f"Run log: {log_path(settings)}", highlight=False)
        return code
    if not quiet:
        _summarise(result)
    return result.exit_code


def _summarise(result) -> None:
    """What the run did, in the words an operator reads in a cron e-mail."""
    dropped = sorted({printable(c) for columns in result.dropped_columns.values() for c in columns})
    if dropped:
        err.print(
            f"Dropped columns not on the allow-list: {escape(', '.join(dropped))} "
            f"(from {len(result.dropped_columns)} file(s))"
        )
    if result.settings_changed:
        err.print(
            "Rebuilt because what the published release was built from changed: "
            + "; ".join(result.settings_changed),
            markup=False,
        )
    if not result.changed:
        err.print(
            "No new or changed extracts, nothing to do: the "
            f"{len(result.files_unchanged)} found were all loaded before (same content), so "
            "the published database and report are unchanged."
        )
    else:
        err.print(
            f"Loaded {result.rows_loaded:,} rows from {len(result.files_loaded)} file(s); "
            f"{result.rows_quarantined:,} row(s) quarantined."
        )
        if result.rows_quarantined:
            err.print("See them, and what to fix, with: progression quarantine")
        for note in result.notes:
            err.print(f"Note: {visible(note)}.", markup=False)
        for change in result.replaced:
            err.print(
                f"Replaced {change['extract_kind']} {change['key']} {change['value']}: "
                f"{change['rows_before']:,} rows before, {change['rows_after']:,} after"
                + (
                    f" ({change['rows_withdrawn']:,} rows of cases the file no longer lists "
                    "withdrawn)."
                    if change.get("rows_withdrawn")
                    else "."
                ),
                markup=False,
            )
        for warning in result.warnings:
            err.print(f"[yellow]Warning:[/yellow] {escape(visible(warning))}")
    if result.purged.quarantine_rows:
        err.print(f"Retention: deleted {result.purged.quarantine_rows:,} quarantined row(s).")
    for name in result.purged.extract_files:
        err.print(f"Retention: deleted the extract file {name} from the inbox.", markup=False)
    if result.purged.archived_copies:
        err.print(
            f"Retention: deleted {len(result.purged.archived_copies)} archived extract(s) "
            "first loaded before the retention period."
        )
    _print_deliveries(result.deliveries)
    if result.report is not None:
        err.print(f"Report:   {result.report}")
    err.print(f"Database: {result.database}")


@app.command()
def run(
    config: ConfigOption = None,
    force: Annotated[
        bool, typer.Option(help="Rebuild the models and report even if no extract changed.")
    ] = False,
    quiet: QuietOption = False,
) -> None:
    """Read the inbox, load new extracts, rebuild the marts and the report, publish.

    Exit codes: 0 success (or nothing new), 5 success with warnings, 3 blocked by bad input,
    2 configuration error, 4 another run holds the lock, 1 internal error.
    """
    raise typer.Exit(_run(_settings(config), force, quiet))


@app.command()
def backfill(
    directory: Annotated[
        Path,
        typer.Argument(
            help="Folder of past extracts (searched recursively).", exists=True, file_okay=False
        ),
    ],
    config: ConfigOption = None,
    quiet: QuietOption = False,
) -> None:
    """Load an archive of past extracts, oldest first, and publish once: years of history
    on day one. Files already loaded (same content) are skipped, so it can be re-run."""
    from pipeline.extracts import ExtractError
    from pipeline.inputs import archive_inputs

    settings = _settings(config)
    try:
        inputs = archive_inputs(directory.resolve(), settings)
    except ExtractError as exc:
        err.print(
            FAILURE_HEADINGS[ExitCode.CONFIG_ERROR], escape(visible(str(exc))), highlight=False
        )
        raise typer.Exit(ExitCode.CONFIG_ERROR) from None
    raise typer.Exit(_run(settings, False, quiet, inputs=inputs, command="backfill"))


@app.command("rotate-key")
def rotate_key(
    config: ConfigOption = None,
    old_key_file: Annotated[
        Path | None,
        typer.Option(
            help="The key the history was built with: every pseudonym is recomputed under "
            "the new key (the one configured now) from the archived extracts.",
            exists=True,
            dir_okay=False,
        ),
    ] = None,
    new_history: Annotated[
        bool, typer.Option(help="Start a new history under the new key instead.")
    ] = False,
    quiet: QuietOption = False,
) -> None:
    """Change the pseudonymisation key on purpose (a run with another key is refused).

    Put the new key in place first (the key file or PROGRESSION_PSEUDONYM_KEY), then give
    either --old-key-file or --new-history; the run then publishes as usual.
    """
    from pipeline.keys import Rotation, read_key_file

    settings = _settings(config)
    if (old_key_file is None) == (not new_history):
        err.print(
            FAILURE_HEADINGS[ExitCode.CONFIG_ERROR],
            "give either --old-key-file FILE (re-pseudonymise) or --new-history.",
        )
        raise typer.Exit(ExitCode.CONFIG_ERROR)
    try:
        rotation = Rotation(read_key_file(old_key_file) if old_key_file else None)
    except ConfigError as exc:
        err.print(
            FAILURE_HEADINGS[ExitCode.CONFIG_ERROR], escape(visible(str(exc))), highlight=False
        )
        raise typer.Exit(ExitCode.CONFIG_ERROR) from None
    raise typer.Exit(_run(settings, True, quiet, command="rotate-key", rotation=rotation))


def _print_deliveries(outcomes) -> None:
    for outcome in outcomes:
        colour = "yellow" if outcome.failed else "default"
        err.print(f"[{colour}]{escape(outcome.text)}[/{colour}]", highlight=False)


@app.command()
def deliver(
    config: ConfigOption = None,
    dry_run: Annotated[
        bool,
        typer.Option("--dry-run", help="Print what would be sent to whom; send nothing."),
    ] = False,
) -> None:
    """Deliver the published report now (e-mail, shared folder): whatever has not been
    delivered yet, as a night does after publishing. With --dry-run, print what would be
    sent, to whom, and any problem, without connecting to anything.

    Exit codes: 0 delivered (or nothing to do), 5 a delivery failed (the next run retries
    it), 2 configuration problem, 4 a run holds the lock.
    """
    from pipeline.delivery import dispatch, plan

    settings = _settings(config)
    if dry_run:
        found = plan.dry_run(settings)
        typer.echo(found.text)
        raise typer.Exit(ExitCode.CONFIG_ERROR if found.problems else ExitCode.SUCCESS)
    if not dispatch.configured_channels(settings):
        err.print(
            "[bold red]Configuration error:[/bold red]",
            escape("no [delivery.email] or [delivery.folder] in the configuration."),
            highlight=False,
        )
        raise typer.Exit(ExitCode.CONFIG_ERROR)
    try:
        code, outcomes = dispatch.deliver_now(settings)
    except dispatch.NothingPublished as exc:
        err.print("[bold red]Not published yet:[/bold red]", escape(str(exc)), highlight=False)
        raise typer.Exit(ExitCode.CONFIG_ERROR) from None
    except LockedError as exc:
        err.print(FAILURE_HEADINGS[ExitCode.LOCKED], escape(str(exc)), highlight=False)
        raise typer.Exit(ExitCode.LOCKED) from None
    _print_deliveries(outcomes)
    if not outcomes:
        err.print("Nothing to deliver: the current report has been delivered everywhere.")
    raise typer.Exit(code)


@app.command()
def describe(config: ConfigOption = None) -> None:
    """List every view of the analysts' interface (schema analytics) and its columns."""
    from pipeline.analysts import connect_published, describe

    out = _stdout()
    with closing(_published(connect_published, config)) as con:
        views = describe(con)
    for view in views:
        table = Table(
            title=Text(f"analytics.{view.name}"),
            caption=Text(view.comment),
            caption_justify="left",
            title_justify="left",
        )
        for heading in ("column", "type", "description"):
            table.add_column(heading, overflow="fold")
        for column in view.columns:
            table.add_row(*map(Text, (column.name, column.data_type, column.comment)))
        out.print(table)


@app.command()
def query(
    sql: Annotated[
        str,
        typer.Argument(
            help="One SQL query, e.g. 'select * from analytics.representation limit 5'."
        ),
    ],
    config: ConfigOption = None,
    as_csv: Annotated[bool, typer.Option("--csv", help="Print CSV instead of a table.")] = False,
) -> None:
    """Run SQL against the published database, read-only, and print a table or CSV."""
    import duckdb

    from pipeline.analysts import cell_text, connect_published, run_query, write_csv

    with closing(_published(connect_published, config)) as con:
        try:
            result = run_query(con, sql)
        except duckdb.Error as exc:
            err.print("[bold red]Query failed:[/bold red]", escape(str(exc)), highlight=False)
            raise typer.Exit(ExitCode.CONFIG_ERROR) from None  # the user's SQL, not a fault
    if as_csv:
        write_csv(result, sys.stdout)
        return
    out = _stdout()
    table = Table(caption=f"{len(result.rows):,} row(s)")
    for column in result.columns:
        table.add_column(Text(column))
    for row in result.rows:  # Text: cells are data, never read as terminal markup ([c], [x])
        table.add_row(*(Text(cell_text(v)) for v in row))
    out.print(table)


def _stdout() -> Console:
    """The terminal's width on a terminal; unwrapped lines in a pipe or a file."""
    console = Console()
    return console if console.is_terminal else Console(width=10_000)


def _published(connect, config: Path | None):
    from pipeline.analysts import NotPublishedError

    settings = _settings(config)
    try:
        return connect(settings)
    except NotPublishedError as exc:
        err.print("[bold red]Not published yet:[/bold red]", escape(str(exc)), highlight=False)
        raise typer.Exit(ExitCode.CONFIG_ERROR) from None


@app.command()
def demo(
    out: Annotated[Path, typer.Option(help="Folder for the demo force's files.")] = Path(
        "var/demo"
    ),
    seed: Annotated[int, typer.Option(help="Random seed: the same seed gives the same files.")] = (
        2026
    ),
    run_pipeline: Annotated[
        bool, typer.Option("--run/--no-run", help="Run the nightly pipeline on the extracts.")
    ] = True,
    scale: Annotated[
        int,
        typer.Option(
            min=1, help="Copies of each person (new identifiers): a force this many times as big."
        ),
    ] = 1,
    months: Annotated[
        int | None,
        typer.Option(min=1, help="Monthly staff snapshots, this many, instead of 5 annual ones."),
    ] = None,
    quiet: QuietOption = False,
) -> None:
    """Write a synthetic West-Midlands-like force's HR extracts, then run the pipeline on them.

    With --scale or --months the extracts (all CSV) are streamed to the inbox, so a force of
    any size can be written without holding it in memory (``pipeline.demo_scale``)."""
    from pipeline.demo import write_demo_force
    from pipeline.demo_scale import write_scaled_force

    if scale > 1 or months is not None:
        config_path, rows = write_scaled_force(out, scale, months, seed=seed)
        if not quiet:
            err.print(f"{rows:,} rows written.")
    else:
        config_path = write_demo_force(out, seed=seed)
    if not quiet:
        err.print(f"Demo extracts written to {config_path.parent / 'inbox'}")
        err.print(f"Configuration: {config_path}")
    if not run_pipeline:
        raise typer.Exit(ExitCode.SUCCESS)
    raise typer.Exit(_run(_settings(config_path), force=True, quiet=quiet))


@app.command()
def quarantine(
    config: ConfigOption = None,
    file: Annotated[
        str | None, typer.Option("--file", "-f", help="Only rows from this file (its name).")
    ] = None,
    as_csv: Annotated[
        bool, typer.Option("--csv", help="Write CSV to standard output (to open in Excel).")
    ] = False,
) -> None:
    """List quarantined rows: file, row, rule and what to fix (values of code columns only).

    After a blocked run, first what blocked it and the rows it would have quarantined
    (nothing of it was published). Fix the rows in the source and drop the corrected file in
    the inbox, under the same name or with 'correction' in its name: it replaces the rows
    and the quarantine of the file it corrects at the next run.
    """
    from pipeline.quarantine import blocked_run, quarantined_rows
    from pipeline.safe_text import safe_cell

    settings = _settings(config)
    rows = quarantined_rows(settings, file)
    if as_csv:
        rows.map(safe_cell).to_csv(sys.stdout, index=False)
        raise typer.Exit(ExitCode.SUCCESS)
    if blocked := blocked_run(settings):
        typer.echo(
            f"The last run ({blocked['run_id']}, {blocked['blocked_at']}) was blocked; "
            "nothing was published. What blocked it:"
        )
        for problem in blocked["problems"]:
            typer.echo(f"  - {visible(problem)}")
        typer.echo("")
    if rows.empty:
        err.print("No rows are quarantined.")
        raise typer.Exit(ExitCode.SUCCESS)
    for status, heading in (
        ("blocked", "Rows the blocked run would have quarantined:"),
        ("quarantined", "Rows quarantined in the published database:"),
    ):
        listed = rows[rows["status"] == status]
        if listed.empty:
            continue
        typer.echo(f"{heading}\n")
        for row in listed.itertuples(index=False):
            typer.echo(f"{row.source_file}, row {row.source_row}: {row.rule}")
            if row.values:
                typer.echo(f"    values: {row.values}")
            typer.echo(f"    {row.message}\n")
    counts = rows["status"].value_counts()
    err.print(
        f"{counts.get('quarantined', 0):,} quarantined row(s)"
        + (f"; {counts['blocked']:,} in the blocked run." if "blocked" in counts else ".")
    )


@app.command()
def init(
    directory: Annotated[
        Path, typer.Argument(help="Folder for the new force's files (created if need be).")
    ],
    force_name: Annotated[
        str,
        typer.Option("--force", help='The police force area, e.g. "Thames Valley".'),
    ],
    sample: Annotated[
        list[Path] | None,
        typer.Option(
            help="A sample extract from the force's HR system (repeat, one of each kind): "
            "its headers give the column mapping, its values the synonyms to fill in.",
            exists=True,
            dir_okay=False,
        ),
    ] = None,
    key_file: Annotated[
        Path | None,
        typer.Option(
            help="Where to write the new pseudonym key (default DIRECTORY/pseudonym.key); "
            "an existing key is kept, never replaced."
        ),
    ] = None,
) -> None:
    """Set up a new force: a commented configuration, an area -> LPU lookup of its local
    authorities, a new pseudonym key and an inbox. See docs/first-night.md."""
    from pipeline.new_force import init_force

    try:
        written = init_force(force_name, directory, sample or [], key_file)
    except ConfigError as exc:
        err.print(
            FAILURE_HEADINGS[ExitCode.CONFIG_ERROR], escape(visible(str(exc))), highlight=False
        )
        raise typer.Exit(ExitCode.CONFIG_ERROR) from None
    say = lambda text: err.print(text, markup=False, highlight=False)  # noqa: E731
    say(f"Set up {written.force_name} in {written.config.parent}:")
    say(f"  {written.config.name}: the configuration (read its comments)")
    say(
        f"  {written.area_lookup.name}: its {len(written.districts)} local authorities, one "
        "LPU each; edit lpu_code and lpu_name to group them into the force's LPUs (the codes "
        "the staff extract's LPU column holds)"
    )
    for found in written.samples:
        guessed = ", ".join(f"{c} = {h!r}" for c, h in found.guessed.items())
        say(
            f"  [extracts.{found.kind}] from {found.path.name}: "
            f"{len(found.columns)} column(s) mapped"
            + (f"; guessed, check: {guessed}" if guessed else "")
            + (f"; not found: {', '.join(found.missing)}" if found.missing else "")
        )
    if written.key_created:
        say(
            f"  {written.key_file}: a new pseudonym key (readable by you only). Back it up "
            "now, with the force's other secrets, and keep it out of shared folders. Lost or "
            "replaced, every person gets a new pseudonym and history no longer links up: "
            "the database must then be rebuilt from the past extracts (docs/first-night.md)."
        )
    else:
        say(f"  {written.key_file}: the existing key is kept.")
    say(
        f"Next: put the HR extracts in {written.inbox} and run "
        f"`progression run --config {written.config}` (docs/first-night.md)."
    )


if __name__ == "__main__":
    app()
