"""A confidential cell: its value exists but is not published whatever the counts (the
chief officer team, a handful of people whose ethnicity would identify someone). The frame
holds ``WITHHELD`` in its place; every output shows it ``[c]`` (withheld), never ``[x]``
(which says there is no value), tables.json does not list it, and the audit from the files
alone reads it as withheld without a cell, never as a count shown."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from pipeline.disclosure import Key, Protection
from pipeline.report import audit, exports
from pipeline.report.declared import WITHHELD, Column, DeclaredTable, from_manifest

GROUP = Key("staff", (("eth", ("g",)),))
STATED = Key("staff", (("eth", ("stated",)),))
COLUMNS = (
    Column("label", "Tier", "label"),
    Column("stated", "Stated an ethnicity", "count"),
    Column("group", "Group", "count"),
    Column("share", "Group: share", "share", of=("group", "stated")),
    Column("ratio", "Ratio", "ratio", of=("group", "stated")),
    Column("verdict", "Verdict", "text", of=("group", "stated")),
    Column("last_year", "Last year", "ratio"),
)


def _table() -> DeclaredTable:
    """Two rows: senior leadership, published, and the chief officer team, confidential:
    its counts and its ratio are WITHHELD in the frame, its share and verdict (computed
    from its counts) are not, and last year's ratio does not exist."""
    table = DeclaredTable(
        id="leaders",
        caption="Leaders",
        columns=COLUMNS,
        frame=pd.DataFrame(
            {
                "label": ["Senior leadership", "Chief officer team"],
                "stated": [40, WITHHELD],
                "stated@key": [STATED, None],
                "group": [12, WITHHELD],
                "group@key": [GROUP, None],
                "share": [0.3, 0.5],
                "ratio": [1.1, WITHHELD],
                "verdict": ["higher", "higher"],
                "last_year": [1.05, None],
            }
        ),
    )
    table.protect_with(Protection(withheld=frozenset(), known=frozenset({GROUP, STATED})))
    return table


def test_a_confidential_cell_is_withheld_in_every_output_and_not_in_the_manifest():
    table = _table()
    assert table.html_rows() == [
        ["Senior leadership", "40", "12", "30.0%", "1.10", "higher", "1.05"],
        ["Chief officer team", "[c]", "[c]", "[c]", "[c]", "[c]", "[x]"],
    ]
    assert table.export_rows()[1] == ["Chief officer team", *["[c]"] * 5, "[x]"]
    assert not table.is_shown("Chief officer team", "ratio")
    assert exports.json_rows(table)[1] == {
        "label": "Chief officer team", "stated": None, "group": None, "share": None,
        "ratio": None, "verdict": None, "last_year": "[x]",
    }  # fmt: skip
    manifest = table.manifest()
    json.dumps(manifest)  # nothing but keys and words
    # no cell behind the confidential counts and ratio; the figures computed from them
    # name the (no) counts they use, as a withheld figure does, and no value
    assert manifest["cells"][1] == {"share": {"of": []}, "verdict": {"of": []}}
    assert table.counts() == {STATED: 40, GROUP: 12}
    assert table.published_keys() == {STATED, GROUP}


def test_the_audit_reads_a_confidential_cell_as_withheld_without_a_cell():
    # From the files alone: tables.json lists no cell for the chief officer team, and its
    # [c] cells are read back as withheld, neither a count shown nor an error.
    table = _table()
    described = from_manifest(json.loads(json.dumps(table.manifest())))
    page = [
        [audit.parse_html_cell(c, t) for c, t in zip(described.columns, row, strict=True)]
        for row in table.html_rows()
    ]
    sheet = [
        audit.parse_export_cells(described.columns[i], [value])
        for i, value in enumerate(table.export_rows()[1])
    ]
    assert page[1][1:6] == [WITHHELD] * 5 and sheet[1:6] == [WITHHELD] * 5
    outputs = audit.Outputs({"index.html": {"leaders": page}}, [], [])
    published, problems = audit.publication([described], outputs)
    assert problems == []
    assert published.shown == {STATED: 40, GROUP: 12}
    assert published.withheld == set()
    assert [where for *_, where in published.linear] == [
        "leaders, row 'Senior leadership', column 'Group: share'"
    ]


def test_a_confidential_count_declares_no_cell():
    with pytest.raises(ValueError, match=r"row 'Chief officer team', column group"):
        DeclaredTable(
            id="leaders",
            caption="Leaders",
            columns=COLUMNS[:3],
            frame=pd.DataFrame(
                {
                    "label": ["Chief officer team"],
                    "stated": [WITHHELD],
                    "stated@key": [None],
                    "group": [WITHHELD],
                    "group@key": [GROUP],
                }
            ),
        )
