"""The report builds under every headline definition the configuration allows (hostile 6,
finding 13): with ``[groups] headline = "minority_incl_white"`` the scorecard declared its
senior leadership counts as cells of the headline group (White minorities included) while
showing the figures of the fairness comparison's group (excluding them), so the same cell had
two values in the report and the run ended "Internal error, nothing published"."""

from __future__ import annotations

import typing

import pytest
from conftest import write_config
from force_factory import build_database, random_force

from pipeline.config import GroupLabels, load_settings
from pipeline.report import build

HEADLINES = typing.get_args(GroupLabels.model_fields["headline"].annotation)


def test_every_headline_definition_is_tested():
    assert set(HEADLINES) == {"minority_excl_white", "minority_incl_white"}


@pytest.mark.parametrize(
    ("headline", "confidence"),
    [(h, 0.95) for h in HEADLINES] + [("minority_incl_white", 0.9)],
)
def test_the_report_builds_under_each_headline_definition(tmp_path, headline, confidence):
    extra = f'[groups]\nheadline = "{headline}"\n[fairness]\nconfidence = {confidence}\n'
    settings = load_settings(write_config(tmp_path, extra))
    assert settings.groups.headline == headline
    con = build_database(settings, random_force(7, size=200))
    prepared = build.prepare(con, settings)  # raised "… has two values in the report"
    ids = {t.id for t in prepared.tables}
    assert {"senior-leadership", "scorecard"} <= ids
    counts = {}
    for table in prepared.tables:
        for key, value in table.counts().items():
            assert counts.setdefault(key, value) == value, (table.id, key.id)
