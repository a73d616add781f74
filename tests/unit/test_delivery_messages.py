"""The messages: written from the report's protected summary only, marked, attached or
linked within the size limit; alerts and digests that quote no small number and, for an
internal error, no value."""

from __future__ import annotations

import json
from datetime import date
from email import policy

import pytest
from conftest import write_config
from report_scan import small_numbers_in

from pipeline.config import load_settings
from pipeline.delivery import messages
from pipeline.delivery.messages import RunFacts, protect_text
from pipeline.runs import ExitCode

DELIVERY = """
[delivery.smtp]
host = "smtp.force.example"
from_address = "workforce-analytics@force.example"
[delivery.email]
recipients = ["chair@force.example", "member@force.example"]
report_link = "https://intranet.force.example/progression/{folder}/"
top_findings = 2
[delivery.alerts]
recipients = ["ops@force.example"]
"""

FINDINGS = [
    "Ethnic minority officers: 12.2% of constables (621 of 5,095).",
    "Black colleagues are <2.5%> of the workforce & rising.",
    "A third finding, beyond the top two.",
]


@pytest.fixture
def settings(tmp_path):
    return load_settings(write_config(tmp_path, DELIVERY))


def _report(tmp_path, pdf_bytes: int | None = 50_000):
    folder = tmp_path / "report"
    folder.mkdir()
    summary = {
        "force": "West Midlands",
        "snapshot_date": "2026-03-31",
        "previous_snapshot_date": "2025-03-31",
        "run_id": "20260401T020000Z-abcd1234",
        "findings": FINDINGS,
        "changes": ["Declaration rate, whole workforce: unchanged at 95.2%."],
        "outputs": {"pdf": "workforce-report-2026-03-31.pdf" if pdf_bytes else None},
    }
    (folder / "summary.json").write_text(json.dumps(summary))
    if pdf_bytes:
        (folder / "workforce-report-2026-03-31.pdf").write_bytes(b"%PDF" + b"x" * pdf_bytes)
    return messages.read_report(folder)


def _text(message) -> tuple[str, str]:
    plain = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    return plain, html


def test_the_report_message_is_marked_and_says_what_the_summary_says(settings, tmp_path):
    content = _report(tmp_path)
    message, attached = messages.report_message(
        settings, content, folder_name="2026-04-01", message_id="<m@x>", size_limit=10_000_000
    )
    assert message["Subject"].startswith("OFFICIAL-SENSITIVE: ")
    assert "staff snapshot of 31 March 2026" in message["Subject"]
    assert message["To"] == "chair@force.example, member@force.example"
    assert message["Message-ID"] == "<m@x>"
    plain, html = _text(message)
    for text in (plain, html):
        assert text.count("OFFICIAL-SENSITIVE") >= 2  # top and bottom
        assert "(snapshot of 31 March 2025)" in text
        assert "unchanged at 95.2%" in text
        assert "https://intranet.force.example/progression/2026-04-01/" in text
        assert "A third finding" not in text  # top_findings = 2
    assert FINDINGS[0] in plain and FINDINGS[1] in plain
    assert "&lt;2.5%&gt; of the workforce &amp; rising" in html  # escaped, not markup
    assert '<html lang="en">' in html
    assert attached == "workforce-report-2026-03-31.pdf"
    assert set(_attachments(message)) == {attached}
    assert "attached as a PDF (50 kB)" in plain


def _attachments(message) -> dict[str, bytes]:
    return {part.get_filename(): part.get_content() for part in message.iter_attachments()}


def test_a_pdf_that_would_pass_the_limit_is_linked_instead(settings, tmp_path):
    content = _report(tmp_path, pdf_bytes=400_000)
    message, attached = messages.report_message(
        settings, content, folder_name="2026-04-01", message_id="<m@x>", size_limit=300_000
    )
    assert attached is None and _attachments(message) == {}
    assert len(message.as_bytes(policy=policy.SMTP)) < 300_000
    plain, _ = _text(message)
    assert "too large to attach: messages are limited to 300 kB. Open it from the link" in plain


def test_the_limit_counts_the_whole_encoded_message(settings, tmp_path):
    # 200 kB of PDF is about 270 kB once base64-encoded: over a 250 kB limit.
    content = _report(tmp_path, pdf_bytes=200_000)
    _, attached = messages.report_message(
        settings, content, folder_name="d", message_id="<m@x>", size_limit=250_000
    )
    assert attached is None


def test_without_a_pdf_or_a_link_the_message_says_how_to_get_the_report(tmp_path):
    settings = load_settings(
        write_config(tmp_path, DELIVERY.replace('report_link = "', '# report_link = "'))
    )
    message, attached = messages.report_message(
        settings, _report(tmp_path, None), folder_name="d", message_id="<m@x>", size_limit=10**7
    )
    plain, _ = _text(message)
    assert attached is None
    assert "no PDF to attach. Reply to this message to ask" in plain


def test_a_correction_says_which_report_it_replaces(settings, tmp_path):
    message, _ = messages.report_message(
        settings,
        _report(tmp_path),
        folder_name="d",
        message_id="<m@x>",
        size_limit=10**7,
        replaces=date(2026, 4, 1),
    )
    assert "replaces the report of the same snapshot sent on 1 April 2026" in _text(message)[0]


def test_the_marking_is_one_setting(tmp_path):
    settings = load_settings(write_config(tmp_path, DELIVERY))
    report = settings.report.model_copy(update={"marking": "OFFICIAL"})
    settings = settings.model_copy(update={"report": report})
    message, _ = messages.report_message(
        settings, _report(tmp_path), folder_name="d", message_id="<m@x>", size_limit=10**7
    )
    assert message["Subject"].startswith("OFFICIAL: ")
    assert "OFFICIAL-SENSITIVE" not in _text(message)[0]


def test_the_fingerprint_ignores_the_run_id_but_not_a_figure(tmp_path):
    folder = tmp_path / "report"
    (folder / "csv").mkdir(parents=True)
    summary = {"run_id": "run-1", "findings": ["12.2% of constables"]}
    (folder / "summary.json").write_text(json.dumps(summary))
    (folder / "csv" / "t.csv").write_text("a\n10\n")
    first = messages.report_fingerprint(folder)
    (folder / "summary.json").write_text(json.dumps({**summary, "run_id": "run-2"}))
    assert messages.report_fingerprint(folder) == first
    (folder / "csv" / "t.csv").write_text("a\n11\n")
    assert messages.report_fingerprint(folder) != first


@pytest.mark.parametrize(
    ("text", "protected"),
    [
        ("rows 3, 17 and 4: unknown code", "rows [c], 17 and [c]: unknown code"),
        ("staff_2026-03-31.csv: 2 of 40 rows", "staff_2026-03-31.csv: [c] of 40 rows"),
        ("30% of rows; 1,234 rows; 2.5 per cent", "30% of rows; 1,234 rows; 2.5 per cent"),
        ("snapshot of 1 April 2026", "snapshot of 1 April 2026"),
        ("codes A2, W1 and rule [one_snapshot_date]", "codes A2, W1 and rule [one_snapshot_date]"),
        ("5 people; 6 people; 0 people", "[c] people; 6 people; 0 people"),
    ],
)  # fmt: skip
def test_small_numbers_in_operator_messages_are_withheld(text, protected):
    assert protect_text(text, 5) == protected


def test_quoted_values_are_masked_in_an_internal_error():
    text = "Conversion Error: Could not convert string 'Okonkwo' to INT32 near \"QQ123456C\""
    assert protect_text(text, 5, mask_quoted=True) == (
        "Conversion Error: Could not convert string '…' to INT32 near '…'"
    )


FACTS = RunFacts("20260401T020000Z-abcd1234", "run", "host", messages.Path("/x/runs.jsonl"), 3.2)


def test_an_alert_names_the_exit_code_stage_and_reason(settings):
    reason = "\n".join(
        f"staff.csv: row {n}: [ethnicity_code_allowed] code X7" for n in range(2, 14)
    )
    message = messages.alert_message(
        settings, FACTS, ExitCode.BLOCKED, "validate", Exception(reason), "<a@x>"
    )
    assert message["To"] == "ops@force.example"
    assert message["Subject"] == (
        "OFFICIAL-SENSITIVE: progression run blocked (exit code 3), West Midlands"
    )
    body = message.get_content()
    assert "Stage:    validate" in body
    assert "staff.csv: row [c]: [ethnicity_code_allowed] code X7" in body
    assert "staff.csv: row 9: [ethnicity_code_allowed]" in body
    assert "row 10:" not in body  # eight lines quoted
    assert "... the rest is in the run log." in body
    assert "Yesterday's database and report are still the published ones." in body
    assert small_numbers_in(body.splitlines()) == []


def test_an_internal_error_alert_quotes_no_value(settings):
    error = ValueError("could not convert 'Okonkwo-Featherstonehaugh' to a date")
    message = messages.alert_message(
        settings, FACTS, ExitCode.INTERNAL_ERROR, "after report", error, "<a@x>"
    )
    body = message.get_content()
    assert "Okonkwo" not in body
    assert "ValueError: could not convert '…' to a date" in body
    assert "Stage:    after report" in body


def test_a_digest_lists_warnings_and_failed_deliveries(settings):
    message = messages.digest_message(
        settings,
        FACTS,
        "published; 11,502 rows loaded, 3 quarantined.",
        ["staff.csv: headcount_change: police_staff headcount moved by 14%"],
        ["Delivery by e-mail failed (attempt 1): connection refused."],
        "<d@x>",
    )
    body = message.get_content()
    assert "11,502 rows loaded, [c] quarantined" in body
    assert "moved by 14%" in body
    assert "Delivery by e-mail failed (attempt [c])" in body


def test_a_night_stopped_by_sigterm_is_alerted_with_what_to_do(settings):
    from pipeline.delivery.dispatch import ALERTED
    from pipeline.runs import Terminated

    assert ExitCode.TERMINATED in ALERTED
    message = messages.alert_message(
        settings,
        FACTS,
        ExitCode.TERMINATED,
        "transform",
        Terminated("Stopped by SIGTERM."),
        "<t@x>",
    )
    assert message["Subject"] == (
        "OFFICIAL-SENSITIVE: progression run terminated (exit code 143), West Midlands"
    )
    body = message.get_content()
    assert "Stage:    transform" in body
    assert "stopped from outside" in body
