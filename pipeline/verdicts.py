"""Reference tables' contract results, reused while nothing they depend on has changed.

The area lookup and the census are the same night after night, and running their suites
again gives the same results at the cost of Great Expectations (its import alone is about
1.3 s of CPU). So the results of a reference table with nothing blocking are kept in
``<work_dir>/contract-verdicts.json`` under a key made of everything they depend on: the
table exactly as its suite judges it (values, row numbers, columns and types), the suite
file's bytes, the values of the parameters the suite refers to, the code that turns GX's
outcome into results (``pipeline.contracts`` and this module), the file's name (results
carry it) and the versions of GX and the product. Any change to one of them validates the
table again; the suites in ``data_contracts/`` stay the only statement of the rules.
"""

from __future__ import annotations

import hashlib
import json
import os
from importlib import metadata
from pathlib import Path

import pandas as pd

from pipeline import contracts
from pipeline.config import Settings

STORE = "contract-verdicts.json"
STORE_VERSION = 1


def store_path(settings: Settings) -> Path:
    return settings.paths.work_dir / STORE


def validate_reference(
    runner: contracts.Contracts,
    name: str,
    frame: pd.DataFrame,
    source: Path,
    parameters: dict,
    store: Path,
) -> tuple[list[contracts.ContractResult], list[str], bool]:
    """``contracts.validate_reference``, with the results kept in ``store`` reused when
    their key is unchanged; the third value says whether they were."""
    try:
        key = verdict_key(runner, name, frame, source, parameters)
    except TypeError:  # a cell pandas cannot hash: validate, and keep nothing
        key = None
    kept = _read(store)
    entry = kept.get(name)
    if key is not None and entry is not None and entry.get("key") == key:
        return [contracts.ContractResult(**r) for r in entry["results"]], [], True
    results, blocking = contracts.validate_reference(runner, name, frame, source, parameters)
    if key is not None and not blocking:
        kept[name] = {"key": key, "results": [r.__dict__ for r in results]}
        _write(store, kept)
    return results, blocking, False


def verdict_key(
    runner: contracts.Contracts, name: str, frame: pd.DataFrame, source: Path, parameters: dict
) -> str:
    """A digest of everything a reference table's contract results depend on."""
    judged = contracts.reference_frame(frame)
    suite = (runner.suites_dir / f"{name}.json").read_bytes()
    referenced = sorted(_parameters_referenced(json.loads(suite)))
    sha = hashlib.sha256()
    for part in (
        str(STORE_VERSION).encode(),
        source.name.encode(),
        suite,
        json.dumps({p: parameters.get(p) for p in referenced}, default=str).encode(),
        Path(contracts.__file__).read_bytes(),
        Path(__file__).read_bytes(),
        _version("great-expectations").encode(),
        _version("progression").encode(),
        json.dumps([[str(c), str(t)] for c, t in judged.dtypes.items()]).encode(),
        pd.util.hash_pandas_object(judged, index=True).to_numpy().tobytes(),
    ):
        sha.update(len(part).to_bytes(8, "little"))
        sha.update(part)
    return "sha256:" + sha.hexdigest()


def _parameters_referenced(value) -> set[str]:
    if isinstance(value, dict):
        if "$PARAMETER" in value:
            return {value["$PARAMETER"]}
        return set().union(*(_parameters_referenced(v) for v in value.values()))
    if isinstance(value, list):
        return set().union(*(_parameters_referenced(v) for v in value))
    return set()


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "unknown"


def _read(store: Path) -> dict:
    try:
        kept = json.loads(store.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(kept, dict) or kept.get("version") != STORE_VERSION:
        return {}
    return kept.get("tables", {})


def _write(store: Path, tables: dict) -> None:
    store.parent.mkdir(parents=True, exist_ok=True)
    partial = store.with_name(f".{store.name}.partial")
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC
    with open(os.open(partial, flags, 0o600), "w", encoding="utf-8") as handle:
        handle.write(json.dumps({"version": STORE_VERSION, "tables": tables}, sort_keys=True))
    os.replace(partial, store)
