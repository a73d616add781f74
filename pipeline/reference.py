"""Census tables in the Nomis bulk layout, and the lookups from areas to forces and LPUs.

The census reader works from the column labels as Nomis publishes them, not from column
positions, so a newer or finer-grained Nomis file (ward, MSOA) can be dropped in.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from pipeline import census_2011
from pipeline.config import Settings


class ReferenceDataError(Exception):
    """A reference file that cannot be used; the message names the file and the fix."""


# Detailed census categories → police 18+1 codes, matched on the label after the broad
# group. Census 2021's "White: Roma" has no police code; W9 is the nearest.
_DETAIL_PATTERNS: dict[str, tuple[tuple[str, str], ...]] = {
    "white": (
        (r"english|british", "W1"),
        (r"gypsy|traveller", "W3"),
        (r"irish", "W2"),
        (r"roma", "W9"),
        (r"other", "W9"),
    ),
    "mixed": (
        (r"white and black caribbean", "M1"),
        (r"white and black african", "M2"),
        (r"white and asian", "M3"),
        (r"other", "M9"),
    ),
    "asian": (
        (r"indian", "A1"),
        (r"pakistani", "A2"),
        (r"bangladeshi", "A3"),
        (r"chinese", "A4"),
        (r"other", "A9"),
    ),
    "black": ((r"caribbean", "B1"), (r"african", "B2"), (r"other", "B9")),
    "other": ((r"arab", "O2"), (r"any other|other", "O9")),
}
_ID_COLUMNS = {"date", "geography", "geography code"}


def _classify_label(label: str) -> tuple[str, str | None] | None:
    """('total', None), ('broad', None) or ('detail', code) for a Nomis column label."""
    text = re.sub(r";\s*measures:.*$", "", label, flags=re.I).strip()
    parts = [p.strip() for p in text.split(":")]
    if not parts or parts[0].casefold() != "ethnic group":
        return None
    parts = parts[1:]
    if not parts:
        return None
    if parts[0].casefold() in {"total", "all categories"}:
        return ("total", None)
    broad = parts[0].split()[0].split("/")[0].split(",")[0].casefold()
    if broad not in _DETAIL_PATTERNS:
        return None
    if len(parts) == 1:
        return ("broad", None)
    detail = parts[-1].casefold()
    for pattern, code in _DETAIL_PATTERNS[broad]:
        if re.search(pattern, detail):
            return ("detail", code)
    return None


def read_census(path: Path) -> pd.DataFrame:
    """Long table: area_code, area_name, census_year, ethnicity_code, population_count.

    Several census categories may map to one police code (Roma and Other White to W9);
    they are summed. Checked: the detailed groups add up to each area's total.
    """
    try:
        frame = pd.read_csv(path, dtype=str, encoding="utf-8-sig", keep_default_na=False)
    except (OSError, UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise ReferenceDataError(f"{path.name}: cannot read the census file ({exc}).") from None
    columns = {c.strip().casefold(): c for c in frame.columns}
    missing = [c for c in ("date", "geography", "geography code") if c not in columns]
    if missing:
        raise ReferenceDataError(
            f"{path.name}: column(s) {', '.join(missing)} missing; expected the Nomis bulk "
            "layout (date, geography, geography code, then one column per ethnic group)."
        )
    labels = {c: _classify_label(c) for c in frame.columns if c.casefold() not in _ID_COLUMNS}
    totals = [c for c, kind in labels.items() if kind and kind[0] == "total"]
    details = {c: kind[1] for c, kind in labels.items() if kind and kind[0] == "detail"}
    expected_codes = {code for patterns in _DETAIL_PATTERNS.values() for _, code in patterns}
    absent = sorted(expected_codes - set(details.values()))
    if len(totals) != 1 or absent:
        raise ReferenceDataError(
            f"{path.name}: not a complete ethnic-group table: "
            + (f"no column for {', '.join(absent)}; " if absent else "")
            + ("no total column; " if not totals else "")
            + "download the whole Nomis table (all categories)."
        )
    if "rural urban" in columns:
        frame = frame[frame[columns["rural urban"]].str.casefold() == "total"]
    numbers = frame[[totals[0], *details]].apply(
        lambda s: pd.to_numeric(s.str.replace(",", ""), errors="coerce")
    )
    if numbers.isna().any().any():
        bad = numbers.isna().any(axis=1).idxmax()
        raise ReferenceDataError(f"{path.name}: a count is not a number in data row {bad + 2}.")
    detail_sum = numbers[list(details)].sum(axis=1)
    mismatch = detail_sum != numbers[totals[0]]
    if mismatch.any():
        row = mismatch.idxmax()
        raise ReferenceDataError(
            f"{path.name}: detailed groups do not add up to the total in data row {row + 2}."
        )
    long = (
        numbers[list(details)]
        .rename(columns=details)
        .T.groupby(level=0)
        .sum()
        .T.assign(
            area_code=frame[columns["geography code"]].str.strip(),
            area_name=frame[columns["geography"]].str.strip(),
            census_year=pd.to_numeric(frame[columns["date"]], errors="coerce").astype("Int64"),
        )
        .melt(
            id_vars=["area_code", "area_name", "census_year"],
            var_name="ethnicity_code",
            value_name="population_count",
        )
    )
    long["population_count"] = long["population_count"].astype("int64")
    return long.sort_values(["area_code", "ethnicity_code"]).reset_index(drop=True)


def read_force_areas(path: Path, force_name: str) -> pd.DataFrame:
    """The local authorities that make up the named force area, with the force's code."""
    lookup = pd.read_csv(path, dtype=str, encoding="utf-8-sig")
    code_col = next(c for c in lookup.columns if re.fullmatch(r"LAD\d\dCD", c))
    name_col = next(c for c in lookup.columns if re.fullmatch(r"LAD\d\dNM", c))
    force_col = next(c for c in lookup.columns if re.fullmatch(r"PFA(\d\d)?NM", c))
    force_code_col = next(c for c in lookup.columns if re.fullmatch(r"PFA(\d\d)?CD", c))
    chosen = lookup[lookup[force_col].str.casefold() == force_name.strip().casefold()]
    if chosen.empty:
        forces = ", ".join(sorted(lookup[force_col].unique()))
        raise ReferenceDataError(
            f"No local authorities for force '{force_name}' in {path.name}; "
            f"[force] name must be one of: {forces}."
        )
    return (
        chosen[[code_col, name_col, force_code_col, force_col]]
        .set_axis(["area_code", "area_name", "force_code", "force_name"], axis=1)
        .sort_values("area_code")
        .reset_index(drop=True)
    )


def read_area_lookup(path: Path) -> pd.DataFrame:
    """area_code → lpu_code; every area must belong to exactly one LPU."""
    try:
        lookup = pd.read_csv(path, dtype=str, encoding="utf-8-sig", keep_default_na=False)
    except OSError as exc:
        raise ReferenceDataError(f"Cannot read the area → LPU lookup {path}: {exc}") from None
    lookup.columns = [c.strip().casefold() for c in lookup.columns]
    needed = ["area_code", "area_name", "lpu_code", "lpu_name"]
    missing = [c for c in needed if c not in lookup.columns]
    if missing:
        raise ReferenceDataError(f"{path.name}: column(s) {', '.join(missing)} missing.")
    lookup = lookup[needed].apply(lambda s: s.str.strip())
    duplicated = lookup["area_code"].duplicated()
    if duplicated.any():
        row = duplicated.idxmax() + 2
        raise ReferenceDataError(f"{path.name}: area code repeated in row {row}; one LPU an area.")
    return lookup


def load_reference(settings: Settings) -> dict[str, pd.DataFrame]:
    """Every reference table the SQL models read, checked against each other."""
    census = read_census(settings.reference.census_file)
    force_areas = read_force_areas(settings.reference.force_lookup_file, settings.force.name)
    area_lookup = read_area_lookup(settings.reference.area_lookup_file)
    unknown = sorted(set(area_lookup["area_code"]) - set(census["area_code"]))
    if unknown:
        raise ReferenceDataError(
            f"{settings.reference.area_lookup_file.name}: area code(s) {', '.join(unknown)} "
            f"are not in the census file {settings.reference.census_file.name}; the lookup "
            "and the census must use the same geography."
        )
    tables = {"census_population": census, "force_areas": force_areas, "area_lookup": area_lookup}
    if settings.reference.census_2011_file is not None:
        tables["census_2011_population"] = read_census(settings.reference.census_2011_file)
    tables.update(census_2011.reference_tables(settings, tables))
    return tables
