"""The column dictionary: every analytics column defined once (name, type, unit, meaning).

``sql/columns.toml`` holds the definitions; each mart's ``<model>.toml`` lists the columns
its view has (``columns = [...]``) and may override a description (``[overrides]``) where
the general one would mislead, never a type. The warehouse checks every mart against it
when the mart is built (:func:`conform`): a column missing from the dictionary or from the
view's list, or whose type differs from the dictionary's, stops the build with the model's
name. Python models return pandas frames, whose types are coarser than SQL's (an integer
is always BIGINT, a date a TIMESTAMP), so a safe widening or narrowing within one family is
applied rather than refused; anything else (text where a number belongs) is an error.

A column that is a statistic of people's own values (a mean of years in rank, a sum of
FTE), not a count of people, names the count column of the people it is over
(``people_count = "promoted_count"``). Over fewer than the disclosure threshold of people
such a value is one person's own (the only promoted Superintendent's years in rank, to the
day), so the analysts' database withholds it there (:func:`withheld_select`, applied by
``warehouse.publish_analytics_views`` and to the mart tables the database copies); a view
that lists such a column must list its count too.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import NamedTuple

from pipeline.config import SQL_DIR

DICTIONARY_PATH = SQL_DIR / "columns.toml"
TYPES = frozenset({"DATE", "VARCHAR", "BIGINT", "INTEGER", "DOUBLE", "BOOLEAN"})
_FAMILIES = {
    "BIGINT": "integer",
    "INTEGER": "integer",
    "HUGEINT": "integer",
    "SMALLINT": "integer",
    "TINYINT": "integer",
    "UBIGINT": "integer",
    "UINTEGER": "integer",
    "DOUBLE": "real",
    "FLOAT": "real",
    "DATE": "date",
    "TIMESTAMP": "date",
    "TIMESTAMP_NS": "date",
    "TIMESTAMP_MS": "date",
    "TIMESTAMP_S": "date",
    "VARCHAR": "text",
    "BOOLEAN": "flag",
}


@dataclass(frozen=True)
class NamingRule:
    """A column named by one of ``patterns`` (``*_count``, ``is_*``, ``headcount``) has one
    of ``types`` and one of ``units``. ``docs/analysts.md`` shows these rules as a table
    ("Column names"), which the tests compare with :data:`NAMING`."""

    patterns: tuple[str, ...]
    types: tuple[str, ...]
    units: tuple[str, ...]

    def matches(self, name: str) -> bool:
        for pattern in self.patterns:
            if pattern.startswith("*") and name.endswith(pattern[1:]):
                return True
            if pattern.endswith("*") and name.startswith(pattern[:-1]):
                return True
            if name == pattern:
                return True
        return False


FRACTION = "fraction (0 to 1)"
"""The unit of a share or a rate: a value from 0 to 1. A figure that can be below 0 or above
1 (a difference of two shares, a change) is not in this unit, and so not a ``*_share``."""

NAMING = (
    NamingRule(("*_date",), ("DATE",), ("date",)),
    NamingRule(("*_count", "headcount"), ("BIGINT", "INTEGER"), ("people", "rows", "items")),
    NamingRule(("*_share", "*_rate"), ("DOUBLE",), (FRACTION,)),
    NamingRule(("*_gap", "*_change"), ("DOUBLE",), ("difference of fractions", "fraction a year")),
    NamingRule(("*_ratio",), ("DOUBLE",), ("ratio",)),
    NamingRule(("is_*", "has_*"), ("BOOLEAN",), ("flag",)),
    NamingRule(("*_code",), ("VARCHAR",), ("code",)),
    NamingRule(("*_label",), ("VARCHAR",), ("label",)),
)
"""The naming contract, checked over the whole dictionary by :func:`naming_problems`."""

NAMED_TYPES = {"DATE": NAMING[0], "BOOLEAN": NAMING[5]}
"""Types every column of which is named by its rule: a date is ``*_date``, a boolean
``is_*``/``has_*``."""


def naming_problems(definitions: dict[str, ColumnDefinition]) -> list[str]:
    """Every column that breaks the naming contract (:data:`NAMING`): a name whose rule
    gives another type or unit, a date or boolean not named as one, and a column in
    :data:`FRACTION` whose description gives it in percentage points (a difference of
    fractions, which can be below 0)."""
    problems = []
    for name, column in definitions.items():
        for rule in NAMING:
            if rule.matches(name) and (
                column.type not in rule.types or column.unit not in rule.units
            ):
                problems.append(
                    f"{name} is {column.type} in {column.unit!r}, but {'/'.join(rule.patterns)}"
                    f" is {' or '.join(rule.types)} in {' or '.join(map(repr, rule.units))}"
                )
        rule = NAMED_TYPES.get(column.type)
        if rule is not None and not rule.matches(name):
            problems.append(f"{name} is {column.type}, but not named {'/'.join(rule.patterns)}")
        if column.unit == FRACTION and "percentage point" in column.description:
            problems.append(
                f"{name} is in percentage points: a difference of fractions, not {FRACTION!r}"
            )
    return problems


class DictionaryError(Exception):
    """A column disagrees with the dictionary; the message names the model and column."""


@dataclass(frozen=True)
class ColumnDefinition:
    name: str
    type: str
    unit: str
    description: str
    people_count: str | None = None
    """For a statistic of people's own values (not a count of people): the count column,
    in the same view, of the people the value is over."""

    def comment(self, override: str | None = None) -> str:
        """The text published with ``COMMENT ON COLUMN``: the meaning and the unit."""
        return f"{override or self.description} Unit: {self.unit}."


@cache
def load(path: Path = DICTIONARY_PATH) -> dict[str, ColumnDefinition]:
    entries = tomllib.loads(path.read_text(encoding="utf-8"))
    out = {}
    for name, entry in entries.items():
        keys = set(entry) - {"people_count"}
        if keys != {"type", "unit", "description"} or entry["type"] not in TYPES:
            raise DictionaryError(
                f"{path.name}: {name} needs type (one of {sorted(TYPES)}), unit and description"
                " (and, for a statistic of people's own values, people_count)"
            )
        out[name] = ColumnDefinition(
            name, entry["type"], entry["unit"], entry["description"], entry.get("people_count")
        )
    for definition in out.values():
        count = out.get(definition.people_count) if definition.people_count else None
        if definition.people_count and (
            count is None or count.unit != "people" or _FAMILIES[count.type] != "integer"
        ):
            raise DictionaryError(
                f"{path.name}: {definition.name}: people_count = {definition.people_count!r} "
                "must name a whole-number column of people in the dictionary"
            )
    return out


def withheld_select(columns: Iterable[str], min_people: int | None) -> list[str]:
    """The select list that publishes ``columns``, each statistic of people's own values
    (one with a ``people_count``) withheld (null) where it is over 1 to ``min_people`` - 1
    people: over so few it is someone's own value. A value over nobody is kept (there is
    nothing of anyone's in it); ``None`` withholds nothing (the private history, whose only
    reader, the report, withholds such a figure with its count)."""
    dictionary = load()
    out = []
    for column in columns:
        definition = dictionary.get(column)
        count = definition.people_count if definition is not None else None
        if count is None or min_people is None:
            out.append(column)
        else:
            out.append(
                f"case when {count} = 0 or {count} >= {int(min_people)} then {column} end "
                f"as {column}"
            )
    return out


@dataclass(frozen=True)
class ViewDocs:
    """A mart's ``.toml``: its description, its columns in order, its overrides."""

    model: str
    description: str
    columns: tuple[str, ...]
    overrides: dict[str, str]

    @classmethod
    def read(cls, path: Path) -> ViewDocs:
        docs = tomllib.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
        if "description" not in docs or "columns" not in docs:
            raise DictionaryError(f"{path.name}: give the view's description and columns = [...]")
        unknown = set(docs) - {"description", "columns", "overrides"}
        if unknown:
            raise DictionaryError(f"{path.name}: unknown key(s) {sorted(unknown)}")
        overrides = docs.get("overrides", {})
        stray = set(overrides) - set(docs["columns"])
        if stray:
            raise DictionaryError(f"{path.name}: overrides for columns it does not list: {stray}")
        dictionary = load()
        uncounted = [
            f"{c} (its people_count, {dictionary[c].people_count})"
            for c in docs["columns"]
            if c in dictionary
            and dictionary[c].people_count
            and dictionary[c].people_count not in docs["columns"]
        ]
        if uncounted:
            raise DictionaryError(
                f"{path.name}: lists a statistic of people's own values without the count of "
                f"the people it is over: {', '.join(uncounted)}"
            )
        return cls(path.stem, docs["description"], tuple(docs["columns"]), dict(overrides))

    def comment(self, column: str) -> str:
        return load()[column].comment(self.overrides.get(column))


class Cast(NamedTuple):
    """A column to cast to the dictionary's type, and what its values must satisfy first:
    ``integral`` (a float column holding whole numbers, as pandas stores integers with
    gaps) or ``all_null`` (a column with no value, whose type pandas could not know)."""

    type: str
    condition: str | None = None


def casts_needed(docs: ViewDocs, actual: list[tuple[str, str]]) -> dict[str, Cast]:
    """The columns to cast to the dictionary's type, given the model's ``(name, type)``
    output; raises when a column is unknown, unlisted, missing, or of another family."""
    dictionary = load()
    names = [name for name, _ in actual]
    problems = []
    unlisted = [n for n in names if n not in docs.columns]
    missing = [n for n in docs.columns if n not in names]
    if unlisted:
        problems.append(f"column(s) {', '.join(unlisted)} not listed in {docs.model}.toml")
    if missing:
        problems.append(f"listed column(s) {', '.join(missing)} not produced by the model")
    casts = {}
    for name, sql_type in actual:
        definition = dictionary.get(name)
        if definition is None:
            problems.append(f"column {name} is not in the dictionary (sql/columns.toml)")
            continue
        base = sql_type.split("(")[0].upper()
        family, wanted = _FAMILIES.get(base), _FAMILIES[definition.type]
        if base == definition.type:
            continue
        if family == wanted or (family == "integer" and wanted == "real"):
            casts[name] = Cast(definition.type)
        elif family == "real" and wanted == "integer":
            casts[name] = Cast(definition.type, "integral")
        elif base in ("VARCHAR", '"NULL"', "NULL"):
            casts[name] = Cast(definition.type, "all_null")
        else:
            problems.append(
                f"column {name} is {sql_type}, but the dictionary says {definition.type}"
            )
    if problems:
        raise DictionaryError(f"{docs.model}: " + "; ".join(problems))
    return casts
