"""The nightly run at every size: wall and CPU time, each stage, and peak memory.

Run: make bench (all sizes but the national one), or
     .venv/bin/python benchmarks/scale.py [--sizes demo,10x,met,national] [--no-pdf]
                                          [--limit SECONDS] [--keep DIR]

For each size, the demo force scaled up in the product's own extract format
(``pipeline.demo_scale``: every person replicated under new identifiers, monthly snapshots
copied to new dates) is written to a scratch folder, then ``progression run`` is timed in a
child process three times: the full night (an empty database), a night with nothing new,
and an incremental night (one new monthly snapshot). Stage times are the run log's
``stage_seconds``; CPU time and peak RSS are the child's (``os.wait4``), Chromium's included.
A night over ``--limit`` seconds is stopped with SIGTERM (as a scheduler's timeout would)
and shown as stopped, in the stage it was in. The machine's load average is printed beside
every figure: the machine is shared, so figures from a loaded machine are noisy.
Not part of the test suite; figures are recorded in README.md and benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from pipeline.demo_scale import write_scaled_force, write_snapshot

SIZES = {
    # name: (people factor, monthly snapshots or None for the demo's 5 annual ones)
    "demo": (1, None),
    "10x": (10, None),
    "met": (5, 59),
    "national": (22, 119),
}
DEFAULT_SIZES = ("demo", "10x", "met")
STAGES = ("read_extracts", "validate", "load", "transform", "report", "publish")
PROGRESSION = str(Path(sys.executable).with_name("progression"))
"""The installed command, as a scheduler would run it."""
NEW_SNAPSHOT = date(2026, 4, 30)
"""The incremental night's new file: the month after the demo's latest snapshot."""


@dataclass
class Night:
    wall: float
    cpu: float
    peak_mb: float
    outcome: str
    stages: dict[str, float] = field(default_factory=dict)
    load: str = ""

    def wall_text(self) -> str:
        if self.outcome in ("success", "success_with_warnings", "unchanged"):
            return f"{self.wall:.1f} s"
        stage = next(reversed(self.stages), "start") if self.stages else "start"
        return f"stopped at {self.wall:.1f} s ({self.outcome}, in {stage})"


def load_average() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def night(config: Path, limit: float) -> Night:
    """One ``progression run`` in a child process: its wall and CPU time, peak RSS, and the
    run log's last line."""
    log = config.parent / "var" / "work" / "logs" / "runs.jsonl"
    before = log.stat().st_size if log.exists() else 0
    load = load_average()
    start = time.perf_counter()
    child = subprocess.Popen(
        [PROGRESSION, "run", "--config", str(config), "--quiet"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = start + limit
    while True:
        pid, _status, usage = os.wait4(child.pid, os.WNOHANG)
        if pid:
            break
        if time.perf_counter() > deadline:
            child.send_signal(signal.SIGTERM)
            deadline = float("inf")
        time.sleep(0.05)
    wall = time.perf_counter() - start
    child.returncode = 0  # reaped above
    last = {}
    if log.exists():
        with log.open(encoding="utf-8") as handle:
            handle.seek(before)
            lines = [json.loads(line) for line in handle if line.strip()]
        last = lines[-1] if lines else {}
    return Night(
        wall=wall,
        cpu=usage.ru_utime + usage.ru_stime,
        peak_mb=usage.ru_maxrss / 1024,
        outcome=last.get("outcome", "no log line"),
        stages=last.get("stage_seconds", {}),
        load=f"{load} → {load_average()}",
    )


def bench_size(name: str, folder: Path, limit: float, pdf: bool) -> dict:
    scale, months = SIZES[name]
    shutil.rmtree(folder, ignore_errors=True)
    start = time.perf_counter()
    config, rows = write_scaled_force(folder, scale, months)
    generated = time.perf_counter() - start
    if not pdf:
        with config.open("a", encoding="utf-8") as handle:
            handle.write("\n[report]\npdf = false\n")
    full = night(config, limit)
    print(f"  {name}: full night {full.wall_text()} ({full.outcome})", file=sys.stderr)
    result = {"size": name, "rows": rows, "generate_seconds": generated, "full": full}
    if full.outcome.startswith("success"):
        result["unchanged"] = night(config, limit)
        write_snapshot(folder, scale, NEW_SNAPSHOT)
        result["incremental"] = night(config, limit)
    return result


def table(results: list[dict]) -> str:
    head = ["input", "rows", "full night", "CPU", *STAGES, "peak RSS", "nothing new",
            "one new snapshot", "load (1/5/15 min)"]  # fmt: skip
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for result in results:
        full = result["full"]
        unchanged, incremental = result.get("unchanged"), result.get("incremental")
        cells = [
            result["size"],
            f"{result['rows']:,}",
            full.wall_text(),
            f"{full.cpu:.1f} s",
            *(f"{full.stages[s]:.1f} s" if s in full.stages else "" for s in STAGES),
            f"{full.peak_mb / 1024:.2f} GB",
            f"{unchanged.wall_text()} ({unchanged.cpu:.1f} s CPU)" if unchanged else "",
            f"{incremental.wall_text()} ({incremental.cpu:.1f} s CPU)" if incremental else "",
            full.load,
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default=",".join(DEFAULT_SIZES))
    parser.add_argument("--limit", type=float, default=1200.0, help="seconds before SIGTERM")
    parser.add_argument("--no-pdf", dest="pdf", action="store_false")
    parser.add_argument("--keep", type=Path, help="write the forces here and keep them")
    parser.add_argument("--json", type=Path, help="also write the figures as JSON")
    args = parser.parse_args()
    names = [n.strip() for n in args.sizes.split(",") if n.strip()]
    unknown = set(names) - set(SIZES)
    if unknown:
        parser.error(f"unknown size(s) {', '.join(sorted(unknown))}; known: {', '.join(SIZES)}")
    root = args.keep or Path(tempfile.mkdtemp(prefix="progression-bench-"))
    results = []
    try:
        for name in names:
            print(f"{name}: writing and running (load {load_average()})", file=sys.stderr)
            results.append(bench_size(name, root / name, args.limit, args.pdf))
    finally:
        if args.keep is None:
            shutil.rmtree(root, ignore_errors=True)
    print(f"`{' '.join(sys.argv)}` on {os.cpu_count()} cores, {date.today().isoformat()}")
    print(table(results))
    if args.json:
        args.json.write_text(
            json.dumps(results, default=lambda o: o.__dict__, indent=2), encoding="utf-8"
        )


if __name__ == "__main__":
    main()
