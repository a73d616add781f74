"""The report's "What it would take: promotion to <rank>" for a rank nobody holds (hostile
8, finding 4): it said promotion would have to run at "1000 times their recent level" (the
solver's bound) and showed the factor as withheld ([c]). Now the sentence says why there is
no figure, and the table shows [x] (nothing is withheld when there is nothing to count).
"""

from __future__ import annotations

import pytest
from conftest import write_config
from force_factory import build_database, random_force

from pipeline.config import load_settings
from pipeline.report import build, charts
from pipeline.report.declared import NOT_APPLICABLE
from pipeline.report.outlook import NO_FACTOR

TARGETS = """
[[targets]]
code = "t-ci"
worker_type = "police_officer"
rank_or_band = "Chief Inspector"
share = 0.3
by_date = 2031-03-31

[[targets]]
code = "t-insp"
worker_type = "police_officer"
rank_or_band = "Inspector"
share = 0.99
by_date = 2027-03-31

[[targets]]
code = "t-sgt"
worker_type = "police_officer"
rank_or_band = "Sergeant"
share = 0.99
by_date = 2027-03-31
"""


@pytest.fixture(scope="module")
def vacant(tmp_path_factory):
    root = tmp_path_factory.mktemp("vacant")
    settings = load_settings(write_config(root, TARGETS))
    raw = random_force(5, size=120)
    staff = raw["staff_snapshot"]
    raw["staff_snapshot"] = staff[staff["rank_or_band"] != "Chief Inspector"]
    movements = raw["joiners_leavers"]
    raw["joiners_leavers"] = movements[movements["rank_or_band"] != "Chief Inspector"]
    return settings, build_database(settings, raw), root


def test_the_mart_says_the_rank_is_vacant_and_gives_no_factor(vacant):
    _, con, _ = vacant
    rows = con.execute(
        "select promotion_rate_factor, needed_promotion_rate, factor_reason_code "
        "from analytics.target_requirements where target_code = 't-ci'"
    ).fetchall()
    assert rows and all(r == (None, None, "rank_vacant") for r in rows)


def test_the_sentence_and_table_say_there_is_no_figure(vacant, monkeypatch):
    settings, con, root = vacant
    monkeypatch.setattr(charts, "render", lambda table, chart: "<svg></svg>")
    sections = {s.id: s for s in build.prepare(con, settings).sections}
    section = sections["what-it-would-take-t-ci"]
    section.prose = section.compose()
    message = section.message
    assert "nobody who stated an ethnicity holds Chief Inspector now" in message
    assert "no promotion rate the target would need" in message
    assert "times their recent level" not in message and "1000" not in message
    assert "withheld" not in message
    for label in section.table.labels:
        for column in ("needed_promotion_rate", "promotion_rate_factor"):
            assert section.table.value(label, column) is NOT_APPLICABLE
            assert section.table.text(label, column) == "[x]"
    # an Inspector target out of reach in a year: no factor. The sentence says why beside
    # [x]; or, where saying why would tell promotions the table withholds (whether it is
    # reachable is solved from every rank's promotions, as a factor is), it says they cannot
    # be shown beside [c] (this force: so)
    (reason,) = {
        r
        for (r,) in con.execute(
            "select factor_reason_code from analytics.target_requirements "
            "where target_code = 't-insp'"
        ).fetchall()
    }
    assert reason in ("not_reachable", "no_group_promotions_into_rank", "no_promotions_into_rank")
    inspectors = sections["what-it-would-take-t-insp"]
    inspectors.prose = inspectors.compose()
    assert "times their recent level" not in inspectors.message
    shown = {inspectors.table.text(label, "promotion_rate_factor")
             for label in inspectors.table.labels}  # fmt: skip
    if shown == {"[c]"}:
        assert (
            "the promotion rates the target would need cannot be shown: the numbers are "
            "too small" in inspectors.message
        )
        assert inspectors.table.text("Sergeant", "promotion_rate") == "[c]"
    else:
        assert shown == {"[x]"}
        assert NO_FACTOR[reason].split("{")[0] in inspectors.message, reason
    # a Sergeant target out of reach in a year: said so beside [x] where the promotions it
    # is solved from are shown, else "cannot be shown" beside [c]
    sergeants = sections["what-it-would-take-t-sgt"]
    sergeants.prose = sergeants.compose()
    assert con.execute(
        "select distinct factor_reason_code from analytics.target_requirements "
        "where target_code = 't-sgt'"
    ).fetchall() == [("not_reachable",)]
    if sergeants.table.text("Constable", "promotion_rate") == "[c]":  # its counts withheld
        assert "cannot be shown: the numbers are too small" in sergeants.message
        assert sergeants.table.text("Constable", "promotion_rate_factor") == "[c]"
    else:
        assert "not reachable by promotion alone by 31 March 2027" in sergeants.message
        assert sergeants.table.text("Constable", "promotion_rate_factor") == "[x]"
        assert sergeants.table.text("Constable", "needed_promotion_rate") == "[x]"
    # the whole report, with the sections, passes its disclosure and prose audits
    build.build_report(con, settings, root / "out", "20260401T000000Z-v")
