"""The LPU table says why its LPUs' gaps to parity do not add up to the force's (hostile 11,
finding 8: the seven LPUs' gaps added up to 1,871 against 1,785 on the "All officers" row,
and the table did not say that each gap has its own benchmark)."""

from __future__ import annotations

from conftest import write_config
from force_factory import build_database, random_force

from pipeline.config import load_settings
from pipeline.report import build
from pipeline.report.representation import LPU_GAPS_NOTE


def test_the_lpu_table_says_its_gaps_need_not_add_up_to_the_force(tmp_path):
    settings = load_settings(write_config(tmp_path))
    con = build_database(settings, random_force(31, size=200, units=3))
    sections = {s.id: s for s in build.prepare(con, settings).sections}
    table = sections["representation-by-lpu"].table
    assert LPU_GAPS_NOTE in table.notes
    gaps = table.frame.set_index(table.columns[0].name)["parity_gap_headcount"]
    force = gaps.pop("All officers")
    assert abs(gaps.sum() - force) > 1e-9  # the force's own benchmark: not the LPUs' sum
