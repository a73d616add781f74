"""What secondary suppression withholds on the demo force, and what it costs (not part of
the test suite).

    .venv/bin/python benchmarks/suppression.py [--demo var/demo]

Declares and protects every table of the demo report (:func:`pipeline.report.build.prepare`,
no file written) from the history database ``make demo`` built, and prints: the CPU seconds
of the preparation, the published counts withheld, those of 100 people or more, the people
in withheld counts (each count once), the largest counts withheld, the 2026 rows of the
trend-by-rank table for the middle ranks, and each table's withheld share.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

from threadpoolctl import threadpool_limits

from pipeline.config import ReportSettings, load_settings
from pipeline.history import current_history
from pipeline.report.build import prepare
from pipeline.warehouse import connect

RANKS = ("Sergeant", "Inspector", "Chief Inspector")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--demo", type=Path, default=Path("var/demo"))
    parser.add_argument("--largest", type=int, default=15)
    args = parser.parse_args()
    os.environ.pop("PROGRESSION_PSEUDONYM_KEY", None)
    settings = load_settings(args.demo / "progression.toml")
    settings = settings.model_copy(update={"report": ReportSettings(pdf=False)})
    with connect(current_history(settings), read_only=True) as con, threadpool_limits(1):
        started = time.process_time()
        prepared = prepare(con, settings)
        cpu = time.process_time() - started
    tables, protected = prepared.tables, prepared.protected
    truth, withheld = protected.truth, protected.protection.withheld
    published = set().union(*(t.published_keys() for t in tables))
    hidden = sorted(published & withheld, key=lambda k: -(truth.get(k) or 0))
    print(f"prepare CPU {cpu:.1f} s (protection {protected.seconds:.1f} s wall)")
    print(f"published counts {len(published)}, withheld {len(hidden)}")
    print(f"withheld counts of 100 or more: {sum((truth.get(k) or 0) >= 100 for k in hidden)}")
    print(f"people in withheld counts: {sum(truth.get(k) or 0 for k in hidden):,}")
    for key in hidden[: args.largest]:
        reason = protected.protection.reasons.get(key, "")
        print(f"  {truth.get(key):>6}  {reason:<12} {key.id}")
    by_id = {t.id: t for t in tables}
    trend = by_id.get("trend-by-rank-over-time")
    if trend is not None:
        for row in trend.html_rows():
            if any(row[0] == f"{rank}, 31 March 2026" for rank in RANKS):
                print("  " + " | ".join(row))
    for table in tables:
        keys = table.published_keys()
        shown = sum(k not in withheld for k in keys)
        print(f"  table {table.id}: {shown} of {len(keys)} counts shown")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
