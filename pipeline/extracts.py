"""Reading HR extracts into typed, pseudonymised frames with the canonical columns.

A reader never guesses: an unreadable file is an ``ExtractError`` (blocking, with the file
and what to fix); an unparseable value is a ``RowProblem`` that quarantines its row. Raw
identifiers are replaced by keyed hashes here, before any other stage sees them.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import pandas as pd

from pipeline.config import EXTRACT_KINDS, Settings
from pipeline.schemas import EXTRACT_COLUMNS, KEY_COLUMN_FOR_ID, Column, synonyms_for

EXCEL_SUFFIXES = {".xlsx", ".xlsm", ".xls"}
CSV_SUFFIXES = {".csv", ".txt"}
EXCEL_ERROR_VALUES = {"#N/A", "#REF!", "#VALUE!", "#DIV/0!", "#NAME?", "#NULL!", "#NUM!"}
FLAG_VALUES = {"y": True, "yes": True, "true": True, "1": True, "n": False, "no": False,
               "false": False, "0": False}  # fmt: skip
TEMPORARY_RANK_PREFIX = re.compile(
    r"^\s*(?:t|a|temp|acting)\s*[/.]\s*|^\s*(?:temp|acting)\s+", re.I
)
FIRST_DATA_ROW = 2
"""Row numbers are as an analyst sees them in Excel or a text editor: the header is row 1."""


class ExtractError(Exception):
    """A file that cannot be loaded at all; publication is blocked until it is fixed."""

    def __init__(self, path: Path, problem: str, fix: str):
        self.path, self.problem, self.fix = path, problem, fix
        super().__init__(f"{path.name}: {problem} {fix}")


@dataclass(frozen=True)
class RowProblem:
    source_row: int
    column: str
    rule: str
    message: str


@dataclass
class Extract:
    kind: str
    path: Path
    content_hash: str
    frame: pd.DataFrame
    """Good rows: canonical, typed columns plus ``source_row``."""
    quarantined: pd.DataFrame
    """Rows with problems: ``source_row``, ``rule``, ``column``, ``message``, ``values_json``."""
    dropped_columns: list[str] = field(default_factory=list)
    encoding: str = "utf-8"
    rows_read: int = 0


def pseudonymise(values: pd.Series, key: bytes) -> pd.Series:
    """HMAC-SHA-256, so that nobody without the key can recover a payroll number by trying
    every possible one, while the same person keeps the same pseudonym night after night."""
    mapping = {
        value: hmac.new(key, value.encode("utf-8"), hashlib.sha256).hexdigest()[:32]
        for value in values.dropna().unique()
    }
    return values.map(mapping)


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
            found.append((kind, path))
    return found


def file_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _decode(path: Path, raw: bytes) -> tuple[str, str]:
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8"), "utf-8-sig"
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


def _read_csv_cells(path: Path) -> tuple[list[str], list[list[str]], str]:
    text, encoding = _decode(path, path.read_bytes())
    first_line = text.split("\n", 1)[0]
    delimiter = max([",", ";", "\t", "|"], key=first_line.count)
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    while rows and not any(cell.strip() for cell in rows[-1]):
        rows.pop()
    if not rows:
        raise ExtractError(path, "The file is empty.", "Export the extract again.")
    return rows[0], rows[1:], encoding


def _cell_text(value: object) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else str(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _read_excel_cells(path: Path, sheet: str | int) -> tuple[list[str], list[list[str]]]:
    try:
        frame = pd.read_excel(path, sheet_name=sheet, header=None, dtype=object, engine="calamine")
    except ValueError as exc:
        raise ExtractError(
            path, f"The workbook cannot be read ({exc}).", "Check the sheet name in the config."
        ) from None
    except Exception as exc:  # calamine raises its own error types for corrupt workbooks
        raise ExtractError(
            path, f"The workbook cannot be opened ({type(exc).__name__}).", "Export it again."
        ) from None
    cells = [[_cell_text(v) for v in row] for row in frame.itertuples(index=False)]
    while cells and not any(c.strip() for c in cells[-1]):
        cells.pop()
    if not cells:
        raise ExtractError(path, "The workbook's sheet is empty.", "Export the extract again.")
    return cells[0], cells[1:]


def _normalise_header(name: str) -> str:
    return " ".join(name.replace("\ufeff", "").split()).casefold()


def _map_header(
    path: Path, header: list[str], kind: str, settings: Settings
) -> tuple[dict[int, str], list[str]]:
    """Position of each canonical column in the file, and the names of dropped columns."""
    mapping = settings.extracts[kind].columns
    wanted = {
        _normalise_header(mapping.get(col.name, col.name)): col.name
        for col in EXTRACT_COLUMNS[kind]
    }
    wanted.update({_normalise_header(col.name): col.name for col in EXTRACT_COLUMNS[kind]})
    positions: dict[int, str] = {}
    dropped: list[str] = []
    for position, name in enumerate(header):
        canonical = wanted.get(_normalise_header(name))
        if canonical is None or canonical in positions.values():
            if name.strip():
                dropped.append(name.strip())
            continue
        positions[position] = canonical
    missing = [c.name for c in EXTRACT_COLUMNS[kind] if c.name not in positions.values()]
    if missing:
        expected = ", ".join(f"'{mapping.get(c, c)}'" for c in missing)
        raise ExtractError(
            path,
            f"Required column(s) missing: {expected}.",
            f"Add them to the export, or map the force's header in [extracts.{kind}.columns].",
        )
    return positions, dropped


def _parse_dates(values: pd.Series) -> pd.Series:
    """ISO, dd/mm/yyyy (UK exports) and Excel serial numbers; anything else stays NaT."""
    parsed = pd.to_datetime(values, format="%Y-%m-%d", errors="coerce")
    for fmt in ("%d/%m/%Y", "%Y-%m-%d %H:%M:%S", "%d-%m-%Y", "%d.%m.%Y"):
        todo = parsed.isna() & values.ne("")
        if not todo.any():
            break
        parsed[todo] = pd.to_datetime(values[todo], format=fmt, errors="coerce")
    todo = parsed.isna() & values.str.fullmatch(r"\d{4,5}(\.0+)?")
    if todo.any():
        serial = pd.to_numeric(values[todo]).astype("float64")
        parsed[todo] = pd.Timestamp("1899-12-30") + pd.to_timedelta(serial, unit="D")
    return parsed.astype("datetime64[ns]")


class _RowChecker:
    """Collects row problems while each column is converted, one vectorised pass a column."""

    def __init__(self, rows: pd.Series):
        self.rows = rows
        self.problems: list[RowProblem] = []

    def flag(self, mask: pd.Series, column: str, rule: str, message) -> None:
        for position in mask[mask].index:
            text = message(position) if callable(message) else message
            self.problems.append(RowProblem(int(self.rows[position]), column, rule, text))


def _convert(
    cells: pd.DataFrame, kind: str, settings: Settings, allowed: dict[str, frozenset[str]]
) -> tuple[pd.DataFrame, list[RowProblem]]:
    checker = _RowChecker(cells["source_row"])
    out = pd.DataFrame({"source_row": cells["source_row"].astype("int64")})
    for column in EXTRACT_COLUMNS[kind]:
        values = cells[column.name].str.strip()
        is_error = values.isin(EXCEL_ERROR_VALUES)
        checker.flag(
            is_error,
            column.name,
            "excel_error_value",
            f"'{column.name}' holds an Excel error value; fix the formula or type the value.",
        )
        values = values.mask(is_error, "")
        blank = values.eq("")
        if column.required:
            checker.flag(
                blank & ~is_error,
                column.name,
                "missing_value",
                f"'{column.name}' is blank; it is required.",
            )
        out[_target_name(column)] = _convert_column(
            column, values, blank, kind, settings, allowed, checker, out
        )
    return out, checker.problems


def _target_name(column: Column) -> str:
    return KEY_COLUMN_FOR_ID.get(column.name, column.name) if column.type == "id" else column.name


def _convert_column(column, values, blank, kind, settings, allowed, checker, out) -> pd.Series:
    name = column.name
    if column.type == "id":
        return pseudonymise(values.mask(blank), settings.pseudonym_key())
    if column.type == "text":
        return values.mask(blank)
    if column.type == "date":
        parsed = _parse_dates(values)
        checker.flag(
            parsed.isna() & ~blank,
            name,
            "invalid_date",
            f"'{name}' is not a date; use yyyy-mm-dd or dd/mm/yyyy.",
        )
        return parsed
    if column.type in ("int", "number"):
        numbers = pd.to_numeric(values.str.replace(",", ".", regex=False), errors="coerce")
        bad = numbers.isna() & ~blank
        if column.type == "int":
            bad |= numbers.notna() & (numbers % 1 != 0)
        checker.flag(bad, name, "invalid_number", f"'{name}' is not a number.")
        numbers = numbers.mask(bad)
        return numbers.astype("Int64") if column.type == "int" else numbers.astype("Float64")
    if column.type == "flag":
        flags = values.str.casefold().map(FLAG_VALUES)
        checker.flag(flags.isna() & ~blank, name, "invalid_flag", f"'{name}' must be Y or N.")
        return flags.astype("boolean")
    return _normalise_codes(name, values, blank, kind, settings, allowed, checker, out)


def _normalise_codes(name, values, blank, kind, settings, allowed, checker, out) -> pd.Series:
    """Exact code, then a case-only difference, then the configured synonym table."""
    if name == "rank_or_band" and "is_temporary_rank" in {c.name for c in EXTRACT_COLUMNS[kind]}:
        is_temporary = values.str.contains(TEMPORARY_RANK_PREFIX, na=False)
        values = values.str.replace(TEMPORARY_RANK_PREFIX, "", regex=True)
        out.attrs.setdefault("temporary_from_rank", is_temporary)
    valid = allowed.get(name)
    if not valid:
        return values.mask(blank)
    by_case = {code.casefold(): code for code in valid}
    lookup = {**synonyms_for(settings, name), **by_case}
    folded = values.str.casefold()
    mapped = values.where(values.isin(valid), folded.map(lookup))
    unknown = mapped.isna() & ~blank
    if unknown.any():
        listed = ", ".join(sorted(valid)[:12]) + (" …" if len(valid) > 12 else "")
        raw = values.copy()
        checker.flag(
            unknown,
            name,
            "unknown_code",
            lambda pos: (
                f"'{name}' value {raw[pos]!r} is not a known code or synonym "
                f"(allowed: {listed}); correct it or add a synonym to [codes]."
            ),
        )
    return mapped.mask(blank)


def read_extract(
    path: Path, kind: str, settings: Settings, allowed: dict[str, frozenset[str]]
) -> Extract:
    """Read one file into good rows and quarantined rows; raise only for a file-level fault."""
    encoding = "xlsx"
    if path.suffix.lower() in EXCEL_SUFFIXES:
        header, rows = _read_excel_cells(path, settings.extracts[kind].sheet)
    else:
        header, rows, encoding = _read_csv_cells(path)
    positions, dropped = _map_header(path, header, kind, settings)
    if not rows:
        raise ExtractError(path, "The file has a header but no rows.", "Export the extract again.")
    width = len(header)
    ragged = [
        RowProblem(i + FIRST_DATA_ROW, "*", "wrong_field_count",
                   f"The row has {len(r)} fields, the header has {width}; it may be truncated.")
        for i, r in enumerate(rows) if len(r) != width
    ]  # fmt: skip
    cells = pd.DataFrame(
        {
            canonical: pd.Series([row[pos] if pos < len(row) else "" for row in rows], dtype="str")
            for pos, canonical in positions.items()
        }
    )
    cells["source_row"] = range(FIRST_DATA_ROW, FIRST_DATA_ROW + len(rows))
    frame, problems = _convert(cells, kind, settings, allowed)
    temporary = frame.attrs.pop("temporary_from_rank", None)
    if temporary is not None:
        frame["is_temporary_rank"] = frame["is_temporary_rank"] | temporary
    problems = ragged + problems
    original = cells.copy()
    for column, key in KEY_COLUMN_FOR_ID.items():
        if column in original:
            original = original.drop(columns=column).assign(**{key: frame[key]})
    return _split(kind, path, frame, original, problems, dropped, encoding, len(rows))


def _split(kind, path, frame, original, problems, dropped, encoding, rows_read) -> Extract:
    """Quarantined rows keep the values as the file had them (identifiers pseudonymised),
    so that a corrected value can be re-processed and nothing raw is stored."""
    bad_rows = {p.source_row for p in problems}
    is_bad = frame["source_row"].isin(bad_rows)
    values = original[original["source_row"].isin(bad_rows)].set_index("source_row")
    first_problem = {}
    for problem in problems:
        first_problem.setdefault(problem.source_row, []).append(problem)
    quarantined = pd.DataFrame(
        [
            {
                "source_row": row,
                "rule": "; ".join(p.rule for p in found),
                "column_name": "; ".join(p.column for p in found),
                "message": " ".join(p.message for p in found),
                "values_json": values.loc[row].to_json(),
            }
            for row, found in sorted(first_problem.items())
        ],
        columns=["source_row", "rule", "column_name", "message", "values_json"],
    )
    return Extract(
        kind=kind,
        path=path,
        content_hash=file_hash(path),
        frame=frame[~is_bad].reset_index(drop=True),
        quarantined=quarantined,
        dropped_columns=dropped,
        encoding=encoding,
        rows_read=rows_read,
    )
