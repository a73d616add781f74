"""A published table, declared once: its rows, its columns and their kinds, the cell behind
every count and the counts behind every figure, and the chart drawn from it.

From one :class:`DeclaredTable` come the HTML table, the chart, the CSV, the workbook
sheet, the JSON and the audit, so they cannot disagree: the protection decides once which
counts are withheld (:func:`pipeline.disclosure.protect`), :meth:`DeclaredTable.shown`
turns the frame into the values every output writes, and each writer only formats them.

Column kinds:

- ``label``, ``text``: words (a text column computed from counts, like a verdict, names
  them in ``of`` and is withheld with them);
- ``count``: people (or rows); the frame holds the true value in ``name`` and the cell's
  :class:`~pipeline.disclosure.Key` in ``name@key``;
- ``share``: a fraction shown as a percentage (one decimal), ``of = (numerator,
  denominator)``;
- ``rate``: a fraction shown per ``per`` (100, 1,000) with one decimal, ``of`` likewise;
- ``ratio_to``: a share over a constant (``constant`` names the frame column), two
  decimals; ``gap``: ``constant x denominator - numerator`` in whole people;
- ``ratio``: any other ratio (two decimals), ``interval`` (``name`` the lower bound,
  ``upper`` the upper, shown "a to b" on the page and as two numeric columns elsewhere),
  ``p_value`` (words and p on the page, the number elsewhere), ``years`` (one decimal),
  ``percent`` (a fraction from a model, such as a projected share, shown as a percentage),
  ``percent_interval`` (its band, "a% to b%") and ``number`` (a whole number from a model,
  such as joiners a year): statistics, shown only when every count in ``of`` is known to a
  reader.

A cell whose value exists but may not be published whatever the counts (the chief officer
team: a handful of people, whose ethnicity would identify someone) holds :data:`WITHHELD`
in the frame in place of its value: it is **confidential**. It is shown ``[c]`` like a
withheld count (never ``[x]``, which says there is no value), and so is every figure
computed from a confidential count (named in ``of``). A confidential count declares no cell
(its key is None): the protection and the audit know nothing of it, and ``tables.json``
does not list it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Literal

import pandas as pd

from pipeline.disclosure import NOT_APPLICABLE_MARK, SUPPRESSED_MARK, Key, Protection
from pipeline.report.formatting import in_words

Kind = Literal[
    "label", "text", "count", "share", "rate", "ratio_to", "gap", "ratio", "interval",
    "p_value", "years", "points", "percent", "percent_interval", "number",
]  # fmt: skip
LINEAR_KINDS = frozenset({"share", "rate", "ratio_to", "gap"})
"""Figures the audit turns into constraints on their counts (their rounding included)."""
STATISTICS = frozenset({"ratio", "interval", "p_value", "years", "points", "text", "percent",
                        "percent_interval", "number"})  # fmt: skip
INTERVAL_KINDS = frozenset({"interval", "percent_interval"})
"""Two numbers, a lower and an upper bound."""
PERCENT_KINDS = frozenset({"share", "percent", "percent_interval"})
"""Fractions shown as percentages (12.3%): a fraction in the workbook and JSON. ``percent``
and ``percent_interval`` are model outputs (a projected share and its band), statistics
rather than a count over a count."""
ALPHA = 0.05


class Withheld:
    """A value not shown: ``[c]`` (withheld) or ``[x]`` (does not exist)."""

    def __init__(self, mark: str) -> None:
        self.mark = mark

    def __repr__(self) -> str:
        return self.mark


WITHHELD = Withheld(SUPPRESSED_MARK)
NOT_APPLICABLE = Withheld(NOT_APPLICABLE_MARK)


def missing(value) -> bool:
    return value is None or (not isinstance(value, str) and bool(pd.isna(value)))


def confidential(value) -> bool:
    """Whether a frame holds a value that exists but is not published (:data:`WITHHELD`)."""
    return isinstance(value, Withheld) and value.mark == SUPPRESSED_MARK


UNLIKELY = "unlikely to be chance"
COULD_BE = "could be chance"
UNBOUNDED = "no upper limit"


def _p(value: float) -> str:
    return "p < 0.001" if value < 0.001 else f"p = {value:.3f}"


def how_sure(
    p_value: float,
    adjusted_p_value: float | None = None,
    family_count: int | None = None,
    is_finding: bool | None = None,
) -> str:
    """The plain-English reading of a score-test p-value and its adjusted value.

    'unlikely to be chance' only when the comparison survives the false discovery rate
    control of its family (``is_finding``), else 'could be chance'; the raw p-value, and the
    adjusted one when the family has more than one comparison, follow in brackets (the
    family's size in words below ten, ONS style, so it never reads like a count of people).
    Without ``is_finding`` (a single comparison), p < 0.05 decides."""
    finding = p_value < ALPHA if is_finding is None else bool(is_finding)
    figures = _p(p_value)
    if adjusted_p_value is not None and family_count is not None and family_count > 1:
        many = in_words(family_count) if family_count < 10 else str(family_count)  # ONS style
        figures += f"; {_p(adjusted_p_value)} allowing for {many} comparisons"
    return f"{UNLIKELY if finding else COULD_BE} ({figures})"


def bound(value: float) -> str:
    """An interval bound: two decimals, or 'no upper limit' for an infinite upper bound."""
    return UNBOUNDED if math.isinf(value) else f"{value:.2f}"


@dataclass(frozen=True)
class Column:
    name: str
    header: str
    kind: Kind
    of: tuple[str, ...] = ()
    """The count columns (in the frame, shown or not) this figure is computed from."""
    per: int = 100
    constant: str | None = None
    upper: str | None = None
    adjusted: tuple[str, str, str] | None = None
    """p_value: the frame columns of the adjusted p-value, the family's number of comparisons
    and whether the comparison survives the false discovery rate control."""
    integer: bool = False
    """label: the row labels are whole numbers (years), exported as numbers, not text."""
    places: int = 1
    """points: decimal places shown (2 where a rate a year would round to 0.0 beside a
    share that moves over the years, e.g. a target's current rate)."""
    difference: tuple[str, str] | None = None
    """points: the frame columns (earlier, later) of the two shares this change is the
    difference of, printed beside it: the change shown is the difference of the two as
    shown (11.0% -> 11.4% is +0.4, never +0.3), so the page agrees with itself."""

    @property
    def decimals(self) -> int:
        return {"share": 1, "rate": 1, "ratio_to": 2, "ratio": 2, "interval": 2, "years": 1,
                "points": self.places, "gap": 0, "percent": 1, "percent_interval": 1,
                "number": 0}.get(self.kind, 0)  # fmt: skip

    def export_headers(self) -> list[str]:
        """The column's headers in the CSV and the workbook (an interval is two numbers)."""
        if self.kind == "interval":
            return [f"{self.header}: lower", f"{self.header}: upper"]
        if self.kind == "percent_interval":
            return [f"{self.header}: lower (%)", f"{self.header}: upper (%)"]
        if self.kind == "p_value":
            if self.adjusted:
                return [f"{self.header}: p-value", f"{self.header}: adjusted p-value"]
            return [f"{self.header}: p-value"]
        if self.kind in ("share", "percent"):
            return [f"{self.header} (%)"]
        return [self.header]

    # ------------------------------------------------------------------ values as shown

    def rounded(self, value):
        """The value at the precision every output shows it (so none is more precise)."""
        if self.kind == "count":
            return int(value)
        if self.kind in PERCENT_KINDS:
            return round(float(value) * 100, 1)
        if self.kind == "number":
            return round(float(value))
        if self.kind == "rate":
            return round(float(value) * self.per, 1)
        if self.kind == "gap":
            return round(float(value))
        if self.kind in ("ratio_to", "ratio", "interval"):
            return value if math.isinf(float(value)) else round(float(value), 2)
        if self.kind == "years":
            return round(float(value), 1)
        if self.kind == "points":
            return round(float(value) * 100, self.places) + 0.0
        if self.kind == "p_value":
            if isinstance(value, tuple):
                p, adjusted, count, finding = value
                return (
                    float(f"{float(p):.4g}"),
                    None if missing(adjusted) else float(f"{float(adjusted):.4g}"),
                    None if missing(count) else int(count),
                    None if missing(finding) else bool(finding),
                )
            return float(f"{float(value):.4g}")
        return value

    def html(self, shown) -> str:
        """The text the page shows."""
        if isinstance(shown, Withheld):
            return shown.mark
        if self.kind == "count":
            return f"{shown:,}"
        if self.kind in ("share", "percent"):
            return f"{shown:.1f}%"
        if self.kind == "percent_interval":
            lower, upper = shown
            return f"{lower:.1f}% to {upper:.1f}%"
        if self.kind == "number":
            return f"{shown:,}"
        if self.kind in ("rate", "years"):
            return f"{shown:.1f}"
        if self.kind == "points":
            return f"{0:.{self.places}f}" if shown == 0 else f"{shown:+.{self.places}f}"
        if self.kind == "gap":
            return f"{shown:,}"
        if self.kind in ("ratio_to", "ratio"):
            return f"{shown:.2f}"
        if self.kind == "interval":
            lower, upper = shown
            return f"{bound(lower)} to {bound(upper)}"
        if self.kind == "p_value":
            return how_sure(*shown) if isinstance(shown, tuple) else how_sure(shown)
        return str(shown)

    def exported(self, shown) -> list:
        """The numbers (or marks) the CSV and the workbook hold: one per export header."""
        if isinstance(shown, Withheld):
            return [shown.mark] * len(self.export_headers())
        if self.kind == "interval":
            return [UNBOUNDED if math.isinf(v) else v for v in shown]
        if self.kind == "percent_interval":
            return list(shown)
        if self.kind == "p_value" and isinstance(shown, tuple):
            return [shown[0], shown[1]] if self.adjusted else [shown[0]]
        if self.integer:
            return [int(shown)]
        return [shown]


@dataclass(frozen=True)
class Series:
    column: str
    label: str


@dataclass(frozen=True)
class Chart:
    """What a chart draws, from the table's own shown values: one bar (or dot) per row
    for each series, in the table's row order (``rows`` picks them; default: all but the
    totals). ``axis`` says exactly what is plotted."""

    kind: Literal["bars", "benchmark_bars", "intervals", "lines", "fan"]
    series: tuple[Series, ...]
    axis: str
    title: str
    alt: str
    rows: tuple[str, ...] | None = None
    benchmark: Series | None = None
    """benchmark_bars: a column drawn as a dashed marker on each bar (the population share);
    lines and fan: a dashed reference line."""
    callout: tuple[str, str] | None = None
    """(row label, text) written beside one row, e.g. where a gap opens."""
    label_notes: dict[str, str] = field(default_factory=dict)
    """A second line under a row's label (e.g. its ratio to constables)."""
    x: str | None = None
    """lines and fan: the frame column naming each row's point on the horizontal axis (a
    snapshot date, a year); rows are drawn left to right in table order."""
    line: str | None = None
    """lines: the frame column naming the line each row belongs to (a worker type)."""
    band: Series | None = None
    """fan: the interval column drawn as the shaded band around the first series."""
    references: tuple[Series, ...] = ()
    """lines and fan: more reference lines (dotted), after the benchmark."""


@dataclass
class DeclaredTable:
    id: str
    caption: str
    columns: tuple[Column, ...]
    frame: pd.DataFrame
    """One row per table row: the first column's values are the row labels."""
    notes: tuple[str, ...] = ()
    total_rows: frozenset[str] = frozenset()
    chart: Chart | None = None
    shown_rows: list[list] | None = None
    """Set by :meth:`protect_with`: each row's values as every output shows them."""

    def __post_init__(self) -> None:
        if self.columns[0].kind != "label":
            raise ValueError(f"{self.id}: the first column names the rows")
        names = set(self.frame.columns)
        for column in self.columns:
            needed = {column.name, *(f"{c}@key" for c in column.of)}
            if column.kind == "count":
                needed.add(f"{column.name}@key")
            if column.upper:
                needed.add(column.upper)
            if column.constant:
                needed.add(column.constant)
            if not needed <= names:
                raise ValueError(f"{self.id}: column {column.name} needs {needed - names}")
        self._check_confidential()

    def _check_confidential(self) -> None:
        """A confidential count declares no cell: the protection would need its value (and
        withhold it only where the numbers say so); a row label is never confidential."""
        self._confidential = any(
            confidential(v)
            for name in self.frame.columns
            if self.frame[name].dtype == object
            for v in self.frame[name]
        )  # speed: most tables hold none, and need not look for one cell by cell
        if not self._confidential:
            return
        label = self.columns[0].name
        if any(confidential(v) for v in self.frame[label]):
            raise ValueError(f"{self.id}: a row label cannot be confidential")
        counts = {c.name for c in self.columns if c.kind == "count"}
        counts |= {name for c in self.columns for name in c.of if name in self.frame}
        for name in sorted(counts):
            for row, (key, value) in enumerate(
                zip(self.frame[f"{name}@key"], self.frame[name], strict=True)
            ):
                if isinstance(key, Key) and confidential(value):
                    raise ValueError(
                        f"{self.id}: row {self.frame[label].iloc[row]!r}, column {name}: a "
                        "confidential count declares no cell (withhold a cell through the "
                        "protection instead)"
                    )

    @property
    def labels(self) -> list[str]:
        return [str(v) for v in self.frame[self.columns[0].name]]

    @property
    def headers(self) -> list[str]:
        return [c.header for c in self.columns]

    def counts(self) -> dict[Key, int]:
        """Every count the table publishes or computes a figure from, with its true value."""
        out: dict[Key, int] = {}
        names = {c.name for c in self.columns if c.kind == "count"}
        names |= {source for c in self.columns for source in c.of}
        for name in names:
            for key, value in zip(self.frame[f"{name}@key"], self.frame[name], strict=True):
                if isinstance(key, Key) and not missing(value):
                    out[key] = int(value)
        return out

    def published_keys(self) -> set[Key]:
        return {
            key
            for c in self.columns
            if c.kind == "count"
            for key in self.frame[f"{c.name}@key"]
            if isinstance(key, Key)
        }

    def denominators(self) -> dict[Key, set[Key]]:
        """For each count a share, rate, ratio to the population or gap divides, the counts
        it is divided by (``of = (numerator, denominator)``): its totals as a reader sees
        them, so a 0 beside a withheld one is withheld too."""
        out: dict[Key, set[Key]] = {}
        for column in self.columns:
            if column.kind not in LINEAR_KINDS or len(column.of) != 2:
                continue
            numerator, denominator = (f"{name}@key" for name in column.of)
            for record in self.records:
                top, bottom = record[numerator], record[denominator]
                if isinstance(top, Key) and isinstance(bottom, Key) and top != bottom:
                    out.setdefault(top, set()).add(bottom)
        return out

    @property
    def records(self) -> list[dict]:
        """The frame's rows as dicts, read once (the frame is not changed after declaring)."""
        if getattr(self, "_records", None) is None or len(self._records) != len(self.frame):
            self._records = self.frame.to_dict("records")
        return self._records

    def cell_key(self, row: int, column: Column) -> Key | None:
        key = self.records[row][f"{column.name}@key"]
        return key if isinstance(key, Key) else None

    def source_keys(self, row: int, column: Column) -> tuple[Key, ...]:
        record = self.records[row]
        keys = (record[f"{name}@key"] for name in column.of)
        return tuple(k for k in keys if isinstance(k, Key))

    def protect_with(self, protection: Protection) -> None:
        """Decide each cell's shown value from the protection: withheld counts are [c], and
        so is every figure whose counts are not all known to a reader, and every
        confidential cell (the frame holds :data:`WITHHELD`) with every figure computed
        from one; a figure that does not exist is [x], first of all one computed from a
        count that does not exist (a ratio to a workforce share on a night with no snapshot
        of the year's start)."""
        self._records = None
        rows = []
        for position, record in enumerate(self.records):
            row = []
            for column in self.columns:
                row.append(self._shown(position, record, column, protection))
            rows.append(row)
        self.shown_rows = rows

    def _shown(self, position: int, record: dict, column: Column, protection: Protection):
        value = record[column.name]
        if column.kind == "label":
            return str(value)
        if self._confidential and confidential(value):  # exists, but is not published
            return WITHHELD
        if column.kind == "count":
            key = record[f"{column.name}@key"]
            if key is None:
                return NOT_APPLICABLE if missing(value) else column.rounded(value)
            return WITHHELD if key in protection.withheld else column.rounded(value)
        if missing(value) and any(
            record[f"{name}@key"] is None and name in record and missing(record[name])
            for name in column.of
        ):  # computed from a count that does not exist (no snapshot): no figure to withhold
            return NOT_APPLICABLE
        sources = self.source_keys(position, column)
        if sources and not protection.knows(sources):
            return WITHHELD
        if self._confidential and any(confidential(record.get(n)) for n in _inputs(column)):
            return WITHHELD  # computed from a confidential value
        if column.kind in INTERVAL_KINDS:
            upper = record[column.upper]
            if missing(value) or missing(upper):
                return NOT_APPLICABLE
            return (column.rounded(value), column.rounded(upper))
        if column.kind == "p_value" and column.adjusted:
            if missing(value):
                return NOT_APPLICABLE
            return column.rounded((value, *(record[name] for name in column.adjusted)))
        if missing(value) or (isinstance(value, float) and math.isinf(value)):
            return NOT_APPLICABLE
        if column.difference is not None:
            earlier, later = (record[name] for name in column.difference)
            if not (missing(earlier) or missing(later)):
                shown = [round(float(term) * 100, 1) for term in (earlier, later)]
                return round(shown[1] - shown[0], 1) + 0.0
        return column.rounded(value)

    # ------------------------------------------------------------------ reading it back

    def value(self, label: str, name: str):
        """The shown value of a cell by row label and column name (for sentences)."""
        if self.shown_rows is None:
            raise RuntimeError(f"{self.id} is not protected yet")
        index = {c.name: i for i, c in enumerate(self.columns)}
        try:
            row = self.labels.index(label)
        except ValueError:
            raise KeyError(f"{self.id}: no row {label!r}") from None
        return self.shown_rows[row][index[name]]

    def text(self, label: str, name: str) -> str:
        """The cell as the page writes it: what a sentence may quote."""
        column = next(c for c in self.columns if c.name == name)
        return column.html(self.value(label, name))

    def is_shown(self, label: str, name: str) -> bool:
        return not isinstance(self.value(label, name), Withheld)

    def html_rows(self) -> list[list[str]]:
        assert self.shown_rows is not None
        return [
            [c.html(v) for c, v in zip(self.columns, row, strict=True)] for row in self.shown_rows
        ]

    def export_headers(self) -> list[str]:
        return [h for c in self.columns for h in c.export_headers()]

    def export_kinds(self) -> list[str]:
        """Each export column's kind ("points2": a change shown to two decimal places)."""
        return [
            "points2" if c.kind == "points" and c.places == 2 else c.kind
            for c in self.columns
            for _ in c.export_headers()
        ]

    def export_rows(self) -> list[list]:
        assert self.shown_rows is not None
        return [
            [v for c, shown in zip(self.columns, row, strict=True) for v in c.exported(shown)]
            for row in self.shown_rows
        ]

    def manifest(self) -> dict:
        """What tables.json says about the table: enough for anyone to audit the outputs
        from the shown values alone (which cell each count is, which counts each figure
        uses), and nothing a withheld cell's value could be read from: a confidential cell
        is not listed at all."""
        cells = []
        for position in range(len(self.frame)):
            row = {}
            for column in self.columns:
                value = self.records[position][column.name]
                if confidential(value):
                    continue  # no cell behind it, and nothing of its value
                if column.kind == "count":
                    key = self.cell_key(position, column)
                    if key is not None or not missing(value):  # a count that exists
                        row[column.name] = key.id if key is not None else None
                elif column.of and not missing(value):
                    # a figure that does not exist ([x]) is computed from nothing
                    constant = self.records[position][column.constant] if column.constant else None
                    row[column.name] = {
                        "of": [k.id for k in self.source_keys(position, column)],
                        **({"constant": float(constant)} if not missing(constant) else {}),
                    }
            cells.append(row)
        return {
            "id": self.id,
            "caption": self.caption,
            "headers": self.headers,
            "columns": [
                {
                    "name": c.name,
                    "header": c.header,
                    "kind": c.kind,
                    "export_headers": c.export_headers(),
                    **({"per": c.per} if c.kind == "rate" else {}),
                    **({"adjusted": True} if c.adjusted else {}),
                }
                for c in self.columns
            ],
            "rows": self.labels,
            "total_rows": sorted(self.total_rows),
            "cells": cells,
            "notes": list(self.notes),
        }


def _inputs(column: Column) -> tuple[str, ...]:
    """The frame columns a cell's shown value is computed from, besides its own."""
    return tuple(
        name
        for name in (column.upper, *(column.adjusted or ()), *(column.difference or ()),
                     *column.of)
        if name
    )  # fmt: skip


def from_manifest(entry: dict) -> DeclaredTable:
    """A table as ``tables.json`` describes it: its columns, rows and cells, without any
    value (what an audit from the files alone needs)."""
    columns = tuple(
        Column(c["name"], c["header"], c["kind"], per=c.get("per", 100),
               upper=f"{c['name']}:upper" if c["kind"] in INTERVAL_KINDS else None,
               adjusted=("", "", "") if c.get("adjusted") else None)
        for c in entry["columns"]
    )  # fmt: skip
    records = []
    for label, cells in zip(entry["rows"], entry["cells"], strict=True):
        record: dict = {columns[0].name: label}
        for column in columns[1:]:
            record[column.name] = None
            if column.upper:
                record[column.upper] = None
            cell = cells.get(column.name)
            if column.kind == "count":
                record[f"{column.name}@key"] = Key.from_id(cell) if cell else None
            elif isinstance(cell, dict):
                record[f"{column.name}:constant"] = cell.get("constant")
                for position, key in enumerate(cell["of"]):
                    record[f"{column.name}:of{position}@key"] = Key.from_id(key)
        records.append(record)
    width = {c.name: max((len(cells.get(c.name, {}).get("of", [])) for cells in entry["cells"]
                          if isinstance(cells.get(c.name), dict)), default=0)
             for c in columns}  # fmt: skip
    columns = tuple(
        Column(c.name, c.header, c.kind, per=c.per, upper=c.upper, adjusted=c.adjusted,
               of=tuple(f"{c.name}:of{i}" for i in range(width[c.name])),
               constant=f"{c.name}:constant" if width[c.name] else None)
        if width[c.name] else c
        for c in columns
    )  # fmt: skip
    names = []
    for column in columns:
        names += [column.name, *(n for n in (column.upper, column.constant) if n)]
        names += [f"{column.name}@key"] if column.kind == "count" else []
        names += [n for source in column.of for n in (source, f"{source}@key")]
    frame = pd.DataFrame(records).reindex(columns=list(dict.fromkeys(names)))
    return DeclaredTable(
        id=entry["id"],
        caption=entry["caption"],
        columns=columns,
        frame=frame,
        notes=tuple(entry.get("notes", ())),
        total_rows=frozenset(entry.get("total_rows", ())),
    )
