"""Charts for the progression and fairness sections, as inline SVG.

Like :mod:`pipeline.report.charts` they draw values already computed and suppressed. Two
groups are told apart by colour *and* pattern (solid against hatched bars, round against
square markers) and every bar carries its value, so no chart relies on colour alone.
A withheld value is drawn as nothing and labelled "withheld".
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from pipeline.report.charts import DARK_BLUE, DARK_GREY, ORANGE, _to_svg, plt

GROUP_STYLES = (
    {"color": DARK_BLUE, "hatch": None, "marker": "o"},
    {"color": ORANGE, "hatch": "///", "marker": "s"},
)
GUIDE_GREY = "#6F6F6F"

Values = Sequence[float | None]


def _bar_label(value: float | None, scale: float, digits: int, suffix: str) -> str:
    return "withheld" if value is None else f"{value * scale:.{digits}f}{suffix}"


def paired_bars(
    chart_id: str,
    categories: list[str],
    series: list[tuple[str, Values]],
    *,
    xlabel: str,
    scale: float = 100.0,
    digits: int = 1,
    suffix: str = "%",
    callout: tuple[int, str] | None = None,
    title: str,
) -> str:
    """Horizontal bars, one pair (or more) per category, read top to bottom.

    ``series`` is (legend label, values) per group; ``callout`` (category index, text)
    writes a note beside one category, e.g. where a gap opens.
    """
    n_series = len(series)
    height = 1.1 + 0.32 * len(categories) * n_series + 0.15 * len(categories)
    fig, ax = plt.subplots(figsize=(7.6, height))
    bar = 0.8 / n_series
    top = max([(v or 0) * scale for _, values in series for v in values] + [1e-9])
    for s, (label, values) in enumerate(series):
        style = GROUP_STYLES[s % len(GROUP_STYLES)]
        positions = [len(categories) - 1 - i + 0.4 - bar * (s + 0.5) for i in range(len(values))]
        ax.barh(
            positions,
            [(v or 0) * scale for v in values],
            height=bar * 0.92,
            color=style["color"],
            hatch=style["hatch"],
            edgecolor="white" if style["hatch"] else style["color"],
            label=label,
        )
        for y, value in zip(positions, values, strict=True):
            ax.text(
                (value or 0) * scale + top * 0.01,
                y,
                _bar_label(value, scale, digits, suffix),
                va="center",
                fontsize=9,
                color=DARK_GREY,
            )
    ax.set_yticks(range(len(categories))[::-1], categories)
    ax.set_xlabel(xlabel)
    ax.set_xlim(0, top * (1.55 if callout else 1.25))
    if callout is not None:  # the callout's room is not part of the scale
        ax.set_xticks([t for t in ax.get_xticks() if 0 <= t <= top * 1.05])
    if callout is not None:
        index, text = callout
        y = len(categories) - 1 - index
        ax.axhspan(y - 0.45, y + 0.45, color=GUIDE_GREY, alpha=0.12, zorder=0)
        ax.text(
            top * 1.18,
            y,
            text,
            va="center",
            fontsize=9,
            fontweight="bold",
            color=DARK_GREY,
        )
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16 - 0.3 / height), ncol=2,
              frameon=False, fontsize=9)  # fmt: skip
    return _to_svg(fig, chart_id, title)


def ratio_intervals(
    chart_id: str,
    categories: list[str],
    ratios: Values,
    lowers: Values,
    uppers: Values,
    *,
    xlabel: str,
    title: str,
) -> str:
    """A dot per category with its confidence interval, against lines at 1 (parity) and at
    0.8 and 1.25 (the four-fifths band). The axis is logarithmic, so 0.5 and 2 are the same
    distance from 1."""
    height = 1.2 + 0.38 * len(categories)
    fig, ax = plt.subplots(figsize=(7.6, height))
    positions = list(range(len(categories)))[::-1]
    # An interval with no upper limit (nobody in the grouping elsewhere) runs to the edge.
    shown = [v for v in (*ratios, *lowers, *uppers) if v is not None and 0 < v < math.inf]
    low = min([0.25, *shown]) * 0.8
    high = max([4.0, *shown]) * 1.25
    ax.set_xscale("log")
    ax.axvline(1.0, color=DARK_GREY, linewidth=1)
    for bound in (0.8, 1.25):
        ax.axvline(bound, color=GUIDE_GREY, linewidth=1, linestyle=(0, (4, 3)))
    for y, ratio, lower, upper in zip(positions, ratios, lowers, uppers, strict=True):
        if lower is not None and upper is not None:
            ax.plot([max(lower, low), min(upper, high)], [y, y], color=DARK_BLUE, linewidth=2)
        if ratio is None:
            ax.text(1.0, y, "  withheld or not computable", va="center", fontsize=9,
                    color=DARK_GREY)  # fmt: skip
            continue
        ax.plot([max(ratio, low)], [y], marker="o", color=DARK_BLUE, markersize=7)
        ax.text(max(ratio, low), y + 0.28, f"{ratio:.2f}", ha="center", fontsize=8.5,
                color=DARK_GREY)  # fmt: skip
    ax.set_xlim(low, high)
    ticks = [t for t in (0.1, 0.25, 0.5, 0.8, 1.25, 2.0, 4.0, 8.0) if low <= t <= high]
    ax.set_xticks(ticks, [f"{t:g}" for t in ticks])
    ax.minorticks_off()
    ax.set_yticks(positions, categories)
    ax.set_ylim(-0.7, len(categories) - 0.3)
    ax.set_xlabel(xlabel)
    return _to_svg(fig, chart_id, title)


def share_by_rank(
    chart_id: str,
    ranks: list[str],
    shares: Values,
    compounded: Values,
    *,
    share_label: str,
    title: str,
) -> str:
    """The grouping's share at each rank (bars, labelled), with the compounded ratio from
    constable written under each rank's label."""
    labels = [
        f"{rank}\n(x{c:.2f} of constables)" if c is not None and i else rank
        for i, (rank, c) in enumerate(zip(ranks, compounded, strict=True))
    ]
    return paired_bars(
        chart_id,
        labels,
        [(share_label, shares)],
        xlabel="Share of officers at the rank who stated an ethnicity (%)",
        title=title,
    )
