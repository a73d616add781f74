"""Data-quality sections: how complete the figures are and what the checks found.

Everything here is counts and rule names, never a value from a row: the rows themselves are
for the analyst (``progression quarantine``), not for the report. Counts from 1 to the
disclosure threshold are withheld like any other count.
"""

from __future__ import annotations

import duckdb
import pandas as pd

from pipeline.config import Settings
from pipeline.disclosure import is_small, suppress
from pipeline.report import formatting as fmt
from pipeline.report.model import Section, Table

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
    "area_lookup": "Area → LPU lookup",
    "census_population": "Census population",
}


def _fmt(formatter, raw: dict, row: dict, column: str) -> str:
    """Withheld ([c]) when suppression removed the value; not applicable ([x]) when it never
    existed."""
    withheld = not pd.isna(raw[column]) and pd.isna(row[column])
    return formatter(row[column], withheld=withheld)


def _withhold_small(frame: pd.DataFrame, columns: list[str], threshold: int) -> pd.DataFrame:
    out = frame.copy()
    for column in columns:
        out[column] = out[column].astype("object").where(~is_small(frame[column], threshold))
    return out


def declaration_rates(con: duckdb.DuckDBPyConnection, settings: Settings, snapshot_date) -> Section:
    """Shares are among those who stated an ethnicity, so the declaration rate says how much
    of the workforce every share describes; a fall since the last snapshot is flagged."""
    frame = con.execute(
        """
        with rates as (
            select snapshot_date, worker_type, worker_type_label, headcount,
                declared_headcount, headcount - declared_headcount as undeclared_headcount,
                declaration_rate
            from analytics.representation
            where group_code = ? and rank_or_band = 'All' and lpu_code = 'All'
        ),
        previous as (
            select * from rates
            where snapshot_date = (select max(snapshot_date) from rates where snapshot_date < ?)
        )
        select rates.*, previous.snapshot_date as previous_snapshot_date,
            previous.headcount as previous_headcount,
            previous.undeclared_headcount as previous_undeclared_headcount,
            previous.declared_headcount as previous_declared_headcount,
            previous.declaration_rate as previous_declaration_rate
        from rates left join previous on rates.worker_type = previous.worker_type
        where rates.snapshot_date = ?
        order by rates.worker_type = 'All', rates.worker_type_label
        """,
        [settings.groups.headline, snapshot_date, snapshot_date],
    ).df()
    rules = {
        "headcount": ("declared_headcount", "declaration_rate"),
        "declared_headcount": ("declaration_rate",),
        "undeclared_headcount": ("declared_headcount", "declaration_rate"),
        "previous_headcount": ("previous_declaration_rate",),
        "previous_declared_headcount": ("previous_declaration_rate",),
        "previous_undeclared_headcount": ("previous_declaration_rate",),
    }
    shown = suppress(frame, rules, settings.disclosure.threshold)
    has_previous = frame["previous_snapshot_date"].notna().any()
    headers = ["Worker type", "Headcount", "Stated an ethnicity", "Declaration rate"]
    if has_previous:
        previous = pd.Timestamp(frame["previous_snapshot_date"].dropna().iloc[0])
        headers.append(f"Declaration rate on {previous:%-d %B %Y}")
    rows = [
        [
            row["worker_type_label"],
            _fmt(fmt.count, raw, row, "headcount"),
            _fmt(fmt.count, raw, row, "declared_headcount"),
            _fmt(fmt.percent, raw, row, "declaration_rate"),
            *([_fmt(fmt.percent, raw, row, "previous_declaration_rate")] if has_previous else []),
        ]
        for raw, row in zip(frame.to_dict("records"), shown.to_dict("records"), strict=True)
    ]
    overall = shown[shown["worker_type"] == "All"]
    rate = overall["declaration_rate"].iloc[0] if len(overall) else None
    message = (
        f"{fmt.percent(rate)} of the workforce have stated their ethnicity; every share in "
        "this report is among them, and 'not stated' is left out of its denominator."
    )
    return Section(
        id="data-quality-declaration",
        theme="data_quality",
        title="Ethnicity declaration by worker type",
        message=message,
        table=Table(
            caption="People who stated their ethnicity, by worker type", headers=headers, rows=rows
        ),
    )


def source_files(con: duckdb.DuckDBPyConnection, settings: Settings, _snapshot_date) -> Section:
    """Which files the figures come from, and how many rows of each were usable."""
    frame = con.execute(
        """
        select files.*,
            count(checks.rule_code) as rule_count,
            count(checks.rule_code) filter (where checks.is_success) as passed_count
        from analytics.source_files as files
        left join analytics.data_quality_checks as checks
            on files.source_file_hash = checks.source_file_hash
        group by all
        order by files.extract_code, files.source_file
        """
    ).df()
    counts = ["loaded_row_count", "quarantined_row_count"]
    shown = _withhold_small(frame, counts, settings.disclosure.threshold)
    rows = [
        [
            row["source_file"],
            EXTRACT_LABELS.get(row["extract_code"], row["extract_code"]),
            pd.Timestamp(row["loaded_date"]).strftime("%-d %b %Y"),
            _fmt(fmt.count, raw, row, "loaded_row_count"),
            _fmt(fmt.count, raw, row, "quarantined_row_count"),
            f"{row['passed_count']} of {row['rule_count']}",
        ]
        for raw, row in zip(frame.to_dict("records"), shown.to_dict("records"), strict=True)
    ]
    held_back = int(frame["quarantined_row_count"].sum())
    message = f"The figures come from {len(frame)} extract file(s); " + (
        "every row passed the data contracts."
        if held_back == 0
        else "rows that broke a data-contract rule are held back from every figure "
        "until a corrected file replaces them."
    )
    return Section(
        id="data-quality-files",
        theme="data_quality",
        title="Extract files behind this report",
        message=message,
        table=Table(
            caption="Extract files, rows used and rows held back",
            headers=["File", "Extract", "Loaded", "Rows used", "Rows held back", "Rules passed"],
            rows=rows,
        ),
    )


def failed_checks(con: duckdb.DuckDBPyConnection, settings: Settings, _snapshot_date) -> Section:
    """Every rule that did not hold, with what to do: warnings are never silent."""
    frame = con.execute(
        """
        select * from analytics.data_quality_checks
        where not is_success
        order by severity_order, extract_code, source_file, rule_code
        """
    ).df()
    (total,) = con.execute("select count(*) from analytics.data_quality_checks").fetchone()
    shown = _withhold_small(frame, ["affected_count"], settings.disclosure.threshold)
    rows = [
        [
            row["rule_code"],
            EXTRACT_LABELS.get(row["extract_code"], row["extract_code"]),
            row["source_file"] or "",
            SEVERITY_LABELS[row["severity_code"]],
            _fmt(fmt.count, raw, row, "affected_count") if row["affected_count"] != 0 else "",
            row["message"],
        ]
        for raw, row in zip(frame.to_dict("records"), shown.to_dict("records"), strict=True)
    ]
    warnings = int((frame["severity_code"] == "warning").sum())
    if frame.empty:
        message = f"All {total} data-quality checks passed."
    else:
        message = (
            f"{total - len(frame)} of {total} data-quality checks passed; {len(frame)} did not "
            f"({warnings} warning(s)). Each is listed with what to do."
        )
    return Section(
        id="data-quality-checks",
        theme="data_quality",
        title="Data-quality checks that did not pass",
        message=message,
        table=Table(
            caption="Checks that did not pass, and what to do",
            headers=["Check", "Extract", "File", "Effect", "Rows or items", "What it means"],
            rows=rows,
        ),
        findings=[]
        if frame.empty
        else [
            f"Data quality: {len(frame)} check(s) did not pass, {warnings} of them warnings; "
            "see the data-quality section."
        ],
    )


def quarantine(con: duckdb.DuckDBPyConnection, settings: Settings, _snapshot_date) -> Section:
    """Counts only: the rows and their values are for the analyst, not the report."""
    frame = con.execute(
        "select * from analytics.quarantine_summary order by source_file, rule_code"
    ).df()
    shown = _withhold_small(frame, ["quarantined_row_count"], settings.disclosure.threshold)
    rows = [
        [row["source_file"], row["rule_code"], _fmt(fmt.count, raw, row, "quarantined_row_count")]
        for raw, row in zip(frame.to_dict("records"), shown.to_dict("records"), strict=True)
    ]
    message = (
        "No rows are quarantined."
        if frame.empty
        else "Quarantined rows, by file and by the rule they broke; the command "
        "'progression quarantine' lists them with what to fix, and a corrected file "
        "dropped in the inbox replaces them."
    )
    return Section(
        id="data-quality-quarantine",
        theme="data_quality",
        title="Quarantined rows by file and rule",
        message=message,
        table=Table(
            caption="Rows held back, by file and rule",
            headers=["File", "Rule", "Rows"],
            rows=rows,
        ),
    )
