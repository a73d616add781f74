"""``progression deliver --dry-run``: what would be sent, to whom, and what stands in the way,
without connecting to anything or writing anything."""

from __future__ import annotations

import sqlite3
import textwrap
from dataclasses import dataclass, field
from datetime import UTC

from pipeline import publish
from pipeline.config import Settings
from pipeline.delivery import DeliveryError, folder, ledger, messages, smtp
from pipeline.delivery.dispatch import CHANNEL_NAMES, configured_channels
from pipeline.report.archive import run_date


@dataclass
class Plan:
    lines: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    """What would make a delivery fail (missing credentials, an unmounted share)."""

    def add(self, text: str = "", indent: int = 0) -> None:
        self.lines.append(textwrap.indent(text, " " * indent) if text else "")

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


def _statuses(settings: Settings, run_id: str | None) -> dict[str, ledger.Delivery] | None:
    """Each channel's delivery of release ``run_id``; ``None`` if the ledger is in use."""
    if run_id is None:
        return {}
    try:
        with ledger.open_ledger(settings, read_only=True) as con:
            found = {c: ledger.get(con, run_id, c) for c in ledger.REPORT_CHANNELS}
    except FileNotFoundError:
        return {}
    except sqlite3.Error:
        return None
    return {channel: delivery for channel, delivery in found.items() if delivery}


def _utc(moment) -> str:
    return f"{moment.astimezone(UTC):%Y-%m-%d %H:%M} UTC"


def _status(delivery: ledger.Delivery | None) -> str:
    if delivery is None:
        return (
            "not queued: the report was published before this delivery was configured; "
            "`progression deliver` sends it now, and every report published from now on "
            "is sent after its run."
        )
    if delivery.status == ledger.FAILED:
        return (
            f"failed {delivery.attempts} time(s), last at {_utc(delivery.attempted_at)} "
            f"({delivery.last_error}); the next run tries again."
        )
    if delivery.status == ledger.PENDING:
        return "pending: the next run (or `progression deliver`) sends it."
    when = f" on {_utc(delivery.delivered_at)}" if delivery.delivered_at else ""
    return f"{delivery.status}{when}: {delivery.detail or ''}".rstrip(": ")


def dry_run(settings: Settings) -> Plan:
    """The plan for the current release and the operators' messages."""
    plan = Plan()
    delivery = settings.delivery
    layout = publish.Layout.of(settings)
    current = layout.current_release()
    content = None
    if current is not None:
        report = layout.releases / current / "report"
        try:
            content = messages.read_report(report)
        except messages.ReportUnreadable as exc:
            plan.problems.append(str(exc))
        plan.add(f"Current report: run {current}, from {report}")
        if content is not None:
            plan.add(f"Staff snapshot of {messages.long_date(content.snapshot_date)}.", 2)
    else:
        plan.add("Nothing has been published yet: the first published report will be sent.")
    statuses = _statuses(settings, current)
    if statuses is None:
        plan.add("(A run is using the delivery ledger: statuses are not shown; try again.)")
        statuses = {}
    if not configured_channels(settings) and delivery.alerts is None:
        plan.add("No delivery is configured: add [delivery] to the configuration file.")
    if delivery.folder is not None:
        _folder(plan, settings, current, statuses.get("folder"))
    if delivery.email is not None:
        _email(plan, settings, current, content, statuses.get("email"))
    if delivery.alerts is not None:
        _alerts(plan, settings)
    if plan.problems:
        plan.add()
        plan.add("Problems that would make a delivery fail:")
        for problem in plan.problems:
            plan.add(f"- {problem}", 2)
    return plan


def _folder(plan: Plan, settings: Settings, current, status) -> None:
    share = settings.delivery.folder.path
    name = run_date(current) if current else "YYYY-MM-DD"
    plan.add()
    plan.add(f"Report {CHANNEL_NAMES['folder']}: {share / name}")
    plan.add(
        "Copied aside and renamed into place; directories 750, files 640 (owner and group).", 2
    )
    if current is not None:
        count, size = folder.file_count_and_size(
            publish.Layout.of(settings).releases / current / "report"
        )
        plan.add(f"{count} files, {messages.file_size(size)}.", 2)
        plan.add(f"Status: {_status(status)}", 2)
    if not share.is_dir():
        plan.problems.append(f"The shared folder {share} does not exist (is the share mounted?).")


def _server(plan: Plan, settings: Settings) -> None:
    server = settings.delivery.smtp
    plan.add(f"Through {smtp.describe(server)}, from {server.from_address}.", 2)
    if server.ca_file is not None and not server.ca_file.is_file():
        plan.problems.append(f"The CA file {server.ca_file} does not exist.")
    try:
        login = smtp.credentials(server)
    except DeliveryError as exc:
        plan.problems.append(str(exc))
        return
    if login is None:
        plan.add("No login (no credentials are set): the server must accept mail without.", 2)
    else:
        plan.add(f"Login as {login.username} (from {login.source}).", 2)


def _email(plan: Plan, settings: Settings, current, content, status) -> None:
    email = settings.delivery.email
    plan.add()
    plan.add(f"Report {CHANNEL_NAMES['email']} to {len(email.recipients)} recipient(s):")
    for address in email.recipients:
        plan.add(address, 4)
    _server(plan, settings)
    if content is None:
        return
    plan.add(f"Status: {_status(status)}", 2)
    message, attached = messages.report_message(
        settings,
        content,
        folder_name=run_date(current),
        message_id=status.message_id if status and status.message_id else "<not yet made>",
        size_limit=email.max_message_bytes,
    )
    plan.add(f"Subject: {message['Subject']}", 2)
    plan.add(
        f"Attachment: {attached} (if the server's own size limit allows; checked when sending)"
        if attached
        else "No attachment (the text says where the report is).",
        2,
    )
    plan.add("Text:", 2)
    plan.add(message.get_body(("plain",)).get_content().rstrip(), 4)


def _alerts(plan: Plan, settings: Settings) -> None:
    alerts = settings.delivery.alerts
    plan.add()
    plan.add(
        "Alerts when a night fails (exit code 1, 2 or 3, or 143 when stopped by SIGTERM) "
        f"to {len(alerts.recipients)} recipient(s):"
    )
    for address in alerts.recipients:
        plan.add(address, 4)
    plan.add(
        "A digest after a night with warnings (exit code 5): "
        + ("on." if alerts.digest_on_warnings else "off ([delivery.alerts] digest_on_warnings)."),
        2,
    )
    if settings.delivery.email is None:
        _server(plan, settings)
