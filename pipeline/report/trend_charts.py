"""Line charts for trends and projections, drawn from values exactly as a table shows them.

Two drawings, chosen by the declared chart's kind (:func:`draw`, called by
:func:`pipeline.report.charts.render`, which wraps the figure as SVG with the plotted data):
:func:`lines` (one line per value of the chart's ``line`` column across its ``x`` column,
e.g. each worker type's share at each snapshot, with reference lines such as the population
share) and :func:`fan` (a projection: the central line, its band as a shaded area, the
straight line beside it, and the population share as a reference). A value that is withheld
or not applicable is ``None`` and leaves a gap; nothing is interpolated across it. Each
point carries an ``id`` naming its series and the table row it comes from, so tests can read
the plotted values back and compare them with the table's.

Colour is never the only cue: every line has its own marker and dash pattern, reference
lines are dashed and named in the legend, and the last value of each line is written at
its end.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from dataclasses import dataclass

import matplotlib.pyplot as plt

from pipeline.report.declared import Chart, DeclaredTable

DARK_BLUE = "#12436D"
TURQUOISE = "#28A197"
DARK_PINK = "#801650"
ORANGE = "#F46A25"
DARK_GREY = "#3D3D3D"
LIGHT_BLUE = "#A6C8E8"
MID_GREY = "#707070"
BLACK = "#0B0C0C"
LINE_STYLES = (
    {"color": DARK_BLUE, "marker": "o", "linestyle": "-"},
    {"color": TURQUOISE, "marker": "s", "linestyle": "-"},
    {"color": DARK_PINK, "marker": "^", "linestyle": "-"},
    {"color": MID_GREY, "marker": "D", "linestyle": "-"},
    {"color": BLACK, "marker": "v", "linestyle": "-"},
)
"""Orange is kept for the population share, the reference every chart draws dashed."""
REFERENCE_STYLES = (
    {"color": ORANGE, "linestyle": (0, (5, 2)), "linewidth": 2.2},
    {"color": DARK_GREY, "linestyle": (0, (1.5, 1.5)), "linewidth": 1.8},
)


@dataclass(frozen=True)
class Line:
    label: str
    values: Sequence[float | None]
    """One value per x position, as the table shows it (a percentage), None for a gap."""
    rows: tuple[int | None, ...] | None = None
    """The position of each point's row among the chart's rows (default: the x position)."""


def point_id(chart_id: str, series: int, row: int) -> str:
    """``row`` is the position among the rows the chart draws, as in its metadata."""
    return f"{chart_id}-point-s{series}-r{row}"


def draw(table: DeclaredTable, chart: Chart, rows: list[str], values: dict) -> plt.Figure:
    """The figure for a ``lines`` or ``fan`` chart, from :func:`charts.plotted`'s values."""
    frame = table.frame.set_index(table.columns[0].name)
    xs = [str(frame.at[row, chart.x]) for row in rows]
    order = list(dict.fromkeys(xs))
    if chart.kind == "fan":
        (central, *rest) = chart.series
        band = values[chart.band.column] if chart.band else [None] * len(rows)
        return fan(
            table.id,
            order,
            Line(central.label, values[central.column]),
            [b[0] if b else None for b in band],
            [b[1] if b else None for b in band],
            chart.band.label if chart.band else "",
            Line(rest[0].label, values[rest[0].column]) if rest else None,
            _references(chart, values, xs, order),
            chart.axis,
        )
    names = [str(frame.at[row, chart.line]) for row in rows]
    (series,) = chart.series
    lines_ = []
    for name in dict.fromkeys(names):
        points: list[float | None] = [None] * len(order)
        index: list[int | None] = [None] * len(order)
        for r, (x, owner) in enumerate(zip(xs, names, strict=True)):
            if owner == name:
                points[order.index(x)] = values[series.column][r]
                index[order.index(x)] = r
        lines_.append(Line(name, points, tuple(index)))
    return lines(table.id, order, lines_, _references(chart, values, xs, order), chart.axis)


def _references(chart: Chart, values: dict, xs: list[str], order: list[str]) -> list[Line]:
    """Each reference line's value at each x: the first shown among the rows at that x."""
    out = []
    for reference in (chart.benchmark, *chart.references):
        if reference is None:
            continue
        at: dict[str, float] = {}
        for x, value in zip(xs, values[reference.column], strict=True):
            if value is not None:
                at.setdefault(x, value)
        out.append(Line(reference.label, [at.get(x) for x in order]))
    return out


def _segments(values: Sequence[float | None]) -> list[list[int]]:
    """Runs of consecutive positions with a value (a withheld value breaks the line)."""
    runs: list[list[int]] = []
    for i, value in enumerate(values):
        if value is None:
            continue
        if runs and runs[-1][-1] == i - 1:
            runs[-1].append(i)
        else:
            runs.append([i])
    return runs


def _limits(ax, values: list[float]) -> None:
    top = max([*values, 1.0])
    ax.set_ylim(0, min(100.0, top * 1.18 + 1))


def _end_labels(ax, ends: list[tuple[int, float, str]]) -> None:
    """Each line's last value written at its end (x, value, colour), spread apart where
    labels would overlap: the mean of pushing each label up from the one below and down
    from the one above, so neighbours stay a label's height apart around their points."""
    low, high = ax.get_ylim()
    gap = (high - low) * 0.05
    ends = sorted(ends, key=lambda end: end[1])
    up: list[float] = []
    for _, value, _ in ends:
        up.append(value if not up else max(value, up[-1] + gap))
    down: list[float] = []
    for _, value, _ in reversed(ends):
        down.append(value if not down else min(value, down[-1] - gap))
    for (x, value, color), y_up, y_down in zip(ends, up, reversed(down), strict=True):
        ax.annotate(f"{value:.1f}%", (x, value), xytext=(x + 0.08, (y_up + y_down) / 2),
                    textcoords="data", va="center", fontsize=9, color=color)  # fmt: skip


def lines(
    chart_id: str,
    x_labels: Sequence[str],
    series: Sequence[Line],
    references: Sequence[Line] = (),
    axis: str = "",
) -> plt.Figure:
    """One line per series over ``x_labels``, and dashed reference lines."""
    fig, ax = plt.subplots(figsize=(7.6, 4.2))
    x = list(range(len(x_labels)))
    drawn: list[float] = []
    ends: list[tuple[int, float, str]] = []
    for s, line in enumerate(series):
        style = LINE_STYLES[s % len(LINE_STYLES)]
        for n, run in enumerate(_segments(line.values)):
            ax.plot(
                run,
                [line.values[i] for i in run],
                color=style["color"],
                linestyle=style["linestyle"],
                linewidth=2,
                label=line.label if n == 0 else None,
            )
        for r, value in enumerate(line.values):
            if value is None:
                continue
            (point,) = ax.plot([r], [value], marker=style["marker"], color=style["color"],
                               markersize=6, linestyle="none")  # fmt: skip
            point.set_gid(point_id(chart_id, 0, line.rows[r] if line.rows else r))
            drawn.append(value)
        last = max((i for i, v in enumerate(line.values) if v is not None), default=None)
        if last is not None:
            ends.append((last, line.values[last], style["color"]))
    for r, reference in enumerate(references):
        style = REFERENCE_STYLES[r % len(REFERENCE_STYLES)]
        for n, run in enumerate(_segments(reference.values)):
            ax.plot(
                run if len(run) > 1 else [run[0] - 0.3, run[0] + 0.3],
                [reference.values[i] for i in run] * (1 if len(run) > 1 else 2),
                label=reference.label if n == 0 else None,
                **style,
            )
        drawn += [v for v in reference.values if v is not None]
    ax.set_xticks(x, [textwrap.fill(label, 12) for label in x_labels])
    ax.set_xlim(-0.4, len(x_labels) - 0.4)
    _limits(ax, drawn)
    _end_labels(ax, ends)
    ax.set_ylabel(textwrap.fill(axis, 40))
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=2, frameon=False, fontsize=9)
    return fig


def fan(
    chart_id: str,
    x_labels: Sequence[str],
    central: Line,
    lower: Sequence[float | None],
    upper: Sequence[float | None],
    band_label: str,
    straight: Line | None = None,
    references: Sequence[Line] = (),
    axis: str = "",
) -> plt.Figure:
    """A projection: central line, shaded band, the straight line dotted beside it."""
    fig, ax = plt.subplots(figsize=(7.6, 4.2))
    x = list(range(len(x_labels)))
    both = [i for i in x if lower[i] is not None and upper[i] is not None]
    drawn: list[float] = []
    if both:
        ax.fill_between(both, [lower[i] for i in both], [upper[i] for i in both],
                        color=LIGHT_BLUE, alpha=0.7, linewidth=0, label=band_label)  # fmt: skip
        drawn += [upper[i] for i in both]
    for s, line in enumerate(filter(None, (central, straight))):
        style = (
            {"color": DARK_BLUE, "linestyle": "-", "linewidth": 2.4}
            if s == 0
            else {"color": DARK_PINK, "linestyle": (0, (1, 1.5)), "linewidth": 2.2}
        )
        first = True
        for run in _segments(line.values):
            ax.plot(run, [line.values[i] for i in run], label=line.label if first else None,
                    **style)  # fmt: skip
            first = False
        for r, value in enumerate(line.values):
            if value is not None:
                marker = "o" if s == 0 else "s"
                (point,) = ax.plot([r], [value], marker=marker, markersize=3.5,
                                   color=style["color"], linestyle="none")  # fmt: skip
                point.set_gid(point_id(chart_id, s, r))
                drawn.append(value)
        last = max((i for i, v in enumerate(line.values) if v is not None), default=None)
        if last is not None:
            ax.annotate(f"{line.values[last]:.1f}%", (last, line.values[last]),
                        xytext=(6, 0), textcoords="offset points", va="center", fontsize=9,
                        color=style["color"])  # fmt: skip
    for r, reference in enumerate(references):
        style = REFERENCE_STYLES[r % len(REFERENCE_STYLES)]
        first = True
        for run in _segments(reference.values):
            ax.plot(run, [reference.values[i] for i in run],
                    label=reference.label if first else None, **style)  # fmt: skip
            first = False
        drawn += [v for v in reference.values if v is not None]
    step = max(1, len(x_labels) // 10)
    ticks = x[::step]
    ax.set_xticks(ticks, [x_labels[i] for i in ticks])
    ax.set_xlim(-0.5, len(x_labels) - 0.2)
    _limits(ax, drawn)
    ax.set_ylabel(textwrap.fill(axis, 40))
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=2, frameon=False, fontsize=9)
    return fig
