"""The progression and fairness report sections and their charts, on tiny inline forces."""

from __future__ import annotations

import math
import re

import pytest
from conftest import STAFF_HEADER, write_config, write_inbox
from test_selection_models import _write_force
from test_workforce_models import END, MOVEMENTS, MOVEMENTS_HEADER, START

from pipeline.config import DisclosureSettings, load_settings
from pipeline.disclosure import SUPPRESSED_MARK
from pipeline.history import current_history
from pipeline.nightly import run_nightly
from pipeline.report import build, charts
from pipeline.report.declared import Chart, Column, DeclaredTable, Series, how_sure
from pipeline.report.progression import chance_clause
from pipeline.warehouse import connect

NOT_APPLICABLE = "[x]"
C = SUPPRESSED_MARK
FAIRNESS_SECTIONS = ("promotion-rates", "retention", "rank-pipeline", "specialist-departments")


@pytest.fixture(scope="module")
def selection_force(tmp_path_factory):
    """Promotion SGT-2025 and campaigns STAFF-2025 and PCSO-2025 (test_selection_models)."""
    settings = load_settings(write_config(tmp_path_factory.mktemp("selection")))
    _write_force(settings)
    run_nightly(settings)
    return settings


@pytest.fixture(scope="module")
def workforce_force(tmp_path_factory):
    """Two snapshots and a year of leavers (test_workforce_models)."""
    settings = load_settings(write_config(tmp_path_factory.mktemp("workforce")))
    write_inbox(settings, "staff_snapshot_2024.csv", STAFF_HEADER + "\n" + "\n".join(START))
    write_inbox(settings, "staff_snapshot_2025.csv", STAFF_HEADER + "\n" + "\n".join(END))
    write_inbox(
        settings, "joiners_leavers_2025.csv", MOVEMENTS_HEADER + "\n" + "\n".join(MOVEMENTS)
    )
    run_nightly(settings)
    return settings


def _threshold(settings, threshold: int):
    """The same database read with another suppression threshold (it only affects output)."""
    return settings.model_copy(update={"disclosure": DisclosureSettings(threshold=threshold)})


def _sections(settings):
    """Every section of the report, declared, protected together and written."""
    with connect(current_history(settings), read_only=True) as con:  # as the run builds it
        prepared = build.prepare(con, settings)
    return {s.id: s for s in prepared.sections}


def _rows(section) -> dict[str, list[str]]:
    return {row[0]: row for row in section.table.html_rows()}


def test_funnel_table_and_message(selection_force):
    sections = _sections(_threshold(selection_force, 1))
    funnel = sections["promotion-sgt-2025"]
    assert funnel.theme == "processes"
    rows = _rows(funnel)
    # Eligibility: minority 3 of 3; White 2 of 3 (P6 did not attend, counted: only
    # withdrawals are left out). White's 2 passes would give the 1 who did not pass (3 - 2),
    # a count of 1, so they are withheld, with everything computed from them.
    assert rows["Eligibility"] == ["Eligibility", "3", "3", "100.0%", "3", *[C] * 7]
    # Legal exam: 1 counted and 1 pass on the minority side; White 1 of 2.
    assert rows["Legal exam"] == ["Legal exam", C, C, C, "2", *[C] * 7]
    # A sentence about every stage says which stages it could not assess, and why.
    assert funnel.message == (
        "Sergeant promotion 2025: no stage could be compared: the eligibility and legal exam "
        "stages could not be shown because the numbers are small."
    )
    assert funnel.findings == []
    assert funnel.chart_svg.startswith("<svg")


def test_a_funnel_with_nobody_in_either_group_says_so(selection_force):
    staff = _sections(_threshold(selection_force, 1))["recruitment-staff-2025"]
    first = staff.table.html_rows()[0]
    assert first[1:3] == ["0", "0"]
    assert first[3] == NOT_APPLICABLE  # no rate for nobody: does not exist, not withheld
    assert first[-1] == "not computable"
    assert staff.message == (
        "STAFF-2025 campaign: no stage could be compared: stage 1 could not be compared "
        "because there were no ethnic minority (excluding White minorities) candidates."
    )


def test_workforce_sections_read_the_views(workforce_force):
    sections = _sections(_threshold(workforce_force, 1))
    assert set(FAIRNESS_SECTIONS) <= set(sections)
    retention = sections["retention"]
    officers = retention.table.html_rows()[0]
    # Officers, all reasons: minority 2 in post, 1 left (withheld); White 3 in post, 1 left.
    assert officers[0] == "Police officers: all reasons"
    assert officers[2:4] == [SUPPRESSED_MARK, SUPPRESSED_MARK]
    assert "cannot be compared" in retention.message
    departments = _rows(sections["specialist-departments"])
    firearms = departments["Firearms Operations (specialist)"]
    # 2026 has no snapshot here: the latest (2025) has P2 (W1) alone in firearms: 1 officer.
    assert firearms[1] == SUPPRESSED_MARK


@pytest.mark.parametrize("threshold", [1, 5])
def test_no_count_from_one_to_the_threshold_is_shown(selection_force, workforce_force, threshold):
    for force in (selection_force, workforce_force):
        for section in _sections(_threshold(force, threshold)).values():
            for column, cells in zip(
                section.table.columns, zip(*section.table.html_rows(), strict=True), strict=False
            ):
                if column.kind == "count":
                    small = [c for c in cells if re.fullmatch(rf"[1-{threshold}]", c)]
                    assert small == [], (section.id, column.header)
            assert not re.search(
                rf"\b[1-{threshold}] (officers|candidates|people)\b", section.message
            )


def test_how_sure_words():
    # "Unlikely to be chance" only for a comparison that survives the false discovery rate
    # control of its family, whatever its own p-value.
    assert how_sure(0.0004, 0.004, 12, True) == (
        "unlikely to be chance (p < 0.001; p = 0.004 allowing for 12 comparisons)"
    )
    assert how_sure(0.003, 0.12, 40, False) == (
        "could be chance (p = 0.003; p = 0.120 allowing for 40 comparisons)"
    )
    assert how_sure(0.049, 0.049, 1, True) == "unlikely to be chance (p = 0.049)"
    assert how_sure(0.2, 0.4, 5, False) == (
        "could be chance (p = 0.200; p = 0.400 allowing for five comparisons)"
    )


def _chart_table() -> DeclaredTable:
    table = DeclaredTable(
        id="chart-x",
        caption="Two stages",
        columns=(
            Column("label", "Stage", "label"),
            Column("rate", "Group: pass rate", "share"),
            Column("reference_rate", "White: pass rate", "share"),
            Column("ratio", "Ratio", "ratio"),
            Column("lower", "95% interval", "interval", upper="upper"),
        ),
        frame=__import__("pandas").DataFrame(
            {
                "label": ["Stage one", "Stage two"],
                "rate": [0.5, None],
                "reference_rate": [0.6, 0.4],
                "ratio": [0.37, None],
                "lower": [0.2, None],
                "upper": [0.68, None],
            }
        ),
    )
    table.shown_rows = [
        ["Stage one", 50.0, 60.0, 0.37, (0.2, 0.68)],
        ["Stage two", __import__("pipeline.report.declared", fromlist=["x"]).WITHHELD, 40.0,
         __import__("pipeline.report.declared", fromlist=["x"]).WITHHELD,
         __import__("pipeline.report.declared", fromlist=["x"]).WITHHELD],
    ]  # fmt: skip
    return table


def test_paired_bars_never_rely_on_colour_alone():
    table = _chart_table()
    svg = charts.render(
        table,
        Chart(
            kind="bars",
            series=(Series("rate", "Group"), Series("reference_rate", "White")),
            axis="Pass rate (%)",
            title="The gap opens at stage one",
            alt="",
            callout=("Stage one", "Gap opens here: ratio 0.83"),
        ),
    )
    assert svg.startswith("<svg") and 'aria-labelledby="chart-x-title"' in svg
    assert "<title>The gap opens at stage one</title>" in svg
    assert "<pattern" in svg  # the second group is hatched, not only another colour
    assert "withheld" in svg
    assert "Gap opens here: ratio 0.83" in svg
    assert "50.0%" in svg and "40.0%" in svg


def test_ratio_intervals_mark_the_four_fifths_band():
    svg = charts.render(
        _chart_table(),
        Chart(
            kind="intervals",
            series=(Series("ratio", "Ratio"),),
            axis="Ratio",
            title="Stage one is below four-fifths",
            alt="",
        ),
    )
    assert ">0.8<" in svg and ">1.25<" in svg and "0.37" in svg
    assert "withheld or not computable" in svg


def test_ratio_intervals_draw_an_interval_with_no_upper_limit():
    # Nobody in the group in the rest of the force: the interval runs off the chart, and
    # the table says "no upper limit".
    table = _chart_table()
    table.shown_rows[1][3:5] = [1.5, (1.4, math.inf)]
    svg = charts.render(
        table,
        Chart(
            kind="intervals",
            series=(Series("ratio", "Ratio"),),
            axis="Ratio",
            title="Stage two has no upper limit",
            alt="",
        ),
    )
    assert svg.startswith("<svg") and "1.50" in svg
    assert table.html_rows()[1][4] == "1.40 to no upper limit"


def test_chance_clause_reads_as_a_sentence():
    table = _chart_table()
    adjusted = ("adjusted", "family", "finding")
    table.columns = (*table.columns, Column("p_value", "How sure", "p_value", adjusted=adjusted))
    table.shown_rows = [
        [*table.shown_rows[0], (0.002, 0.01, 5, True)],
        [*table.shown_rows[1], (0.03, 0.4, 5, False)],
    ]
    assert chance_clause(table, "Stage one", "gap") == (
        "a gap this size is unlikely to be chance (p = 0.002; p = 0.010 allowing for five "
        "comparisons)"
    )
    assert chance_clause(table, "Stage two") == (
        "a difference this size could be chance (p = 0.030; p = 0.400 allowing for five "
        "comparisons)"
    )


def test_a_sentence_about_every_unit_names_those_it_could_not_assess(workforce_force):
    message = _sections(_threshold(workforce_force, 5))["specialist-departments"].message
    # Every department of this tiny force is small: each is withheld, and the sentence says
    # so instead of claiming that none is below four-fifths.
    assert message == (
        "No department could be compared: Firearms Operations (specialist) and Local Policing "
        "could not be shown because the numbers are small."
    )
