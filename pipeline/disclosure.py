"""Disclosure control: one rule, applied to every table before it leaves the database.

Ethnicity is special-category data; a count from 1 to the threshold could identify a
colleague. The rule, with the threshold from ``[disclosure]`` in the configuration:

1. **Primary**: a count from 1 to the threshold is withheld, and so is every rate, share or
   ratio computed from it (a share with its denominator would give the count back).
2. **Secondary**: no withheld count, and no *unpublished* count from 1 to the threshold (the
   "not stated" a table implies as headcount minus declared), may be worked out from what is
   shown, row and column totals included. Recovery is found by linear algebra over every
   sum the table states, not by a rule of thumb, so chains across rows and columns are
   caught; it is repaired by also withholding the smallest count that breaks the chain.
3. **Aggregation**: where a breakdown would be mostly withheld, the next coarser grouping is
   used (detailed -> broad -> ethnic minority vs White) and the section says so
   (:func:`choose_grouping`).

Tables describe how their counts add up with a :class:`Layout`; the same layout lets the
tests audit every generated output (:func:`audit_table`) from the shown values alone.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Hashable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TypeVar

import numpy as np
import pandas as pd

SUPPRESSED_MARK = "[c]"
"""The ONS/GSS convention for a value withheld for confidentiality."""
NOT_SHOWN_MARKS = frozenset({SUPPRESSED_MARK, "[x]"})
"""Marks that show no number: withheld, or not applicable (a share of nobody)."""

Cell = Hashable
_TOLERANCE = 1e-9


# --------------------------------------------------------------------------- primary only


def is_small(counts: pd.Series, threshold: int) -> pd.Series:
    numeric = pd.to_numeric(counts, errors="coerce")
    return numeric.between(1, threshold, inclusive="both").fillna(False).astype(bool)


def suppress(
    frame: pd.DataFrame, rules: Mapping[str, Sequence[str]], threshold: int
) -> pd.DataFrame:
    """Primary suppression only: withhold small counts and what is derived from them.

    ``rules`` maps each count column to the columns computed from it; a row whose count is
    in 1..threshold has the count and those columns set to missing, and ``is_suppressed``
    says that something in the row was withheld. Enough for a single figure whose totals are
    not shown; a table of several rows needs :func:`protect_table` (secondary suppression).
    """
    out = frame.copy()
    any_suppressed = pd.Series(False, index=out.index)
    for count_column, derived in rules.items():
        small = is_small(frame[count_column], threshold)
        for column in (count_column, *derived):
            out[column] = out[column].astype("object").where(~small, None)
        any_suppressed |= small
    out["is_suppressed"] = any_suppressed
    return out


# --------------------------------------------------------------------------- cells and sums


@dataclass(frozen=True)
class Sum:
    """``total`` equals the sum of ``parts``: one fact a reader of the table can use."""

    total: Cell
    parts: tuple[Cell, ...]


def _system(unknown: Sequence[Cell], sums: Sequence[Sum], known: Mapping[Cell, float]):
    """The sums as ``A x = b`` over the unknown cells (known cells moved to the right)."""
    index = {cell: i for i, cell in enumerate(unknown)}
    rows, rhs = [], []
    for s in sums:
        row = np.zeros(len(unknown))
        constant = 0.0
        for cell, sign in ((s.total, -1.0), *((p, 1.0) for p in s.parts)):
            if cell in index:
                row[index[cell]] += sign
            else:
                constant += sign * known.get(cell, 0.0)
        if row.any():
            rows.append(row)
            rhs.append(-constant)
    return index, np.array(rows).reshape(len(rows), len(unknown)), np.array(rhs)


class _Structure:
    """The sums as one coefficient matrix over every cell, built once: asking which cells a
    set of unknowns leaves determined is then a column selection and one SVD."""

    def __init__(self, sums: Sequence[Sum]) -> None:
        cells = sorted({c for s in sums for c in (s.total, *s.parts)}, key=repr)
        self.index = {cell: i for i, cell in enumerate(cells)}
        self.matrix = np.zeros((len(sums), len(cells)))
        for row, s in enumerate(sums):
            self.matrix[row, self.index[s.total]] -= 1.0
            for part in s.parts:
                self.matrix[row, self.index[part]] += 1.0

    def determined(self, unknown: Collection[Cell]) -> set[Cell]:
        ordered = [c for c in unknown if c in self.index]
        if not ordered:
            return set()
        matrix = self.matrix[:, [self.index[c] for c in ordered]]
        matrix = matrix[np.any(matrix != 0, axis=1)]
        if not len(matrix):
            return set()
        _, singular, vt = np.linalg.svd(matrix)
        rank = int((singular > _TOLERANCE * max(1.0, singular.max())).sum())
        null = vt[rank:]
        if not len(null):
            return set(ordered)
        return {cell for i, cell in enumerate(ordered) if np.abs(null[:, i]).max() < 1e-7}


def determined(unknown: Collection[Cell], sums: Sequence[Sum]) -> set[Cell]:
    """The unknown cells whose value the sums fix, given every other cell.

    A cell ``x_j`` is fixed exactly when no solution of the homogeneous system moves it:
    every vector of the null space has a zero ``j``-th component.
    """
    return _Structure(sums).determined(unknown)


def recover(values: Mapping[Cell, float | None], sums: Sequence[Sum]) -> dict[Cell, float]:
    """What a reader can work out: the value of every unknown cell the sums fix.

    ``values`` holds what is shown (``None`` where withheld); a cell used by a sum but absent
    from ``values`` is unpublished and also unknown.
    """
    cells = {c for s in sums for c in (s.total, *s.parts)} | set(values)
    unknown = sorted((c for c in cells if values.get(c) is None), key=repr)
    fixed = determined(unknown, sums)
    if not fixed:
        return {}
    known = {c: float(v) for c, v in values.items() if v is not None}
    index, matrix, rhs = _system(unknown, sums, known)
    solution, *_ = np.linalg.lstsq(matrix, rhs, rcond=None)
    return {cell: float(solution[index[cell]]) for cell in fixed}


def protect(
    values: Mapping[Cell, int],
    sums: Sequence[Sum],
    threshold: int,
    *,
    published: Collection[Cell],
    avoid: Collection[Cell] = (),
    withheld: Collection[Cell] = (),
) -> frozenset[Cell]:
    """The published cells to withhold so that no small or withheld count can be worked out.

    ``values`` holds every count, published or not (unpublished ones are implied by the
    sums). Primary: every published count in 1..threshold. Secondary cells are then added
    one at a time, choosing the one that leaves the fewest cells exposed, then the fewest
    sums with a single unknown cell (the classic "lonely suppression" a reader subtracts),
    then by preference: not in ``avoid`` (e.g. a table's total row), sharing a sum with the
    exposed cell, non-zero, smallest. ``withheld`` are cells withheld from the start.
    """
    published = set(published)
    implicit = set(values) - published
    avoid = set(avoid)

    def small(cell: Cell) -> bool:
        return 1 <= values[cell] <= threshold

    neighbours: dict[Cell, set[Cell]] = {}
    for s in sums:
        members = {s.total, *s.parts}
        for cell in members:
            neighbours.setdefault(cell, set()).update(members - {cell})

    structure = _Structure(sums)

    def exposed(hidden: set[Cell]) -> list[Cell]:
        fixed = structure.determined(hidden | implicit)
        return sorted((c for c in fixed if c in hidden or small(c)), key=repr)

    def lonely(hidden: set[Cell]) -> int:
        unknown = hidden | implicit
        return sum(1 for s in sums if sum(c in unknown for c in (s.total, *s.parts)) == 1)

    def preference(cell: Cell, target: Cell) -> tuple:
        return (
            cell in avoid,
            cell not in neighbours.get(target, ()),
            values[cell] == 0,
            values[cell],
            repr(cell),
        )

    withheld = {c for c in published if small(c)} | (set(withheld) & published)
    current = exposed(withheld)
    while current:
        near = set().union(*(neighbours.get(c, set()) for c in current))
        available = published - withheld
        pool = available & near or available
        if not pool:
            raise ValueError("Nothing left to withhold: the table cannot be protected.")
        chosen = min(
            pool,
            key=lambda c: (
                len(exposed(withheld | {c})),
                lonely(withheld | {c}),
                preference(c, current[0]),
            ),
        )
        withheld.add(chosen)
        current = exposed(withheld)
    return frozenset(withheld)


# --------------------------------------------------------------------------- tables


@dataclass(frozen=True)
class Layout:
    """How a table's counts add up: what disclosure control and its audit need to know.

    Cells are ``(row label, column)``. ``row_sums`` are sums within every row, such as
    ``("headcount", ("declared", "not stated"))``; a part that is not a shown column is an
    unpublished count, which the table implies and which must not be recoverable when small.
    ``total_row`` names the row that is the sum of the others in every count column (and
    every unpublished count). ``derived`` maps a rate, share or ratio column to the counts it
    is computed from: it is withheld whenever one of them is.
    """

    count_columns: tuple[str, ...]
    row_sums: tuple[tuple[str, tuple[str, ...]], ...] = ()
    total_row: str | None = None
    derived: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def unpublished_columns(self) -> tuple[str, ...]:
        parts = (p for _, ps in self.row_sums for p in ps)
        return tuple(dict.fromkeys(p for p in parts if p not in self.count_columns))

    def sums(self, row_labels: Sequence[str]) -> list[Sum]:
        out = [
            Sum((row, total), tuple((row, part) for part in parts))
            for row in row_labels
            for total, parts in self.row_sums
        ]
        if self.total_row is not None:
            body = [r for r in row_labels if r != self.total_row]
            out += [
                Sum((self.total_row, column), tuple((r, column) for r in body))
                for column in (*self.count_columns, *self.unpublished_columns)
            ]
        return out

    def renamed(self, names: Mapping[str, str]) -> Layout:
        """The same layout in other column names (database names -> headers)."""

        def n(column: str) -> str:
            return names.get(column, column)

        return replace(
            self,
            count_columns=tuple(n(c) for c in self.count_columns),
            row_sums=tuple((n(t), tuple(n(p) for p in ps)) for t, ps in self.row_sums),
            derived={n(d): tuple(n(s) for s in src) for d, src in self.derived.items()},
        )

    def as_dict(self) -> dict:
        return {
            "count_columns": list(self.count_columns),
            "row_sums": [{"total": t, "parts": list(ps)} for t, ps in self.row_sums],
            "unpublished_columns": list(self.unpublished_columns),
            "total_row": self.total_row,
            "derived": {d: list(src) for d, src in self.derived.items()},
        }


def protect_table(
    frame: pd.DataFrame,
    layout: Layout,
    threshold: int,
    *,
    label: str = "label",
    withheld: Collection[tuple[str, str]] = (),
) -> pd.DataFrame:
    """Primary and secondary suppression of a table of counts.

    ``frame`` has one row per table row (``label`` names it) with every count column and
    every unpublished count of the layout; ``withheld`` are cells to withhold whatever their
    value (a total another table had to withhold, so that both agree). Returns a copy in
    which withheld counts and the columns derived from them are ``None``, with
    ``withheld_columns`` (a frozenset) and ``is_suppressed`` per row.
    """
    labels = [str(v) for v in frame[label]]
    if len(set(labels)) != len(labels):
        raise ValueError(f"Row labels must be unique to protect a table: {labels}")
    records = dict(zip(labels, frame.to_dict("records"), strict=True))
    values = {
        (row, column): int(records[row][column])
        for row in labels
        for column in (*layout.count_columns, *layout.unpublished_columns)
    }
    published = {(r, c) for r, c in values if c in layout.count_columns}
    margins = {(layout.total_row, c) for c in layout.count_columns} if layout.total_row else ()
    hidden_cells = protect(
        values,
        layout.sums(labels),
        threshold,
        published=published,
        avoid=margins,
        withheld=withheld,
    )
    out = frame.copy()
    per_row = []
    for position, row in enumerate(labels):
        hidden = {column for (r, column) in hidden_cells if r == row}
        hidden |= {d for d, src in layout.derived.items() if hidden & set(src)}
        for column in hidden:
            out[column] = out[column].astype("object")
            out.iloc[position, out.columns.get_loc(column)] = None
        per_row.append(frozenset(hidden))
    out["withheld_columns"] = per_row
    out["is_suppressed"] = [bool(h) for h in per_row]
    return out


def withheld_share(shown: pd.DataFrame, original: pd.DataFrame, layout: Layout) -> float:
    """Of the non-zero counts below the total row, the share a protected table withholds."""
    body = shown.index if layout.total_row is None else shown.index[:-1]
    columns = list(layout.count_columns)
    before = original.loc[body, columns].to_numpy(dtype=float)
    after = shown.loc[body, columns].isna().to_numpy()
    nonzero = before != 0
    return float((after & nonzero).sum() / nonzero.sum()) if nonzero.any() else 0.0


T = TypeVar("T")


def choose_grouping(
    levels: Sequence[T], protect_level: Callable[[T], float], max_withheld_share: float
) -> tuple[T, bool]:
    """The finest level whose table withholds at most ``max_withheld_share`` of its counts.

    ``protect_level`` protects the table at a level and returns its withheld share. Returns
    the level and whether it is coarser than the first (so the section can say so); when even
    the coarsest is mostly withheld it is still used (withheld cells stay withheld).
    """
    for position, level in enumerate(levels):
        if protect_level(level) <= max_withheld_share or position == len(levels) - 1:
            return level, position > 0
    raise ValueError("choose_grouping needs at least one level")


# --------------------------------------------------------------------------- auditing outputs


_COUNT = re.compile(r"^-?[\d,]+$")


def parse_count(text: str) -> float | None:
    """A count as shown ("1,234"); ``None`` for the suppression mark."""
    text = str(text).strip()
    if text == SUPPRESSED_MARK:
        return None
    if not _COUNT.match(text):
        raise ValueError(f"Not a count as reports show them: {text!r}")
    return float(text.replace(",", ""))


@dataclass(frozen=True)
class Problem:
    """One way a shown table discloses something; never carries the disclosed value."""

    cell: tuple[str, str]
    kind: str

    def __str__(self) -> str:
        return f"{self.kind}: row {self.cell[0]!r}, column {self.cell[1]!r}"


def audit_table(
    rows: Sequence[Sequence[object]],
    headers: Sequence[str],
    layout: Layout,
    threshold: int,
) -> list[Problem]:
    """Check a table as shown: no count in 1..threshold, nothing derived from a withheld count,
    no withheld count and no small unpublished count recoverable from the sums."""
    column = {h: i for i, h in enumerate(headers)}
    labels = [str(r[0]) for r in rows]
    problems: list[Problem] = []
    values: dict[Cell, float | None] = {}
    for label, row in zip(labels, rows, strict=True):
        for name in layout.count_columns:
            shown = row[column[name]]
            value = shown if isinstance(shown, int | float) else parse_count(str(shown))
            values[(label, name)] = value
            if value is not None and 1 <= value <= threshold:
                problems.append(Problem((label, name), "small count shown"))
        for name, sources in layout.derived.items():
            withheld_source = any(values[(label, s)] is None for s in sources)
            if withheld_source and str(row[column[name]]).strip() not in NOT_SHOWN_MARKS:
                problems.append(Problem((label, name), "derived from a withheld count"))
    recovered = recover(values, layout.sums(labels))
    for cell, value in sorted(recovered.items(), key=repr):
        if cell in values:
            problems.append(Problem(cell, "withheld count recoverable"))
        elif 1 <= round(value) <= threshold:
            problems.append(Problem(cell, "small unpublished count recoverable"))
    return problems
