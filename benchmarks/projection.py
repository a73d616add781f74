"""How long the workforce projection takes for the demo force (target: under 2 seconds).

    .venv/bin/python benchmarks/projection.py [--out DIR] [--repeat N]

Writes the demo force into DIR (default: a temporary folder) and runs the nightly pipeline
once to build its database; then, on a copy of it, rebuilds the models behind the
projection N times in this process and prints the median and the fastest for each and for
all of them together: the flows SQL (int_workforce__flows, workforce_flows,
projection_rates), the
simulation (projections: [projections] simulations simulated futures with their recruits,
each future's long-run share solved, for every projected group, worker type and rank), the
outlook, and
the targets' progress and requirements (the "what it would take" solvers). A first,
untimed round warms imports and DuckDB's caches, as in a nightly run.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from pipeline import warehouse
from pipeline.config import load_settings
from pipeline.demo import write_demo_force
from pipeline.history import current_history
from pipeline.nightly import run_nightly

MODELS = (
    "int_workforce__flows",
    "workforce_flows",
    "projection_rates",
    "projections",
    "projection_outlook",
    "target_progress",
    "target_requirements",
)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, help="folder for the demo force (default: temp)")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    os.environ.pop("PROGRESSION_PSEUDONYM_KEY", None)  # the demo's own key file
    with tempfile.TemporaryDirectory(prefix="projection-bench-") as temp:
        out = args.out or Path(temp) / "demo"
        settings = load_settings(write_demo_force(out, seed=2026))
        if not settings.paths.database.exists():
            run_nightly(settings)
        copy = Path(temp) / "bench.duckdb"
        # the release's private history: the models' inputs (the analysts' file has marts only)
        shutil.copy2(current_history(settings), copy)
        models = {m.name: m for m in warehouse.discover_models()}
        timings: dict[str, list[float]] = {name: [] for name in (*MODELS, "all")}
        with warehouse.connect(copy) as con:
            for attempt in range(args.repeat + 1):
                total = 0.0
                for name in MODELS:
                    start = time.perf_counter()
                    warehouse.run_models(con, [models[name]])
                    elapsed = time.perf_counter() - start
                    total += elapsed
                    if attempt:
                        timings[name].append(elapsed)
                if attempt:
                    timings["all"].append(total)
            (people,) = con.execute(
                "select sum(headcount) from marts.projection_rates "
                "where group_code = (select min(group_code) from ref.projection_groups)"
            ).fetchall()[0]
            (groups,) = con.execute("select count(*) from ref.projection_groups").fetchall()[0]
    print(f"Demo force: {people:,.0f} people in post, {groups} projected group(s)")
    for name, seconds in timings.items():
        print(
            f"{name:<22} median {statistics.median(seconds):.3f} s, "
            f"fastest {min(seconds):.3f} s ({len(seconds)} runs)"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
