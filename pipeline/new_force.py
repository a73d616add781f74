"""`progression init`: a new force's first configuration, written to guide.

Given the force's name it writes, into one folder: a commented ``progression.toml`` (the
force, its folders, its Census and ONS reference files), an area → LPU lookup listing the
force's local authorities (one LPU each until the force groups them), a new pseudonym key
(mode 0600, never overwritten), and an empty inbox. Given sample extracts, it also writes
each one's column mapping, guessed from its headers (the guesses are listed, never
silent), its departments, and the code values it holds that are neither codes nor known
wording, as commented synonym entries to fill in.
"""

from __future__ import annotations

import difflib
import json
import os
import re
import secrets
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from pipeline import codes, extracts, geography, reference
from pipeline.config import EXTRACT_KINDS, ConfigError, Settings
from pipeline.schemas import EXTRACT_COLUMNS, allowed_codes, synonyms_for

HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    "staff_id": ("payroll number", "payroll no", "payroll", "employee number", "employee no",
                 "employee id", "emp no", "staff number", "staff no", "person id",
                 "person number", "personnel number", "force number", "warrant number",
                 "collar number", "hr number", "subject payroll no", "subject payroll number",
                 "subject"),
    "applicant_id": ("applicant ref", "applicant reference", "applicant number",
                     "applicant no", "candidate id", "candidate number", "candidate ref",
                     "application id", "application number", "application ref"),
    "snapshot_date": ("as at date", "as at", "report date", "extract date", "snapshot",
                      "date of snapshot", "census date"),
    "worker_type": ("employee type", "staff type", "worker category", "employment type",
                    "staff category", "post type", "category", "employee category",
                    "officer staff"),
    "rank_or_band": ("rank grade", "rank", "grade", "band", "rank or grade", "pay band",
                     "substantive rank"),
    "target_rank": ("rank sought", "rank promoted to", "promotion to", "rank applied for"),
    "department": ("dept", "command", "directorate", "business area", "department name",
                   "unit"),
    "lpu_code": ("lpu", "local policing unit", "lpa", "local policing area", "npu",
                 "neighbourhood policing unit", "policing area", "lpu name"),
    "role": ("job title", "post title", "position", "role title", "job role"),
    "sex": ("gender", "legal sex"),
    "ethnicity_code": ("ethnic origin", "ethnicity", "ethnic group", "self defined ethnicity",
                       "sde", "ethnic code"),
    "date_of_birth": ("dob", "d o b", "birth date"),
    "service_start_date": ("continuous service date", "service start", "date joined",
                           "start date", "date of joining", "joined", "length of service date",
                           "police service start date"),
    "rank_start_date": ("date in rank", "rank date", "date of rank", "grade start date",
                        "date in grade", "rank start", "promotion date"),
    "fte": ("full time equivalent", "fte hours", "wte", "whole time equivalent"),
    "is_temporary_rank": ("temporary acting", "temporary or acting", "acting", "temporary",
                          "temp acting", "temporary rank", "acting rank", "acting temporary"),
    "movement_type": ("movement", "starter leaver", "joiner leaver", "starter or leaver",
                      "type of movement"),
    "movement_date": ("effective date", "date", "start or leave date", "event date"),
    "leaving_reason": ("reason for leaving", "reason", "termination reason", "leaver reason"),
    "process_id": ("process ref", "process reference", "process code", "process number"),
    "process_name": ("process title", "process", "promotion process"),
    "stage_order": ("stage no", "stage number", "stage seq", "step number", "step"),
    "stage_name": ("stage", "step", "step name", "stage title"),
    "outcome": ("result", "stage result", "stage outcome", "status"),
    "outcome_date": ("result date", "date of result", "stage date", "status date"),
    "campaign_id": ("campaign ref", "campaign reference", "campaign code", "campaign number",
                    "vacancy ref", "vacancy id"),
    "campaign_name": ("campaign title", "campaign", "vacancy title"),
    "entry_route": ("route", "route of entry", "programme"),
    "age_band": ("age group", "age range", "age bracket"),
    # The monitoring extracts: professional standards, case management, learning, PDR, survey.
    "case_id": ("case reference", "case ref", "case number", "case no", "complaint reference",
                "reference"),
    "opened_date": ("date recorded", "date opened", "recorded date", "date received", "opened"),
    "case_source": ("case type", "source", "complaint or conduct"),
    "misconduct_stage": ("furthest stage", "stage reached", "stage", "highest stage"),
    "misconduct_outcome": ("finding outcome", "finding", "outcome", "result", "sanction"),
    "suspension_status": ("suspension restriction", "suspended restricted", "suspension",
                          "restriction"),
    "closed_date": ("date finalised", "date closed", "closed", "finalised", "date concluded"),
    "grievance_type": ("case type", "type"),
    "raised_date": ("date raised", "raised", "date lodged"),
    "alleges_discrimination": ("discrimination alleged", "discrimination"),
    "grievance_outcome": ("outcome", "result", "finding"),
    "programme_id": ("course code", "programme code", "course id", "event code"),
    "programme_name": ("course title", "course name", "programme title", "programme"),
    "programme_type": ("category", "course type", "programme category"),
    "stage_type": ("step type", "stage category"),
    "appraisal_year": ("pdr year", "review year", "performance year", "year"),
    "rating": ("overall rating", "pdr rating", "performance rating", "final rating"),
    "survey_id": ("survey", "survey name"),
    "survey_date": ("fieldwork closed", "fieldwork end", "closing date", "survey closed"),
    "question_code": ("question no", "question number", "question id", "item number"),
    "question_text": ("question", "question wording", "item"),
    "respondent_count": ("base n", "base", "respondents", "responses"),
    "agreeing_count": ("agree n", "agree", "agreeing", "number agreeing", "positive"),
}  # fmt: skip
"""Headers HR and recruitment systems use for each canonical column (compared after
``_words``): a guess for the first configuration, which the analyst checks."""
MAX_VALUES = 40
"""Unrecognised code values listed per column."""


class InitError(ConfigError):
    """`progression init` cannot write the new force's files (exit code 2)."""


@dataclass
class Sample:
    """What one sample extract says about the force's exports."""

    path: Path
    kind: str
    header_row: int
    sheet: str | None
    """The workbook's sheet read (None for a CSV or text file)."""
    columns: dict[str, str]
    """canonical column -> the header that holds it (only where they differ)."""
    guessed: dict[str, str]
    """canonical column -> header, matched by an alias or a close spelling: to check."""
    missing: list[str]
    unused: list[str]
    values: dict[str, set[str]] = field(default_factory=dict)
    """code column -> values found."""


@dataclass(frozen=True)
class Written:
    config: Path
    area_lookup: Path
    key_file: Path
    key_created: bool
    inbox: Path
    force_name: str
    districts: list[tuple[str, str]]
    samples: list[Sample]


def _words(text: str) -> str:
    return " ".join(re.sub(r"[\W_]+", " ", text).split()).casefold()


def _guess_columns(header: list[str], kind: str) -> tuple[dict[str, str], dict[str, str]]:
    """canonical -> header for every column recognised, and which were guesses; exact
    names first, then aliases, then close spellings, each header used once."""
    wanted = [c.name for c in EXTRACT_COLUMNS[kind]]
    free = {h: _words(h) for h in header if h.strip()}
    found: dict[str, str] = {}
    guessed: dict[str, str] = {}
    for stage in ("exact", "alias", "close"):
        for canonical in wanted:
            if canonical in found:
                continue
            names = [_words(canonical)]
            if stage != "exact":
                names += [_words(a) for a in HEADER_ALIASES.get(canonical, ())]
            for original, words in free.items():
                if stage == "close":
                    hit = difflib.get_close_matches(words, names, n=1, cutoff=0.85)
                else:
                    hit = [words] if words in names else []
                if hit:
                    found[canonical] = original
                    if stage != "exact":
                        guessed[canonical] = original
                    del free[original]
                    break
    return found, guessed


def _named_kind(path: Path) -> str | None:
    """The extract a sample's file name says it is (it starts with the kind), if any."""
    return next((k for k in EXTRACT_KINDS if path.name.casefold().startswith(k)), None)


def _kind_of(path: Path, header: list[str]) -> str:
    if kind := _named_kind(path):
        return kind
    scores = {kind: len(_guess_columns(header, kind)[0]) for kind in EXTRACT_KINDS}
    best = max(scores, key=scores.get)
    if scores[best] < len(EXTRACT_COLUMNS[best]) / 2:
        raise InitError(
            f"{path.name}: cannot tell which extract this sample is (its header has too few "
            "recognisable columns); rename it to start with the extract's kind "
            f"({', '.join(EXTRACT_KINDS)})."
        )
    return best


def read_sample(path: Path) -> Sample:
    """A sample extract's kind, header row, column mapping and code values.

    Its header is found, and in a workbook its sheet chosen, by the nightly reader's rule
    (``extracts.read_table``): a header fits when it has every column each file of the
    extract has (of the extract the file name names, else of any), recognised as
    ``_guess_columns`` recognises them."""
    kinds = [named] if (named := _named_kind(path)) else EXTRACT_KINDS

    def score(cells: list[str]) -> tuple[bool, int]:
        found = {k: _guess_columns(cells, k)[0] for k in kinds}
        fits = any(
            all(c.name in found[k] for c in EXTRACT_COLUMNS[k] if c.in_every_file) for k in kinds
        )
        return fits, max(len(columns) for columns in found.values())

    try:
        table = extracts.read_table(path, score)
    except extracts.ExtractError as exc:
        raise InitError(f"Sample {path.name}: {exc.problem} {exc.fix}") from None
    except OSError as exc:
        raise InitError(f"Cannot read the sample {path}: {exc.strerror or exc}.") from None
    kind = _kind_of(path, table.header)
    found, guessed = _guess_columns(table.header, kind)
    positions = {name: table.header.index(header) for name, header in found.items()}
    values = {
        c.name: {
            row[positions[c.name]].strip()
            for _, row in table.rows
            if positions[c.name] < len(row) and row[positions[c.name]].strip()
        }
        for c in EXTRACT_COLUMNS[kind]
        if c.type == "code" and c.name in positions
    }
    return Sample(
        path=path,
        kind=kind,
        header_row=table.header_row,
        sheet=table.sheet,
        columns={c: h for c, h in found.items() if _words(c) != _words(h)},
        guessed=guessed,
        missing=[c.name for c in EXTRACT_COLUMNS[kind] if c.name not in found],
        unused=[h for h in table.header if h.strip() and h not in found.values()],
        values=values,
    )


def lpu_codes(districts: list[tuple[str, str]]) -> list[str]:
    """Short, unique LPU codes from district names: initials of a name of several words
    (Vale of White Horse -> VWH), else its first three letters (Reading -> REA)."""
    small = {"and", "of", "the", "upon", "on", "in", "with", "city", "county"}
    made: list[str] = []
    for _, name in districts:
        words = [w for w in re.findall(r"[A-Za-z]+", name) if w.casefold() not in small]
        code = "".join(w[0] for w in words[:4]) if len(words) > 1 else words[0][:3]
        code, base, n = code.upper(), code.upper(), 2
        while code in made:
            code, n = f"{base}{n}", n + 1
        made.append(code)
    return made


def _toml(value) -> str:
    return json.dumps(value, ensure_ascii=False)


def _config_text(force: str, districts, key_file: Path, folder: Path, samples) -> str:
    key = os.path.relpath(key_file, folder) if key_file.is_relative_to(folder) else str(key_file)
    lines = [
        f"# progression configuration for {force}, written by `progression init` on "
        f"{date.today().isoformat()}.",
        "# Relative paths are relative to this file. Every setting is described in",
        "# docs/first-night.md; pipeline/config.py is the schema (unknown keys are errors).",
        "# A change to any setting or reference file rebuilds the database and report at the",
        "# next run, and the run log says which setting changed.",
        "",
        "[force]",
        f"name = {_toml(force)}  # police force area, as in the ONS lookup",
        f"# {len(districts)} local authorities (Census 2021): "
        + ", ".join(name for _, name in districts),
        "",
        "[paths]",
        'inbox = "inbox"  # where HR puts the nightly extracts',
        'database = "var/progression.duckdb"  # the published database analysts read',
        'reports_dir = "var/reports"  # the report, one folder a run, latest = the current one',
        'work_dir = "var/work"  # run log, lock, archive of loaded extracts (personal data)',
        "# The pseudonym key turns payroll and applicant numbers into pseudonyms. Keep it",
        "# outside any shared folder, readable only by the account that runs progression, and",
        "# back it up with the force's other secrets. Lost or replaced, every person gets a new",
        "# pseudonym: rebuild the database from the past extracts (docs/first-night.md).",
        f"pseudonym_key_file = {_toml(key)}",
        "",
        "[reference]",
        "# Census 2021 (TS021, local authorities) and the ONS district -> force lookup are the",
        "# bundled files. A finer census (MSOA, LSOA) may be named in census_file; a ward file",
        "# also needs area_district_file (ward -> local authority).",
        'area_lookup_file = "area_to_lpu.csv"  # your LPUs: group the authorities (see the file)',
    ]
    for sample in samples:
        lines += _sample_block(sample)
    departments: dict[str, str] = {}  # one entry a department as values are matched with it
    for name in sorted(set().union(*(s.values.get("department", set()) for s in samples))):
        departments.setdefault(codes.code_key(name), name)
    lines += [
        "",
        "# Departments: the department column must hold one of these names (or a synonym in",
        "# [codes.department_synonyms]). Mark specialist units: they are compared with the",
        "# rest of the force in the report.",
    ]
    for name in list(departments.values()) or ["Local Policing"]:
        lines += ["[[codes.departments]]", f"name = {_toml(name)}", "is_specialist = false", ""]
    lines += _synonym_blocks(samples, districts)
    lines += [
        "[report]",
        "pdf = true  # needs Chromium; without it the run still publishes, with a warning",
    ]
    return "\n".join(lines).rstrip() + "\n"


def _sample_block(sample: Sample) -> list[str]:
    lines = [
        "",
        f"[extracts.{sample.kind}]",
        f"# From the sample {sample.path.name}"
        + (f", sheet {sample.sheet!r}" if sample.sheet is not None else "")
        + (f" (header in row {sample.header_row})" if sample.header_row != 1 else "")
        + ".",
        f"file_pattern = {_toml(_pattern(sample))}",
        "",
        f"[extracts.{sample.kind}.columns]",
        "# canonical column = the header in the force's export",
    ]
    for canonical, header in sample.columns.items():
        note = "  # guessed: check" if canonical in sample.guessed else ""
        lines.append(f"{canonical} = {_toml(header)}{note}")
    for canonical in sample.missing:
        lines.append(f'# {canonical} = ""  # not found in the sample: name the column')
    if sample.unused:
        lines.append("# Not loaded (dropped when read, never stored): " + ", ".join(sample.unused))
    return lines


def _pattern(sample: Sample) -> str:
    """The sample's name with its dates and numbers as wildcards."""
    if sample.path.name.casefold().startswith(sample.kind):
        return f"{sample.kind}*"
    wild = re.sub(r"\d+", "*", sample.path.stem) + "*"
    return re.sub(r"\*(?:[-_.]?\*)+", "*", wild)


def _synonym_blocks(samples: list[Sample], districts) -> list[str]:
    settings = Settings.model_validate(
        {
            "force": {"name": "-"},
            "paths": {k: "." for k in ("inbox", "database", "reports_dir", "work_dir")},
            "reference": {"area_lookup_file": "."},
        }
    )
    allowed = allowed_codes(settings, frozenset(lpu_codes(districts)))
    tables = {
        "rank_or_band": "rank_synonyms", "target_rank": "rank_synonyms",
        "ethnicity_code": "ethnicity_synonyms", "worker_type": "worker_type_synonyms",
        "sex": "sex_synonyms", "movement_type": "movement_type_synonyms",
        "leaving_reason": "leaving_reason_synonyms", "outcome": "outcome_synonyms",
        "age_band": "age_band_synonyms", "lpu_code": "lpu_synonyms",
    }  # fmt: skip
    unknown: dict[str, dict[str, set[str]]] = {}
    for sample in samples:
        for column, found in sample.values.items():
            if column not in tables:
                continue
            known = {codes.code_key(c) for c in allowed[column]}
            known |= set(synonyms_for(settings, column))
            for value in found:
                bare = extracts.TEMPORARY_RANK_PREFIX.sub("", value)
                if codes.code_key(bare) not in known:
                    table = unknown.setdefault(tables[column], {})
                    table.setdefault(value, set()).update(allowed[column])
    if not unknown:
        return []
    lines = [
        "# Values in the samples that are neither codes nor known wording: map each to its",
        "# code (uncomment the table and fill in), or correct them in the HR system. Until",
        "# then their rows are quarantined (progression quarantine lists them).",
    ]
    for table, values in sorted(unknown.items()):
        lines.append(f"# [codes.{table}]")
        for value in sorted(values)[:MAX_VALUES]:
            lines.append(f'# {_toml(value)} = ""  # one of: {", ".join(sorted(values[value]))}')
        if len(values) > MAX_VALUES:
            lines.append(f"# ... and {len(values) - MAX_VALUES} more")
    return [*lines, ""]


def _write_key(path: Path) -> bool:
    """A new random key, readable by its owner only; an existing key is never replaced."""
    if path.exists():
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="ascii") as handle:
        handle.write(secrets.token_hex(32) + "\n")
    return True


def init_force(
    force_name: str,
    folder: Path,
    samples: list[Path] = (),
    key_file: Path | None = None,
    force_lookup_file: Path = reference.BUNDLED_LOOKUPS[0],
) -> Written:
    """Write a new force's configuration, area → LPU lookup, key and inbox into ``folder``.

    Raises ``InitError`` or ``geography.GeographyError`` (configuration errors) for a force
    that is not in the lookup, a folder that already has a configuration, or an unreadable
    sample."""
    lookup = reference.read_force_lookup(force_lookup_file)
    chosen = geography.choose_force(lookup, force_name, force_lookup_file)
    force = chosen["force_name"].iloc[0]
    districts = sorted(zip(chosen["district_code"], chosen["district_name"], strict=True))
    folder = Path(os.path.abspath(folder))
    config = folder / "progression.toml"
    if config.exists():
        raise InitError(
            f"{config} already exists; init writes a new force's files only into a folder "
            "without a configuration. Choose another folder, or move the old one away."
        )
    read = [read_sample(Path(path)) for path in samples]
    kinds = [s.kind for s in read]
    repeated = sorted({k for k in kinds if kinds.count(k) > 1})
    if repeated:
        raise InitError(f"Give one sample of each extract; several are {', '.join(repeated)}.")
    key_file = Path(os.path.abspath(key_file)) if key_file else folder / "pseudonym.key"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "inbox").mkdir(exist_ok=True)
    area_lookup = folder / "area_to_lpu.csv"
    if not area_lookup.exists():
        rows = ["area_code,area_name,lpu_code,lpu_name"] + [
            f"{code},{_csv(name)},{lpu},{_csv(name)}"
            for (code, name), lpu in zip(districts, lpu_codes(districts), strict=True)
        ]
        area_lookup.write_text("\n".join(rows) + "\n", encoding="utf-8")
    created = _write_key(key_file)
    config.write_text(_config_text(force, districts, key_file, folder, read), encoding="utf-8")
    return Written(config, area_lookup, key_file, created, folder / "inbox", force, districts, read)


def _csv(text: str) -> str:
    return f'"{text}"' if "," in text or '"' in text else text
