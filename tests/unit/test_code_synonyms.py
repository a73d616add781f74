"""Every coded column maps the HR system's wording through a configurable synonym table,
and codes and labels that differ only in case, spacing or the kind of dash are the same
code (issue 11 item 7; issue 12 item 5's `a 2`, ` w 1 `). Each file goes through the real
reader and the real data contracts."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from conftest import write_config

from pipeline.codes import code_key
from pipeline.config import ConfigError, load_settings
from pipeline.contracts import contract_parameters, validate_extract
from pipeline.extracts import read_extract
from pipeline.schemas import allowed_codes

LPUS = frozenset({"BHM", "SOL"})
TODAY = date(2026, 4, 30)
MOVEMENT = ("staff_id,movement_type,movement_date,worker_type,rank_or_band,department,"
            "lpu_code,sex,ethnicity_code,service_start_date,leaving_reason")  # fmt: skip
PROMOTION = (
    "process_id,process_name,target_rank,staff_id,stage_order,stage_name,outcome,outcome_date"
)
RECRUITMENT = ("campaign_id,campaign_name,worker_type,entry_route,applicant_id,sex,"
               "ethnicity_code,age_band,stage_order,stage_name,outcome,outcome_date")  # fmt: skip


def checked(runner, settings, kind: str, header: str, rows: list[str]):
    path = settings.paths.inbox / f"{kind}_x.csv"
    path.write_text(header + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    extract = read_extract(path, kind, settings, allowed_codes(settings, LPUS))
    parameters = contract_parameters(settings, LPUS, TODAY)
    extract, _results, blocking = validate_extract(runner, extract, parameters, settings)
    return extract, blocking


def leaver(i: int, movement: str, reason: str) -> str:
    return (
        f"L{i},{movement},2025-06-01,Police Officer,PC,Local Policing,BHM,Female,W1,"
        f"2010-01-01,{reason}"
    )


def test_home_office_and_hr_wording_for_movements_and_leaving_reasons(contracts_runner, tiny_force):
    wording = {
        "Voluntary resignation": "resignation",
        "Normal retirement": "retirement",
        "Medical retirement": "retirement",
        "Dismissed or required to resign": "dismissal",
        "Transfer to another force": "transfer",
        "Deceased": "death",
    }
    rows = [leaver(i, "Leaver", w) for i, w in enumerate(wording)]
    rows += [leaver(10 + i, "Starter", "") for i in range(3)]
    extract, blocking = checked(contracts_runner, tiny_force, "joiners_leavers", MOVEMENT, rows)
    assert blocking == [] and extract.problems == ()
    assert list(extract.frame["leaving_reason"][:6]) == list(wording.values())
    assert set(extract.frame["movement_type"]) == {"leaver", "joiner"}


def test_pass_fail_and_dna_outcomes(contracts_runner, tiny_force):
    outcomes = ["Pass", "Fail", "DNA", "Withdrawn", "Did Not Attend", "pass"] * 4
    rows = [
        f"SGT-2025,Sergeant 2025,Sgt,P{i},1,Exam,{o},2025-06-01" for i, o in enumerate(outcomes)
    ]
    extract, blocking = checked(
        contracts_runner, tiny_force, "promotion_candidates", PROMOTION, rows
    )
    assert blocking == [] and extract.problems == ()
    assert list(extract.frame["outcome"][:5]) == [
        "passed", "failed", "did_not_attend", "withdrew", "did_not_attend",
    ]  # fmt: skip


def test_age_bands_and_worker_types_in_recruitment(contracts_runner, tiny_force):
    bands = ["18-24", "25 to 34", "35\u201344", "45 - 54", "55 and over"] * 4
    rows = [
        f"PC-2025,Constables 2025,Police Officer,PCDA,A{i},M,A1,{band},1,Application,Pass,"
        "2025-05-01"
        for i, band in enumerate(bands)
    ]
    extract, blocking = checked(
        contracts_runner, tiny_force, "recruitment_applicants", RECRUITMENT, rows
    )
    assert blocking == [] and extract.problems == ()
    assert list(extract.frame["age_band"][:5]) == ["16-24", "25-34", "35-44", "45-54", "55+"]


@pytest.mark.parametrize(
    ("written", "code"),
    [
        ("White  -  British", "W1"),
        ("White -British", "W1"),
        ("White\u00a0-\u00a0British", "W1"),
        ("White \u2013 British", "W1"),
        ("ASIAN OR ASIAN BRITISH - PAKISTANI", "A2"),
        ("a 2", "A2"),
        (" w 1 ", "W1"),
        ("b\u00a01", "B1"),
    ],
)
def test_spacing_case_and_dashes_inside_labels_and_codes(
    contracts_runner, tiny_force, written, code
):
    rows = [leaver(i, "leaver", "resignation") for i in range(20)]
    rows[0] = rows[0].replace(",W1,", f",{written},")
    extract, blocking = checked(contracts_runner, tiny_force, "joiners_leavers", MOVEMENT, rows)
    assert blocking == [] and extract.problems == ()
    assert extract.frame["ethnicity_code"].iloc[0] == code


def test_a_value_that_is_no_code_or_synonym_is_still_quarantined(contracts_runner, tiny_force):
    rows = [leaver(i, "leaver", "resignation") for i in range(20)]
    rows[0] = rows[0].replace("resignation", "Gardening leave")
    extract, _ = checked(contracts_runner, tiny_force, "joiners_leavers", MOVEMENT, rows)
    assert list(extract.quarantined["rule"]) == ["leaving_reason_allowed"]
    assert "[codes] leaving_reason_synonyms" in extract.quarantined["message"].iloc[0]


def test_a_force_adds_its_own_wording_to_the_defaults(contracts_runner, tmp_path: Path):
    extra = """
[codes.leaving_reason_synonyms]
"Gardening leave" = "other"
[codes.outcome_synonyms]
"Not yet assessed" = "withdrew"
[codes.department_synonyms]
"LPU Ops" = "Local Policing"
"""
    settings = load_settings(write_config(tmp_path, extra))
    assert settings.codes.leaving_reason_synonyms["Gardening leave"] == "other"
    assert settings.codes.leaving_reason_synonyms["Voluntary resignation"] == "resignation"
    rows = [leaver(i, "leaver", "Gardening leave") for i in range(20)]
    rows[1] = rows[1].replace("Local Policing", "lpu  ops")
    extract, blocking = checked(contracts_runner, settings, "joiners_leavers", MOVEMENT, rows)
    assert blocking == [] and extract.problems == ()
    assert set(extract.frame["leaving_reason"]) == {"other"}
    assert extract.frame["department"].iloc[1] == "Local Policing"


def test_a_synonym_for_a_code_that_does_not_exist_is_a_configuration_error(tmp_path: Path):
    config = write_config(tmp_path, '\n[codes.outcome_synonyms]\n"OK" = "pass"\n')
    with pytest.raises(ConfigError, match=r"\[codes.outcome_synonyms\] 'OK' = 'pass': not one of"):
        load_settings(config)


def test_code_key():
    assert code_key("White  -  British") == code_key("white - british") == "white-british"
    assert code_key(" w 1 ") == "w1"
