"""Time the extract reader on a force's inbox: rows a CPU-second (target: 1,000,000).

    .venv/bin/python benchmarks/read_extracts.py FORCE_DIR
    .venv/bin/pyinstrument -r text benchmarks/read_extracts.py FORCE_DIR   # where it goes

FORCE_DIR is a force written by ``progression demo --out DIR --no-run`` (``--scale N`` for
a larger one). Reads every inbox file with ``extracts.read_extract`` (decoding, header
mapping, typing, normalisation, pseudonymisation, row problems), as a night does, in one
process (so an identifier hashed for one file is remembered for the next, as in a night),
and prints the figures for all files, for the CSV files and for the workbooks. ``--exact``
reads the CSV files the exact way (Python's csv module) instead of by the fast path
(Arrow), for comparison. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from pipeline import reference
from pipeline.config import load_settings
from pipeline.extracts import CSV_SUFFIXES, read_extract
from pipeline.inputs import inbox_inputs
from pipeline.schemas import allowed_codes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("force", type=Path)
    parser.add_argument("--exact", action="store_true", help="no fast CSV path")
    args = parser.parse_args()
    settings = load_settings(args.force / "progression.toml")
    lpus = frozenset(reference.load_reference(settings)["area_lookup"]["lpu_code"])
    allowed = allowed_codes(settings, lpus)
    inputs = inbox_inputs(settings)
    totals: dict[str, list[float]] = {}
    for item in inputs:
        wall, cpu = time.perf_counter(), time.process_time()
        rows = read_extract(item.path, item.kind, settings, allowed, fast=not args.exact).rows_read
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        kind = "CSV" if item.path.suffix.lower() in CSV_SUFFIXES else "workbooks"
        for group in ("all files", kind):
            total = totals.setdefault(group, [0, 0, 0.0, 0.0])
            total[0] += 1
            total[1] += rows
            total[2] += wall
            total[3] += cpu
    for group, (files, rows, wall, cpu) in totals.items():
        print(
            f"{group}: {files} files, {rows:,} rows: {wall:.2f} s wall, {cpu:.2f} s CPU, "
            f"{rows / cpu:,.0f} rows a CPU-second"
        )


if __name__ == "__main__":
    main()
