"""Sentences that say why a figure is missing or which row is largest agree with their
table: the reason is the statistic's own, and a superlative is claimed only over the rows
the table shows (hostile-7 findings 5, 6 and 8)."""

from __future__ import annotations

import pandas as pd
import pytest

from pipeline.rates import SELECTION, note
from pipeline.report.declared import NOT_APPLICABLE, WITHHELD, Column, DeclaredTable
from pipeline.report.scorecard import chance_message
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


LABEL = "Ethnic minority (excluding White minorities)"


def _representation(rows: dict[str, list | None]) -> DeclaredTable:
    """A representation table whose shown rows are given: [headcount, stated, group, share %,
    population %, ratio, gap], or None for a row whose every count is withheld."""
    from pipeline.report.representation import representation_columns

    columns = representation_columns("Row", LABEL)
    table = DeclaredTable(
        id="representation",
        caption="Rows",
        columns=columns,
        frame=pd.DataFrame(
            {n: [None] * len(rows) for c in columns for n in (c.name, f"{c.name}@key")}
            | {"label": list(rows)}
        ),
    )
    shown = []
    for label, values in rows.items():
        if values is None:
            shown.append([label, 40, WITHHELD, WITHHELD, WITHHELD, WITHHELD, 51.4, WITHHELD,
                          WITHHELD])  # fmt: skip
        else:
            head, stated, group, share, population, ratio, gap = values
            shown.append([label, head, stated, stated / head * 100, group, share, population,
                          ratio, gap])  # fmt: skip
    table.shown_rows = shown
    return table


LPUS = ["Birmingham", "Coventry", "Dudley", "Sandwell", "Solihull", "Walsall", "Wolverhampton"]


def test_the_widest_gap_is_not_claimed_over_one_lpu_shown():
    # small50 (hostile-7 finding 6): Dudley, 0 of 12, gap 2, is the only LPU shown; its gap
    # is the fifth-widest. No finding names a widest over one row.
    from pipeline.report.representation import _message, _widest_gap

    table = _representation(
        {name: [12, 12, 0, 0.0, 15.1, 0.0, 2] if name == "Dudley" else None for name in LPUS}
    )
    assert _widest_gap(table, LPUS, LABEL) == []
    assert _message(table, LPUS, "LPU", "officers", LABEL) == (
        f"{LABEL}: of the seven LPUs, the share of officers can be shown only for Dudley (0.0%)."
    )


def test_a_widest_gap_over_some_lpus_says_how_many_are_shown():
    from pipeline.report.representation import _message, _widest_gap

    shown = {"Dudley": [12, 12, 0, 0.0, 15.1, 0.0, 2], "Walsall": [40, 40, 4, 10.0, 30.0, 0.33, 8]}
    table = _representation({name: shown.get(name) for name in LPUS})
    assert _widest_gap(table, LPUS, LABEL) == [
        "The widest gap to the local population among the two of seven LPUs shown is in Walsall: "
        f"{LABEL} officers are 10.0% of its officers against 30.0% of its residents; about 8 "
        "more officers from the group would match the population."
    ]
    assert _message(table, LPUS, "LPU", "officers", LABEL) == (
        f"{LABEL}: the share of officers is highest for Walsall (10.0%) and lowest for Dudley "
        "(0.0%) among the two of seven LPUs shown; every LPU shown is below the population share."
    )
    every = _representation({name: shown.get(name, shown["Dudley"]) for name in LPUS})
    assert "among" not in _widest_gap(every, LPUS, LABEL)[0]


def test_one_rank_shown_is_not_both_highest_and_lowest():
    # small25: "highest for Constable (10.6%) and lowest for Constable (10.6%)".
    from pipeline.report.representation import _message

    ranks = ["Constable", "Sergeant", "Inspector"]
    table = _representation(
        {"Constable": [400, 360, 38, 10.6, 38.6, 0.27, 101], "Sergeant": None, "Inspector": None}
    )
    assert _message(table, ranks, "rank", "officers", LABEL) == (
        f"{LABEL}: of the three ranks, the share of officers can be shown only for Constable "
        "(10.6%)."
    )


def test_the_ladder_finding_says_why_the_rows_above_are_not_shown():
    # The first night (hostile-7 finding 9): Band I 15 of 112 and Band J 9 shown, their
    # shares withheld (a complement of a small not-stated count): not "too small to show".
    from pipeline.report.representation import _gradient_finding

    bands = ["Band A", "Band H", "Band I"]
    table = _representation(
        {"Band A": [200, 191, 40, 20.9, 38.6, 0.54, 34], "Band H": [160, 154, 22, 14.3, 38.6,
         0.37, 37], "Band I": None}
    )  # fmt: skip
    assert _gradient_finding(table, bands, "police staff", LABEL) == (
        f"{LABEL}: 20.9% of police staff at Band A (40 of 191) but 14.3% at Band H (22 of 154); "
        "above that the shares are withheld to protect small numbers."
    )


def _year_on(rows: dict[str, list]) -> DeclaredTable:
    columns = (
        Column("label", "Rank", "label"),
        Column("year_earlier_group_share", "31 March 2025: share", "share"),
        Column("group_share", "31 March 2026: share", "share"),
        Column("population_share", "Census 2021", "share"),
        Column("annual_group_share_change", "Change over the year (percentage points)",
               "points", places=1),
    )  # fmt: skip
    table = DeclaredTable(
        id="trend",
        caption="Ranks",
        columns=columns,
        frame=pd.DataFrame({c.name: [None] * len(rows) for c in columns} | {"label": list(rows)}),
    )
    table.shown_rows = [[label, *values] for label, values in rows.items()]
    return table


def test_a_change_over_the_year_rose_most_only_among_the_rows_shown():
    from pipeline.report.trends import year_on_prose

    table = _year_on({"Constable": [10.0, 11.0, 38.6, 1.0], "Sergeant": [8.0, 7.5, 38.6, -0.5],
                      "Inspector": [WITHHELD] * 2 + [38.6, WITHHELD]})  # fmt: skip
    assert year_on_prose(table, "rank", "officers", "ethnic minority").message == (
        "Over the year the ethnic minority share of officers rose most for Constable (+1.0 "
        "percentage points) and fell most for Sergeant (-0.5) among the two of three ranks shown."
    )


def test_a_least_change_tied_at_the_precision_shown_names_every_tied_row():
    """trend-by-rank (hostile finding): "least for Constable (+0.3)" while Sergeant was also
    +0.3 (9.3 -> 9.6): rows tied as shown are named together, whichever is a hair less."""
    from pipeline.report.trends import year_on_prose

    table = _year_on({"Constable": [10.0, 10.3, 38.6, 0.28], "Sergeant": [9.3, 9.6, 38.6, 0.31],
                      "Inspector": [8.0, 9.2, 38.6, 1.2]})  # fmt: skip
    assert year_on_prose(table, "rank", "officers", "ethnic minority").message == (
        "Over the year the ethnic minority share of officers rose most for Inspector (+1.2 "
        "percentage points) and least for Constable and Sergeant (+0.3 each)."
    )
    same = _year_on({"Constable": [10.0, 10.3, 38.6, 0.28], "Sergeant": [9.3, 9.6, 38.6, 0.31]})
    assert year_on_prose(same, "rank", "officers", "ethnic minority").message == (
        "Over the year the ethnic minority share of officers rose for Constable and Sergeant "
        "(+0.3 percentage points each)."
    )


def test_changes_tied_as_shown_are_still_only_among_the_rows_shown():
    """A year's changes all equal as shown are said once, and still over the rows shown
    only: the withheld rows' changes may not be the same."""
    from pipeline.report.trends import year_on_prose

    table = _year_on({"Constable": [10.0, 10.3, 38.6, 0.28], "Sergeant": [9.3, 9.6, 38.6, 0.31],
                      "Inspector": [WITHHELD] * 2 + [38.6, WITHHELD]})  # fmt: skip
    assert year_on_prose(table, "rank", "officers", "ethnic minority").message == (
        "Over the year the ethnic minority share of officers rose for Constable and Sergeant "
        "(+0.3 percentage points each) among the two of three ranks shown."
    )


def test_a_change_written_as_zero_is_not_said_to_rise():
    """The verb reads the change at the precision shown: +0.04 points is written 0.0, so it
    neither rose nor is the largest rise beside a fall."""
    from pipeline.report.trends import year_on_prose

    flat = _year_on({"Constable": [10.0, 10.0, 38.6, 0.04], "Sergeant": [9.3, 9.3, 38.6, 0.02]})
    assert year_on_prose(flat, "rank", "officers", "ethnic minority").message.startswith(
        "Over the year the ethnic minority share of officers did not move for Constable and "
        "Sergeant ("
    )
    table = _year_on({"Constable": [10.0, 10.0, 38.6, 0.04], "Sergeant": [9.3, 8.8, 38.6, -0.5]})
    message = year_on_prose(table, "rank", "officers", "ethnic minority").message
    assert message == (
        "Over the year the ethnic minority share of officers fell most for Sergeant (-0.5 "
        "percentage points) and did not move for Constable (+0.0)."
    )
    risen = _year_on({"Constable": [10.0, 10.0, 38.6, -0.04], "Sergeant": [9.3, 9.6, 38.6, 0.3]})
    assert year_on_prose(risen, "rank", "officers", "ethnic minority").message == (
        "Over the year the ethnic minority share of officers rose most for Sergeant (+0.3 "
        "percentage points) and did not move for Constable (-0.0)."
    )


def test_a_highest_share_tied_at_the_precision_shown_names_every_tied_row():
    from pipeline.report.representation import _message

    ranks = ["Constable", "Sergeant", "Inspector"]
    table = _representation(
        {"Constable": [400, 360, 38, 10.6, 38.6, 0.27, 101],
         "Sergeant": [100, 90, 11, 12.2, 38.6, 0.32, 24],
         "Inspector": [100, 90, 11, 12.2, 38.6, 0.32, 24]}
    )  # fmt: skip
    assert _message(table, ranks, "rank", "officers", LABEL) == (
        f"{LABEL}: the share of officers is highest for Sergeant and Inspector (12.2% each) and "
        "lowest for Constable (10.6%); every rank shown is below the population share."
    )


def _row_table(columns: tuple[Column, ...], values: dict[str, object]) -> DeclaredTable:
    table = DeclaredTable(
        id="targets",
        caption="Targets",
        columns=columns,
        frame=pd.DataFrame(
            {n: [None] for c in columns for n in (c.name, f"{c.name}@key", c.upper) if n}
            | {"label": ["T"]}
        ),
    )
    table.shown_rows = [["T", *(values[c.name] for c in columns[1:])]]
    return table


def test_a_target_the_flow_model_meets_whatever_the_mix_is_not_said_to_take_no_recruits():
    # /tmp/h7x/second (hostile-7 finding 8): "it would take 0.0% of recruits from the
    # group from now on (recently 17.1%)" for a target the flow model meets anyway.
    from pipeline.report.outlook import _share_sentence

    columns = (
        Column("label", "Target", "label"),
        Column("group_share", "Share now", "share"),
        Column("target_share", "Target share", "share"),
        Column("by", "By", "text"),
        Column("needed_share_change_per_year", "Needed", "points", places=2),
        Column("trend_share_change_per_year", "Current rate", "points", places=2),
        Column("straight_line_group_share", "At the current rate", "percent"),
        Column("projected_group_share", "Flow model", "percent"),
        Column("recruit_group_share", "Recruits' share", "percent"),
        Column("needed_recruit_share", "Recruits' share needed", "percent"),
        Column("target_status", "Status", "text"),
    )
    values = {"group_share": 7.6, "target_share": 10.0, "by": "31 March 2031",
              "needed_share_change_per_year": 0.49, "trend_share_change_per_year": None,
              "straight_line_group_share": None, "projected_group_share": 10.8,
              "recruit_group_share": 17.1, "needed_recruit_share": 0.0,
              "target_status": "no current rate"}  # fmt: skip
    sentence = _share_sentence(_row_table(columns, values), "T", "Inspectors", None)
    assert "0.0% of recruits" not in sentence
    assert sentence.endswith(
        "expects 10.8% by the date; the flow model meets it whatever the recruits' mix, even "
        "with no recruits from the group (recently 17.1%)."
    )
    values["needed_recruit_share"] = 21.3
    sentence = _share_sentence(_row_table(columns, values), "T", "Inspectors", None)
    assert "it would take 21.3% of recruits from the group from now on" in sentence


def test_a_joiners_targets_withheld_status_is_said_in_words():
    # small50 (hostile-7 finding 10): "8 so far against a target of 1,000 by 31 March 2030,
    # [c]." The status is withheld because its current rate is.
    from pipeline.report.outlook import _joiners_status_words

    columns = (
        Column("label", "Target", "label"),
        Column("group_joiner_count", "Joiners so far", "count"),
        Column("current_joiners_per_year", "Current rate", "number"),
        Column("target_status", "Status", "text"),
    )
    table = _row_table(columns, {"group_joiner_count": 8, "current_joiners_per_year": WITHHELD,
                                 "target_status": WITHHELD})  # fmt: skip
    assert _joiners_status_words(table, "T") == (
        "; whether it is on track cannot be shown: its current rate is withheld to protect "
        "small numbers"
    )
    shown = _row_table(columns, {"group_joiner_count": 8, "current_joiners_per_year": 30,
                                 "target_status": "not on track"})  # fmt: skip
    assert _joiners_status_words(shown, "T") == ", not on track"


def _window_cells(window_years: int):
    from types import SimpleNamespace

    return SimpleNamespace(
        settings=SimpleNamespace(projections=SimpleNamespace(window_years=window_years))
    )


def test_a_window_longer_than_the_history_is_named_by_what_is_loaded(monkeypatch):
    # /tmp/h7x/cfgrun (window_years = 10, snapshots from 31 March 2022): "Recruits' share,
    # last ten years"; /tmp/h7x/second (one year of joiners): "last three years".
    from pipeline.report import trends
    from pipeline.report.trends import recruit_words, window_words

    assert recruit_words(_window_cells(3), [2026]) == "April 2025 to March 2026"
    assert recruit_words(_window_cells(10), [2023, 2024, 2025, 2026]) == (
        "April 2022 to March 2026"
    )
    assert recruit_words(_window_cells(3), [2024, 2025, 2026]) == "the last three years"
    loaded = {
        10: ["2022-03-31", "2023-03-31", "2024-03-31", "2025-03-31", "2026-03-31"],
        3: ["2023-03-31", "2024-03-31", "2025-03-31", "2026-03-31"],
        2: ["2026-03-31"],
    }
    for window, dates in loaded.items():
        monkeypatch.setattr(trends, "window_dates", lambda _c, _d, dates=dates: dates)
        words = window_words(_window_cells(window), "2026-03-31")
        assert (
            words
            == {
                10: "the four years from 31 March 2022 to 31 March 2026",
                3: "the last three years",
                2: "31 March 2026 alone",
            }[window]
        )


def test_a_ratio_to_a_share_that_does_not_exist_is_not_applicable_not_withheld():
    # The first night (hostile-7): joiners-mix.csv "PCSOs, April 2025 to March 2026",
    # 36,[c],8,[c],[x],[x],[x],[c]: the ratio to a workforce share with no snapshot of the
    # year's start was [c]; it does not exist, whatever the joiners' counts.
    from pipeline.disclosure import Key, Protection

    stated, group = Key("joiners", (("eth", ("stated",)),)), Key("joiners", (("eth", ("g",)),))
    table = DeclaredTable(
        id="mix",
        caption="Joiners",
        columns=(
            Column("label", "Joiners", "label"),
            Column("stated", "Stated", "count"),
            Column("group", "Group", "count"),
            Column("workforce_stated", "Workforce: stated", "count"),
            Column("workforce_group", "Workforce: group", "count"),
            Column(
                "ratio",
                "Joiners' share ÷ workforce share",
                "ratio",
                of=("group", "stated", "workforce_group", "workforce_stated"),
            ),
        ),
        frame=pd.DataFrame(
            {
                "label": ["PCSOs"],
                "stated": [36],
                "stated@key": [stated],
                "group": [8],
                "group@key": [group],
                "workforce_stated": [None],
                "workforce_stated@key": [None],
                "workforce_group": [None],
                "workforce_group@key": [None],
                "ratio": [None],
                "ratio@key": [None],
            }
        ),
    )
    table.protect_with(Protection(withheld=frozenset({stated}), known=frozenset({group})))
    assert table.html_rows()[0] == ["PCSOs", "[c]", "8", "[x]", "[x]", "[x]"]
    assert table.value("PCSOs", "ratio") is NOT_APPLICABLE


@pytest.fixture(scope="module")
def small_report(tmp_path_factory):
    """A small random force's report, declared and protected (many rows withheld)."""
    from conftest import write_config
    from force_factory import build_database, random_force

    from pipeline.config import load_settings
    from pipeline.report import build

    settings = load_settings(write_config(tmp_path_factory.mktemp("small")))
    con = build_database(settings, random_force(7, size=200))
    return build.prepare(con, settings)


def test_senior_leadership_names_what_it_is_compared_with(small_report):
    # hostile-7: senior leadership's "workforce" (14.7%) left out special constables, the
    # headline "workforce" (14.8%) did not. It is compared with officers, staff and PCSOs,
    # and says so in its table, its sentence, the scorecard and the glossary alike.
    section = next(s for s in small_report.sections if s.id == "senior-leadership")
    assert "Officers, staff and PCSOs: share" in section.table.headers
    assert not any("orkforce" in h for h in section.table.headers)
    if "of senior leadership against" in section.message:
        assert "of officers, staff and PCSOs and" in section.message
    scorecard = next(t for t in small_report.tables if t.id == "scorecard")
    labels = " | ".join(scorecard.labels)
    assert "Senior leadership against officers, staff and PCSOs" in labels
    assert "Senior leadership against the workforce" not in labels
    from pipeline.report.methodology import MEASURES

    assert any(m.name == "Senior leadership against officers, staff and PCSOs" for m in MEASURES)


def test_the_chief_officer_team_is_explained_once(small_report):
    # A tiny force's page said it three times: the section's sentence, the table's note
    # and the caveat made of that note. The note says why; the sentence does not repeat it.
    section = next(s for s in small_report.sections if s.id == "senior-leadership")
    said = [section.message, *section.findings, *section.table.notes]
    assert sum(text.count("chief officer team") for text in said) == 1, said


def test_the_chief_officer_team_is_withheld_on_the_scorecard_not_missing(small_report):
    # Its figures and counts exist but would identify someone: [c] (withheld), as the
    # government statistics' symbols have it, not [x] (not applicable: no such figure),
    # and so are the change and the test computed from them; tables.json lists no cell
    # and no value of them.
    from pipeline.report.scorecard import COUNTS, PREVIOUS

    by_id = {t.id: t for t in small_report.tables}
    for table_id, names in (
        ("scorecard", ("figure", "previous_figure", "change", "chance")),
        ("scorecard-numbers", (*COUNTS, *PREVIOUS)),
    ):
        table = by_id[table_id]
        row = next(r for r in table.labels if r.startswith("Chief officer team"))
        assert [table.text(row, name) for name in names] == ["[c]"] * len(names), table_id
        cells = table.manifest()["cells"][table.labels.index(row)]
        listed = [cells[name] for name in names if name in cells]
        assert all(cell == {"of": []} for cell in listed), (table_id, cells)  # no cell, no value


def test_no_sentence_carries_a_mark_or_a_superlative_over_one_row(small_report):
    import re

    for section in small_report.sections:
        for text in (section.message, *section.findings):
            assert "[c]" not in text and "[x]" not in text, (section.id, text)
            same = re.search(r"highest for (.+?) \((.+?)\) and lowest for \1 \(", text)
            assert same is None, (section.id, text)
            assert "would take 0.0% of recruits" not in text, (section.id, text)


def test_a_ratio_sentence_names_a_missing_interval_in_words():
    # small50: "ratio to constables 0.00, 95% interval [x]; ..."
    from pipeline.report.progression import sentence_figures

    columns = (
        Column("label", "Rank", "label"),
        Column("ratio", "Ratio", "ratio"),
        Column("ci_lower_ratio", "95% interval", "interval", upper="ci_upper_ratio"),
        Column("p_value", "How sure", "p_value"),
    )
    table = _row_table(columns, {"ratio": 0.0, "ci_lower_ratio": NOT_APPLICABLE,
                                 "p_value": NOT_APPLICABLE})  # fmt: skip
    words = sentence_figures(table, "T", "ratio", "ratio to constables")
    assert "[x]" not in words and "[c]" not in words
    assert words.startswith("ratio to constables 0.00, no 95% interval")


def test_only_targets_whose_status_is_shown_are_findings():
    # The summary's findings listed "whether it is on track cannot be shown" for joiners'
    # targets; a target whose status is withheld or does not exist is left to its section.
    from pipeline.report.outlook import judged_findings

    columns = (Column("label", "Target", "label"), Column("target_status", "Status", "text"))
    statuses = {"A": "on track", "B": WITHHELD, "C": NOT_APPLICABLE, "D": "not on track"}
    table = DeclaredTable(
        id="targets",
        caption="Targets",
        columns=columns,
        frame=pd.DataFrame({"label": list(statuses), "target_status": list(statuses.values())}),
    )
    table.shown_rows = [[label, status] for label, status in statuses.items()]
    sentences = [f"{label}." for label in statuses]
    assert judged_findings(table, sentences) == ["A.", "D."]


def _scorecard(chances: dict[str, tuple[str, object]]) -> DeclaredTable:
    """A scorecard of rows {label: (the test's verdict, what the table shows)}."""
    table = DeclaredTable(
        id="scorecard",
        caption="Scorecard",
        columns=(Column("label", "Indicator", "label"), Column("chance", "Chance", "text")),
        frame=pd.DataFrame({"label": list(chances), "chance": [c for c, _ in chances.values()]}),
    )
    table.shown_rows = [[label, shown] for label, (_, shown) in chances.items()]
    return table


@pytest.mark.parametrize(
    ("chances", "message"),
    [
        (
            {"Promotion": ("no", "no"), "Leaving": ("no", "no"), "Population": ("", "")},
            "No difference between ethnic minority and White colleagues on the scorecard is "
            "unlikely to be chance this year.",
        ),
        (
            {
                "Promotion": ("no", "no"),
                "Leaving": ("yes", WITHHELD),
                "Misconduct": ("no", WITHHELD),
            },
            "No difference between ethnic minority and White colleagues is unlikely to be "
            "chance this year among the scorecard's tests that can be shown. Two more tests "
            "cannot be shown: the numbers are too small.",
        ),
        (
            {"Promotion": ("yes", "yes"), "Leaving": ("no", WITHHELD)},
            "Differences between ethnic minority and White colleagues unlikely to be chance "
            "this year: promotion. One more test cannot be shown: the numbers are too small.",
        ),
        (
            {"Promotion": ("no", WITHHELD), "Leaving": (None, WITHHELD), "Population": ("", "")},
            "None of the scorecard's tests can be shown this year: the numbers are too small.",
        ),
        (
            {"Promotion": ("no", "no"), "Leaving": (None, WITHHELD)},
            "No difference between ethnic minority and White colleagues is unlikely to be "
            "chance this year among the scorecard's tests that can be shown. One more test "
            "cannot be shown: the numbers are too small.",
        ),
    ],
    ids=[
        "all shown",
        "two withheld, none found",
        "one found, one withheld",
        "none shown",
        "an uncomputed test shown as withheld",
    ],
)
def test_the_scorecard_sentence_claims_nothing_over_tests_it_withholds(chances, message):
    """Hostile-8 #7: 'no difference is unlikely to be chance' over tests shown as [c]."""
    table = _scorecard(chances)
    plain = {label: label for label in chances}
    assert chance_message(table, plain, GROUP, REFERENCE) == message


def test_the_ladder_heading_names_the_rows_its_sentence_names():
    # Thames Valley's first night: the heading said "falls from Band A to Band H" while the
    # sentence beside it named Band C as highest. A ladder that neither rises nor falls
    # throughout is headed by its highest and lowest rows, as the sentence is.
    from pipeline.report.representation import _ladder_title, _message

    bands = ["Band A", "Band C", "Band H"]
    table = _representation(
        {
            "Band A": [100, 90, 9, 10.0, 20.0, 0.5, 9],
            "Band C": [100, 90, 18, 20.0, 20.0, 1.0, 0],
            "Band H": [100, 90, 7, 7.8, 20.0, 0.39, 11],
        }
    )
    title = _ladder_title(table, bands, "staff", LABEL)
    assert title == (
        f"The {LABEL} share is highest at Band C (20.0%) and lowest at Band H (7.8%), "
        "against 20.0% of the population"
    )
    assert "highest for Band C (20.0%) and lowest for Band H (7.8%)" in _message(
        table, bands, "band", "staff", LABEL
    )
    steady = _representation(
        {
            b: [100, 90, n, n / 90 * 100, 20.0, 0.5, 9]
            for b, n in zip(bands, (18, 9, 7), strict=True)
        }
    )
    assert _ladder_title(steady, bands, "staff", LABEL) == (
        f"The {LABEL} share falls from 20.0% at Band A to 7.8% at Band H, against 20.0% of "
        "the population"
    )


def test_a_flat_ladder_neither_rises_nor_has_a_highest():
    # Hostile pass: the group 20% of every rank was headed "rises from 20.0% at Constable
    # to 20.0% at Inspector" beside "highest for Constable (20.0%) and lowest for
    # Constable (20.0%)".
    from pipeline.report.representation import _ladder_title, _message

    ranks = ["Constable", "Sergeant", "Inspector"]
    table = _representation({r: [100, 90, 18, 20.0, 20.0, 1.0, 0] for r in ranks})
    assert _ladder_title(table, ranks, "officers", LABEL) == (
        f"The {LABEL} share is 20.0% at every level from Constable to Inspector, against "
        "20.0% of the population"
    )
    assert _message(table, ranks, "rank", "officers", LABEL) == (
        f"{LABEL}: the share of officers is the same, 20.0%, at every rank."
    )
    some = _representation({"Constable": [100, 90, 9, 10.0, 20.0, 0.5, 9], "Sergeant": None,
                            "Inspector": [100, 90, 9, 10.0, 20.0, 0.5, 9]})  # fmt: skip
    assert _message(some, ranks, "rank", "officers", LABEL) == (
        f"{LABEL}: the share of officers is the same, 10.0%, at each of the two of three "
        "ranks shown; below the population share."
    )


def test_no_change_over_the_year_where_none_exists_is_not_called_too_small():
    """Every row's change [x] (nobody stated an ethnicity a year earlier): the sentence says
    no change can be worked out, not that the numbers are too small ([c]'s reason)."""
    from pipeline.report.trends import year_on_prose

    none = _year_on({"Constable": [NOT_APPLICABLE, 11.0, 38.6, NOT_APPLICABLE],
                     "Sergeant": [NOT_APPLICABLE, 7.5, 38.6, NOT_APPLICABLE]})  # fmt: skip
    assert year_on_prose(none, "rank", "officers", "ethnic minority").message == (
        "No rank's change over the year can be worked out: none had people who stated an "
        "ethnicity both a year earlier and now."
    )
    mixed = _year_on({"Constable": [NOT_APPLICABLE, 11.0, 38.6, NOT_APPLICABLE],
                      "Sergeant": [WITHHELD, WITHHELD, 38.6, WITHHELD]})  # fmt: skip
    assert year_on_prose(mixed, "rank", "officers", "ethnic minority").message == (
        "No rank's change over the year can be shown; the numbers are too small."
    )
