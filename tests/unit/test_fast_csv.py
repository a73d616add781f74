"""The fast CSV path (Arrow) gives exactly what the exact path (Python's csv module) gives,
on the demo's extracts and on the quirks real exports have, and leaves to the exact path
every file it cannot read the same way, so that messages naming file, row and column never
depend on which path read the file (issue 13, reader speed)."""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import STAFF_HEADER, staff_row

from pipeline import extracts
from pipeline.config import EXTRACT_KINDS, load_settings
from pipeline.demo import write_demo_force
from pipeline.extracts import ExtractError, read_extract
from pipeline.inputs import inbox_inputs
from pipeline.schemas import EMPTY_FILE_MEANS, EXTRACT_COLUMNS, allowed_codes

LPUS = frozenset({"BHM", "SOL"})
ROWS = [staff_row(f"P{i}", "W1") for i in range(3)]
BODY = STAFF_HEADER + "\n" + "\n".join(ROWS) + "\n"
QUOTED = (
    STAFF_HEADER
    + "\n"
    + "\n".join(",".join(f'"{cell}"' for cell in row.split(",")) for row in ROWS)
)

FAST = {
    "plain": BODY.encode(),
    "utf-8 byte-order mark (Excel's CSV UTF-8)": b"\xef\xbb\xbf" + BODY.encode(),
    "CRLF line ends": BODY.replace("\n", "\r\n").encode(),
    "old Mac CR line ends": BODY.replace("\n", "\r").encode(),
    "no final line end": BODY.rstrip("\n").encode(),
    "Windows-1252 (Excel's plain CSV)": BODY.replace("Response", "Réponse").encode("cp1252"),
    "UTF-16 with a mark (Excel's Unicode Text)": BODY.replace(",", "\t").encode("utf-16"),
    "semicolons": BODY.replace(",", ";").encode(),
    "tabs": BODY.replace(",", "\t").encode(),
    "pipes": BODY.replace(",", "|").encode(),
    "blank lines between and after rows": BODY.replace("\n", "\n\n", 2).encode() + b"\n\n",
    "lines of delimiters only": (BODY + ",,,,,,,,,,,,,\n" + ROWS[0] + "\n").encode(),
    "a whitespace-only row": (BODY + "   ,,,,,,,,,,,,,\n").encode(),
    "trailing empty columns": BODY.replace("\n", ",,\n").encode(),
    "a delimiter ending every data line, not the header": (
        STAFF_HEADER + "\n" + "".join(row + ",\n" for row in ROWS)
    ).encode(),
    "two delimiters ending every data line, CRLF": (
        STAFF_HEADER + "\r\n" + "".join(row + ",,\r\n" for row in ROWS)
    ).encode(),
    "every field quoted": QUOTED.encode(),
    "a quoted delimiter and doubled quotes": (
        BODY + staff_row("P9", "W1").replace("Response", '"Response, ""A"" shift"') + "\n"
    ).encode(),
    "header in another case, spacing and an extra column": (
        STAFF_HEADER.upper().replace("_", " ") + ",Notes\n" + "\n".join(r + ",x" for r in ROWS)
    ).encode(),
    "a blank first cell": (BODY + "," + ROWS[0].split(",", 1)[1] + "\n").encode(),
    "unparseable values": (BODY + staff_row("P8", "W1", fte="one", snapshot="31/02/2026")).encode(),
    "title, run-date and blank rows above the header": (
        "Staff in post, March 2026\nRun by: HR\n\n,,,\n" + BODY
    ).encode(),
    "a blank line above the header": ("\n" + BODY).encode(),
    "control characters and Unicode line separators in a field": (
        BODY + staff_row("P9", "W1").replace("Response", "Re\x0bsp\x1conse\u2028x") + "\n"
    ).encode(),
    "a row of Unicode spaces only": (BODY + "\u3000,\u00a0" + "," * 12 + "\n").encode(),
}
EITHER = {
    "a delimiter ending the header, not the data lines": (
        STAFF_HEADER + ",\n" + "".join(row + "\n" for row in ROWS)
    ).encode(),
    "a field of 3 million characters": (
        BODY + staff_row("P9", "W1").replace("Response", "x" * 3_000_000) + "\n"
    ).encode(),
}
EXACT_ONLY = {
    "a title line broken inside quotes above the header": ('"Staff\nin post"\n' + BODY).encode(),
    "a short row": (BODY + "P7,2026-03-31\n").encode(),
    "a long row": (BODY + ROWS[0] + ",extra\n").encode(),
    "a delimiter ending one data line only": (BODY + ROWS[0] + ",\n").encode(),
    "a value after the delimiter ending every data line": (
        STAFF_HEADER + "\n" + "".join(row + ",x\n" for row in ROWS)
    ).encode(),
    "a quote inside an unquoted field": (BODY + ROWS[0].replace("Response", 'Re"sp')).encode(),
    "a line break inside quotes": (BODY + ROWS[0].replace("Response", '"Resp\nonse"')).encode(),
    "text after a closing quote": (BODY + ROWS[0].replace("Response", '"Resp"onse')).encode(),
    "a NUL byte": (BODY + ROWS[0].replace("Response", "Resp\x00onse")).encode(),
    "a missing column": BODY.replace("ethnicity_code", "ethnicity").encode(),
    "a repeated column": BODY.replace("role", "sex").encode(),
    "a header and no rows": (STAFF_HEADER + "\n").encode(),
    "not text at all": b"\x00\x01" * 100,
    "an undecodable file": b"\xff\xfe\x00\xd8" + BODY.encode(),
}


def _both(path, kind, settings, allowed):
    """(fast, exact): each an Extract or the ExtractError message."""
    results = []
    for fast in (True, False):
        try:
            results.append(read_extract(path, kind, settings, allowed, fast=fast))
        except ExtractError as error:
            results.append(str(error))
    return results


def assert_same(fast, exact) -> None:
    if isinstance(exact, str) or isinstance(fast, str):
        assert fast == exact
        return
    pd.testing.assert_frame_equal(fast.typed, exact.typed)
    pd.testing.assert_frame_equal(fast.original, exact.original)
    assert fast.problems == exact.problems
    assert (fast.dropped_columns, fast.encoding) == (exact.dropped_columns, exact.encoding)
    assert fast.content_hash == exact.content_hash


def _fast_path_reads(path, kind, settings) -> bool:
    found = extracts._fast_cells(path, kind, lambda h: extracts._match_header(h, kind, settings))
    return found is not None


@pytest.mark.parametrize(("case", "content"), FAST.items(), ids=list(FAST))
def test_the_fast_path_reads_quirky_exports_as_the_exact_path_does(tiny_force, case, content):
    path = tiny_force.paths.inbox / "staff_snapshot_x.csv"
    path.write_bytes(content)
    assert _fast_path_reads(path, "staff_snapshot", tiny_force), case
    assert_same(*_both(path, "staff_snapshot", tiny_force, allowed_codes(tiny_force, LPUS)))


@pytest.mark.parametrize(("case", "content"), EXACT_ONLY.items(), ids=list(EXACT_ONLY))
def test_what_the_fast_path_is_unsure_of_is_read_the_exact_way(tiny_force, case, content):
    path = tiny_force.paths.inbox / "staff_snapshot_x.csv"
    path.write_bytes(content)
    assert not _fast_path_reads(path, "staff_snapshot", tiny_force), case
    fast, exact = _both(path, "staff_snapshot", tiny_force, allowed_codes(tiny_force, LPUS))
    assert_same(fast, exact)


def test_the_demo_extracts_read_the_same_either_way(tmp_path):
    config = write_demo_force(tmp_path / "force", fmt="csv")
    settings = load_settings(config)
    lpus = frozenset(pd.read_csv(settings.reference.area_lookup_file)["lpu_code"])
    allowed = allowed_codes(settings, lpus)
    inputs = inbox_inputs(settings)
    assert {i.kind for i in inputs} == set(EXTRACT_KINDS)
    for item in inputs:
        assert _fast_path_reads(item.path, item.kind, settings), item.path.name
        assert_same(*_both(item.path, item.kind, settings, allowed))


@pytest.mark.parametrize(("case", "content"), EITHER.items(), ids=list(EITHER))
def test_whichever_path_reads_it_the_result_is_the_same(tiny_force, case, content):
    path = tiny_force.paths.inbox / "staff_snapshot_x.csv"
    path.write_bytes(content)
    assert_same(*_both(path, "staff_snapshot", tiny_force, allowed_codes(tiny_force, LPUS)))


@pytest.mark.parametrize(
    "content",
    ["{header}\n", "{header}", "{header}\r\n,,,\r\n\r\n", "\ufeffReport title\n\n{header}\n"],
    ids=["header", "no line end", "blank rows below", "title above"],
)
@pytest.mark.parametrize("kind", [k for k, means in EMPTY_FILE_MEANS.items() if means])
def test_a_header_and_no_rows_reads_the_same_either_way(tiny_force, kind, content):
    """An event extract with a header alone (hostile-9 #9) is no rows whichever path reads
    it, with the same columns and types."""
    header = ",".join(c.name for c in EXTRACT_COLUMNS[kind])
    path = tiny_force.paths.inbox / f"{kind}_x.csv"
    path.write_text(content.format(header=header), encoding="utf-8")
    fast, exact = _both(path, kind, tiny_force, allowed_codes(tiny_force, LPUS))
    assert not isinstance(exact, str), exact
    assert exact.rows_read == 0
    assert_same(fast, exact)


SURVEY_HEADER = ",".join(c.name for c in EXTRACT_COLUMNS["staff_survey"])
COUNTS = {"2,000": 2000, "1,621": 1621, "1,234,567": 1234567, "+12,345": 12345, "940": 940}
BADLY_GROUPED = ["1,62", "12,34,5", "1,2345", "01,234"]


def _survey(counts: list[str], sep: str = ",") -> str:
    quote = '"' if sep == "," else ""
    rows = [
        sep.join(["S1", "2025-10-01", f"Q{i}", "Proud", "W1", "F", f"{quote}{n}{quote}", "1"])
        for i, n in enumerate(counts)
    ]
    return SURVEY_HEADER.replace(",", sep) + "\n" + "\n".join(rows) + "\n"


@pytest.mark.parametrize("sep", [",", ";"], ids=["quoted commas", "semicolons"])
def test_thousands_separators_in_a_count_are_the_whole_number_either_way(tiny_force, sep):
    """hostile-10 survey_thou: "2,000" respondents was read as 2 (a decimal comma) and
    "1,621" quarantined as 1.621, with a message suggesting "0.6" for a count."""
    path = tiny_force.paths.inbox / "staff_survey_x.csv"
    path.write_text(_survey([*COUNTS, *BADLY_GROUPED], sep), encoding="utf-8")
    assert _fast_path_reads(path, "staff_survey", tiny_force)
    fast, exact = _both(path, "staff_survey", tiny_force, allowed_codes(tiny_force, LPUS))
    assert_same(fast, exact)
    read = exact.typed["respondent_count"].tolist()
    assert read[: len(COUNTS)] == list(COUNTS.values())
    assert pd.isna(read[len(COUNTS) :]).all()
    quarantined = {p.source_row: p for p in exact.problems}
    assert sorted(quarantined) == list(range(2 + len(COUNTS), 2 + len(COUNTS) + 4))
    for problem in quarantined.values():
        assert (problem.column, problem.rule) == ("respondent_count", "invalid_number")
        assert problem.message.startswith(
            "'respondent_count' is not a whole number: a comma in it is not a thousands "
            "separator in groups of three (1,234 or 12,345,678)"
        )
        assert "0.6" not in problem.message


def test_a_count_with_a_decimal_part_is_told_it_is_not_whole(tiny_force):
    path = tiny_force.paths.inbox / "staff_survey_x.csv"
    path.write_text(_survey(["1.621", "12"]), encoding="utf-8")
    extract = read_extract(path, "staff_survey", tiny_force, allowed_codes(tiny_force, LPUS))
    [problem] = extract.problems
    assert (problem.source_row, problem.column) == (2, "respondent_count")
    assert problem.message == (
        "'respondent_count' is not a whole number; write digits only (e.g. 1234 or 1,234), "
        "without a decimal part, units or a % sign."
    )


def test_a_workbook_count_typed_as_text_with_thousands_separators(tiny_force):
    counts = [*COUNTS, 2000]  # the last a number cell, the others text cells
    frame = pd.DataFrame(
        [["S1", "2025-10-01", f"Q{i}", "Proud", "W1", "F", n, 1] for i, n in enumerate(counts)],
        columns=SURVEY_HEADER.split(","),
    )
    path = tiny_force.paths.inbox / "staff_survey_x.xlsx"
    frame.to_excel(path, index=False)
    extract = read_extract(path, "staff_survey", tiny_force, allowed_codes(tiny_force, LPUS))
    assert extract.problems == ()
    assert extract.typed["respondent_count"].tolist() == [*COUNTS.values(), 2000]


@pytest.mark.parametrize(
    ("ftes", "read", "ambiguous"),
    [
        (["0,6", "1"], [0.6, 1.0], False),
        (["0,6", "1,000"], [0.6, 1.0], False),  # a decimal comma elsewhere: three places
        (["0.6", "2,000"], [0.6, 2000.0], False),  # a decimal point elsewhere: thousands
        (["1,234.5", "-0,5"], [1234.5, -0.5], False),
        (["1", "2,000"], [1.0, None], True),  # nothing says which
        (["0,6", "0.6", "2,000"], [0.6, 0.6, None], True),  # both conventions in one file
        (["1", "1.2.3", "2,000"], [1.0, None, None], True),  # not a number: says nothing
    ],
)
def test_a_decimal_column_reads_a_comma_as_its_other_values_say(tiny_force, ftes, read, ambiguous):
    path = tiny_force.paths.inbox / "staff_snapshot_x.csv"
    rows = [
        staff_row(f"P{i}", "W1", fte="FTE").replace(",", ";").replace("FTE", fte)
        for i, fte in enumerate(ftes)
    ]
    path.write_text(STAFF_HEADER.replace(",", ";") + "\n" + "\n".join(rows) + "\n")
    assert _fast_path_reads(path, "staff_snapshot", tiny_force)
    fast, exact = _both(path, "staff_snapshot", tiny_force, allowed_codes(tiny_force, LPUS))
    assert_same(fast, exact)
    got = exact.typed["fte"].astype("object").where(exact.typed["fte"].notna(), None)
    assert got.tolist() == read
    last = 1 + len(ftes)  # the row of the value a comma before three digits may be
    messages = [p.message for p in exact.problems if (p.column, p.source_row) == ("fte", last)]
    if ambiguous:
        assert messages == [
            "'fte' can be read two ways: a comma before three digits (2,000) is a thousands "
            "separator in some exports and a decimal comma in others, and the column's other "
            "values in the file do not settle which; write it with a decimal point (2.0) or "
            "without the comma (2000)."
        ]
    else:
        assert messages == []


SCIENTIFIC_COUNT = "'respondent_count' is in scientific notation (such as 1E+03)"
NOT_WHOLE = "'respondent_count' is not a whole number; write digits only"
WRITTEN_COUNTS = {
    # hostile-10: 1e3 was read as 1000 (and Infinity read, nan and 1e400 left to chance)
    "1e3": (None, SCIENTIFIC_COUNT),
    "1E3": (None, SCIENTIFIC_COUNT),
    "1.5E+03": (None, SCIENTIFIC_COUNT),
    "1,000e0": (None, SCIENTIFIC_COUNT),
    "1e400": (None, SCIENTIFIC_COUNT),
    "Infinity": (None, NOT_WHOLE),
    "inf": (None, NOT_WHOLE),
    "-inf": (None, NOT_WHOLE),
    "nan": (None, NOT_WHOLE),
    "0x10": (None, NOT_WHOLE),
    "12.5": (None, NOT_WHOLE),
    "1,000.5": (None, NOT_WHOLE),
    "99999999999999999999": (None, "'respondent_count' has more than 15 digits"),
    " 12 ": (12, None),
    "+5": (5, None),
    "12.0": (12, None),
    "1,000.00": (1000, None),
    "\uff11\uff12": (12, None),  # full-width 12, typed with an East Asian input method
    "12": (12, None),
}


def _three_readers(tiny_force, kind, header, rows, tmp_name):
    """The (fast, exact, workbook) reading of the same text cells: a CSV read by Arrow and
    by the csv module, and a workbook whose cells are text."""
    allowed = allowed_codes(tiny_force, LPUS)
    path = tiny_force.paths.inbox / f"{tmp_name}.csv"
    lines = [";".join(header)] + [";".join(row) for row in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert _fast_path_reads(path, kind, tiny_force)
    fast, exact = _both(path, kind, tiny_force, allowed)
    assert_same(fast, exact)
    book = tiny_force.paths.inbox / f"{tmp_name}.xlsx"
    pd.DataFrame(rows, columns=header, dtype="object").to_excel(book, index=False)
    workbook = read_extract(book, kind, tiny_force, allowed)
    pd.testing.assert_frame_equal(workbook.typed, exact.typed)
    assert workbook.problems == exact.problems
    return fast, exact, workbook


def test_a_count_is_read_as_its_writing_means_in_every_reader(tiny_force):
    """A count in scientific notation (rounded to the digits shown), with a decimal part,
    nan or infinite is quarantined with a message naming the column, in its row; 12.0,
    spaces around it, a plus sign and full-width digits are the count they say."""
    header = SURVEY_HEADER.split(",")
    rows = [
        ["S1", "2025-10-01", f"Q{i}", "Proud", "W1", "F", written, "1"]
        for i, written in enumerate(WRITTEN_COUNTS)
    ]
    for extract in _three_readers(tiny_force, "staff_survey", header, rows, "staff_survey_x"):
        read = extract.typed["respondent_count"].astype("object")
        problems = {p.source_row: p for p in extract.problems}
        for row, (written, (count, message)) in enumerate(WRITTEN_COUNTS.items(), start=2):
            if message is None:
                assert read[row - 2] == count, written
                assert row not in problems, written
            else:
                assert pd.isna(read[row - 2]), written
                problem = problems[row]
                assert (problem.column, problem.rule) == ("respondent_count", "invalid_number")
                assert problem.message.startswith(message), (written, problem.message)
        assert set(problems) == {
            row for row, (_, m) in enumerate(WRITTEN_COUNTS.values(), start=2) if m
        }


WRITTEN_FTES = {
    "6E-01": (None, "'fte' is in scientific notation (such as 6E-01)"),
    "1e0": (None, "'fte' is in scientific notation"),
    "Infinity": (None, "'fte' is not a number"),
    "inf": (None, "'fte' is not a number"),
    "nan": (None, "'fte' is not a number"),
    "0x1": (None, "'fte' is not a number"),
    " 0.6 ": (0.6, None),
    "+1": (1.0, None),
    "1.0": (1.0, None),
    "\uff10.\uff15": (0.5, None),  # full-width digits
    "\uff10\uff0e\uff15": (None, "'fte' is not a number"),  # a full-width full stop is not "."
    "\u0661": (1.0, None),  # Arabic-Indic
}


def test_an_fte_is_read_as_it_is_written_in_every_reader(tiny_force):
    header = STAFF_HEADER.split(",")
    rows = [staff_row(f"P{i}", "W1", fte="FTE").split(",") for i in range(len(WRITTEN_FTES))]
    for row, written in zip(rows, WRITTEN_FTES, strict=True):
        row[header.index("fte")] = written
    for extract in _three_readers(tiny_force, "staff_snapshot", header, rows, "staff_snapshot_x"):
        read = extract.typed["fte"].astype("object")
        messages = {p.source_row: p.message for p in extract.problems if p.column == "fte"}
        for row, (written, (fte, message)) in enumerate(WRITTEN_FTES.items(), start=2):
            if message is None:
                assert read[row - 2] == fte and row not in messages, written
            else:
                assert pd.isna(read[row - 2]), written
                assert messages[row].startswith(message), (written, messages[row])


def test_a_workbook_number_cell_is_read_as_its_digits(tiny_force):
    """A tiny FTE in a number cell is 0.00005, not the 5e-05 Python writes (which would be
    refused as scientific notation); the cell itself is exact."""
    header = STAFF_HEADER.split(",")
    rows = [staff_row(f"P{i}", "W1").split(",") for i in range(2)]
    frame = pd.DataFrame(rows, columns=header, dtype="object")
    frame["fte"] = [0.00005, 0.6]
    book = tiny_force.paths.inbox / "staff_snapshot_x.xlsx"
    frame.to_excel(book, index=False)
    extract = read_extract(book, "staff_snapshot", tiny_force, allowed_codes(tiny_force, LPUS))
    assert [p for p in extract.problems if p.column == "fte"] == []
    assert extract.typed["fte"].tolist() == [0.00005, 0.6]
    assert extract.original["fte"].tolist() == ["0.00005", "0.6"]


def test_invisible_characters_around_a_value_are_not_part_of_it_in_every_reader(tiny_force):
    """hostile-10: a zero-width space, a word joiner or a byte-order mark (two exports
    joined) around a code or an identifier made another code (quarantined as unknown, shown
    as if it were the code) or another person. Around a value they are trimmed like spaces;
    inside a code they stay, for the contract to quarantine with the value shown escaped."""
    header = STAFF_HEADER.split(",")
    written = [
        ("P0", "BHM"),
        ("\u200bP0\ufeff", "\u200bBHM"),
        ("P1", "\ufeffSOL\u2060"),
        ("P2", "\u00a0BHM\u200b"),
        ("P3", "B\u200bHM"),
    ]
    rows = [staff_row(staff_id, "W1", lpu=lpu).split(",") for staff_id, lpu in written]
    for extract in _three_readers(tiny_force, "staff_snapshot", header, rows, "staff_snapshot_x"):
        typed = extract.typed
        assert typed["lpu_code"].tolist() == ["BHM", "BHM", "SOL", "BHM", "B\u200bHM"]
        assert typed["staff_key"][0] == typed["staff_key"][1]


def test_an_identifier_a_spreadsheet_rounded_is_quarantined_in_every_reader(tiny_force):
    """Excel saves a payroll number of 12 digits in a CSV as 1.23457E+11: read as
    123457000000 it was one pseudonym for everyone whose number rounds so. Every reader
    quarantines it in its row and column; one written to its last digit is the number, and a
    zero-width character inside an identifier is dropped like a space."""
    header = STAFF_HEADER.split(",")
    written = ["1.23457E+11", "1.23457E+11", "1.00170E+05", "100170", "WM10\u200b0025", "WM100025"]
    rows = [staff_row(staff_id, "W1").split(",") for staff_id in written]
    for extract in _three_readers(tiny_force, "staff_snapshot", header, rows, "staff_snapshot_x"):
        keys = extract.typed["staff_key"]
        assert keys[:2].isna().all()
        assert keys[2] == keys[3] and keys[4] == keys[5] and keys[2] != keys[4]
        problems = [(p.source_row, p.column, p.rule) for p in extract.problems]
        assert problems == [(2, "staff_id", "invalid_number"), (3, "staff_id", "invalid_number")]
        assert "rounded by a spreadsheet" in extract.problems[0].message
