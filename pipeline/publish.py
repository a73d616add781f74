"""Atomic publication: one rename makes a run's database and report visible together.

Every run builds in its own folder beside the releases (``releases/.build-<run id>/``, with
the database and ``report/``). Publishing renames that folder to ``releases/<run id>/`` and
then replaces the ``releases/current`` link with one ``rename``; the configured database
path and ``<reports_dir>/latest`` are fixed links through ``current``::

    <database>              -> releases/current/<database name>
    <reports_dir>/latest    -> .../releases/current/report
    releases/current        -> <run id>

So a reader, or a crash at any instant, sees either the previous release or the new one,
whole: never a half-written file, never a new report beside an old database. A reader that
opened the previous database keeps reading it (the file stays on disk while it is open).
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from pipeline.config import Settings

RELEASES = "releases"
CURRENT = "current"
BUILD_PREFIX = ".build-"
PRIVATE = "private"
HISTORY = "history.duckdb"
"""A release's private history is ``<release>/private/history.duckdb`` (``pipeline.history``)."""
INCOMING_PREFIX = ".incoming-"


@dataclass(frozen=True)
class Layout:
    database: Path
    """The path analysts open: a link to the current release's database."""
    latest_report: Path
    releases: Path

    @classmethod
    def of(cls, settings: Settings) -> Layout:
        database = settings.paths.database
        return cls(
            database=database,
            latest_report=settings.paths.reports_dir / "latest",
            releases=database.parent / RELEASES,
        )

    @property
    def current(self) -> Path:
        return self.releases / CURRENT

    def new_build(self, run_id: str) -> Path:
        build = self.releases / f"{BUILD_PREFIX}{run_id}"
        build.mkdir(parents=True)
        return build

    def current_release(self) -> str | None:
        """The run id of the published release, or None before the first publication."""
        return os.readlink(self.current) if self.current.is_symlink() else None


def remove_leftovers(layout: Layout) -> list[str]:
    """Build folders and half-made links of runs that died; call only under the run lock."""
    if not layout.releases.is_dir():
        return []
    strays = [
        path
        for path in sorted(layout.releases.iterdir())
        if path.name.startswith((BUILD_PREFIX, INCOMING_PREFIX))
    ]
    strays += sorted(layout.database.parent.glob(f"{INCOMING_PREFIX}{layout.database.name}*"))
    reports = layout.latest_report.parent
    if reports.is_dir():
        # The link's own stand-ins, and what the report archive stages beside its folders.
        strays += [
            path
            for path in sorted(reports.iterdir())
            if path.name.startswith((INCOMING_PREFIX, ".retired-", ".index.html."))
        ]
    for path in strays:
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        else:
            path.unlink()
    return [path.name for path in strays]


def publish(layout: Layout, build: Path, run_id: str) -> Path:
    """Make ``build`` the current release; return the published report's index page."""
    release = layout.releases / run_id
    previous = layout.current_release()
    os.rename(build, release)
    _fsync_dir(layout.releases)
    _replace_link(layout.current, Path(run_id))
    current = layout.releases.resolve() / CURRENT
    _ensure_link(layout.database, current / layout.database.name)
    _ensure_link(layout.latest_report, current / "report")
    _remove_old_releases(layout, keep={run_id, previous})
    return layout.latest_report / "index.html"


def _replace_link(link: Path, target: Path) -> None:
    """Point ``link`` at ``target`` with one rename: readers see the old or the new target.

    Whatever is there is replaced: a link, a file, or a directory (a data folder copied
    without its links, or a report folder published before releases), moved aside first.
    """
    link.parent.mkdir(parents=True, exist_ok=True)
    incoming = link.with_name(f"{INCOMING_PREFIX}{link.name}-{os.getpid()}")
    incoming.unlink(missing_ok=True)
    os.symlink(target, incoming)
    try:
        if link.is_dir() and not link.is_symlink():
            retired = link.with_name(f"{INCOMING_PREFIX}{link.name}-retired")
            os.rename(link, retired)
            try:
                os.replace(incoming, link)
            except BaseException:
                os.rename(retired, link)
                raise
            shutil.rmtree(retired)
        else:
            os.replace(incoming, link)
    finally:
        incoming.unlink(missing_ok=True)
    _fsync_dir(link.parent)


def _ensure_link(link: Path, target: Path) -> None:
    """A fixed, relative link into ``current``, made once (so the data folder can move)."""
    link.parent.mkdir(parents=True, exist_ok=True)
    relative = Path(os.path.relpath(target, link.parent.resolve()))
    if not (link.is_symlink() and Path(os.readlink(link)) == relative):
        _replace_link(link, relative)


def _remove_old_releases(layout: Layout, keep: set[str | None]) -> None:
    """Keep the new release and the one before it, for a manual roll-back."""
    releases = [
        p
        for p in layout.releases.iterdir()
        if p.is_dir() and not p.is_symlink() and not p.name.startswith(".")
    ]
    for release in releases:
        if release.name not in keep:
            shutil.rmtree(release)


def _fsync_dir(directory: Path) -> None:
    """Make a rename durable, not only atomic: it survives a power cut as well as a kill."""
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
