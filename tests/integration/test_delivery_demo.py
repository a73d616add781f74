"""The demo force's real report delivered through a real SMTP server on the loopback address:
its PDF attached over implicit TLS, linked when the server's size limit is smaller, its whole
text scanned for small counts; and every way the server can refuse (an untrusted
certificate, no STARTTLS, a wrong password, a refused recipient) is a recorded, retried
failure, never a plain-text fallback. ``progression deliver`` and its dry run."""

from __future__ import annotations

import os
import shutil

import pytest
from conftest import write_config
from report_scan import small_numbers_in
from smtp_server import PASSWORD, USERNAME, SmtpServer
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.config import load_settings
from pipeline.delivery import dispatch, ledger, messages
from pipeline.publish import Layout
from pipeline.runs import ExitCode, RunLog

RUN_ID = "20260401T020000Z-abcd1234"
GROUP = ["chair@force.example", "member@force.example", "secretary@force.example"]


@pytest.fixture(autouse=True)
def login(monkeypatch):
    monkeypatch.setenv("PROGRESSION_SMTP_USERNAME", USERNAME)
    monkeypatch.setenv("PROGRESSION_SMTP_PASSWORD", PASSWORD)


def _force(tmp_path, demo_report, server: SmtpServer, extra: str = ""):
    """A force whose current release is the demo's report, with e-mail delivery. The
    demo's PDF (about 8 MB, 74 pages) is larger than the default limit lets a message carry
    once encoded, so these tests allow 25 MB (an Exchange Online message) unless ``extra``
    sets a limit of its own."""
    recipients = ", ".join(f'"{r}"' for r in GROUP)
    limit = "" if "max_message_bytes" in extra else "max_message_bytes = 25_000_000\n"
    config = write_config(
        tmp_path,
        server.config()
        + f"[delivery.email]\nrecipients = [{recipients}]\n"
        + 'report_link = "https://intranet.force.example/progression/{folder}/"\n'
        + limit
        + extra,
    )
    settings = load_settings(config)
    layout = Layout.of(settings)
    shutil.copytree(demo_report, layout.releases / RUN_ID / "report")
    os.symlink(RUN_ID, layout.current)
    return settings, config


def _deliver(settings) -> list[dispatch.Outcome]:
    log = RunLog(settings.paths.work_dir / "logs" / "runs.jsonl", "20260401T030000Z-test0000")
    return dispatch.deliver(settings, log, queue_release=None if _queued(settings) else RUN_ID)


def _queued(settings) -> bool:
    try:
        with ledger.open_ledger(settings, read_only=True) as con:
            return ledger.get(con, RUN_ID, "email") is not None
    except FileNotFoundError:
        return False


def _row(settings) -> ledger.Delivery:
    with ledger.open_ledger(settings, read_only=True) as con:
        return ledger.get(con, RUN_ID, "email")


def test_the_demo_report_arrives_with_its_pdf_over_implicit_tls(tmp_path, demo_report):
    with SmtpServer(tmp_path, "tls") as server:
        settings, _ = _force(tmp_path, demo_report, server)
        (outcome,) = _deliver(settings)
    assert outcome.status == ledger.DELIVERED, outcome.text
    (message,) = server.received
    assert sorted(message.recipients) == sorted(GROUP)
    assert server.handler.logins == [USERNAME]
    assert message.message["Subject"] == (
        "OFFICIAL-SENSITIVE: Workforce representation and progression: West Midlands Police, "
        "staff snapshot of 31 March 2026"
    )
    pdf = next(demo_report.glob("workforce-report-*.pdf"))
    assert message.attachments() == {pdf.name: pdf.read_bytes()}
    text = message.text()
    assert "The report is attached as a PDF (" in text
    assert "https://intranet.force.example/progression/2026-04-01/" in text
    assert small_numbers_in(message.scannable().splitlines()) == []
    assert _row(settings).recipients_count == 3


def test_a_pdf_larger_than_the_server_takes_is_linked(tmp_path, demo_report):
    with SmtpServer(tmp_path, "starttls", size_limit=1_000_000) as server:
        settings, _ = _force(tmp_path, demo_report, server)
        (outcome,) = _deliver(settings)
    assert outcome.status == ledger.DELIVERED, outcome.text
    (message,) = server.received
    assert message.attachments() == {}
    assert len(message.raw) < 1_000_000
    assert "is too large to attach: messages are limited to 1.0 MB." in message.text()
    assert "a link, no attachment" in _row(settings).detail


def test_a_pdf_larger_than_the_configured_limit_is_linked(tmp_path, demo_report):
    with SmtpServer(tmp_path, "starttls") as server:
        settings, _ = _force(tmp_path, demo_report, server, "max_message_bytes = 500_000\n")
        _deliver(settings)
    (message,) = server.received
    assert message.attachments() == {}
    assert "messages are limited to 500 kB" in message.text()


def _fails(settings, server, expected: str) -> None:
    (outcome,) = _deliver(settings)
    assert outcome.status == ledger.FAILED
    assert expected in outcome.text
    assert server.received == []
    row = _row(settings)
    assert (row.status, row.attempts) == (ledger.FAILED, 1)
    assert expected in row.last_error


def test_an_untrusted_certificate_is_refused(tmp_path, demo_report):
    with SmtpServer(tmp_path, "starttls") as server:
        _, config = _force(tmp_path, demo_report, server)
        config.write_text(config.read_text().replace(f'ca_file = "{server.ca_file}"\n', ""))
        _fails(load_settings(config), server, "CERTIFICATE_VERIFY_FAILED")


def test_a_server_without_starttls_gets_nothing(tmp_path, demo_report):
    with SmtpServer(tmp_path, "plain") as server:
        settings, _ = _force(tmp_path, demo_report, server)
        _fails(settings, server, "STARTTLS extension not supported by server")


def test_a_wrong_password_is_a_failed_delivery(tmp_path, demo_report, monkeypatch):
    monkeypatch.setenv("PROGRESSION_SMTP_PASSWORD", "not-the-password")
    with SmtpServer(tmp_path, "starttls") as server:
        settings, _ = _force(tmp_path, demo_report, server)
        _fails(settings, server, "SMTPAuthenticationError: SMTP 535")


def test_a_refused_recipient_is_reported_not_resent_to_the_others(tmp_path, demo_report):
    with SmtpServer(tmp_path, "starttls") as server:
        server.handler.refuse.add("secretary@force.example")
        settings, _ = _force(tmp_path, demo_report, server)
        (outcome,) = _deliver(settings)
        assert outcome.status == "partial" and outcome.failed
        assert "to 2 of 3 recipients" in outcome.text
        assert _deliver(settings) == []  # nothing resent
    (message,) = server.received
    assert sorted(message.recipients) == ["chair@force.example", "member@force.example"]
    assert _row(settings).recipients_count == 2


def test_the_dry_run_prints_what_would_go_to_whom_and_sends_nothing(tmp_path, demo_report):
    with SmtpServer(tmp_path, "starttls") as server:
        _, config = _force(
            tmp_path,
            demo_report,
            server,
            '[delivery.alerts]\nrecipients = ["ops@force.example"]\n',
        )
        result = CliRunner().invoke(app, ["deliver", "--dry-run", "--config", str(config)])
    assert result.exit_code == ExitCode.SUCCESS, result.output
    out = result.stdout
    for address in [*GROUP, "ops@force.example"]:
        assert f"    {address}\n" in out
    assert "Report by e-mail to 3 recipient(s):" in out
    assert f"Through 127.0.0.1:{server.port} (STARTTLS), from workforce-analytics@" in out
    assert f"Login as {USERNAME} (from the environment)." in out
    assert PASSWORD not in out
    assert "Subject: OFFICIAL-SENSITIVE: Workforce representation and progression" in out
    assert "Attachment: workforce-report-2026-03-31.pdf" in out
    assert "Top findings" in out
    assert "Status: not queued" in out
    assert (
        "Alerts when a night fails (exit code 1, 2 or 3, or 143 when stopped by SIGTERM) "
        "to 1 recipient(s):" in out
    )
    assert server.received == []
    assert not (tmp_path / "var" / "work" / "deliveries.sqlite").exists()


def test_the_dry_run_names_a_problem_and_exits_2(tmp_path, demo_report, monkeypatch):
    monkeypatch.delenv("PROGRESSION_SMTP_PASSWORD")
    with SmtpServer(tmp_path, "starttls") as server:
        _, config = _force(
            tmp_path, demo_report, server, '[delivery.folder]\npath = "not-mounted"\n'
        )
        result = CliRunner().invoke(app, ["deliver", "--dry-run", "--config", str(config)])
    assert result.exit_code == ExitCode.CONFIG_ERROR
    assert "Problems that would make a delivery fail:" in result.stdout
    assert "Set both PROGRESSION_SMTP_USERNAME and PROGRESSION_SMTP_PASSWORD" in result.stdout
    assert "not-mounted does not exist (is the share mounted?)" in result.stdout


def test_deliver_sends_the_current_report_once(tmp_path, demo_report):
    with SmtpServer(tmp_path, "starttls") as server:
        _, config = _force(tmp_path, demo_report, server)
        runner = CliRunner()
        first = runner.invoke(app, ["deliver", "--config", str(config)])
        second = runner.invoke(app, ["deliver", "--config", str(config)])
    assert first.exit_code == ExitCode.SUCCESS, first.output
    assert "Delivered by e-mail: 3 recipient(s)" in first.output
    assert second.exit_code == ExitCode.SUCCESS
    assert "Nothing to deliver" in second.output
    assert len(server.received) == 1


def test_a_corrected_report_of_the_same_snapshot_says_what_it_replaces(tmp_path, demo_report):
    with SmtpServer(tmp_path, "starttls") as server:
        settings, _ = _force(tmp_path, demo_report, server)
        _deliver(settings)
        layout = Layout.of(settings)
        corrected = "20260402T020000Z-bcde2345"
        report = layout.releases / corrected / "report"
        shutil.copytree(layout.releases / RUN_ID / "report", report)
        table = report / "csv" / "workforce-by-group.csv"
        table.write_text(table.read_text().replace("5584", "5585"))  # a corrected figure
        os.symlink(corrected, layout.releases / ".next")
        os.replace(layout.releases / ".next", layout.current)
        log = RunLog(settings.paths.work_dir / "logs" / "runs.jsonl", corrected)
        (outcome,) = dispatch.deliver(settings, log, queue_release=corrected)
    assert outcome.status == ledger.DELIVERED
    first, second = server.received
    sent = messages.long_date(_row(settings).delivered_at.date())
    assert "replaces the report of the same snapshot sent on" not in first.text()
    assert f"It replaces the report of the same snapshot sent on {sent}" in second.text()
