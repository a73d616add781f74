"""The report's reading of a frame's rows (:func:`pipeline.report.declared.frame_records`)
gives what pandas' ``to_dict("records")`` gives, value for value and type for type."""

from __future__ import annotations

import numpy as np
import pandas as pd

from pipeline.disclosure import Key
from pipeline.report.declared import frame_records


def _typed(records: list[dict]) -> list[list[tuple]]:
    return [[(name, type(value), repr(value)) for name, value in r.items()] for r in records]


def test_frame_records_match_pandas_to_dict():
    key = Key("staff", (("eth", ("A1",)),))
    frame = pd.DataFrame(
        {
            "label": ["Asian", "White", "Not stated"],
            "count": np.array([3, 0, 12], dtype="int64"),
            "share": [0.5, np.nan, 1.0],
            "flag": [True, False, True],
            "count@key": [key, None, np.int64(4)],
            "date": pd.to_datetime(["2025-03-31", "2026-03-31", None]),
            "nullable": pd.array([1, None, 3], dtype="Int64"),
            "arrow": pd.array(["x", None, "z"], dtype="string[pyarrow]"),
            "group": pd.Categorical(["a", "b", "a"]),
        }
    )
    for chosen in (frame, frame[["label", "count@key"]], frame.iloc[:0], frame[[]]):
        expected = chosen.to_dict("records")
        found = frame_records(chosen)
        assert _typed(found) == _typed(expected)
        assert len(found) == len(chosen)
