"""SIGTERM while DuckDB runs a query: DuckDB may stop the query with its own error ("Query
interrupted", seen when the benchmark stopped a national-sized night in its load stage), and
the run is still counted as stopped (exit code 143), not as an internal error."""

from __future__ import annotations

import os
import signal
import time

import pytest

from pipeline.nightly import exit_code_for
from pipeline.runs import ExitCode, Terminated, sigterm_raises, stop_requested


def test_after_sigterm_any_error_is_a_stop_until_the_next_run():
    with sigterm_raises():
        assert not stop_requested()
        with pytest.raises(Terminated, match="SIGTERM"):
            os.kill(os.getpid(), signal.SIGTERM)
            time.sleep(5)
        assert stop_requested()
        assert exit_code_for(RuntimeError("Query interrupted")) == ExitCode.TERMINATED
    with sigterm_raises():  # a new run starts with no stop requested
        assert not stop_requested()
        assert exit_code_for(RuntimeError("boom")) == ExitCode.INTERNAL_ERROR
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL
    assert issubclass(Terminated, BaseException) and not issubclass(Terminated, Exception)
