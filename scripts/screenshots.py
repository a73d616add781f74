"""Pictures of a built report that anyone can look at without a browser.

    .venv/bin/python scripts/screenshots.py [REPORT_DIR] [--out FOLDER]

REPORT_DIR defaults to the demo's latest report (``make demo`` builds it); FOLDER defaults
to ``var/screenshots``. Writes, with headless Chromium and poppler's pdftoppm:

- ``summary-1280x800.png``: the top of the report as a laptop shows it;
- ``summary-section.png``: the whole summary (findings, changes, caveats);
- ``chart-<section id>.png``: one chart section with its table;
- ``archive-index.png``: the list of past reports;
- ``pdf-page-<n>.png``: the PDF's pages, rendered at 80 dpi.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from pathlib import Path

from pipeline.report.browser import chromium, find_chromium

REPO = Path(__file__).resolve().parents[1]
DEFAULT_REPORT = REPO / "var" / "demo" / "var" / "reports" / "latest"
CHART_SECTION = "representation-by-rank"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("report", nargs="?", type=Path, default=DEFAULT_REPORT)
    parser.add_argument("--out", type=Path, default=REPO / "var" / "screenshots")
    parser.add_argument("--section", default=CHART_SECTION, help="id of the chart section")
    args = parser.parse_args()
    page_file = args.report / "index.html"
    if not page_file.exists():
        print(f"No report at {page_file}: run `make demo` first.", file=sys.stderr)
        return 2
    executable = find_chromium()
    if executable is None:
        print("Chromium is not installed: run scripts/ensure-chromium.sh.", file=sys.stderr)
        return 2
    args.out.mkdir(parents=True, exist_ok=True)
    written = []
    with chromium(executable) as browser:
        page = browser.new_page()
        page.goto(page_file.resolve().as_uri(), width=1280, height=800)
        written.append(page.screenshot(args.out / "summary-1280x800.png"))
        written.append(page.screenshot(args.out / "summary-section.png", selector="#summary"))
        written.append(
            page.screenshot(args.out / f"chart-{args.section}.png", selector=f"#{args.section}")
        )
        archive = args.report.parent / "index.html"
        if archive.exists():
            page.goto(archive.resolve().as_uri(), width=1280, height=800)
            written.append(page.screenshot(args.out / "archive-index.png"))
    pdfs = sorted(args.report.glob("*.pdf"))
    if not pdfs:
        print("The report has no PDF (see its summary.json, outputs.pdf_skipped).")
    elif shutil.which("pdftoppm") is None:
        print("pdftoppm is not installed (Debian package poppler-utils): PDF pages skipped.")
    else:
        for old in args.out.glob("pdf-page-*.png"):
            old.unlink()
        subprocess.run(
            ["pdftoppm", "-png", "-r", "80", str(pdfs[0]), str(args.out / "pdf-page")],
            check=True,
        )
        written += sorted(args.out.glob("pdf-page-*.png"))
    for path in written:
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
