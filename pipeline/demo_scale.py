"""The demo force at any size, streamed to the extract files a force's HR system writes.

``write_scaled_force`` writes the demo force (``pipeline.demo``) as CSV, then streams each
extract into the inbox ``scale`` times over, each copy of a person under a new identifier
(``WM100170`` → ``WM100170R1``, ``WM100170R2``, ...; the same copy gets the same suffix in
every extract, so a person's snapshots, movements and promotion stages still join up).
With ``months``, the staff snapshot becomes a monthly one: each month-end up to the demo's
latest snapshot is a copy of the latest annual snapshot on or before it, with its date
changed; a month before the first annual snapshot is a copy of that one with every date in
it moved back by the same number of days, so nobody joins after the snapshot that lists them.

Only the demo force's seed extracts (about 117,000 rows) are held in memory; the output is
written row by row, so a national history of 30 million rows takes no more memory than the
demo. Row counts: ``scale`` times (every seed row, with the snapshots counted ``months`` times
instead of 5 when monthly). Used by ``progression demo --scale`` and ``benchmarks/scale.py``.
"""

from __future__ import annotations

import csv
import io
import shutil
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path

from pipeline.config import load_settings
from pipeline.demo import write_demo_force
from pipeline.extracts import classify
from pipeline.schemas import EXTRACT_COLUMNS

SEED_FOLDER = "demo-seed"
"""Where the demo's own extracts are kept beside the scaled inbox (the copies' source)."""
DATE_FORMAT = "%d/%m/%Y"
"""The demo's CSV exports write dates as UK HR systems do."""


def replica_id(identifier: str, copy: int) -> str:
    """The identifier of a person's ``copy``-th replica (copy 0 is the person)."""
    return identifier if copy == 0 or not identifier else f"{identifier}R{copy}"


def month_ends(last: date, months: int) -> list[date]:
    """``months`` month-ends, oldest first, the last being the month-end of ``last``."""
    out, year, month = [], last.year, last.month
    for _ in range(months):
        following = date(year + month // 12, month % 12 + 1, 1)
        out.append(following - timedelta(days=1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return out[::-1]


class _Seed:
    """One seed extract: its header, rows, and which columns hold identifiers and dates."""

    def __init__(self, path: Path, kind: str, headers: dict[str, str]):
        self.path, self.kind = path, kind
        with path.open(encoding="utf-8", newline="") as handle:
            reader = csv.reader(handle)
            self.header = next(reader)
            self.rows = list(reader)
        position = {name: i for i, name in enumerate(self.header)}
        columns = EXTRACT_COLUMNS[kind]
        self.ids = [position[headers.get(c.name, c.name)] for c in columns if c.type == "id"]
        self.dates = [position[headers.get(c.name, c.name)] for c in columns if c.type == "date"]
        self.snapshot = position.get(headers.get("snapshot_date", "snapshot_date"))
        self.rendered: dict[int, str] = {}

    def snapshot_date(self) -> date:
        return datetime.strptime(self.rows[0][self.snapshot], DATE_FORMAT).date()


def _shifted(days: int) -> Callable[[str], str]:
    cache: dict[str, str] = {}

    def shift(text: str) -> str:
        if text not in cache:
            try:
                moved = datetime.strptime(text, DATE_FORMAT) - timedelta(days=days)
                cache[text] = moved.strftime(DATE_FORMAT)
            except ValueError:
                cache[text] = text
        return cache[text]

    return shift


MARK = "\x1e"
"""Stands after every identifier in a seed's rendered text, replaced by each copy's suffix."""
STAMP = "\x1f"
"""Stands for the snapshot date in a seed's rendered text."""


def _text(seed: _Seed, back: int) -> str:
    """The seed's rows as CSV text, each identifier followed by ``MARK``, the snapshot date
    (if any) as ``STAMP``, and every date moved back ``back`` days (cached per seed)."""
    if back in seed.rendered:
        return seed.rendered[back]
    shift = _shifted(back) if back > 0 else None
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for row in seed.rows:
        out = list(row)
        for i in seed.ids:
            out[i] = f"{out[i]}{MARK}" if out[i] else out[i]
        if shift is not None:
            for i in seed.dates:
                out[i] = shift(out[i])
        if seed.snapshot is not None:
            out[seed.snapshot] = STAMP
        writer.writerow(out)
    seed.rendered[back] = buffer.getvalue()
    return seed.rendered[back]


def _write(path: Path, seed: _Seed, scale: int, on: date | None = None) -> int:
    """The seed's rows ``scale`` times over, each copy under new identifiers; with ``on``,
    as a snapshot taken that day (dates moved back when ``on`` is before the seed's own
    date). Written aside and renamed into place, one copy in memory at a time. Returns the
    rows written."""
    own = seed.snapshot_date() if seed.snapshot is not None else None
    back = max((own - on).days, 0) if on is not None else 0
    stamp = (on or own).strftime(DATE_FORMAT) if own is not None else ""
    text = _text(seed, back).replace(STAMP, stamp)
    partial = path.with_name(f".partial-{path.name}")
    with partial.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\r\n").writerow(seed.header)
        for copy in range(scale):
            handle.write(text.replace(MARK, f"R{copy}" if copy else ""))
    partial.replace(path)
    return len(seed.rows) * scale


def _seeds(out_dir: Path, seed: int) -> tuple[Path, dict[str, list[_Seed]]]:
    config = write_demo_force(out_dir, seed=seed, fmt="csv")
    settings = load_settings(config)
    folder = out_dir / SEED_FOLDER
    shutil.rmtree(folder, ignore_errors=True)
    (out_dir / "inbox").rename(folder)
    (out_dir / "inbox").mkdir()
    seeds: dict[str, list[_Seed]] = {}
    for path in sorted(folder.glob("*.csv")):
        kind = classify(path, settings)
        headers = settings.extracts[kind].columns
        seeds.setdefault(kind, []).append(_Seed(path, kind, headers))
    return config, seeds


def write_scaled_force(
    out_dir: Path, scale: int, months: int | None = None, seed: int = 2026
) -> tuple[Path, int]:
    """Write a force ``scale`` times the demo's people into ``out_dir`` (its configuration,
    key, area lookup and inbox, as ``write_demo_force`` does), annual snapshots or
    ``months`` monthly ones. Returns the configuration's path and the rows written."""
    if scale < 1 or (months is not None and months < 1):
        raise ValueError("scale and months must be at least 1")
    out_dir = Path(out_dir)
    config, seeds = _seeds(out_dir, seed)
    inbox = out_dir / "inbox"
    written = 0
    for kind, files in seeds.items():
        if kind == "staff_snapshot" and months is not None:
            continue
        for item in files:
            written += _write(inbox / item.path.name, item, scale)
    if months is not None:
        snapshots = sorted(seeds["staff_snapshot"], key=_Seed.snapshot_date)
        for on in month_ends(snapshots[-1].snapshot_date(), months):
            written += write_snapshot(out_dir, scale, on, snapshots)
    return config, written


def write_snapshot(out_dir: Path, scale: int, on: date, snapshots=None) -> int:
    """One more staff snapshot dated ``on`` (a new night's file), copied from the latest
    seed snapshot on or before it; returns the rows written."""
    if snapshots is None:
        config = Path(out_dir) / "progression.toml"
        headers = load_settings(config).extracts["staff_snapshot"].columns
        folder = Path(out_dir) / SEED_FOLDER
        snapshots = sorted(
            (_Seed(p, "staff_snapshot", headers) for p in folder.glob("staff_snapshot*.csv")),
            key=_Seed.snapshot_date,
        )
    source = next((s for s in reversed(snapshots) if s.snapshot_date() <= on), snapshots[0])
    path = Path(out_dir) / "inbox" / f"staff_snapshot_{on.isoformat()}.csv"
    return _write(path, source, scale, on)
