"""Census tables in the Nomis bulk layout, and the lookups from areas to forces and LPUs.

The census reader works from the column labels as Nomis publishes them, not from column
positions, so a newer or finer-grained Nomis file (ward, MSOA, LSOA) can be dropped in.
Every reader goes through the extract readers' table reading (``pipeline.extracts``):
the same encodings (UTF-8, Windows-1252, UTF-16), delimiters, header case and spacing,
workbooks as well as CSV, and a header found below title or metadata rows. Row numbers in
messages are the file's, as a spreadsheet or an editor shows them.

Which census areas make up the force and each LPU is worked out, and checked, by
``pipeline.geography``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from pipeline import census_2011, geography
from pipeline.codes import header_key
from pipeline.config import BUNDLED_REFERENCE, ConfigError, Settings
from pipeline.extracts import MAX_WHOLE, ExtractError, parse_whole_numbers, read_table
from pipeline.safe_text import trim, visible


class ReferenceDataError(Exception):
    """A reference file that cannot be used; the message names the file, row and column,
    and the fix (exit code 3: nothing is published until it is corrected)."""


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


def _read(path: Path, what: str, score: Callable[[list[str]], tuple[bool, int]]) -> pd.DataFrame:
    """A reference file as text cells under its header, indexed by the file's row numbers.

    Raises ``ReferenceDataError`` for a file that cannot be read; the caller checks that
    the columns it needs are there (the header is the first row that has them)."""
    try:
        table = read_table(path, score, expected=f"the columns of {what}")
    except ExtractError as exc:
        raise ReferenceDataError(
            f"{path.name} ({what}): {exc.problem} Replace it with a complete copy, "
            "or correct its path in the configuration."
        ) from None
    except FileNotFoundError:
        raise ConfigError(
            f"{what}: {path} does not exist; correct the path in the configuration."
        ) from None
    except OSError as exc:
        raise ReferenceDataError(f"Cannot read {what} {path}: {exc.strerror or exc}.") from None
    width = len(table.header)
    for number, cells in table.rows:
        if any(cell.strip() for cell in cells[width:]):
            raise ReferenceDataError(
                f"{path.name} ({what}): row {number} has {len(cells)} fields but the header "
                f"(row {table.header_row}) has {width}: a value with a comma that is not in "
                "quotes? Save the file again from Excel or quote that value."
            )
    rows = [
        [trim(c) for c in cells[:width]] + [""] * (width - len(cells)) for _, cells in table.rows
    ]
    frame = pd.DataFrame(rows, columns=[trim(h) for h in table.header], dtype="str")
    frame.index = [number for number, _ in table.rows]
    frame.attrs["header_row"] = table.header_row
    return frame


def _columns_found(frame_or_header, patterns: dict[str, str]) -> dict[str, str]:
    """Canonical name -> the file's column, for every pattern matched by a header."""
    found = {}
    for canonical, pattern in patterns.items():
        for column in frame_or_header:
            if re.fullmatch(pattern, header_key(column)) and canonical not in found:
                found[canonical] = column
    return found


def _score(patterns: dict[str, str], required: tuple[str, ...]):
    def score(cells: list[str]) -> tuple[bool, int]:
        found = _columns_found(cells, patterns)
        return all(c in found for c in required), len(found)

    return score


def _missing_columns(path: Path, what: str, frame, needed: list[str], layout: str) -> None:
    if needed:
        row = frame.attrs.get("header_row", 1)
        raise ReferenceDataError(
            f"{path.name} ({what}): no column for {', '.join(needed)} in the header "
            f"(row {row}: {', '.join(repr(c) for c in frame.columns[:8])}"
            f"{', ...' if len(frame.columns) > 8 else ''}); expected {layout}."
        )


def _read_columns(
    path: Path, what: str, patterns: dict[str, str], required: tuple[str, ...], layout: str
) -> pd.DataFrame:
    """The columns of a reference file that match ``patterns``, under their canonical names
    and indexed by the file's row numbers; a required column missing is named, with the
    header row read."""
    frame = _read(path, what, _score(patterns, required))
    found = _columns_found(frame.columns, patterns)
    _missing_columns(path, what, frame, [c for c in required if c not in found], layout)
    columns = [c for c in patterns if c in found]
    return frame[[found[c] for c in columns]].set_axis(columns, axis=1)


_CENSUS_IDS = {"date": r"date", "geography": r"geography", "code": r"geography code"}


def read_census(path: Path) -> pd.DataFrame:
    """Long table: area_code, area_name, census_year, ethnicity_code, population_count.

    Several census categories may map to one police code (Roma and Other White to W9);
    they are summed. Checked: the detailed groups add up to each area's total. Rows with
    no area code below the data (a download's footnotes) are ignored.
    """
    what = "the census file"
    frame = _read(path, what, _score(_CENSUS_IDS, ("code", "geography")))
    ids = _columns_found(frame.columns, _CENSUS_IDS)
    _missing_columns(
        path,
        what,
        frame,
        [f"'{_CENSUS_IDS[c]}'" for c in _CENSUS_IDS if c not in ids],
        "the Nomis bulk layout (date, geography, geography code, then one column per ethnic group)",
    )
    labels = {c: _classify_label(c) for c in frame.columns if c not in ids.values()}
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
    frame = frame[frame[ids["code"]] != ""]
    rural_urban = _columns_found(frame.columns, {"ru": r"rural urban"})
    if rural_urban:
        frame = frame[frame[rural_urban["ru"]].str.casefold() == "total"]
    if frame.empty:
        raise ReferenceDataError(f"{path.name} ({what}): the file has a header but no areas.")
    counts = [totals[0], *details]
    numbers = frame[counts].apply(parse_whole_numbers)
    bad = numbers.isna() | (numbers < 0) | (numbers != numbers.round()) | (numbers > MAX_WHOLE)
    if bad.any().any():
        row = bad.any(axis=1).idxmax()
        column = numbers.columns[bad.loc[row].argmax()]
        raise ReferenceDataError(
            f"{path.name}: a count is not a whole number of people in row {row}, column "
            f"{column!r} ('{visible(frame.at[row, column])}'); download the file again from "
            "Nomis (a spreadsheet may have rewritten it: 1E+03, nan or 12.5 are not counts)."
        )
    numbers = numbers.astype("int64")
    detail_sum = numbers[list(details)].sum(axis=1)
    mismatch = detail_sum != numbers[totals[0]]
    if mismatch.any():
        row = mismatch.idxmax()
        raise ReferenceDataError(
            f"{path.name}: detailed groups do not add up to the total in row {row} "
            f"(area {frame.at[row, ids['code']]}); download the whole table again."
        )
    repeated = frame[ids["code"]].duplicated()
    if repeated.any():
        row = repeated.idxmax()
        raise ReferenceDataError(
            f"{path.name}: area {frame.at[row, ids['code']]} appears again in row {row}; "
            "a census table has one row an area (filter a rural/urban split to its total)."
        )
    year = pd.to_numeric(frame[ids["date"]], errors="coerce") if "date" in ids else pd.NA
    long = (
        numbers[list(details)]
        .rename(columns=details)
        .T.groupby(level=0)
        .sum()
        .T.assign(
            area_code=frame[ids["code"]],
            area_name=frame[ids["geography"]],
            census_year=pd.Series(year, index=frame.index).astype("Int64"),
        )
        .melt(
            id_vars=["area_code", "area_name", "census_year"],
            var_name="ethnicity_code",
            value_name="population_count",
        )
    )
    long["population_count"] = long["population_count"].astype("int64")
    return long.sort_values(["area_code", "ethnicity_code"]).reset_index(drop=True)


_FORCE_LOOKUP = {
    "district_code": r"(lad|ltla)\d\dcd|district code|lad code",
    "district_name": r"(lad|ltla)\d\dnm|district name|lad name",
    "force_code": r"pfa(\d\d)?cd|force code|pfa code",
    "force_name": r"pfa(\d\d)?nm|force name|force|pfa name",
}


def read_force_lookup(path: Path) -> pd.DataFrame:
    """Every district -> police force area row of an ONS lookup (LADyyCD, LADyyNM,
    PFAyyCD, PFAyyNM in any case; other columns such as community safety partnerships
    ignored), one row a district: ONS's lookups with a row per community safety
    partnership repeat a district once for each of its partnerships.

    Columns: district_code, district_name, force_code, force_name, source_row.
    """
    lookup = _read_columns(
        path,
        "the district → police force area lookup ([reference] force_lookup_file)",
        _FORCE_LOOKUP,
        tuple(_FORCE_LOOKUP),
        "an ONS lookup with LADyyCD, LADyyNM, PFAyyCD and PFAyyNM columns",
    )
    lookup = lookup.assign(source_row=lookup.index)[lookup["district_code"] != ""]
    forces = lookup.groupby("district_code")["force_name"].nunique()
    if (forces > 1).any():
        code = forces[forces > 1].index[0]
        rows = lookup[lookup["district_code"] == code].drop_duplicates("force_name")
        where = [f"{f!r} in row {r}" for f, r in zip(rows["force_name"], rows["source_row"])]  # noqa: B905
        raise ReferenceDataError(
            f"{path.name}: district {code} is in more than one police force area "
            f"({', '.join(where)}); "
            "a district lies in one force area."
        )
    counts = lookup["district_code"].value_counts()
    lookup = lookup.drop_duplicates("district_code").reset_index(drop=True)
    lookup.attrs["repeated_districts"] = counts[counts > 1].to_dict()
    return lookup


def read_force_areas(path: Path, force_name: str) -> pd.DataFrame:
    """The districts the lookup puts in the named force area (as listed there, one row a
    district), with the force's code: district_code, district_name, force_code, force_name.

    Raises ``geography.GeographyError`` (a configuration error) for a name that is not one
    of the lookup's forces, suggesting the nearest."""
    lookup = read_force_lookup(path)
    chosen = geography.choose_force(lookup, force_name, path)
    return chosen.drop(columns="source_row").sort_values("district_code").reset_index(drop=True)


_AREA_LOOKUP = {
    "area_code": r"area code",
    "area_name": r"area name",
    "lpu_code": r"lpu code",
    "lpu_name": r"lpu name",
}


def read_area_lookup(path: Path) -> pd.DataFrame:
    """area_code -> lpu_code; every area must belong to exactly one LPU. Area codes may be
    the census's own areas or whole local authorities (which then stand for every census
    area in them). ``attrs["source_rows"]`` holds each row's number in the file."""
    lookup = _read_columns(
        path,
        "the area → LPU lookup ([reference] area_lookup_file)",
        _AREA_LOOKUP,
        tuple(_AREA_LOOKUP),
        "the columns area_code, area_name, lpu_code, lpu_name",
    )
    duplicated = lookup["area_code"].duplicated() & (lookup["area_code"] != "")
    if duplicated.any():
        row = duplicated.idxmax()
        raise ReferenceDataError(
            f"{path.name}: area code {lookup.at[row, 'area_code']} repeated in row {row}; "
            "one LPU an area."
        )
    rows = list(lookup.index)
    lookup = lookup.reset_index(drop=True)
    lookup.attrs["source_rows"] = rows
    return lookup


_CHANGES = {
    "old_code": r"old code",
    "new_code": r"new code",
}


def read_district_changes(path: Path) -> pd.DataFrame:
    """Local authorities merged into new ones (old_code -> new_code, with names): how a
    lookup's newer or older district codes are matched to the census's."""
    changes = _read_columns(
        path,
        "the district changes lookup ([reference] district_changes_file)",
        {**_CHANGES, "old_name": r"old name", "new_name": r"new name"},
        tuple(_CHANGES),
        "old_code and new_code",
    )
    for column in ("old_name", "new_name"):
        if column not in changes:
            changes[column] = ""
    return changes[changes["old_code"] != ""].reset_index(drop=True)


_AREA_DISTRICTS = {
    "area_code": r"area code|(oa|lsoa|msoa|wd)\d\dcd",
    "district_code": r"district code|(lad|ltla)\d\dcd",
}


def read_area_districts(path: Path) -> pd.DataFrame:
    """A census geography's areas -> the local authority each lies in (area_code,
    district_code): an ONS lookup such as ward to LAD (WDyyCD, LADyyCD) or a file with
    those two columns."""
    lookup = _read_columns(
        path,
        "the area → local authority lookup ([reference] area_district_file)",
        _AREA_DISTRICTS,
        tuple(_AREA_DISTRICTS),
        "an area code column (area_code, or an ONS code such as WD22CD or MSOA21CD) and a "
        "local authority code column (district_code or LADyyCD)",
    )
    return lookup[lookup["area_code"] != ""].drop_duplicates("area_code")


BUNDLED_LOOKUPS = (
    BUNDLED_REFERENCE / "lad21-to-police-force-area.csv",
    BUNDLED_REFERENCE / "lad23-to-police-force-area-ons-2023.csv",
    BUNDLED_REFERENCE / "lad16-to-police-force-area-ons-2016.csv",
)
"""The shipped ONS lookups: the names local authorities go by, which a census area's name
starts with (MSOA "Birmingham 001", LSOA "Birmingham 001A")."""


def load_reference(settings: Settings) -> dict[str, pd.DataFrame]:
    """Every reference table the SQL models read, checked against each other and against
    the configured force (``geography.resolve``) and LPU synonyms: census_population,
    force_areas, lpu_areas, area_lookup and, when configured, census_2011_population."""
    ref = settings.reference
    census = read_census(ref.census_file)
    force_lookup = read_force_lookup(ref.force_lookup_file)
    area_lookup = read_area_lookup(ref.area_lookup_file)
    changes = read_district_changes(ref.district_changes_file)
    area_districts = read_area_districts(ref.area_district_file) if ref.area_district_file else None
    names = [force_lookup, changes]
    if not census["area_code"].str.fullmatch(geography.DISTRICT_CODE.pattern).all():
        # areas below local authorities are placed by their names: every spelling helps
        names += [read_force_lookup(p) for p in BUNDLED_LOOKUPS if p != ref.force_lookup_file]
    resolved = geography.resolve(
        geography.Inputs(
            census=census,
            census_file=ref.census_file,
            force_lookup=force_lookup,
            force_lookup_file=ref.force_lookup_file,
            force_name=settings.force.name,
            area_lookup=area_lookup,
            area_lookup_file=ref.area_lookup_file,
            changes=changes,
            changes_file=ref.district_changes_file,
            area_districts=area_districts,
            district_names=geography.district_names(*names),
        )
    )
    settings.codes.check_lpu_synonyms(
        {code for code in area_lookup["lpu_code"] if code}, ref.area_lookup_file
    )
    resolved.force_areas.attrs["notes"] = resolved.notes
    tables = {
        "census_population": census,
        "force_areas": resolved.force_areas,
        "lpu_areas": resolved.lpu_areas,
        "area_lookup": area_lookup,
    }
    if ref.census_2011_file is not None:
        tables["census_2011_population"] = read_census(ref.census_2011_file)
    tables.update(census_2011.reference_tables(settings, tables))
    return tables


def geography_notes(tables: dict[str, pd.DataFrame]) -> tuple[str, ...]:
    """How the force's districts were matched to the census, where not code for code (a
    district listed more than once, a newer or older code): for the run log."""
    return tables["force_areas"].attrs.get("notes", ())
