"""How much of the machine a run uses: BLAS threads (DuckDB's memory limit is set where the
connection is made, ``warehouse.connect``)."""

from __future__ import annotations

from contextlib import AbstractContextManager


def blas_threads(threads: int) -> AbstractContextManager:
    """Limit numpy's and scipy's OpenBLAS to ``threads`` while inside.

    The report's disclosure control solves thousands of small matrices: with OpenBLAS's
    default of a thread per core, its threads spin against DuckDB and each other on a busy
    machine (measured: the demo's report stage 23 s with two threads, 7 s with one, see
    benchmarks/README.md). Both libraries are loaded first (scipy ships its own OpenBLAS),
    so the limit reaches every BLAS the run will call."""
    import numpy  # noqa: F401
    import scipy.linalg  # noqa: F401
    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=threads, user_api="blas")
