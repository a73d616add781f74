"""A measure is computed once, in the models: the report's SQL selects, it does not subtract."""

from __future__ import annotations

import re
from pathlib import Path

import pipeline.report

DIFFERENCE = re.compile(r"\b[a-z_]+\.[a-z_]+\s+-\s+[a-z_]+\.[a-z_]+\b")


def test_no_report_module_computes_a_change_of_two_model_values_in_its_own_sql():
    """Hostile 10: summary.py computed the change since the previous snapshot in SQL of its
    own although marts.representation_trend holds group_share_change."""
    found = [
        f"{path.name}:{number}: {line.strip()}"
        for path in sorted(Path(pipeline.report.__file__).parent.glob("*.py"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if DIFFERENCE.search(line)
    ]
    assert not found, found
