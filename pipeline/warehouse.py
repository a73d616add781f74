"""The DuckDB database: connections, raw loads, models in dependency order, documentation.

Models are the files under ``sql/``: staging and intermediate SQL models become views, marts
and Python models (``<name>.py``, for statistics SQL can't compute exactly) become tables,
and every mart is exposed as a documented view in the ``analytics`` schema, the interface
analysts and the report read.
"""

from __future__ import annotations

import graphlib
import importlib.util
import re
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import duckdb
import pandas as pd

from pipeline import codes, comparisons, monitoring
from pipeline.config import SQL_DIR, Settings
from pipeline.schemas import EXTRACT_COLUMNS, KEY_COLUMN_FOR_ID, rank_order

STORAGE_VERSION = "v1.5.0"
"""Written so that the duckdb-cli analysts install from PyPI (1.5.x) can open the file."""
SCHEMAS = ("raw", "ref", "staging", "intermediate", "marts", "analytics", "ops")
LAYERS = {"staging": "view", "intermediate": "view", "marts": "table"}
_REFERENCE = re.compile(r"\b(raw|ref|staging|intermediate|marts|ops)\.([a-z_][a-z0-9_]*)\b")
_RELATION = re.compile(r"[a-z_]+\.[a-z_][a-z0-9_]*")
_NO_DOWNLOADS = {"autoinstall_known_extensions": False, "autoload_known_extensions": False}


class ModelError(Exception):
    """A SQL model failed; the message names the file."""


@contextmanager
def connect(path: Path, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
    """A connection to the database file that never downloads an extension.

    The file is attached rather than opened directly so that a new file is created in a
    storage version older DuckDB clients can read; DETACH releases the file lock at once.
    """
    con = duckdb.connect(config=_NO_DOWNLOADS)
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
    labels = settings.groups
    replace_table(
        con,
        "ref.ethnicities",
        pd.DataFrame(codes.ETHNICITIES)
        .assign(is_stated=lambda f: f["code"] != codes.NOT_STATED)
        .rename(columns={"code": "ethnicity_code", "label": "ethnicity_label"}),
    )
    replace_table(
        con,
        "ref.groupings",
        pd.DataFrame(
            [
                {
                    "grouping_code": g.code,
                    "grouping_label": getattr(labels, g.code),
                    "sort_order": order,
                    "is_headline": g.code == labels.headline,
                }
                for order, g in enumerate(codes.GROUPINGS, start=1)
            ]
        ),
    )
    replace_table(
        con,
        "ref.grouping_members",
        pd.DataFrame(
            [(g.code, member) for g in codes.GROUPINGS for member in sorted(g.member_codes)],
            columns=["grouping_code", "ethnicity_code"],
        ),
    )
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
    """Every extract's raw table exists, even before its first file, so models always build."""
    for kind, columns in EXTRACT_COLUMNS.items():
        typed = [
            f"{KEY_COLUMN_FOR_ID.get(c.name, c.name) if c.type == 'id' else c.name} "
            f"{_SQL_TYPES[c.type]}"
            for c in columns
        ]
        metadata = [
            "source_row bigint",
            "source_file varchar",
            "source_file_hash varchar",
            "run_id varchar",
            "loaded_at timestamptz",
        ]
        con.execute(f"create table if not exists raw.{kind} ({', '.join(typed + metadata)})")


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

    def dependencies(self) -> set[str]:
        if self.is_python:
            return set(self.depends_on)
        return {f"{s}.{t}" for s, t in _REFERENCE.findall(_strip_comments(self.sql))}


def _strip_comments(sql: str) -> str:
    return re.sub(r"--[^\n]*", "", sql)


def _load_python_model(path: Path) -> ModuleType:
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
        return Model(layer, path.stem, path, text)
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


def run_models(con: duckdb.DuckDBPyConnection, models: list[Model]) -> list[str]:
    """Build every model; mart tables are rebuilt whole, so a run never half-updates one."""
    built = []
    for model in models:
        try:
            if model.is_python:
                _run_python_model(con, model)
            else:
                kind = LAYERS[model.layer]
                body = model.sql.strip().rstrip(";")
                con.execute(f"create or replace {kind} {model.relation} as\n{body}")
        except (duckdb.Error, ValueError, KeyError) as exc:
            raise ModelError(f"{model.path.relative_to(model.path.parents[2])}: {exc}") from None
        built.append(model.relation)
    return built


def model_docs(model: Model) -> dict:
    """The documentation beside a model's SQL (``<model>.toml``: description and columns)."""
    doc_path = model.path.with_suffix(".toml")
    if not doc_path.exists():
        return {}
    return tomllib.loads(doc_path.read_text(encoding="utf-8"))


def publish_analytics_views(con: duckdb.DuckDBPyConnection, models: list[Model]) -> list[str]:
    """One documented view per mart; an undocumented column is an error, not a silent gap."""
    published = []
    for model in (m for m in models if m.layer == "marts"):
        docs = model_docs(model)
        view = f"analytics.{model.name}"
        con.execute(f"create or replace view {view} as select * from {model.relation}")
        columns = [r[0] for r in con.execute(f"describe {view}").fetchall()]
        described = docs.get("columns", {})
        missing = [c for c in columns if c not in described]
        if "description" not in docs or missing:
            raise ModelError(
                f"{model.path.with_suffix('.toml').name}: document "
                + ("the model's description and " if "description" not in docs else "")
                + (f"column(s) {', '.join(missing)}" if missing else "")
            )
        con.execute(f"comment on view {view} is {_literal(docs['description'])}")
        for column in columns:
            con.execute(f"comment on column {view}.{column} is {_literal(described[column])}")
        published.append(view)
    return published


def _literal(text: str) -> str:
    return "'" + " ".join(text.split()).replace("'", "''") + "'"
