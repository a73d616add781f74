"""The DuckDB database: connections, raw loads, SQL models in dependency order, documentation.

Models are the files under ``sql/``: staging and intermediate models become views, marts
become tables, and every mart is exposed as a documented view in the ``analytics`` schema,
the interface analysts and the report read.
"""

from __future__ import annotations

import graphlib
import re
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from pipeline import codes
from pipeline.config import SQL_DIR, Settings
from pipeline.schemas import EXTRACT_COLUMNS, KEY_COLUMN_FOR_ID, rank_order

STORAGE_VERSION = "v1.5.0"
"""Written so that the duckdb-cli analysts install from PyPI (1.5.x) can open the file."""
SCHEMAS = ("raw", "ref", "staging", "intermediate", "marts", "analytics", "ops")
LAYERS = {"staging": "view", "intermediate": "view", "marts": "table"}
_REFERENCE = re.compile(r"\b(raw|ref|staging|intermediate|marts|ops)\.([a-z_][a-z0-9_]*)\b")
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


_SQL_TYPES = {
    "id": "varchar",
    "date": "timestamp",
    "code": "varchar",
    "text": "varchar",
    "int": "bigint",
    "number": "double",
    "flag": "boolean",
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
    layer: str
    name: str
    path: Path
    sql: str

    @property
    def relation(self) -> str:
        return f"{self.layer}.{self.name}"

    def dependencies(self) -> set[str]:
        return {f"{s}.{t}" for s, t in _REFERENCE.findall(_strip_comments(self.sql))}


def _strip_comments(sql: str) -> str:
    return re.sub(r"--[^\n]*", "", sql)


def discover_models(sql_dir: Path = SQL_DIR) -> list[Model]:
    """Every model file, in an order where each comes after the models it reads."""
    models = {
        f"{layer}.{path.stem}": Model(layer, path.stem, path, path.read_text(encoding="utf-8"))
        for layer in LAYERS
        for path in sorted((sql_dir / layer).glob("*.sql"))
    }
    graph = graphlib.TopologicalSorter(
        {name: model.dependencies() & models.keys() for name, model in models.items()}
    )
    return [models[name] for name in graph.static_order()]


def run_models(con: duckdb.DuckDBPyConnection, models: list[Model]) -> list[str]:
    """Build every model; mart tables are rebuilt whole, so a run never half-updates one."""
    built = []
    for model in models:
        kind = LAYERS[model.layer]
        body = model.sql.strip().rstrip(";")
        try:
            con.execute(f"create or replace {kind} {model.relation} as\n{body}")
        except duckdb.Error as exc:
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
