"""The configuration file as a force saves it: its encoding, and lists that name one thing
twice. Each fault is a configuration error (exit 2) saying what to change, never a traceback.

Hostile 10: a progression.toml saved in Windows-1252 ended every command in a
``UnicodeDecodeError`` traceback (exit 1), one with a UTF-8 byte-order mark in "Invalid
statement (at line 1, column 1)", and a department listed twice counted its people twice.
"""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
from conftest import STAFF_HEADER, staff_row, write_config
from typer.testing import CliRunner

from pipeline import codes
from pipeline.cli import app
from pipeline.config import REPO_ROOT, ConfigError, load_settings
from pipeline.new_force import init_force
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


def test_a_department_listed_twice_is_a_configuration_error_naming_it(tmp_path):
    config = write_config(
        tmp_path,
        '[[codes.departments]]\nname = "Custody"\n'
        '[[codes.departments]]\nname = "custody "\nis_specialist = true\n',
    )
    result = CliRunner().invoke(app, ["run", "--config", str(config)])
    assert result.exit_code == ExitCode.CONFIG_ERROR, result.output
    assert "[[codes.departments]] names 'Custody' and 'custody ' more than once" in result.output
    assert not (tmp_path / "var").exists()


@pytest.mark.parametrize(
    ("extra", "named"),
    [
        ('[codes]\nstaff_bands = ["Band A", "Band B", "band a"]\n', "'Band A' and 'band a'"),
        ('[appraisal]\nscale = ["Poor", "Good", "Very good", "good"]\n', "'Good' and 'good'"),
        (
            '[leadership]\nsenior_ranks = ["Superintendent", "Chief Constable"]\n',
            "'Chief Constable'",
        ),
        (
            '[leadership]\nchief_officer_bands = ["Band J"]\nsenior_bands = ["Band I", "Band J"]\n',
            "'Band J'",
        ),
    ],
)
def test_every_list_matched_by_name_names_each_thing_once(tmp_path, extra, named):
    with pytest.raises(ConfigError, match=re.escape(f"names {named} more than once")):
        load_settings(write_config(tmp_path, extra))


@pytest.mark.parametrize(
    ("extra", "named"),
    [
        (
            '[codes.rank_synonyms]\n"Det Supt" = "Superintendent"\n"DET  SUPT" = "Inspector"\n',
            "'Det Supt' = 'Superintendent' and 'DET  SUPT' = 'Inspector'",
        ),
        (
            '[appraisal.synonyms]\n"A" = "Exceptional"\n"a" = "Competent"\n',
            "'A' = 'Exceptional' and 'a' = 'Competent'",
        ),
    ],
)
def test_a_synonym_table_gives_each_wording_one_value(tmp_path, extra, named):
    with pytest.raises(ConfigError, match=re.escape(f"two values (case, spaces and dashes do "
                                                    f"not count): {named}")):  # fmt: skip
        load_settings(write_config(tmp_path, extra))


def test_two_spellings_of_a_synonym_for_the_same_value_are_harmless(tmp_path):
    extra = '[codes.ethnicity_synonyms]\n"Not stated" = "NS"\n"Not Stated" = "NS"\n'
    settings = load_settings(write_config(tmp_path, extra))
    assert settings.codes.ethnicity_synonyms["Not Stated"] == "NS"


def test_init_lists_a_department_once_whatever_its_spellings_in_the_sample(tmp_path):
    sample = tmp_path / "staff_snapshot_2026-03-31.csv"
    rows = [staff_row(f"W{i}", "W1").split(",") for i in range(4)]
    for i, row in enumerate(rows):
        row[STAFF_HEADER.split(",").index("department")] = ("Custody", "CUSTODY ")[i % 2]
    sample.write_text(
        "\n".join([STAFF_HEADER, *(",".join(r) for r in rows)]) + "\n", encoding="utf-8"
    )
    written = init_force("West Midlands", tmp_path / "force", [sample])
    names = [d.name for d in load_settings(written.config).codes.departments]
    assert [codes.code_key(n) for n in names] == ["custody"]


def test_python_dash_m_runs_the_command():
    result = subprocess.run(
        [sys.executable, "-m", "pipeline.cli", "--version"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0 and result.stdout.startswith("progression"), result
