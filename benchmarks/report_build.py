"""How long the report takes to build for the demo force (target: under 5 seconds).

    .venv/bin/python benchmarks/report_build.py [--out DIR] [--repeat N]

Writes the demo force into DIR (default: a temporary folder) and runs the nightly pipeline
once to build its database; then times ``build_report`` (every output: HTML, PDF, workbook,
CSVs, JSON) N times in this process, and again without the PDF, and prints the median and
the fastest. Imports are warmed by a first, untimed build, as they are in a nightly run
(the CLI imports the report modules once per run either way).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from pipeline.config import ReportSettings, load_settings
from pipeline.demo import write_demo_force
from pipeline.history import current_history
from pipeline.nightly import run_nightly
from pipeline.report.browser import find_chromium
from pipeline.report.build import build_report
from pipeline.warehouse import connect


def _time_builds(settings, repeat: int, scratch: Path) -> list[float]:
    seconds = []
    with connect(current_history(settings), read_only=True) as con:  # as the run builds it
        for attempt in range(repeat + 1):
            out = scratch / f"report-{attempt}"
            start = time.perf_counter()
            build_report(con, settings, out, f"20260401T020000Z-bench{attempt:03d}")
            elapsed = time.perf_counter() - start
            shutil.rmtree(out)
            if attempt:  # the first build warms imports and caches
                seconds.append(elapsed)
    return seconds


def _line(label: str, seconds: list[float]) -> str:
    return (
        f"{label:<24} median {statistics.median(seconds):.2f} s, fastest {min(seconds):.2f} s "
        f"({len(seconds)} builds)"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, help="folder for the demo force (default: temp)")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    os.environ.pop("PROGRESSION_PSEUDONYM_KEY", None)  # the demo's own key file
    with tempfile.TemporaryDirectory(prefix="report-bench-") as temp:
        out = args.out or Path(temp) / "demo"
        settings = load_settings(write_demo_force(out, seed=2026))
        if not settings.paths.database.exists():
            run_nightly(settings, force=True)
        scratch = Path(temp) / "builds"
        scratch.mkdir()
        with_pdf = _time_builds(settings, args.repeat, scratch)
        without_pdf = _time_builds(
            settings.model_copy(update={"report": ReportSettings(pdf=False)}), args.repeat, scratch
        )
    print(f"Demo force report build on {os.cpu_count()} cores; Chromium: {find_chromium()}")
    print(_line("every output, with PDF", with_pdf))
    print(_line("every output but PDF", without_pdf))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
