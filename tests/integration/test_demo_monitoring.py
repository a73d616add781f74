"""The demo force's monitoring duties: the one planted disproportionality (minority officers
taken into the formal misconduct process at twice the White rate) is found after the false
discovery rate is controlled, every year and by both definitions of the minority, and no
fair comparison is, in any new view. Reads the session's demo run (conftest.demo_run).

"Found" means what a report may call unlikely to be chance: significant after the
adjustment, in a comparison it can show, i.e. with no count from 1 to the disclosure
threshold (5). Such tiny counts are withheld from every output, and the score test, an
approximation, is not to be trusted with them (1 of 3 against 4 of 239 gives p < 0.001).
"""

from __future__ import annotations

import json

import pytest

from pipeline.demo_monitoring import PLANTED_MISCONDUCT
from pipeline.warehouse import connect

THRESHOLD = 5
COUNTS = {
    "misconduct_rates": ("event_count", "base_count", "reference_event_count",
                         "reference_base_count"),
    "grievance_rates": ("event_count", "base_count", "reference_event_count",
                        "reference_base_count"),
    "development_access": ("event_count", "base_count", "reference_event_count",
                           "reference_base_count"),
    "lateral_moves": ("event_count", "base_count", "reference_event_count",
                      "reference_base_count"),
    "appraisal_outcomes": ("event_count", "base_count", "reference_event_count",
                           "reference_base_count"),
    "survey_results": ("agreeing_count", "respondent_count", "reference_agreeing_count",
                       "reference_respondent_count"),
}  # fmt: skip
"""The views of the new extracts, each fair by construction but for the planted gap."""
WHITE_GROUPS = ("white", "white_british", "white_female", "white_male")
DOWNSTREAM = ("misconduct_formal", "misconduct_formal_given_case", "misconduct_proceedings",
              "misconduct_hearing", "misconduct_sanction", "misconduct_restricted",
              "misconduct_suspended")  # fmt: skip
"""The formal process and what only follows it: the planted gap carries into these."""


@pytest.fixture(scope="module")
def database(demo_run):
    out, done = demo_run
    assert done.returncode == 0, done.stderr
    return out / "var" / "progression.duckdb"


def _query(database, sql, params=()):
    with connect(database, read_only=True) as con:
        return con.execute(sql, list(params)).df()


def _reportable(view: str) -> str:
    return " and ".join(f"({c} = 0 or {c} > {THRESHOLD})" for c in COUNTS[view])


def test_the_planted_gap_is_found_every_year(database):
    worker_type, stage = PLANTED_MISCONDUCT
    got = _query(
        database,
        f"""select * from analytics.misconduct_rates
            where worker_type = ? and measure_code = 'misconduct_formal'
              and group_code in ('minority_excl_white', 'minority_incl_white')
              and {_reportable("misconduct_rates")}""",
        (worker_type,),
    )
    assert stage == "investigation"
    assert len(got) == 2 * 4  # two definitions, four years
    assert got["verdict"].str.startswith("higher formal process rate, significant").all()
    headline = got[got["group_code"] == "minority_excl_white"]
    assert headline["is_significant_after_adjustment"].all()
    assert set(headline["verdict"]) == {"higher formal process rate, significant"}
    # With White minorities in the minority (they are not planted) the gap is diluted: still
    # significant every year, and unlikely to be chance after the adjustment in most.
    wider = got[got["group_code"] == "minority_incl_white"]
    assert wider["rate_ratio"].between(1.3, 2.0).all()
    assert wider["is_significant_after_adjustment"].sum() >= 3
    assert headline["rate_ratio"].between(1.6, 2.4).all()  # about twice the White rate
    assert (headline["relative_likelihood_ratio"] == headline["rate_ratio"]).all()  # WRES 3
    assert (headline["adjusted_p_value"] < 0.01).all()
    # Every compared stage and worker type (tables with an expected count below 1 are not
    # compared, so not in the family: 40 to 44 of the demo's 61 or 62).
    assert (headline["family_comparison_count"] >= 40).all()
    # Being reported at all is fair: the gap opens at the referral to investigation.
    reported = _query(
        database,
        """select * from analytics.misconduct_rates where worker_type = ?
           and measure_code = 'misconduct_case' and group_code = 'minority_excl_white'""",
        (worker_type,),
    )
    assert reported["rate_ratio"].between(0.85, 1.15).all()
    assert not reported["is_significant"].any()


@pytest.mark.parametrize("view", COUNTS)
def test_no_fair_comparison_is_found(database, view):
    found = _query(
        database,
        f"""select * from analytics.{view}
            where is_significant_after_adjustment and {_reportable(view)}""",
    )
    assert len(_query(database, f"select * from analytics.{view} where p_value is not null")) > 100
    if view == "misconduct_rates":
        planted = (
            (found["worker_type"] == PLANTED_MISCONDUCT[0])
            & found["measure_code"].isin(DOWNSTREAM)
            & ~found["group_code"].isin(WHITE_GROUPS)
            & found["comparison_code"].ne("sex")
            & found["rate_ratio"].gt(1)
        )
        found = found[~planted]
    if view == "development_access":
        # Positive-action programmes are open to ethnic-minority colleagues only, by design.
        found = found[found["measure_code"] != "training_positive_action"]
    assert found.empty, found.iloc[:, :12].to_string()


def test_selection_for_development_programmes_is_fair(database):
    found = _query(
        database,
        """select * from analytics.disparities where process_type = 'development'
           and comparator_basis = 'reference_group' and is_significant_after_adjustment""",
    )
    assert found.empty
    tested = _query(
        database,
        """select count(distinct process_id) as n from analytics.disparities
           where process_type = 'development' and p_value is not null""",
    )
    assert tested["n"].iloc[0] >= 8  # leadership and positive action, every year


def test_the_scorecard_has_every_indicator_with_last_years_figure(database):
    got = _query(
        database,
        """select * from analytics.scorecard where group_code = 'minority_excl_white'
           order by indicator_sort_order""",
    )
    assert len(got) == 26
    wider = _query(
        database, "select * from analytics.scorecard where group_code = 'minority_incl_white'"
    )
    assert set(wider["indicator_code"]) == set(got["indicator_code"])  # both definitions
    assert got["previous_figure"].notna().sum() >= 25  # the dismissal ratio may be unbounded
    formal = got.set_index("indicator_code").loc["misconduct_formal_police_officer"]
    assert bool(formal["is_significant_after_adjustment"]) and formal["figure"] > 1.6
    others = got[got["indicator_code"] != "misconduct_formal_police_officer"]
    tested = others[others["event_count"].gt(THRESHOLD) & others["reference_event_count"].gt(
        THRESHOLD)]  # fmt: skip
    surviving = set(tested.loc[tested["is_significant_after_adjustment"].eq(True),
                               "indicator_code"])  # fmt: skip
    # Inspectors' under-representation against constables is the demo's rank structure.
    # So is the senior staff bands' (24 of 182 against 712 of 3,562), which survives the
    # adjustment since the chief officer team, too small to compare, left its family.
    assert surviving <= {"rank_inspector", "rank_sergeant", "senior_leadership",
                         "senior_staff_bands"}  # fmt: skip


def test_the_scorecard_comes_first_and_is_its_own_csv_and_sheet(demo_report):
    from openpyxl import load_workbook
    from report_scan import page_table

    html = (demo_report / "index.html").read_text(encoding="utf-8")
    # at the top: the first thing under the title, before the contents and the summary
    main = html.index('<main id="main"')
    assert html.index("<section", main) == html.index('<section id="scorecard"')
    assert html.index('id="scorecard"') < html.index('id="contents-heading"')
    assert html.index('id="scorecard"') < html.index('id="summary"')
    scorecard = page_table(demo_report, "scorecard")
    formal = next(v for k, v in scorecard.items() if k.startswith("Officers entering the formal"))
    assert formal["Difference unlikely to be chance"] == "yes"
    assert float(formal["This year"]) > 1.6
    manifest = json.loads((demo_report / "tables.json").read_text(encoding="utf-8"))
    entries = {t["id"]: t for t in manifest["tables"]}
    for table in ("scorecard", "scorecard-numbers", "misconduct", "misconduct-stages",
                  "grievances", "development-access", "lateral-moves", "appraisal",
                  "appraisal-ratings", "staff-survey", "senior-leadership"):  # fmt: skip
        assert (demo_report / entries[table]["csv"]).exists(), table
    workbook = load_workbook(demo_report / manifest["workbook"], read_only=True)
    assert entries["scorecard"]["sheet"] in workbook.sheetnames
    # first in the workbook too: its first sheet after the contents and notes
    assert manifest["tables"][0]["id"] == "scorecard"
    assert workbook.sheetnames[:3] == ["Contents", "Notes", entries["scorecard"]["sheet"]]


def test_the_planted_gap_reaches_the_summary(demo_report):
    findings = json.loads((demo_report / "summary.json").read_text(encoding="utf-8"))["findings"]
    planted = [f for f in findings if "formal misconduct process" in f]
    assert len(planted) == 1 and "unlikely to be chance" in planted[0]
    assert not [f for f in findings if "grievance" in f or "appraisal" in f.lower()]


def test_each_section_shows_its_views_figures(demo_report, database):
    """The page quotes the views, selected and formatted, never recomputed."""
    from report_scan import page_table

    formal = _query(
        database,
        """select * from analytics.misconduct_rates where worker_type = 'police_officer'
           and measure_code = 'misconduct_formal' and group_code = 'minority_excl_white'
           and period_end_date = (select max(period_end_date) from analytics.misconduct_rates)""",
    ).iloc[0]
    row = page_table(demo_report, "misconduct")[
        "Police officers: entered the formal process (investigated)"
    ]
    assert row["Ethnic minority: in post"] == f"{int(formal['base_count']):,}"
    assert row["Ethnic minority: counted"] == f"{int(formal['event_count']):,}"
    assert row["Ethnic minority: per 1,000"] == f"{formal['event_rate'] * 1000:.1f}"
    assert row["Relative likelihood (WRES)"] == f"{formal['relative_likelihood_ratio']:.2f}"
    assert row["Verdict"] == formal["verdict"]
    survey = page_table(demo_report, "staff-survey")
    assert len(survey) == 4 and all(k.startswith("WRES ") for k in survey)
    # A setting is written in words: the sentence audit accepts only numbers a table shows,
    # and "fewer than 10 respondents" stopped a force whose tables held no 10 (hostile 14b).
    page = (demo_report / "index.html").read_text(encoding="utf-8")
    assert "fewer than ten respondents" in page and "fewer than 10 respondents" not in page
    for table in ("grievances", "development-access", "lateral-moves", "appraisal",
                  "appraisal-ratings", "senior-leadership", "misconduct-stages"):  # fmt: skip
        assert page_table(demo_report, table), table


def test_each_monitoring_section_shows_every_ethnic_group(demo_report):
    """Hostile 15, finding 3: the new sections showed only the headline comparison; Black
    officers' misconduct rate (the Police Race Action Plan's focus) was nowhere in the
    report. Each section's headline measures now follow it for both definitions of the
    ethnic minority and every broad group, each against its own reference group."""
    from report_scan import page_table

    html = (demo_report / "index.html").read_text(encoding="utf-8")
    for section in ("misconduct", "grievances", "development-access", "lateral-moves",
                    "appraisal", "staff-survey"):  # fmt: skip
        table = page_table(demo_report, f"{section}-by-group")
        assert f'id="{section}-by-group"' in html
        groups = {label.rsplit(": ", 1)[-1] for label in table}
        assert {"Black", "Asian", "Mixed", "Other"} <= groups, (section, groups)
        assert any("including White minorities" in g for g in groups), section
        compared = {row["Compared with"] for row in table.values()}
        assert compared == {"White", "White: British"}, (section, compared)
    black = page_table(demo_report, "misconduct-by-group")[
        "Police officers: entered the formal process (investigated): Black"
    ]
    assert black["Group: counted"] not in ("", None)
    # the survey's: the agreeing counts are published, so the shares can be shown
    survey = page_table(demo_report, "staff-survey-by-group")
    black = [row for label, row in survey.items() if label.endswith(": Black")]
    assert black and all(row["Group: share agreed"] not in ("", "[c]") for row in black)


def test_the_scorecards_change_agrees_with_the_figures_it_prints(demo_report):
    """Hostile 15, finding 5: 'Sergeants against constables 0.80, 0.80, higher, towards
    parity' (the direction came from the unrounded figures), and no row said whether above
    1 is good or bad for the group. The change is read from the printed figures, and a
    column says which way each figure reads."""
    from report_scan import page_table

    scorecard = page_table(demo_report, "scorecard")
    compared = 0
    for label, row in scorecard.items():
        try:
            now, then = float(row["This year"]), float(row["Last year"])
        except ValueError:
            continue
        compared += 1
        expected = "higher" if now > then else "lower" if now < then else "no change"
        assert row["Change"].startswith(expected), (label, row)
    assert compared > 10
    formal = next(v for k, v in scorecard.items() if k.startswith("Officers entering the formal"))
    assert formal["Above 1 is"] == "worse"
    top = next(v for k, v in scorecard.items() if k.startswith("Officers rated at the top"))
    assert top["Above 1 is"] == "better"
    appointed = next(v for k, v in scorecard.items() if k.startswith("Appointed from applying"))
    assert appointed["Above 1 is"] == "worse"
