"""Progress reporters: what a terminal shows, and that the silent one shows nothing."""

from __future__ import annotations

import io

from rich.console import Console

from pipeline.progress import Progress, TerminalProgress, for_console


def _terminal() -> tuple[Console, io.StringIO]:
    out = io.StringIO()
    return Console(file=out, force_terminal=True, width=100), out


def test_a_bar_names_each_file_in_turn_and_every_step_stays_listed():
    console, out = _terminal()
    with TerminalProgress(console) as progress:
        progress("Reading reference data")
        names = list(progress.track(["a.csv", "b.csv", "c.csv"], "Reading extracts", str))
        progress("Publishing")
    shown = out.getvalue()
    assert names == ["a.csv", "b.csv", "c.csv"]
    for n, name in enumerate(names, start=1):
        assert f"Reading extracts ({n}/3): {name}" in shown
    assert shown.count("✓") >= 3


def test_the_silent_reporter_passes_items_through_and_prints_nothing(capsys):
    with Progress() as progress:
        progress("anything")
        assert list(progress.track([1, 2], "Counting", str)) == [1, 2]
    assert capsys.readouterr() == ("", "")


def test_bars_only_for_a_terminal_and_never_when_quiet():
    terminal, _ = _terminal()
    assert isinstance(for_console(terminal, quiet=False), TerminalProgress)
    assert type(for_console(terminal, quiet=True)) is Progress
    pipe = Console(file=io.StringIO())
    assert type(for_console(pipe, quiet=False)) is Progress
