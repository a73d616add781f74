"""A changed setting or reference file is part of what a run depends on: the next run
rebuilds (no --force needed) and the run log says what changed (issue 11, item 9)."""

from __future__ import annotations

import json

from conftest import STAFF_HEADER, staff_row, write_config, write_inbox
from typer.testing import CliRunner

from pipeline import dependencies
from pipeline.cli import app
from pipeline.config import load_settings
from pipeline.history import current_history
from pipeline.nightly import log_path
from pipeline.runs import ExitCode
from pipeline.warehouse import connect


def _setup(tmp_path):
    config = write_config(tmp_path)
    settings = load_settings(config)
    rows = [staff_row(f"P{i}", ["W1", "A2", "B1"][i % 3]) for i in range(30)]
    write_inbox(settings, "staff_snapshot_2026-03-31.csv", STAFF_HEADER + "\n" + "\n".join(rows))
    return config, settings


def _run(config):
    result = CliRunner().invoke(app, ["run", "--config", str(config)])
    result.text = " ".join(result.output.split())
    return result


def _events(settings, name):
    lines = log_path(settings).read_text(encoding="utf-8").splitlines()
    return [e for e in map(json.loads, lines) if e["event"] == name]


def _threshold(settings) -> int:
    with connect(settings.paths.database, read_only=True) as con:
        return con.execute(
            "select settings->>'$.\"disclosure.threshold\"' from ops.runs "
            "order by finished_at desc limit 1"
        ).fetchone()[0]


def test_a_changed_setting_rebuilds_and_says_which(tmp_path):
    config, settings = _setup(tmp_path)
    assert _run(config).exit_code == ExitCode.SUCCESS
    assert "nothing to do" in _run(config).text

    config.write_text(config.read_text() + "[disclosure]\nthreshold = 10\n", encoding="utf-8")
    result = _run(config)
    assert result.exit_code == ExitCode.SUCCESS, result.text
    assert "nothing to do" not in result.text
    assert "Rebuilt because what the published release was built from changed: " in result.text
    assert "disclosure.threshold: 5 -> 10" in result.text
    changed = _events(settings, "settings_changed")[-1]["changes"]
    assert changed == ["disclosure.threshold: 5 -> 10"]
    assert _threshold(settings) == "10"
    assert "nothing to do" in _run(config).text  # recorded with the new release


def test_a_changed_reference_file_rebuilds(tmp_path):
    config, settings = _setup(tmp_path)
    assert _run(config).exit_code == ExitCode.SUCCESS
    lookup = tmp_path / "area_to_lpu.csv"
    lookup.write_text(lookup.read_text().replace("SOL,Solihull", "SOL,Solihull LPU"))
    result = _run(config)
    assert result.exit_code == ExitCode.SUCCESS, result.text
    assert "reference.area_lookup_file (contents): sha256:" in result.text
    with connect(settings.paths.database, read_only=True) as con:
        names = con.execute(
            "select distinct area_name from analytics.population_benchmark where area_code = 'SOL'"
        ).fetchall()
    assert names == [("Solihull LPU",)]


def test_a_new_force_name_is_a_change(tmp_path):
    _config, settings = _setup(tmp_path)
    before = dependencies.fingerprint(settings)
    renamed = settings.model_copy(
        update={"force": settings.force.model_copy(update={"name": "west midlands police"})}
    )
    got = [str(c) for c in dependencies.changes(before, dependencies.fingerprint(renamed))]
    assert got == ['force.name: "West Midlands" -> "west midlands police"']


def test_a_release_without_a_record_is_rebuilt_once(tmp_path):
    config, settings = _setup(tmp_path)
    assert _run(config).exit_code == ExitCode.SUCCESS
    with connect(current_history(settings)) as con:  # what the next run builds on
        con.execute("update ops.runs set settings = null")
    result = _run(config)
    assert "settings of the published release: not recorded -> recorded now" in result.text
    assert "nothing to do" in _run(config).text


def test_where_the_report_goes_does_not_rebuild_it(tmp_path):
    config, _ = _setup(tmp_path)
    assert _run(config).exit_code == ExitCode.SUCCESS
    (tmp_path / "share").mkdir()
    config.write_text(config.read_text() + '[delivery.folder]\npath = "share"\n', encoding="utf-8")
    assert "nothing to do" in _run(config).text
    assert not any(
        k.startswith("delivery.") for k in dependencies.fingerprint(load_settings(config))
    )
