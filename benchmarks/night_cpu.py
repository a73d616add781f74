"""CPU seconds of one night, stage by stage, and the data contracts' share of it.

    .venv/bin/python benchmarks/night_cpu.py FORCE_DIR [--force] [--new-snapshot DATE]

Runs ``run_nightly`` once, in this process, on the force in FORCE_DIR, written by
``pipeline.demo_scale.write_scaled_force(DIR, 1)`` (the demo force as ``scale.py`` writes
it; ``progression demo --out DIR --no-run`` also works without ``--new-snapshot``). Run it
again on the same folder for a night with nothing new, with ``--force`` to rebuild with
nothing new, or with ``--new-snapshot 2026-04-30`` to add one monthly staff snapshot
first, as ``scale.py`` does. Prints the CPU seconds (``time.process_time``: every thread of
the process, plus the Chromium it starts) of the whole run and of each stage, and within
``validate`` those of importing Great Expectations and of the reference tables' contracts.
CPU rather than wall time because the machine is shared: one process, no benchmark beside
it. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import importlib.util
import resource
import sys
import time
from datetime import date
from pathlib import Path

from pipeline import contracts, runs
from pipeline.config import load_settings
from pipeline.demo_scale import write_snapshot
from pipeline.nightly import run_nightly

cpu: dict[str, float] = {}


def _timed(name: str, function):
    def timed(*args, **kwargs):
        start = time.process_time()
        try:
            return function(*args, **kwargs)
        finally:
            cpu[name] = cpu.get(name, 0.0) + time.process_time() - start

    return timed


def _importing_gx_first(function):
    """``function``, with Great Expectations imported (and timed) first if it is not yet."""

    def wrapped(*args, **kwargs):
        if "great_expectations" not in sys.modules:
            _timed("  GX import", importlib.import_module)("great_expectations")
        return function(*args, **kwargs)

    return wrapped


def _children() -> float:
    """CPU seconds of the child processes waited for (Chromium printing the PDF)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("force_dir", type=Path)
    parser.add_argument("--force", action="store_true", help="rebuild with nothing new")
    parser.add_argument("--new-snapshot", type=date.fromisoformat)
    args = parser.parse_args()
    if args.new_snapshot:
        write_snapshot(args.force_dir, 1, args.new_snapshot)
    settings = load_settings(args.force_dir / "progression.toml")

    stage = runs.RunLog.stage

    @contextlib.contextmanager
    def cpu_stage(self, name):
        start = time.process_time()
        with stage(self, name):
            yield
        cpu[f"stage {name}"] = time.process_time() - start

    runs.RunLog.stage = cpu_stage
    # Where GX is imported and the reference tables checked, before and after
    # pipeline.verdicts (the script also measures the code before it, for comparison).
    lazy = hasattr(contracts.Contracts, "_data_source")  # GX imported when a suite runs
    name = "_validate" if lazy else "__init__"
    setattr(contracts.Contracts, name, _importing_gx_first(getattr(contracts.Contracts, name)))
    reused = importlib.util.find_spec("pipeline.verdicts")
    owner = importlib.import_module("pipeline.verdicts") if reused else contracts
    owner.validate_reference = _timed("  reference tables", owner.validate_reference)
    start, children = time.process_time(), _children()
    result = run_nightly(settings, force=args.force)
    own, chromium = time.process_time() - start, _children() - children
    total = own + chromium
    print(f"outcome {result.outcome}; files loaded {len(result.files_loaded)}")
    print(f"{'whole run':<28}{total:8.2f} s CPU ({chromium:.2f} s of it in Chromium)")
    for name, seconds in cpu.items():
        print(f"{name:<28}{seconds:8.2f} s CPU")
    validate = cpu.get("stage validate", 0.0)
    print(f"{'contracts share':<28}{validate / total:8.1%}")
    imported = "great_expectations" in sys.modules
    print(f"great_expectations imported: {imported}")


if __name__ == "__main__":
    main()
