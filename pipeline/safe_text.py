"""Text from an extract is shown, never run, by whatever displays it.

Each renderer that understands a language gets the text in a form it cannot run:

- CSV (spreadsheets run a cell starting with ``=``, ``+``, ``-`` or ``@``, or a tab or line
  break before one: ``=HYPERLINK(...)`` sends data to a web site): ``safe_cell`` puts the
  apostrophe spreadsheets read as "text" in front; plain numbers (``-12``) are left alone.
  Called on every value where a CSV row is written (the report's tables, ``progression
  query --csv``, ``progression quarantine --csv``).
- xlsx (openpyxl stores any string starting with ``=`` as a formula): ``protect_workbook``,
  called just before a workbook is saved, stores such cells as strings with Excel's quote
  prefix, so they stay text even when someone edits them.
- HTML and SVG: Jinja's autoescape and matplotlib's XML writer; chart labels are never
  parsed as matplotlib's ``$...$`` mathtext (``text.parse_math`` off in
  ``pipeline.report.charts``).
- File names and anchors: ``identifier`` (a process id ``../../x`` names no other folder).
- A terminal: ``printable`` (no escape sequences), and Rich's markup escaped by the caller;
  a message quoting a file's value, ``visible`` (a non-breaking space shows as ``\\xa0``).

Control characters and right-to-left overrides never get this far: the contracts'
``*_printable`` rules quarantine the row (docs/data-contracts.md).
"""

from __future__ import annotations

import hashlib
import re

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")
_NUMBER = re.compile(r"[+-]?(?:\d[\d,]*(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?%?")
"""A plain number as text: a spreadsheet reads it as a number, never as a formula."""


def is_formula_like(text: str) -> bool:
    return text.startswith(FORMULA_STARTS) and not _NUMBER.fullmatch(text)


def safe_cell(value: object) -> object:
    """``value`` unchanged, or, for text a spreadsheet would run, the same text with a
    leading apostrophe: ``=HYPERLINK("x")`` -> ``'=HYPERLINK("x")``."""
    if isinstance(value, str) and is_formula_like(value):
        return "'" + value
    return value


def protect_workbook(workbook) -> int:
    """Every cell of an openpyxl workbook that would be a formula, or starts like one,
    stored as text with the quote prefix; returns how many cells were changed. The product
    writes no formulas, so any formula cell came from text."""
    changed = 0
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if not isinstance(cell.value, str) or not is_formula_like(cell.value):
                    continue
                cell.data_type = "s"
                cell.quotePrefix = True
                changed += 1
    return changed


ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff"
"""Characters that take no room: zero-width space, non-joiner and joiner, word joiner, and the
byte-order mark (inside a file where two exports were joined). Text pasted from a web page or
an e-mail brings them along."""
TRIMMED = "".join(c for c in map(chr, range(0x3001)) if c.isspace()) + ZERO_WIDTH
"""Trimmed from both ends of every cell read (``trim``): whitespace of any kind, the
non-breaking space included, and ``ZERO_WIDTH``. Inside a value they stay, and a message
quoting it shows them (``visible``)."""


def trim(text: str) -> str:
    """``text`` without the invisible characters around it (``TRIMMED``)."""
    return text.strip(TRIMMED)


def visible(text: str) -> str:
    """A message quoting text from a file, as the user is shown it: every character that does
    not show as itself (a non-breaking or zero-width space, a byte-order mark, a control
    character) written as its escape, as Python's ``repr`` writes them, so that the code
    ``E08\\xa0000025`` says why it matches nothing. The line breaks between a message's own
    lines are kept."""
    return "\n".join(
        "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in line)
        for line in text.split("\n")
    )


def printable(text: str, limit: int = 60) -> str:
    """Text from a file as a terminal or a log line may show it: every unprintable character
    (an escape sequence, a bell, a right-to-left override) as ``?``, and at most ``limit``
    characters, so that a header cell cannot redraw the operator's terminal or fill it."""
    shown = "".join(c if c.isprintable() else "?" for c in text)
    return shown if len(shown) <= limit else f"{shown[: limit - 1]}…"


def identifier(text: str) -> str:
    """A value from a file (a process or campaign id) made fit to name a file, a sheet and
    an HTML anchor: lower-case letters, digits and hyphens only, so ``../../x`` cannot write
    outside the report folder; a short hash is added whenever the text had to change, so
    two values never share a name."""
    lowered = text.lower()
    slug = re.sub(r"[^a-z0-9]+", "-", lowered).strip("-")[:40]
    if slug and slug == lowered:
        return slug
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:8]
    return f"{slug}-{digest}" if slug else digest
