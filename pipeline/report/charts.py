"""Charts as inline SVG: they draw tidy tables already computed and suppressed, nothing more.

Colours are the Government Analysis Function's colour-blind-safe palette; colour is never
the only cue (bars are labelled, the benchmark is a dashed line named in the legend).
"""

from __future__ import annotations

import io
import os
import tempfile

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
    }
)


def _to_svg(fig, chart_id: str) -> str:
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    plt.close(fig)
    svg = buffer.getvalue()
    svg = svg[svg.index("<svg") :]
    return svg.replace("<svg ", f'<svg role="img" aria-labelledby="{chart_id}-title" ', 1)


def share_against_benchmark(
    chart_id: str,
    categories: list[str],
    shares: list[float | None],
    benchmarks: list[float | None],
    share_label: str,
    benchmark_label: str,
) -> str:
    """Horizontal bars (workforce share) with a dashed marker for the population share."""
    height = 0.9 + 0.45 * len(categories)
    fig, ax = plt.subplots(figsize=(7.2, height))
    positions = list(range(len(categories)))[::-1]
    values = [s * 100 if s is not None else 0.0 for s in shares]
    ax.barh(positions, values, color=DARK_BLUE, height=0.6, label=share_label)
    for y, share in zip(positions, shares, strict=True):
        text = f"{share * 100:.1f}%" if share is not None else "withheld"
        ax.text((share or 0) * 100 + 0.5, y, text, va="center", fontsize=10, color=DARK_GREY)
    for index, (y, bench) in enumerate(zip(positions, benchmarks, strict=True)):
        if bench is not None:
            ax.plot(
                [bench * 100] * 2,
                [y - 0.4, y + 0.4],
                color=ORANGE,
                linewidth=2.5,
                linestyle=(0, (2, 1)),
                label=benchmark_label if index == 0 else None,
            )
    ax.set_yticks(positions, categories)
    ax.set_xlabel("Share of those who stated an ethnicity (%)")
    top = max([*values, *[(b or 0) * 100 for b in benchmarks], 1.0])
    ax.set_xlim(0, top * 1.2)
    ax.legend(loc="lower right", frameon=False, fontsize=10)
    return _to_svg(fig, chart_id)
