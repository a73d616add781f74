"""Charts as inline SVG: they draw tidy tables already computed and suppressed, nothing more.

Colours are the Government Analysis Function's colour-blind-safe palette; colour is never
the only cue (bars are labelled, the benchmark is a dashed line named in the legend).
"""

from __future__ import annotations

import io
import os
import tempfile
import textwrap
from xml.sax.saxutils import escape

os.environ.setdefault("MPLCONFIGDIR", os.path.join(tempfile.gettempdir(), "progression-mpl"))

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

DARK_BLUE = "#12436D"
TURQUOISE = "#28A197"
DARK_PINK = "#801650"
ORANGE = "#F46A25"
DARK_GREY = "#3D3D3D"
PALETTE = (DARK_BLUE, TURQUOISE, DARK_PINK, ORANGE, DARK_GREY)

plt.rcParams.update(
    {
        "svg.hashsalt": "progression",
        "svg.fonttype": "none",
        "font.family": "sans-serif",
        "font.size": 11,
        "axes.spines.top": False,
        "axes.spines.right": False,
        # Labels come from extracts: "$...$" is text, never matplotlib's mathtext (which
        # would render it as a formula, or fail on "$\frac$").
        "text.parse_math": False,
    }
)


def _to_svg(fig, chart_id: str, title: str) -> str:
    """The SVG element alone, named by the figure's caption and described by its text
    alternative (``<id>-title`` and ``<id>-desc`` in the page); ``<title>`` keeps the
    message with the file if it is saved on its own."""
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    plt.close(fig)
    svg = buffer.getvalue()
    svg = svg[svg.index("<svg") :]
    svg = svg.replace(
        "<svg ",
        f'<svg role="img" aria-labelledby="{chart_id}-title" '
        f'aria-describedby="{chart_id}-desc" focusable="false" ',
        1,
    )
    opening_end = svg.index(">") + 1
    return svg[:opening_end] + f"<title>{escape(title)}</title>" + svg[opening_end:]


def share_against_benchmark(
    chart_id: str,
    categories: list[str],
    shares: list[float | None],
    benchmarks: list[float | None],
    share_label: str,
    benchmark_label: str,
    title: str = "",
) -> str:
    """Horizontal bars (workforce share) with a dashed marker for the population share.

    A bar whose share is withheld or undefined is drawn empty and labelled "not shown"."""
    height = 1.2 + 0.45 * len(categories)
    fig, ax = plt.subplots(figsize=(7.2, height))
    positions = list(range(len(categories)))[::-1]
    values = [s * 100 if s is not None else 0.0 for s in shares]
    top = max([*values, *[(b or 0) * 100 for b in benchmarks], 1.0])
    ax.barh(positions, values, color=DARK_BLUE, height=0.6, label=share_label)
    for y, share in zip(positions, shares, strict=True):
        text = f"{share * 100:.1f}%" if share is not None else "not shown"
        ax.text((share or 0) * 100 + top * 0.015, y, text, va="center", fontsize=10,
                color=DARK_GREY)  # fmt: skip
    labelled = False
    for y, bench in zip(positions, benchmarks, strict=True):
        if bench is not None:
            ax.plot(
                [bench * 100] * 2,
                [y - 0.4, y + 0.4],
                color=ORANGE,
                linewidth=2.5,
                linestyle=(0, (2, 1)),
                label=None if labelled else benchmark_label,
            )
            labelled = True
    ax.set_yticks(positions, [textwrap.fill(c, 30) for c in categories])
    ax.set_xlabel("Share of those who stated an ethnicity (%)")
    ax.set_xlim(0, top * 1.2)
    ax.legend(loc="lower left", bbox_to_anchor=(0, 1.0), ncol=2, frameon=False, fontsize=10)
    return _to_svg(fig, chart_id, title)
