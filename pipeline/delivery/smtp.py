"""Sending mail: TLS always (STARTTLS or implicit), the server's certificate verified, and
credentials from the environment or a netrc file outside the repository, never the TOML.

Standard library only (``smtplib``, ``ssl``, ``netrc``).
"""

from __future__ import annotations

import netrc
import os
import smtplib
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage

from pipeline.config import SMTP_PASSWORD_ENV_VAR, SMTP_USERNAME_ENV_VAR, SmtpSettings
from pipeline.delivery import DeliveryError


@dataclass(frozen=True)
class Credentials:
    username: str
    password: str = field(repr=False)
    source: str
    """Where they came from, for the dry run: 'the environment' or the file's path."""


def credentials(smtp: SmtpSettings) -> Credentials | None:
    """The login: ``PROGRESSION_SMTP_USERNAME`` and ``PROGRESSION_SMTP_PASSWORD``, else the
    netrc ``credentials_file``'s entry for the host, else none (the server takes mail
    without a login, as an internal relay may)."""
    username = os.environ.get(SMTP_USERNAME_ENV_VAR)
    password = os.environ.get(SMTP_PASSWORD_ENV_VAR)
    if username or password:
        if not (username and password):
            raise DeliveryError(
                f"Set both {SMTP_USERNAME_ENV_VAR} and {SMTP_PASSWORD_ENV_VAR}, or neither."
            )
        return Credentials(username, password, "the environment")
    path = smtp.credentials_file
    if path is None:
        return None
    try:
        entry = netrc.netrc(path).authenticators(smtp.host)
    except (OSError, netrc.NetrcParseError) as exc:
        raise DeliveryError(f"Cannot read the SMTP credentials file {path}: {exc}") from None
    if entry is None or not entry[0] or not entry[2]:
        raise DeliveryError(
            f"The SMTP credentials file {path} has no 'machine {smtp.host} login ... "
            "password ...' entry."
        )
    return Credentials(entry[0], entry[2], str(path))


def describe(smtp: SmtpSettings) -> str:
    """'smtp.force.example:587 (STARTTLS)', for messages and the run log."""
    how = "STARTTLS" if smtp.security == "starttls" else "implicit TLS"
    return f"{smtp.host}:{smtp.effective_port} ({how})"


@contextmanager
def connect(smtp: SmtpSettings) -> Iterator[smtplib.SMTP]:
    """A connection encrypted before anything is sent and logged in if credentials are
    given; raises ``DeliveryError`` naming what failed (no plain-text fallback)."""
    login = credentials(smtp)
    try:
        context = ssl.create_default_context(cafile=smtp.ca_file)
    except OSError as exc:
        raise DeliveryError(f"Cannot read the CA file {smtp.ca_file}: {exc}") from None
    server: smtplib.SMTP | None = None
    try:
        if smtp.security == "tls":
            server = smtplib.SMTP_SSL(
                smtp.host, smtp.effective_port, timeout=smtp.timeout_seconds, context=context
            )
        else:
            server = smtplib.SMTP(smtp.host, smtp.effective_port, timeout=smtp.timeout_seconds)
            server.ehlo()
            server.starttls(context=context)
        server.ehlo()
        if login is not None:
            server.login(login.username, login.password)
    except (smtplib.SMTPException, OSError) as exc:
        if server is not None:
            server.close()
        raise DeliveryError(f"{describe(smtp)}: {_reason(exc)}") from None
    try:
        yield server
    finally:
        try:
            server.quit()
        except (smtplib.SMTPException, OSError):
            server.close()


def size_limit(server: smtplib.SMTP) -> int | None:
    """The largest message the server says it takes (ESMTP SIZE), if it says."""
    try:
        size = int(server.esmtp_features.get("size", "0").split()[0])
    except (ValueError, IndexError):
        return None
    return size or None


def send(server: smtplib.SMTP, message: EmailMessage, recipients: tuple[str, ...]) -> int:
    """Send ``message`` to ``recipients``; the number the server accepted (at least one,
    else ``DeliveryError``). Refused addresses are counted, not named, in the error."""
    try:
        refused = server.send_message(message, to_addrs=list(recipients))
    except smtplib.SMTPRecipientsRefused as exc:
        codes = sorted({code for code, _ in exc.recipients.values()})
        raise DeliveryError(
            f"The server refused all {len(exc.recipients)} recipient(s) (SMTP {codes})."
        ) from None
    except (smtplib.SMTPException, OSError) as exc:
        raise DeliveryError(_reason(exc)) from None
    return len(recipients) - len(refused)


def _reason(exc: BaseException) -> str:
    if isinstance(exc, smtplib.SMTPResponseException):
        text = exc.smtp_error.decode(errors="replace") if exc.smtp_error else ""
        return f"{type(exc).__name__}: SMTP {exc.smtp_code} {text}".strip()
    return f"{type(exc).__name__}: {exc}"
