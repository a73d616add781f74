"""Disclosure control, worked by hand on tables small enough to check on paper."""

from __future__ import annotations

import pandas as pd
import pytest

from pipeline.disclosure import (
    SUPPRESSED_MARK,
    Layout,
    Sum,
    audit_table,
    choose_grouping,
    determined,
    parse_count,
    protect,
    protect_table,
    recover,
    suppress,
    withheld_share,
)

C = SUPPRESSED_MARK

# A two-way table with margins: rows X, Y, Z; columns A, B, C; "Total" both ways.
#        A    B    C  Total
#   X    3   10   20     33
#   Y    8   12   30     50
#   Z    9   40   50     99
#  All  20   62  100    182
TWO_WAY = pd.DataFrame(
    {
        "label": ["X", "Y", "Z", "All"],
        "A": [3, 8, 9, 20],
        "B": [10, 12, 40, 62],
        "C": [20, 30, 50, 100],
        "Total": [33, 50, 99, 182],
    }
)
TWO_WAY_LAYOUT = Layout(
    count_columns=("A", "B", "C", "Total"), row_sums=(("Total", ("A", "B", "C")),), total_row="All"
)


def withheld_cells(frame: pd.DataFrame, layout: Layout) -> set[tuple[str, str]]:
    return {
        (row["label"], column)
        for row in frame.to_dict("records")
        for column in layout.count_columns
        if row[column] is None
    }


# --------------------------------------------------------------------------- primary


def test_primary_suppression_withholds_small_counts_and_their_rates():
    frame = pd.DataFrame({"n": [0, 1, 5, 6], "rate": [0.0, 0.1, 0.5, 0.6]})
    out = suppress(frame, {"n": ("rate",)}, threshold=5)
    assert out["n"].tolist() == [0, None, None, 6]
    assert out["rate"].tolist() == [0.0, None, None, 0.6]
    assert out["is_suppressed"].tolist() == [False, True, True, False]


# --------------------------------------------------------------------------- recovery


def test_one_unknown_part_of_a_known_total_is_determined():
    sums = [Sum("t", ("a", "b"))]
    assert determined({"a"}, sums) == {"a"}
    assert determined({"a", "b"}, sums) == set()
    assert determined({"a", "t"}, sums) == set()


def test_recover_gives_the_value_a_reader_would_work_out():
    # 43 = a + 40, so a = 3; b is unknown and appears in no sum.
    assert recover({"t": 43, "a": None, "c": 40, "b": None}, [Sum("t", ("a", "c"))]) == {
        "a": pytest.approx(3.0)
    }


def test_two_cells_in_one_row_of_a_table_with_margins_are_still_recoverable():
    # Withholding X:A and X:B hides them from row X, but column A gives X:A = 20 - 8 - 9.
    layout = TWO_WAY_LAYOUT
    labels = list(TWO_WAY["label"])
    shown = {(r, c): v for r, row in zip(labels, TWO_WAY.to_dict("records"), strict=True)
             for c in layout.count_columns for v in [row[c]]}  # fmt: skip
    shown[("X", "A")] = shown[("X", "B")] = None
    assert recover(shown, layout.sums(labels)) == {
        ("X", "A"): pytest.approx(3.0),
        ("X", "B"): pytest.approx(10.0),
    }


def test_a_rectangle_of_withheld_cells_cannot_be_recovered():
    # X:A, X:B, Y:A, Y:B withheld: each row and column has two unknowns, and the four sums
    # XA+XB=23, YA+YB=20, XA+YA=11, XB+YB=22 have rank 3, so any one cell can move.
    labels = list(TWO_WAY["label"])
    shown = {(r, c): row[c] for r, row in zip(labels, TWO_WAY.to_dict("records"), strict=True)
             for c in TWO_WAY_LAYOUT.count_columns}  # fmt: skip
    for cell in [("X", "A"), ("X", "B"), ("Y", "A"), ("Y", "B")]:
        shown[cell] = None
    assert recover(shown, TWO_WAY_LAYOUT.sums(labels)) == {}


# --------------------------------------------------------------------------- secondary


def test_secondary_suppression_of_a_two_way_table_withholds_the_smallest_rectangle():
    # Primary: X:A = 3. Row X and column A each give it back. Worked greedily:
    # 1. any single extra cell leaves two cells exposed and two sums with one unknown cell;
    #    the smallest neighbour is Y:A (8).
    # 2. X:B (10), Y:B (12), X:C (20) leave two lonely sums, Z:A (9) three; X:B is smallest.
    # 3. Y:B closes the rectangle X:A, X:B, Y:A, Y:B: nothing is exposed.
    out = protect_table(TWO_WAY, TWO_WAY_LAYOUT, threshold=5)
    assert withheld_cells(out, TWO_WAY_LAYOUT) == {("X", "A"), ("X", "B"), ("Y", "A"), ("Y", "B")}
    assert out["is_suppressed"].tolist() == [True, True, False, False]
    assert out.loc[2, "A"] == 9 and out.loc[3, "A"] == 20


def test_a_table_with_nothing_small_is_unchanged():
    frame = TWO_WAY.assign(A=[30, 8, 9, 47], Total=[60, 50, 99, 209])
    out = protect_table(frame, TWO_WAY_LAYOUT, threshold=5)
    assert withheld_cells(out, TWO_WAY_LAYOUT) == set()


def test_zero_is_not_a_small_count():
    frame = TWO_WAY.assign(A=[0, 8, 9, 17], Total=[30, 50, 99, 179])
    out = protect_table(frame, TWO_WAY_LAYOUT, threshold=5)
    assert withheld_cells(out, TWO_WAY_LAYOUT) == set()


# Representation-like: headcount = declared + not stated (unpublished);
# declared = in group + not in group (unpublished); derived share and rate.
REPRESENTATION = Layout(
    count_columns=("headcount", "declared", "group"),
    row_sums=(("headcount", ("declared", "not_stated")), ("declared", ("group", "other"))),
    total_row="All",
    derived={"share": ("group", "declared"), "declaration_rate": ("declared", "headcount")},
)


def representation(rows: list[tuple[str, int, int, int]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["label", "headcount", "declared", "group"])
    frame = frame.assign(
        not_stated=frame["headcount"] - frame["declared"],
        other=frame["declared"] - frame["group"],
        share=(frame["group"] / frame["declared"].where(frame["declared"] > 0)),
        declaration_rate=frame["declared"] / frame["headcount"],
    )
    total = frame.drop(columns="label").sum().to_dict()
    total.update(
        label="All",
        share=total["group"] / total["declared"] if total["declared"] else None,
        declaration_rate=total["declared"] / total["headcount"],
    )
    return pd.concat([frame, pd.DataFrame([total])], ignore_index=True)


def test_a_small_unpublished_not_stated_count_is_protected():
    # Row P: 40 people, 39 declared, so 1 did not state: showing both gives the 1 away.
    # Withholding P's headcount or declared alone leaves it exposed (the column total gives
    # either back); of the two, declared (39) is smaller. Then Q's declared (50) closes the
    # column: Pd + Qd = 89, Pd + Pns = 40, Qd + Qns = 60, Pns + Qns = 11 have rank 3.
    frame = representation([("P", 40, 39, 10), ("Q", 60, 50, 20)])
    out = protect_table(frame, REPRESENTATION, threshold=5)
    assert withheld_cells(out, REPRESENTATION) == {("P", "declared"), ("Q", "declared")}
    assert out["share"].tolist()[:2] == [None, None]
    assert out["declaration_rate"].tolist()[:2] == [None, None]
    assert out["share"].iloc[2] == pytest.approx(30 / 89)


def test_a_small_not_stated_in_the_total_row_withholds_a_total():
    # Force-wide, 100 people and 99 declared: the total row itself gives the 1 away, so one
    # of its counts must go (declared, 99, the smaller), and a body cell with it (P's 39),
    # or the column would add back up to it.
    frame = representation([("P", 40, 39, 10), ("Q", 60, 60, 20)])
    out = protect_table(frame, REPRESENTATION, threshold=5)
    assert withheld_cells(out, REPRESENTATION) == {("All", "declared"), ("P", "declared")}


def test_a_small_group_count_is_withheld_with_its_share_and_a_partner():
    # P has 3 in the group (primary). Column "group" then gives it back from the total, so
    # the smallest other group count (Q's 20) goes too, and both shares with them.
    frame = representation([("P", 50, 50, 3), ("Q", 60, 60, 20), ("R", 70, 70, 30)])
    out = protect_table(frame, REPRESENTATION, threshold=5)
    assert withheld_cells(out, REPRESENTATION) == {("P", "group"), ("Q", "group")}
    assert out["share"].tolist()[:3] == [None, None, pytest.approx(30 / 70)]
    assert out["declaration_rate"].tolist()[:3] == [1.0, 1.0, 1.0]


def test_a_small_total_row_is_withheld_like_any_count():
    frame = representation([("P", 2, 2, 0), ("Q", 1, 1, 1)])
    out = protect_table(frame, REPRESENTATION, threshold=5)
    assert ("All", "headcount") in withheld_cells(out, REPRESENTATION)
    assert audit_table(*shown_table(out, REPRESENTATION), REPRESENTATION, 5) == []


def test_everyone_not_stated_leaves_shares_undefined_not_disclosive():
    frame = representation([("P", 30, 0, 0), ("Q", 40, 0, 0)])
    out = protect_table(frame, REPRESENTATION, threshold=5)
    assert withheld_cells(out, REPRESENTATION) == set()


# --------------------------------------------------------------------------- audit


def shown_table(out: pd.DataFrame, layout: Layout) -> tuple[list[list[str]], list[str]]:
    headers = ["label", *layout.count_columns, *layout.derived]
    rows = [
        [str(r["label"])]
        + [C if r[c] is None else f"{int(r[c]):,}" for c in layout.count_columns]
        + [C if r[d] is None or pd.isna(r[d]) else f"{r[d]:.3f}" for d in layout.derived]
        for r in out.to_dict("records")
    ]
    return rows, headers


def test_audit_finds_a_withheld_cell_given_away_by_its_row_total():
    rows = [["X", C, "10", "13"], ["Y", "8", "12", "20"], ["All", "11", "22", "33"]]
    layout = Layout(("A", "B", "Total"), (("Total", ("A", "B")),), "All")
    problems = audit_table(rows, ["label", "A", "B", "Total"], layout, threshold=5)
    assert [str(p) for p in problems] == [
        "withheld count recoverable: row 'X', column 'A'",
    ]


def test_audit_finds_a_small_shown_count_and_a_share_of_a_withheld_count():
    rows = [["P", "40", C, "4", "0.100"], ["Q", "60", C, "20", "0.333"]]
    layout = Layout(("headcount", "declared", "group"), derived={"share": ("group", "declared")})
    problems = audit_table(
        rows, ["label", "headcount", "declared", "group", "share"], layout, threshold=5
    )
    assert [p.kind for p in problems] == [
        "small count shown",
        "derived from a withheld count",
        "derived from a withheld count",
    ]


def test_audit_finds_a_small_unpublished_count():
    rows = [["P", "40", "39"], ["Q", "60", "60"], ["All", "100", "99"]]
    layout = Layout(("headcount", "declared"), (("headcount", ("declared", "ns")),), "All")
    problems = audit_table(rows, ["label", "headcount", "declared"], layout, threshold=5)
    assert {str(p) for p in problems} == {
        "small unpublished count recoverable: row 'P', column 'ns'",
        "small unpublished count recoverable: row 'All', column 'ns'",
    }


def test_every_protected_table_passes_its_own_audit():
    for frame, layout in [
        (TWO_WAY, TWO_WAY_LAYOUT),
        (representation([("P", 40, 39, 10), ("Q", 60, 60, 20)]), REPRESENTATION),
        (representation([("P", 50, 50, 3), ("Q", 60, 60, 20), ("R", 7, 6, 6)]), REPRESENTATION),
    ]:
        out = protect_table(frame, layout, threshold=5)
        assert audit_table(*shown_table(out, layout), layout, 5) == []


def test_protect_needs_unique_row_labels():
    frame = TWO_WAY.assign(label=["X", "X", "Z", "All"])
    with pytest.raises(ValueError, match="unique"):
        protect_table(frame, TWO_WAY_LAYOUT, threshold=5)


def test_protect_raises_rather_than_publish_a_recoverable_cell():
    # An unpublished count the sums pin down on their own (here a sum with no parts) cannot
    # be hidden by withholding anything: say so instead of publishing.
    with pytest.raises(ValueError, match="cannot be protected"):
        protect({"z": 3}, [Sum("z", ())], 5, published=set())


def test_parse_count_reads_what_reports_show():
    assert parse_count("1,234") == 1234.0
    assert parse_count(C) is None
    with pytest.raises(ValueError):
        parse_count("12.5%")


# --------------------------------------------------------------------------- aggregation


def test_the_finest_grouping_that_is_not_mostly_withheld_is_chosen():
    shares = {"detailed": 0.7, "broad": 0.4, "binary": 0.0}
    assert choose_grouping(["detailed", "broad", "binary"], shares.__getitem__, 0.5) == (
        "broad",
        True,
    )
    assert choose_grouping(["detailed", "broad"], {"detailed": 0.5}.__getitem__, 0.5) == (
        "detailed",
        False,
    )
    assert choose_grouping(["a", "b"], {"a": 0.9, "b": 0.8}.__getitem__, 0.5) == ("b", True)


def test_withheld_share_counts_non_zero_cells_below_the_total():
    out = protect_table(TWO_WAY, TWO_WAY_LAYOUT, threshold=5)
    # 12 body cells (3 rows x 4 columns), all non-zero; 4 withheld.
    assert withheld_share(out, TWO_WAY, TWO_WAY_LAYOUT) == pytest.approx(4 / 12)
