"""What a published release depends on besides the extracts: every setting, the contents
of every reference file, and the product's own models and contracts.

Each run records this fingerprint with the release (``ops.runs.settings``); the next run
compares it with its own, so that a changed setting or reference file rebuilds the models
and the report even when no extract changed, and the run log says what changed.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.config import CONTRACTS_DIR, SQL_DIR, Settings

if TYPE_CHECKING:  # a night with nothing new computes the fingerprint without DuckDB
    import duckdb

REFERENCE_FILES = (
    "census_file",
    "census_2011_file",
    "force_lookup_file",
    "area_lookup_file",
    "district_changes_file",
    "area_district_file",
)

NOT_BUILT_FROM = {"delivery", "resources"}
"""Settings that say where a published release goes, not what it holds: changing them
must not rebuild the figures (delivery reads its settings afresh on every run); nor do
settings of how much of the machine a run may use."""


@dataclass(frozen=True)
class Change:
    setting: str
    """Dotted as in the configuration (``disclosure.threshold``), or a file's contents."""
    before: str | None
    after: str | None

    def __str__(self) -> str:
        if self.before is None:
            return f"{self.setting} (new: {self.after})"
        if self.after is None:
            return f"{self.setting} (removed; was {self.before})"
        return f"{self.setting}: {self.before} -> {self.after}"


def _flatten(value, prefix: str = "") -> dict[str, str]:
    if isinstance(value, dict) and value:
        flat: dict[str, str] = {}
        for key, inner in value.items():
            flat.update(_flatten(inner, f"{prefix}.{key}" if prefix else str(key)))
        return flat
    return {prefix: json.dumps(value, ensure_ascii=False, sort_keys=True)}


def _digest(paths) -> str:
    sha = hashlib.sha256()
    for path in paths:
        sha.update(path.name.encode())
        sha.update(path.read_bytes())
    return "sha256:" + sha.hexdigest()[:16]


def _product_version() -> str:
    try:
        return metadata.version("progression")
    except metadata.PackageNotFoundError:
        return "unknown"


def fingerprint(settings: Settings) -> dict[str, str]:
    """Setting (dotted) -> its value as JSON, plus a digest of each reference file's
    contents and of the product's SQL models and data contracts."""
    found = _flatten(settings.model_dump(mode="json", exclude=NOT_BUILT_FROM))
    for name in REFERENCE_FILES:
        path: Path | None = getattr(settings.reference, name)
        if path is not None and path.is_file():
            found[f"reference.{name} (contents)"] = _digest([path])
    found["product.version"] = _product_version()
    found["product.models"] = _digest(
        sorted(p for p in SQL_DIR.rglob("*") if p.suffix in {".sql", ".py", ".toml"})
    )
    found["product.contracts"] = _digest(sorted(CONTRACTS_DIR.glob("*.json")))
    return found


def recorded(con: duckdb.DuckDBPyConnection) -> dict[str, str] | None:
    """The fingerprint of the published release (None if it has none recorded)."""
    import duckdb

    try:
        row = con.execute(
            """select settings from ops.runs where settings is not null
               order by finished_at desc limit 1"""
        ).fetchone()
    except duckdb.Error:
        return None
    return json.loads(row[0]) if row else None


def changes(before: dict[str, str] | None, after: dict[str, str]) -> list[Change]:
    """What differs, setting by setting; one entry when the release recorded nothing."""
    if before is None:
        return [Change("settings of the published release", "not recorded", "recorded now")]
    return [
        Change(key, before.get(key), after.get(key))
        for key in sorted(before.keys() | after.keys())
        if before.get(key) != after.get(key)
    ]
