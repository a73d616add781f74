"""The messages delivery sends: the report to the Group, alerts and digests to operators.

The report message is written only from the report's own protected summary
(``summary.json``: its findings and what changed, exactly as the report states them), never
from the database, so it can say nothing the report withholds. Alerts and digests quote the
run's error and warning messages, which name files, rows and rules but no person; even so,
every whole number from 1 to the disclosure threshold in them is shown as ``[c]``, and in an
internal error (whose text the project does not write) every quoted value is masked.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import date
from email.message import EmailMessage
from email.utils import formatdate
from pathlib import Path

import jinja2

from pipeline.config import TEMPLATES_DIR, Settings
from pipeline.disclosure import SUPPRESSED_MARK
from pipeline.runs import ExitCode

TITLE = "Workforce representation and progression"
REASON_LINES = 8
"""How many lines of a failed night's reason an alert quotes (the run log has them all)."""
DIGEST_LINES = 20
LINE_CHARACTERS = 400

WHAT_TO_DO = {
    ExitCode.BLOCKED: "fix or remove the file the reason names (docs/data-contracts.md says "
    "what each rule needs), then run again.",
    ExitCode.CONFIG_ERROR: "correct the setting the reason names, then run again.",
    ExitCode.TERMINATED: "the run was stopped from outside (a scheduler's time limit, a "
    "shutdown) and left nothing half-done; run again, and if a time limit stopped it, raise "
    "the limit (docs/operations.md).",
    ExitCode.INTERNAL_ERROR: "report it to the pipeline's maintainers with the run log's lines "
    "for this run.",
}


class ReportUnreadable(Exception):
    """The published report has no readable summary.json to write a message from."""


@dataclass(frozen=True)
class ReportContent:
    """What a message may say about a published report: its summary, and its PDF."""

    folder: Path
    force: str
    run_id: str
    snapshot_date: date
    previous_snapshot_date: date | None
    findings: tuple[str, ...]
    changes: tuple[str, ...]
    pdf: Path | None


def read_report(folder: Path) -> ReportContent:
    """The summary of the report in ``folder`` (a release's ``report/``)."""
    try:
        summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
        snapshot = date.fromisoformat(summary["snapshot_date"])
        previous = summary.get("previous_snapshot_date")
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ReportUnreadable(f"Cannot read {folder / 'summary.json'}: {exc}") from None
    pdf_name = (summary.get("outputs") or {}).get("pdf")
    pdf = folder / pdf_name if pdf_name and (folder / pdf_name).is_file() else None
    return ReportContent(
        folder=folder,
        force=summary.get("force", ""),
        run_id=summary.get("run_id", ""),
        snapshot_date=snapshot,
        previous_snapshot_date=date.fromisoformat(previous) if previous else None,
        findings=tuple(summary.get("findings") or ()),
        changes=tuple(summary.get("changes") or ()),
        pdf=pdf,
    )


def report_fingerprint(folder: Path) -> str:
    """SHA-256 of what the report says (its summary without the run id, its tables), so that
    a rebuild of the same figures (``run --force``) is not delivered a second time."""
    digest = hashlib.sha256()
    summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    summary.pop("run_id", None)
    digest.update(json.dumps(summary, sort_keys=True).encode())
    for path in sorted((folder / "csv").glob("*.csv")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def long_date(value: date) -> str:
    """'31 March 2026', as the report writes dates."""
    return f"{value.day} {value:%B %Y}"


def report_link(settings: Settings, folder_name: str) -> str | None:
    email = settings.delivery.email
    if email is None or not email.report_link:
        return None
    return email.report_link.replace("{folder}", folder_name)


def file_size(size: int) -> str:
    """'2.9 MB', '180 kB': decimal units, as mail servers state their limits."""
    return f"{size / 1_000_000:.1f} MB" if size >= 1_000_000 else f"{max(size, 1000) // 1000} kB"


def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR / "templates" / "email"),
        autoescape=jinja2.select_autoescape(["html.j2"], default_for_string=False),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )


def report_message(
    settings: Settings,
    content: ReportContent,
    *,
    folder_name: str,
    message_id: str,
    size_limit: int,
    replaces: date | None = None,
) -> tuple[EmailMessage, str | None]:
    """The report's message to the Group and the name of the file attached (``None``: linked).

    The PDF is attached when ``[delivery.email] attach_pdf`` is on, the report has one and the
    whole message stays within ``size_limit`` bytes; otherwise the message says why and links.
    ``replaces``: the date a report of the same snapshot was sent (this one corrects it).
    """
    email = settings.delivery.email
    assert email is not None and settings.delivery.smtp is not None
    pdf = content.pdf if email.attach_pdf else None
    link = report_link(settings, folder_name)
    elsewhere = (
        " Open it from the link below."
        if link
        else " Reply to this message to ask the workforce analytics team for it."
    )
    if pdf is not None:
        size = pdf.stat().st_size
        message = _report_message(
            settings, content, message_id, link, replaces,
            f"The report is attached as a PDF ({file_size(size)}).", pdf,
        )  # fmt: skip
        if len(message.as_bytes()) <= size_limit:
            return message, pdf.name
        where = (
            f"The report's PDF ({file_size(size)}) is too large to attach: messages are "
            f"limited to {file_size(size_limit)}.{elsewhere}"
        )
    elif email.attach_pdf:
        where = f"This report has no PDF to attach.{elsewhere}"
    else:
        where = "The report is not attached." + (elsewhere if link else "")
    return _report_message(settings, content, message_id, link, replaces, where, None), None


def _report_message(settings, content, message_id, link, replaces, where, pdf):
    marking = settings.report.marking
    force = content.force or settings.force.name
    title = f"{TITLE}: {force} Police"
    values = {
        "marking": marking,
        "title": title,
        "snapshot": long_date(content.snapshot_date),
        "previous": long_date(content.previous_snapshot_date)
        if content.previous_snapshot_date
        else None,
        "replaces": f"It replaces the report of the same snapshot sent on {long_date(replaces)}"
        if replaces
        else "",
        "changes": content.changes,
        "findings": content.findings[: settings.delivery.email.top_findings],
        "where": where,
        "link": link,
        "disclosure": f"Counts from 1 to {settings.disclosure.threshold}, and any figure that "
        f"would reveal them, are withheld in the report ({SUPPRESSED_MARK}).",
        "handling": f"This message and the report are {marking}: keep them within the "
        "distribution agreed for the BME Progression Group and do not forward them outside it.",
        "run_id": content.run_id,
    }
    environment = _environment()
    message = _message(
        settings,
        f"{marking}: {title}, staff snapshot of {values['snapshot']}",
        settings.delivery.email.recipients,
        message_id,
    )
    message.set_content(environment.get_template("report.txt.j2").render(values))
    message.add_alternative(
        environment.get_template("report.html.j2").render(values), subtype="html"
    )
    if pdf is not None:
        message.add_attachment(
            pdf.read_bytes(), maintype="application", subtype="pdf", filename=pdf.name
        )
    return message


def _message(settings: Settings, subject: str, to: tuple[str, ...], message_id: str):
    smtp = settings.delivery.smtp
    assert smtp is not None
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = smtp.from_address
    message["To"] = ", ".join(to)
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = message_id
    return message


# A whole number standing alone: not part of a date, code, file name, decimal or percentage,
# nor a day of a written date ('1 April 2026').
_MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
_STANDALONE_NUMBER = re.compile(
    rf"(?<![\w.,])(?<!\d[/:\-])(\d+)(?!\d|[.,/:\-]\d|%|\w|\s(?:{_MONTHS})\b)"
)
_QUOTED = re.compile(r"'[^'\n]*'|\"[^\"\n]*\"")


def protect_text(text: str, threshold: int, *, mask_quoted: bool = False) -> str:
    """``text`` with every whole number from 1 to ``threshold`` shown as ``[c]``, and, with
    ``mask_quoted``, every quoted value as ``'…'`` (an error from a library may quote a
    value from the data)."""
    if mask_quoted:
        text = _QUOTED.sub("'…'", text)
    return _STANDALONE_NUMBER.sub(
        lambda m: SUPPRESSED_MARK if 1 <= int(m.group(1)) <= threshold else m.group(1), text
    )


def _lines(text: str, threshold: int, limit: int, mask_quoted: bool) -> tuple[list[str], int]:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    shown = [
        protect_text(line, threshold, mask_quoted=mask_quoted)[:LINE_CHARACTERS]
        for line in lines[:limit]
    ]
    return shown, max(0, len(lines) - limit)


@dataclass(frozen=True)
class RunFacts:
    """What an operator's message says about the run, whatever its outcome."""

    run_id: str
    command: str
    host: str
    log_path: Path
    seconds: float


def alert_message(
    settings: Settings,
    facts: RunFacts,
    code: ExitCode,
    stage: str,
    error: BaseException,
    message_id: str,
) -> EmailMessage:
    """A failed night's alert: exit code, stage and the first lines of the reason."""
    alerts = settings.delivery.alerts
    assert alerts is not None
    internal = code == ExitCode.INTERNAL_ERROR
    text = f"{type(error).__name__}: {error}" if internal else str(error)
    reason, more = _lines(text, settings.disclosure.threshold, REASON_LINES, internal)
    marking = settings.report.marking
    outcome = code.outcome.replace("_", " ")
    message = _message(
        settings,
        f"{marking}: progression {facts.command} {outcome} (exit code {int(code)}), "
        f"{settings.force.name}",
        alerts.recipients,
        message_id,
    )
    message.set_content(
        _environment()
        .get_template("alert.txt.j2")
        .render(
            marking=marking,
            force=settings.force.name,
            outcome=outcome,
            exit_code=int(code),
            stage=stage,
            run_id=facts.run_id,
            command=facts.command,
            host=facts.host,
            seconds=f"{facts.seconds:.1f}",
            log_path=facts.log_path,
            reason=reason or ["(no message)"],
            more_lines=more,
            what_to_do=WHAT_TO_DO.get(code, WHAT_TO_DO[ExitCode.INTERNAL_ERROR]),
        )
    )
    return message


def digest_message(
    settings: Settings,
    facts: RunFacts,
    headline: str,
    warnings: list[str],
    deliveries: list[str],
    message_id: str,
) -> EmailMessage:
    """After a night that finished with exit code 5: its warnings and delivery problems."""
    alerts = settings.delivery.alerts
    assert alerts is not None
    threshold = settings.disclosure.threshold
    shown, more = _lines("\n".join(warnings), threshold, DIGEST_LINES, False)
    marking = settings.report.marking
    message = _message(
        settings,
        f"{marking}: progression {facts.command} finished with warnings, {settings.force.name}",
        alerts.recipients,
        message_id,
    )
    message.set_content(
        _environment()
        .get_template("digest.txt.j2")
        .render(
            marking=marking,
            force=settings.force.name,
            headline=protect_text(headline, threshold),
            run_id=facts.run_id,
            command=facts.command,
            host=facts.host,
            log_path=facts.log_path,
            warnings=shown,
            more_lines=more,
            deliveries=[protect_text(line, threshold) for line in deliveries],
            what_to_do="`progression quarantine` lists quarantined rows and what to fix; the "
            "report's data-quality section has the warnings; a failed delivery is retried "
            "at the next run.",
        )
    )
    return message
