"""A reference table's contract results are reused while the table, its suite, the
parameters it uses and the product are unchanged (``pipeline.verdicts``); any change
validates it again, and a night that rebuilds with no new file does not import GX."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from datetime import date

import pytest
from conftest import STAFF_HEADER, staff_row, write_inbox

from pipeline import contracts, reference, verdicts
from pipeline.config import CONTRACTS_DIR
from pipeline.nightly import log_path, run_nightly


@pytest.fixture
def reference_tables(tiny_force):
    tables = reference.load_reference(tiny_force)
    lpu_codes = frozenset(tables["area_lookup"]["lpu_code"])
    parameters = contracts.contract_parameters(tiny_force, lpu_codes, date(2026, 4, 1))
    return tables, parameters


def _check(runner, settings, tables, parameters, name="area_lookup", frame=None):
    source = {
        "area_lookup": settings.reference.area_lookup_file,
        "census_population": settings.reference.census_file,
    }[name]
    return verdicts.validate_reference(
        runner,
        name,
        tables[name] if frame is None else frame,
        source,
        parameters,
        verdicts.store_path(settings),
    )


@pytest.mark.parametrize("name", ["area_lookup", "census_population"])
def test_an_unchanged_reference_table_is_not_validated_again(
    tiny_force, reference_tables, contracts_runner, name
):
    tables, parameters = reference_tables
    first, blocking, reused = _check(contracts_runner, tiny_force, tables, parameters, name)
    assert (blocking, reused) == ([], False)
    again, blocking, reused = _check(contracts_runner, tiny_force, tables, parameters, name)
    assert (blocking, reused) == ([], True)
    assert again == first
    direct = contracts.validate_reference(
        contracts_runner, name, tables[name], verdicts.store_path(tiny_force), parameters
    )[0]
    assert [r.rule for r in again] == [r.rule for r in direct] and all(r.success for r in again)


def test_a_changed_table_suite_or_parameter_is_validated_again(
    tiny_force, reference_tables, contracts_runner, tmp_path
):
    tables, parameters = reference_tables
    assert not _check(contracts_runner, tiny_force, tables, parameters)[2]
    assert _check(contracts_runner, tiny_force, tables, parameters)[2]

    # The table: one area's name spelt differently.
    renamed = tables["area_lookup"].copy()
    renamed.loc[renamed.index[0], "area_name"] = "Birmingham City"
    renamed.attrs = dict(tables["area_lookup"].attrs)
    assert not _check(contracts_runner, tiny_force, tables, parameters, frame=renamed)[2]
    assert _check(contracts_runner, tiny_force, tables, parameters, frame=renamed)[2]

    # The suite: a rule's description reworded; the new wording is in the results.
    suites = tmp_path / "suites"
    shutil.copytree(CONTRACTS_DIR, suites)
    suite = json.loads((suites / "area_lookup.json").read_text())
    suite["expectations"][0]["meta"]["description"] = "Every area has a code (reworded)."
    (suites / "area_lookup.json").write_text(json.dumps(suite))
    results, _, reused = _check(
        contracts.Contracts(suites), tiny_force, tables, parameters, frame=renamed
    )
    assert not reused
    assert results[0].message == "Every area has a code (reworded)."

    # A parameter the census suite refers to.
    assert not _check(contracts_runner, tiny_force, tables, parameters, "census_population")[2]
    assert _check(contracts_runner, tiny_force, tables, parameters, "census_population")[2]
    more = {**parameters}
    more["allowed_census_ethnicity_code"] = [*parameters["allowed_census_ethnicity_code"], "Z9"]
    assert not _check(contracts_runner, tiny_force, tables, more, "census_population")[2]
    # ... but not one it does not refer to.
    other = {**more, "today": "2030-01-01"}
    assert _check(contracts_runner, tiny_force, tables, other, "census_population")[2]


def test_a_blocked_reference_table_is_validated_every_time(
    tiny_force, reference_tables, contracts_runner
):
    tables, parameters = reference_tables
    broken = tables["area_lookup"].copy()
    broken.loc[broken.index[0], "lpu_code"] = " "
    broken.attrs = dict(tables["area_lookup"].attrs)
    for _ in range(2):
        _, blocking, reused = _check(contracts_runner, tiny_force, tables, parameters, frame=broken)
        assert blocking and "lpu_code_present" in blocking[0]
        assert not reused


def test_a_rebuild_with_no_new_file_does_not_import_great_expectations(tiny_force):
    rows = [staff_row(f"P{i}", ("W1", "A2", "B1")[i % 3]) for i in range(9)]
    write_inbox(tiny_force, "staff_snapshot_2026-03-31.csv", STAFF_HEADER + "\n" + "\n".join(rows))
    run_nightly(tiny_force)
    config = tiny_force.paths.inbox.parent / "progression.toml"
    script = (
        "import sys\n"
        "from pathlib import Path\nfrom pipeline.config import load_settings\n"
        "from pipeline.nightly import run_nightly\n"
        f"result = run_nightly(load_settings(Path({str(config)!r})), force=True)\n"
        "print(result.changed, 'great_expectations' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)

    assert done.stdout.split("\n")[0] == "True False", done.stdout + done.stderr
    lines = [json.loads(line) for line in log_path(tiny_force).read_text().splitlines()]
    last_run = [i for i, line in enumerate(lines) if line["event"] == "run_started"][-1]
    reused = [line for line in lines[last_run:] if line["event"] == "contract_results_reused"]
    assert reused and reused[0]["tables"] == ["area_lookup", "census_population"]
    assert lines[-1]["event"] == "run_finished" and "validate" in lines[-1]["stage_seconds"]


def test_a_table_that_cannot_be_hashed_is_validated_and_nothing_kept(
    tiny_force, reference_tables, contracts_runner
):
    tables, parameters = reference_tables
    odd = tables["area_lookup"].assign(notes=[["a list"]] * len(tables["area_lookup"]))
    odd.attrs = dict(tables["area_lookup"].attrs)
    for _ in range(2):
        results, blocking, reused = _check(
            contracts_runner, tiny_force, tables, parameters, frame=odd
        )
        assert (blocking, reused) == ([], False) and all(r.success for r in results)
    assert not verdicts.store_path(tiny_force).exists()
