"""Delivery over six nights of a tiny force, through a real SMTP server on the loopback
address (STARTTLS, a verified certificate, a login) and a shared folder in a temporary
directory:

1. a night that publishes: one message to the Group, one dated folder, a digest of its
   quarantined row to the operators;
2. the same night re-run (nothing new): nothing sent;
3. ``run --force`` (the same report rebuilt): nothing sent;
4. a new snapshot while the mail server is down: published all the same, exit code 5,
   the failure in the run log and ``ops.deliveries``;
5. nothing new, the server back: the message of night 4 delivered, once;
6. a blocked file: the alert to the operators, nothing to the Group.

Every message is scanned for the people's identifiers and names in the files, their
pseudonyms, and any count from 1 to the disclosure threshold.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import pandas as pd
import pytest
from conftest import STAFF_HEADER, staff_row, write_config, write_inbox
from report_scan import small_numbers_in
from smtp_server import PASSWORD, USERNAME, SmtpServer
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.config import Settings, load_settings
from pipeline.delivery import ledger
from pipeline.extracts import pseudonymise
from pipeline.nightly import log_path
from pipeline.publish import Layout
from pipeline.report.archive import run_date
from pipeline.runs import ExitCode
from pipeline.warehouse import connect

GROUP = ["chair@force.example", "member.one@force.example", "member.two@force.example"]
OPERATORS = ["ops@force.example"]
ETHNICITIES = ["W1", "W1", "A2", "B1", "W1", "NS", "A1", "W1", "M1", "W2", "B2", "W1"]
STAFF_IDS = [f"WM77{i:05d}" for i in range(70)]
NAMES = ["Okonkwo-Featherstonehaugh", "QQ123456C", "17 Acacia Avenue"]
HEADER = STAFF_HEADER + ",Surname,NI Number,Home Address"
PRIVATE = ",Okonkwo-Featherstonehaugh,QQ123456C,17 Acacia Avenue"


def _snapshot(date: str, people: int, bad_code: bool = False) -> str:
    rows = [
        staff_row(
            staff_id,
            ETHNICITIES[i % len(ETHNICITIES)],
            snapshot=date,
            rank="Sergeant" if i % 9 == 0 else "Constable",
            lpu="SOL" if i % 3 == 0 else "BHM",
        )
        + PRIVATE
        for i, staff_id in enumerate(STAFF_IDS[:people])
    ]
    if bad_code:
        rows.append(staff_row(STAFF_IDS[people], "X7", snapshot=date) + PRIVATE)
    return HEADER + "\n" + "\n".join(rows) + "\n"


def _delivery(server: SmtpServer) -> str:
    recipients = ", ".join(f'"{r}"' for r in GROUP)
    return server.config() + (
        "[delivery.email]\n"
        f"recipients = [{recipients}]\n"
        'report_link = "https://intranet.force.example/progression/{folder}/index.html"\n'
        "[delivery.folder]\n"
        'path = "share"\n'
        "[delivery.alerts]\n"
        f'recipients = ["{OPERATORS[0]}"]\n'
        "digest_on_warnings = true\n"
    )


class Night:
    def __init__(self, result, received, settings):
        self.exit_code = result.exit_code
        self.output = result.output
        self.received = received
        self.release = Layout.of(settings).current_release()
        latest = settings.paths.reports_dir / "latest" / "summary.json"
        self.summary = json.loads(latest.read_text()) if latest.exists() else None
        lines = [json.loads(line) for line in log_path(settings).read_text().splitlines()]
        self.log = [line for line in lines if line["run_id"] == lines[-1]["run_id"]]

    def to(self, recipients: list[str]):
        return [m for m in self.received if sorted(m.recipients) == sorted(recipients)]

    def events(self, name: str) -> list[dict]:
        return [line for line in self.log if line["event"] == name]


@dataclass
class Nights:
    settings: Settings
    night: dict[int, Night]

    def __getitem__(self, number: int) -> Night:
        return self.night[number]


@pytest.fixture(scope="module")
def nights(tmp_path_factory):
    root = tmp_path_factory.mktemp("force")
    (root / "share").mkdir()
    server = SmtpServer(root, "starttls")
    config = write_config(root, _delivery(server))
    settings = load_settings(config)
    runner = CliRunner()
    found: dict[int, Night] = {}

    def night(number: int, *args: str) -> None:
        before = len(server.received)
        result = runner.invoke(app, ["run", "--config", str(config), *args])
        found[number] = Night(result, server.received[before:], settings)

    with pytest.MonkeyPatch.context() as env:
        env.setenv("PROGRESSION_SMTP_USERNAME", USERNAME)
        env.setenv("PROGRESSION_SMTP_PASSWORD", PASSWORD)
        server.start()
        write_inbox(settings, "staff_snapshot_2026-03-31.csv", _snapshot("2026-03-31", 60, True))
        night(1)
        night(2)
        night(3, "--force")
        server.stop()
        write_inbox(settings, "staff_snapshot_2026-04-30.csv", _snapshot("2026-04-30", 66))
        night(4)
        server.start()
        night(5)
        write_inbox(
            settings,
            "staff_snapshot_2026-05.csv",
            _snapshot("2026-05-31", 30) + "\n".join(_snapshot("2026-05-30", 5).splitlines()[1:]),
        )
        night(6)
        server.stop()
    return Nights(settings, found)


def test_night_one_sends_one_marked_message_to_the_group(nights):
    _settings, found = nights.settings, nights
    first = found[1]
    assert first.exit_code == ExitCode.SUCCESS_WITH_WARNINGS, first.output  # a row quarantined
    (message,) = first.to(GROUP)
    assert message.sender == "workforce-analytics@force.example"
    assert message.message["Subject"] == (
        "OFFICIAL-SENSITIVE: Workforce representation and progression: West Midlands Police, "
        "staff snapshot of 31 March 2026"
    )
    text = message.text()
    assert text.count("OFFICIAL-SENSITIVE") >= 5  # subject; top and bottom of both parts
    link = f"https://intranet.force.example/progression/{run_date(first.release)}/index.html"
    assert link in text
    assert "This report has no PDF to attach. Open it from the link below." in text
    for finding in first.summary["findings"][:5]:
        assert finding in text
    assert "Delivered by e-mail: 3 recipient(s)" in first.output


def test_the_delivery_is_recorded_with_count_time_and_message_id(nights):
    settings, found = nights.settings, nights
    with ledger.open_ledger(settings, read_only=True) as con:
        row = ledger.get(con, found[1].release, "email")
    (message,) = found[1].to(GROUP)
    assert row.status == ledger.DELIVERED and row.attempts == 1
    assert row.recipients_count == 3
    assert row.message_id == message.message["Message-ID"]
    assert row.delivered_at is not None
    assert row.destination.startswith("127.0.0.1:")


def test_the_folder_holds_the_report_for_owner_and_group_only(nights):
    settings, found = nights.settings, nights
    share = settings.delivery.folder.path
    (dated,) = share.iterdir()
    assert dated.name == run_date(found[5].release)
    release = settings.paths.reports_dir / "latest"
    files = {p.relative_to(release): p.read_bytes() for p in release.rglob("*") if p.is_file()}
    assert {p.relative_to(dated): p.read_bytes() for p in dated.rglob("*") if p.is_file()} == files
    assert all((p.stat().st_mode & 0o007) == 0 for p in [dated, *dated.rglob("*")])


def test_a_digest_tells_the_operators_about_the_quarantined_row(nights):
    found = nights
    (digest,) = found[1].to(OPERATORS)
    text = digest.text()
    assert "finished with warnings (exit code 5)" in text
    assert "[c] quarantined" in text


def test_nothing_is_sent_for_a_night_with_nothing_new(nights):
    found = nights
    assert found[2].exit_code == ExitCode.SUCCESS
    assert "nothing to do" in found[2].output
    assert found[2].received == []
    assert found[2].events("delivery_started") == []


def test_a_rebuild_of_the_same_report_is_not_sent_again(nights):
    settings, found = nights.settings, nights
    assert found[3].exit_code == ExitCode.SUCCESS
    assert found[3].release != found[1].release  # republished
    assert found[3].received == []
    assert {e["channel"] for e in found[3].events("delivery_skipped")} == {"email", "folder"}
    with ledger.open_ledger(settings, read_only=True) as con:
        statuses = {c: ledger.get(con, found[3].release, c).status for c in ("email", "folder")}
    assert statuses == {"email": ledger.SKIPPED, "folder": ledger.SKIPPED}


def test_a_mail_server_failure_leaves_the_night_published(nights):
    _settings, found = nights.settings, nights
    fourth = found[4]
    assert fourth.exit_code == ExitCode.SUCCESS_WITH_WARNINGS
    assert fourth.received == []
    assert fourth.summary["snapshot_date"] == "2026-04-30"
    assert fourth.summary["run_id"] == fourth.release
    (failed,) = fourth.events("delivery_failed")
    assert failed["channel"] == "email" and "Connection refused" in failed["error"]
    (finished,) = fourth.events("run_finished")
    assert finished["exit_code"] == 5
    assert {"channel": "email", "status": "failed", "release": fourth.release} in finished[
        "deliveries"
    ]
    assert "Delivery by e-mail failed (attempt 1)" in fourth.output
    assert "It is retried at the next run." in fourth.output
    assert fourth.events("digest_failed")  # the digest could not go either


def test_the_failed_delivery_is_retried_by_the_next_night_once(nights):
    settings, found = nights.settings, nights
    fifth = found[5]
    assert fifth.exit_code == ExitCode.SUCCESS, fifth.output
    assert fifth.release == found[4].release  # nothing new was published
    (message,) = fifth.received
    assert sorted(message.recipients) == sorted(GROUP)
    assert "staff snapshot of 30 April 2026" in message.message["Subject"]
    with ledger.open_ledger(settings, read_only=True) as con:
        row = ledger.get(con, found[4].release, "email")
    assert (row.status, row.attempts, row.attempted_by) == (
        ledger.DELIVERED,
        2,
        fifth.log[0]["run_id"],
    )
    assert found[6].to(GROUP) == []


def test_a_blocked_night_alerts_the_operators(nights):
    settings, found = nights.settings, nights
    sixth = found[6]
    assert sixth.exit_code == ExitCode.BLOCKED
    assert sixth.release == found[4].release
    (alert,) = sixth.received
    assert alert.recipients == OPERATORS
    text = alert.text()
    assert "progression run blocked (exit code 3)" in alert.message["Subject"]
    assert "Stage:    validate" in text
    assert "[one_snapshot_date]" in text
    assert sixth.events("alert_sent")
    with ledger.open_ledger(settings, read_only=True) as con:
        row = ledger.get(con, sixth.log[0]["run_id"], "alert")
    assert (row.status, row.recipients_count) == (ledger.DELIVERED, 1)


def test_no_message_holds_personal_data(nights):
    settings, found = nights.settings, nights
    messages = [m for night in found.night.values() for m in night.received]
    assert len(messages) == 4  # night 1: report and digest; night 5: report; night 6: alert
    pseudonyms = pseudonymise(pd.Series(STAFF_IDS, dtype="str"), settings.pseudonym_key())
    secrets = [*STAFF_IDS, *NAMES, *pseudonyms]
    for message in messages:
        text = message.text()
        assert [s for s in secrets if s.casefold() in text.casefold()] == []


def test_a_report_message_quotes_the_summary_and_adds_no_small_count(nights):
    """The report message's sentences about the figures are the summary's own, verbatim
    (the report's tests audit those); everything else in it quotes no count from 1 to the
    threshold. The demo's message is scanned whole in test_delivery_demo.py."""
    for number in (1, 5):
        night = nights[number]
        (message,) = night.to(GROUP)
        summary = nights[4].summary if number == 5 else night.summary
        quoted = summary["changes"] + summary["findings"][:5]
        plain = message.message.get_body(("plain",)).get_content()
        listed = [line.split(" ", 1)[1] for line in plain.splitlines() if line[:2] in NUMBERED]
        assert listed == quoted
        rest = message.text()
        for sentence in quoted:
            assert sentence in rest
            rest = rest.replace(sentence, "")
        assert small_numbers_in(rest.splitlines()) == []


NUMBERED = ("- ", *(f"{n}." for n in range(1, 9)))


def test_operator_messages_quote_no_small_count(nights):
    for message in [*nights[1].to(OPERATORS), *nights[6].to(OPERATORS)]:
        assert small_numbers_in(message.scannable().splitlines()) == [], message.text()


def test_the_published_database_holds_the_deliveries_up_to_its_publication(nights):
    settings, found = nights.settings, nights
    with connect(settings.paths.database, read_only=True) as con:
        rows = con.execute(
            "select run_id, channel, status, recipients_count from ops.deliveries "
            "order by run_id, channel"
        ).fetchall()
        (comment,) = con.execute(
            "select comment from duckdb_columns() where table_name = 'deliveries' "
            "and column_name = 'recipients_count'"
        ).fetchone()
    # Night 4's release was built before its own deliveries: nights 1 and 3 are in it.
    assert rows == [
        (found[1].release, "digest", "delivered", 1),
        (found[1].release, "email", "delivered", 3),
        (found[1].release, "folder", "delivered", None),
        (found[3].release, "email", "skipped", None),
        (found[3].release, "folder", "skipped", None),
    ]
    assert comment == "Recipients the server accepted (e-mail)."
