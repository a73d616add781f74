"""The DuckDB database: connections, raw loads, models in dependency order, documentation.

Models are the files under ``sql/``: staging and intermediate SQL models become views, marts
and Python models (``<name>.py``, for statistics SQL can't compute exactly) become tables,
and every mart is exposed as a documented view in the ``analytics`` schema, the interface
analysts and the report read. A SQL model may declare another materialisation in a comment
line of its own, ``-- materialized: table`` (dbt's ``materialized`` config): a view that
several models read is then computed once per build instead of once per reader.
"""

from __future__ import annotations

import functools
import graphlib
import importlib.util
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import duckdb
import pandas as pd

from pipeline import codes, comparisons, groupings, monitoring, targets
from pipeline.config import SQL_DIR, Settings
from pipeline.dictionary import DictionaryError, ViewDocs, casts_needed, withheld_select
from pipeline.schemas import (
    EXTRACT_COLUMNS,
    KEY_COLUMN_FOR_ID,
    STORED_INSTEAD,
    not_stored,
    rank_order,
)

STORAGE_VERSION = "v1.5.0"
"""Written so that the duckdb-cli analysts install from PyPI (1.5.x) can open the file."""
SCHEMAS = ("raw", "ref", "staging", "intermediate", "marts", "analytics", "ops")
LAYERS = {"staging": "view", "intermediate": "view", "marts": "table"}
_REFERENCE = re.compile(r"\b(raw|ref|staging|intermediate|marts|ops)\.([a-z_][a-z0-9_]*)\b")
_RELATION = re.compile(r"[a-z_]+\.[a-z_][a-z0-9_]*")
_MATERIALIZED = re.compile(r"^--\s*materialized:\s*(\S+)\s*$", re.MULTILINE)
MATERIALIZATIONS = {"staging": ("view", "table"), "intermediate": ("view", "table"),
                    "marts": ("table",)}  # fmt: skip
"""What a SQL model of each layer may declare: a mart is a table, as the analysts' database
copies the marts' tables (:func:`pipeline.history.export_published`)."""
_NO_DOWNLOADS = {"autoinstall_known_extensions": False, "autoload_known_extensions": False}


class ModelError(Exception):
    """A SQL model failed; the message names the file."""


@contextmanager
def connect(
    path: Path, read_only: bool = False, memory_limit: str | None = None
) -> Iterator[duckdb.DuckDBPyConnection]:
    """A connection to the database file that never downloads an extension.

    The file is attached rather than opened directly so that a new file is created in a
    storage version older DuckDB clients can read; DETACH releases the file lock at once.
    With ``memory_limit`` (``[resources] memory_limit``), DuckDB keeps under it by spilling
    to ``<database>.tmp`` beside the file (the build folder, removed with it).
    """
    config = dict(_NO_DOWNLOADS)
    if memory_limit is not None:
        config |= {"memory_limit": memory_limit, "temp_directory": f"{path}.tmp"}
    con = duckdb.connect(config=config)
    options = "READ_ONLY" if read_only else f"STORAGE_VERSION '{STORAGE_VERSION}'"
    try:
        con.execute(f"ATTACH '{_quote(path)}' AS warehouse ({options})")
        con.execute("USE warehouse")
        yield con
    finally:
        try:
            con.execute("USE memory")
            con.execute("DETACH DATABASE IF EXISTS warehouse")
        finally:
            con.close()


def _quote(path: Path) -> str:
    return str(path).replace("'", "''")


def create_schemas(con: duckdb.DuckDBPyConnection) -> None:
    for schema in SCHEMAS:
        con.execute(f"create schema if not exists {schema}")


def replace_table(con: duckdb.DuckDBPyConnection, name: str, frame: pd.DataFrame) -> None:
    """Create or replace ``schema.table`` from a frame (reference data, small tables)."""
    con.register("_frame", frame)
    try:
        con.execute(f"create or replace table {name} as select * from _frame")
    finally:
        con.unregister("_frame")


def load_code_tables(con: duckdb.DuckDBPyConnection, settings: Settings) -> None:
    """The code lists the models join to, from codes.py and the force's configuration."""
    replace_table(
        con,
        "ref.ethnicities",
        pd.DataFrame(codes.ETHNICITIES)
        .assign(is_stated=lambda f: f["code"] != codes.NOT_STATED)
        .rename(columns={"code": "ethnicity_code", "label": "ethnicity_label"}),
    )
    replace_table(con, "ref.groupings", groupings.groupings_frame(settings))
    replace_table(con, "ref.grouping_members", groupings.grouping_members_frame(settings))
    replace_table(con, "ref.grouping_levels", groupings.grouping_levels_frame(settings))
    replace_table(
        con,
        "ref.ranks",
        pd.DataFrame(
            [(w, r, o) for (w, r), o in rank_order(settings).items()],
            columns=["worker_type", "rank_or_band", "rank_order"],
        ),
    )
    replace_table(
        con,
        "ref.worker_types",
        pd.DataFrame(
            list(codes.WORKER_TYPES.items()), columns=["worker_type", "worker_type_label"]
        ),
    )
    replace_table(
        con,
        "ref.departments",
        pd.DataFrame(
            [(d.name, d.is_specialist) for d in settings.codes.departments],
            columns=["department", "is_specialist"],
        ).astype({"department": "str", "is_specialist": "bool"}),
    )
    replace_table(con, "ref.comparison_groups", comparisons.comparison_groups_frame(settings))
    replace_table(con, "ref.comparison_members", comparisons.comparison_members_frame(settings))
    replace_table(con, "ref.selection_outcomes", comparisons.selection_outcomes_frame(settings))
    replace_table(con, "ref.fairness_settings", comparisons.fairness_settings_frame(settings))
    for name, frame in monitoring.reference_tables(settings).items():
        replace_table(con, name, frame)
    replace_table(con, "ref.targets", targets.targets_frame(settings))
    replace_table(con, "ref.projection_groups", targets.projection_groups_frame(settings))
    replace_table(con, "ref.projection_settings", targets.projection_settings_frame(settings))
    contracts = settings.contracts
    replace_table(
        con,
        "ref.movements_coverage_settings",
        pd.DataFrame(
            [(contracts.movements_gap_days, contracts.movements_gap_chance)],
            columns=["movements_gap_days", "movements_gap_chance"],
        ),
    )


_SQL_TYPES = {
    "id": "varchar",
    "date": "timestamp",
    "code": "varchar",
    "text": "varchar",
    "int": "bigint",
    "number": "double",
    "flag": "boolean",
    "year": "bigint",
}


def create_raw_tables(con: duckdb.DuckDBPyConnection) -> None:
    """Every extract's raw table exists, even before its first file, so models always build.
    It holds the stored columns: what is read, minus what minimisation replaces
    (``schemas.STORED_INSTEAD``)."""
    for kind, columns in EXTRACT_COLUMNS.items():
        typed = [
            f"{KEY_COLUMN_FOR_ID.get(c.name, c.name) if c.type == 'id' else c.name} "
            f"{_SQL_TYPES[c.type]}"
            for c in columns
            if c.name not in not_stored(kind)
        ]
        derived = [f"{name} varchar" for name in STORED_INSTEAD.get(kind, {})]
        metadata = [
            "source_row bigint",
            "source_file varchar",
            "source_file_hash varchar",
            "run_id varchar",
            "loaded_at timestamptz",
        ]
        con.execute(
            f"create table if not exists raw.{kind} ({', '.join(typed + derived + metadata)})"
        )
        # A column read since the database was first built (e.g. joiners' entry_route) is
        # added empty; a derived band is not: history.minimise_stored derives it from the
        # dates it replaces, which an empty column would stop.
        for column in typed:
            con.execute(f"alter table raw.{kind} add column if not exists {column}")


@dataclass(frozen=True)
class Model:
    """One model file: SQL (``select ...``) or Python (dbt-style, for what SQL can't do exactly).

    A Python model is a ``<name>.py`` beside the SQL models that defines ``DEPENDS_ON`` (the
    relations it reads, e.g. ``["marts.selection_rates"]``) and ``model(con)`` returning a
    pandas frame; it is materialised as a table in its layer, in the same dependency order.
    """

    layer: str
    name: str
    path: Path
    sql: str
    depends_on: frozenset[str] = frozenset()

    @property
    def relation(self) -> str:
        return f"{self.layer}.{self.name}"

    @property
    def is_python(self) -> bool:
        return self.path.suffix == ".py"

    @property
    def materialized(self) -> str:
        """``table`` or ``view``: a Python model's is a table; a SQL model's is its layer's
        (:data:`LAYERS`) unless the file declares another its layer allows
        (``-- materialized: table``, :data:`MATERIALIZATIONS`)."""
        if self.is_python:
            return "table"
        declared = _MATERIALIZED.findall(self.sql)
        if not declared:
            return LAYERS[self.layer]
        allowed = MATERIALIZATIONS[self.layer]
        if len(declared) > 1 or declared[0] not in allowed:
            choices = " or ".join(f"'-- materialized: {m}'" for m in allowed)
            raise ModelError(
                f"{self.layer}/{self.path.name}: declare one materialisation, {choices} "
                f"(in {self.layer}), not {declared}"
            )
        return declared[0]

    def dependencies(self) -> set[str]:
        if self.is_python:
            return set(self.depends_on)
        return {f"{s}.{t}" for s, t in _REFERENCE.findall(_strip_comments(self.sql))}


def _strip_comments(sql: str) -> str:
    return re.sub(r"--[^\n]*", "", sql)


def _load_python_model(path: Path) -> ModuleType:
    stat = path.stat()
    return _import_python_model(path, stat.st_mtime_ns, stat.st_size)


@functools.cache
def _import_python_model(path: Path, _mtime: int, _size: int) -> ModuleType:
    """Imported once per version of the file (a run reads each model twice)."""
    spec = importlib.util.spec_from_file_location(f"progression_model_{path.stem}", path)
    if spec is None or spec.loader is None:
        raise ModelError(f"{path.name}: cannot be imported as a Python model")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    depends_on = getattr(module, "DEPENDS_ON", None)
    if not callable(getattr(module, "model", None)) or not isinstance(depends_on, list | tuple):
        raise ModelError(f"{path.name}: a Python model defines DEPENDS_ON and model(con)")
    unknown = [d for d in depends_on if not _RELATION.fullmatch(str(d))]
    if unknown:
        raise ModelError(f"{path.name}: DEPENDS_ON entries must be schema.table, not {unknown}")
    return module


def _model_from_file(layer: str, path: Path) -> Model:
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".sql":
        model = Model(layer, path.stem, path, text)
        model.materialized  # noqa: B018 (refuses an unknown materialisation when read)
        return model
    module = _load_python_model(path)
    return Model(layer, path.stem, path, text, frozenset(module.DEPENDS_ON))


def discover_models(sql_dir: Path = SQL_DIR) -> list[Model]:
    """Every model file, in an order where each comes after the models it reads."""
    models: dict[str, Model] = {}
    for layer in LAYERS:
        for path in sorted([*(sql_dir / layer).glob("*.sql"), *(sql_dir / layer).glob("*.py")]):
            if path.name.startswith("_"):
                continue
            relation = f"{layer}.{path.stem}"
            if relation in models:
                raise ModelError(f"{path.name}: {relation} is defined by both a .sql and a .py")
            models[relation] = _model_from_file(layer, path)
    graph = graphlib.TopologicalSorter(
        {name: model.dependencies() & models.keys() for name, model in models.items()}
    )
    return [models[name] for name in graph.static_order()]


def _run_python_model(con: duckdb.DuckDBPyConnection, model: Model) -> None:
    frame = _load_python_model(model.path).model(con)
    if not isinstance(frame, pd.DataFrame):
        raise ModelError(f"{model.path.name}: model(con) must return a pandas DataFrame")
    replace_table(con, model.relation, frame)


def _drop_other_kind(con: duckdb.DuckDBPyConnection, model: Model, kind: str) -> None:
    """Drop the model's relation if it exists as the other kind (a database built before
    the model's materialisation changed): DuckDB will not replace a view by a table."""
    schema, name = model.relation.split(".")
    other, catalog, column = (
        ("view", "duckdb_views()", "view_name")
        if kind == "table"
        else ("table", "duckdb_tables()", "table_name")
    )
    (exists,) = con.execute(
        f"""select count(*) from {catalog}
            where database_name = current_database() and schema_name = ? and {column} = ?""",
        [schema, name],
    ).fetchone()
    if exists:
        con.execute(f"drop {other} {model.relation}")


def run_models(con: duckdb.DuckDBPyConnection, models: list[Model]) -> list[str]:
    """Build every model; mart tables are rebuilt whole, so a run never half-updates one,
    and each is checked against the column dictionary as it is built."""
    built = []
    for model in models:
        try:
            if model.is_python:
                _run_python_model(con, model)
            else:
                kind = model.materialized
                _drop_other_kind(con, model, kind)
                body = model.sql.strip().rstrip(";")
                con.execute(f"create or replace {kind} {model.relation} as\n{body}")
            if model.layer == "marts":
                conform(con, model)
        except (duckdb.Error, ValueError, KeyError, DictionaryError) as exc:
            raise ModelError(f"{model.path.relative_to(model.path.parents[2])}: {exc}") from None
        built.append(model.relation)
    return built


def build_views_read_by(con: duckdb.DuckDBPyConnection, sql: str) -> list[str]:
    """Create the staging and intermediate views ``sql`` reads, and those they read, from
    the model files: a check run before the transform (``pipeline.cross_checks``) reads a
    rule where the models define it, not a copy (views only: cheap, and rebuilt by the
    transform; a model materialised as a table is refused)."""
    models = {model.relation: model for model in discover_models()}
    wanted = {f"{s}.{t}" for s, t in _REFERENCE.findall(_strip_comments(sql))}
    needed: set[str] = set()
    while wanted:
        relation = wanted.pop()
        model = models.get(relation)
        if model is None or relation in needed:
            continue
        if model.materialized != "view":
            raise ModelError(f"{relation} is a table: a check before the transform reads views")
        needed.add(relation)
        wanted |= model.dependencies()
    return run_models(con, [model for name, model in models.items() if name in needed])


def conform(con: duckdb.DuckDBPyConnection, model: Model) -> None:
    """Give a mart the dictionary's column types, or refuse it (:mod:`pipeline.dictionary`).

    A cast that could lose information is made only once its values are shown to fit it:
    whole numbers for a float column becoming an integer, no value at all for a column
    whose type pandas could not know."""
    docs = ViewDocs.read(model.path.with_suffix(".toml"))
    actual = [(r[0], r[1]) for r in con.execute(f"describe {model.relation}").fetchall()]
    for column, cast in casts_needed(docs, actual).items():
        if cast.condition is not None:
            test = "round({c}) <> {c}" if cast.condition == "integral" else "{c} is not null"
            (bad,) = con.execute(
                f"select count(*) from {model.relation} where {test.format(c=column)}"
            ).fetchone()
            if bad:
                raise DictionaryError(
                    f"{model.name}: column {column} is {dict(actual)[column]}, but the "
                    f"dictionary says {cast.type} and its values cannot be cast without loss"
                )
        con.execute(f"alter table {model.relation} alter {column} type {cast.type}")


def publish_analytics_views(
    con: duckdb.DuckDBPyConnection, models: list[Model], *, min_people: int | None
) -> list[str]:
    """One documented view per mart, its columns in the order its ``.toml`` lists them and
    each commented with the dictionary's meaning and unit (or the view's override).

    A statistic of people's own values (a column with a ``people_count`` in the dictionary:
    years in rank, FTE) is withheld where it is over fewer than ``min_people`` people
    (:func:`pipeline.dictionary.withheld_select`): the analysts' database passes the
    disclosure threshold; the private history passes None (its views feed the report,
    which withholds such a figure with its count, 1 to the threshold)."""
    published = []
    for model in (m for m in models if m.layer == "marts"):
        try:
            docs = ViewDocs.read(model.path.with_suffix(".toml"))
        except DictionaryError as exc:
            raise ModelError(str(exc)) from None
        view = f"analytics.{model.name}"
        con.execute(
            f"create or replace view {view} as select "
            f"{', '.join(withheld_select(docs.columns, min_people))} from {model.relation}"
        )
        con.execute(f"comment on view {view} is {_literal(docs.description)}")
        for column in docs.columns:
            con.execute(f"comment on column {view}.{column} is {_literal(docs.comment(column))}")
        published.append(view)
    return published


def _literal(text: str) -> str:
    return "'" + " ".join(text.split()).replace("'", "''") + "'"
