"""Data contracts: the Great Expectations suites in ``data_contracts/<raw table>.json``, run
on the frames after reading and before anything is loaded.

Every expectation carries in its ``meta`` a ``rule`` name, a ``severity``, a
``description`` (what the rule requires) and a ``fix`` (what the analyst should do):

- ``blocking``: the run stops and nothing is published (exit code BLOCKED);
- ``row``: the rows that break the rule are quarantined, with the rule's name, and the run
  goes on with the good rows;
- ``warning``: recorded in ``ops.contract_results`` and shown in the report.

Great Expectations has no expectations that compare rows with each other, so the few rules
that need it (an age from two dates, stage order within a process) are computed here as
``derived_*`` columns on a validation-only copy of the frame, which the suites then check.
GX is imported here only, and only when a suite first runs: the import costs about 1.3 s
of CPU beyond pandas and scipy (``benchmarks/README.md``), so a reference table whose
results can be reused (``pipeline.verdicts``) is not validated again.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd

from pipeline import codes
from pipeline.config import CONTRACTS_DIR, Settings
from pipeline.extracts import Extract, RowProblem
from pipeline.schemas import (
    EXTRACT_COLUMNS,
    KEY_COLUMN_FOR_ID,
    allowed_codes,
    fewest_rows,
    rank_order,
    shown_columns,
)

SEVERITIES = ("blocking", "row", "warning")
FILE_COLUMN = {key: column for column, key in KEY_COLUMN_FOR_ID.items()}
"""Messages name the column as the analyst sees it in the file (staff_id, not staff_key)."""
FILE_LEVEL_COLUMNS = {"snapshot_date"}
"""Not about a person, so shown too: the date a whole snapshot describes."""
MAX_ROWS_NAMED = 10
MAX_SHOWN_CHARACTERS = 60


class SuiteError(Exception):
    """A suite file is malformed: a defect in the product, not in the data."""


class BlockedError(Exception):
    """One or more blocking failures: nothing is published. Each problem names the file,
    the column and rows where there are some, and what to fix. ``rows_set_aside``: how many
    rows the run would have quarantined (none when only whole files are at fault)."""

    def __init__(self, problems: list[str], rows_set_aside: int = 0):
        self.problems, self.rows_set_aside = problems, rows_set_aside
        super().__init__("\n".join(problems))


@dataclass(frozen=True)
class Rule:
    name: str
    severity: str
    description: str
    fix: str
    expectation_type: str
    columns: tuple[str, ...]
    """The file columns the rule is about (derived columns are named by their sources)."""


@dataclass(frozen=True)
class ContractResult:
    """One rule checked against one file (or, for night-to-night checks, the history)."""

    extract_kind: str
    source_file: str | None
    source_file_hash: str | None
    rule: str
    expectation_type: str
    column_name: str
    severity: str
    success: bool
    unexpected_count: int
    message: str
    """What the rule requires and, on failure, what to fix: never a value or a count."""
    log_message: str | None = None
    """The failure for the operator's run log, with exact counts where ``message`` (stored
    in ops.contract_results and published in the report) withholds them; None: the same."""


RESULT_COLUMNS = [c for c in ContractResult.__dataclass_fields__ if c != "log_message"]


def results_frame(results: list[ContractResult]) -> pd.DataFrame:
    return pd.DataFrame([r.__dict__ for r in results], columns=RESULT_COLUMNS)


def _rule(position: int, expectation: dict, suite: str) -> Rule:
    meta = expectation.get("meta", {})
    missing = [k for k in ("rule", "severity", "description", "fix") if not meta.get(k)]
    if missing or meta.get("severity") not in SEVERITIES:
        raise SuiteError(
            f"{suite}.json expectation {position}: meta needs rule, severity (one of "
            f"{', '.join(SEVERITIES)}), description and fix; missing or wrong: "
            f"{', '.join(missing) or 'severity'}."
        )
    kwargs = expectation["kwargs"]
    columns = meta.get("columns") or [
        *([kwargs["column"]] if "column" in kwargs else []),
        *[kwargs[k] for k in ("column_A", "column_B") if k in kwargs],
        *kwargs.get("column_list", []),
    ]
    return Rule(
        name=meta["rule"],
        severity=meta["severity"],
        description=meta["description"],
        fix=meta["fix"],
        expectation_type=expectation["type"],
        columns=tuple(FILE_COLUMN.get(c, c) for c in columns),
    )


def load_suite(name: str, suites_dir: Path = CONTRACTS_DIR) -> tuple[dict, list[Rule]]:
    """The suite file as GX reads it, and its rules in order; the meta is checked here so
    that a malformed suite fails before any data is judged by it."""
    path = suites_dir / f"{name}.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    if data.get("name") != name:
        raise SuiteError(f"{path.name}: the suite's name must be {name!r}, the table it guards.")
    rules = [_rule(i, e, name) for i, e in enumerate(data["expectations"], start=1)]
    seen: set[str] = set()
    for rule in rules:
        if rule.name in seen:
            raise SuiteError(f"{path.name}: rule {rule.name!r} is defined twice.")
        seen.add(rule.name)
    return data, rules


def contract_parameters(settings: Settings, lpu_codes: frozenset[str], today: date) -> dict:
    """Values the suites refer to as ``{"$PARAMETER": name}``: the force's code lists and
    today's date, which live in configuration and reference data, not in the suite files."""
    allowed = allowed_codes(settings, lpu_codes)
    parameters: dict = {f"allowed_{column}": sorted(codes) for column, codes in allowed.items()}
    parameters["allowed_census_ethnicity_code"] = sorted(allowed["ethnicity_code"] - {"NS"})
    parameters["allowed_worker_type_rank"] = sorted(
        _worker_type_rank(worker_type, rank) for worker_type, rank in rank_order(settings)
    )
    parameters["today"] = pd.Timestamp(today)
    # rows_present: whether a file of the kind may hold a header and no rows.
    parameters.update({f"fewest_rows_{kind}": fewest_rows(kind) for kind in EXTRACT_COLUMNS})
    # An appraisal year runs 1 April to 31 March and is named by the year it ends; a final
    # rating is for a year that has ended, so a later year is a future date.
    parameters["latest_appraisal_year"] = (
        today.year if today >= date(today.year, 3, 31) else today.year - 1
    )
    return parameters


def _completed_years(start: pd.Series, end: pd.Series) -> pd.Series:
    before_birthday = (end.dt.month < start.dt.month) | (
        (end.dt.month == start.dt.month) & (end.dt.day < start.dt.day)
    )
    return (end.dt.year - start.dt.year - before_birthday.astype("Int64")).astype("Int64")


def _worker_type_rank(worker_type, rank):
    return worker_type + " / " + rank


def _staff_derived(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.assign(
        derived_age_years=_completed_years(frame["date_of_birth"], frame["snapshot_date"]),
        derived_worker_type_rank=_worker_type_rank(frame["worker_type"], frame["rank_or_band"]),
        derived_one_snapshot_date=_is_most_common(frame["snapshot_date"]),
    )


def _is_most_common(values: pd.Series) -> pd.Series:
    """Whether each row holds the value most rows hold (a missing value is no other one);
    with two or more values equally common, no row does, so that a rule built on it names
    the rows that differ from the file's usual value, or every row when there is none."""
    counts = values.value_counts()
    if len(counts) <= 1:
        return pd.Series(True, index=values.index)
    if counts.iloc[0] == counts.iloc[1]:
        return values.isna()
    return values.eq(counts.index[0]).fillna(False) | values.isna()


def _stage_derived(frame: pd.DataFrame, process: str, person: str) -> pd.DataFrame:
    """Two row-level facts about a process's stages:

    - ``derived_stage_name_agrees``: the row's stage name (ignoring case) is the one more
      than half the process's rows give that stage order; with no majority, no row agrees.
    - ``derived_follows_a_passed_stage``: the row is at the process's first stage, or the
      same person passed the stage before it (stages a person reached run 1, 2, 3 ...
      and only the last may be other than passed).
    """
    keys = [process, "stage_order"]
    names = frame["stage_name"].str.strip().str.casefold()
    counted = frame[keys].assign(_name=names)
    same_name = counted.groupby([*keys, "_name"], dropna=False)["_name"].transform("size")
    at_stage = counted.groupby(keys, dropna=False)["_name"].transform("size")
    agrees = (same_name * 2 > at_stage) | names.isna()

    stages = frame[keys].dropna().drop_duplicates().sort_values(keys)
    stages["_previous"] = stages.groupby(process)["stage_order"].shift()
    passed = (
        frame.loc[frame["outcome"].eq("passed"), [process, person, "stage_order"]]
        .drop_duplicates()
        .rename(columns={"stage_order": "_previous"})
        .assign(_passed=True)
    )
    located = (
        frame[[process, person, "stage_order"]]
        .reset_index(names="_row")
        .merge(stages, on=keys, how="left")
        .merge(passed, on=[process, person, "_previous"], how="left")
        .set_index("_row")
        .reindex(frame.index)
    )
    follows = located["_previous"].isna() | located["_passed"].eq(True)
    return frame.assign(
        derived_stage_name_agrees=agrees.astype(bool),
        derived_follows_a_passed_stage=follows.fillna(False).astype(bool),
    )


_STAGE_RANK = {code: rank for rank, code in enumerate(codes.MISCONDUCT_STAGES)}
_TYPE_RANK = {code: rank for rank, code in enumerate(codes.TRAINING_STAGE_TYPES)}


def _misconduct_derived(frame: pd.DataFrame) -> pd.DataFrame:
    """``derived_outcome_fits_stage``: a warning needs a misconduct meeting or hearing, and
    dismissal a gross misconduct hearing (a blank or unknown code is another rule's)."""
    needed = frame["misconduct_outcome"].map(codes.MISCONDUCT_OUTCOME_MIN_STAGE).map(_STAGE_RANK)
    reached = frame["misconduct_stage"].map(_STAGE_RANK)
    fits = needed.isna() | reached.isna() | (reached >= needed)
    return frame.assign(derived_outcome_fits_stage=fits.astype(bool))


def _training_derived(frame: pd.DataFrame) -> pd.DataFrame:
    """The stage rules of promotion processes (:func:`_stage_derived`), and
    ``derived_stage_type_in_order``: within a programme each stage order has one stage type
    (the row's is the one most rows give it), selection stages come before attendance and
    attendance before completion, and attendance and completion are one stage each."""
    frame = _stage_derived(frame, "programme_id", "staff_key")
    keys = ["programme_id", "stage_order"]
    typed = frame[[*keys, "stage_type"]].assign(_rank=frame["stage_type"].map(_TYPE_RANK))
    majority = (
        typed.dropna()
        .groupby([*keys, "stage_type", "_rank"])
        .size()
        .rename("_n")
        .reset_index()
        .sort_values([*keys, "_n"], ascending=[True, True, False])
    )
    at_stage = majority.groupby(keys)["_n"].transform("sum")
    stages = majority[majority["_n"] * 2 > at_stage].drop_duplicates(keys)
    previous = stages.groupby("programme_id")["_rank"].shift()
    stages = stages.assign(
        _in_order=(previous.isna() | (stages["_rank"] >= previous))
        & ~(stages["_rank"].gt(0) & stages.duplicated(["programme_id", "_rank"], keep=False))
    )
    ordered = stages.groupby("programme_id")["_in_order"].all().rename("_programme_ok")
    located = (
        typed.reset_index(names="_row")
        .merge(stages[[*keys, "stage_type"]].rename(columns={"stage_type": "_usual"}),
               on=keys, how="left")
        .merge(ordered, left_on="programme_id", right_index=True, how="left")
        .set_index("_row")
        .reindex(frame.index)
    )  # fmt: skip
    fits = located["_programme_ok"].eq(True) & located["stage_type"].eq(located["_usual"])
    fits |= frame["stage_type"].isna() | frame["programme_id"].isna()
    return frame.assign(derived_stage_type_in_order=fits.fillna(False).astype(bool))


def _survey_derived(frame: pd.DataFrame) -> pd.DataFrame:
    """``derived_one_date_per_survey``: the row's survey date is the one most of the
    survey's rows give (a survey is one fieldwork period); with no majority, none agrees."""
    dates = frame[["survey_id", "survey_date"]]
    same = dates.groupby(["survey_id", "survey_date"], dropna=False)["survey_date"].transform(
        "size"
    )
    rows = dates.groupby("survey_id", dropna=False)["survey_id"].transform("size")
    agrees = (same * 2 > rows) | frame["survey_date"].isna() | frame["survey_id"].isna()
    return frame.assign(derived_one_date_per_survey=agrees.astype(bool))


DERIVED = {
    "staff_snapshot": _staff_derived,
    "joiners_leavers": lambda f: f.assign(
        derived_worker_type_rank=_worker_type_rank(f["worker_type"], f["rank_or_band"])
    ),
    "promotion_candidates": lambda f: _stage_derived(f, "process_id", "staff_key"),
    "recruitment_applicants": lambda f: _stage_derived(f, "campaign_id", "applicant_key"),
    "misconduct_cases": _misconduct_derived,
    "training_development": _training_derived,
    "staff_survey": _survey_derived,
}


BATCHED = frozenset(
    {
        "expect_column_values_to_not_be_null",
        "expect_column_values_to_be_null",
        "expect_column_values_to_be_in_set",
        "expect_column_values_to_be_between",
        "expect_column_values_to_match_regex",
        "expect_column_values_to_not_match_regex",
        "expect_column_value_lengths_to_be_between",
        "expect_column_pair_values_a_to_be_greater_than_b",
        "expect_column_values_to_be_of_type",
        "expect_table_columns_to_match_set",
    }
)
"""Expectations whose verdict on a file is the same whether it is checked alone or among
other files of its kind: row by row (a row fails on its own values), or about the columns
and their types, which every file's typed frame shares (``Contracts.run_batch`` checks
that). The others (one snapshot date a file, the latest date in it, no duplicate keys in
it) are checked file by file."""


class Contracts:
    """The suites and one ephemeral GX context, created once per run when a suite first
    runs: a night whose suites all have results to reuse (``pipeline.verdicts``) does not
    import GX at all."""

    def __init__(self, suites_dir: Path = CONTRACTS_DIR):
        self.suites_dir = suites_dir
        self._source = None
        self._batches: dict[str, object] = {}
        self._suites: dict[str, tuple[dict, list[Rule]]] = {}

    def _data_source(self):
        if self._source is None:
            import great_expectations as gx
            from great_expectations.data_context.types.base import ProgressBarsConfig

            context = gx.get_context(mode="ephemeral")
            context.variables.progress_bars = ProgressBarsConfig(globally=False)
            self._source = context.data_sources.add_pandas("frames")
        return self._source

    def suite(self, name: str) -> tuple[dict, list[Rule]]:
        if name not in self._suites:
            self._suites[name] = load_suite(name, self.suites_dir)
        return self._suites[name]

    def _batch_definition(self, name: str):
        if name not in self._batches:
            asset = self._data_source().add_dataframe_asset(name)
            self._batches[name] = asset.add_batch_definition_whole_dataframe("whole")
        return self._batches[name]

    def run(self, name: str, frame: pd.DataFrame, parameters: dict) -> list[tuple[Rule, dict]]:
        """Each rule with GX's result (``success``, ``unexpected_index_list`` of ``frame``'s
        index labels, ``observed_value``); rules whose code list is empty are not run."""
        outcomes = self._validate(name, frame, parameters, lambda _: True)
        return [(rule, outcomes.get(rule.name)) for rule in self.suite(name)[1]]

    def run_batch(
        self, name: str, frames: list[pd.DataFrame], parameters: dict
    ) -> list[list[tuple[Rule, dict]]]:
        """``run`` for each of ``frames`` (files of one kind), with one GX validation for
        all of them of the rules judged row by row (``BATCHED``) and one a frame of the
        rest (a file's own aggregates and uniqueness): GX's cost is mostly per validation
        and per expectation, not per row."""
        first = frames[0]
        alike = all(f.dtypes.equals(first.dtypes) for f in frames)
        if len(frames) == 1 or not alike:
            return [self.run(name, frame, parameters) for frame in frames]
        data, rules = self.suite(name)
        batched = {
            rule.name
            for rule, expectation in zip(rules, data["expectations"], strict=True)
            if expectation["type"] in BATCHED
        }
        together = self._validate(
            name, pd.concat(frames, ignore_index=True), parameters, lambda r: r in batched
        )
        found, start = [], 0
        for frame in frames:
            own = self._validate(name, frame, parameters, lambda r: r not in batched)
            stop = start + len(frame)
            for rule_name, outcome in together.items():
                positions = outcome["unexpected_index_list"]
                rows = [frame.index[p - start] for p in positions if start <= p < stop]
                own[rule_name] = {
                    **outcome,
                    "success": not rows if positions else outcome["success"],
                    "unexpected_index_list": rows,
                }
            found.append([(rule, own.get(rule.name)) for rule in rules])
            start = stop
        return found

    def _validate(self, name: str, frame: pd.DataFrame, parameters: dict, wanted) -> dict:
        """Rule name -> GX's outcome, for the suite's rules ``wanted(rule name)`` selects."""
        from great_expectations.core import ExpectationSuite

        data, rules = self.suite(name)
        runnable = [
            (rule, expectation)
            for rule, expectation in zip(rules, data["expectations"], strict=True)
            if wanted(rule.name) and not _empty_parameter(expectation, parameters)
        ]
        if not runnable:
            return {}
        suite = ExpectationSuite(name=name, expectations=[copy.deepcopy(e) for _, e in runnable])
        batch = self._batch_definition(name).get_batch(batch_parameters={"dataframe": frame})
        validation = batch.validate(
            suite,
            expectation_parameters=parameters,
            result_format={"result_format": "COMPLETE"},
        )
        outcomes: dict[str, dict] = {}
        for result in validation.results:  # GX groups results by metric, not in suite order
            rule = result.expectation_config.meta["rule"]
            if result.exception_info and result.exception_info.get("raised_exception"):
                raise SuiteError(
                    f"{name}.json rule {rule!r} could not run: "
                    f"{result.exception_info.get('exception_message')}"
                )
            outcomes[rule] = {
                "success": bool(result.success),
                "unexpected_index_list": result.result.get("unexpected_index_list") or [],
                "observed_value": result.result.get("observed_value"),
            }
        return outcomes


def _empty_parameter(expectation: dict, parameters: dict) -> bool:
    return any(
        isinstance(value, dict) and parameters.get(value.get("$PARAMETER")) == []
        for value in expectation["kwargs"].values()
    )


def _shown(kind: str) -> set[str]:
    return shown_columns(kind) | FILE_LEVEL_COLUMNS


def format_value(value) -> str:
    """A value as messages show it: quoted, control characters escaped, at most
    ``MAX_SHOWN_CHARACTERS`` long (a value from a file can be anything)."""
    if isinstance(value, pd.Timestamp):
        return repr(value.date().isoformat())
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    shown = repr(value.item() if hasattr(value, "item") else value)
    if len(shown) > MAX_SHOWN_CHARACTERS:
        return f"{shown[: MAX_SHOWN_CHARACTERS - 2]}…{shown[-1]}"
    return shown


def _subject(frame: pd.DataFrame, row, rule: Rule, shown: set[str]) -> str:
    """The rule's columns, each with its value where the value may be shown."""

    def one(column: str) -> str:
        value = frame.at[row, column] if column in frame.columns else None
        if column in shown and value is not None and pd.notna(value):
            return f"{column} {format_value(value)}"
        return column

    return ", ".join(one(column) for column in rule.columns)


def _problem_message(rule: Rule, subject: str) -> str:
    return f"{subject}: {rule.description} [{rule.name}] {rule.fix}"


def _observed(outcome: dict, rule: Rule, shown: set[str]) -> str:
    value = outcome.get("observed_value")
    if value is None or isinstance(value, list | dict) or not set(rule.columns) <= shown:
        return ""
    return f" (found {format_value(value)})"


def validate_extract(
    contracts: Contracts, extract: Extract, parameters: dict, settings: Settings
) -> tuple[Extract, list[ContractResult], list[str]]:
    """``validate_extracts`` for one file."""
    return validate_extracts(contracts, [extract], parameters, settings)[0]


def validate_extracts(
    contracts: Contracts, extracts: list[Extract], parameters: dict, settings: Settings
) -> list[tuple[Extract, list[ContractResult], list[str]]]:
    """Run each extract's suite on its typed rows: one GX batch a kind for the rules judged
    row by row (``Contracts.run_batch``), each file judged on its own rows.

    Returns, for each extract in order: the extract with the contract's row problems added
    (so ``frame`` holds only rows that pass every rule), one result per rule, and the
    blocking problems (empty unless the file must not be loaded).
    """
    frames = [
        _with_derived(contracts, e.kind, e.typed.set_index("source_row").rename_axis(None))
        for e in extracts
    ]
    outcomes: dict[int, list] = {}
    for kind in dict.fromkeys(e.kind for e in extracts):
        positions = [i for i, e in enumerate(extracts) if e.kind == kind]
        found = contracts.run_batch(kind, [frames[i] for i in positions], parameters)
        outcomes.update(zip(positions, found, strict=True))
    return [_judge(extract, frames[i], outcomes[i], settings) for i, extract in enumerate(extracts)]


def _with_derived(contracts: Contracts, kind: str, frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with the suite's derived columns; a file with no rows (an event extract
    that may be empty: ``schemas.EMPTY_FILE_MEANS``) has them empty, without computing."""
    if frame.empty:
        derived = contracts.suite(kind)[0]["meta"].get("derived_columns", {})
        return frame.assign(**{column: pd.Series(dtype=bool) for column in derived})
    return DERIVED.get(kind, lambda f: f)(frame)


def _judge(extract: Extract, frame: pd.DataFrame, outcomes, settings: Settings):
    shown = _shown(extract.kind)
    already = {(p.source_row, p.column) for p in extract.problems}
    whole_row = {p.source_row for p in extract.problems if p.column == "*"}
    results, problems, blocking = [], [], []
    for rule, outcome in outcomes:
        if outcome is None:
            results.append(_not_checked(extract, rule))
            continue
        flagged = [int(row) for row in outcome["unexpected_index_list"]]
        rows = [
            row
            for row in flagged
            if row not in whole_row and not any((row, c) in already for c in rule.columns)
        ]
        # A rule whose every failing row the reader already quarantined adds nothing new.
        success = not rows if flagged else outcome["success"]
        results.append(
            ContractResult(
                extract_kind=extract.kind,
                source_file=extract.path.name,
                source_file_hash=extract.content_hash,
                rule=rule.name,
                expectation_type=rule.expectation_type,
                column_name=", ".join(rule.columns),
                severity=rule.severity,
                success=success,
                unexpected_count=len(rows),
                message=rule.description if success else f"{rule.description} {rule.fix}",
            )
        )
        if success:
            continue
        if rule.severity == "row":
            problems.extend(
                RowProblem(
                    row,
                    ", ".join(rule.columns),
                    rule.name,
                    _problem_message(rule, _subject(frame, row, rule, shown)),
                )
                for row in rows
            )
        elif rule.severity == "blocking":
            named = "".join(
                f"; row {row} ({_subject(frame, row, rule, shown)})"
                for row in rows[:MAX_ROWS_NAMED]
            ) + (f"; … ({len(rows):,} rows in all)" if len(rows) > MAX_ROWS_NAMED else "")
            named += _other_rows(frame, rows, rule)
            observed = _observed(outcome, rule, shown)
            where = f"column {', '.join(rule.columns)}" if rule.columns else "the file"
            blocking.append(
                f"{extract.path.name}: {where}{observed}{named}: "
                f"{rule.description} [{rule.name}] {rule.fix}"
            )
    checked = extract.with_problems(problems)
    results.append(_quarantine_share(checked, settings, blocking))
    return checked, results, blocking


def _other_rows(frame: pd.DataFrame, rows: list[int], rule: Rule) -> str:
    """For a rule about a file-level column (the snapshot date), what the rows it did not
    name hold, so that the named rows' values can be told from the file's usual one:
    ``; the other 11,502 rows: snapshot_date '2026-03-31'``."""
    if not rows or not set(rule.columns) <= FILE_LEVEL_COLUMNS:
        return ""
    others = frame.loc[~frame.index.isin(rows), list(rule.columns)].dropna()
    if others.empty:
        return ""
    values = others.drop_duplicates().head(3)
    shown = ", ".join(
        " ".join(f"{column} {format_value(value)}" for column, value in row.items())
        for _, row in values.iterrows()
    )
    more = ", …" if len(others.drop_duplicates()) > len(values) else ""
    return f"; the other {len(others):,} row{'' if len(others) == 1 else 's'}: {shown}{more}"


def _not_checked(extract: Extract, rule: Rule) -> ContractResult:
    return ContractResult(
        extract_kind=extract.kind,
        source_file=extract.path.name,
        source_file_hash=extract.content_hash,
        rule=rule.name,
        expectation_type=rule.expectation_type,
        column_name=", ".join(rule.columns),
        severity="warning",
        success=False,
        unexpected_count=0,
        message=f"Not checked: the configuration lists no values for {', '.join(rule.columns)}. "
        "Add them under [codes] so that unknown values are caught.",
    )


def _quarantine_share(extract: Extract, settings: Settings, blocking: list[str]) -> ContractResult:
    """So many bad rows mean the file is wrong as a whole: publishing the rest would mislead."""
    limit = settings.contracts.max_quarantined_share
    share = len(extract.bad_rows) / extract.rows_read if extract.rows_read else 0.0
    success = share <= limit
    description = f"At most {limit:.0%} of the file's rows are quarantined."
    fix = (
        "Look at the quarantined rows (progression quarantine): one fault repeated on many "
        "rows, such as a column in the wrong format, is usually the cause."
    )
    if not success:
        rules = sorted({p.rule for p in extract.problems})
        blocking.append(
            f"{extract.path.name}: {share:.0%} of rows break a rule ({', '.join(rules)}): "
            f"{description} [quarantined_share] {fix}"
        )
    return ContractResult(
        extract_kind=extract.kind,
        source_file=extract.path.name,
        source_file_hash=extract.content_hash,
        rule="quarantined_share",
        expectation_type="progression_quarantined_share",
        column_name="*",
        severity="blocking",
        success=success,
        unexpected_count=0 if success else len(extract.bad_rows),
        message=description if success else f"{description} {fix}",
    )


REFERENCE_ROWS_ARE_FILE_ROWS = {"area_lookup": True, "census_population": False}
"""The area lookup keeps the file's rows in order; the census is reshaped (one row per area
and ethnic group), so its problems are named by area code instead."""


def reference_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A reference table as its suite judges it: indexed by the file's row numbers."""
    rows = frame.attrs.get("source_rows")  # the file's row numbers, from the reader
    frame = frame.reset_index(drop=True)
    frame.index = rows if rows is not None else frame.index + 2  # else the header is row 1
    return frame


def validate_reference(
    contracts: Contracts, name: str, frame: pd.DataFrame, source: Path, parameters: dict
) -> tuple[list[ContractResult], list[str]]:
    """Reference tables cannot be partly loaded: every failure of theirs blocks."""
    frame = reference_frame(frame)
    results, blocking = [], []
    for rule, outcome in contracts.run(name, frame, parameters):
        success = outcome is None or outcome["success"]
        rows = [int(r) for r in (outcome or {}).get("unexpected_index_list", [])]
        values = ", ".join(
            f"row {r}"
            if REFERENCE_ROWS_ARE_FILE_ROWS[name]
            else " ".join(str(frame.at[r, c]) for c in rule.columns if c in frame.columns)
            for r in rows[:MAX_ROWS_NAMED]
        )
        results.append(
            ContractResult(
                extract_kind=name,
                source_file=source.name,
                source_file_hash=None,
                rule=rule.name,
                expectation_type=rule.expectation_type,
                column_name=", ".join(rule.columns),
                severity=rule.severity,
                success=success,
                unexpected_count=len(rows),
                message=rule.description if success else f"{rule.description} {rule.fix}",
            )
        )
        if not success and rule.severity == "blocking":
            blocking.append(
                f"{source.name}: column {', '.join(rule.columns)}"
                + (f" ({values})" if values else "")
                + f": {rule.description} [{rule.name}] {rule.fix}"
            )
    return results, blocking
