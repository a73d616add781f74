"""Data-quality sections: how complete the figures are and what the checks found.

Everything here is counts and rule names, never a value from a row: the rows themselves are
for the analyst (``progression quarantine``), not for the report. The counts are declared
cells like any other and protected by the same rule.
"""

from __future__ import annotations

import pandas as pd

from pipeline import codes
from pipeline.report.cells import Cells
from pipeline.report.declared import Column, DeclaredTable
from pipeline.report.model import Prose, Section
from pipeline.report.representation import WORKER_TYPE_ORDER

SEVERITY_LABELS = {
    "blocking": "Blocks publication",
    "row": "Rows quarantined",
    "warning": "Warning",
}
EXTRACT_LABELS = {
    "staff_snapshot": "Staff snapshot",
    "joiners_leavers": "Joiners and leavers",
    "promotion_candidates": "Promotion candidates",
    "recruitment_applicants": "Recruitment applicants",
    "misconduct_cases": "Misconduct cases",
    "grievances": "Grievances and tribunal claims",
    "training_development": "Training and development",
    "appraisal_ratings": "Appraisal ratings",
    "staff_survey": "Staff survey results",
    "area_lookup": "Area → LPU lookup",
    "census_population": "Census population",
}
ALL_WORKERS = "All worker types"


def _rates(cells: Cells, snapshot_date) -> pd.DataFrame:
    return cells.con.execute(
        """select worker_type, headcount, declared_headcount, declaration_rate
           from analytics.representation
           where snapshot_date = ? and group_code = ? and rank_or_band = 'All'
             and lpu_code = 'All'""",
        [pd.Timestamp(snapshot_date).date(), cells.headline],
    ).df()


def declaration_rates(cells: Cells, snapshot_date) -> Section:
    """Shares are among those who stated an ethnicity, so the declaration rate says how much
    of the workforce every share describes, now and at the previous snapshot."""
    (previous_date,) = cells.con.execute(
        "select max(snapshot_date) from analytics.representation where snapshot_date < ?",
        [pd.Timestamp(snapshot_date).date()],
    ).fetchone()
    snapshots = [("", snapshot_date)] + ([("previous_", previous_date)] if previous_date else [])
    order = [*(w for w in WORKER_TYPE_ORDER), "All"]
    frames = {}
    for prefix, date in snapshots:
        frame = _rates(cells, date).set_index("worker_type")
        population = cells.staff(date)
        frame["posts"] = [None if w == "All" else cells.posts(population, w) for w in frame.index]
        frame["population"] = population
        frames[prefix] = frame
    now = frames[""]
    rows = []
    for worker_type in [w for w in order if w in now.index]:
        label = ALL_WORKERS if worker_type == "All" else codes.WORKER_TYPES[worker_type]
        record: dict = {"label": label}
        for prefix, frame in frames.items():
            if worker_type not in frame.index:
                names = ("headcount", "declared_headcount", "declaration_rate")
                record.update({f"{prefix}{c}": None for c in names})
                record.update({f"{prefix}{c}@key": None for c in names[:2]})
                continue
            item = frame.loc[worker_type]
            record[f"{prefix}headcount"] = item["headcount"]
            record[f"{prefix}declared_headcount"] = item["declared_headcount"]
            record[f"{prefix}declaration_rate"] = item["declaration_rate"]
            record[f"{prefix}headcount@key"] = cells.key(item["population"], post=item["posts"])
            record[f"{prefix}declared_headcount@key"] = cells.key(
                item["population"], post=item["posts"], eth=cells.eth("stated")
            )
        rows.append(record)
    columns = [
        Column("label", "Worker type", "label"),
        Column("headcount", "Headcount", "count"),
        Column("declared_headcount", "Stated an ethnicity", "count"),
        Column("declaration_rate", "Declaration rate", "share",
               of=("declared_headcount", "headcount")),
    ]  # fmt: skip
    if previous_date:
        then = f"{pd.Timestamp(previous_date):%-d %B %Y}"
        columns += [
            Column("previous_headcount", f"Headcount on {then}", "count"),
            Column("previous_declared_headcount", f"Stated an ethnicity on {then}", "count"),
            Column("previous_declaration_rate", f"Declaration rate on {then}", "share",
                   of=("previous_declared_headcount", "previous_headcount")),
        ]  # fmt: skip
    table = DeclaredTable(
        id="data-quality-declaration",
        caption="People who stated their ethnicity, by worker type",
        columns=tuple(columns),
        frame=pd.DataFrame(rows),
        total_rows=frozenset({ALL_WORKERS}),
    )

    def compose() -> Prose:
        rate = table.text(ALL_WORKERS, "declaration_rate")
        return Prose(
            message=(
                f"{rate} of the workforce have stated their ethnicity; every share in this "
                "report is among them, and 'not stated' is left out of its denominator."
            )
        )

    return Section(
        "data-quality-declaration", "data_quality", "Ethnicity declaration by worker type",
        table, compose,
    )  # fmt: skip


FILES_SQL = """
select files.*,
    count(checks.rule_code) as rule_count,
    count(checks.rule_code) filter (where checks.is_success) as passed_rule_count
from analytics.source_files as files
left join analytics.data_quality_checks as checks
    on files.source_file_hash = checks.source_file_hash
group by all
order by files.extract_code, files.source_file
"""
ALL_FILES = "All files"


def source_files(cells: Cells, _snapshot_date) -> Section:
    """Which files the figures come from, and how many rows of each were usable."""
    frame = cells.con.execute(FILES_SQL).df()
    population = cells.items(
        "rows of extract files",
        item=list(frame["source_file_hash"]),
        status=("used", "held back"),
    )
    rows = [
        {
            "label": row["source_file"],
            "extract": EXTRACT_LABELS.get(row["extract_code"], row["extract_code"]),
            "loaded": pd.Timestamp(row["loaded_date"]).strftime("%-d %b %Y"),
            "loaded_row_count": row["loaded_row_count"],
            "loaded_row_count@key": cells.key(
                population, item=row["source_file_hash"], status="used"
            ),
            "quarantined_row_count": row["quarantined_row_count"],
            "quarantined_row_count@key": cells.key(
                population, item=row["source_file_hash"], status="held back"
            ),
            "rules": f"{row['passed_rule_count']} of {row['rule_count']}",
        }
        for row in frame.to_dict("records")
    ]
    rows.append(
        {
            "label": ALL_FILES,
            "extract": "",
            "loaded": "",
            "loaded_row_count": int(frame["loaded_row_count"].sum()),
            "loaded_row_count@key": cells.key(population, status="used"),
            "quarantined_row_count": int(frame["quarantined_row_count"].sum()),
            "quarantined_row_count@key": cells.key(population, status="held back"),
            "rules": "",
        }
    )
    table = DeclaredTable(
        id="data-quality-files",
        caption="Extract files, rows used and rows held back",
        columns=(
            Column("label", "File", "label"),
            Column("extract", "Extract", "text"),
            Column("loaded", "Loaded", "text"),
            Column("loaded_row_count", "Rows used", "count"),
            Column("quarantined_row_count", "Rows held back", "count"),
            Column("rules", "Rules passed", "text"),
        ),
        frame=pd.DataFrame(rows),
        total_rows=frozenset({ALL_FILES}),
    )
    held_back = int(frame["quarantined_row_count"].sum())

    def compose() -> Prose:
        message = "The figures come from the extract files listed here; " + (
            "every row passed the data contracts."
            if held_back == 0
            else "rows that broke a data-contract rule are held back from every figure "
            "until a corrected file replaces them."
        )
        caveats = []
        if held_back:
            shown = table.text(ALL_FILES, "quarantined_row_count")
            caveats.append(
                f"{shown} rows of the HR extracts failed the data checks and are left out of "
                "these figures until corrected (see Data quality)."
                if shown != "[c]"
                else "A few rows of the HR extracts failed the data checks and are left out of "
                "these figures until corrected (the number is small, so it is withheld)."
            )
        return Prose(message=message, caveats=caveats)

    return Section(
        "data-quality-files", "data_quality", "Extract files behind this report", table, compose
    )


def failed_checks(cells: Cells, _snapshot_date) -> Section:
    """Every rule that did not hold, with what to do: warnings are never silent."""
    frame = cells.con.execute(
        """
        select * from analytics.data_quality_checks
        where not is_success
        order by severity_order, extract_code, source_file, rule_code
        """
    ).df()
    # A check across files fails once per extract, or per process, it finds (people in no
    # snapshot in the misconduct and the appraisal extracts): its rows share rule and file.
    items = [
        f"{r['rule_code']} | {r['extract_code']} | {r['source_file'] or ''} | {r['message']}"
        for r in frame.to_dict("records")
    ]
    population = cells.items("items failing a check", item=items)
    frame = frame.assign(
        label=frame["rule_code"],
        extract=[EXTRACT_LABELS.get(c, c) for c in frame["extract_code"]],
        file=frame["source_file"].fillna(""),
        effect=[SEVERITY_LABELS[c] for c in frame["severity_code"]],
    )
    frame["affected_count@key"] = [cells.key(population, item=i) for i in items]
    table = DeclaredTable(
        id="data-quality-checks",
        caption="Checks that did not pass, and what to do",
        columns=(
            Column("label", "Check", "label"),
            Column("extract", "Extract", "text"),
            Column("file", "File", "text"),
            Column("effect", "Effect", "text"),
            Column("affected_count", "Rows or items", "count"),
            Column("message", "What it means", "text"),
        ),
        frame=frame.reset_index(drop=True),
    )
    failed = not frame.empty

    def compose() -> Prose:
        if not failed:
            return Prose(message="Every data-quality check passed.")
        return Prose(
            message="Some data-quality checks did not pass; each is listed with what to do.",
            findings=[
                "Data quality: some checks did not pass (see the data-quality section for "
                "what each means and what to do)."
            ],
        )

    return Section(
        "data-quality-checks", "data_quality", "Data-quality checks that did not pass",
        table, compose,
    )  # fmt: skip


def quarantine(cells: Cells, _snapshot_date) -> Section:
    """Counts only: the rows and their values are for the analyst, not the report."""
    frame = cells.con.execute(
        "select * from analytics.quarantine_summary order by source_file, rule_code"
    ).df()
    items = [f"{r['source_file']} | {r['rule_code']}" for r in frame.to_dict("records")]
    population = cells.items("quarantined rows by rule", item=items)
    frame = frame.assign(label=frame["source_file"])
    frame["quarantined_row_count@key"] = [cells.key(population, item=i) for i in items]
    table = DeclaredTable(
        id="data-quality-quarantine",
        caption="Rows held back, by file and rule",
        columns=(
            Column("label", "File", "label"),
            Column("rule_code", "Rule", "text"),
            Column("quarantined_row_count", "Rows", "count"),
        ),
        frame=frame.reset_index(drop=True),
    )
    empty = frame.empty

    def compose() -> Prose:
        return Prose(
            message="No rows are quarantined."
            if empty
            else "Quarantined rows, by file and by the rule they broke (a row that broke "
            "two rules counts under each, so a file's rows held back are in the table of "
            "extract files); the command 'progression quarantine' lists them with what to "
            "fix, and a corrected file dropped in the inbox replaces them."
        )

    return Section(
        "data-quality-quarantine", "data_quality", "Quarantined rows by file and rule",
        table, compose,
    )  # fmt: skip
