"""Who is compared with whom: pipeline.comparisons built from the configuration."""

from __future__ import annotations

import pandas as pd
from conftest import write_config

from pipeline import codes, comparisons
from pipeline.config import load_settings


def _references(settings) -> dict[tuple[str, str], str | None]:
    frame = comparisons.comparison_groups_frame(settings)
    return {
        (r["comparison_code"], r["group_code"]): (
            None if pd.isna(r["reference_group_code"]) else r["reference_group_code"]
        )
        for r in frame.to_dict("records")
    }


def test_default_references(tiny_force):
    got = _references(tiny_force)
    assert got[("ethnic_minority", "minority_excl_white")] == "white"
    assert got[("broad_group", "black")] == "white"
    assert got[("sex", "female")] == "male"
    assert got[("ethnic_minority_by_sex", "minority_excl_white_female")] == "white_female"
    assert got[("ethnic_minority_by_sex", "minority_excl_white_male")] == "white_male"
    assert got[("all", "all")] is None
    # The second definition: White minorities in the minority, compared with White British.
    assert got[("ethnic_minority_incl_white", "minority_incl_white")] == "white_british"
    assert got[("ethnic_minority_incl_white", "white_british")] == "white_british"


def test_both_definitions_of_the_minority_partition_the_stated_codes(tiny_force):
    members = comparisons.comparison_members_frame(tiny_force)
    stated = sorted(e.code for e in codes.ETHNICITIES if e.code != codes.NOT_STATED)
    for comparison, white in (("ethnic_minority", "white"),
                              ("ethnic_minority_incl_white", "white_british")):  # fmt: skip
        chosen = members[members["comparison_code"] == comparison]
        assert sorted(chosen["ethnicity_code"]) == stated
        assert set(chosen.loc[chosen["group_code"] == white, "ethnicity_code"]) <= {
            "W1", "W2", "W3", "W9"
        }  # fmt: skip
    incl = members[members["comparison_code"] == "ethnic_minority_incl_white"]
    assert sorted(incl.loc[incl["group_code"] == "white_british", "ethnicity_code"]) == ["W1"]


def test_configured_references(tmp_path):
    settings = load_settings(
        write_config(tmp_path, '[fairness]\nreference_group = "asian"\nsex_reference_group = "F"\n')
    )
    got = _references(settings)
    assert got[("broad_group", "black")] == "asian"
    assert got[("sex", "male")] == "female"
    # The minority-and-White comparison has no Asian group: no reference, never a wrong one.
    assert got[("ethnic_minority", "minority_excl_white")] is None


def test_members_partition_the_stated_codes(tiny_force):
    members = comparisons.comparison_members_frame(tiny_force)
    broad = members[members["comparison_code"] == "broad_group"]
    stated = [e.code for e in codes.ETHNICITIES if e.code != codes.NOT_STATED]
    assert sorted(broad["ethnicity_code"]) == sorted(stated)  # each stated code exactly once
    assert "NS" not in set(members["ethnicity_code"].dropna())
    black = broad[broad["group_code"] == "black"]
    assert sorted(black["ethnicity_code"]) == ["B1", "B2", "B9"]  # Black alone: Mixed is apart


def test_withdrawals_leave_the_selection_base_by_default(tiny_force):
    outcomes = comparisons.selection_outcomes_frame(tiny_force).set_index("outcome")
    assert outcomes["is_in_selection_base"].to_dict() == {
        "passed": True,
        "failed": True,
        "withdrew": False,
        "did_not_attend": True,
    }
