"""The product promises no network: a whole nightly run, the PDF printed by headless
Chromium included, traced with ``strace -f`` (every process and thread), makes no connection
and sends nothing to any address but the machine's own.

A call the kernel refused is not traffic: inside Chromium's network namespace a route probe
fails with EADDRNOTAVAIL or ENETUNREACH before any packet exists. Everything the kernel
accepted (a connect that succeeded or is in progress, a datagram sent) must be local.
"""

from __future__ import annotations

import ipaddress
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import PROGRESSION, STAFF_HEADER, staff_row, write_config

from pipeline.report.browser import find_chromium, offline_sandbox

_CALL = re.compile(r"^(?P<call>connect|sendto|sendmsg)\((?P<args>.*)\)\s+=\s+(?P<result>.*)$")
_ADDRESS = re.compile(r'inet_addr\("(?P<v4>[^"]+)"\)|inet_pton\(AF_INET6, "(?P<v6>[^"]+)"')
REFUSED = ("EADDRNOTAVAIL", "ENETUNREACH", "EHOSTUNREACH", "ECONNREFUSED", "EACCES", "EPERM")


def remote_calls(trace: str) -> list[str]:
    """The lines of an ``strace`` log (one process's, so no interleaving) where the kernel
    accepted a connect or send to an address outside the machine."""
    found = []
    for line in trace.splitlines():
        match = _CALL.match(line.strip())
        if match is None:
            continue
        for address in _ADDRESS.finditer(match["args"]):
            ip = ipaddress.ip_address(address["v4"] or address["v6"])
            mapped = getattr(ip, "ipv4_mapped", None)
            local = ip.is_loopback or ip.is_unspecified or (mapped and mapped.is_loopback)
            refused = match["result"].startswith("-1 ") and match["result"].split()[1] in REFUSED
            if not local and not refused:
                found.append(line.strip())
    return found


def test_the_trace_reader_finds_a_lookup_and_ignores_what_the_kernel_refused():
    lookup = (
        'connect(25, {sa_family=AF_INET, sin_port=htons(53), sin_addr=inet_addr("10.2.2.53")},'
        " 16) = 0"
    )
    probe = (
        "connect(18, {sa_family=AF_INET6, sin6_port=htons(443), sin6_flowinfo=htonl(0), "
        'inet_pton(AF_INET6, "2001:4860:4860::8888", &sin6_addr), sin6_scope_id=0}, 28)'
        " = -1 EADDRNOTAVAIL (Cannot assign requested address)"
    )
    sent = (
        "sendmsg(5, {msg_name={sa_family=AF_INET, sin_port=htons(53), "
        'sin_addr=inet_addr("8.8.8.8")}, msg_namelen=16, msg_iov=[]}, 0) = 40'
    )
    local = (
        'connect(3, {sa_family=AF_INET, sin_port=htons(5432), sin_addr=inet_addr("127.0.0.1")},'
        " 16) = 0"
    )
    unix = 'connect(7, {sa_family=AF_UNIX, sun_path="/run/x"}, 110) = 0'
    assert remote_calls("\n".join([lookup, probe, sent, local, unix])) == [lookup, sent]


def _strace_runs() -> str | None:
    """Why strace cannot trace here, or None when it can."""
    if shutil.which("strace") is None:
        return "strace is not installed (scripts/ensure-chromium.sh installs it)"
    probe = subprocess.run(
        ["strace", "-f", "-o", "/dev/null", "true"], capture_output=True, text=True, check=False
    )
    if probe.returncode != 0:
        return f"strace cannot trace processes here: {probe.stderr.strip()}"
    return None


def test_a_whole_run_with_its_pdf_talks_to_no_other_machine(tmp_path: Path):
    if (reason := _strace_runs()) is not None:
        pytest.skip(reason)
    assert find_chromium() is not None, "Chromium is needed: run scripts/ensure-chromium.sh"
    config = write_config(tmp_path)
    config.write_text(config.read_text().replace("pdf = false", "pdf = true"))
    rows = [staff_row(f"P{i}", ["W1", "A2", "B1"][i % 3]) for i in range(30)]
    (tmp_path / "inbox" / "staff_snapshot_2026-03-31.csv").write_text(
        STAFF_HEADER + "\n" + "\n".join(rows) + "\n", encoding="utf-8"
    )
    traces = tmp_path / "trace"
    traces.mkdir()
    run = subprocess.run(
        ["strace", "-f", "-ff", "-qq", "-e", "trace=connect,sendto,sendmsg",
         "-o", str(traces / "t"), str(PROGRESSION), "run", "--config", str(config)],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    pdfs = list((tmp_path / "var" / "reports" / "latest").glob("*.pdf"))
    assert pdfs, "the PDF was printed (so Chromium ran under the trace)"
    processes = list(traces.iterdir())
    assert len(processes) > 10, "every Chromium process and thread was traced"
    remote = [
        f"{path.name}: {line}"
        for path in processes
        for line in remote_calls(path.read_text(errors="replace"))
    ]
    assert remote == [], (
        f"{len(remote)} call(s) to other machines "
        f"(Chromium sandbox: {' '.join(offline_sandbox()) or 'none'})"
    )
