"""Random small forces: every report passes the independent disclosure audit.

``PROGRESSION_PROPERTY_FORCES`` forces (40 by default, seeds 0-39) of 5 to 200 people each, with
random ranks, bands, LPUs, departments and roles, ethnicity codes with some not stated,
promotions, leavers, a promotion process and a recruitment campaign, are built in process
(raw tables straight into an in-memory database: no files, no contracts, no PDF) and their
reports written; the audit inside the build reads every output back and raises if a count
from 1 to the threshold is shown or a withheld cell can be worked out from everything
published. Two worker processes share the forces. ``make property`` runs a larger seeded
set (``PROGRESSION_PROPERTY_FORCES``, ``PROGRESSION_PROPERTY_SEED``; 2,000 from seed 1000).

Why 40 and not the 200 issue 9 asks of ``make test``: on the two-core machines this project
and its CI ran on in December 2026 (a bare Python loop of 10M additions took 1.39 s of CPU),
a force took 20 to 35 s of CPU (``benchmarks/property_force.py``, against about 10 s on the
machine of the timing below), and the rest of the suite 59 minutes on two pytest-xdist
workers; 200 forces would have added about 50 minutes (200 forces of 25 s over two cores)
and taken ``make test`` past CI's 90. Forty add about 10. Run
``PROGRESSION_PROPERTY_FORCES=200`` (or ``make property``) before changing the protection.

Time: each worker keeps one in-memory database for its forces
(:class:`force_factory.ForceDatabases`: the schemas, code and reference tables and views
made once, the raw rows and table models per force), and a force goes to whichever worker
is free. The whole test, at 200 forces, took 21.0 minutes of wall time on two idle cores
(2,361 s user + 80 s sys, about 12 s of CPU a force with the workers' start) in a fresh
clone at 7f51b31.
Per force, ``benchmarks/property_force.py`` gives about 10 s of CPU: 3.3 s the
protection's search (``protect``: integer programmes for the cheapest complements, null
spaces), 1.9 s the database and models, 1.6 s the sections' tables, 1.8 s the rest of the
protection and the in-memory audit, 0.8 s the workbook written and read back. An earlier
figure here, 4.9 s a force, was measured at 299dcf1 on a branch, before the 27 commits it
was merged with (the monitoring sections by group and their cells among them: 25 s a force
at fdec85f) and before the cheapest complement replaced the over-suppression (10.5 s at
b033bb2): seeds 1-5 each, ``force_factory.check_forces`` timed
with ``time.process_time`` at each commit. Issue 9 asks for a few minutes: still about
four times too slow.
"""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor

from force_factory import check_seed, start_worker

FORCES = int(os.environ.get("PROGRESSION_PROPERTY_FORCES", "40"))
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
