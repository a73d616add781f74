"""The configuration file as a force saves it: its encoding, lists that name one thing
twice, column mappings, synonyms and the report link. Each fault is a configuration error
(exit 2) naming the file and the key and saying what to change, never a traceback and
never a setting silently ignored.

Hostile 10: a progression.toml saved in Windows-1252 ended every command in a
``UnicodeDecodeError`` traceback (exit 1), one with a UTF-8 byte-order mark in "Invalid
statement (at line 1, column 1)", and a department listed twice counted its people twice.
Two columns mapped from one header, a synonym contradicting a code (the code silently won)
and a report link that was no web address were accepted; ONS ethnic group wordings with
the broad group's heading ("Other ethnic group - Arab") were quarantined.
"""

from __future__ import annotations

import csv
import json
import re
import subprocess
import sys

import pytest
from conftest import STAFF_HEADER, staff_row, write_config, write_inbox
from typer.testing import CliRunner

from pipeline import codes
from pipeline.cli import app
from pipeline.config import REPO_ROOT, ConfigError, load_settings
from pipeline.extracts import read_extract
from pipeline.history import current_history
from pipeline.new_force import init_force
from pipeline.runs import ExitCode
from pipeline.schemas import allowed_codes
from pipeline.warehouse import connect

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
    with pytest.raises(ConfigError, match=re.escape(f"two values (case, spaces, dashes and "
                                                    f"colons do not count): {named}")):  # fmt: skip
        load_settings(write_config(tmp_path, extra))


def test_a_survey_indicator_is_given_one_question(tmp_path):
    extra = (
        '[survey.questions]\nQ1 = "discrimination"\nQ2 = "harassment_public"\n'
        'Q3 = "discrimination"\nQ4 = "harassment_public"\nQ5 = "equal_opportunities"\n'
    )
    with pytest.raises(ConfigError, match=re.escape(
        "[survey.questions] Q1, Q3 = 'discrimination'; Q2, Q4 = 'harassment_public': one "
        "question per indicator"
    )):  # fmt: skip
        load_settings(write_config(tmp_path, extra))


def test_two_spellings_of_a_synonym_for_the_same_value_are_harmless(tmp_path):
    extra = '[codes.ethnicity_synonyms]\n"Not stated" = "NS"\n"Not Stated" = "NS"\n'
    settings = load_settings(write_config(tmp_path, extra))
    assert settings.codes.ethnicity_synonyms["Not Stated"] == "NS"


def config_error(config) -> str:
    """The output of a run refused for its configuration (exit 2), nothing done."""
    result = CliRunner().invoke(app, ["run", "--config", str(config)])
    assert result.exit_code == ExitCode.CONFIG_ERROR, result.output
    assert not (config.parent / "var").exists()
    text = " ".join(result.output.split())
    assert str(config) in text
    return text


@pytest.mark.parametrize(
    ("columns", "named"),
    [
        (
            'staff_id = "Payroll No"\nrole = "payroll_no"\n',
            "maps one header to two columns (case, spaces, underscores and hyphens do not "
            "count): staff_id = 'Payroll No' and role = 'payroll_no'",
        ),
        ('staff_id = "Grade"\nrank_or_band = "GRADE "\n', "staff_id = 'Grade' and rank_or_band"),
        (
            '"Staff ID" = "Payroll No"\nstaff_id = "Employee No"\n',
            "'Staff ID': not a column of the staff_snapshot extract",
        ),
        ('ethnicity = "Ethnic Origin"\n', "'ethnicity': not a column of the staff_snapshot"),
        ('role = " "\n', "role = ' ': no header"),
    ],
)
def test_a_column_mapping_gives_each_column_its_own_header(tmp_path, columns, named):
    text = config_error(write_config(tmp_path, "[extracts.staff_snapshot.columns]\n" + columns))
    assert "[extracts.staff_snapshot.columns] " in text and named in text, text


def test_a_fault_of_the_whole_file_is_named_without_an_empty_key(tmp_path):
    config = write_config(tmp_path, '[leadership]\nsenior_bands = ["Band Z"]\n')
    text = config_error(config)
    assert f"{config}: Value error, [leadership] senior_bands names 'Band Z'" in text


@pytest.mark.parametrize(("sheet", "shown"), [("-1", "-1"), ("true", "True"), ('" "', "' '")])
def test_a_sheet_no_workbook_has_is_refused_before_a_workbook_arrives(tmp_path, sheet, shown):
    """Before, sheet = -1 was accepted until a workbook arrived and blocked the night (exit
    3); true was read as sheet 1."""
    text = config_error(write_config(tmp_path, f"[extracts.staff_snapshot]\nsheet = {sheet}\n"))
    assert f"extracts.staff_snapshot.sheet: Value error, {shown} is not a sheet" in text


def test_a_sheet_is_a_name_or_a_position_from_0(tmp_path):
    extra = '[extracts.staff_snapshot]\nsheet = 0\n[extracts.joiners_leavers]\nsheet = "HR"\n'
    extracts = load_settings(write_config(tmp_path, extra)).extracts
    assert (extracts["staff_snapshot"].sheet, extracts["joiners_leavers"].sheet) == (0, "HR")


def test_the_same_header_for_columns_of_different_extracts_is_no_repeat(tmp_path):
    extra = (
        '[extracts.staff_snapshot.columns]\nstaff_id = "Payroll No"\n'
        '[extracts.joiners_leavers.columns]\nstaff_id = "Payroll No"\n'
    )
    settings = load_settings(write_config(tmp_path, extra))
    assert settings.extracts["joiners_leavers"].columns == {"staff_id": "Payroll No"}


@pytest.mark.parametrize(
    ("extra", "named"),
    [
        (
            '[codes.rank_synonyms]\n"SERGEANT" = "Inspector"\n',
            "[codes.rank_synonyms] 'SERGEANT' = 'Inspector': 'SERGEANT' is 'Sergeant' itself",
        ),
        (
            '[codes.ethnicity_synonyms]\n"w 1" = "W2"\n',
            "[codes.ethnicity_synonyms] 'w 1' = 'W2': 'w 1' is 'W1' itself",
        ),
        (
            '[codes.department_synonyms]\n"firearms operations" = "Local Policing"\n',
            "'firearms operations' is 'Firearms Operations' itself",
        ),
        (
            '[appraisal.synonyms]\n"competent" = "Exceptional"\n',
            "[appraisal.synonyms] 'competent' = 'Exceptional': 'competent' is 'Competent' itself",
        ),
        (  # a built-in synonym against the force's own band: map it to the band to keep it
            '[codes]\nstaff_bands = ["SC", "SO1"]\n',
            "[codes.rank_synonyms] 'SC' = 'Special Constable': 'SC' is 'SC' itself, which a "
            "file's value is read as before any synonym (remove the synonym, or map it to 'SC')",
        ),
    ],
)
def test_a_synonym_that_contradicts_a_code_is_refused(tmp_path, extra, named):
    """Before, the code won, whatever the synonym said: a file's value is matched with the
    codes before the synonyms (``extracts._normalise_codes``), so the synonym never applied."""
    assert named in config_error(write_config(tmp_path, extra))


def test_a_synonym_that_agrees_with_a_code_is_harmless(tmp_path):
    extra = (
        '[codes]\nstaff_bands = ["SC", "SO1"]\n[codes.rank_synonyms]\n"SC" = "SC"\n'
        '"sergeant" = "Sergeant"\n[codes.ethnicity_synonyms]\n"w1" = "W1"\n'
    )
    settings = load_settings(write_config(tmp_path, extra))
    assert settings.codes.rank_synonyms["SC"] == "SC"


@pytest.mark.parametrize(
    ("synonyms", "named"),
    [
        (
            '"Brum" = "BRUM"\n"Solihull LPU" = "SOL"\n',
            "[codes.lpu_synonyms] 'Brum' = 'BRUM': not one of BHM, COV, DUD, SAN, SOL, WAL, WOL",
        ),
        ('"bhm" = "SOL"\n', "[codes.lpu_synonyms] 'bhm' = 'SOL': 'bhm' is 'BHM' itself"),
    ],
)
def test_an_lpu_synonym_names_an_lpu_of_the_area_lookup(tmp_path, synonyms, named):
    """Before, a synonym onto no LPU of the lookup was accepted: every row with its wording
    was then quarantined as an unknown LPU, the synonym the user wrote silently not applied.
    The lookup's codes are not known when the configuration is loaded: checked on reading it."""
    config = write_config(tmp_path, "[codes.lpu_synonyms]\n" + synonyms)
    result = CliRunner().invoke(app, ["run", "--config", str(config)])
    assert result.exit_code == ExitCode.CONFIG_ERROR, result.output
    text = " ".join(result.output.split())
    assert named in text and "Solihull LPU" not in text
    assert f"the LPU codes of {tmp_path / 'area_to_lpu.csv'}, [reference] area_lookup_file" in text


def test_an_lpu_synonym_onto_an_lpu_of_the_lookup_is_read_as_it(tmp_path):
    config = write_config(tmp_path, '[codes.lpu_synonyms]\n"Birmingham LPU" = "BHM"\n')
    rows = [staff_row(f"P{i}", "W1", lpu="Birmingham LPU") for i in range(20)]
    write_inbox(load_settings(config), "staff_snapshot_2026-03-31.csv",
                STAFF_HEADER + "\n" + "\n".join(rows) + "\n")  # fmt: skip
    result = CliRunner().invoke(app, ["run", "--config", str(config)])
    assert result.exit_code == ExitCode.SUCCESS, result.output
    with connect(current_history(load_settings(config)), read_only=True) as con:
        found = con.execute("select distinct lpu_code from raw.staff_snapshot").fetchall()
    assert found == [("BHM",)]


@pytest.mark.parametrize(
    "link",
    [
        "javascript:alert(1)",
        "www.force.example/reports/{folder}/",
        "https://intranet.force.example/BME reports/{folder}/",
        "https://intranet.force.example/reports/{date}/",
        "https://",
        "file://",
        "\\\\server",
        "\\\\server\\BME reports\\{folder}",
    ],
)
def test_a_report_link_that_is_no_web_address_is_refused(tmp_path, link):
    extra = (
        '[delivery.smtp]\nhost = "smtp.force.example"\nfrom_address = "a@force.example"\n'
        f'[delivery.email]\nrecipients = ["b@force.example"]\nreport_link = {json.dumps(link)}\n'
    )
    text = config_error(write_config(tmp_path, extra))
    assert f"delivery.email.report_link: Value error, {link!r} is not a web address" in text
    if link.startswith("\\\\") and " " in link:  # %20 in a share path is no space
        assert "'file://server/BME%20reports/{folder}'" in text, text


@pytest.mark.parametrize(
    "link",
    [
        "https://sharepoint.force.example/sites/bmepg/Reports/{folder}/index.html?web=1",
        "file:///mnt/share/{folder}",
        "\\\\server\\share\\Reports\\{folder}",
    ],
)
def test_a_web_address_or_share_path_with_the_folder_is_a_report_link(tmp_path, link):
    extra = (
        '[delivery.smtp]\nhost = "smtp.force.example"\nfrom_address = "a@force.example"\n'
        f'[delivery.email]\nrecipients = ["b@force.example"]\nreport_link = {json.dumps(link)}\n'
    )
    assert load_settings(write_config(tmp_path, extra)).delivery.email.report_link == link


# The ONS ethnic group wordings, written out (not derived from the synonym table): the
# Census 2021 outputs' (TS021), the 2021 questionnaire's in England as GOV.UK lists them,
# and the Census 2011's (the 18 groups of the police codes), each with its code.
CENSUS_2021 = {
    "White: English, Welsh, Scottish, Northern Irish or British": "W1",
    "White: Irish": "W2",
    "White: Gypsy or Irish Traveller": "W3",
    "White: Roma": "W9",
    "White: Other White": "W9",
    "Mixed or Multiple ethnic groups: White and Black Caribbean": "M1",
    "Mixed or Multiple ethnic groups: White and Black African": "M2",
    "Mixed or Multiple ethnic groups: White and Asian": "M3",
    "Mixed or Multiple ethnic groups: Other Mixed or Multiple ethnic groups": "M9",
    "Asian, Asian British or Asian Welsh: Indian": "A1",
    "Asian, Asian British or Asian Welsh: Pakistani": "A2",
    "Asian, Asian British or Asian Welsh: Bangladeshi": "A3",
    "Asian, Asian British or Asian Welsh: Chinese": "A4",
    "Asian, Asian British or Asian Welsh: Other Asian": "A9",
    "Black, Black British, Black Welsh, Caribbean or African: Caribbean": "B1",
    "Black, Black British, Black Welsh, Caribbean or African: African": "B2",
    "Black, Black British, Black Welsh, Caribbean or African: Other Black": "B9",
    "Other ethnic group: Arab": "O2",
    "Other ethnic group: Any other ethnic group": "O9",
}
GOV_UK_2021 = {
    "White: English, Welsh, Scottish, Northern Irish or British": "W1",
    "White: Irish": "W2",
    "White: Gypsy or Irish Traveller": "W3",
    "White: Roma": "W9",
    "White: Any other White background": "W9",
    "Mixed or Multiple ethnic groups: White and Black Caribbean": "M1",
    "Mixed or Multiple ethnic groups: White and Black African": "M2",
    "Mixed or Multiple ethnic groups: White and Asian": "M3",
    "Mixed or Multiple ethnic groups: Any other Mixed or Multiple ethnic background": "M9",
    "Asian or Asian British: Indian": "A1",
    "Asian or Asian British: Pakistani": "A2",
    "Asian or Asian British: Bangladeshi": "A3",
    "Asian or Asian British: Chinese": "A4",
    "Asian or Asian British: Any other Asian background": "A9",
    "Black, Black British, Caribbean or African: Caribbean": "B1",
    "Black, Black British, Caribbean or African: African": "B2",
    "Black, Black British, Caribbean or African: Any other Black, Black British, or "
    "Caribbean background": "B9",
    "Other ethnic group: Arab": "O2",
    "Other ethnic group: Any other ethnic group": "O9",
}
CENSUS_2011 = {
    "White: English/Welsh/Scottish/Northern Irish/British": "W1",
    "White: Irish": "W2",
    "White: Gypsy or Irish Traveller": "W3",
    "White: Any other White background": "W9",
    "Mixed/multiple ethnic groups: White and Black Caribbean": "M1",
    "Mixed/multiple ethnic groups: White and Black African": "M2",
    "Mixed/multiple ethnic groups: White and Asian": "M3",
    "Mixed/multiple ethnic groups: Any other Mixed/multiple ethnic background": "M9",
    "Asian/Asian British: Indian": "A1",
    "Asian/Asian British: Pakistani": "A2",
    "Asian/Asian British: Bangladeshi": "A3",
    "Asian/Asian British: Chinese": "A4",
    "Asian/Asian British: Any other Asian background": "A9",
    "Black/African/Caribbean/Black British: African": "B2",
    "Black/African/Caribbean/Black British: Caribbean": "B1",
    "Black/African/Caribbean/Black British: Any other Black/African/Caribbean background": "B9",
    "Other ethnic group: Arab": "O2",
    "Other ethnic group: Any other ethnic group": "O9",
}
OTHER_WORDINGS = {
    "White - British": "W1",
    "Black or Black British - African": "B2",
    "Asian or Asian British - Pakistani": "A2",
    "Prefer not to say": "NS",
    "Not stated": "NS",
    "Refused": "NS",
    "Declined": "NS",
    "Not Recorded": "NS",
    "Black African": "B2",
    "Black Caribbean": "B1",
    "Irish Traveller": "W3",
    **{e.label: e.code for e in codes.ETHNICITIES},  # the product's own labels
}


@pytest.mark.parametrize("separator", [": ", " - ", " \u2013 ", " \u2014 ", ":", " -"])
@pytest.mark.parametrize(
    "labels", [CENSUS_2021, GOV_UK_2021, CENSUS_2011], ids=["2021", "2021-gov-uk", "2011"]
)
def test_every_ons_ethnic_group_wording_is_read_as_its_code(tiny_force, labels, separator):
    assert len(labels) in (18, 19) and len(set(labels.values())) == 18
    written = {label.replace(": ", separator, 1): code for label, code in labels.items()}
    assert codes_read(tiny_force, written) == list(written.values())


def test_the_wordings_hr_systems_export_are_read_as_their_codes(tiny_force):
    assert codes_read(tiny_force, OTHER_WORDINGS) == list(OTHER_WORDINGS.values())


def codes_read(settings, labels: dict[str, str]) -> list[str]:
    """The ethnicity codes the nightly reader makes of a staff snapshot with these labels."""
    path = settings.paths.inbox / "staff_snapshot_2026-03-31.csv"
    column = STAFF_HEADER.split(",").index("ethnicity_code")
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(STAFF_HEADER.split(","))
        for i, label in enumerate(labels):
            row = staff_row(f"P{i}", "W1").split(",")
            row[column] = label
            writer.writerow(row)
    extract = read_extract(path, "staff_snapshot", settings, allowed_codes(settings, LPUS))
    return list(extract.frame["ethnicity_code"])


LPUS = frozenset({"BHM"})


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
