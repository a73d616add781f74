"""The report archive: every run's report kept under its run date, ``latest`` pointing at
the newest, and an index page listing them all.

Layout of ``reports_dir``::

    2026-04-01/          one folder per run date (a second run that day replaces the first)
    2026-04-02/
    latest -> 2026-04-02 a relative symbolic link, swapped atomically
    index.html           the list of past reports, newest first

Each step is a rename on one file system, so a reader never sees half a report.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import jinja2

from pipeline.config import TEMPLATES_DIR

LATEST = "latest"
_DATED = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def run_date(run_id: str) -> str:
    """'20260401T020000Z-ab12cd34' -> '2026-04-01'."""
    return f"{run_id[:4]}-{run_id[4:6]}-{run_id[6:8]}"


def publish(reports_dir: Path, report_dir: Path, run_id: str) -> Path:
    """Copy a built report into the archive, point ``latest`` at it, rewrite the index.
    Returns the path of the published ``index.html`` through ``latest``."""
    reports_dir.mkdir(parents=True, exist_ok=True)
    dated = reports_dir / run_date(run_id)
    staged = reports_dir / f".incoming-{run_id}"
    retired = reports_dir / f".retired-{run_id}"
    shutil.copytree(report_dir, staged)
    if dated.exists():
        os.replace(dated, retired)
    os.replace(staged, dated)
    _point_latest(reports_dir, dated.name, run_id)
    write_index(reports_dir)
    shutil.rmtree(retired, ignore_errors=True)
    return reports_dir / LATEST / "index.html"


def _point_latest(reports_dir: Path, target: str, run_id: str) -> None:
    latest = reports_dir / LATEST
    if latest.is_dir() and not latest.is_symlink():  # a folder from before the archive
        os.replace(latest, reports_dir / f".retired-latest-{run_id}")
        shutil.rmtree(reports_dir / f".retired-latest-{run_id}", ignore_errors=True)
    link = reports_dir / f".latest-{run_id}"
    link.symlink_to(target, target_is_directory=True)
    os.replace(link, latest)


def past_reports(reports_dir: Path) -> list[dict]:
    """Every archived report, newest first, described from its own summary.json."""
    found = []
    for folder in sorted(reports_dir.iterdir(), reverse=True):
        if not (_DATED.match(folder.name) and folder.is_dir() and not folder.is_symlink()):
            continue
        try:
            summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            summary = {}
        outputs = summary.get("outputs", {})
        found.append(
            {
                "folder": folder.name,
                "snapshot_date": summary.get("snapshot_date", "unknown"),
                "run_id": summary.get("run_id", ""),
                "pdf": outputs.get("pdf"),
                "workbook": outputs.get("workbook"),
            }
        )
    return found


def write_index(reports_dir: Path) -> Path:
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR / "templates"),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        undefined=jinja2.StrictUndefined,
    )
    html = environment.get_template("archive.html.j2").render(
        reports=past_reports(reports_dir),
        css=(TEMPLATES_DIR / "static" / "report.css").read_text(encoding="utf-8"),
    )
    index = reports_dir / "index.html"
    staged = reports_dir / ".index.html.incoming"
    staged.write_text(html, encoding="utf-8")
    os.replace(staged, index)
    return index
