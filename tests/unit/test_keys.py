"""The pseudonymisation key is checked against the fingerprint kept with the history: a
different key is refused before anything is read, unless the operator rotates it on purpose
(re-pseudonymising the history or starting a new one)."""

from __future__ import annotations

import hashlib
import hmac
import shutil

import pytest
from conftest import STAFF_HEADER, staff_row, write_config, write_inbox
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.config import KEY_ENV_VAR, load_settings
from pipeline.history import current_history
from pipeline.keys import fingerprint
from pipeline.runs import ExitCode
from pipeline.warehouse import connect

OLD_KEY = b"a-test-key-of-more-than-16-bytes"  # conftest's key file
NEW_KEY = b"another-key-that-is-long-enough!"
BOTH_SNAPSHOTS = """
    select count(*) from (
        select staff_key from raw.staff_snapshot group by 1 having count(*) = 2)
"""


def snapshot(settings, date: str, first: int, people: int = 12) -> None:
    rows = [
        staff_row(f"P{i}", ["W1", "A2"][i % 2], snapshot=date) for i in range(first, first + people)
    ]
    write_inbox(settings, f"staff_snapshot_{date}.csv", STAFF_HEADER + "\n" + "\n".join(rows))


def invoke(settings, *args):
    config = settings.paths.inbox.parent / "progression.toml"
    return CliRunner().invoke(app, [*args, "--config", str(config)])


def query(settings, sql: str):
    with connect(current_history(settings), read_only=True) as con:
        return con.execute(sql).fetchall()


def pseudonym(key: bytes, raw: str) -> str:
    return hmac.new(key, raw.encode(), hashlib.sha256).hexdigest()[:32]


@pytest.fixture(scope="module")
def first_nights(tmp_path_factory):
    """Two snapshots loaded under the key file's key (8 people are in both), built once."""
    root = tmp_path_factory.mktemp("history")
    settings = load_settings(write_config(root))
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv(KEY_ENV_VAR, raising=False)
        snapshot(settings, "2026-02-28", 0)
        snapshot(settings, "2026-03-31", 4)
        # 4 people gone and 4 new with no joiners-and-leavers file: warned
        # (movements_cover_period), and nothing else
        result = invoke(settings, "run")
        assert result.exit_code == ExitCode.SUCCESS_WITH_WARNINGS, result.output
        assert "movements_cover_period" in result.output
    assert query(settings, BOTH_SNAPSHOTS) == [(8,)]
    return root


@pytest.fixture
def history(first_nights, tmp_path, monkeypatch):
    monkeypatch.delenv(KEY_ENV_VAR, raising=False)
    shutil.copytree(first_nights, tmp_path / "force", symlinks=True)
    return load_settings(tmp_path / "force" / "progression.toml")


def test_a_different_key_in_the_environment_is_refused_before_anything_is_read(
    history, monkeypatch
):
    """The reported case: the run exited 0 and people in two snapshots fell to none."""
    published = history.paths.database.resolve()
    snapshot(history, "2026-04-30", 6)
    monkeypatch.setenv(KEY_ENV_VAR, NEW_KEY.decode())

    result = invoke(history, "run")

    assert result.exit_code == ExitCode.CONFIG_ERROR
    message = " ".join(result.stderr.split())
    assert "The pseudonymisation key is not the one this history was built with" in message
    assert f"{fingerprint(NEW_KEY)[:12]}, the history's {fingerprint(OLD_KEY)[:12]}" in message
    assert f"the environment variable {KEY_ENV_VAR}, which overrides" in message
    assert "progression rotate-key" in message
    assert history.paths.database.resolve() == published


def test_a_short_key_in_the_environment_is_refused(history, monkeypatch):
    monkeypatch.setenv(KEY_ENV_VAR, "k")
    result = invoke(history, "run", "--force")
    assert result.exit_code == ExitCode.CONFIG_ERROR
    assert f"{KEY_ENV_VAR} is shorter than 16 bytes" in result.stderr


def test_rotation_with_the_old_key_re_pseudonymises_the_history(history, tmp_path):
    (history.paths.pseudonym_key_file).write_bytes(NEW_KEY)
    old = tmp_path / "old.key"
    old.write_bytes(OLD_KEY + b"\n")

    result = invoke(history, "rotate-key", "--old-key-file", str(old))

    # the two snapshots' people still differ with no movements file (first_nights)
    assert result.exit_code == ExitCode.SUCCESS_WITH_WARNINGS, result.output
    assert "movements_cover_period" in result.output
    keys = {k for (k,) in query(history, "select staff_key from raw.staff_snapshot")}
    assert keys == {pseudonym(NEW_KEY, f"P{i}") for i in range(16)}
    assert query(history, BOTH_SNAPSHOTS) == [(8,)]
    (stored,) = query(
        history, "select fingerprint from ops.pseudonym_key order by recorded_at desc limit 1"
    )
    assert stored == (fingerprint(NEW_KEY),)
    snapshot(history, "2026-04-30", 8)  # and the next night's people match the history's
    assert invoke(history, "run").exit_code in (ExitCode.SUCCESS, ExitCode.SUCCESS_WITH_WARNINGS)
    (matched,) = query(
        history,
        "select count(distinct staff_key) from raw.staff_snapshot "
        "where snapshot_date = '2026-04-30' and staff_key in "
        "(select staff_key from raw.staff_snapshot where snapshot_date = '2026-03-31')",
    )
    assert matched == (8,)


def test_rotation_refuses_a_wrong_old_key_and_missing_archived_files(history, tmp_path):
    (history.paths.pseudonym_key_file).write_bytes(NEW_KEY)
    wrong = tmp_path / "wrong.key"
    wrong.write_bytes(b"not-the-key-the-history-was-built-with")
    result = invoke(history, "rotate-key", "--old-key-file", str(wrong))
    assert result.exit_code == ExitCode.CONFIG_ERROR
    assert "is not the key this history was built with" in result.stderr

    old = tmp_path / "old.key"
    old.write_bytes(OLD_KEY)
    (archived,) = [p for p in history.paths.archive.iterdir() if p.stat().st_size][:1]
    archived.unlink()
    result = invoke(history, "rotate-key", "--old-key-file", str(old))
    assert result.exit_code == ExitCode.CONFIG_ERROR
    assert "the archived copies of 1 loaded file(s) are gone" in " ".join(result.stderr.split())


def test_a_new_history_starts_from_the_inbox_under_the_new_key(history):
    (history.paths.pseudonym_key_file).write_bytes(NEW_KEY)
    (history.paths.inbox / "staff_snapshot_2026-02-28.csv").unlink()

    result = invoke(history, "rotate-key", "--new-history")

    assert result.exit_code == ExitCode.SUCCESS, result.output
    assert query(
        history, "select distinct cast(snapshot_date as date)::varchar from raw.staff_snapshot"
    ) == [("2026-03-31",)]
    keys = {k for (k,) in query(history, "select staff_key from raw.staff_snapshot")}
    assert keys == {pseudonym(NEW_KEY, f"P{i}") for i in range(4, 16)}
    assert invoke(history, "run").exit_code == ExitCode.SUCCESS  # the new key is the history's


def test_rotate_key_needs_exactly_one_way(history):
    assert invoke(history, "rotate-key").exit_code == ExitCode.CONFIG_ERROR
