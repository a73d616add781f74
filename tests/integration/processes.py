"""Real ``progression`` processes, and a tap on their run log that acts the moment a line
is written: what the lock, crash and concurrent-reader tests are made of."""

from __future__ import annotations

import json
import os
import select
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

PROGRESSION = Path(sys.executable).with_name("progression")
DUCKDB_CLI = Path(sys.executable).with_name("duckdb")


def start(config: Path, *args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [str(PROGRESSION), *args, "--config", str(config)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def run(config: Path, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(PROGRESSION), *args, "--config", str(config)],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


class Trigger:
    """Acts once, in the tap's reader thread, on the first line its predicate accepts."""

    def __init__(self, predicate: Callable[[dict], bool], action: Callable[[dict], None]):
        self.predicate, self.action = predicate, action
        self.line: dict | None = None
        self.fired = threading.Event()

    def wait(self, timeout: float = 60) -> dict:
        if not self.fired.wait(timeout):
            raise TimeoutError("the run never wrote the awaited log line")
        assert self.line is not None
        return self.line


class LogTap:
    """The run log replaced by a named pipe, read by a thread as lines arrive.

    A run opens the log, appends one line and closes it for every event. The test holds the
    pipe open for reading and for writing, so those writes never block and the reader never
    sees end-of-file; a trigger's action (SIGKILL, SIGSTOP) runs within microseconds of the
    line, before the run has gone far into the stage it has just announced.
    """

    def __init__(self, path: Path):
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.exists():
            path.rename(path.with_name(f"{path.name}.before-tap"))
        os.mkfifo(path)
        self._read = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
        self._write = os.open(path, os.O_WRONLY)
        self.lines: list[dict] = []
        self._triggers: list[Trigger] = []
        self._lock = threading.Lock()
        self._sentinels = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._pump, daemon=True)
        self._thread.start()

    def __enter__(self) -> LogTap:
        return self

    def __exit__(self, *exc_info) -> None:
        self._stop.set()
        self._thread.join()
        os.close(self._read)
        os.close(self._write)
        self.path.unlink()

    def on(self, predicate: Callable[[dict], bool], action: Callable[[dict], None]) -> Trigger:
        trigger = Trigger(predicate, action)
        with self._lock:
            self._triggers.append(trigger)
        return trigger

    def sync(self, timeout: float = 30) -> int:
        """Wait until every line written so far has been read; return the count of lines."""
        self._sentinels += 1
        mark = self._sentinels
        seen = self.on(lambda line: line.get("sentinel") == mark, lambda _: None)
        os.write(self._write, (json.dumps({"sentinel": mark}) + "\n").encode())
        seen.wait(timeout)
        with self._lock:
            return len(self.lines)

    def since(self, mark: int) -> list[dict]:
        with self._lock:
            return [line for line in self.lines[mark:] if "sentinel" not in line]

    def _pump(self) -> None:
        pending = b""
        while not self._stop.is_set():
            ready, _, _ = select.select([self._read], [], [], 0.05)
            if not ready:
                continue
            pending += os.read(self._read, 1 << 16)
            *complete, pending = pending.split(b"\n")
            for raw in complete:
                self._take(json.loads(raw))

    def _take(self, line: dict) -> None:
        with self._lock:
            fired = next((t for t in self._triggers if t.predicate(line)), None)
            if fired is not None:
                self._triggers.remove(fired)
                fired.action(line)
            self.lines.append(line)
        if fired is not None:
            fired.line = line
            fired.fired.set()


class NthStage:
    """Accepts the n-th ``stage_started`` line it is shown."""

    def __init__(self, n: int):
        self.n, self.seen = n, 0

    def __call__(self, line: dict) -> bool:
        if line.get("event") != "stage_started":
            return False
        self.seen += 1
        return self.seen == self.n


def wait_until(condition: Callable[[], bool], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("condition not met in time")
        time.sleep(0.01)
