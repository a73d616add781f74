"""A threshold of 10 (the ONS's and many forces') on forces of about 400 people: secondary
suppression withholds complements, never the measures the report exists for (hostile 6,
findings 1 and 10: the whole workforce's ethnic mix once went at threshold 10)."""

from __future__ import annotations

from conftest import write_config
from force_factory import build_database, random_force
from threadpoolctl import threadpool_limits

from pipeline.config import DisclosureSettings, load_settings
from pipeline.disclosure import SUPPRESSED_MARK
from pipeline.report import build


def _worker_type_shares(tmp_path, seed: int) -> tuple[dict[str, list[str]], int]:
    """The representation-by-worker-type rows (label -> cells as published) of a random
    400-person force at threshold 10, and the position of its group share column."""
    settings = load_settings(write_config(tmp_path))
    settings = settings.model_copy(update={"disclosure": DisclosureSettings(threshold=10)})
    con = build_database(settings, random_force(seed, size=400))
    with threadpool_limits(limits=1):
        prepared = build.prepare(con, settings)
    table = next(t for t in prepared.tables if t.id == "representation-by-worker-type")
    rows = dict(zip(table.labels, table.html_rows(), strict=True))
    share = next(i for i, c in enumerate(table.columns) if c.kind == "share" and "group" in c.of[0])
    return rows, share


def test_at_threshold_ten_the_workforce_and_worker_type_shares_are_shown(tmp_path):
    """Seed 4: 283 officers, 76 staff, 30 PCSOs; ethnic minority 92, 26 and 12 of those
    stating; the staff's 7 Black, the PCSOs' 2 Black and 2 not stated are 1..10. The
    PCSOs' "not stated" needs their headcount or their stated count withheld, and then
    another worker type's: the headcounts go, and every share of those stating is shown
    (before the cheapest complement, the greedy search withheld the whole force's mix)."""
    rows, share = _worker_type_shares(tmp_path, seed=4)
    assert set(rows) == {"Police officers", "Police staff", "PCSOs", "Whole workforce"}
    for label, row in rows.items():
        assert row[share] != SUPPRESSED_MARK, (label, row)
    assert rows["Whole workforce"][share] == "34.9%"
    assert rows["Police staff"][share] == "35.6%"
    assert rows["PCSOs"][share] == "42.9%"


def test_a_headcount_is_withheld_before_those_who_stated_whom_shares_are_of(tmp_path):
    """Seed 1 (458 people): the PCSOs' 5 not stated need their headcount (37) or their
    stated count (32) withheld, and then the staff's (99 or 83) beside it. By people alone
    the stated counts are cheaper, and with them went the staff's and PCSOs' shares (47 of
    83, 17 of 32); each share a count is the denominator of adds to its cost, so the
    headcounts go and the shares are shown."""
    rows, share = _worker_type_shares(tmp_path, seed=1)
    assert [rows[w][share] for w in ("Police staff", "PCSOs", "Whole workforce")] == [
        "56.6%",
        "53.1%",
        "52.6%",
    ]
    assert rows["Police staff"][1] == SUPPRESSED_MARK  # the headcount, behind a rate only
