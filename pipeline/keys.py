"""The pseudonymisation key's fingerprint, kept with the history, and deliberate rotation.

Every staff and applicant identifier is replaced at read time by HMAC-SHA-256 under the key
(``pipeline.extracts.pseudonymise``), so the same person keeps the same pseudonym night after
night only while the key stays the same. A different key (a typo in the key file, a
``PROGRESSION_PSEUDONYM_KEY`` left set in a shell) would silently turn everyone into a
stranger: nobody in tonight's snapshot would match anyone before, and promotions and leavers
would read as none. So the history records the key's **fingerprint** (an HMAC of a fixed
text under the key: it identifies the key without revealing it) and a run with any other key
stops with a configuration error (exit code 2) before reading a file.

Changing the key on purpose is ``progression rotate-key``, in one of two ways:

- ``--old-key-file FILE`` **re-pseudonymises** the history: every archived extract that
  still has rows loaded is read again with the old key and the new one, every pseudonym is
  replaced by its new value, and the new key's fingerprint is recorded. It needs the archived
  copy of every such file (``[retention] extract_days`` may have deleted them; then it
  refuses and says which).
- ``--new-history`` **starts a new history** under the new key: the next release holds only
  what the inbox holds (``progression backfill`` can then load older extracts again); the
  release before stays on disk for a roll-back until the following publication.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb
import pandas as pd

from pipeline.config import KEY_ENV_VAR, MIN_KEY_BYTES, ConfigError, Settings
from pipeline.extracts import ExtractError, read_extract
from pipeline.schemas import EXTRACT_COLUMNS, KEY_COLUMN_FOR_ID

FINGERPRINT_TEXT = b"progression: fingerprint of the pseudonymisation key, version 1"
SHOWN = 12
"""Characters of a fingerprint shown in messages: enough to tell two keys apart."""


@dataclass(frozen=True)
class Rotation:
    """A deliberate change of key: the old key (re-pseudonymise) or None (new history)."""

    old_key: bytes | None = None

    @property
    def new_history(self) -> bool:
        return self.old_key is None


def fingerprint(key: bytes) -> str:
    """HMAC-SHA-256 of a fixed text under ``key``, in hex: the same key always gives the
    same fingerprint, and the fingerprint gives nothing away about the key."""
    return hmac.new(key, FINGERPRINT_TEXT, hashlib.sha256).hexdigest()


def read_key_file(path: Path) -> bytes:
    """A key file as the configuration's is read: its bytes, trimmed, at least 16 of them."""
    try:
        key = path.read_bytes().strip()
    except OSError as exc:
        raise ConfigError(f"Cannot read the key file {path}: {exc}") from None
    if len(key) < MIN_KEY_BYTES:
        raise ConfigError(f"The key in {path} is shorter than {MIN_KEY_BYTES} bytes.")
    return key


def key_source(settings: Settings) -> str:
    if os.environ.get(KEY_ENV_VAR):
        return (
            f"the environment variable {KEY_ENV_VAR}, which overrides [paths] "
            "pseudonym_key_file (unset it to use the file)"
        )
    return f"the key file {settings.paths.pseudonym_key_file}"


def create_table(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(
        """create table if not exists ops.pseudonym_key (
               fingerprint varchar, recorded_at timestamptz, run_id varchar, reason varchar)"""
    )


def stored_fingerprint(con: duckdb.DuckDBPyConnection) -> str | None:
    row = con.execute(
        "select fingerprint from ops.pseudonym_key order by recorded_at desc limit 1"
    ).fetchone()
    return row[0] if row else None


def _record(con, key: bytes, run_id: str, now: datetime, reason: str) -> None:
    con.execute(
        "insert into ops.pseudonym_key values (?, ?, ?, ?)",
        [fingerprint(key), now, run_id, reason],
    )


def check_key(con, settings: Settings, run_id: str, now: datetime) -> str | None:
    """Refuse a key other than the history's (``ConfigError``); record the key of a history
    that has none yet. Returns why a fingerprint was recorded, or None."""
    create_table(con)
    key = settings.pseudonym_key()
    stored = stored_fingerprint(con)
    if stored is None:
        reason = "first run" if not _has_people(con) else "recorded for an existing history"
        _record(con, key, run_id, now, reason)
        return reason
    if stored != fingerprint(key):
        raise ConfigError(
            "The pseudonymisation key is not the one this history was built with (key "
            f"fingerprint {fingerprint(key)[:SHOWN]}, the history's {stored[:SHOWN]}): with it "
            "nobody in tonight's extracts would match anyone loaded before. The key came from "
            f"{key_source(settings)}. If the key was changed on purpose, rotate it: "
            "'progression rotate-key --old-key-file FILE' re-pseudonymises the history, "
            "'progression rotate-key --new-history' starts a new one (docs/data-protection.md)."
        )
    return None


def _has_people(con) -> bool:
    return any(
        con.execute(f"select count(*) from raw.{kind}").fetchone()[0]
        for kind, columns in EXTRACT_COLUMNS.items()
        if any(c.type == "id" for c in columns)
    )


def rotate(
    con, settings: Settings, rotation: Rotation, run_id: str, now: datetime, allowed: dict
) -> int:
    """Apply a deliberate key change to the work copy of the history; return how many
    pseudonyms were replaced (0 for a new history, which starts from an empty database)."""
    create_table(con)
    new_key = settings.pseudonym_key()
    stored = stored_fingerprint(con)
    if rotation.new_history:
        _record(con, new_key, run_id, now, "new history")
        return 0
    assert rotation.old_key is not None
    if stored is None or not _has_people(con):
        raise ConfigError("There is no history to re-pseudonymise: run 'progression run'.")
    if fingerprint(rotation.old_key) != stored:
        raise ConfigError(
            f"The old key given (fingerprint {fingerprint(rotation.old_key)[:SHOWN]}) is not "
            f"the key this history was built with ({stored[:SHOWN]})."
        )
    if fingerprint(new_key) == stored:
        raise ConfigError(
            f"The key from {key_source(settings)} is still the history's: nothing to rotate. "
            "Put the new key in place first."
        )
    replaced = _repseudonymise(con, settings, settings.with_pseudonym_key(rotation.old_key),
                               allowed)  # fmt: skip
    _record(con, new_key, run_id, now, "re-pseudonymised")
    return replaced


def _archived(settings: Settings, content_hash: str) -> Path | None:
    return next(iter(sorted(settings.paths.archive.glob(f"{content_hash}.*"))), None)


def _repseudonymise(con, new: Settings, old: Settings, allowed: dict) -> int:
    """Old pseudonym -> new, from every archived extract that still has rows; then every
    raw table's keys replaced in place. Refuses (changing nothing) when a file is missing."""
    files, missing = [], []
    for kind, columns in EXTRACT_COLUMNS.items():
        if not any(c.type == "id" for c in columns):
            continue
        for content_hash, name in con.execute(
            f"select distinct source_file_hash, source_file from raw.{kind} order by 2"
        ).fetchall():
            path = _archived(new, content_hash)
            (files if path else missing).append((kind, path, name))
    if missing:
        names = ", ".join(name for _, _, name in missing[:5])
        raise ConfigError(
            f"Cannot re-pseudonymise: the archived copies of {len(missing)} loaded file(s) "
            f"are gone ({names}{' …' if len(missing) > 5 else ''}); retention deletes them after "
            "[retention] extract_days. Restore them to the archive folder, or start a new "
            "history with 'progression rotate-key --new-history'."
        )
    pairs: dict[str, list[pd.DataFrame]] = {}
    for kind, path, name in files:
        try:
            before = read_extract(path, kind, old, allowed).typed
            after = read_extract(path, kind, new, allowed).typed
        except ExtractError as exc:
            raise ConfigError(f"Cannot re-pseudonymise {name}: {exc.problem}") from None
        for key in KEY_COLUMN_FOR_ID.values():
            if key in before:
                pair = pd.DataFrame({"old": before[key], "new": after[key]}).dropna()
                pairs.setdefault(key, []).append(pair)
    replaced = 0
    for key, found in pairs.items():
        mapping = pd.concat(found).drop_duplicates()
        con.register("_key_map", mapping)
        try:
            tables = [kind for kind, cols in EXTRACT_COLUMNS.items()
                      if any(KEY_COLUMN_FOR_ID.get(c.name) == key for c in cols)]  # fmt: skip
            for kind in tables:
                (unmapped,) = con.execute(
                    f"""select count(*) from raw.{kind} where {key} is not null
                        and {key} not in (select old from _key_map)"""
                ).fetchone()
                if unmapped:
                    raise ConfigError(
                        f"Cannot re-pseudonymise raw.{kind}: {unmapped} row(s) have a "
                        "pseudonym no archived file gives under the old key."
                    )
            for kind in tables:
                con.execute(
                    f"""update raw.{kind} set {key} = _key_map.new from _key_map
                        where raw.{kind}.{key} = _key_map.old"""
                )
            replaced += len(mapping)
        finally:
            con.unregister("_key_map")
    return replaced
