"""Sentences that say why a figure is missing or which row is largest agree with their
table: the reason is the statistic's own, and a superlative is claimed only over the rows
the table shows (hostile-7 findings 5, 6 and 8)."""

from __future__ import annotations

import pandas as pd
import pytest

from pipeline.rates import SELECTION, note
from pipeline.report.declared import WITHHELD, Column, DeclaredTable
from pipeline.report.selection import _assessment

GROUP, REFERENCE = "ethnic minority", "White"


def _stage_table(verdicts: dict[str, object]) -> DeclaredTable:
    table = DeclaredTable(
        id="funnel",
        caption="Stages",
        columns=(Column("label", "Stage", "label"), Column("verdict", "Verdict", "text")),
        frame=pd.DataFrame({"label": list(verdicts), "verdict": list(verdicts.values())}),
    )
    table.shown_rows = [[label, shown] for label, shown in verdicts.items()]
    return table


def _raw(counts: dict[str, tuple[int, int, int, int]]) -> pd.DataFrame:
    names = ("passed_count", "selection_base_count", "reference_passed_count",
             "reference_selection_base_count")  # fmt: skip
    return pd.DataFrame(
        [{"label": label, **dict(zip(names, c, strict=True))} for label, c in counts.items()]
    )


@pytest.mark.parametrize(
    ("counts", "clause"),
    [
        # The demo's Inspector 2026 eligibility stage: 19 of 19 against 156 of 163 passed;
        # 0.73 failures expected among the 19 (hostile-7 finding 5).
        (
            (19, 19, 156, 163),
            "the eligibility stage could not be compared because too few candidates did not "
            "pass to compare the groups (fewer than one would be expected not to pass in the "
            "smaller group)",
        ),
        (
            (0, 1, 163, 170),
            "the eligibility stage could not be compared because too few candidates did not "
            "pass to compare the groups (fewer than one would be expected not to pass in the "
            "smaller group)",
        ),
        (
            (1, 160, 0, 30),
            "the eligibility stage could not be compared because too few candidates passed to "
            "compare the groups (fewer than one would be expected to pass in the smaller "
            "group)",
        ),
        (
            (0, 0, 5, 9),
            "the eligibility stage could not be compared because there were no ethnic "
            "minority candidates",
        ),
        (
            (3, 9, 0, 0),
            "the eligibility stage could not be compared because there were no White candidates",
        ),
        (
            (0, 9, 0, 12),
            "the eligibility stage could not be compared because no one in either group passed",
        ),
    ],
)
def test_a_stage_not_compared_gives_the_statistics_own_reason(counts, clause):
    assert note(*counts, SELECTION) is not None  # the database gives a reason too
    table = _stage_table({"Eligibility": "not computable", "Interview": "no clear difference"})
    raw = _raw({"Eligibility": counts, "Interview": (10, 20, 50, 100)})
    assessed, clauses = _assessment(table, ["Eligibility", "Interview"], raw, GROUP, REFERENCE)
    assert assessed == ["Interview"]
    assert clauses == [clause]


def test_a_withheld_stage_is_too_small_to_show():
    table = _stage_table({"Eligibility": WITHHELD})
    _, clauses = _assessment(table, ["Eligibility"], _raw({"Eligibility": (1, 2, 3, 4)}), GROUP,
                             REFERENCE)  # fmt: skip
    assert clauses == ["the eligibility stage could not be shown because the numbers are small"]
