"""The suite files and the contract machinery: every column guarded, rules well-formed and
documented, derived columns right on hand-worked cases."""

from __future__ import annotations

import json
import re
from datetime import date

import pandas as pd
import pytest
from conftest import STAFF_HEADER, staff_row, write_config, write_inbox

from pipeline.config import CONTRACTS_DIR, REPO_ROOT, load_settings
from pipeline.contracts import (
    SuiteError,
    _completed_years,
    _is_most_common,
    _stage_derived,
    contract_parameters,
    load_suite,
    validate_extract,
)
from pipeline.extracts import read_extract
from pipeline.schemas import EXTRACT_COLUMNS, KEY_COLUMN_FOR_ID, allowed_codes

SUITES = sorted(p.stem for p in CONTRACTS_DIR.glob("*.json"))
LPUS = frozenset({"BHM", "SOL"})


def test_one_suite_per_input_named_after_its_raw_table():
    assert sorted([*EXTRACT_COLUMNS, "area_lookup", "census_population"]) == SUITES


@pytest.mark.parametrize("kind", list(EXTRACT_COLUMNS))
def test_every_column_is_typed_and_every_required_or_code_column_is_checked(kind):
    _, rules = load_suite(kind)
    names = {rule.name: rule for rule in rules}
    for column in EXTRACT_COLUMNS[kind]:
        assert names[f"{column.name}_type"].severity == "blocking"
        if column.required:
            assert f"{column.name}_present" in names
        if column.type == "code":
            checked = [r for r in rules if r.columns == (column.name,) and r.severity == "row"]
            assert any(r.expectation_type == "expect_column_values_to_be_in_set" for r in checked)


@pytest.mark.parametrize("name", SUITES)
def test_row_rules_are_rules_that_find_rows(name):
    """A 'row' rule must be a map expectation, or it could not say which rows to quarantine."""
    import great_expectations.expectations as gxe
    from great_expectations.expectations.expectation import (
        ColumnMapExpectation,
        ColumnPairMapExpectation,
        MulticolumnMapExpectation,
    )

    _, rules = load_suite(name)
    maps = (ColumnMapExpectation, ColumnPairMapExpectation, MulticolumnMapExpectation)
    for rule in rules:
        cls = getattr(gxe, "".join(p.title() for p in rule.expectation_type.split("_")))
        if rule.severity == "row":
            assert issubclass(cls, maps), rule.name
    if name in ("area_lookup", "census_population"):
        assert {r.severity for r in rules} == {"blocking"}


@pytest.mark.parametrize("name", SUITES)
def test_derived_columns_are_documented_in_the_suite(name):
    data, _ = load_suite(name)
    used = set(re.findall(r"derived_[a-z_]+", json.dumps(data["expectations"])))
    assert used == set(data["meta"].get("derived_columns", {}))


def test_every_rule_is_documented():
    docs = (REPO_ROOT / "docs" / "data-contracts.md").read_text(encoding="utf-8")
    for name in SUITES:
        for rule in load_suite(name)[1]:
            assert f"`{rule.name}`" in docs, f"{name}: {rule.name} is not in the docs"
    others = ["quarantined_share", "invalid_date", "invalid_number", "invalid_flag",
              "excel_error_value", "wrong_field_count", "headcount_change", "rank_disappeared",
              "declaration_rate_drop", "candidate_in_staff_snapshot", "invalid_year",
              "person_in_staff_snapshot", "survey_parts_add_up",
              "survey_question_asked"]  # fmt: skip
    for rule in others:
        assert f"`{rule}`" in docs


@pytest.mark.parametrize(
    ("meta", "problem"),
    [
        ({"rule": "x", "severity": "fatal", "description": "d", "fix": "f"}, "severity"),
        ({"rule": "x", "severity": "row", "description": "d"}, "fix"),
    ],
)
def test_a_malformed_suite_is_refused_before_judging_data(tmp_path, meta, problem):
    suite = {
        "name": "staff_snapshot",
        "expectations": [
            {
                "type": "expect_column_values_to_not_be_null",
                "kwargs": {"column": "sex"},
                "meta": meta,
            }
        ],
    }
    (tmp_path / "staff_snapshot.json").write_text(json.dumps(suite), encoding="utf-8")
    with pytest.raises(SuiteError, match=f"staff_snapshot.json expectation 1: .*{problem}"):
        load_suite("staff_snapshot", tmp_path)


def test_a_rule_defined_twice_is_refused(tmp_path):
    meta = {"rule": "x", "severity": "row", "description": "d", "fix": "f"}
    expectation = {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "sex"}}
    suite = {"name": "staff_snapshot", "expectations": [{**expectation, "meta": meta}] * 2}
    (tmp_path / "staff_snapshot.json").write_text(json.dumps(suite), encoding="utf-8")
    with pytest.raises(SuiteError, match="rule 'x' is defined twice"):
        load_suite("staff_snapshot", tmp_path)


@pytest.mark.parametrize(
    ("born", "on", "years"),
    [
        ("2010-03-31", "2026-03-31", 16),  # birthday today
        ("2010-04-01", "2026-03-31", 15),  # tomorrow
        ("2008-02-29", "2026-02-28", 17),  # leap-day birthday not yet reached
        ("2008-02-29", "2026-03-01", 18),
    ],
)
def test_completed_years(born, on, years):
    got = _completed_years(pd.Series([pd.Timestamp(born)]), pd.Series([pd.Timestamp(on)]))
    assert got.iloc[0] == years


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (["2026-03-31", "2026-03-31", "2026-04-30", None], [True, True, False, True]),
        (["2026-03-31", "2026-04-30"], [False, False]),  # no date is the file's
        (["2026-03-31", "2026-03-31", "2026-04-30", "2026-02-28", "2026-02-28"],
         [False, False, False, False, False]),
        (["2026-03-31", None], [True, True]),
        ([None, None], [True, True]),
    ],
)  # fmt: skip
def test_the_rows_of_a_snapshot_file_that_differ_from_its_usual_date(values, expected):
    dates = pd.Series(pd.to_datetime(values), index=range(2, 2 + len(values)))
    assert _is_most_common(dates).tolist() == expected


def test_stage_checks_on_a_hand_worked_process():
    rows = [
        # person, order, name, outcome -> (name agrees, follows a passed stage)
        ("A", 1, "Exam", "passed", True, True),
        ("A", 2, "Interview", "passed", True, True),
        ("A", 3, "Board", "failed", True, True),
        ("B", 1, "exam ", "failed", True, True),  # case and spaces do not matter
        ("B", 2, "Interview", "passed", True, False),  # after a failure
        ("C", 2, "Interview", "passed", True, False),  # no stage 1 row
        ("D", 1, "Exam", "passed", True, True),
        ("D", 2, "Intervew", "withdrew", False, True),  # 1 of 4 rows at stage 2
    ]
    frame = pd.DataFrame(
        {
            "process_id": "P",
            "staff_key": [r[0] for r in rows],
            "stage_order": pd.array([r[1] for r in rows], dtype="Int64"),
            "stage_name": pd.array([r[2] for r in rows], dtype="str"),
            "outcome": [r[3] for r in rows],
        },
        index=range(2, 2 + len(rows)),
    )
    got = _stage_derived(frame, "process_id", "staff_key")
    assert got["derived_stage_name_agrees"].tolist() == [r[4] for r in rows]
    assert got["derived_follows_a_passed_stage"].tolist() == [r[5] for r in rows]


def test_stage_names_split_evenly_have_no_majority():
    frame = pd.DataFrame(
        {
            "process_id": "P",
            "staff_key": ["A", "B"],
            "stage_order": pd.array([1, 1], dtype="Int64"),
            "stage_name": pd.array(["Exam", "Test"], dtype="str"),
            "outcome": ["passed", "passed"],
        }
    )
    got = _stage_derived(frame, "process_id", "staff_key")
    assert got["derived_stage_name_agrees"].tolist() == [False, False]


def test_stages_are_ordered_per_process_not_across_processes():
    frame = pd.DataFrame(
        {
            "process_id": ["P", "Q"],
            "staff_key": ["A", "A"],
            "stage_order": pd.array([1, 2], dtype="Int64"),
            "stage_name": pd.array(["Exam", "Interview"], dtype="str"),
            "outcome": ["passed", "passed"],
        }
    )
    got = _stage_derived(frame, "process_id", "staff_key")
    assert got["derived_follows_a_passed_stage"].tolist() == [True, True]  # Q starts at 2


def test_unconfigured_departments_are_reported_not_checked(tmp_path, contracts_runner):
    config = write_config(tmp_path)
    text = config.read_text(encoding="utf-8")
    config.write_text(text[: text.index("[[codes.departments]]")], encoding="utf-8")
    settings = load_settings(config)
    path = write_inbox(settings, "staff_snapshot.csv", f"{STAFF_HEADER}\n{staff_row('A', 'W1')}\n")
    extract = read_extract(path, "staff_snapshot", settings, allowed_codes(settings, LPUS))
    parameters = contract_parameters(settings, LPUS, date(2026, 4, 30))
    checked, results, blocking = validate_extract(contracts_runner, extract, parameters, settings)
    department = next(r for r in results if r.rule == "department_known")
    assert (department.severity, department.success) == ("warning", False)
    assert department.message.startswith("Not checked: the configuration lists no values")
    assert len(checked.frame) == 1 and blocking == []


def test_identifier_columns_are_named_as_in_the_file():
    _, rules = load_suite("staff_snapshot")
    columns = {c for rule in rules for c in rule.columns}
    assert "staff_id" in columns
    assert not columns & set(KEY_COLUMN_FOR_ID.values())
