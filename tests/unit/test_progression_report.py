"""The progression and fairness report sections and their charts, on tiny inline forces."""

from __future__ import annotations

import math
import re

import pytest
from conftest import STAFF_HEADER, write_config, write_inbox
from score_reference import score_interval
from test_selection_models import _write_force
from test_workforce_models import END, MOVEMENTS, MOVEMENTS_HEADER, START

from pipeline.config import DisclosureSettings, load_settings
from pipeline.disclosure import SUPPRESSED_MARK
from pipeline.history import current_history
from pipeline.nightly import run_nightly
from pipeline.report import progression, progression_charts, selection
from pipeline.report.comparison_format import NOT_COMPUTABLE, how_sure
from pipeline.warehouse import connect

BUILDERS = (
    selection.promotion_funnels,
    selection.recruitment_funnels,
    progression.promotion_rates,
    progression.retention,
    progression.rank_pipeline,
    progression.specialist_departments,
    progression.specialist_roles,
)


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


def _sections(settings, builders=BUILDERS):
    with connect(current_history(settings), read_only=True) as con:  # as the run builds it
        (snapshot,) = con.execute(
            "select max(snapshot_date) from analytics.representation"
        ).fetchone()
        out = []
        for builder in builders:
            built = builder(con, settings, snapshot)
            out.extend(built if isinstance(built, list) else [built])
    return {s.id: s for s in out}


def test_funnel_table_and_message(selection_force):
    sections = _sections(_threshold(selection_force, 1))
    funnel = sections["promotion-sgt-2025"]
    assert funnel.theme == "processes"
    rows = {row[0]: row for row in funnel.table.rows}
    # Eligibility: minority 3 of 3, White 2 of 3 (P6 did not attend): pass-rate ratio 1.5,
    # the score interval (statsmodels, inverted), WRES relative likelihood 2/3, p = 0.317.
    lower, upper = score_interval(3, 3, 2, 3)
    eligibility = rows["Eligibility"]
    assert eligibility[:10] == [
        "Eligibility", "3", "3", "100.0%", "3", "2", "66.7%", "1.50",
        f"{lower:.2f} to {upper:.2f}", "0.67",
    ]  # fmt: skip
    assert re.fullmatch(
        r"could be chance \(p = 0\.317; p = \d\.\d{3} allowing for \w+ comparisons\)",
        eligibility[10],
    )
    assert eligibility[11] == "higher pass rate, not significant"
    # Legal exam: 1 pass on each side is withheld, and so is everything computed from it.
    assert (
        rows["Legal exam"]
        == ["Legal exam", "2", *[SUPPRESSED_MARK] * 2, "2"] + [SUPPRESSED_MARK] * 7
    )
    # A sentence about every stage says which stage it could not assess, and why.
    assert "at no stage" not in funnel.message
    assert (
        "at the eligibility stage the pass rate of ethnic minority (excluding White "
        "minorities) candidates was not below four-fifths of White candidates'; the legal "
        "exam stage could not be shown because the numbers are small." in funnel.message
    )
    assert funnel.findings == []
    assert funnel.chart_svg.startswith("<svg")


def test_a_funnel_with_nobody_in_either_group_says_so(selection_force):
    staff = _sections(_threshold(selection_force, 1))["recruitment-staff-2025"]
    first = staff.table.rows[0]
    assert first[1:3] == ["0", "0"]
    assert first[3] == NOT_COMPUTABLE  # no rate for nobody: not computable, not withheld
    assert first[-1] == "not computable"
    assert staff.message == (
        "STAFF-2025 campaign: no stage could be compared: stage 1 could not be compared "
        "because there were no ethnic minority (excluding White minorities) candidates."
    )


def test_workforce_sections_read_the_views(workforce_force):
    sections = _sections(_threshold(workforce_force, 1))
    assert {"promotion-rates", "retention", "rank-pipeline", "specialist-departments"} <= set(
        sections
    )
    retention = sections["retention"]
    officers = retention.table.rows[0]
    # Officers, all reasons: minority 2 in post, 1 left (withheld); White 3 in post, 1 left.
    assert officers[:4] == ["Police officers: all reasons", "2", SUPPRESSED_MARK, SUPPRESSED_MARK]
    assert "cannot be compared" in retention.message
    departments = {row[0]: row for row in sections["specialist-departments"].table.rows}
    firearms = departments["Firearms Operations (specialist)"]
    # 2026 has no snapshot here: the latest (2025) has P2 (W1) alone in firearms: 1 officer.
    assert firearms[1] == SUPPRESSED_MARK


@pytest.mark.parametrize("builder", BUILDERS, ids=lambda b: b.__name__)
def test_no_count_from_one_to_the_threshold_is_shown(selection_force, workforce_force, builder):
    force = selection_force if builder.__module__.endswith("selection") else workforce_force
    sections = list(_sections(_threshold(force, 5), builders=(builder,)).values())
    assert sections
    for section in sections:
        for row in section.table.rows:
            for cell in row[1:]:
                assert not re.fullmatch(r"[1-5]", cell), (section.id, row)
        assert not re.search(r"\b[1-5] (officers|candidates|people)\b", section.message)


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
    assert how_sure(None, None, None, None) == SUPPRESSED_MARK


def test_paired_bars_never_rely_on_colour_alone():
    svg = progression_charts.paired_bars(
        "chart-x",
        ["Stage one", "Stage two"],
        [("Group", [0.5, None]), ("White", [0.6, 0.4])],
        xlabel="Share (%)",
        callout=(0, "Gap opens here: ratio 0.83"),
        title="The gap opens at stage one",
    )
    assert svg.startswith("<svg") and 'aria-labelledby="chart-x-title"' in svg
    assert "<title>The gap opens at stage one</title>" in svg
    assert "<pattern" in svg  # the second group is hatched, not only another colour
    assert "withheld" in svg
    assert "Gap opens here: ratio 0.83" in svg
    assert "50.0%" in svg and "40.0%" in svg


def test_ratio_intervals_mark_the_four_fifths_band():
    svg = progression_charts.ratio_intervals(
        "chart-y",
        ["Unit A", "Unit B"],
        [0.37, None],
        [0.2, None],
        [0.68, None],
        xlabel="Ratio",
        title="Unit A is below four-fifths",
    )
    assert ">0.8<" in svg and ">1.25<" in svg and "0.37" in svg
    assert "withheld or not computable" in svg


def test_ratio_intervals_draw_an_interval_with_no_upper_limit():
    # Nobody in the grouping in the rest of the force: the interval runs off the chart.
    svg = progression_charts.ratio_intervals(
        "chart-z",
        ["Unit A", "Unit B"],
        [0.5, None],
        [0.3, 1.4],
        [0.9, math.inf],
        xlabel="Ratio",
        title="Unit B has no upper limit",
    )
    assert svg.startswith("<svg") and "0.50" in svg


def test_chance_clause_reads_as_a_sentence():
    from pipeline.report.comparison_format import chance_clause

    finding = {"p_value": 0.002, "adjusted_p_value": 0.01, "family_comparison_count": 5,
               "is_significant_after_adjustment": True}  # fmt: skip
    assert chance_clause(finding, "gap") == (
        "a gap this size is unlikely to be chance (p = 0.002; p = 0.010 allowing for five "
        "comparisons)"
    )
    chance = {**finding, "p_value": 0.03, "adjusted_p_value": 0.4,
              "is_significant_after_adjustment": False}  # fmt: skip
    assert chance_clause(chance) == (
        "a difference this size could be chance (p = 0.030; p = 0.400 allowing for five "
        "comparisons)"
    )


def test_a_sentence_about_every_unit_names_those_it_could_not_assess(workforce_force):
    builders = (progression.specialist_departments,)
    message = _sections(_threshold(workforce_force, 5), builders)["specialist-departments"].message
    # Every department of this tiny force is small: each is withheld, and the sentence says
    # so instead of claiming that none is below four-fifths.
    assert message == (
        "No department could be compared: Firearms Operations and Local Policing could not be "
        "shown because the numbers are small."
    )
