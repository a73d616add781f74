"""Time the readers and the data contracts on demo-sized extracts (not part of the tests).

    .venv/bin/python benchmarks/contracts_bench.py [staff rows]

Writes a synthetic staff snapshot and promotion file into a temporary folder, then reports
the seconds to read each and to run its GX suite (GX's import is timed separately).
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from conftest import STAFF_HEADER, write_config

from pipeline.config import load_settings
from pipeline.extracts import read_extract
from pipeline.schemas import allowed_codes

LPUS = frozenset({"BHM", "SOL"})


def _staff(rows: int, rng: np.random.Generator) -> pd.DataFrame:
    codes = ["W1", "W2", "W9", "A1", "A2", "A3", "B1", "B2", "M1", "O9", "NS"]
    return pd.DataFrame(
        {
            "staff_id": [f"WM{i:07d}" for i in range(rows)],
            "snapshot_date": "31/03/2026",
            "worker_type": "police_officer",
            "rank_or_band": rng.choice(["PC", "Sgt", "Insp", "Constable", "T/Insp"], rows),
            "department": rng.choice(["Local Policing", "Firearms Operations"], rows),
            "lpu_code": rng.choice(sorted(LPUS), rows),
            "role": "Response",
            "sex": rng.choice(["F", "M"], rows),
            "ethnicity_code": rng.choice(codes, rows),
            "date_of_birth": "1985-06-01",
            "service_start_date": "2010-01-01",
            "rank_start_date": "2015-01-01",
            "fte": rng.choice(["1", "0.6", "0.8"], rows),
            "is_temporary_rank": "N",
        }
    )[STAFF_HEADER.split(",")]


def _promotion(candidates: int, rng: np.random.Generator) -> pd.DataFrame:
    stages = ["Eligibility", "Legal exam", "Assessment centre", "Interview"]
    rows = []
    for person in range(candidates):
        for order, stage in enumerate(stages, start=1):
            last = order == len(stages) or rng.random() < 0.3
            outcome = rng.choice(["passed", "failed"]) if last else "passed"
            rows.append(("SGT-2025", "Sergeant 2025", "Sergeant", f"WM{person:07d}", order,
                         stage, outcome, "2025-06-01"))  # fmt: skip
            if last:
                break
    columns = ["process_id", "process_name", "target_rank", "staff_id", "stage_order",
               "stage_name", "outcome", "outcome_date"]  # fmt: skip
    return pd.DataFrame(rows, columns=columns)


def main(staff_rows: int = 60_000) -> None:
    from pipeline import contracts

    rng = np.random.default_rng(1)
    root = Path(tempfile.mkdtemp(prefix="contracts-bench-"))
    settings = load_settings(write_config(root))
    allowed = allowed_codes(settings, LPUS)
    files = {
        "staff_snapshot": _staff(staff_rows, rng),
        "promotion_candidates": _promotion(staff_rows // 8, rng),
    }
    start = time.perf_counter()
    runner = contracts.Contracts()
    print(f"GX import and context: {time.perf_counter() - start:.2f} s")
    parameters = contracts.contract_parameters(settings, LPUS, date(2026, 4, 1))
    try:
        _time(runner, settings, allowed, parameters, files)
    finally:
        shutil.rmtree(root)


def _time(runner, settings, allowed, parameters, files) -> None:
    from pipeline import contracts

    for kind, frame in files.items():
        path = settings.paths.inbox / f"{kind}.csv"
        frame.to_csv(path, index=False)
        start = time.perf_counter()
        extract = read_extract(path, kind, settings, allowed)
        read_seconds = time.perf_counter() - start
        timings = []
        for _ in range(3):
            start = time.perf_counter()
            checked, results, blocking = contracts.validate_extract(
                runner, extract, parameters, settings
            )
            timings.append(time.perf_counter() - start)
        print(
            f"{kind}: {len(frame):,} rows; read {read_seconds:.2f} s; contracts "
            f"{min(timings):.2f}-{max(timings):.2f} s over 3 runs ({len(results)} rules, "
            f"{len(checked.quarantined)} rows quarantined, {len(blocking)} blocking)"
        )


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:]))
