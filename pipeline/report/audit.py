"""The disclosure audit: reads every output a run wrote and proves, with integer
programming over all of them together, that nothing withheld can be worked out.

It is independent of the protection (:func:`pipeline.disclosure.protect`): it never asks
which cells the protection withheld, but reads the page, every CSV, every workbook sheet
and ``summary.json`` back, checks that they show the same values, and then treats what
they show as an attacker would. Every count shown is fixed; every relation between cells
(:func:`pipeline.disclosure.derive_relations`, from the cells' meanings alone, the flow
between snapshots included, its residual known when the true values are given) holds; every
shown percentage, rate, ratio to the population and gap to parity constrains its counts to
within its rounding; counts are whole numbers, never negative, and a count a table would
have listed had anyone been in it is 0. Then for every withheld count, and every
unpublished count of an ethnic group from 1 to the threshold, it looks for a second whole-
number solution that gives it another value (``scipy.optimize.milp``): if there is none,
the cell is recoverable and the run fails. Likewise for the sum of a total's two or more
unknown parts when it is a count of an ethnic group (one group, or ethnic-minority groups:
:func:`pipeline.disclosure.a_group_count`): from the shown values when the total is shown
(:func:`small_sums_of_unknown_parts`), by its minimum and maximum when it is not. A
statistic shown (a ratio of two rates, an
interval, a p-value) must rest on counts a reader can pin down exactly.

Cost: the unknown cells split into independent components (a shown count separates
them); in each, a few solutions with random objectives settle most cells at once, and
only the rest get a minimisation and a maximisation of their own.
"""

from __future__ import annotations

import csv
import functools
import json
import math
import re
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp

from pipeline.disclosure import (
    NOT_SHOWN_MARKS,
    Key,
    LinearSystem,
    Relation,
    Universe,
    a_group_count,
    derive_relations,
    implied_by_a_shown_zero,
    is_ethnic,
    is_flow_residual,
    known_zeros,
    row_totals,
    small_group_subsets,
    small_group_within,
    solving,
    sum_cell,
    zero_totals,
)
from pipeline.report.declared import (
    INTERVAL_KINDS,
    LINEAR_KINDS,
    NOT_APPLICABLE,
    PERCENT_KINDS,
    UNBOUNDED,
    WITHHELD,
    Column,
    DeclaredTable,
    Withheld,
    from_manifest,
)
from pipeline.safe_text import safe_cell


class DisclosureAuditError(Exception):
    """The outputs would disclose something: the run fails and nothing is published."""


@dataclass(frozen=True)
class Problem:
    """One way the outputs disclose something (or disagree); never carries a withheld value."""

    where: str
    kind: str
    key: Key | None = None
    """The cell that can be worked out, where there is one."""

    def __str__(self) -> str:
        return f"{self.kind}: {self.where}"


# --------------------------------------------------------------------------- reading outputs


def _number(text: str) -> float:
    return float(text.replace(",", "").rstrip("%"))


def parse_html_cell(column: Column, text: str):
    """A cell of the page back into the value it shows."""
    text = " ".join(str(text).split())
    if text in NOT_SHOWN_MARKS:
        return WITHHELD if text == WITHHELD.mark else NOT_APPLICABLE
    if column.kind in ("label", "text"):
        return text
    if column.kind in ("count", "gap", "number"):
        return int(_number(text))
    if column.kind in INTERVAL_KINDS:
        lower, _, upper = text.partition(" to ")
        if column.kind == "percent_interval":
            return (_number(lower), _number(upper))
        return (_bound(lower), _bound(upper))
    if column.kind == "p_value":
        found = re.findall(r"p ([=<]) ([\d.]+)", text)
        if not found:
            raise ValueError(f"not a p-value as the page writes it: {text!r}")
        values = tuple(-float(v) if sign == "<" else float(v) for sign, v in found)
        return values if len(values) > 1 or column.adjusted else values[0]
    return _number(text)


def _bound(text) -> float:
    return math.inf if str(text).strip() == UNBOUNDED else float(text)


def parse_export_cells(column: Column, values: Sequence) -> object:
    """A column's cells of a CSV row or a workbook row back into the value they show."""
    texts = [v if not isinstance(v, str) else v.strip() for v in values]
    if any(isinstance(v, str) and v in NOT_SHOWN_MARKS for v in texts):
        marks = {v for v in texts if isinstance(v, str) and v in NOT_SHOWN_MARKS}
        return WITHHELD if WITHHELD.mark in marks else NOT_APPLICABLE
    if column.kind in ("label", "text"):
        return "" if texts[0] is None else str(texts[0])
    if column.kind in ("count", "gap", "number"):
        return int(float(texts[0]))
    if column.kind == "interval":
        return (_bound(texts[0]), _bound(texts[1]))
    if column.kind == "percent_interval":
        return (float(texts[0]), float(texts[1]))
    if column.kind == "p_value" and len(texts) > 1:
        return tuple(float(t) for t in texts if t not in (None, ""))
    return float(texts[0])


def _same(column: Column, a, b) -> bool:
    if isinstance(a, Withheld) or isinstance(b, Withheld):
        return a is b
    if column.kind == "p_value":
        # The page writes "p = 0.046" (three decimals) or "p < 0.001" (read as -0.001),
        # the adjusted value after the raw one; the exports hold numbers to four figures.
        a, b = (a if isinstance(a, tuple) else (a,)), (b if isinstance(b, tuple) else (b,))
        pairs = zip(a, b, strict=False)  # the page leaves the adjusted value out for one
        return all(_same_p(x, y) for x, y in pairs)
    if column.kind == "interval":
        return all(x == y or abs(x - y) < 1e-9 for x, y in zip(a, b, strict=True))
    if column.kind == "percent_interval":
        return all(abs(x - y) < 1e-6 for x, y in zip(a, b, strict=True))
    if isinstance(a, float) or isinstance(b, float):
        return abs(float(a) - float(b)) < 1e-6
    if column.kind in ("label", "text"):
        return _same_text(a, b)
    return a == b


def _same_text(a, b) -> bool:
    """The same text as two outputs show it: the page collapses runs of spaces, and a CSV
    puts an apostrophe before text a spreadsheet would run (:func:`safe_cell`)."""
    a, b = " ".join(str(a).split()), " ".join(str(b).split())
    return a == b or safe_cell(a) == b or a == safe_cell(b)


def _same_p(a: float, b: float) -> bool:
    if a < 0 and b < 0:
        return a == b
    if a < 0 or b < 0:
        bound, number = (-a, b) if a < 0 else (-b, a)
        return number < bound
    return abs(a - b) <= 5e-4 + 1e-12


class _Page(HTMLParser):
    """Tables by id (rows of cell texts), prose by class, every visible text, every URL."""

    PROSE = frozenset(
        {"findings", "changes", "caveats", "message", "chart-title", "table-note", "marking"}
    )

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self.prose: list[str] = []
        self.text: list[str] = []
        self.urls: list[str] = []
        self.tags: list[str] = []
        self._table: str | None = None
        self._cell: list[str] | None = None
        self._prose_depth = 0
        self._stack: list[bool] = []
        self._skip = 0

    VOID = frozenset({"br", "img", "meta", "link", "input", "path", "use", "hr"})

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        self.tags.append(tag)
        for name in ("src", "href", "data", "action", "poster"):
            if attributes.get(name):
                self.urls.append(attributes[name])
        if tag in ("style", "script", "metadata"):
            self._skip += 1
        if tag == "table":
            self._table = attributes.get("id", f"table-{len(self.tables)}")
            self.tables[self._table] = []
        elif tag == "tr" and self._table:
            self.tables[self._table].append([])
        elif tag in ("td", "th") and self._table:
            self._cell = []
        classes = set((attributes.get("class") or "").split())
        is_prose = bool(classes & self.PROSE) or attributes.get("id", "").endswith("-desc")
        if tag not in self.VOID:
            self._stack.append(is_prose)
            if is_prose:
                self._prose_depth += 1
                self.prose.append("")

    def handle_endtag(self, tag):
        if tag in ("style", "script", "metadata"):
            self._skip -= 1
        if tag in ("td", "th") and self._table and self._cell is not None:
            self.tables[self._table][-1].append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "table":
            self._table = None
        if tag not in self.VOID and self._stack and self._stack.pop():
            self._prose_depth -= 1

    def handle_data(self, data):
        if self._skip:
            return
        self.text.append(data)
        if self._cell is not None:
            self._cell.append(data)
        if self._prose_depth:
            self.prose[-1] += data


def read_page(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page


def _read_csv(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    while rows and rows[0] and rows[0][0].startswith("#"):  # the marking, above the header
        rows = rows[1:]
    return rows


@dataclass
class Outputs:
    """Every table as each output shows it: ``shown[output][table id]`` is a list of rows of
    shown values (one per declared column); and every sentence the outputs print."""

    shown: dict[str, dict[str, list[list]]]
    prose: list[str]
    problems: list[Problem]
    texts: list[str] = field(default_factory=list)
    """Every cell of every table on the page, as written."""


def read_outputs(folder: Path, tables: Sequence[DeclaredTable], workbook_name: str) -> Outputs:
    """Read the page, every CSV, the workbook and summary.json back."""
    from openpyxl import load_workbook

    problems: list[Problem] = []
    shown: dict[str, dict[str, list[list]]] = defaultdict(dict)
    page = read_page(folder / "index.html")
    manifest = json.loads((folder / "tables.json").read_text(encoding="utf-8"))
    entries = {e["id"]: e for e in manifest["tables"]}
    workbook = load_workbook(folder / workbook_name, read_only=False)
    for table in tables:
        entry = entries.get(table.id)
        if entry is None or entry["headers"] != table.headers:
            problems.append(Problem(table.id, "tables.json does not describe the table"))
            continue
        html = page.tables.get(f"{table.id}-table")
        if html is None:
            problems.append(Problem(table.id, "table missing from index.html"))
        else:
            header, *rows = html
            if header != table.headers or len(rows) != len(table.frame):
                where = f"index.html {table.id}"
                problems.append(Problem(where, "table differs from its declaration"))
            else:
                shown["index.html"][table.id] = [
                    [parse_html_cell(c, t) for c, t in zip(table.columns, r, strict=True)]
                    for r in rows
                ]
        csv_rows = _read_csv(folder / "csv" / f"{table.id}.csv")
        shown[f"csv/{table.id}.csv"][table.id] = _export_values(
            table, csv_rows, f"csv/{table.id}.csv", problems
        )
        sheet = workbook[entry["sheet"]]
        (excel_table,) = sheet.tables.values()
        cells = [[c.value for c in row] for row in sheet[excel_table.ref]]
        cells = [cells[0], *(r for r in cells[1:] if any(v is not None for v in r))]
        cells = [cells[0], *([_percent_back(table, r) for r in cells[1:]])]
        shown[workbook_name][table.id] = _export_values(
            table, cells, f"{workbook_name} {entry['sheet']}", problems
        )
    summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    headline = summary.get("headline") or {}
    if headline:
        table = next((t for t in tables if t.id == headline["table"]), None)
        if table is None or len(headline["rows"]) != len(table.frame):
            problems.append(Problem("summary.json headline", "table differs from its declaration"))
        else:
            shown["summary.json"][table.id] = [
                [_json_back(c, row.get(c.name)) for c in table.columns] for row in headline["rows"]
            ]
    texts = [cell for rows in page.tables.values() for row in rows for cell in row]
    prose = [p for p in page.prose if p.strip()]
    for part in ("findings", "changes", "caveats"):
        prose += summary.get(part, [])
    return Outputs(dict(shown), prose, problems, texts)


def _percent_back(table: DeclaredTable, row: list) -> list:
    """The workbook holds shares as fractions (formatted as percentages); back to percent."""
    out = list(row)
    position = 0
    for column in table.columns:
        width = len(column.export_headers())
        for offset in range(width):
            if column.kind in PERCENT_KINDS and isinstance(out[position + offset], int | float):
                out[position + offset] = round(out[position + offset] * 100, 6)
        position += width
    return out


def _json_back(column: Column, value):
    if value is None:
        return WITHHELD
    if value == NOT_APPLICABLE.mark:
        return NOT_APPLICABLE
    if column.kind in ("share", "percent"):
        return round(float(value) * 100, 6)
    if column.kind == "percent_interval":
        return tuple(round(float(v) * 100, 6) for v in value)
    if column.kind == "interval":
        return tuple(value)
    return value


def _export_values(table: DeclaredTable, rows: list[list], where: str, problems) -> list[list]:
    header, *body = rows
    expected = table.export_headers()
    same_header = len(header) == len(expected) and all(
        _same_text(h, e) for h, e in zip(header, expected, strict=True)
    )
    if not same_header or len(body) != len(table.frame):
        problems.append(Problem(where, "table differs from its declaration"))
        return []
    out = []
    for row in body:
        values, position = [], 0
        for column in table.columns:
            width = len(column.export_headers())
            values.append(parse_export_cells(column, row[position : position + width]))
            position += width
        out.append(values)
    return out


# --------------------------------------------------------------------------- what is published


@dataclass
class Publication:
    """Everything the outputs show, as an attacker has it."""

    shown: dict[Key, int]
    withheld: set[Key]
    linear: list[tuple[str, tuple[Key, ...], float, float, float | None, str]]
    """(kind, counts, shown value, per, constant, where) for percentages, rates, ratios to
    the population and gaps to parity: each a constraint on its counts."""
    statistics: list[tuple[tuple[Key, ...], str]]
    """(counts, where) for every statistic shown: its counts must be pinned down."""
    where: dict[Key, str]
    denominators: dict[Key, set[Key]] = field(default_factory=dict)
    """For a count, the counts a published figure divides it by (shown or not): the
    totals a 0 is read against, with the cells that hold it."""
    unkeyed: list[tuple[int, str]] = field(default_factory=list)
    """(shown value, where) of every count shown without a declared cell: none may be small
    either."""


def publication(
    tables: Sequence[DeclaredTable], outputs: Outputs
) -> tuple[Publication, list[Problem]]:
    """The union of what every output shows, with a problem wherever two outputs disagree
    (then the more revealing value counts: the attacker has both)."""
    problems: list[Problem] = []
    result = Publication({}, set(), [], [], {})
    for table in tables:
        versions = [(name, per[table.id]) for name, per in outputs.shown.items() if table.id in per]
        if not versions:
            continue
        reference_name, reference = versions[0]
        for position in range(len(table.frame)):
            label = table.labels[position]
            for index, column in enumerate(table.columns):
                values = [(name, rows[position][index]) for name, rows in versions if rows]
                for name, value in values[1:]:
                    if not _same(column, values[0][1], value):
                        problems.append(
                            Problem(
                                f"{table.id}, row {label!r}, column {column.header!r}: "
                                f"{values[0][0]} and {name}",
                                "outputs disagree",
                            )
                        )
                shown_value = next(
                    (v for _, v in values if not isinstance(v, Withheld)), values[0][1]
                )
                where = f"{table.id}, row {label!r}, column {column.header!r}"
                _add(result, table, position, column, shown_value, where)
        for key, totals in column_totals(table).items():
            result.denominators.setdefault(key, set()).update(totals)
    del reference_name, reference
    return result, problems


def column_totals(table: DeclaredTable) -> dict[Key, set[Key]]:
    """For each count in the body of a table with total rows, the counts of its column in
    those rows whose cell differs from it on one dimension: the total a reader reads it
    against, even where the cells do not add up to it (a selection stage's candidates,
    read against the whole process's in its "End to end" row: a 0 at the interview after
    a withheld number of applicants says that every one of them fell out before it)."""
    totals = [p for p, label in enumerate(table.labels) if label in table.total_rows]
    out: dict[Key, set[Key]] = {}
    if not totals:
        return out
    for column in table.columns:
        if column.kind != "count":
            continue
        wholes = [k for k in (table.cell_key(p, column) for p in totals) if k is not None]
        for position in range(len(table.labels)):
            key = table.cell_key(position, column)
            if key is None or position in totals:
                continue
            for whole in wholes:
                if whole != key and _one_dimension_apart(key, whole):
                    out.setdefault(key, set()).add(whole)
    return out


def _one_dimension_apart(a: Key, b: Key) -> bool:
    if a.population != b.population:
        return False
    mine, theirs = dict(a.coords), dict(b.coords)
    return sum(mine.get(d) != theirs.get(d) for d in {*mine, *theirs}) == 1


def _add(result: Publication, table: DeclaredTable, position: int, column: Column, value, where):
    if column.kind == "count":
        key = table.cell_key(position, column)
        if key is None:
            if isinstance(value, int | float) and not isinstance(value, bool):
                result.unkeyed.append((int(value), where))
            return
        result.where.setdefault(key, where)
        if value is WITHHELD:
            result.withheld.add(key)
        elif not isinstance(value, Withheld):
            if key in result.shown and result.shown[key] != value:
                raise DisclosureAuditError(f"{where}: the same cell is shown with two values")
            result.shown[key] = int(value)
        return
    sources = table.source_keys(position, column)
    if column.kind in LINEAR_KINDS and len(sources) == 2 and sources[0] != sources[1]:
        result.denominators.setdefault(sources[0], set()).add(sources[1])
    if not sources or isinstance(value, Withheld):
        return
    if column.kind in LINEAR_KINDS:
        constant = table.records[position][column.constant] if column.constant else None
        result.linear.append(
            (
                column.kind,
                sources,
                float(value),
                float(column.per),
                None if constant is None else float(constant),
                where,
            )
        )
    else:
        result.statistics.append((sources, where))


# --------------------------------------------------------------------------- integer programming


_SOLVED: dict[tuple, object] = {}
"""Integer programmes solved in this process, by their arrays (see ``_Programme.solver``)."""


class _Programme:
    """The attacker's integer programme over every cell: equalities from the relations,
    inequalities from rounded figures, shown counts and known zeros fixed."""

    def __init__(self, system: LinearSystem, fixed: dict[int, float]) -> None:
        self.system = system
        self.fixed = fixed
        self.ceiling = 10.0 * max([1000.0, *fixed.values()])
        """No count is larger: a bound far above any possible value, so that no programme
        is unbounded (a range up to it is as good as unbounded)."""
        self.rows: list[tuple[dict[int, float], float, float]] = [
            (row, 0.0, 0.0) for row in system.rows
        ]
        self.rows_of: dict[int, list[int]] = defaultdict(list)
        for r, (row, _, _) in enumerate(self.rows):
            for i in row:
                self.rows_of[i].append(r)

    def add(self, coefficients: dict[int, float], lower: float, upper: float) -> None:
        r = len(self.rows)
        self.rows.append((coefficients, lower, upper))
        for i in coefficients:
            self.rows_of[i].append(r)

    def components(self) -> list[list[int]]:
        unknown = {i for i in range(len(self.system.keys)) if i not in self.fixed}
        seen: set[int] = set()
        out = []
        for start in sorted(unknown):
            if start in seen:
                continue
            stack, component = [start], [start]
            seen.add(start)
            while stack:
                i = stack.pop()
                for r in self.rows_of.get(i, ()):
                    for j in self.rows[r][0]:
                        if j in unknown and j not in seen:
                            seen.add(j)
                            component.append(j)
                            stack.append(j)
            out.append(sorted(component))
        return out

    def solver(self, component: list[int]):
        position = {c: p for p, c in enumerate(component)}
        row_ids = sorted({r for c in component for r in self.rows_of.get(c, ())})
        matrix = np.zeros((len(row_ids), len(component)))
        lower = np.zeros(len(row_ids))
        upper = np.zeros(len(row_ids))
        for m, r in enumerate(row_ids):
            coefficients, lo, hi = self.rows[r]
            constant = 0.0
            for i, coefficient in coefficients.items():
                if i in position:
                    matrix[m, position[i]] = coefficient
                else:
                    constant += coefficient * self.fixed[i]
            lower[m], upper[m] = lo - constant, hi - constant
        constraints = [LinearConstraint(matrix, lower - 1e-9, upper + 1e-9)] if len(row_ids) else []
        floor = np.array(
            [-self.ceiling if is_flow_residual(self.system.keys[c]) else 0.0 for c in component]
        )  # a flow's residual can be negative (joiners who left within the period)

        problem = (matrix.shape, matrix.tobytes(), lower.tobytes(), upper.tobytes(),
                   floor.tobytes(), self.ceiling)  # fmt: skip

        def solve(objective: np.ndarray):
            # Speed: the audit of the outputs asks again what the audit before writing
            # asked; the same programme has the same answer.
            cached = _SOLVED.get((problem, objective.tobytes()))
            if cached is not None:
                return cached
            result = milp(
                objective,
                integrality=np.ones(len(component)),
                bounds=Bounds(floor, self.ceiling),
                constraints=constraints,
                options={"time_limit": 30},
            )
            if len(_SOLVED) > 20_000:
                _SOLVED.clear()
            _SOLVED[(problem, objective.tobytes())] = result
            return result

        return position, solve


def _bounds_differ(
    solve, size: int, p: int, value: float | None, found: Sequence[np.ndarray] = ()
) -> bool | None:
    """Whether the cell at position ``p`` can take two whole values: another than
    ``value`` (a solution known to exist), or, with no value given, a minimum and a maximum
    apart. None when the programme is infeasible (the outputs contradict the data).

    ``found`` are solutions of the same programme already found (speed: one of them may
    show it without a new programme; the bounds are at least as far apart)."""
    seen = [x[p] for x in found]
    if value is not None and any(abs(v - value) > 0.5 for v in seen):
        return True
    if value is None and seen and max(seen) - min(seen) > 0.5:
        return True
    extremes = []
    for sign in (1.0, -1.0):
        objective = np.zeros(size)
        objective[p] = sign
        result = solve(objective)
        if result.x is None:
            return None
        if value is not None and abs(result.x[p] - value) > 0.5:
            return True
        extremes.append(result.x[p])
    return value is None and extremes[1] - extremes[0] > 0.5


_DERIVED: dict[tuple[frozenset[Key], str], tuple[set[Key], list]] = {}
"""The relations last derived, by their keys and universe (see :func:`_relations`)."""


def _relations(keys: set[Key], universe: Universe) -> tuple[set[Key], list]:
    """:func:`derive_relations` of ``keys``, kept for the next call with the same keys and
    an equal universe (speed: the audit of the outputs asks what the audit before writing
    asked)."""
    state = (universe.domains, universe.rests, universe.flows, universe.equalities,
             universe.listing)  # fmt: skip
    cache_key = (frozenset(keys), repr(_canonical(state)))
    found = _DERIVED.get(cache_key)
    if found is None:
        _DERIVED.clear()
        found = _DERIVED[cache_key] = derive_relations(keys, universe)
    return set(found[0]), list(found[1])


def _canonical(value):
    """``value`` with its sets and mappings in sorted order: equal values, equal reprs."""
    if isinstance(value, Mapping):
        return tuple(sorted(((repr(k), _canonical(v)) for k, v in value.items()), key=repr))
    if isinstance(value, set | frozenset):
        return tuple(sorted((_canonical(v) for v in value), key=repr))
    if isinstance(value, list | tuple):
        return tuple(_canonical(v) for v in value)
    return value


SMALL_SUM = "withheld parts add up to a small count"
"""The kind of a problem whose key is a total less its shown parts: the sum of its other
parts, a small count of an ethnic group (:func:`small_sums_of_unknown_parts`); or the cell
that is the sum of some of a relation's unknown parts, pinned (:func:`_sums_to_bound`)."""


def small_sums_of_unknown_parts(
    relations: Sequence[Relation], published: Publication, zeros: Collection[Key], threshold: int
) -> list[Problem]:
    """A shown total less its shown parts: the sum of its other parts, a count a reader
    has. When those parts are two or more cells of one ethnic group, or of ethnic-minority
    groups however many (:func:`pipeline.disclosure.a_group_count`), the sum is a count of
    the group too ("All officers 162 - (Constable 129 + Sergeant 25 + Inspector 7) = 1
    ethnic-minority officer at Chief Inspector or above", "Chief Inspectors 40 - White 38
    = 2 Black or Mixed"), and 1 to the threshold is a problem (its key the total), though
    each part keeps a range; a sum with White or "not stated" beside another group is no
    count of a group. From the shown values alone; a total not shown but worked out is
    :func:`audit_publication`'s (its integer programme bounds the sum)."""
    problems = []
    for relation in relations:
        total = published.shown.get(relation.total)
        if total is None:
            continue
        unknown = [p for p in relation.parts if p not in published.shown and p not in zeros]
        if len(unknown) < 2 or not a_group_count(unknown):
            continue
        rest = total - sum(published.shown.get(p, 0) for p in relation.parts)
        if 1 <= rest <= threshold:
            where = published.where.get(relation.total, relation.total.id)
            problems.append(Problem(where, SMALL_SUM, relation.total))
    return problems


def _sums_to_bound(
    relations: Sequence[Relation],
    system: LinearSystem,
    fixed: Mapping[int, float],
    truth: Mapping[Key, int],
    threshold: int,
    withheld: Collection[Key],
    universe: Universe,
) -> dict[int, list[tuple[Key | Callable[[], Key], list[int], float | None]]]:
    """The relations whose total is not shown (nor known) and whose unknown parts, two or
    more, would add up to a count of an ethnic group (:func:`a_group_count`): by the
    total's cell, (total, unknown parts, their true sum or None). With the true values,
    only sums of 1 to the threshold (no other can be a problem). Also, whether the total
    is shown or not, the relations whose unknown parts are no count of a group but whose
    withheld ones, two or more, are and add up to 1 to the threshold: by the first
    withheld part's cell (the others a reader may work out, making the sum known). And
    the sets of some of a relation's unknown parts, a count of a group whose true sum is
    1 to the threshold (:func:`small_group_subsets`), which combining several relations
    may pin ("Chief Inspectors' Asian 0 + Other 3"): by the first part's cell, named by
    the cell that is their sum (:func:`_sum_key`), which the build's repair then frees."""
    out: dict[int, list[tuple[Key | Callable[[], Key], list[int], float | None]]]
    out = defaultdict(list)
    true_values = [truth.get(k) for k in system.keys]
    for relation in relations:
        total = system.index[relation.total]
        unknown = [system.index[p] for p in relation.parts]
        unknown = [i for i in unknown if i not in fixed]
        # the withheld parts alone, beside unpublished ones a reader may work out ("not
        # stated" at a rank, as all ranks' less the others shown): by a part's cell, as
        # the total may be shown
        own = small_group_within(
            [i for i in unknown if system.keys[i] in withheld],
            [i for i in unknown if system.keys[i] not in withheld],
            true_values, threshold, system.keys,
        )  # fmt: skip
        if own and len(own) < len(unknown):
            value = float(sum(truth[system.keys[i]] for i in own))
            out[own[0]].append((relation.total, own, value))
        for some in small_group_subsets(unknown, true_values, threshold, system.keys):
            if list(some) != own:
                value = float(sum(truth[system.keys[i]] for i in some))
                key = functools.partial(_sum_key, universe, [system.keys[i] for i in some])
                out[some[0]].append((key, list(some), value))  # speed: named when pinned
        if not a_group_count([system.keys[i] for i in unknown]):
            continue
        if total in fixed:
            continue  # shown: small_sums_of_unknown_parts; a known 0: its parts are all 0
        if len(unknown) < 2:
            continue
        values = [truth.get(system.keys[i]) for i in unknown]
        value = None if None in values else float(sum(values))
        if value is None and not all(system.keys[i] in withheld for i in unknown):
            continue
        if value is not None and not 1 <= value <= threshold:
            continue
        out[total].append((relation.total, unknown, value))
    return out


def _sum_key(universe: Universe, parts: Sequence[Key]) -> Key:
    """The cell that is the sum of ``parts`` (of one relation): the first with the union of
    their values on the one dimension they differ on, as the universe writes it
    (:func:`pipeline.disclosure.sum_cell` when they differ on more)."""
    first = parts[0]
    if first.population not in universe.domains or any(
        p.population != first.population for p in parts
    ):
        return sum_cell(parts)
    differ = [
        dim for dim in universe.dims(first.population) if len({p.values(dim) for p in parts}) > 1
    ]
    sets = [p.values(differ[0]) for p in parts] if len(differ) == 1 else [None]
    if None in sets:
        return sum_cell(parts)
    return universe.with_values(first, differ[0], frozenset().union(*sets))


def _sum_pinned(
    solve,
    size: int,
    positions: list[int],
    value: float | None,
    found: Sequence[np.ndarray],
    threshold: int,
) -> float | None:
    """The value from 1 to ``threshold`` the programme pins the sum of the cells at
    ``positions`` to, or None when it can take two whole values or is pinned to another
    (as :func:`_bounds_differ` for one cell: the solutions already ``found`` first, then a
    minimisation and a maximisation, only while the sum may still be small and pinned)."""
    objective = np.zeros(size)
    objective[positions] = 1.0
    seen = [float(x @ objective) for x in found]
    if value is None and seen:
        value = seen[0]
    if value is not None and not 0.5 < value < threshold + 0.5:
        return None  # pinned or not, not to a small count
    if value is not None and any(abs(v - value) > 0.5 for v in seen):
        return None
    extremes = []
    for sign in (1.0, -1.0):
        result = solve(sign * objective)
        if result.x is None:
            return None
        extremes.append(float(result.x @ objective))
        if value is not None and abs(extremes[-1] - value) > 0.5:
            return None
    if extremes[1] - extremes[0] > 0.5 or not 0.5 < extremes[0] < threshold + 0.5:
        return None
    return float(round(extremes[0]))


@solving
def audit_publication(
    tables: Sequence[DeclaredTable],
    published: Publication,
    universe: Universe,
    truth: Mapping[Key, int],
    threshold: int,
    *,
    seed: int = 0,
) -> list[Problem]:
    """Every way what is published discloses a small or withheld count."""
    problems: list[Problem] = []
    for key, value in published.shown.items():
        if 1 <= value <= threshold:
            problems.append(Problem(published.where[key], "small count shown"))
    for value, where in published.unkeyed:
        if 1 <= value <= threshold:
            problems.append(Problem(where, "small count shown (no cell declared)"))
    keys = set(published.shown) | published.withheld | set(truth)
    keys |= {k for _, sources, *_ in published.linear for k in sources}
    keys |= {k for sources, _ in published.statistics for k in sources}
    all_keys, relations = _relations(keys, universe)
    for relation in relations:
        parts = [truth.get(p) for p in relation.parts]
        total = truth.get(relation.total)
        if total is not None and None not in parts and total != sum(parts):
            problems.append(Problem(relation.total.id, "the declared cells do not add up"))
    zeros = universe.known | known_zeros(
        {k: truth.get(k) for k in all_keys},
        set(published.shown) | published.withheld,
        universe,
        relations,
    )
    problems += zeros_beside_totals(published, truth, threshold, known=zeros)
    problems += small_sums_of_unknown_parts(relations, published, zeros, threshold)
    system = LinearSystem(relations, sorted(all_keys))
    fixed: dict[int, float] = {}
    for i, key in enumerate(system.keys):
        if key in published.shown:
            fixed[i] = float(published.shown[key])
        elif key in zeros:
            fixed[i] = 0.0  # known without a count (values no table lists, and what follows)
        elif is_flow_residual(key) and truth.get(key) is not None:
            fixed[i] = float(truth[key])  # known to a reader: the strictest assumption
    programme = _Programme(system, fixed)
    for kind, sources, value, per, constant, where in published.linear:
        index = [system.index[s] for s in sources]
        for coefficients, lower, upper in _linear_constraints(kind, index, value, per, constant):
            truth_value = _evaluate(coefficients, system, truth)
            if truth_value is not None and not lower - 1e-6 <= truth_value <= upper + 1e-6:
                problems.append(Problem(where, "figure disagrees with its counts"))
            programme.add(coefficients, lower, upper)

    targets: dict[int, tuple[str, str]] = {}
    for key in published.withheld:
        targets[system.index[key]] = ("withheld count recoverable", published.where[key])
    for i, key in enumerate(system.keys):
        value = truth.get(key)
        if (
            i not in fixed
            and key not in published.withheld
            and value is not None
            and 1 <= value <= threshold
            and is_ethnic(key)
        ):
            targets[i] = ("small unpublished count recoverable", key.id)
    pinned_needed: dict[int, str] = {}
    for sources, where in published.statistics:
        for source in sources:
            i = system.index[source]
            if i not in fixed:
                pinned_needed.setdefault(i, where)
    sums = _sums_to_bound(relations, system, fixed, truth, threshold, published.withheld, universe)
    rng = np.random.default_rng(seed)
    summed_totals: set[Key] = {p.key for p in problems if p.kind == SMALL_SUM}
    for component in programme.components():
        wanted = [i for i in component if i in targets]
        must_pin = [i for i in component if i in pinned_needed]
        summed = [s for i in component if i in sums for s in sums[i]]
        if not wanted and not must_pin and not summed:
            continue
        position, solve_programme = programme.solver(component)
        size = len(component)
        found: list[np.ndarray] = []  # the solutions found so far, each a witness

        def solve(objective: np.ndarray, found=found, solve_programme=solve_programme):
            result = solve_programme(objective)
            if result.x is not None:
                found.append(result.x)
            return result

        open_targets = [i for i in wanted if truth.get(system.keys[i]) is not None]
        # Speed: one programme moves many targets at once (random directions), as long as
        # each moves some; those left are bounded one by one.
        while open_targets:
            objective = np.zeros(size)
            for i in open_targets:
                objective[position[i]] = rng.choice((-1.0, 1.0))
            result = solve(objective)
            if result.x is None:
                break
            moved = [
                i for i in open_targets if abs(result.x[position[i]] - truth[system.keys[i]]) > 0.5
            ]
            if not moved:
                break
            open_targets = [i for i in open_targets if i not in moved]
        open_targets += [i for i in wanted if truth.get(system.keys[i]) is None]
        for i in open_targets:
            differs = _bounds_differ(solve, size, position[i], truth.get(system.keys[i]), found)
            if differs is None:
                problems.append(Problem(system.keys[i].id, "the outputs contradict the data"))
            elif not differs:
                kind, where = targets[i]
                problems.append(Problem(where, kind, system.keys[i]))
        if must_pin:
            determined = system.determined(set(component)) if len(programme.rows) else set()
            for i in must_pin:
                if i in determined:
                    continue
                if _bounds_differ(solve, size, position[i], truth.get(system.keys[i]), found):
                    problems.append(
                        Problem(
                            pinned_needed[i],
                            "statistic over a count a reader cannot know",
                            system.keys[i],
                        )
                    )
        for named, parts, value in summed:
            # A total not shown but worked out (the LPUs' shown totals add up to it), less
            # its shown parts: the sum of the others is pinned, whether the relations fix
            # it or bounds do (speed: with the true values, only small sums get here, and
            # a solution already found that moves the sum settles it without a programme).
            positions = [position[i] for i in parts]
            if named in summed_totals:
                continue  # its withheld parts' sum, or all its unknown parts', already
            if _sum_pinned(solve, size, positions, value, found, threshold) is None:
                continue
            total = named if isinstance(named, Key) else named()
            if total not in summed_totals:
                problems.append(Problem(published.where.get(total, total.id), SMALL_SUM, total))
                summed_totals.add(total)
    known = {i: 0.0 for i, key in enumerate(system.keys) if key in zeros}
    return _published_adds(problems, system, known, truth)


def _published_adds(
    problems: list[Problem],
    system: LinearSystem,
    known: dict[int, float],
    truth: Mapping[Key, int],
) -> list[Problem]:
    """``problems`` without the cells a reader can pin with nothing published at all, from
    the cells ``known`` to be 0 and the relations alone (counts are never negative), which
    no withholding can hide and the outputs do not disclose.
    :func:`pipeline.disclosure.protect` leaves them too, once everything near them is
    withheld. (Not from the flows' residuals: the audit takes them to be known to be
    strict, but a reader does not know them without the counts.)"""
    pinned = [p for p in problems if p.kind in RECOVERABLE and p.key is not None]
    if not pinned:
        return problems
    prior = _Programme(system, known)
    component_of = {i: c for c in prior.components() for i in c}
    pinned_anyway = set()
    for problem in pinned:
        i = system.index[problem.key]
        component = component_of[i]
        position, solve = prior.solver(component)
        if _bounds_differ(solve, len(component), position[i], truth.get(problem.key)) is False:
            pinned_anyway.add(problem.key)
    return [p for p in problems if not (p.kind in RECOVERABLE and p.key in pinned_anyway)]


def _linear_constraints(kind, index, value, per, constant) -> list[tuple[dict, float, float]]:
    """The constraints a shown figure puts on its counts: (coefficients, lower, upper)."""
    numerator, denominator = index
    if numerator == denominator:
        return []
    if kind == "gap":
        if constant is None:
            return []
        return [({denominator: constant, numerator: -1.0}, value - 0.5, value + 0.5)]
    if kind in ("share", "rate"):
        scale = 100.0 if kind == "share" else per
        low, high = (value - 0.05) / scale, (value + 0.05) / scale
    elif kind == "ratio_to" and constant:
        low, high = (value - 0.005) * constant, (value + 0.005) * constant
    else:
        return []
    # low <= n / d <= high with d > 0:  n - low d >= 0 and n - high d <= 0
    return [
        ({numerator: 1.0, denominator: -low}, 0.0, np.inf),
        ({numerator: 1.0, denominator: -high}, -np.inf, 0.0),
    ]


def _evaluate(coefficients: dict[int, float], system: LinearSystem, truth) -> float | None:
    total = 0.0
    for i, coefficient in coefficients.items():
        value = truth.get(system.keys[i])
        if value is None:
            return None
        total += coefficient * value
    return total


ZERO_BESIDE_SMALL = "zero beside a small total"
ZERO_BESIDE_WITHHELD = "zero beside a withheld total"
ZERO_KINDS = frozenset({ZERO_BESIDE_SMALL, ZERO_BESIDE_WITHHELD})


def zeros_beside_totals(
    published: Publication,
    truth: Mapping[Key, int],
    threshold: int,
    known: Collection[Key] = frozenset(),
) -> list[Problem]:
    """A 0 shown beside a total (a cell that holds it and differs on one dimension, a
    rate's or share's denominator, or its column's count in a total row: see
    :func:`column_totals`) that is withheld or of 1..threshold people, or in a row whose
    cells add up to 1..threshold people (:func:`pipeline.disclosure.row_totals`): '0
    promoted' beside '[c] in post' says that everyone in post was not promoted, '0 ethnic
    minority' beside '[c] White' that everyone in the row is White. Not a 0 that a wider 0
    shown already says, nor one a reader knows without any count (``known``:
    :func:`pipeline.disclosure.known_zeros`). From the outputs alone (``truth`` empty)
    only withheld totals can be seen; with the true values, any total of 1..threshold
    people, published or not.
    """
    shown_zeros = [k for k, v in published.shown.items() if v == 0]
    cells = {*published.shown, *published.withheld}
    cells |= {k for k, v in truth.items() if 1 <= v <= threshold}
    totals = zero_totals(shown_zeros, cells, published.denominators)
    rows = row_totals(shown_zeros, {*published.shown, *published.withheld}, truth)
    problems = []
    for key in shown_zeros:
        if key in known or implied_by_a_shown_zero(key, shown_zeros):
            continue
        found = totals[key]
        if (
            any(1 <= truth.get(t, published.shown.get(t, 0)) <= threshold for t in found)
            or 1 <= rows.get(key, 0) <= threshold
        ):
            problems.append(Problem(published.where[key], ZERO_BESIDE_SMALL, key))
        elif any(t in published.withheld for t in found):
            problems.append(Problem(published.where[key], ZERO_BESIDE_WITHHELD, key))
    return problems


# --------------------------------------------------------------------------- sentences

_DATE = re.compile(
    r"\b\d{1,2} (January|February|March|April|May|June|July|August|September|October|"
    r"November|December) \d{4}\b"
)
_NUMBER = re.compile(r"(?<![\w.])-?\d[\d,]*(?:\.\d+)?%?(?![\w])")
ALLOWED_NUMBERS = frozenset({"1.00", "0.8", "0.80", "1.25", "95%", "100", "1,000", "0.05", "2021"})


def _numbers(text: str) -> list[str]:
    text = _DATE.sub("", text)
    text = re.sub(r"\b(19|20)\d{2}\b", "", text)  # years
    text = re.sub(r"\b[A-Z]{2,}-\d{4}\b", "", text)  # process references (INSP-2025)
    text = re.sub(r"\b[A-Z]\d\b", "", text)  # ethnicity codes (A2, W1)
    text = re.sub(r"18\+1", "", text)
    return [n.rstrip(",") for n in _NUMBER.findall(text)]


def audit_prose(sentences: Iterable[str], texts: Iterable[str], threshold: int) -> list[Problem]:
    """Every number a sentence quotes is one a table on the page shows (``texts``), or a
    constant of the method, so a sentence can never publish a count the protection did not
    see."""
    shown = set(ALLOWED_NUMBERS)
    for text in texts:
        shown.update(_numbers(text))
    problems = []
    for sentence in sentences:
        cleaned = sentence.replace(f"from 1 to {threshold}", "")
        for number in _numbers(cleaned):
            if number not in shown:
                problems.append(
                    Problem(
                        f"{sentence[:80]!r} quotes {number}",
                        "sentence quotes a figure no table shows",
                    )
                )
                break
    return problems


def in_memory(tables: Sequence[DeclaredTable]) -> Publication:
    """What the protected tables will show, before anything is written."""
    outputs = Outputs({"memory": {t.id: t.shown_rows for t in tables}}, [], [])
    published, _ = publication(tables, outputs)
    return published


RECOVERABLE = frozenset({"withheld count recoverable", "small unpublished count recoverable"})
"""The kinds whose key is a cell a reader can work out (repaired by freeing it)."""
SUM_KINDS = frozenset({SMALL_SUM})
"""The kinds whose key is a total that gives away the sum of its withheld parts (repaired
by withholding the total when shown, freeing it when worked out: see
:func:`pipeline.report.build.repairs`)."""


def audit_folder(folder: Path) -> list[Problem]:
    """Audit a report folder from its files alone, as anyone could: ``tables.json`` says
    which cell each count is and which counts each figure uses. Without the true values it
    cannot tell which unpublished counts are small, so it checks every withheld count (and
    every statistic) by the minimum and maximum the outputs allow."""
    manifest = json.loads((folder / "tables.json").read_text(encoding="utf-8"))
    summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    universe = Universe(listing=manifest.get("listing", ()))
    for population, dims in manifest["populations"].items():
        universe.add(population, **dims)
    for population, dim, values in manifest.get("rests", ()):
        universe.rests[(population, dim)].add(frozenset(values))
    for population, alias, canonical in manifest.get("equalities", ()):
        universe.same(population, alias, canonical)
    universe.known = {Key.from_id(text) for text in manifest.get("known_zeros", ())}
    tables = [from_manifest(entry) for entry in manifest["tables"]]
    return audit_report(
        folder, tables, universe, {}, summary["disclosure"]["threshold"], manifest["workbook"]
    )


def audit_report(
    folder: Path,
    tables: Sequence[DeclaredTable],
    universe: Universe,
    truth: Mapping[Key, int],
    threshold: int,
    workbook_name: str,
) -> list[Problem]:
    """Read every output of a report folder back and audit them together."""
    outputs = read_outputs(folder, tables, workbook_name)
    published, disagreements = publication(tables, outputs)
    problems = outputs.problems + disagreements
    problems += audit_publication(tables, published, universe, truth, threshold)
    problems += audit_prose(outputs.prose, outputs.texts, threshold)
    return problems
