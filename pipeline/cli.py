"""The ``progression`` command: a thin layer mapping commands to library calls and outcomes
to documented exit codes."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from pipeline.config import ConfigError, Settings, load_settings
from pipeline.runs import ExitCode, LockedError

app = typer.Typer(
    help="Nightly workforce representation and progression analytics for a police force.",
    no_args_is_help=True,
    add_completion=False,
)
err = Console(stderr=True, soft_wrap=True)

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


def _progress(quiet: bool):
    if quiet or not sys.stderr.isatty():
        return lambda _message: None
    return lambda message: err.print(f"[dim]•[/dim] {escape(message)}")


def _settings(config: Path | None) -> Settings:
    try:
        return load_settings(config)
    except ConfigError as exc:
        err.print(f"[bold red]Configuration error:[/bold red] {escape(str(exc))}")
        raise typer.Exit(ExitCode.CONFIG_ERROR) from None


def _run(settings: Settings, force: bool, quiet: bool) -> ExitCode:
    from pipeline import extracts, reference, warehouse
    from pipeline.contracts import BlockedError
    from pipeline.nightly import run_nightly

    try:
        result = run_nightly(settings, force=force, progress=_progress(quiet))
    except LockedError as exc:
        err.print(f"[bold yellow]Locked:[/bold yellow] {escape(str(exc))}")
        return ExitCode.LOCKED
    except ConfigError as exc:
        err.print(f"[bold red]Configuration error:[/bold red] {escape(str(exc))}")
        return ExitCode.CONFIG_ERROR
    except (extracts.ExtractError, reference.ReferenceDataError, BlockedError) as exc:
        err.print(f"[bold red]Blocked, nothing published:[/bold red] {escape(str(exc))}")
        return ExitCode.BLOCKED
    except warehouse.ModelError as exc:
        err.print(f"[bold red]Internal error, nothing published:[/bold red] {escape(str(exc))}")
        return ExitCode.INTERNAL_ERROR
    if not quiet:
        dropped = sorted({c for columns in result.dropped_columns.values() for c in columns})
        if dropped:
            err.print(
                f"Dropped columns not on the allow-list: {', '.join(dropped)} "
                f"(from {len(result.dropped_columns)} file(s))"
            )
        if not result.changed:
            err.print("No new or changed extracts; the published database and report stand.")
        else:
            err.print(
                f"Loaded {result.rows_loaded:,} rows from {len(result.files_loaded)} file(s); "
                f"{result.rows_quarantined:,} row(s) quarantined."
            )
            if result.rows_quarantined:
                err.print("See them, and what to fix, with: progression quarantine")
            for warning in result.warnings:
                err.print(f"[yellow]Warning:[/yellow] {escape(warning)}")
            err.print(f"Report:   {result.report}")
        err.print(f"Database: {result.database}")
    if result.rows_quarantined or result.warnings:
        return ExitCode.SUCCESS_WITH_WARNINGS
    return ExitCode.SUCCESS


@app.command()
def run(
    config: ConfigOption = None,
    force: Annotated[
        bool, typer.Option(help="Rebuild the models and report even if no extract changed.")
    ] = False,
    quiet: QuietOption = False,
) -> None:
    """Read the inbox, load new extracts, rebuild the marts and the report, publish."""
    raise typer.Exit(_run(_settings(config), force, quiet))


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
    quiet: QuietOption = False,
) -> None:
    """Write a synthetic West-Midlands-like force's HR extracts, then run the pipeline on them."""
    from pipeline.demo import write_demo_force

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

    Fix the rows in the source and drop the corrected file in the inbox: it replaces the
    rows and the quarantine of the file it corrects at the next run.
    """
    from pipeline.quarantine import quarantined_rows

    rows = quarantined_rows(_settings(config), file)
    if as_csv:
        rows.to_csv(sys.stdout, index=False)
        raise typer.Exit(ExitCode.SUCCESS)
    if rows.empty:
        err.print("No rows are quarantined.")
        raise typer.Exit(ExitCode.SUCCESS)
    for row in rows.itertuples(index=False):
        typer.echo(f"{row.source_file}, row {row.source_row}: {row.rule}")
        if row.values:
            typer.echo(f"    values: {row.values}")
        typer.echo(f"    {row.message}\n")
    err.print(f"{len(rows):,} quarantined row(s).")
