"""A real SMTP server on the loopback address for the delivery tests: aiosmtpd, with a
certificate from a throwaway certificate authority (trustme) so that STARTTLS and implicit
TLS are verified exactly as a force's server would be, and a login it checks."""

from __future__ import annotations

import html
import logging
import re
import socket
import ssl
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

# aiosmtpd logs a warning about its own deprecated attribute at every login.
logging.getLogger("mail.log").setLevel(logging.ERROR)

USERNAME = "svc-progression"
PASSWORD = "a-password-only-the-test-knows"


@dataclass
class Received:
    sender: str
    recipients: list[str]
    raw: bytes

    @property
    def message(self) -> EmailMessage:
        return message_from_bytes(self.raw, policy=policy.default)

    def text(self) -> str:
        """Subject and every text part as a reader sees it (HTML without its tags)."""
        message = self.message
        parts = [str(message["Subject"])]
        for part in message.walk():
            if part.get_content_type() == "text/plain":
                parts.append(part.get_content())
            elif part.get_content_type() == "text/html":
                parts.append(html.unescape(re.sub(r"<[^>]+>", " ", part.get_content())))
        return "\n".join(parts)

    def scannable(self) -> str:
        """``text`` less what names this machine (its host name, file paths), which a
        test's temporary folder can fill with small numbers that are not counts."""
        text = self.text().replace(socket.gethostname(), "<host>")
        return re.sub(r"(?:/[\w.\-]+)+", "<path>", text)

    def attachments(self) -> dict[str, bytes]:
        return {part.get_filename(): part.get_content() for part in self.message.iter_attachments()}


@dataclass
class Handler:
    received: list[Received] = field(default_factory=list)
    refuse: set[str] = field(default_factory=set)
    logins: list[str] = field(default_factory=list)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.received.append(
            Received(envelope.mail_from, list(envelope.rcpt_tos), envelope.content)
        )
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class SmtpServer:
    """Started and stopped by the test; ``security`` 'starttls' (required before MAIL and
    AUTH), 'tls' (implicit) or 'plain' (none offered). ``ca_file`` is the PEM the client
    must trust."""

    def __init__(self, folder: Path, security: str = "starttls", size_limit: int = 33_554_432):
        self.security = security
        self.port = free_port()
        self.handler = Handler()
        authority = trustme.CA()
        self.ca_file = folder / "test-ca.pem"
        authority.cert_pem.write_to_path(str(self.ca_file))
        server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        authority.issue_cert("127.0.0.1", "localhost").configure_cert(server_context)
        self.options = {
            "authenticator": self._authenticate,
            "auth_required": True,
            "data_size_limit": size_limit,
        }
        if security == "starttls":
            self.options |= {"tls_context": server_context, "require_starttls": True}
        elif security == "tls":
            self.options |= {"ssl_context": server_context, "auth_require_tls": False}
        else:  # "plain": a server that offers no encryption at all
            self.options |= {"auth_require_tls": False}
        self.controller: Controller | None = None

    def _authenticate(self, server, session, envelope, mechanism, data) -> AuthResult:
        ok = (
            isinstance(data, LoginPassword)
            and data.login.decode() == USERNAME
            and data.password.decode() == PASSWORD
        )
        if ok:
            self.handler.logins.append(USERNAME)
        return AuthResult(success=ok, handled=False)

    @property
    def received(self) -> list[Received]:
        return self.handler.received

    def config(self, extra: str = "") -> str:
        """The ``[delivery.smtp]`` table for this server."""
        return (
            "[delivery.smtp]\n"
            'host = "127.0.0.1"\n'
            f"port = {self.port}\n"
            f'security = "{"tls" if self.security == "tls" else "starttls"}"\n'
            'from_address = "workforce-analytics@force.example"\n'
            f'ca_file = "{self.ca_file}"\n'
            "timeout_seconds = 10\n" + extra
        )

    def __enter__(self) -> SmtpServer:
        self.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self.stop()

    def start(self) -> None:
        """Listen (again: a stopped server comes back on the same port)."""
        self.controller = Controller(
            self.handler, hostname="127.0.0.1", port=self.port, **self.options
        )
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None
