"""Workbook sheet names: within Excel's 31 characters, distinct, and still telling apart the
tables of one section (which differ at the end of their ids)."""

from __future__ import annotations

from types import SimpleNamespace

from pipeline.report.exports import sheet_names


def _names(*ids: str) -> list[str]:
    return sheet_names([SimpleNamespace(id=i) for i in ids])


def test_long_ids_keep_their_distinguishing_ends():
    names = _names(
        "what-it-would-take-inspectors-2031", "what-it-would-take-inspectors-2031-counts"
    )
    assert all(len(n) <= 31 for n in names)
    assert names[0].endswith("inspectors-2031")
    assert names[1].endswith("inspectors-2031-counts")


def test_short_ids_are_unchanged_and_clashes_get_a_number():
    assert _names("trend-by-rank", "retention") == ["trend-by-rank", "retention"]
    long = "x" * 40
    names = _names(long, long + "y")
    assert len(set(n.lower() for n in names)) == 2
    assert all(len(n) <= 31 for n in names)


def test_characters_excel_refuses_are_replaced():
    assert _names("a/b[c]:d") == ["a-b-c--d"]
