"""A flow-model output is withheld wherever the recruits' share it is computed from is
(hostile finding: PCSOs' and special constables' "Recruits' share" was [c] while the
projections, band, chance and "where today's rates settle" beside it were shown; the
settling share, close to the recruits' share, told the withheld year's joiners).

Every model output is driven by the recruits' mix over the window, so it is declared over
the recruits' counts as well as the scope's counts now (outlook.MODELLED), and the one
withholding mechanism hides it with them.
"""

from __future__ import annotations

import pytest
from conftest import write_config
from force_factory import build_database, random_force

from pipeline.config import load_settings
from pipeline.disclosure import SUPPRESSED_MARK
from pipeline.report import build, outlook
from pipeline.report.declared import Withheld

MODEL_OUTPUTS = ("projected_group_share_mid", "projected_group_share",
                 "projected_group_share_lower", "parity_status", "reach_probability",
                 "long_run_group_share")  # fmt: skip


def _rows(table) -> dict[str, dict]:
    names = [c.name for c in table.columns]
    return {
        label: dict(zip(names, shown, strict=True))
        for label, shown in zip(table.labels, table.shown_rows, strict=True)
    }


def _confidential(value) -> bool:
    """[c], not [x]: an [x] there would say the model was not run, which is no reason a
    reader may be told where the recruits' counts are withheld."""
    return isinstance(value, Withheld) and value.mark == SUPPRESSED_MARK


@pytest.fixture(scope="module")
def sections(tmp_path_factory):
    """A random force of 120 (seed 1): few recruits of the group in the window."""
    settings = load_settings(write_config(tmp_path_factory.mktemp("config")))
    con = build_database(settings, random_force(1, size=120))
    return {s.id: s for s in build.prepare(con, settings).sections}


def test_the_projection_is_withheld_where_the_recruits_share_is(sections):
    """The recruits' share is withheld for the whole workforce while its share now is
    shown. Before, its flow model (21.9% in 2046) and settling share (13.3%) were shown."""
    rows = _rows(sections["projection-outlook"].table)
    exposed = {
        label: row
        for label, row in rows.items()
        if isinstance(row["recruit_group_share"], Withheld)
        and not isinstance(row["group_share"], Withheld)
    }
    assert "Whole workforce" in exposed  # the case this force is chosen for
    for label, row in exposed.items():
        for name in MODEL_OUTPUTS:
            if name in row:
                assert _confidential(row[name]), (label, name, row[name])
    if isinstance(rows[outlook.ALL_OFFICERS]["recruit_group_share"], Withheld):
        fan = _rows(sections["projection-officers"].table)
        for year, row in fan.items():
            for name in ("projected_group_share", "projected_group_share_lower",
                         "reach_probability"):  # fmt: skip
                assert _confidential(row[name]), (year, name, row[name])


def test_every_model_output_is_declared_over_the_recruits_counts(sections):
    """The declarations the audit reads (tables.json): each flow-model column of the
    outlook and of the year-by-year projection names the recruits' counts and the counts
    now; the straight line names the window's snapshots it is fitted to."""
    for table_id in ("projection-outlook", "projection-officers"):
        table = sections[table_id].table
        for column in table.columns:
            if column.name in MODEL_OUTPUTS:
                assert set(outlook.MODELLED) <= set(column.of), (table_id, column.name)
            if column.name == "straight_line_group_share":
                assert {"window0_group_headcount", *outlook.COUNTS} <= set(column.of)
