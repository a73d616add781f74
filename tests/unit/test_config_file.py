"""The configuration file as a force saves it: its encoding, and lists that name one thing
twice. Each fault is a configuration error (exit 2) saying what to change, never a traceback.

Hostile 10: a progression.toml saved in Windows-1252 ended every command in a
``UnicodeDecodeError`` traceback (exit 1), one with a UTF-8 byte-order mark in "Invalid
statement (at line 1, column 1)", and a department listed twice counted its people twice.
"""

from __future__ import annotations

import subprocess
import sys

import pytest
from conftest import write_config
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.config import REPO_ROOT, ConfigError, load_settings
from pipeline.runs import ExitCode

DEPARTMENT = '[[codes.departments]]\nname = "Custody \u2013 Suite\u2019s"\n'


def test_a_file_saved_in_windows_1252_names_the_first_byte_that_is_not_utf8(tmp_path):
    config = write_config(tmp_path, DEPARTMENT)
    config.write_bytes(config.read_text(encoding="utf-8").encode("cp1252"))
    line = config.read_bytes().split(b"\n").index(b'name = "Custody \x96 Suite\x92s"') + 1
    result = CliRunner().invoke(app, ["run", "--config", str(config)])
    assert result.exit_code == ExitCode.CONFIG_ERROR, result.output
    assert f"is not UTF-8: line {line}, column 17" in result.output
    assert "0x96" in result.output and "Save the file as UTF-8" in result.output


def test_a_utf8_byte_order_mark_is_read_past(tmp_path):
    config = write_config(tmp_path, DEPARTMENT)
    config.write_bytes(b"\xef\xbb\xbf" + config.read_bytes())
    names = [d.name for d in load_settings(config).codes.departments]
    assert names[-1] == "Custody \u2013 Suite\u2019s"


def test_an_unreadable_file_is_a_configuration_error(tmp_path):
    with pytest.raises(ConfigError, match="Cannot read the configuration file"):
        load_settings(tmp_path)  # a folder


def test_python_dash_m_runs_the_command():
    result = subprocess.run(
        [sys.executable, "-m", "pipeline.cli", "--version"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0 and result.stdout.startswith("progression"), result
