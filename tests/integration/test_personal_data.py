"""No raw identifier or name leaves the reader: not into the database (any schema, any
column, quarantine included), the logs, the command's output, or the report. Only the
archive keeps the files as delivered, by design."""

from __future__ import annotations

import pytest
from conftest import STAFF_HEADER, staff_row, write_config, write_inbox
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.config import load_settings
from pipeline.extracts import pseudonymise
from pipeline.history import current_history
from pipeline.runs import ExitCode
from pipeline.warehouse import connect

STAFF_IDS = [f"WM77{i:05d}" for i in range(44)]
APPLICANT_IDS = [f"APP-88{i:03d}" for i in range(20)]
NAMES = ["Okonkwo-Featherstonehaugh", "Zbigniewska", "QQ123456C", "17 Acacia Avenue"]
SECRETS = [*STAFF_IDS, *APPLICANT_IDS, *NAMES]


def _staff_file() -> str:
    header = STAFF_HEADER + ",Surname,NI Number,Home Address"
    extra = ",Okonkwo-Featherstonehaugh,QQ123456C,17 Acacia Avenue"
    rows = [staff_row(staff_id, "W1") + extra for staff_id in STAFF_IDS[:40]]
    rows += [
        staff_row(STAFF_IDS[40], "X7") + ",Zbigniewska,QQ123456C,17 Acacia Avenue",  # code
        staff_row(STAFF_IDS[0], "A2") + extra,  # duplicate id: both rows quarantined
    ]
    return header + "\n" + "\n".join(rows) + "\n"


def _promotion_file() -> str:
    header = (
        "process_id,process_name,target_rank,staff_id,stage_order,stage_name,outcome,"
        "outcome_date,Candidate name"
    )
    people = [*STAFF_IDS[1:18], STAFF_IDS[42], STAFF_IDS[43]]  # the last two in no snapshot
    rows = [
        f"SGT-25,Sergeant 2025,Sergeant,{p},1,Exam,passed,2025-06-01,Zbigniewska" for p in people
    ]
    return header + "\n" + "\n".join(rows) + "\n"


def _recruitment_file() -> str:
    header = (
        "campaign_id,campaign_name,worker_type,entry_route,applicant_id,sex,ethnicity_code,"
        "age_band,stage_order,stage_name,outcome,outcome_date,Applicant email"
    )
    rows = [
        f"PC-25,PC intake,police_officer,PCDA,{a},F,B1,25-34,1,Application,passed,2025-03-01,"
        "okonkwo-featherstonehaugh@example.org"
        for a in APPLICANT_IDS
    ]
    rows[0] = rows[0].replace("25-34", "25 to 35")  # no such band: quarantined
    return header + "\n" + "\n".join(rows) + "\n"


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    config = write_config(tmp_path_factory.mktemp("force"))
    settings = load_settings(config)
    write_inbox(settings, "staff_snapshot_2026-03-31.csv", _staff_file())
    write_inbox(settings, "promotion_candidates_2025.csv", _promotion_file())
    write_inbox(settings, "recruitment_applicants_2025.csv", _recruitment_file())
    runner = CliRunner()
    run = runner.invoke(app, ["run", "--config", str(config)])
    assert run.exit_code == ExitCode.SUCCESS_WITH_WARNINGS, run.output
    listing = runner.invoke(app, ["quarantine", "--config", str(config)])
    listing_csv = runner.invoke(app, ["quarantine", "--config", str(config), "--csv"])
    return settings, run.output + listing.output + listing_csv.output


def _found(text: str, secrets: list[str]) -> list[str]:
    folded = text.casefold()
    return [s for s in secrets if s.casefold() in folded]


def test_the_run_quarantined_and_warned_as_expected(published):
    settings, _ = published
    with connect(current_history(settings), read_only=True) as con:
        rules = dict(
            con.execute(
                "select source_file, string_agg(rule, ' | ') from ops.quarantine group by 1"
            ).fetchall()
        )
    assert rules == {
        "staff_snapshot_2026-03-31.csv": (
            "staff_id_unique | ethnicity_code_allowed | staff_id_unique"
        ),
        "recruitment_applicants_2025.csv": "age_band_allowed",
    }


@pytest.mark.parametrize("which", ["published", "history"])
def test_no_raw_identifier_or_name_in_any_database_column(published, which):
    settings, _ = published
    path = settings.paths.database if which == "published" else current_history(settings)
    with connect(path, read_only=True) as con:
        columns = con.execute(
            """select schema_name, table_name, column_name from duckdb_columns()
               where database_name = 'warehouse'
                 and data_type in ('VARCHAR', 'VARCHAR[]', 'JSON')"""
        ).fetchall()
        assert len(columns) > 50
        for schema, table, column in columns:
            text = " ".join(
                str(v)
                for (v,) in con.execute(
                    f'select distinct "{column}" from {schema}.{table}'
                ).fetchall()
            )
            assert _found(text, SECRETS) == [], f"{schema}.{table}.{column}"
    assert _found(path.read_bytes().decode("latin-1"), SECRETS) == []


def test_one_pseudonym_a_person_in_the_history(published):
    settings, _ = published
    with connect(current_history(settings), read_only=True) as con:
        keys = {k for (k,) in con.execute("select staff_key from raw.staff_snapshot").fetchall()}
    assert len(keys) == 39  # one pseudonym a person kept (the duplicated id is quarantined)


def test_no_raw_identifier_or_name_in_logs_output_or_report(published):
    settings, output = published
    assert _found(output, SECRETS) == []
    logs = (settings.paths.work_dir / "logs" / "runs.jsonl").read_text(encoding="utf-8")
    assert _found(logs, SECRETS) == []
    for path in settings.paths.reports_dir.rglob("*"):
        if path.is_file():
            assert _found(path.read_text(encoding="utf-8", errors="replace"), SECRETS) == [], path


def test_the_report_holds_no_pseudonym_either(published):
    settings, _ = published
    import pandas as pd

    pseudonyms = pseudonymise(
        pd.Series(STAFF_IDS + APPLICANT_IDS, dtype="str"), settings.pseudonym_key()
    )
    page = (settings.paths.reports_dir / "latest" / "index.html").read_text(encoding="utf-8")
    assert _found(page, pseudonyms.tolist()) == []


def test_a_blocked_run_names_rows_not_people(tmp_path):
    config = write_config(tmp_path)
    settings = load_settings(config)
    rows = [staff_row(staff_id, "W1", snapshot="2026-02-28" if i < 3 else "2026-03-31")
                for i, staff_id in enumerate(STAFF_IDS)]  # fmt: skip
    write_inbox(settings, "staff_snapshot_2026.csv", STAFF_HEADER + "\n" + "\n".join(rows) + "\n")
    run = CliRunner().invoke(app, ["run", "--config", str(config)])
    assert run.exit_code == ExitCode.BLOCKED
    assert "[one_snapshot_date]" in run.output
    logs = (settings.paths.work_dir / "logs" / "runs.jsonl").read_text(encoding="utf-8")
    assert _found(run.output + logs, SECRETS) == []


def test_only_the_archive_keeps_the_files_as_delivered(published):
    settings, _ = published
    archived = b"".join(p.read_bytes() for p in settings.paths.archive.iterdir())
    assert len(list(settings.paths.archive.iterdir())) == 3
    assert STAFF_IDS[0].encode() in archived and b"Okonkwo-Featherstonehaugh" in archived
