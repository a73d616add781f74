"""Time delivery on the demo force: the shared-folder copy and the e-mail with the PDF
attached (to a local SMTP server over STARTTLS), and what delivery adds to a no-change rerun.

Run: .venv/bin/python benchmarks/delivery.py [--repeat N]
Not part of the test suite (it uses the tests' SMTP server, a dev dependency); figures are
recorded in benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from smtp_server import PASSWORD, USERNAME, SmtpServer

from pipeline.config import load_settings
from pipeline.demo import write_demo_force
from pipeline.nightly import log_path, run_nightly


def _timed(action) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    os.environ["PROGRESSION_SMTP_USERNAME"] = USERNAME
    os.environ["PROGRESSION_SMTP_PASSWORD"] = PASSWORD
    timings: dict[str, list[float]] = {
        "deliver stage (folder + e-mail)": [],
        "no-change rerun, no delivery": [],
        "no-change rerun, delivery set": [],
    }
    for _ in range(args.repeat):
        with tempfile.TemporaryDirectory() as folder:
            root = Path(folder)
            config = write_demo_force(root)
            settings = load_settings(config)
            run_nightly(settings)
            timings["no-change rerun, no delivery"].append(
                _timed(lambda s=settings: run_nightly(s))
            )
            (root / "share").mkdir()
            with SmtpServer(root, "starttls") as server:
                config.write_text(
                    config.read_text()
                    + "\n"
                    + server.config()
                    + '[delivery.email]\nrecipients = ["group@force.example"]\n'
                    + f'[delivery.folder]\npath = "{root / "share"}"\n'
                )
                settings = load_settings(config)
                run_nightly(settings, force=True)
                assert len(server.received) == 1
                last = json.loads(log_path(settings).read_text().splitlines()[-1])
                timings["deliver stage (folder + e-mail)"].append(last["stage_seconds"]["deliver"])
                timings["no-change rerun, delivery set"].append(
                    _timed(lambda s=settings: run_nightly(s))
                )
    for name, values in timings.items():
        print(f"{name:>32}: median {statistics.median(values):.2f} s (n={len(values)})")


if __name__ == "__main__":
    main()
