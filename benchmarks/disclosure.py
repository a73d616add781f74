"""What disclosure control costs: protection and the audit, on the demo force and on random
forces with many small cells (not part of the test suite).

    .venv/bin/python benchmarks/disclosure.py [--demo DIR]

For each force: the report is built without its PDF and the build's own log line is
printed (tables, cells, counts withheld, seconds of protection, seconds of the audit of
every output). ``--demo`` reads an existing demo database (``make demo`` writes var/demo);
otherwise the demo force is skipped. Random forces come from tests/force_factory.py: people
in many departments and roles, so most cells are small.
"""

from __future__ import annotations

import argparse
import logging
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from conftest import write_config
from force_factory import build_database, random_force

from pipeline.config import ReportSettings, load_settings
from pipeline.report.build import build_report
from pipeline.warehouse import connect

FORCES = ((200, 10), (1000, 25), (3000, 60))
"""(people, departments): twice as many roles as departments."""


def _build(con, settings, out: Path, label: str) -> None:
    started = time.perf_counter()
    build_report(con, settings, out, "20260401T000000Z-bench")
    print(f"{label}: report without PDF {time.perf_counter() - started:.1f} s", flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--demo", type=Path, help="a demo folder made by 'make demo'")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING, format="  %(message)s")
    logging.getLogger("pipeline.report.build").setLevel(logging.INFO)
    with tempfile.TemporaryDirectory(prefix="disclosure-bench-") as temp:
        root = Path(temp)
        if args.demo:
            settings = load_settings(args.demo / "progression.toml")
            settings = settings.model_copy(update={"report": ReportSettings(pdf=False)})
            with connect(settings.paths.database, read_only=True) as con:
                _build(con, settings, root / "demo", "demo force")
        settings = load_settings(write_config(root / "random"))
        for people, units in FORCES:
            con = build_database(settings, random_force(7, size=people, units=units))
            _build(con, settings, root / f"r{people}", f"{people} people, {units} departments")
            con.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
