"""Time the data contracts on one night's extracts: file by file against one GX batch a kind.

    .venv/bin/python benchmarks/validate_night.py FORCE_DIR [--repeat N]

FORCE_DIR is a force written by ``progression demo --out DIR --no-run`` (its inbox is
read once, untimed). Prints wall and CPU seconds of ``validate_extract`` called for each
file and of ``validate_extracts`` on all of them, and checks that both give the same
verdicts. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import statistics
import time
from datetime import date
from pathlib import Path

from pipeline import contracts, reference
from pipeline.config import load_settings
from pipeline.extracts import read_extract
from pipeline.inputs import inbox_inputs
from pipeline.schemas import allowed_codes


def _verdicts(checked) -> list:
    return [
        (len(extract.quarantined), [(r.rule, r.success, r.unexpected_count) for r in found], b)
        for extract, found, b in checked
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("force", type=Path)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    settings = load_settings(args.force / "progression.toml")
    lpus = frozenset(reference.load_reference(settings)["area_lookup"]["lpu_code"])
    allowed = allowed_codes(settings, lpus)
    loaded = [read_extract(i.path, i.kind, settings, allowed) for i in inbox_inputs(settings)]
    parameters = contracts.contract_parameters(settings, lpus, date.today())
    start = time.process_time()
    runner = contracts.Contracts()
    print(f"GX import and context: {time.process_time() - start:.2f} s CPU")
    ways = {
        "file by file": lambda: [
            contracts.validate_extract(runner, e, parameters, settings) for e in loaded
        ],
        "one batch a kind": lambda: contracts.validate_extracts(
            runner, loaded, parameters, settings
        ),
    }
    ways["one batch a kind"]()  # warm-up: GX builds its metric classes on first use
    verdicts = {}
    rows = sum(e.rows_read for e in loaded)
    for name, way in ways.items():
        walls, cpus = [], []
        for _ in range(args.repeat):
            wall, cpu = time.perf_counter(), time.process_time()
            verdicts[name] = _verdicts(way())
            walls.append(time.perf_counter() - wall)
            cpus.append(time.process_time() - cpu)
        print(
            f"{name:>17}: {len(loaded)} files, {rows:,} rows: median "
            f"{statistics.median(walls):.2f} s wall, {statistics.median(cpus):.2f} s CPU"
        )
    assert verdicts["file by file"] == verdicts["one batch a kind"], "the verdicts differ"
    print("same verdicts both ways")


if __name__ == "__main__":
    main()
