"""Progress on the terminal: a spinner per step and a bar over files, or nothing at all.

A run calls ``progress("what it is doing")`` at each step and iterates over files through
``progress.track``; the silent base class makes both free for cron jobs, pipes and
``--quiet``, so the pipeline never asks where its output goes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar

from rich.console import Console
from rich.progress import (
    BarColumn,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.progress import (
    Progress as RichProgress,
)

T = TypeVar("T")


class Progress:
    """Silent: what a scheduled run, a pipe or ``--quiet`` gets."""

    def __call__(self, message: str) -> None:
        """Start a step (the previous one is done)."""

    def track(self, items: Iterable[T], description: str, label: Callable[[T], str]) -> Iterator[T]:
        """Yield ``items``, showing how many are done and which one is in hand."""
        yield from items

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc_info) -> None:
        """Nothing to tidy up."""


class TerminalProgress(Progress):
    """rich spinners and bars on an interactive terminal; each finished step stays listed."""

    def __init__(self, console: Console):
        self._bars = RichProgress(
            SpinnerColumn(finished_text="[green]✓[/green]"),
            TextColumn("{task.description}"),
            BarColumn(),
            TimeElapsedColumn(),
            console=console,
        )
        self._step: TaskID | None = None

    def _finish_step(self) -> None:
        if self._step is not None:
            self._bars.update(self._step, total=1, completed=1)
            self._step = None

    def __call__(self, message: str) -> None:
        self._finish_step()
        self._step = self._bars.add_task(message, total=None)

    def track(self, items: Iterable[T], description: str, label: Callable[[T], str]) -> Iterator[T]:
        self._finish_step()
        todo = list(items)
        task = self._bars.add_task(description, total=len(todo))
        for done, item in enumerate(todo):
            self._bars.update(
                task,
                description=f"{description} ({done + 1}/{len(todo)}): {label(item)}",
                refresh=True,
            )
            yield item
            self._bars.advance(task)
        self._bars.update(task, description=description)

    def __enter__(self) -> Progress:
        self._bars.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._finish_step()
        self._bars.stop()


def for_console(console: Console, quiet: bool) -> Progress:
    """Bars only for a person watching: never when quiet or when output is not a terminal."""
    return TerminalProgress(console) if console.is_terminal and not quiet else Progress()
