"""Random small forces: every report passes the independent disclosure audit.

``PROGRESSION_PROPERTY_FORCES`` forces (200 by default) of 5 to 200 people each, with
random ranks, bands, LPUs, departments and roles, ethnicity codes with some not stated,
promotions, leavers, a promotion process and a recruitment campaign, are built in process
(raw tables straight into an in-memory database: no files, no contracts, no PDF) and their
reports written; the audit inside the build reads every output back and raises if a count
from 1 to the threshold is shown or a withheld cell can be worked out from everything
published. Two worker processes share the forces. ``make property`` runs a larger seeded
set (``PROGRESSION_PROPERTY_FORCES``, ``PROGRESSION_PROPERTY_SEED``).

Time: each worker keeps one in-memory database for its forces
(:class:`force_factory.ForceDatabases`: the schemas, code and reference tables and views
made once, the raw rows and table models per force). CPU per force, measured on 2 cores
shared with four other jobs (load 6 to 7), seeds 0-5: about 7.5 s before this (1.7 s
database, 4.8 s report, of which 1.7 s protection and 1.4 s the audit's integer
programmes), about 5 s after (1.5 s database, 1.2 s protection, 0.5 s audit); see the
commit messages for what changed. Still above the few minutes issue 9 asks for: what is
left is the models (about 1.3 s, mostly the Python marts), the sections' tables (about
0.9 s, half of it pandas ``to_dict``) and the protection's search (about 1.2 s).
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from force_factory import check_forces

FORCES = int(os.environ.get("PROGRESSION_PROPERTY_FORCES", "200"))
SEED = int(os.environ.get("PROGRESSION_PROPERTY_SEED", "0"))
WORKERS = int(os.environ.get("PROGRESSION_PROPERTY_WORKERS", "2"))
TESTS = str(Path(__file__).resolve().parents[1])
KNOWN_FAILURES: dict[int, str] = {}
"""Open defects, each failing until fixed (then this test fails until it is removed here).
(Seed 77, a force with no constable at its second snapshot, stopped the build until each
snapshot's posts became every post of the force: fixed under issue 9.)"""


def _initialise() -> None:
    sys.path.insert(0, TESTS)


def test_no_random_small_force_discloses_anything(tmp_path):
    seeds = list(range(SEED, SEED + FORCES))
    chunks = [seeds[i::WORKERS] for i in range(WORKERS)]
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(WORKERS, mp_context=context, initializer=_initialise) as pool:
        results = pool.map(check_forces, chunks, [str(tmp_path)] * WORKERS)
    failures = [failure for chunk in results for failure in chunk]
    known = [(seed, why) for seed, why in failures if KNOWN_FAILURES.get(seed, "\0") in why]
    unknown = [failure for failure in failures if failure not in known]
    assert unknown == [], f"{len(unknown)} of {FORCES} forces failed: {unknown[:5]}"
    # Strict: a known failure that stops failing must be taken off the list.
    assert {seed for seed, _ in known} == {s for s in KNOWN_FAILURES if s in seeds}
