"""The report archive: every run's report kept under its run date, ``latest`` pointing at
the newest, and an index page listing them all.

Layout of ``reports_dir``::

    2026-04-01/          one folder per run date (a second run that day replaces the first)
    2026-04-02/
    latest -> ...        the current release's report (see pipeline/publish.py)
    index.html           the list of past reports, newest first

Each step is a rename on one file system, so a reader never sees half a report.

The archive is derived from the releases (``sync``), not written as a side effect of
publishing: every run, even one with nothing new to do, makes it agree with what is
published, so a run killed between publishing and archiving is repaired by the next.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
from pathlib import Path

from pipeline.config import TEMPLATES_DIR

_DATED = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def run_date(run_id: str) -> str:
    """'20260401T020000Z-ab12cd34' -> '2026-04-01'."""
    return f"{run_id[:4]}-{run_id[4:6]}-{run_id[6:8]}"


def keep(
    reports_dir: Path, report_dir: Path, run_id: str, marking: str, *, index: bool = True
) -> Path:
    """Copy a published report into the archive under its run date and rewrite the index.

    ``latest`` is the release link (pipeline/publish.py); the archive only keeps copies, so
    a later run that day replaces that day's folder, by rename, never half-written.
    """
    reports_dir.mkdir(parents=True, exist_ok=True)
    dated = reports_dir / run_date(run_id)
    staged = reports_dir / f".incoming-{run_id}"
    retired = reports_dir / f".retired-{run_id}"
    shutil.copytree(report_dir, staged)
    if dated.exists():
        os.replace(dated, retired)
    os.replace(staged, dated)
    if index:
        write_index(reports_dir, marking)
    shutil.rmtree(retired, ignore_errors=True)
    return dated


def archived_run_id(folder: Path) -> str:
    """The run that wrote an archived report (from its summary.json), or ''."""
    try:
        summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return ""
    return str(summary.get("run_id", ""))


def sync(reports_dir: Path, releases: Path, marking: str) -> list[str]:
    """Make the archive agree with the releases kept beside the database: each release's
    report is kept under its run date (the latest run of a day wins; a day archived from a
    newer run than any release, as after a roll-back, is left alone) and the index is
    rewritten whenever it differs from the folders, under ``marking`` ([report] marking, as
    every report page). Returns the dates (re)archived."""
    newest: dict[str, str] = {}
    if releases.is_dir():
        for release in sorted(releases.iterdir()):
            published = release.is_dir() and not release.is_symlink()
            if published and not release.name.startswith(".") and (release / "report").is_dir():
                newest[run_date(release.name)] = release.name
    archived = []
    for day, run_id in sorted(newest.items()):
        if archived_run_id(reports_dir / day) < run_id:
            keep(reports_dir, releases / run_id / "report", run_id, marking, index=False)
            archived.append(day)
    if newest:
        write_index(reports_dir, marking)
    return archived


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


_STAMP = "<!-- archive index: {source} {body} -->\n"
"""The last line of ``index.html``: digests of what it was rendered from (the listing, the
marking, the template, the style sheet, this module) and of the rest of the file, so that a
night with nothing new confirms the index without rendering it (or importing jinja2); a
changed listing, marking, template or file renders it again."""


def write_index(reports_dir: Path, marking: str) -> Path:
    """Render the archive's ``index.html`` unless it is known to be in line already, with
    the protective marking at its top and bottom as every report page has."""
    index = reports_dir / "index.html"
    reports = past_reports(reports_dir)
    template = TEMPLATES_DIR / "templates" / "archive.html.j2"
    css_path = TEMPLATES_DIR / "static" / "report.css"
    source = hashlib.sha256(json.dumps([marking, reports], sort_keys=True).encode())
    for path in (template, css_path, Path(__file__)):
        source.update(path.read_bytes())
    try:
        body, _, stamp = index.read_text(encoding="utf-8").rstrip("\n").rpartition("\n")
    except (OSError, ValueError):
        body = stamp = ""
    if f"{stamp}\n" == _stamp(source.hexdigest(), f"{body}\n"):
        return index
    import jinja2  # here, not above: a night with nothing new needs no rendering

    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(template.parent),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        undefined=jinja2.StrictUndefined,
    )
    html = environment.get_template(template.name).render(
        reports=reports, marking=marking, css=css_path.read_text(encoding="utf-8")
    )
    html = html.rstrip("\n") + "\n"
    staged = reports_dir / ".index.html.incoming"
    staged.write_text(html + _stamp(source.hexdigest(), html), encoding="utf-8")
    os.replace(staged, index)
    return index


def _stamp(source: str, body: str) -> str:
    return _STAMP.format(source=source, body=hashlib.sha256(body.encode("utf-8")).hexdigest())
