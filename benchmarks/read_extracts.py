"""Time the extract reader on a force's inbox: rows a CPU-second (target: 1,000,000).

    .venv/bin/python benchmarks/read_extracts.py FORCE_DIR
    .venv/bin/pyinstrument -r text benchmarks/read_extracts.py FORCE_DIR   # where it goes

FORCE_DIR is a force written by ``progression demo --out DIR --no-run`` (``--scale N`` for
a larger one). Reads every inbox file with ``extracts.read_extract`` (decoding, header
mapping, typing, normalisation, pseudonymisation, row problems), as a night does. Not
part of the test suite.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from pipeline import reference
from pipeline.config import load_settings
from pipeline.extracts import read_extract
from pipeline.inputs import inbox_inputs
from pipeline.schemas import allowed_codes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("force", type=Path)
    args = parser.parse_args()
    settings = load_settings(args.force / "progression.toml")
    lpus = frozenset(reference.load_reference(settings)["area_lookup"]["lpu_code"])
    allowed = allowed_codes(settings, lpus)
    inputs = inbox_inputs(settings)
    wall, cpu = time.perf_counter(), time.process_time()
    rows = sum(read_extract(i.path, i.kind, settings, allowed).rows_read for i in inputs)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    print(
        f"{len(inputs)} files, {rows:,} rows: {wall:.2f} s wall, {cpu:.2f} s CPU, "
        f"{rows / cpu:,.0f} rows a CPU-second"
    )


if __name__ == "__main__":
    main()
