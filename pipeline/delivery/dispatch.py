"""When delivery happens: after a night that published, retried by every later run until it
is made, and alerts when a night fails.

- A night that publishes a report queues one delivery per configured channel (folder,
  e-mail) in ``ops.deliveries`` and makes them; a night with nothing new makes only those
  still pending. So nothing is sent for a night that published nothing new, and nothing is
  sent twice: a report whose summary and tables are those of the last one delivered (a
  ``run --force`` rebuild) is skipped.
- A delivery that fails leaves the published release as it is: the run logs
  ``delivery_failed``, exits 5, and the next run (or ``progression deliver``) tries again.
  When a newer report is published first, the older one is superseded, not sent.
- A night that fails (exit code 1, 2 or 3) or is stopped by SIGTERM (143) sends an alert
  to the operators; a night that finishes with exit code 5 sends a digest if
  ``digest_on_warnings`` is on. Neither is retried.

Nothing here raises into the run (apart from ``KeyboardInterrupt``): a delivery problem is
an outcome, never a failed night.
"""

from __future__ import annotations

import socket
from dataclasses import dataclass
from datetime import UTC, datetime
from email import policy
from email.utils import make_msgid
from pathlib import Path

from pipeline import publish
from pipeline.config import Settings
from pipeline.delivery import DeliveryError, folder, ledger, messages, smtp
from pipeline.delivery.messages import ReportUnreadable
from pipeline.report.archive import run_date
from pipeline.runs import ExitCode, LockedError, RunLog, new_run_id, run_lock

ALERTED = (
    ExitCode.INTERNAL_ERROR,
    ExitCode.CONFIG_ERROR,
    ExitCode.BLOCKED,
    ExitCode.TERMINATED,
)
CHANNEL_NAMES = {"email": "by e-mail", "folder": "to the shared folder"}


@dataclass(frozen=True)
class Outcome:
    """One delivery's result, as the console, the run log and the digest show it."""

    channel: str
    status: str
    """delivered, partial (some recipients refused), failed, skipped or superseded."""
    run_id: str
    """The release delivered."""
    text: str

    @property
    def failed(self) -> bool:
        return self.status in (ledger.FAILED, "partial")

    def as_log(self) -> dict:
        return {"channel": self.channel, "status": self.status, "release": self.run_id}


def configured_channels(settings: Settings) -> list[str]:
    delivery = settings.delivery
    return [channel for channel in ledger.REPORT_CHANNELS if getattr(delivery, channel)]


def after_run(settings: Settings, log: RunLog, result, progress) -> None:
    """After a run that finished: deliver (``result.deliveries``), then the digest."""
    if configured_channels(settings):
        with log.stage("deliver"):
            progress("Delivering the report")
            result.deliveries = deliver(
                settings, log, queue_release=result.run_id if result.changed else None
            )
    alerts = settings.delivery.alerts
    if alerts and alerts.digest_on_warnings and result.exit_code == ExitCode.SUCCESS_WITH_WARNINGS:
        _digest(settings, log, result)


def deliver(settings: Settings, log: RunLog, queue_release: str | None) -> list[Outcome]:
    """Queue release ``queue_release`` (the one a run just published), then make every
    delivery of the current release not yet made. Never raises."""
    layout = publish.Layout.of(settings)
    current = layout.current_release()
    channels = configured_channels(settings)
    if current is None or not channels:
        return []
    outcomes: list[Outcome] = []
    try:
        with ledger.open_ledger(settings) as con:
            if queue_release is not None:
                _queue(con, settings, layout, queue_release, channels)
            for old in ledger.supersede(con, current):
                text = (
                    f"The report of run {old.run_id} was not delivered "
                    f"{CHANNEL_NAMES[old.channel]} before a newer one was published: superseded."
                )
                log.event("delivery_superseded", channel=old.channel, release=old.run_id)
                outcomes.append(Outcome(old.channel, ledger.SUPERSEDED, old.run_id, text))
            for pending in ledger.open_deliveries(con, current):
                if pending.channel in channels:
                    outcomes.append(_attempt(con, settings, log, layout, pending))
    except Exception as exc:  # whatever it is, the night stays published
        text = " ".join(f"Delivery could not run: {type(exc).__name__}: {exc}".split())
        log.event("delivery_failed", channel="all", release=current, error=text)
        outcomes.append(Outcome("all", ledger.FAILED, current, text))
    return outcomes


def _queue(con, settings: Settings, layout: publish.Layout, run_id: str, channels) -> None:
    report = layout.releases / run_id / "report"
    content = messages.read_report(report)
    ledger.queue(
        con,
        run_id,
        channels,
        messages.report_fingerprint(report),
        content.snapshot_date,
        _message_id(settings, run_id),
    )


def _message_id(settings: Settings, run_id: str) -> str:
    sender = settings.delivery.smtp.from_address if settings.delivery.smtp else ""
    return make_msgid(idstring=run_id, domain=sender.rpartition("@")[2] or "progression.invalid")


def _attempt(con, settings: Settings, log: RunLog, layout, pending: ledger.Delivery) -> Outcome:
    channel, release = pending.channel, pending.run_id
    how = CHANNEL_NAMES[channel]
    previous = ledger.last_delivered(con, channel, before=release)
    if previous is not None and previous.report_fingerprint == pending.report_fingerprint:
        text = f"The same report was delivered {how} with run {previous.run_id}: not sent again."
        ledger.finish(con, pending, ledger.SKIPPED, detail=text)
        log.event("delivery_skipped", channel=channel, release=release, same_as=previous.run_id)
        return Outcome(channel, ledger.SKIPPED, release, text)
    ledger.attempt(con, pending, by=log.run_id)
    attempt = pending.attempts + 1
    log.event("delivery_started", channel=channel, release=release, attempt=attempt)
    report = layout.releases / release / "report"
    try:
        if channel == "folder":
            target = folder.copy_report(
                report, settings.delivery.folder.path, run_date(release), release
            )
            count, size = folder.file_count_and_size(target)
            accepted, destination = None, str(target)
            detail = f"{count} files ({messages.file_size(size)}) copied to {target}"
        else:
            replaces = None
            if previous is not None and previous.snapshot_date == pending.snapshot_date:
                replaces = previous.delivered_at.date()
            accepted, destination, detail = _email(settings, report, pending, replaces)
    except (DeliveryError, ReportUnreadable, OSError) as exc:
        ledger.finish(con, pending, ledger.FAILED, error=str(exc))
        log.event(
            "delivery_failed", channel=channel, release=release, attempt=attempt, error=str(exc)
        )
        return Outcome(
            channel,
            ledger.FAILED,
            release,
            f"Delivery {how} failed (attempt {attempt}): {exc} It is retried at the next run.",
        )
    ledger.finish(
        con,
        pending,
        ledger.DELIVERED,
        recipients_count=accepted,
        destination=destination,
        detail=detail,
    )
    log.event(
        "delivery_finished",
        channel=channel,
        release=release,
        attempt=attempt,
        recipients_count=accepted,
        message_id=pending.message_id,
        destination=destination,
        detail=detail,
    )
    wanted = len(settings.delivery.email.recipients) if channel == "email" else None
    if accepted is not None and accepted < wanted:
        text = (
            f"Delivered {how} to {accepted} of {wanted} recipients: the server refused the "
            "rest (check [delivery.email] recipients); not retried."
        )
        return Outcome(channel, "partial", release, text)
    return Outcome(channel, ledger.DELIVERED, release, f"Delivered {how}: {detail}.")


def _email(settings: Settings, report: Path, pending: ledger.Delivery, replaces):
    email, server_settings = settings.delivery.email, settings.delivery.smtp
    content = messages.read_report(report)
    with smtp.connect(server_settings) as server:
        limit = min(email.max_message_bytes, smtp.size_limit(server) or email.max_message_bytes)
        message, attached = messages.report_message(
            settings,
            content,
            folder_name=run_date(pending.run_id),
            message_id=pending.message_id,
            size_limit=limit,
            replaces=replaces,
        )
        accepted = smtp.send(server, message, email.recipients)
    size = len(message.as_bytes(policy=policy.SMTP))
    sent = f"the PDF {attached} attached" if attached else "a link, no attachment"
    detail = (
        f"{accepted} recipient(s), {messages.file_size(size)} with {sent}, "
        f"message id {pending.message_id}"
    )
    return accepted, smtp.describe(server_settings), detail


def _facts(log: RunLog) -> messages.RunFacts:
    seconds = (datetime.now(UTC) - log.started_at).total_seconds()
    return messages.RunFacts(log.run_id, log.command, socket.gethostname(), log.path, seconds)


def _stage(log: RunLog) -> str:
    """The stage a failure happened in, or the one before it (between stages)."""
    if log.failed_stage:
        return log.failed_stage
    finished = list(log.stage_seconds)
    return f"after {finished[-1]}" if finished else "before the first stage"


def alert(settings: Settings, log: RunLog, error: BaseException, code: ExitCode) -> None:
    """Tell the operators that a night failed (exit code 1, 2 or 3) or was stopped (143).

    Never raises an ``Exception`` (a second SIGTERM while sending still stops it)."""
    if settings.delivery.alerts is None or code not in ALERTED:
        return
    message_id = _message_id(settings, log.run_id)
    try:
        message = messages.alert_message(
            settings, _facts(log), code, _stage(log), error, message_id
        )
    except Exception as exc:  # a template or summary problem must not hide the failure
        _operators_message_failed(settings, log, "alert", message_id, exc)
        return
    _send_to_operators(settings, log, "alert", message, message_id)


def _digest(settings: Settings, log: RunLog, result) -> None:
    if result.changed:
        headline = (
            f"published; {result.rows_loaded:,} rows loaded, {result.rows_quarantined:,} "
            "quarantined."
        )
    else:
        headline = "nothing new to publish."
    message_id = _message_id(settings, log.run_id)
    try:
        message = messages.digest_message(
            settings,
            _facts(log),
            headline,
            list(result.warnings),
            [outcome.text for outcome in result.deliveries if outcome.failed],
            message_id,
        )
    except Exception as exc:  # a digest that cannot be written must not fail the night
        _operators_message_failed(settings, log, "digest", message_id, exc)
        return
    _send_to_operators(settings, log, "digest", message, message_id)


def _send_to_operators(settings, log: RunLog, channel: str, message, message_id: str) -> None:
    recipients = settings.delivery.alerts.recipients
    try:
        with smtp.connect(settings.delivery.smtp) as server:
            accepted = smtp.send(server, message, recipients)
    except Exception as exc:  # an operator's message never fails the night
        _operators_message_failed(settings, log, channel, message_id, exc)
        return
    log.event(f"{channel}_sent", recipients_count=accepted, message_id=message_id)
    _record(settings, log, channel, message_id, accepted, None)


def _operators_message_failed(settings, log: RunLog, channel, message_id, exc) -> None:
    error = str(exc) if isinstance(exc, DeliveryError) else f"{type(exc).__name__}: {exc}"
    log.event(f"{channel}_failed", message_id=message_id, error=error)
    _record(settings, log, channel, message_id, None, error)


def _record(settings, log: RunLog, channel, message_id, accepted, error) -> None:
    try:
        with ledger.open_ledger(settings) as con:
            ledger.record_message(
                con, log.run_id, channel, log.run_id,
                message_id=message_id, destination=smtp.describe(settings.delivery.smtp),
                recipients_count=accepted, error=error,
            )  # fmt: skip
    except Exception as exc:  # the message went (or not) whatever the ledger says
        log.event("delivery_ledger_failed", channel=channel, error=f"{type(exc).__name__}: {exc}")


def deliver_now(settings: Settings) -> tuple[ExitCode, list[Outcome]]:
    """``progression deliver``: under the run lock, make the current release's deliveries
    not yet made (queued now if it was published before delivery was configured).

    Raises ``LockedError`` when a run holds the lock and ``NothingPublished`` before the
    first publication.
    """
    from pipeline.nightly import lock_path, log_path

    if publish.Layout.of(settings).current_release() is None:
        raise NothingPublished("Nothing has been published yet, so there is no report to deliver.")
    log = RunLog(log_path(settings), new_run_id(), "deliver")
    try:
        with run_lock(lock_path(settings)):
            current = publish.Layout.of(settings).current_release()
            log.event("deliver_started", release=current)
            outcomes = deliver(settings, log, queue_release=current)
    except LockedError as exc:
        log.end("run_locked", ExitCode.LOCKED, error=str(exc))
        raise
    failed = any(outcome.failed for outcome in outcomes)
    code = ExitCode.SUCCESS_WITH_WARNINGS if failed else ExitCode.SUCCESS
    log.end("deliver_finished", code, deliveries=[o.as_log() for o in outcomes])
    return code, outcomes


class NothingPublished(Exception):
    """There is no published report to deliver."""
