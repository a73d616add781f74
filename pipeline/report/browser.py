"""Headless Chromium over the DevTools protocol, through a pipe: print to PDF, screenshots,
and the accessibility and keyboard checks the tests run.

Why not the ``--print-to-pdf`` command line: it prints the file's path in the page footer
and cannot number pages; ``Page.printToPDF`` takes our own footer. Why not Playwright or
Selenium: the protocol over ``--remote-debugging-pipe`` needs only the standard library
and the Debian ``chromium`` package, and opens no network port.

Offline, provably: Chromium starts in a network namespace of its own (``unshare --net``, as
an unprivileged user through a user namespace) where no interface but a loopback that is
down exists, so no packet can leave whatever the browser tries. ``--host-resolver-rules``
makes every host name unresolvable as well, so it does not even try: no DNS, no
DNS-over-HTTPS, no update or account hosts. Where the host forbids namespaces the flags alone
stand; ``offline_sandbox()`` says which (tests/integration/test_offline_run.py traces a
whole run and fails on any connection to a non-local address).
"""

from __future__ import annotations

import base64
import fcntl
import functools
import html
import json
import os
import select
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--disable-default-apps",
    "--no-first-run",
    "--no-default-browser-check",
    "--mute-audio",
    "--hide-scrollbars",
    "--remote-debugging-pipe",
    # Every host name fails to resolve without a lookup: nothing to connect to.
    "--host-resolver-rules=MAP * ~NOTFOUND",
    "--disable-domain-reliability",
    "--disable-client-side-phishing-detection",
    "--disable-breakpad",
    "--no-pings",
)
UNSHARE = ("unshare", "--user", "--map-root-user", "--net")
"""A new user and network namespace: only a loopback interface, and that one down."""


_TRAMPOLINE = """
import os, sys
reader, writer = int(sys.argv[1]), int(sys.argv[2])
os.dup2(reader, 3)
os.dup2(writer, 4)
os.close(reader)
os.close(writer)
os.execv(sys.argv[3], sys.argv[3:])
"""


class BrowserError(RuntimeError):
    """Chromium failed, or answered a command with an error."""


@functools.cache
def offline_sandbox() -> tuple[str, ...]:
    """The command prefix that runs Chromium without a network, or () where the host
    forbids user or network namespaces (some container runtimes, AppArmor's
    ``restrict_unprivileged_userns``); then only the flags keep it offline."""
    unshare = shutil.which(UNSHARE[0])
    if unshare is None:
        return ()
    command = (unshare, *UNSHARE[1:])
    try:
        probe = subprocess.run([*command, "true"], capture_output=True, timeout=10, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return ()
    return command if probe.returncode == 0 else ()


def find_chromium(configured: Path | None = None) -> Path | None:
    """The configured executable if it exists, else the first Chromium on PATH."""
    if configured is not None:
        return configured if configured.exists() else None
    for name in CANDIDATES:
        if found := shutil.which(name):
            return Path(found)
    return None


class Page:
    """One tab, attached through a flat session."""

    def __init__(self, browser: Browser, session_id: str) -> None:
        self._browser = browser
        self.session_id = session_id

    def send(self, method: str, params: dict | None = None) -> dict:
        return self._browser.send(method, params, session_id=self.session_id)

    def requests(self) -> list[str]:
        """Every URL this page has requested since :meth:`goto`."""
        return self._browser.requests(self.session_id)

    def goto(self, url: str, *, width: int = 1280, height: int = 800) -> None:
        """Load ``url`` at a viewport size and wait for its load event, recording every
        request the page makes (so a test can prove there are none beyond the file)."""
        self.send("Page.enable")
        self.send("Network.enable")
        self.send(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
        )
        self.send("Page.navigate", {"url": url})
        self._browser.wait_for("Page.loadEventFired", self.session_id)

    def evaluate(self, expression: str, *, await_promise: bool = False):
        answer = self.send(
            "Runtime.evaluate",
            {"expression": expression, "returnByValue": True, "awaitPromise": await_promise},
        )
        if "exceptionDetails" in answer:
            detail = answer["exceptionDetails"]
            raise BrowserError(f"JavaScript error: {detail.get('exception', detail)}")
        return answer["result"].get("value")

    def press(self, key: str, *, shift: bool = False) -> None:
        """A real key press (Tab, Enter, ...), as the keyboard would send it."""
        codes = {"Tab": 9, "Enter": 13, "Escape": 27, "End": 35, "Home": 36}
        event = {
            "key": key,
            "code": key,
            "windowsVirtualKeyCode": codes.get(key, 0),
            "modifiers": 8 if shift else 0,
        }
        if key == "Enter":
            event["text"] = "\r"
        self.send("Input.dispatchKeyEvent", {"type": "keyDown", **event})
        self.send("Input.dispatchKeyEvent", {"type": "keyUp", **event})

    def print_pdf(self, path: Path, footer: str, header: str = "") -> Path:
        """A4, the page's own print styles, a header (the protective marking) and a footer
        with the title and page numbers on every page."""
        template = (
            '<div style="font-size:8px;width:100%;padding:0 12mm;display:flex;'
            'justify-content:space-between;font-family:sans-serif;color:#3d3d3d">'
            f"<span>{html.escape(footer)}</span>"
            '<span>Page <span class="pageNumber"></span> of <span class="totalPages"></span>'
            "</span></div>"
        )
        answer = self.send(
            "Page.printToPDF",
            {
                "printBackground": True,
                "preferCSSPageSize": True,
                "displayHeaderFooter": True,
                "headerTemplate": (
                    '<div style="font-size:9px;width:100%;text-align:center;font-weight:bold;'
                    f'font-family:sans-serif">{html.escape(header)}</div>'
                    if header
                    else "<span></span>"
                ),
                "footerTemplate": template,
                "generateDocumentOutline": True,
                "generateTaggedPDF": True,
            },
        )
        path.write_bytes(base64.b64decode(answer["data"]))
        return path

    def screenshot(self, path: Path, *, selector: str | None = None) -> Path:
        """The viewport, or the element ``selector`` matches (scrolled into view)."""
        params: dict = {"format": "png"}
        if selector is not None:
            box = self.evaluate(
                f"""(() => {{
                  const el = document.querySelector({json.dumps(selector)});
                  el.scrollIntoView();
                  const r = el.getBoundingClientRect();
                  return {{x: r.left + window.scrollX, y: r.top + window.scrollY,
                           width: r.width, height: r.height}};
                }})()"""
            )
            params |= {"clip": {**box, "scale": 1}, "captureBeyondViewport": True}
        answer = self.send("Page.captureScreenshot", params)
        path.write_bytes(base64.b64decode(answer["data"]))
        return path


class Browser:
    """A headless Chromium talking JSON over file descriptors 3 (in) and 4 (out)."""

    def __init__(self, executable: Path, timeout: float = 60) -> None:
        self.timeout = timeout
        self._profile = tempfile.mkdtemp(prefix="progression-chromium-")
        to_child_read, self._to_child = os.pipe()
        self._from_child, from_child_write = os.pipe()
        # Chromium reads commands from fd 3 and writes answers to fd 4. A tiny Python
        # trampoline puts the pipe ends there and execs Chromium: no preexec_fn, which is
        # unsafe in a process with threads (DuckDB has some); the ends are first moved to 10
        # and up so that neither dup2 can overwrite the other.
        reader = fcntl.fcntl(to_child_read, fcntl.F_DUPFD_CLOEXEC, 10)
        writer = fcntl.fcntl(from_child_write, fcntl.F_DUPFD_CLOEXEC, 10)
        os.close(to_child_read)
        os.close(from_child_write)
        command = [*offline_sandbox(), str(executable), *FLAGS,
                   f"--user-data-dir={self._profile}", "about:blank"]  # fmt: skip
        try:
            self._process = subprocess.Popen(
                [sys.executable, "-I", "-S", "-c", _TRAMPOLINE, str(reader), str(writer),
                 *command],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                pass_fds=(reader, writer),
            )  # fmt: skip
        finally:
            os.close(reader)
            os.close(writer)
        self._buffer = b""
        self._next_id = 0
        self._events: list[dict] = []

    def _read_message(self, deadline: float) -> dict:
        while b"\0" not in self._buffer:
            remaining = deadline - time.monotonic()
            ready, _, _ = select.select([self._from_child], [], [], max(remaining, 0))
            if not ready:
                raise BrowserError("Chromium did not answer in time.")
            chunk = os.read(self._from_child, 1 << 16)
            if not chunk:
                raise BrowserError("Chromium closed the connection (did it start?).")
            self._buffer += chunk
        raw, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(raw)

    def send(self, method: str, params: dict | None = None, session_id: str | None = None):
        self._next_id += 1
        message: dict = {"id": self._next_id, "method": method, "params": params or {}}
        if session_id:
            message["sessionId"] = session_id
        try:
            os.write(self._to_child, json.dumps(message).encode() + b"\0")
        except BrokenPipeError:
            raise BrowserError("Chromium is not running.") from None
        deadline = time.monotonic() + self.timeout
        while True:
            answer = self._read_message(deadline)
            if answer.get("id") == self._next_id:
                if "error" in answer:
                    raise BrowserError(f"{method}: {answer['error'].get('message')}")
                return answer.get("result", {})
            self._events.append(answer)

    def wait_for(self, event: str, session_id: str | None = None) -> dict:
        deadline = time.monotonic() + self.timeout
        while True:
            for index, seen in enumerate(self._events):
                if seen.get("method") == event and seen.get("sessionId") == session_id:
                    return self._events.pop(index)
            self._events.append(self._read_message(deadline))

    def requests(self, session_id: str) -> list[str]:
        """URLs the page has requested so far."""
        return [
            e["params"]["request"]["url"]
            for e in self._events
            if e.get("method") == "Network.requestWillBeSent" and e.get("sessionId") == session_id
        ]

    def new_page(self) -> Page:
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})
        return Page(self, session["sessionId"])

    def close(self) -> None:
        with suppress(BrowserError):
            self.send("Browser.close")
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        for fd in (self._to_child, self._from_child):
            with suppress(OSError):
                os.close(fd)
        shutil.rmtree(self._profile, ignore_errors=True)


@contextmanager
def chromium(executable: Path, timeout: float = 60) -> Iterator[Browser]:
    browser = Browser(executable, timeout)
    try:
        yield browser
    finally:
        browser.close()


def print_to_pdf(
    executable: Path, page_file: Path, pdf: Path, footer: str, timeout: float, header: str = ""
):
    with chromium(executable, timeout) as browser:
        page = browser.new_page()
        page.goto(page_file.resolve().as_uri())
        return page.print_pdf(pdf, footer, header)
