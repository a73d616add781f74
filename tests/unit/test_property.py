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
made once, the raw rows and table models per force). Measured on 2 cores shared with four
other jobs (load 6 to 7): ``/usr/bin/time .venv/bin/python -m pytest -q
tests/unit/test_property.py`` 948 s user + 22 s sys for the 200 forces (about 4.9 s of
CPU per force, workers' start included; 22 minutes wall at that load), against about
7.1 s per force before (seeds 0-29 at main 7b074ad, same load). Per force now: about
1.5 s the database (1.3 s the models, mostly the Python marts), 0.9 s the sections'
tables (half of it pandas ``to_dict``), 1.2 s the protection's search, 0.9 s the two
audits (integer programmes, reading the workbook back), 0.2 s writing the workbook. Still
well above the few minutes issue 9 asks for.
"""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor

from force_factory import check_seed, start_worker

FORCES = int(os.environ.get("PROGRESSION_PROPERTY_FORCES", "200"))
SEED = int(os.environ.get("PROGRESSION_PROPERTY_SEED", "0"))
WORKERS = int(os.environ.get("PROGRESSION_PROPERTY_WORKERS", "2"))
KNOWN_FAILURES: dict[int, str] = {}
"""Open defects, each failing until fixed (then this test fails until it is removed here).
(Seed 77, a force with no constable at its second snapshot, stopped the build until each
snapshot's posts became every post of the force: fixed under issue 9.)"""


def test_no_random_small_force_discloses_anything(tmp_path):
    seeds = list(range(SEED, SEED + FORCES))
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(
        WORKERS, mp_context=context, initializer=start_worker, initargs=(str(tmp_path),)
    ) as pool:  # a force at a time to whichever worker is free: neither waits for the other
        failures = [failure for failure in pool.map(check_seed, seeds) if failure is not None]
    known = [(seed, why) for seed, why in failures if KNOWN_FAILURES.get(seed, "\0") in why]
    unknown = [failure for failure in failures if failure not in known]
    assert unknown == [], f"{len(unknown)} of {FORCES} forces failed: {unknown[:5]}"
    # Strict: a known failure that stops failing must be taken off the list.
    assert {seed for seed, _ in known} == {s for s in KNOWN_FAILURES if s in seeds}
