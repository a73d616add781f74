"""Copying a published report into a shared folder: one dated subfolder per report,
readable by owner and group only, never visible half-copied.

The files are copied into a hidden folder beside the dated ones
(``.progression-incoming-<run id>``) and renamed into place when complete; a same-day
folder is moved aside first and removed after. A copy killed half-way leaves only the
hidden folder, which the next delivery removes before copying again.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from pipeline.delivery import DeliveryError

STAGING_PREFIX = ".progression-incoming-"
RETIRED_PREFIX = ".progression-retired-"
DIRECTORY_MODE = 0o750
FILE_MODE = 0o640


def copy_file(source: str, destination: str) -> None:
    """One file's bytes, flushed to the share before the folder is renamed into place."""
    shutil.copyfile(source, destination)
    with open(destination, "rb+") as handle:
        os.fsync(handle.fileno())


def remove_leftovers(share: Path) -> list[str]:
    """What a killed copy left in ``share`` (only this module's hidden folders)."""
    found = sorted(
        path
        for path in share.iterdir()
        if path.name.startswith((STAGING_PREFIX, RETIRED_PREFIX)) and not path.is_symlink()
    )
    for path in found:
        shutil.rmtree(path)
    return [path.name for path in found]


def copy_report(report: Path, share: Path, folder_name: str, run_id: str) -> Path:
    """Copy every file of ``report`` to ``share/folder_name``; return that folder.

    Raises ``DeliveryError`` when the share is missing (an unmounted share is not created
    on the local disk) or a copy or rename fails.
    """
    if not share.is_dir():
        raise DeliveryError(
            f"The shared folder {share} does not exist or is not a folder (is the share mounted?)."
        )
    try:
        remove_leftovers(share)
        staged = share / f"{STAGING_PREFIX}{run_id}"
        staged.mkdir(mode=0o700)
        shutil.copytree(report, staged, copy_function=copy_file, dirs_exist_ok=True)
        _restrict(staged)
        target = share / folder_name
        if target.exists():
            retired = share / f"{RETIRED_PREFIX}{run_id}"
            os.rename(target, retired)
            os.rename(staged, target)
            shutil.rmtree(retired)
        else:
            os.rename(staged, target)
        _fsync_directory(share)
    except OSError as exc:
        raise DeliveryError(f"Copying the report to {share}: {exc}") from None
    return target


def _restrict(folder: Path) -> None:
    """Owner and group only, whatever the umask or the source's modes."""
    for directory, _, files in os.walk(folder):
        os.chmod(directory, DIRECTORY_MODE)
        for name in files:
            os.chmod(os.path.join(directory, name), FILE_MODE)


def _fsync_directory(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def file_count_and_size(report: Path) -> tuple[int, int]:
    files = [path for path in report.rglob("*") if path.is_file()]
    return len(files), sum(path.stat().st_size for path in files)
