"""A file with a header and no rows (hostile-9 #9): a valid export of an event extract (a
small force has years without a misconduct case, a grievance or a development programme),
read as no rows and passed by its contract; an export fault for a staff snapshot or survey,
which blocks naming the file. One declaration says which (``schemas.EMPTY_FILE_MEANS``):
the reader follows it and the suites' ``rows_present`` rule takes its minimum from it, so the
tests are parametrised over the declaration and a new kind is covered when it is declared.

Real files in tmp_path, through the real readers and the real GX suites."""

from __future__ import annotations

from datetime import date

import openpyxl
import pandas as pd
import pytest

from pipeline.config import EXTRACT_KINDS
from pipeline.contracts import _with_derived, contract_parameters, load_suite, validate_extract
from pipeline.extracts import ExtractError, _convert, read_extract
from pipeline.schemas import EMPTY_FILE_MEANS, EXTRACT_COLUMNS, allowed_codes, fewest_rows

LPUS = frozenset({"BHM", "SOL"})
MAY_BE_EMPTY = [kind for kind, means in EMPTY_FILE_MEANS.items() if means]
NEVER_EMPTY = [kind for kind, means in EMPTY_FILE_MEANS.items() if not means]


def header_only(settings, kind: str, suffix: str, blank_rows: int = 0):
    """A file of ``kind`` with its header and nothing else (``blank_rows`` empty rows)."""
    header = [c.name for c in EXTRACT_COLUMNS[kind]]
    path = settings.paths.inbox / f"{kind}_2026{suffix}"
    if suffix == ".xlsx":
        workbook = openpyxl.Workbook()
        workbook.active.append(header)
        for _ in range(blank_rows):
            workbook.active.append([None] * len(header))
        workbook.save(path)
    else:
        path.write_text(",".join(header) + "\n" + ",\n" * blank_rows, encoding="utf-8")
    return path


def test_every_kind_declares_whether_a_header_alone_is_an_export():
    assert list(EMPTY_FILE_MEANS) == list(EXTRACT_KINDS) == list(EXTRACT_COLUMNS)
    assert NEVER_EMPTY == ["staff_snapshot", "staff_survey"]


@pytest.mark.parametrize("kind", list(EXTRACT_COLUMNS))
def test_the_contract_takes_its_fewest_rows_from_the_declaration(kind):
    """One source of truth: the suite names the declared minimum, never a number of its own."""
    data, rules = load_suite(kind)
    (rule,) = [r for r in rules if r.name == "rows_present"]
    assert rule.severity == "blocking"
    (expectation,) = [e for e in data["expectations"] if e["meta"]["rule"] == "rows_present"]
    assert expectation["type"] == "expect_table_row_count_to_be_between"
    assert expectation["kwargs"] == {"min_value": {"$PARAMETER": f"fewest_rows_{kind}"}}


@pytest.mark.parametrize("kind", list(EXTRACT_COLUMNS))
def test_great_expectations_judges_an_empty_batch_as_declared(tiny_force, contracts_runner, kind):
    """The suite's rows_present rule on a batch of no rows: passed exactly where the
    declaration allows an empty file."""
    parameters = contract_parameters(tiny_force, LPUS, date(2026, 4, 30))
    cells = pd.DataFrame({c.name: pd.Series(dtype="str") for c in EXTRACT_COLUMNS[kind]})
    cells["source_row"] = pd.Series(dtype="int64")
    typed, _ = _convert(cells, kind, tiny_force, allowed_codes(tiny_force, LPUS))
    frame = _with_derived(contracts_runner, kind, typed.set_index("source_row"))
    outcomes = dict(contracts_runner.run(kind, frame, parameters))
    failed = [rule.name for rule, o in outcomes.items() if not o["success"]]
    assert ("rows_present" in failed) is (fewest_rows(kind) > 0)
    if fewest_rows(kind) == 0:
        assert failed == []


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
@pytest.mark.parametrize("kind", MAY_BE_EMPTY)
def test_an_empty_event_extract_is_read_as_no_rows_and_passes_its_contract(
    tiny_force, contracts_runner, kind, suffix
):
    path = header_only(tiny_force, kind, suffix, blank_rows=2)
    allowed = allowed_codes(tiny_force, LPUS)
    extract = read_extract(path, kind, tiny_force, allowed)
    assert extract.rows_read == 0 and extract.problems == ()
    assert {c.name for c in EXTRACT_COLUMNS[kind]} - {"staff_id", "case_id", "applicant_id"} <= set(
        extract.typed.columns
    )
    checked, results, blocking = validate_extract(
        contracts_runner, extract, contract_parameters(tiny_force, LPUS, date(2026, 4, 30)),
        tiny_force,
    )  # fmt: skip
    assert blocking == []
    assert [r.rule for r in results if not r.success] == []
    assert "rows_present" in {r.rule for r in results}
    assert checked.frame.empty and checked.quarantined.empty
    if suffix == ".csv":  # the fast CSV path and the exact one agree
        exact = read_extract(path, kind, tiny_force, allowed, fast=False)
        pd.testing.assert_frame_equal(extract.typed, exact.typed)
        pd.testing.assert_frame_equal(extract.original, exact.original)


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
@pytest.mark.parametrize("kind", NEVER_EMPTY)
def test_an_empty_snapshot_or_survey_still_blocks_naming_the_file(tiny_force, kind, suffix):
    path = header_only(tiny_force, kind, suffix)
    for fast in (True, False):
        with pytest.raises(ExtractError, match=rf"^{kind}_2026\{suffix}: The file has a header"):
            read_extract(path, kind, tiny_force, allowed_codes(tiny_force, LPUS), fast=fast)
