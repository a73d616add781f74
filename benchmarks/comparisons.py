"""How long the comparison statistics take for a large force's views.

Generates ``--rows`` comparisons with counts like a large force's (bases from 0 to 20,000,
rates from 0 to 1, many repeated tables as in real views), then times
``pipeline.rates.add_rate_comparison`` (score interval and test, Benjamini-Hochberg within
families, verdicts and notes) and, for scale, scipy's row-by-row Fisher exact test on the
same rows, which the views used before (``--fisher-rows`` of them, extrapolated).

    .venv/bin/python benchmarks/comparisons.py [--rows 200000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
import pandas as pd
from scipy.stats import fisher_exact

from pipeline.rates import SELECTION, add_rate_comparison


def _frame(rows: int, seed: int = 13) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    base = rng.integers(0, 20_000, rows) // rng.integers(1, 200, rows)
    ref_base = rng.integers(0, 20_000, rows) // rng.integers(1, 20, rows)
    rate, ref_rate = rng.uniform(size=rows), rng.uniform(size=rows)
    return pd.DataFrame(
        {
            "family": rng.integers(0, rows // 40 + 1, rows),
            "k": rng.binomial(base, rate),
            "n": base,
            "ref_k": rng.binomial(ref_base, ref_rate),
            "ref_n": ref_base,
        }
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--fisher-rows", type=int, default=2_000)
    args = parser.parse_args()
    frame = _frame(args.rows)
    distinct = len(frame[["k", "n", "ref_k", "ref_n"]].drop_duplicates())
    times = []
    for _ in range(args.repeat):
        start = time.perf_counter()
        add_rate_comparison(frame, "k", "n", "ref_k", "ref_n", measure=SELECTION, family=["family"])
        times.append(time.perf_counter() - start)
    print(f"{args.rows:,} comparisons ({distinct:,} distinct tables)")
    print(f"add_rate_comparison: median {statistics.median(times):.2f} s, "
          f"fastest {min(times):.2f} s")  # fmt: skip
    sample = frame.head(args.fisher_rows)
    start = time.perf_counter()
    for k, n, ref_k, ref_n in sample[["k", "n", "ref_k", "ref_n"]].itertuples(index=False):
        fisher_exact([[k, n - k], [ref_k, ref_n - ref_k]])
    per_row = (time.perf_counter() - start) / len(sample)
    print(f"row-by-row fisher_exact (before): {per_row * 1e3:.2f} ms a row, "
          f"about {per_row * args.rows:.0f} s for all rows")  # fmt: skip


if __name__ == "__main__":
    main()
