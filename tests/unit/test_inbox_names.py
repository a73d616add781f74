"""A file whose name is not UTF-8 (a Windows archive unzipped on the server names its files in
Latin-1) blocks the night before anything is read, naming the file with its odd bytes shown
as ``\\xNN`` and saying to rename it.

Hostile 10: ``staff_snapshot_2026-03-31 r\\xe9vis\\xe9.csv`` in the inbox ended every night
in "Internal error, nothing published: UnicodeEncodeError ... surrogates not allowed" at the
load stage (exit 1) until someone removed it.
"""

from __future__ import annotations

import os

import pytest
from conftest import STAFF_HEADER, staff_row, write_config
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.config import load_settings
from pipeline.extracts import ExtractError
from pipeline.inputs import archive_inputs
from pipeline.runs import ExitCode

LATIN_1 = b"staff_snapshot_2026-03-31 r\xe9vis\xe9.csv"
SHOWN = "staff_snapshot_2026-03-31 r\\xe9vis\\xe9.csv"
CONTENT = "\n".join([STAFF_HEADER, *(staff_row(f"W{i}", "W1") for i in range(20))]) + "\n"


def _write(folder, name: bytes) -> None:
    with open(os.path.join(os.fsencode(folder), name), "w", encoding="utf-8") as handle:
        handle.write(CONTENT)


def test_a_latin1_name_in_the_inbox_blocks_naming_it_before_anything_loads(tmp_path):
    config = write_config(tmp_path)
    settings = load_settings(config)
    _write(settings.paths.inbox, LATIN_1)
    result = CliRunner().invoke(app, ["run", "--config", str(config)])
    assert result.exit_code == ExitCode.BLOCKED, result.output
    assert SHOWN in result.output and "Rename it" in result.output
    assert "révisé" in result.output  # what the name probably says
    assert not settings.paths.database.exists()


def test_a_latin1_name_in_an_archive_is_named_too(tmp_path):
    settings = load_settings(write_config(tmp_path))
    archive = tmp_path / "archive"
    (archive / "2025").mkdir(parents=True)
    _write(archive / "2025", LATIN_1)
    with pytest.raises(ExtractError, match=r"r\\xe9vis\\xe9\.csv.*Rename it"):
        archive_inputs(archive, settings)
