"""Charts as inline SVG, drawn from a declared table's shown values and nothing else.

A chart is declared with its table (:class:`pipeline.report.declared.Chart`): which
columns are its series, which rows it draws, and an axis label that says exactly what is
plotted. It draws the values exactly as the table shows them (rounded, withheld as empty
bars labelled "withheld"), so chart and table cannot disagree; the SVG carries the data it
plots in a ``<metadata>`` element (table id, rows, and each series' column and values) and
each bar or dot an ``id`` naming its row and series, so tests read the plotted values back
from the file and compare them with the table's, and with the bars' own lengths.

Colours are the Government Analysis Function's colour-blind-safe palette; colour is never
the only cue (bars are labelled, series differ by pattern too, the benchmark is a dashed
line named in the legend).
"""

from __future__ import annotations

import io
import json
import math
import os
import tempfile
import textwrap
from xml.sax.saxutils import escape

os.environ.setdefault("MPLCONFIGDIR", os.path.join(tempfile.gettempdir(), "progression-mpl"))

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from pipeline.report import trend_charts
from pipeline.report.declared import Chart, DeclaredTable, Withheld

DARK_BLUE = "#12436D"
TURQUOISE = "#28A197"
DARK_PINK = "#801650"
ORANGE = "#F46A25"
DARK_GREY = "#3D3D3D"
GUIDE_GREY = "#6F6F6F"
PALETTE = (DARK_BLUE, TURQUOISE, DARK_PINK, ORANGE, DARK_GREY)
STYLES = (
    {"color": DARK_BLUE, "hatch": None, "marker": "o"},
    {"color": ORANGE, "hatch": "///", "marker": "s"},
)

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


def plotted(table: DeclaredTable, chart: Chart) -> tuple[list[str], dict[str, list]]:
    """The rows a chart draws and, per series column, the values as the table shows them
    (None where withheld or not applicable)."""
    labels = table.labels
    rows = list(chart.rows) if chart.rows is not None else [
        label for label in labels if label not in table.total_rows]  # fmt: skip
    index = {c.name: i for i, c in enumerate(table.columns)}
    columns = [s.column for s in chart.series]
    if chart.benchmark is not None:
        columns.append(chart.benchmark.column)
    columns += [s.column for s in (chart.band, *chart.references) if s is not None]
    if chart.kind == "intervals":
        columns.append(next(c.name for c in table.columns if c.kind == "interval"))
    values: dict[str, list] = {}
    for name in columns:
        out = []
        for label in rows:
            shown = table.shown_rows[labels.index(label)][index[name]]
            out.append(None if isinstance(shown, Withheld) else shown)
        values[name] = out
    return rows, values


def _metadata(table: DeclaredTable, chart: Chart, rows, values) -> str:
    data = {
        "table": table.id,
        "axis": chart.axis,
        "rows": rows,
        "series": [
            {"column": s.column, "label": s.label, "values": values[s.column]} for s in chart.series
        ],
    }
    if chart.benchmark is not None:
        data["benchmark"] = {
            "column": chart.benchmark.column,
            "label": chart.benchmark.label,
            "values": values[chart.benchmark.column],
        }
    for name, extra in (("band", chart.band), *(("reference", r) for r in chart.references)):
        if extra is not None:
            entry = {"column": extra.column, "label": extra.label, "values": values[extra.column]}
            data.setdefault(f"{name}s" if name == "reference" else name, []).append(entry)
    if chart.x is not None:
        frame = table.frame.set_index(table.columns[0].name)
        data["x"] = [str(frame.at[row, chart.x]) for row in rows]
        if chart.line is not None:
            data["lines"] = [str(frame.at[row, chart.line]) for row in rows]
    text = escape(json.dumps(data, ensure_ascii=False))
    return f'<metadata id="{table.id}-chart-data">{text}</metadata>'


def _to_svg(fig, chart_id: str, title: str, metadata: str) -> str:
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
    return svg[:opening_end] + f"<title>{escape(title)}</title>" + metadata + svg[opening_end:]


def bar_id(table_id: str, series: int, row: int) -> str:
    return f"{table_id}-bar-s{series}-r{row}"


def render(table: DeclaredTable, chart: Chart) -> str:
    """The chart as an SVG element, from the protected table."""
    rows, values = plotted(table, chart)
    metadata = _metadata(table, chart, rows, values)
    if chart.kind == "intervals":
        fig = _intervals(table, chart, rows, values)
    elif chart.kind in ("lines", "fan"):
        fig = trend_charts.draw(table, chart, rows, values)
    else:
        fig = _bars(table, chart, rows, values)
    return _to_svg(fig, table.id, chart.title, metadata)


def _unit(table: DeclaredTable, column: str) -> tuple[str, str]:
    """How a value is labelled on a bar: its format and suffix."""
    kind = next(c.kind for c in table.columns if c.name == column)
    return ("{:.1f}", "%") if kind in ("share", "percent") else ("{:.1f}", "")


def _bars(table: DeclaredTable, chart: Chart, rows: list[str], values: dict) -> plt.Figure:
    """Horizontal bars, one per row and series, read top to bottom; a benchmark is a dashed
    marker across each row's bars."""
    n_series = len(chart.series)
    names = [
        f"{row}\n{chart.label_notes[row]}" if row in chart.label_notes else textwrap.fill(row, 30)
        for row in rows
    ]
    height = 1.1 + 0.32 * len(rows) * n_series + 0.15 * len(rows)
    fig, ax = plt.subplots(figsize=(7.6, height))
    bar = 0.8 / n_series
    drawn = [v for s in chart.series for v in values[s.column] if v is not None]
    if chart.benchmark is not None:
        drawn += [v for v in values[chart.benchmark.column] if v is not None]
    top = max([*drawn, 1e-9])
    for s, series in enumerate(chart.series):
        style = STYLES[s % len(STYLES)]
        fmt, suffix = _unit(table, series.column)
        for r, value in enumerate(values[series.column]):
            y = len(rows) - 1 - r + 0.4 - bar * (s + 0.5)
            patches = ax.barh(
                [y],
                [value or 0],
                height=bar * 0.92,
                color=style["color"],
                hatch=style["hatch"],
                edgecolor="white" if style["hatch"] else style["color"],
                label=series.label if r == 0 else None,
            )
            patches[0].set_gid(bar_id(table.id, s, r))
            ax.text(
                (value or 0) + top * 0.01,
                y,
                "withheld" if value is None else fmt.format(value) + suffix,
                va="center",
                fontsize=9,
                color=DARK_GREY,
            )
    if chart.benchmark is not None:
        labelled = False
        for r, bench in enumerate(values[chart.benchmark.column]):
            if bench is None:
                continue
            y = len(rows) - 1 - r
            ax.plot(
                [bench] * 2,
                [y - 0.45, y + 0.45],
                color=ORANGE if n_series == 1 else DARK_GREY,
                linewidth=2.5,
                linestyle=(0, (2, 1)),
                label=None if labelled else chart.benchmark.label,
            )
            labelled = True
    ax.set_yticks(range(len(rows))[::-1], names)
    ax.set_xlabel(chart.axis)
    callout = chart.callout
    ax.set_xlim(0, top * (1.55 if callout else 1.25))
    if callout is not None and callout[0] in rows:
        ax.set_xticks([t for t in ax.get_xticks() if 0 <= t <= top * 1.05])
        y = len(rows) - 1 - rows.index(callout[0])
        ax.axhspan(y - 0.45, y + 0.45, color=GUIDE_GREY, alpha=0.12, zorder=0)
        ax.text(top * 1.18, y, callout[1], va="center", fontsize=9, fontweight="bold",
                color=DARK_GREY)  # fmt: skip
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16 - 0.3 / height), ncol=2,
              frameon=False, fontsize=9)  # fmt: skip
    return fig


def _intervals(table: DeclaredTable, chart: Chart, rows: list[str], values: dict) -> plt.Figure:
    """A dot per row with its confidence interval, against lines at 1 (parity) and at 0.8
    and 1.25. The axis is logarithmic, so 0.5 and 2 are the same distance from 1."""
    (series,) = chart.series
    interval_column = next(c.name for c in table.columns if c.kind == "interval")
    ratios = values[series.column]
    intervals = values[interval_column]
    height = 1.2 + 0.38 * len(rows)
    fig, ax = plt.subplots(figsize=(7.6, height))
    positions = list(range(len(rows)))[::-1]
    # An interval with no upper limit (nobody in the group elsewhere) runs to the edge.
    shown = [v for v in ratios if v is not None and 0 < v < math.inf]
    shown += [b for i in intervals if i is not None for b in i if 0 < b < math.inf]
    low = min([0.25, *shown]) * 0.8
    high = max([4.0, *shown]) * 1.25
    ax.set_xscale("log")
    ax.axvline(1.0, color=DARK_GREY, linewidth=1)
    for bound in (0.8, 1.25):
        ax.axvline(bound, color=GUIDE_GREY, linewidth=1, linestyle=(0, (4, 3)))
    for r, (y, ratio, interval) in enumerate(zip(positions, ratios, intervals, strict=True)):
        if interval is not None:
            ax.plot([max(interval[0], low), min(interval[1], high)], [y, y], color=DARK_BLUE,
                    linewidth=2)  # fmt: skip
        if ratio is None:
            ax.text(1.0, y, "  withheld or not computable", va="center", fontsize=9,
                    color=DARK_GREY)  # fmt: skip
            continue
        (dot,) = ax.plot([max(ratio, low)], [y], marker="o", color=DARK_BLUE, markersize=7)
        dot.set_gid(bar_id(table.id, 0, r))
        ax.text(max(ratio, low), y + 0.28, f"{ratio:.2f}", ha="center", fontsize=8.5,
                color=DARK_GREY)  # fmt: skip
    ax.set_xlim(low, high)
    ticks = [t for t in (0.1, 0.25, 0.5, 0.8, 1.25, 2.0, 4.0, 8.0) if low <= t <= high]
    ax.set_xticks(ticks, [f"{t:g}" for t in ticks])
    ax.minorticks_off()
    ax.set_yticks(positions, rows)
    ax.set_ylim(-0.7, len(rows) - 0.3)
    ax.set_xlabel(chart.axis)
    return fig
