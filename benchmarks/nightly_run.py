"""Time the nightly pipeline on the demo force: generation, a full run, and a no-change rerun
(in this process, and as the ``progression run`` command a scheduler starts: a new process,
its imports included).

Run: .venv/bin/python benchmarks/nightly_run.py [--repeat N]
Not part of the test suite; figures are recorded in benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from pipeline.config import load_settings
from pipeline.demo import write_demo_force
from pipeline.nightly import run_nightly


def _timed(action) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    timings: dict[str, list[float]] = {
        "generate": [],
        "full run": [],
        "no-change rerun": [],
        "no-change command": [],
    }
    command = [str(Path(sys.executable).with_name("progression")), "run", "--quiet", "--config"]
    for _ in range(args.repeat):
        with tempfile.TemporaryDirectory() as folder:
            start = time.perf_counter()
            config = write_demo_force(Path(folder))
            timings["generate"].append(time.perf_counter() - start)
            settings = load_settings(config)
            timings["full run"].append(_timed(lambda s=settings: run_nightly(s)))
            timings["no-change rerun"].append(_timed(lambda s=settings: run_nightly(s)))
            timings["no-change command"].append(
                _timed(lambda c=config: subprocess.run([*command, str(c)], check=True))
            )
    for name, values in timings.items():
        print(f"{name:>17}: median {statistics.median(values):.2f} s (n={len(values)})")


if __name__ == "__main__":
    main()
