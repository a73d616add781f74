"""Reading HR extracts into typed, pseudonymised frames with the canonical columns.

A reader never guesses: an unreadable file is an ``ExtractError`` (blocking, with the file
and what to fix); a value that cannot be parsed (a date, a number, a flag, an Excel error)
is a ``RowProblem`` that quarantines its row. Whether a parsed value is *valid* (a known
code, a sensible date) is the data contracts' business (``pipeline.contracts``), so the
reader keeps every row and leaves unrecognised codes as written. Raw identifiers are
replaced by keyed hashes here, before any other stage sees them.
"""

from __future__ import annotations

import csv
import dataclasses
import hashlib
import hmac
import io
import os
import re
import unicodedata
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from functools import cached_property
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from pipeline.codes import code_key, header_key
from pipeline.config import EXTRACT_KINDS, Settings
from pipeline.safe_text import TRIMMED, ZERO_WIDTH
from pipeline.schemas import (
    EMPTY_FILE_MEANS,
    EXTRACT_COLUMNS,
    KEY_COLUMN_FOR_ID,
    Column,
    synonyms_for,
)

EXCEL_SUFFIXES = {".xlsx", ".xlsm", ".xls"}
CSV_SUFFIXES = {".csv", ".txt"}
EXCEL_ERROR_VALUES = {"#N/A", "#REF!", "#VALUE!", "#DIV/0!", "#NAME?", "#NULL!", "#NUM!"}
FLAG_VALUES = {"y": True, "yes": True, "true": True, "1": True, "n": False, "no": False,
               "false": False, "0": False}  # fmt: skip
TEMPORARY_RANK_PREFIX = re.compile(
    r"^\s*(?:t|a|temp|acting)\s*[/.]\s*|^\s*(?:temp|acting)\s+", re.I
)
DATE_FORMATS = (
    ("%Y-%m-%d", r"\d{4}-\d{1,2}-\d{1,2}"),
    ("%d/%m/%Y", r"\d{1,2}/\d{1,2}/\d{4}"),
    ("%d-%m-%Y", r"\d{1,2}-\d{1,2}-\d{4}"),
    ("%d.%m.%Y", r"\d{1,2}\.\d{1,2}\.\d{4}"),
    ("%Y/%m/%d", r"\d{4}/\d{1,2}/\d{1,2}"),
    ("%Y.%m.%d", r"\d{4}\.\d{1,2}\.\d{1,2}"),
    ("%Y%m%d", r"(?:19|20|21)\d{6}"),
    ("%d %b %Y", r"\d{1,2} [A-Za-z]{3} \d{4}"),
    ("%d %B %Y", r"\d{1,2} [A-Za-z]{4,9} \d{4}"),
    ("%b %d %Y", r"[A-Za-z]{3} \d{1,2} \d{4}"),
    ("%B %d %Y", r"[A-Za-z]{4,9} \d{1,2} \d{4}"),
)
"""(format, the text's shape): a date as written, once a time of day is dropped and the
separators around a month's name are made single spaces (``_date_text``). ISO dates
(year first, also with ``/`` or ``.``, or ``yyyymmdd``), numeric dates day first (UK), and
dates with the month's name, which no reader can mistake. The shapes do not overlap, so a
text is tried in one format only; a US month-first ``03/31/2026`` fits none (no month 31)."""
TWO_DIGIT_YEAR_FORMATS = (
    ("%d/%m/%y", r"\d{1,2}/\d{1,2}/\d{2}"),
    ("%d-%m-%y", r"\d{1,2}-\d{1,2}-\d{2}"),
    ("%d.%m.%y", r"\d{1,2}\.\d{1,2}\.\d{2}"),
    ("%d %b %y", r"\d{1,2} [A-Za-z]{3} \d{2}"),
    ("%d %B %y", r"\d{1,2} [A-Za-z]{4,9} \d{2}"),
)
"""Day first with a two-digit year (Excel's short date ``31/03/26``, Oracle's ``31-MAR-26``):
the century is the one ``two_digit_year_window`` gives."""
YEARS_BEFORE_THE_RUN = 80
"""A two-digit year is read in the 100 years from 80 years before the run's year (in 2026:
1946-2045), as Java's and Unicode CLDR's date parsers do: a date of birth ``01/01/65`` is
1965, a snapshot ``31/03/26`` 2026."""
TIME_OF_DAY = re.compile(
    r"(?:T|\s+)(?:[01]?\d|2[0-3])(?::[0-5]\d){1,2}(?:[.,]\d{1,9})?(?:\s*[AaPp]\.?[Mm]\.?)?"
    r"(?:\s*(?:Z|[+-](?:[01]\d|2[0-3]):?[0-5]\d))?$"
)
"""A time after a date (``T00:00:00``, `` 00:00:00.000``, `` 9:30 AM``, ``Z``, ``+01:00``):
dropped, so that the date is the one written, whatever the time zone."""
EXCEL_SERIAL = re.compile(r"\d{5}(?:\.\d+)?")
"""Five digits: 10000 is 1927-05-18. A four-digit number is far more likely a year."""
PLAUSIBLE_DATES = (pd.Timestamp("1900-01-01"), pd.Timestamp("2199-12-31"))
"""Outside this range a date is a placeholder (31/12/9999) or a typo, never a real event."""
REPORTING_YEAR = re.compile(r"^(?P<first>(?:19|20|21)\d\d)(?:\s*[/-]\s*(?P<second>\d{2}|\d{4}))?$")
"""2025, or a year written over two calendar years as HR systems do: 2024/25, 2024-2025."""
HEADER_ROW = 1
"""Row numbers are as an analyst sees them in Excel or a text editor: the first row is 1."""
HEADER_SEARCH_ROWS = 20
"""How far down (in non-blank rows) the header is looked for: a report title, a run date or
a download's metadata lines above the real header are common."""


class ExtractError(Exception):
    """A file that cannot be loaded at all; publication is blocked until it is fixed."""

    def __init__(self, path: Path, problem: str, fix: str):
        self.path, self.problem, self.fix = path, problem, fix
        super().__init__(f"{shown_name(path.name)}: {problem} {fix}")


def shown_name(name: str) -> str:
    """A file name as a message shows it: bytes that are not UTF-8 backslash-escaped
    (``r\\xe9vis\\xe9.csv``), since such text cannot be printed, logged or stored as it is."""
    return os.fsencode(name).decode("utf-8", "backslashreplace")


def check_name(path: Path, name: str) -> None:
    """Refuse a file to be read whose name (``name``: as recorded, relative to the folder
    read) is not UTF-8, as a Windows archive unzipped on the server names its files: the
    name is recorded with every row, and such a name cannot be."""
    if shown_name(name) != name:
        where = f" ({shown_name(name)})" if name != path.name else ""
        guess = os.fsencode(name).decode("cp1252", "replace")
        raise ExtractError(
            path,
            f"Its name{where} is not UTF-8: the bytes shown as \\xNN cannot be read as text.",
            f"Rename it (perhaps to {guess!r}: the name read as Windows-1252) and run again.",
        )


@dataclass(frozen=True)
class RowProblem:
    source_row: int
    column: str
    """The canonical column, several joined by ', ', or '*' for the whole row."""
    rule: str
    message: str


QUARANTINE_COLUMNS = ["source_row", "rule", "column_name", "message", "values_json"]


@dataclass(frozen=True)
class Extract:
    kind: str
    path: Path
    content_hash: str
    typed: pd.DataFrame
    """Every data row read: canonical, typed columns plus ``source_row``."""
    original: pd.DataFrame
    """The same rows as text, as the file had them (identifiers pseudonymised), indexed by
    ``source_row``: what a quarantined row keeps so that it can be corrected."""
    problems: tuple[RowProblem, ...] = ()
    dropped_columns: list[str] = field(default_factory=list)
    encoding: str = "utf-8"
    warnings: tuple[str, ...] = ()
    """What the file lacks that the configuration expects, for the run's warnings."""

    @property
    def rows_read(self) -> int:
        return len(self.typed)

    def with_problems(self, problems) -> Extract:
        """A copy with more row problems (the contracts' findings) added."""
        return dataclasses.replace(self, problems=(*self.problems, *problems))

    @cached_property
    def bad_rows(self) -> frozenset[int]:
        return frozenset(p.source_row for p in self.problems)

    @cached_property
    def frame(self) -> pd.DataFrame:
        """Good rows: those without any problem."""
        keep = ~self.typed["source_row"].isin(self.bad_rows)
        return self.typed[keep].reset_index(drop=True)

    @cached_property
    def quarantined(self) -> pd.DataFrame:
        """One row per quarantined source row: every rule it broke and its original values."""
        found: dict[int, list[RowProblem]] = {}
        for problem in self.problems:
            found.setdefault(problem.source_row, []).append(problem)
        return pd.DataFrame(
            [
                {
                    "source_row": row,
                    "rule": "; ".join(p.rule for p in problems),
                    "column_name": "; ".join(p.column for p in problems),
                    "message": " ".join(p.message for p in problems),
                    "values_json": self.original.loc[row].to_json(),
                }
                for row, problems in sorted(found.items())
            ],
            columns=QUARANTINE_COLUMNS,
        )


class _Memo:
    """A pure conversion of text remembered for the process, so that a value met before
    (the same staff in every snapshot of a history) costs a dictionary lookup and only a new
    one is converted, once. A column's rows are encoded against their distinct values in
    Arrow, so Python sees each distinct value once a call. Missing values stay missing."""

    LIMIT = 1 << 20
    """Distinct values remembered before starting afresh (about 200 MB at most)."""

    def __init__(self, convert: Callable[[list[str]], list]):
        self.convert = convert
        self.known: dict[str, object] = {}

    def lookup(self, values: list[str], distinct: bool = False) -> list:
        """Each value converted, the new ones (``distinct``: no two alike) by one call of
        ``convert``."""
        known = self.known
        new = [value for value in values if value not in known]
        if new:
            if not distinct:
                new = list(dict.fromkeys(new))
            if len(known) + len(new) > self.LIMIT:
                known.clear()
            known.update(zip(new, self.convert(new), strict=True))
        return list(map(known.__getitem__, values))

    def __call__(self, values: pd.Series) -> pd.Series:
        text = pa.array(values, pa.string(), from_pandas=True)
        if isinstance(text, pa.ChunkedArray):
            text = text.combine_chunks()
        encoded = pc.dictionary_encode(text)
        distinct = encoded.dictionary.to_pylist()
        converted = pa.array(self.lookup(distinct, distinct=True), pa.string())
        return pd.Series(converted.take(encoded.indices), dtype="str", index=values.index)


_HASHES: dict[bytes, _Memo] = {}
_IDENTIFIERS: dict[bytes, _Memo] = {}


def forget_pseudonyms() -> None:
    """Drop the pseudonyms remembered in this process (``pseudonymise``)."""
    _HASHES.clear()
    _IDENTIFIERS.clear()


def _hashes(key: bytes) -> _Memo:
    def digest(new: list[str]) -> list[str]:
        return [hmac.digest(key, value.encode("utf-8"), "sha256").hex()[:32] for value in new]

    return _HASHES.get(key) or _HASHES.setdefault(key, _Memo(digest))


def pseudonymise(values: pd.Series, key: bytes) -> pd.Series:
    """HMAC-SHA-256, so that nobody without the key can recover a payroll number by trying
    every possible one, while the same person keeps the same pseudonym night after night.

    Each distinct identifier is hashed once per process and key (``_Memo``): the same staff
    appear in every snapshot of a history."""
    return _hashes(key)(values)


def _pseudonymise_identifiers(values: pd.Series, key: bytes) -> pd.Series:
    """``pseudonymise(normalise_identifiers(values))``, remembered per written identifier:
    a payroll number spelt as in an earlier file is neither normalised nor hashed again."""

    def convert(new: list[str]) -> list[str]:
        return _hashes(key).lookup(normalise_identifiers(pd.Series(new, dtype="str")).tolist())

    memo = _IDENTIFIERS.get(key) or _IDENTIFIERS.setdefault(key, _Memo(convert))
    return memo(values)


def _per_distinct(values: pd.Series, convert: Callable[[pd.Series], pd.Series]) -> pd.Series:
    """``convert`` applied once to each distinct value and spread back over the rows, with
    the dtype ``convert`` gave: dates, codes and identifiers repeat thousands of times."""
    codes, uniques = pd.factorize(values, use_na_sentinel=False)
    converted = convert(pd.Series(uniques, dtype=values.dtype))
    return pd.Series(converted.array.take(codes), index=values.index)


_NUMBER_ID = re.compile(r"(?P<digits>\d+)(?:\.0+)?")
_EXPONENT_ID = re.compile(r"\d+(?:[.,]\d+)?[eE]\+\d+|\d+[.,]\d+[eE]\d+")
"""A whole number as a program writes it in scientific notation: with ``E+``
(``1.23457E+11``, a spreadsheet's form), or with a decimal point in the mantissa and no plus
sign (``1.23457E11``); the point may be a decimal comma (``1,23457E+11``). An identifier
such as ``12E4`` or ``4E12`` is read as written."""
_NOT_IN_IDENTIFIER = re.compile(rf"[\s{ZERO_WIDTH}]+")
"""Dropped from anywhere in an identifier: spaces of any kind and characters that take no
room (``safe_text.ZERO_WIDTH``), which a reader cannot see are there."""


def _identifier_text(text: pd.Series) -> pd.Series:
    return text.str.replace(_NOT_IN_IDENTIFIER.pattern, "", regex=True).str.upper()


def _written_in_full(value: str) -> str | None:
    """The whole number an identifier in scientific notation writes, if its mantissa carries
    every digit of it down to the units (``1.00170E+05``: 100170); ``None`` if the units
    digit or more are implied (``1.0017E+05``, ``1.23457E+11``: rounded to the digits a
    spreadsheet shows, so maybe another person's number) or it is not whole. A decimal comma
    is a decimal point (``1,00170E+05``: 100170)."""
    number = Decimal(value.replace(",", "."))
    if number.as_tuple().exponent > 0 or number != number.to_integral_value():
        return None
    return format(number.to_integral_value(), "f")


def _is_rounded(value: str) -> bool:
    return _EXPONENT_ID.fullmatch(value) is not None and _written_in_full(value) is None


def rounded_identifiers(values: pd.Series) -> pd.Series:
    """Whether each identifier is a number in scientific notation (:data:`_EXPONENT_ID`) that
    does not carry all its digits (``_written_in_full``): Excel saves a number of 12 digits
    or more in a CSV in General format as ``1.23457E+11``, so two people's payroll numbers
    can be written alike. Such a row is quarantined (``invalid_number``), never read as
    ``123457000000``."""
    rounded = pd.Series(False, index=values.index, dtype=bool)
    maybe = values.str.contains("[eE]", regex=True).fillna(False).astype(bool)
    if maybe.any():  # one vectorised pass; only the cells with an E are looked at one by one
        written = values[maybe].drop_duplicates()
        text = _identifier_text(written)
        found = dict(zip(written, map(_is_rounded, text), strict=True))
        rounded[maybe] = values[maybe].map(found).astype(bool)
    return rounded


def normalise_identifiers(values: pd.Series) -> pd.Series:
    """One spelling per identifier, whatever the file type: HR systems hold payroll numbers
    as text (``00100170``) while a workbook or a CSV saved from Excel turns them into
    numbers (``100170``, ``100170.0``, ``1.00170E+05``). Spaces anywhere (including
    non-breaking ones) and zero-width characters are dropped, letters upper-cased, and an
    all-digit identifier loses its leading zeros, so that the same person gets the same
    pseudonym from every extract. Scientific notation is a number only when written in full
    (``_written_in_full``); a rounded one (``rounded_identifiers``, quarantined by the
    reader) is left as written, never made another person's number.

    Assumes no force issues two identifiers that differ only in leading zeros or case."""

    def one(value: str) -> str:
        if match := _NUMBER_ID.fullmatch(value):
            return match["digits"].lstrip("0") or "0"
        if _EXPONENT_ID.fullmatch(value) and (whole := _written_in_full(value)) is not None:
            return whole
        return value

    def distinct(text: pd.Series) -> pd.Series:
        return _identifier_text(text).map(one, na_action="ignore")

    return _per_distinct(values, distinct)


def classify(path: Path, settings: Settings) -> str | None:
    """The extract kind whose file pattern matches the file name, if any."""
    for kind in EXTRACT_KINDS:
        if path.match(settings.extracts[kind].file_pattern) or Path(path.name).match(
            settings.extracts[kind].file_pattern
        ):
            return kind
    return None


def inbox_files(settings: Settings) -> list[tuple[str, Path]]:
    """(kind, path) for every extract in the inbox, in a stable order."""
    inbox = settings.paths.inbox
    if not inbox.is_dir():
        raise ExtractError(inbox, "The inbox folder does not exist.", "Check [paths] inbox.")
    found = []
    for path in sorted(inbox.iterdir()):
        if path.name.startswith((".", "~$")) or not path.is_file():
            continue
        if path.suffix.lower() not in EXCEL_SUFFIXES | CSV_SUFFIXES:
            continue
        if (kind := classify(path, settings)) is not None:
            check_name(path, path.name)
            found.append((kind, path))
    return found


def nothing_to_load(settings: Settings, inputs) -> ExtractError:
    """The first night's inbox holds no staff snapshot (every measure starts from one):
    say what is there and what is expected."""
    inbox = settings.paths.inbox
    read = {item.path for item in inputs}
    others = sorted(
        shown_name(p.name)
        for p in inbox.iterdir()
        if p.is_file() and not p.name.startswith((".", "~$")) and p not in read
    )
    patterns = ", ".join(settings.extracts[kind].file_pattern for kind in EXTRACT_KINDS)
    if read:
        problem = (
            "No staff snapshot among the extracts read, and nothing has been published yet: "
            f"every measure starts from one (read {', '.join(sorted(i.name for i in inputs))})."
        )
    else:
        problem = (
            "The inbox holds no extract to load, and nothing has been published yet"
            + (f" (the file(s) there, {', '.join(others)}, match no extract's name)" if others
               else "")
            + "."
        )  # fmt: skip
    return ExtractError(
        inbox,
        problem,
        f"Put the HR extracts in {inbox}, named {patterns} (docs/extracts.md), or correct "
        "[paths] inbox or [extracts.<kind>] file_pattern in the configuration.",
    )


def file_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


class Table(NamedTuple):
    """A file's cells below the header row it was found to have."""

    header: list[str]
    rows: list[tuple[int, list[str]]]
    """(row number as the analyst sees it, cells) for every non-blank row after the header."""
    encoding: str
    header_row: int
    """The header's row number: 1 unless title or blank rows stand above it."""
    sheet: str | None = None


Numbered = list[tuple[int, list[str]]]
"""Rows with the number Excel or a text editor shows them under (the first row is 1)."""


def _decode(path: Path, raw: bytes) -> tuple[str, str]:
    if raw.startswith(b"PK\x03\x04"):
        raise ExtractError(
            path,
            "The file is an Excel workbook with a .csv or .txt name.",
            "Rename it to .xlsx, or save it from Excel as 'CSV UTF-8 (Comma delimited)'.",
        )
    marked = {b"\xef\xbb\xbf": "utf-8-sig", b"\xff\xfe": "utf-16", b"\xfe\xff": "utf-16"}
    for mark, encoding in marked.items():  # UTF-16 is Excel's "Unicode Text" export
        if raw.startswith(mark):
            try:
                return raw.decode(encoding), encoding
            except UnicodeDecodeError as exc:
                raise ExtractError(
                    path,
                    f"The file starts with a {encoding} byte-order mark but is not "
                    f"{encoding} (byte {exc.start}).",
                    "Save it again as 'CSV UTF-8 (Comma delimited)'.",
                ) from None
    if raw.count(b"\x00") * 100 > len(raw):
        # A stray NUL in a text file is the cell's problem (quarantined by the contract's
        # *_printable rules, with its row and column); this many is no text file at all.
        raise ExtractError(
            path,
            "The file holds binary data, not text.",
            "Export the extract again as CSV or Excel.",
        )
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("cp1252"), "windows-1252"
    except UnicodeDecodeError as exc:
        raise ExtractError(
            path,
            f"The file is neither UTF-8 nor Windows-1252 (byte {exc.start}).",
            "Save it again as 'CSV UTF-8 (Comma delimited)'.",
        ) from None


def _is_blank(cells: list[str]) -> bool:
    if cells and cells[0].strip():  # most rows: decided by the first cell
        return False
    return not "".join(cells).strip()


DELIMITERS = (",", ";", "\t", "|")


def _delimiter(text: str) -> str:
    """The delimiter the most fields are split by on some line near the top: a title line
    above the header ("Staff in post, March 2026") has fewer than the header itself."""
    limit, size = HEADER_SEARCH_ROWS * 2, 1 << 16
    while len(lines := text[:size].splitlines()) <= limit and size < len(text):
        size *= 4  # only the top is looked at: splitting a whole large file costs
    lines = [line for line in lines[:limit] if line.strip()]
    return max(DELIMITERS, key=lambda d: max((line.count(d) for line in lines), default=0))


def read_text_rows(path: Path) -> tuple[Numbered, str]:
    """Every row of a delimited text file, numbered, and the encoding it was read in:
    UTF-8 (with or without a byte-order mark), UTF-16 with a mark, else Windows-1252;
    comma, semicolon, tab or pipe. Raises ``ExtractError`` for a file that is not text."""
    text, encoding = _decode(path, path.read_bytes())
    # No field can be longer than the file: a long one is judged by the contracts (a
    # *_length rule names its row and column), not refused by the csv module's 128 KiB limit.
    csv.field_size_limit(max(csv.field_size_limit(), len(text) + 1))
    records = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    try:
        return list(enumerate(records, start=HEADER_ROW)), encoding
    except csv.Error as exc:
        raise ExtractError(
            path,
            f"Line {records.line_num} cannot be read as CSV ({exc}).",
            "Export the file again as 'CSV UTF-8 (Comma delimited)'.",
        ) from None


def locate_header(
    path: Path,
    numbered: Numbered,
    encoding: str,
    score: Callable[[list[str]], tuple[bool, int]],
    sheet: str | None = None,
) -> Table:
    """The header is the first row, among the first ``HEADER_SEARCH_ROWS`` non-blank ones,
    that ``score`` says fits (title rows and blank rows above it are skipped); if none
    fits, the row with the most recognised columns (the first non-blank row if none has
    any), so that the caller's message names what that row lacks.

    ``score(cells)`` returns (fits, number of recognised columns). Blank rows after the
    header hold nothing and are skipped; row numbers still count them."""
    candidates = []
    for number, cells in numbered:
        if not _is_blank(cells):
            candidates.append((number, cells))
            if len(candidates) == HEADER_SEARCH_ROWS:
                break
    if not candidates:
        raise ExtractError(path, "The file is empty.", "Export the extract again.")
    scores = [score(cells) for _, cells in candidates]
    fitting = [i for i, (fits, _) in enumerate(scores) if fits]
    best = fitting[0] if fitting else max(range(len(scores)), key=lambda i: (scores[i][1], -i))
    header_row, header = candidates[best]
    after = next(i for i, (number, _) in enumerate(numbered) if number == header_row) + 1
    rows = [(number, cells) for number, cells in numbered[after:] if not _is_blank(cells)]
    return Table(header, rows, encoding, header_row, sheet)


def _cell_text(value: object) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else str(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, float):  # as its digits, never 5e-05 (a number cell is exact)
        return np.format_float_positional(value, trim="-")
    return str(value)


def _open_workbook(path: Path):
    import python_calamine

    try:
        return python_calamine.CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises its own error types for corrupt workbooks
        raise ExtractError(
            path,
            f"The workbook cannot be opened ({type(exc).__name__}: {exc}).",
            "Open it in Excel, save it as .xlsx and drop it in the inbox again.",
        ) from None


def _sheet_rows(sheet) -> Numbered:
    """Every row of a sheet as text (``_cell_text``; a text cell, the most common, as it is)."""
    return [
        (number, [value if type(value) is str else _cell_text(value) for value in row])
        for number, row in enumerate(sheet.iter_rows(), start=HEADER_ROW)
    ]


def _merged_header_cells(sheet, header_row: int) -> list[str]:
    """Merged ranges touching the header row, as Excel names them (A1:C1)."""

    def name(row: int, col: int) -> str:
        letters = ""
        col += 1
        while col:
            col, rest = divmod(col - 1, 26)
            letters = chr(65 + rest) + letters
        return f"{letters}{row + 1}"

    ranges = sheet.merged_cell_ranges or []
    return [
        f"{name(*start)}:{name(*end)}"
        for start, end in ranges
        if start[0] <= header_row - 1 <= end[0]
    ]


def read_table(
    path: Path,
    score: Callable[[list[str]], tuple[bool, int]],
    sheet: str | int | None = None,
    sheet_setting: str | None = None,
    expected: str = "the extract's columns",
) -> Table:
    """``_read_table``, with a workbook whose sheet opens but cannot be read (cut short, bad
    XML) an ``ExtractError`` like any other unreadable file. ``sheet_setting``: the
    setting that names the sheet to read, if there is one."""
    import python_calamine

    try:
        return _read_table(path, score, sheet, sheet_setting, expected)
    except python_calamine.CalamineError as exc:
        raise ExtractError(
            path,
            f"A sheet of the workbook cannot be read ({type(exc).__name__}: {exc}).",
            "Open it in Excel, save it as .xlsx and drop it in the inbox again.",
        ) from None


def _read_table(
    path: Path,
    score: Callable[[list[str]], tuple[bool, int]],
    sheet: str | int | None,
    sheet_setting: str | None,
    expected: str,
) -> Table:
    """A CSV/text file or a workbook as a header and numbered rows (see ``locate_header``).

    In a workbook the sheet read is ``sheet`` (a name or 0-based position), or else the
    only sheet with a header that fits: a workbook with a notes sheet in front is common,
    and picking the one sheet that fits is not a guess; two that fit is ambiguous and
    blocks. With no fitting sheet, the sheet is chosen as ``locate_header`` chooses a row:
    the one whose header has the most recognised columns, so that the caller's message
    names what it lacks (and a header with merged cells, the usual reason, is named). Of
    several sheets, none with any recognised column, or two with the most, blocks: which
    one is meant is not known."""
    if path.suffix.lower() not in EXCEL_SUFFIXES:
        numbered, encoding = read_text_rows(path)
        return locate_header(path, numbered, encoding, score)
    workbook = _open_workbook(path)
    names = workbook.sheet_names
    if sheet is not None:
        exists = sheet in names if isinstance(sheet, str) else 0 <= sheet < len(names)
        if not exists:
            raise ExtractError(
                path,
                f"The workbook has no sheet {sheet!r}; its sheets are {', '.join(names)}.",
                f"Correct {sheet_setting}, or remove it to pick the sheet by its header.",
            )
        chosen = workbook.get_sheet_by_name(names[sheet] if isinstance(sheet, int) else sheet)
        table = locate_header(path, _sheet_rows(chosen), "xlsx", score, chosen.name)
        _explain_merged_header(path, chosen, table, score)
        return table
    fitting, tried = [], []
    for name in names:
        candidate = workbook.get_sheet_by_name(name)
        rows = _sheet_rows(candidate)
        if all(_is_blank(cells) for _, cells in rows):
            continue
        table = locate_header(path, rows, "xlsx", score, name)
        tried.append((candidate, table))
        if score(table.header)[0]:
            fitting.append(table)
    if len(fitting) == 1:
        return fitting[0]
    if len(fitting) > 1:
        raise ExtractError(
            path,
            f"Sheets {', '.join(repr(t.sheet) for t in fitting)} all have {expected}.",
            _name_the_sheet(sheet_setting),
        )
    if not tried:
        raise ExtractError(path, "The workbook's sheets are empty.", "Export the extract again.")
    counts = [score(table.header)[1] for _, table in tried]
    best = [i for i, count in enumerate(counts) if count == max(counts)]
    if len(tried) > 1 and (max(counts) == 0 or len(best) > 1):
        sheets = ", ".join(repr(table.sheet) for _, table in tried)
        problem = (
            f"No sheet has {expected} (its sheets are {sheets})."
            if max(counts) == 0
            else f"No sheet has all of {expected}, and sheets "
            f"{', '.join(repr(tried[i][1].sheet) for i in best)} have as many of them "
            f"({max(counts)})."
        )
        raise ExtractError(path, problem, _name_the_sheet(sheet_setting))
    chosen, table = tried[best[0]]
    _explain_merged_header(path, chosen, table, score)
    return table


def _name_the_sheet(sheet_setting: str | None) -> str:
    if sheet_setting is None:
        return "Delete the other sheets, so that the workbook holds only the one to read."
    return f"Delete the other sheets, or name the one to read in {sheet_setting}."


def _explain_merged_header(path: Path, sheet, table: Table, score) -> None:
    """A header with merged cells is the usual reason an Excel header does not match."""
    if score(table.header)[0]:
        return
    merged = _merged_header_cells(sheet, table.header_row)
    if merged:
        raise ExtractError(
            path,
            f"Sheet {sheet.name!r}: the header row {table.header_row} has merged cells "
            f"({', '.join(merged)}), so some columns have no name.",
            "Unmerge the header cells and give every column its own name in one header row.",
        )


def _read_cells(path: Path, kind: str, settings: Settings) -> Table:
    def score(cells: list[str]) -> tuple[bool, int]:
        match = _match_header(cells, kind, settings)
        return not match.missing, len(match.positions)

    return read_table(path, score, settings.extracts[kind].sheet, f"[extracts.{kind}] sheet")


class _HeaderMatch(NamedTuple):
    positions: dict[int, str]
    dropped: list[str]
    missing: list[str]
    repeated: list[str]


def _match_header(header: list[str], kind: str, settings: Settings) -> _HeaderMatch:
    """Position of each canonical column in the file, and what does not fit the allow-list."""
    mapping = settings.extracts[kind].columns
    wanted = {header_key(col.name): col.name for col in EXTRACT_COLUMNS[kind]}
    wanted.update(
        {header_key(mapping[c.name]): c.name for c in EXTRACT_COLUMNS[kind] if c.name in mapping}
    )
    positions: dict[int, str] = {}
    dropped: list[str] = []
    repeated: list[str] = []
    for position, name in enumerate(header):
        canonical = wanted.get(header_key(name))
        if canonical is None:
            if name.strip():
                dropped.append(name.strip())
        elif canonical in positions.values():
            repeated.append(canonical)
        else:
            positions[position] = canonical
    missing = [
        c.name
        for c in EXTRACT_COLUMNS[kind]
        if c.in_every_file and c.name not in positions.values()
    ]
    return _HeaderMatch(positions, dropped, missing, repeated)


def _map_header(path: Path, table: Table, kind: str, settings: Settings) -> _HeaderMatch:
    match = _match_header(table.header, kind, settings)
    mapping = settings.extracts[kind].columns
    if match.missing:
        expected = ", ".join(f"'{mapping.get(c, c)}'" for c in match.missing)
        raise ExtractError(
            path,
            f"Required column(s) missing: {expected}{_where_header(table, match)}.",
            f"Add them to the export, or map the force's header in [extracts.{kind}.columns].",
        )
    if match.repeated:
        raise ExtractError(
            path,
            f"Column(s) {', '.join(repr(c) for c in match.repeated)} appear more than once "
            f"in the header (row {table.header_row}).",
            "Keep one column of each; delete or rename the others.",
        )
    return match


def _mapped_but_absent(match: _HeaderMatch, kind: str, settings: Settings) -> tuple[str, ...]:
    """A warning for each column the file may leave out whose header the configuration maps
    but the file lacks: read as blank, as the column left out, which the mapping says it was
    not meant to be (a renamed header in the export, a typo in the mapping)."""
    mapping = settings.extracts[kind].columns
    return tuple(
        f"[extracts.{kind}.columns] {c.name} = {mapping[c.name]!r}: the file's header has no "
        f"such column, so every row's {c.name} is read as blank. Correct the mapping, or "
        "add the column to the export."
        for c in EXTRACT_COLUMNS[kind]
        if not c.in_every_file and c.name in mapping and c.name not in match.positions.values()
    )


def _where_header(table: Table, match: _HeaderMatch) -> str:
    """Which row was read as the header, when that is not obvious."""
    sheet = f"sheet {table.sheet!r}, " if table.sheet else ""
    if not match.positions:
        return (
            f" ({sheet}no row among the first {HEADER_SEARCH_ROWS} has any of the extract's "
            f"columns; the header is expected in row {table.header_row}, above the data)"
        )
    if table.header_row != HEADER_ROW:
        return (
            f" ({sheet}the header was read from row {table.header_row}, the row with most of "
            "the extract's columns; the rows above it were skipped)"
        )
    return ""


def _parse_dates(values: pd.Series) -> pd.Series:
    """ISO dates and date-times, day-first dates (UK exports: ``31/03/2026``, ``31/03/26``,
    ``31-Mar-2026``, ``31 March 2026``) and Excel serial numbers, to the day
    (``DATE_FORMATS``); anything else, and any date outside 1900-2199, stays NaT (and its
    row is quarantined).

    Each distinct text is parsed once per process (``_DATES``): births, service and rank
    dates recur in every snapshot of a history."""
    if values.isna().any():
        return _per_distinct(values, _parse_distinct_dates)
    codes, uniques = pd.factorize(values)
    days = np.array(_DATES.lookup(uniques.tolist(), distinct=True), dtype="int64")
    return pd.Series(days.take(codes).view("datetime64[ns]"), index=values.index)


def _parse_dates_to_int(new: list[str]) -> list[int]:
    parsed = _parse_distinct_dates(pd.Series(new, dtype="str"))
    return parsed.to_numpy().view("int64").tolist()


_DATES = _Memo(_parse_dates_to_int)


def _parse_distinct_dates(values: pd.Series) -> pd.Series:
    parsed = pd.Series(pd.NaT, index=values.index, dtype="datetime64[us]")
    todo = values.ne("")
    iso, shape = DATE_FORMATS[0]  # most files: tried first, on the text as it is
    fits = todo & values.str.fullmatch(shape)
    if fits.any():
        parsed[fits] = pd.to_datetime(values[fits], format=iso, errors="coerce")
    todo &= ~fits
    rest = _date_text(values[todo]) if todo.any() else values[todo]
    for fmt, shape in (*DATE_FORMATS, *TWO_DIGIT_YEAR_FORMATS):
        if rest.empty:
            break
        fits = rest.str.fullmatch(shape)
        if fits.any():
            found = pd.to_datetime(rest[fits], format=fmt, errors="coerce")
            parsed[found.index] = _in_window(found) if "%y" in fmt else found
            rest = rest[~fits]
    todo = parsed.isna() & values.str.fullmatch(EXCEL_SERIAL.pattern)
    if todo.any():
        serial = pd.to_numeric(values[todo]).astype("float64").floordiv(1)
        parsed[todo] = pd.Timestamp("1899-12-30") + pd.to_timedelta(serial, unit="D")
    plausible = parsed.between(*PLAUSIBLE_DATES)
    return parsed.where(plausible).dt.normalize().astype("datetime64[ns]")


def _date_text(values: pd.Series) -> pd.Series:
    """The date part of each text, as ``DATE_FORMATS`` shapes expect it: any time of day
    dropped, and where a month is named (``31-Mar-2026``, ``31st March, 2026``) the
    separators made single spaces, ordinal suffixes dropped and ``Sept`` made ``Sep``."""
    timed = values.str.contains(":", regex=False)
    text = values.copy()
    if timed.any():
        text[timed] = values[timed].str.replace(TIME_OF_DAY.pattern, "", regex=True)
    named = text.str.contains("[A-Za-z]")
    if named.any():
        text[named] = (
            text[named]
            .str.replace(r"[\s,./-]+", " ", regex=True)
            .str.strip()
            .str.replace(r"(\d)(?:st|nd|rd|th)\b", r"\1", regex=True, case=False)
            .str.replace(r"\bsept\b", "Sep", regex=True, case=False)
        )
    return text


def two_digit_year_window(today: date | None = None) -> tuple[int, int]:
    """The first and last year a two-digit year can mean (``YEARS_BEFORE_THE_RUN``)."""
    first = (today or date.today()).year - YEARS_BEFORE_THE_RUN
    return first, first + 99


def _in_window(parsed: pd.Series) -> pd.Series:
    """Dates read with ``%y`` (which puts 69-99 in the 1900s) moved to the century of
    ``two_digit_year_window``; a 29 February that the century has not is missing."""
    first, _ = two_digit_year_window()
    year = first + (parsed.dt.year - first) % 100
    return pd.to_datetime(
        pd.DataFrame({"year": year, "month": parsed.dt.month, "day": parsed.dt.day}),
        errors="coerce",
    )


THOUSANDS = r"[+-]?[1-9]\d{0,2}(?:,\d{3})+"
"""A number with thousands separators in the standard grouping: 1,234 and 12,345,678."""
ONE_GROUP = r"[+-]?[1-9]\d{0,2},\d{3}"
"""One comma before three digits (2,000): thousands in a UK export, a decimal comma with three
places in a continental one; a whole-number column reads it as thousands, a decimal column
as its other values say (``_parse_decimals``)."""
DECIMAL_COMMA = r"[+-]?\d+,\d+"
SCIENTIFIC = r"[+-]?(?:\d[\d,]*(?:[.,]\d*)?|[.,]\d+)[eE][+-]?\d+"
"""A number in scientific notation (1E+03, 1.5e3, 6,0E-01): what a spreadsheet shows, and
saves in a CSV, for a number formatted so or too wide for its column, rounded to the digits
shown. Never read: the digits it dropped are lost (a count of 1,234,567 saved as 1.23E+06)."""
MAX_WHOLE = 10**15
"""A whole number longer than 15 digits is no count or order (and not exact as a float)."""


def parse_whole_numbers(values: pd.Series) -> pd.Series:
    """A whole-number column (a count, an order): digits, with thousands separators in the
    standard grouping (``THOUSANDS``) or none, and a decimal part that ``_convert_column``
    accepts only if it is zero (12.0, as Excel writes a count); a value with any other comma
    (1,62 or 12,34,5) is missing (quarantined), never read as a decimal comma. What
    ``_numbers`` refuses is missing too. Also the census reader's one reading of a count.

    Shape: a text Series in, a float64 Series with the same index out (NaN where missing)."""
    values = _ascii_digits(values)
    grouped = values.str.fullmatch(THOUSANDS + r"(?:\.\d*)?")
    text = values.str.replace(",", "", regex=False).where(grouped, values)
    text = text.where(grouped | ~values.str.contains(",", regex=False))
    return _numbers(text)


def _numbers(text: pd.Series) -> pd.Series:
    """The one conversion of a number's text, for whole and decimal columns alike: plain
    digits with a sign and a decimal point only. Scientific notation (``SCIENTIFIC``) and
    ``nan``, ``inf`` or ``Infinity`` (which ``pd.to_numeric`` reads) are missing, so that
    their rows are quarantined: no count or FTE is either."""
    text = text.where(~text.str.fullmatch(SCIENTIFIC, na=False))
    numbers = pd.to_numeric(text, errors="coerce").astype("float64")
    return numbers.where(np.isfinite(numbers))


def _ascii_digits(values: pd.Series) -> pd.Series:
    """Unicode decimal digits (full-width ``\uff11\uff12``, Arabic-Indic ``\u0661\u0662``) as 0-9
    (12): a value typed with an East Asian input method means the same number."""
    wide = values.str.contains(r"[^\x00-\x7f]", na=False)
    if not wide.any():
        return values

    def one(text: str) -> str:
        return "".join(str(unicodedata.decimal(c)) if c.isdecimal() else c for c in text)

    return values.mask(wide, values[wide].map(one))


def _parse_decimals(values: pd.Series) -> pd.Series:
    """A decimal column (FTE), given all its distinct values at once: a point or a decimal
    comma (0,6); thousands separators where they cannot be a decimal comma (1,234,567 or
    1,234.5). One comma before three digits (``ONE_GROUP``, 2,000) is read as the column's
    other values say: as a decimal comma where some value has one that cannot be thousands
    (0,6 or 0,600) and none has a decimal point or thousands separators, as thousands where
    the reverse holds, and is missing (quarantined as ambiguous) otherwise. What ``_numbers``
    refuses is missing too."""
    values = _ascii_digits(values)
    one_group = values.str.fullmatch(ONE_GROUP)
    thousands = values.str.fullmatch(THOUSANDS) & ~one_group
    thousands |= values.str.fullmatch(THOUSANDS + r"\.\d+")
    decimal_comma = values.str.fullmatch(DECIMAL_COMMA) & ~one_group
    point = values.str.fullmatch(r"[+-]?\d*\.\d+")
    says_thousands = thousands.any() or point.any()
    says_decimal = decimal_comma.any()
    if says_decimal and not says_thousands:
        decimal_comma |= one_group
    elif says_thousands and not says_decimal:
        thousands |= one_group
    text = values.where(~one_group)
    text = text.mask(thousands, values.str.replace(",", "", regex=False))
    text = text.mask(decimal_comma, values.str.replace(",", ".", regex=False))
    return _numbers(text)


def _parse_years(values: pd.Series) -> pd.Series:
    """The year a reporting year ends: 2025 as it is, 2024/25 and 2024-2025 as 2025; a pair
    of years that are not consecutive, or anything else, is missing (quarantined)."""
    return _per_distinct(values, _parse_distinct_years)


def _parse_distinct_years(values: pd.Series) -> pd.Series:
    parts = values.str.extract(REPORTING_YEAR)
    first = pd.to_numeric(parts["first"], errors="coerce")
    second = pd.to_numeric(parts["second"], errors="coerce")
    short = first // 100 * 100 + second
    short = short.where(short > first, short + 100)  # 1999/00 ends in 2000
    second_full = second.where(second >= 100, short)
    consecutive = second.isna() | (second_full == first + 1)
    years = second_full.fillna(first).where(consecutive)
    return years.astype("Int64")


class _RowChecker:
    """Collects row problems while each column is converted, one vectorised pass a column."""

    def __init__(self, rows: pd.Series):
        self.rows = rows
        self.problems: list[RowProblem] = []

    def flag(self, mask: pd.Series, column: str, rule: str, message: str) -> None:
        if not mask.any():
            return
        for position in mask[mask].index:
            self.problems.append(RowProblem(int(self.rows[position]), column, rule, message))


def _convert(
    cells: pd.DataFrame, kind: str, settings: Settings, allowed: dict[str, frozenset[str]]
) -> tuple[pd.DataFrame, list[RowProblem]]:
    checker = _RowChecker(cells["source_row"])
    out = pd.DataFrame({"source_row": cells["source_row"].astype("int64")})
    for column in EXTRACT_COLUMNS[kind]:
        values = cells[column.name].str.strip(TRIMMED)
        is_error = values.isin(EXCEL_ERROR_VALUES)
        checker.flag(
            is_error,
            column.name,
            "excel_error_value",
            f"'{column.name}' holds an Excel error value such as #N/A; fix the formula in the "
            "workbook, or type the value, and export again.",
        )
        if is_error.any():
            values = values.mask(is_error, "")
        blank = values.eq("")
        out[_target_name(column)] = _convert_column(
            column, values, blank, kind, settings, allowed, checker, out
        )
    return out, checker.problems


def _target_name(column: Column) -> str:
    return KEY_COLUMN_FOR_ID.get(column.name, column.name) if column.type == "id" else column.name


def _convert_column(column, values, blank, kind, settings, allowed, checker, out) -> pd.Series:
    name = column.name
    if column.type == "id":
        rounded = rounded_identifiers(values) & ~blank
        checker.flag(
            rounded,
            name,
            "invalid_number",
            f"'{name}' is a number in scientific notation (such as 1.23457E+11) that was "
            "rounded by a spreadsheet to the digits it shows, so it may be another person's "
            f"number; save the file with the '{name}' column formatted as text (or export it "
            "again from the HR system) and load it again.",
        )
        return _pseudonymise_identifiers(values.mask(blank | rounded), settings.pseudonym_key())
    if column.type == "text":
        return values.mask(blank)
    if column.type == "date":
        parsed = _parse_dates(values)
        checker.flag(
            parsed.isna() & ~blank,
            name,
            "invalid_date",
            f"'{name}' is not a date between 1900 and 2199; write it as yyyy-mm-dd or "
            "dd/mm/yyyy (or as an Excel date): numeric dates are read day first, so a US "
            "month-first date (03/31/2026) is not one.",
        )
        return parsed
    if column.type == "int":
        numbers = _per_distinct(values, parse_whole_numbers)
        bad = numbers.isna() & ~blank
        scientific = bad & _scientific(values)
        commas = bad & ~scientific
        commas &= _per_distinct(values, lambda text: text.str.contains(",", regex=False))
        checker.flag(
            commas,
            name,
            "invalid_number",
            f"'{name}' is not a whole number: a comma in it is not a thousands separator in "
            "groups of three (1,234 or 12,345,678); write the number in digits, e.g. 1234 "
            "or 1,234.",
        )
        checker.flag(
            scientific,
            name,
            "invalid_number",
            f"'{name}' is in scientific notation (such as 1E+03), which a spreadsheet saves "
            "rounded to the digits it shows; a count is written in full (1000): format the "
            "column as a number without decimal places and export again.",
        )
        large = numbers.abs() > MAX_WHOLE
        checker.flag(
            large,
            name,
            "invalid_number",
            f"'{name}' has more than 15 digits, more than any count or order; check the "
            "cell (it may hold an identifier or a date) and export again.",
        )
        bad |= large | (numbers.notna() & (numbers % 1 != 0))
        checker.flag(
            bad & ~commas & ~scientific & ~large,
            name,
            "invalid_number",
            f"'{name}' is not a whole number; write digits only (e.g. 1234 or 1,234), "
            "without a decimal part, units or a % sign.",
        )
        return numbers.mask(bad).astype("Int64")
    if column.type == "number":
        numbers = _per_distinct(values, _parse_decimals)
        bad = numbers.isna() & ~blank
        ambiguous = bad & _per_distinct(values, lambda text: text.str.fullmatch(ONE_GROUP))
        checker.flag(
            ambiguous,
            name,
            "invalid_number",
            f"'{name}' can be read two ways: a comma before three digits (2,000) is a "
            "thousands separator in some exports and a decimal comma in others, and the "
            "column's other values in the file do not settle which; write it with a decimal "
            "point (2.0) or without the comma (2000).",
        )
        scientific = bad & _scientific(values)
        checker.flag(
            scientific,
            name,
            "invalid_number",
            f"'{name}' is in scientific notation (such as 6E-01), which a spreadsheet saves "
            "rounded to the digits it shows; format the column as a number with its decimal "
            "places (0.6) and export again.",
        )
        checker.flag(
            bad & ~ambiguous & ~scientific,
            name,
            "invalid_number",
            f"'{name}' is not a number; write digits only (e.g. 0.6 or 0,6), without units "
            "or a % sign.",
        )
        return numbers.mask(bad).astype("Float64")
    if column.type == "year":
        years = _parse_years(values)
        checker.flag(
            years.isna() & ~blank,
            name,
            "invalid_year",
            f"'{name}' is not a year; write the year it ends, e.g. 2025 (or 2024/25).",
        )
        return years
    if column.type == "flag":
        flags = _per_distinct(values, lambda text: text.str.casefold().map(FLAG_VALUES))
        checker.flag(flags.isna() & ~blank, name, "invalid_flag", f"'{name}' must be Y or N.")
        return flags.astype("boolean")
    return _normalise_codes(name, values, blank, kind, settings, allowed, out)


def _scientific(values: pd.Series) -> pd.Series:
    return _per_distinct(values, lambda text: text.str.fullmatch(SCIENTIFIC))


def _normalise_codes(name, values, blank, kind, settings, allowed, out) -> pd.Series:
    """Exact code, then a difference of case, spacing or dash only (``codes.code_key``),
    then the configured synonym table; a value that is none of these is kept as written,
    for the contract to quarantine by name."""
    if name == "rank_or_band" and "is_temporary_rank" in {c.name for c in EXTRACT_COLUMNS[kind]}:
        is_temporary = _per_distinct(
            values, lambda text: text.str.contains(TEMPORARY_RANK_PREFIX, na=False)
        )
        values = _per_distinct(
            values, lambda text: text.str.replace(TEMPORARY_RANK_PREFIX, "", regex=True)
        )
        out.attrs.setdefault("temporary_from_rank", is_temporary)
    valid = allowed.get(name)
    if not valid:
        return values.mask(blank)
    by_key = {code_key(code): code for code in valid}
    lookup = {**synonyms_for(settings, name), **by_key}

    def distinct(text: pd.Series) -> pd.Series:
        keys = text.map(code_key, na_action="ignore").map(lookup)
        return text.where(text.isin(valid), keys).fillna(text).astype("str")

    return _per_distinct(values, distinct).mask(blank).astype("str")


def _fast_cells(path: Path, kind: str, match_header) -> tuple | None:
    """The cells of a plain CSV/text file read by Arrow (``fast_csv``): (header match, cells
    frame as the exact path builds it, row numbers, encoding, content hash), or ``None`` for
    anything the exact path must read to say what is wrong (a missing or repeated column, a
    ragged row, unusual quoting, a NUL, an undecodable file)."""
    from pipeline import fast_csv

    raw = path.read_bytes()
    try:
        text, encoding = _decode(path, raw)
        delimiter = _delimiter(text)
        found = _header_and_body(path, text, delimiter, encoding, match_header)
    except (ExtractError, csv.Error):
        return None
    if found is None or "\x00" in text:
        return None
    header, header_row, offset = found
    match = match_header(header)
    if match.missing or match.repeated:
        return None
    if encoding == "utf-8":
        data = raw[len(text[:offset].encode("utf-8")) :]
    else:
        data = text[offset:].encode("utf-8")
    rows = fast_csv.read_rows(text[offset:], data, delimiter, len(header), header_row + 1)
    if rows is None or not len(rows.source_rows):
        return None
    cells = pd.DataFrame(
        {
            canonical: pd.Series(rows.columns[pos], dtype="str")
            for pos, canonical in match.positions.items()
        }
    )
    return match, cells, rows.source_rows, encoding, hashlib.sha256(raw).hexdigest()


def _header_and_body(path: Path, text: str, delimiter: str, encoding: str, match_header):
    """(header cells, its row number, where the rows below it start in ``text``), the header
    found as the exact path finds it (``locate_header``: title and blank rows above it are
    skipped); ``None`` if a row above or in the header spans lines."""
    lengths: list[int] = []

    def lines():
        for line in io.StringIO(text, newline=""):
            lengths.append(len(line))
            yield line

    def score(cells: list[str]) -> tuple[bool, int]:
        match = match_header(cells)
        return not match.missing, len(match.positions)

    reader = csv.reader(lines(), delimiter=delimiter)
    numbered, candidates = [], 0
    for number, cells in enumerate(reader, start=HEADER_ROW):
        if reader.line_num != number:
            return None
        numbered.append((number, cells))
        candidates += not _is_blank(cells)
        if candidates == HEADER_SEARCH_ROWS:
            break
    table = locate_header(path, numbered, encoding, score)
    return table.header, table.header_row, sum(lengths[: table.header_row])


def _exact_cells(path: Path, kind: str, settings: Settings) -> tuple:
    """The cells of any extract read row by row in Python (CSV module or calamine), with
    the row problems of ragged rows: the reference for ``_fast_cells``."""
    table = _read_cells(path, kind, settings)
    header, rows, encoding = table.header, table.rows, table.encoding
    match = _map_header(path, table, kind, settings)
    if not rows and not EMPTY_FILE_MEANS[kind]:
        raise ExtractError(
            path,
            f"The file has a header but no rows; a {kind} extract with none is an export "
            "fault, not a fact about the force.",
            "Export the extract again.",
        )
    width = len(header)
    ragged = _ragged_rows(header, rows)
    padded = [row if len(row) >= width else row + [""] * (width - len(row)) for _, row in rows]
    columns = list(zip(*padded, strict=False)) if padded else [()] * width
    cells = pd.DataFrame(
        {
            canonical: pd.Series(columns[pos], dtype="str")
            for pos, canonical in match.positions.items()
        }
    )
    numbers = [number for number, _ in rows]
    return match, cells, numbers, encoding, file_hash(path), ragged


def _ragged_rows(header: list[str], rows: Numbered) -> list[RowProblem]:
    """A ``wrong_field_count`` problem for each row whose fields do not line up with the
    header's. A row may have as many fields as the header, or as many as most of the
    file's rows when that differs only by empty fields at the end: many report writers end
    every data line with a delimiter (``a,b,c,`` under ``a,b,c``), or the header with one
    the data lines lack. A row with another number of fields is truncated or holds an
    unquoted delimiter."""
    width = len(header)
    named = width
    while named and not header[named - 1].strip():
        named -= 1
    usual = Counter(len(cells) for _, cells in rows).most_common(1)[0][0] if rows else width
    fitting = {width, usual} if usual >= named else {width}

    def fits(cells: list[str]) -> bool:
        return len(cells) in fitting and not any(cell.strip() for cell in cells[width:])

    def message(count: int) -> str:
        most = f" and most rows {usual}" if usual != width else ""
        return (
            f"The row has {count} field{'' if count == 1 else 's'}, the header has {width}"
            f"{most}; it may be truncated or hold an unquoted delimiter. Export the file again."
        )

    return [
        RowProblem(number, "*", "wrong_field_count", message(len(cells)))
        for number, cells in rows
        if not fits(cells)
    ]


def read_extract(
    path: Path,
    kind: str,
    settings: Settings,
    allowed: dict[str, frozenset[str]],
    fast: bool = True,
) -> Extract:
    """Read one file, every row typed; raise only for a file-level fault.

    A plain CSV file is read by Arrow (``_fast_cells``) when ``fast``; anything it is not
    sure of is read row by row (``_exact_cells``), which gives every message. Both give the
    same cells (``tests/unit/test_fast_csv.py``)."""
    found = None
    if fast and path.suffix.lower() in CSV_SUFFIXES:
        found = _fast_cells(path, kind, lambda header: _match_header(header, kind, settings))
    if found is not None:
        match, cells, numbers, encoding, content_hash = found
        ragged = []
    else:
        match, cells, numbers, encoding, content_hash, ragged = _exact_cells(path, kind, settings)
    for column in EXTRACT_COLUMNS[kind]:
        if column.name not in cells:  # a column the file may leave out
            cells[column.name] = pd.Series([""] * len(cells), dtype="str")
    cells["source_row"] = numbers
    typed, problems = _convert(cells, kind, settings, allowed)
    temporary = typed.attrs.pop("temporary_from_rank", None)
    if temporary is not None:
        typed["is_temporary_rank"] = typed["is_temporary_rank"] | temporary
    original = cells.set_index("source_row")
    for column, key in KEY_COLUMN_FOR_ID.items():
        if column in original:
            original = original.drop(columns=column).assign(
                **{key: typed.set_index("source_row")[key]}
            )
    return Extract(
        kind=kind,
        path=path,
        content_hash=content_hash,
        typed=typed,
        original=original,
        problems=(*ragged, *problems),
        dropped_columns=match.dropped,
        encoding=encoding,
        warnings=_mapped_but_absent(match, kind, settings),
    )
