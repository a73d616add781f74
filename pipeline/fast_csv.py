"""Arrow's C++ CSV reader where its result is provably the one Python's ``csv`` module gives.

The extract reader's exact path (``extracts.read_text_rows``) passes every row through
Python: about 15 µs a row. Arrow parses the same text in well under a microsecond a row,
but the two readers differ on malformed text (a quote inside an unquoted field, a field
straddling lines, a row with the wrong number of fields). ``read_rows`` therefore accepts
only text on which they agree and returns ``None`` for anything else, so that the caller
falls back to the exact path, whose messages name the file, row and column: this module
never decides what a file means, only whether the fast way may read it.
"""

from __future__ import annotations

import csv
import io
import re
from typing import NamedTuple

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv

QUOTE = '"'
_PRINTABLE = "[!-~]"
"""A cell holding one of these ASCII characters is not blank, whatever ``str.strip`` does."""


class Rows(NamedTuple):
    columns: list[pa.ChunkedArray]
    """Every column of the rows kept, as UTF-8 text (an empty cell is ``''``)."""
    source_rows: np.ndarray
    """Each kept row's number as an analyst sees it."""


def _quoting_is_plain(text: str, delimiter: str) -> bool:
    """Every quote in ``text`` belongs to a whole quoted field on one line (``"a, b"``,
    a doubled quote inside): there both readers unquote alike. A quote inside an unquoted field,
    text after a closing quote, or a line break inside quotes is left to the exact path."""
    if QUOTE not in text:
        return True
    d = re.escape(delimiter)
    field = re.compile(rf'(?<![^{d}\r\n])"(?:[^"\r\n]|"")*"(?![^{d}\r\n])')
    return QUOTE not in field.sub("", text)


def read_rows(text: str, data: bytes, delimiter: str, width: int, first_row: int) -> Rows | None:
    """The rows of ``text``, numbered from ``first_row`` (``data`` is the same text in UTF-8), or
    ``None`` where Arrow might read them differently from ``csv.reader``: quoting other
    than whole fields on one line, or any row without exactly ``width`` fields, except
    that every row may have the same number of empty fields more (a delimiter ending every
    data line, which the exact path accepts too: ``extracts._ragged_rows``).

    Blank rows (only spaces and delimiters) are dropped and still counted, as the exact path
    does: a row is blank if ``is_blank`` (the exact path's test) says so; it is asked only
    about rows whose first cell holds no printable ASCII character."""
    if not _quoting_is_plain(text, delimiter):
        return None
    fields = max(width, _fields_in_first_row(text, delimiter))
    names = [f"c{i}" for i in range(fields)]
    try:
        table = pa_csv.read_csv(
            pa.BufferReader(data),
            read_options=pa_csv.ReadOptions(column_names=names, use_threads=False),
            parse_options=pa_csv.ParseOptions(
                delimiter=delimiter,
                quote_char=QUOTE,
                double_quote=True,
                escape_char=False,
                newlines_in_values=False,
                ignore_empty_lines=False,
            ),
            convert_options=pa_csv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.string()),
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except (pa.ArrowException, ValueError):
        return None
    if fields > width:
        if any(pc.any(pc.not_equal(extra, "")).as_py() for extra in table.columns[width:]):
            return None
        table = table.select(range(width))
    numbers = np.arange(first_row, first_row + table.num_rows, dtype="int64")
    suspect = pc.invert(pc.match_substring_regex(table.column(0), _PRINTABLE))
    if pc.any(suspect).as_py():
        positions = np.flatnonzero(suspect.to_numpy(zero_copy_only=False))
        rows = table.take(positions).to_pylist()
        blank = [not "".join(row.values()).strip() for row in rows]
        keep = np.ones(table.num_rows, dtype=bool)
        keep[positions[np.array(blank, dtype=bool)]] = False
        table, numbers = table.filter(pa.array(keep)), numbers[keep]
    return Rows(list(table.columns), numbers)


def _fields_in_first_row(text: str, delimiter: str) -> int:
    """How many fields the first non-empty line of ``text`` has (its quoting is plain);
    fewer if it is longer than the first 64 KiB looked at, and then Arrow finds the rows
    longer than it was told and the exact path reads the file."""
    for cells in csv.reader(io.StringIO(text[: 1 << 16], newline=""), delimiter=delimiter):
        if cells:
            return len(cells)
    return 0
