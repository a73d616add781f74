"""CPU per random force of the property test, by stage, and what each force's report says.

    nice -n 19 .venv/bin/python benchmarks/property_force.py --seeds 0-29 [--keep DIR]
    .venv/bin/python benchmarks/property_force.py --compare DIR_A DIR_B

Builds the reports of the given seeds' random forces as a property-test worker does
(:func:`force_factory.check_forces`: one in-memory database for all of them, one BLAS and
one DuckDB thread, charts not drawn, no PDF) and prints each force's CPU seconds
(``time.process_time``) in total and in each stage: loading the database, the sections'
tables, the protection's search (``protect``) and the rest of ``protect_tables`` (the
in-memory audit), the workbook written, the audit reading the outputs back, and the rest of
the report. The first force also warms the imports; the mean is given with and without it.

With ``--keep DIR`` each force's outputs are kept in ``DIR/force-SEED`` and the protection's
decisions (the withheld and the known cells of the last ``protect`` call, by id) in
``DIR/force-SEED/protection.json``. ``--compare`` then checks that two such folders hold the
same decisions and outputs: every file byte for byte (the page's "report generated" time
aside), but the workbook cell by cell (values, sheet by sheet). It exits 1 naming the
first differences if any.

To compare two checkouts, run this file with ``PYTHONPATH`` set to each (the ``tests``
folder beside the imported ``pipeline`` is put on the path for the force factory).
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import pipeline

sys.path.insert(0, str(Path(pipeline.__file__).resolve().parents[1] / "tests"))

STAGES = {
    "database": ("force_factory", "ForceDatabases.load"),
    "sections": ("pipeline.report.build", "build_sections"),
    "protect_tables": ("pipeline.report.build", "protect_tables"),
    "protect": ("pipeline.report.build", "protect"),
    "write_workbook": ("pipeline.report.exports", "write_workbook"),
    "audit_report": ("pipeline.report.build", "audit.audit_report"),
    "read_outputs": ("pipeline.report.audit", "read_outputs"),
}
"""Stage name: (module, attribute path) of the function timed (patched in place)."""
GENERATED = re.compile(rb"report generated [^<]*? UTC")
"""The page's time of writing, the one difference between two builds of the same force."""
INSIDE = {"protect_tables": "protect", "audit_report": "read_outputs"}
"""A stage whose time includes another's: shown without it."""


def _seeds(text: str) -> list[int]:
    out = []
    for part in text.split(","):
        low, _, high = part.partition("-")
        out.extend(range(int(low), int(high or low) + 1))
    return out


def _instrument(spent: dict[str, float], decisions: list) -> None:
    import importlib

    for stage, (module_name, path) in STAGES.items():
        owner = importlib.import_module(module_name)
        *parents, name = path.split(".")
        for parent in parents:
            owner = getattr(owner, parent)
        original = getattr(owner, name)

        def timed(*args, __original=original, __stage=stage, **kwargs):
            start = time.process_time()
            try:
                result = __original(*args, **kwargs)
            finally:
                spent[__stage] += time.process_time() - start
            if __stage == "protect":
                decisions.append(result)
            return result

        setattr(owner, name, timed)


def run(seeds: list[int], keep: Path | None) -> None:
    from conftest import write_config
    from force_factory import MONITORING_CONFIG, ForceDatabases, random_force
    from threadpoolctl import threadpool_limits

    from pipeline.config import load_settings
    from pipeline.report import build, charts

    threadpool_limits(1)
    charts.render = lambda table, chart: "<svg></svg>"
    spent: dict[str, float] = defaultdict(float)
    decisions: list = []
    _instrument(spent, decisions)
    scratch = Path(tempfile.mkdtemp())
    settings = load_settings(write_config(scratch / "config", MONITORING_CONFIG))
    databases = ForceDatabases(settings)
    rows = []
    for seed in seeds:
        spent.clear()
        decisions.clear()
        out = (keep or scratch) / f"force-{seed}"
        start = time.process_time()
        raw = random_force(seed)
        con = databases.load(raw)
        try:
            build.build_report(con, settings, out, "20260401T0Z-x")
            failure = ""
        except Exception as exc:  # reported with its seed, as check_forces does
            failure = f"{type(exc).__name__}: {exc}"
        total = time.process_time() - start
        people = int(raw["staff_snapshot"]["staff_key"].nunique())
        row = {"seed": seed, "people": people, "total": total, **spent, "failure": failure}
        for outer, inner in INSIDE.items():
            row[outer] = row.get(outer, 0.0) - row.get(inner, 0.0)
        rows.append(row)
        if keep is not None and decisions:
            last = decisions[-1]
            (out / "protection.json").write_text(
                json.dumps(
                    {
                        "calls": len(decisions),
                        "withheld": sorted(k.id for k in last.withheld),
                        "known": sorted(k.id for k in last.known),
                    },
                    indent=0,
                )
            )
        elif keep is None:
            shutil.rmtree(out, ignore_errors=True)
        shown = " ".join(f"{s} {row.get(s, 0.0):.2f}" for s in STAGES)
        print(f"seed {seed:3d} ({people:3d} people): {total:.2f} s CPU; {shown} {failure}")
        sys.stdout.flush()
    databases.close()
    shutil.rmtree(scratch, ignore_errors=True)
    for label, chosen in (("all", rows), ("without the first", rows[1:])):
        if not chosen:
            continue
        mean = {s: sum(r.get(s, 0.0) for r in chosen) / len(chosen) for s in ("total", *STAGES)}
        shown = " ".join(f"{s} {mean[s]:.3f}" for s in STAGES)
        print(f"mean over {len(chosen)} forces ({label}): {mean['total']:.3f} s CPU; {shown}")


def _workbook_values(path: Path) -> dict[str, list[tuple]]:
    from openpyxl import load_workbook

    workbook = load_workbook(path, read_only=True)
    return {s.title: [tuple(r) for r in s.iter_rows(values_only=True)] for s in workbook}


def compare(a: Path, b: Path) -> int:
    differences = []
    names_a = sorted(p.relative_to(a) for p in a.rglob("*") if p.is_file())
    names_b = sorted(p.relative_to(b) for p in b.rglob("*") if p.is_file())
    if names_a != names_b:
        differences.append(f"files differ: {sorted(set(names_a) ^ set(names_b))[:10]}")
    for name in sorted(set(names_a) & set(names_b)):
        if name.suffix == ".xlsx":
            same = _workbook_values(a / name) == _workbook_values(b / name)
        else:
            same = GENERATED.sub(b"", (a / name).read_bytes()) == GENERATED.sub(
                b"", (b / name).read_bytes()
            )
        if not same:
            differences.append(str(name))
    print(f"{len(names_a)} files compared: {len(differences)} differ")
    for difference in differences[:20]:
        print("  differs:", difference)
    return 1 if differences else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", default="0-9", help="e.g. 0-29 or 1,5,7-9")
    parser.add_argument("--keep", type=Path, help="keep outputs and decisions here")
    parser.add_argument("--compare", nargs=2, type=Path, metavar=("DIR_A", "DIR_B"))
    args = parser.parse_args()
    if args.compare:
        return compare(*args.compare)
    run(_seeds(args.seeds), args.keep)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
