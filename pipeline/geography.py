"""Which census areas make up the configured force, and each of its LPUs: resolved and
checked in one step, so that a benchmark is right or the run stops saying why.

The force's districts come from an ONS district → police force area lookup, whose vintage
need not be the census's: the December 2023 lookup names the 2023 unitary authorities
(North Yorkshire, Cumberland, Westmorland and Furness, Somerset) that Census 2021 does
not know, and the 2016 one the districts merged in 2019-2021. Both sides are matched
through the district changes lookup (old_code -> new_code): every code stands for the set
of oldest districts it was made of (its *parts*), and a census area belongs to the force
when its district's parts all lie in the force. A district of the force that no census
area covers, or a census district only partly in the force, is a configuration error that
names the codes; a district listed several times (one row per community safety
partnership, as ONS publishes it) counts once.

A census below local-authority level (MSOA, LSOA, ward) is placed in districts by the area
names ONS gives (MSOA "Birmingham 001", LSOA "Birmingham 001A"), or by an area → district
lookup; the force and its local authorities are then sums of their census areas.

The area → LPU lookup may list census areas or whole local authorities; it must lie within
the force and cover it exactly once, so that the LPUs add up to the force.
"""

from __future__ import annotations

import difflib
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from pipeline.config import ConfigError

DISTRICT_CODE = re.compile(r"[EW]0[6-9]\d{6}")
"""Local authority districts: E06 unitary, E07 non-metropolitan, E08 metropolitan,
E09 London borough, W06 Welsh unitary."""
AREA_NAME = re.compile(r"(?P<district>.+?)\s+\d{3}[A-Z]?")
"""ONS names statistical areas after their local authority: "Birmingham 001" (MSOA),
"Birmingham 001A" (LSOA)."""
MAX_NAMED = 8
"""How many codes a message lists before saying how many more there are."""


class GeographyError(ConfigError):
    """The configured force and the reference files do not fit together (exit code 2):
    the message names the codes or rows and the setting or file to change."""


@dataclass(frozen=True)
class Inputs:
    census: pd.DataFrame
    """Long census table (area_code, area_name, ...), at any one geography."""
    census_file: Path
    force_lookup: pd.DataFrame
    """Every force's districts: district_code, district_name, force_code, force_name."""
    force_lookup_file: Path
    force_name: str
    area_lookup: pd.DataFrame
    """area_code, area_name, lpu_code, lpu_name; ``attrs["source_rows"]`` the file's rows."""
    area_lookup_file: Path
    changes: pd.DataFrame
    """old_code -> new_code."""
    changes_file: Path
    area_districts: pd.DataFrame | None = None
    """area_code -> district_code, for a census below local authorities."""
    district_names: pd.DataFrame = field(default_factory=lambda: district_names())
    """code, name: every name a district goes by (``district_names``), preferred first."""


@dataclass(frozen=True)
class Resolved:
    force_areas: pd.DataFrame
    """One row per census area in the force: area_code, area_name, district_code,
    district_name, force_code, force_name, listed_as (the lookup's codes it came from)."""
    lpu_areas: pd.DataFrame
    """One row per census area in the force: area_code, lpu_code, lpu_name."""
    notes: tuple[str, ...] = ()
    """What was matched other than code for code, in words, for the run log."""


def _name_key(name: str) -> str:
    text = re.sub(r"&", " and ", name.casefold())
    return " ".join(re.sub(r"[^\w]+", " ", text).split())


_FORCE_WORDS = re.compile(r"\b(police|constabulary|service|force|area)\b")


def _force_keys(name: str) -> set[str]:
    """Ways one force is written: "Devon & Cornwall", "Devon and Cornwall Police",
    "London, City of" and "City of London Police" are each one force."""
    key = _FORCE_WORDS.sub(" ", _name_key(name))
    keys = {" ".join(key.split())}
    if match := re.fullmatch(r"(.+), city of", name.strip().casefold()):
        keys.add(_name_key(f"city of {match[1]}"))
    return keys


def choose_force(lookup: pd.DataFrame, force_name: str, path: Path) -> pd.DataFrame:
    """The lookup's rows for the configured force (case, "&"/"and", "Police" and
    "Constabulary" do not matter). Raises ``GeographyError`` naming the nearest names."""
    wanted = _force_keys(force_name)
    chosen = lookup[lookup["force_name"].map(lambda n: bool(_force_keys(n) & wanted))]
    if not chosen.empty:
        return chosen
    forces = sorted(lookup["force_name"].unique())
    near = difflib.get_close_matches(force_name, forces, n=3, cutoff=0.5)
    raise GeographyError(
        f"[force] name {force_name!r} is not a police force area in {path.name}"
        + (f"; did you mean {' or '.join(repr(n) for n in near)}?" if near else ".")
        + f" Set it to one of the {len(forces)} names there: {', '.join(forces)}."
    )


def district_names(*frames: pd.DataFrame) -> pd.DataFrame:
    """Every (code, name) pair the lookups give a district (district_code/district_name,
    and the changes lookup's old and new codes), in order of preference: ONS spells some
    names differently from one product to the next ("Rhondda Cynon Taf"/"Taff")."""
    pairs = (("district_code", "district_name"), ("old_code", "old_name"), ("new_code", "new_name"))
    found = [
        frame[[code, name]].set_axis(["code", "name"], axis=1)
        for frame in frames
        for code, name in pairs
        if code in frame and name in frame
    ]
    names = pd.concat(found, ignore_index=True) if found else pd.DataFrame(columns=["code", "name"])
    return names[(names["code"] != "") & (names["name"] != "")].drop_duplicates()


class _Parts:
    """Each district code as the set of oldest districts it was made of."""

    def __init__(self, changes: pd.DataFrame):
        self.predecessors: dict[str, list[str]] = defaultdict(list)
        for old, new in zip(changes["old_code"], changes["new_code"], strict=True):
            if old != new:
                self.predecessors[new].append(old)
        self._cache: dict[str, frozenset[str]] = {}

    def __call__(self, code: str, _seen: frozenset[str] = frozenset()) -> frozenset[str]:
        if code not in self._cache:
            olds = [o for o in self.predecessors.get(code, ()) if o not in _seen]
            self._cache[code] = (
                frozenset().union(*(self(o, _seen | {code}) for o in olds))
                if olds
                else frozenset({code})
            )
        return self._cache[code]


def _listed(codes, names: dict[str, str]) -> str:
    codes = sorted(codes)
    shown = ", ".join(f"{c} {names[c]}" if names.get(c) else c for c in codes[:MAX_NAMED])
    return shown + (f" and {len(codes) - MAX_NAMED} more" if len(codes) > MAX_NAMED else "")


def _census_districts(areas: pd.DataFrame, inputs: Inputs) -> pd.Series:
    """Each census area's local authority (area_code -> district_code)."""
    codes = areas.set_index("area_code")["area_name"]
    is_district = codes.index.str.fullmatch(DISTRICT_CODE.pattern)
    if is_district.all():
        return pd.Series(codes.index, index=codes.index)
    if is_district.any():
        raise GeographyError(
            f"{inputs.census_file.name}: the census file mixes local authorities "
            f"({_listed(codes.index[is_district][:3], {})}) with smaller areas "
            f"({_listed(codes.index[~is_district][:3], {})}); use a file at one geography "
            "([reference] census_file)."
        )
    if inputs.area_districts is not None:
        found = codes.index.to_series().map(
            inputs.area_districts.set_index("area_code")["district_code"]
        )
        unplaced = found[found.isna()].index
        how = "are not in [reference] area_district_file"
    else:
        by_name: dict[str, set[str]] = defaultdict(set)
        for code, name in inputs.district_names.itertuples(index=False):
            by_name[_name_key(name)].add(code)
            if short := re.fullmatch(r"(.+), (city|county) of", name.strip(), re.I):
                by_name[_name_key(short[1])].add(code)

        def district_of(prefix) -> str | None:
            found = by_name.get(_name_key(prefix), set()) if isinstance(prefix, str) else ()
            return next(iter(found)) if len(found) == 1 else None

        found = codes.str.extract(f"^{AREA_NAME.pattern}$")["district"].map(district_of)
        unplaced = found[found.isna()].index
        how = "have names that do not start with a local authority's name"
    if len(unplaced):
        examples = ", ".join(f"{c} {codes[c]!r}" for c in unplaced[:3])
        raise GeographyError(
            f"{inputs.census_file.name}: the census is below local-authority level and "
            f"{len(unplaced):,} of its {len(codes):,} areas ({examples}) {how}, so they "
            "cannot be placed in the force. Set [reference] area_district_file to a lookup "
            "from the census's area codes to their local authority codes (an ONS lookup "
            "such as ward to local authority district, or columns area_code, district_code)."
        )
    return found.astype("str")


def resolve(inputs: Inputs) -> Resolved:
    """The census areas of the force and of each LPU; raises ``GeographyError`` with
    every problem found (the force name, districts the census cannot cover, LPU areas
    outside the force, areas of the force in no LPU or in two)."""
    names = dict(inputs.district_names.drop_duplicates("code").itertuples(index=False))
    force = choose_force(inputs.force_lookup, inputs.force_name, inputs.force_lookup_file)
    force_name, force_code = force["force_name"].iloc[0], force["force_code"].iloc[0]
    areas = inputs.census[["area_code", "area_name"]].drop_duplicates("area_code")
    area_district = _census_districts(areas, inputs)
    if (area_district.index == area_district.to_numpy()).all():
        names = {**names, **dict(zip(areas["area_code"], areas["area_name"], strict=True))}
    parts = _Parts(inputs.changes)
    census_districts = set(area_district)

    listed = list(force["district_code"])
    force_parts = frozenset().union(*(parts(c) for c in listed))
    in_force = {d for d in census_districts if parts(d) <= force_parts}
    partly = {d for d in census_districts - in_force if parts(d) & force_parts}
    covered = frozenset().union(*(parts(d) for d in in_force))
    uncovered = [c for c in listed if not parts(c) <= covered]
    problems = []
    if uncovered:
        problems.append(
            f"{inputs.force_lookup_file.name} puts {_listed(uncovered, names)} in {force_name}, "
            f"but the census file {inputs.census_file.name} has no area there, and "
            f"{inputs.changes_file.name} does not say which census districts "
            f"{'it was' if len(uncovered) == 1 else 'they were'} made from or merged into. "
            "Set [reference] force_lookup_file to a lookup with the census's district codes "
            "(the bundled lad21-to-police-force-area.csv for Census 2021), or add the "
            "district's predecessors to [reference] district_changes_file."
        )
    for district in sorted(partly):
        inside = sorted(parts(district) & force_parts)
        problems.append(
            f"Census district {_listed([district], names)} is only partly in {force_name} "
            f"according to {inputs.force_lookup_file.name} (it lists {_listed(inside, names)} "
            f"but not {_listed(parts(district) - force_parts, names)}). Use a force lookup "
            "of the census's vintage ([reference] force_lookup_file)."
        )
    if problems:
        raise GeographyError(" ".join(problems))

    force_areas = _force_areas(areas, area_district, in_force, listed, parts, names)
    force_areas = force_areas.assign(force_code=force_code, force_name=force_name)
    lpu_areas = _lpu_areas(inputs, force_areas, area_district, parts, names, force_name)
    return Resolved(force_areas, lpu_areas, _notes(inputs, force, force_areas, parts, names))


def _force_areas(areas, area_district, in_force, listed, parts, names) -> pd.DataFrame:
    frame = areas.assign(district_code=areas["area_code"].map(area_district))
    frame = frame[frame["district_code"].isin(in_force)].copy()
    frame["district_name"] = frame["district_code"].map(lambda d: names.get(d, d))
    sources = {d: " ".join(sorted(c for c in listed if parts(c) & parts(d))) for d in in_force}
    frame["listed_as"] = frame["district_code"].map(sources)
    return frame.sort_values("area_code").reset_index(drop=True)


def _force_of_parts(inputs: Inputs, parts: _Parts) -> dict[str, str]:
    return {
        part: force
        for code, force in zip(
            inputs.force_lookup["district_code"], inputs.force_lookup["force_name"], strict=True
        )
        for part in parts(code)
    }


def _lpu_areas(inputs, force_areas, area_district, parts, names, force_name) -> pd.DataFrame:
    lookup = inputs.area_lookup
    rows = lookup.attrs.get("source_rows") or [i + 2 for i in range(len(lookup))]
    file = inputs.area_lookup_file.name
    area_codes = set(area_district.index)
    district_areas = area_district.groupby(area_district).groups
    in_force = set(force_areas["area_code"])
    force_of = _force_of_parts(inputs, parts)
    assigned: dict[str, tuple[int, str, str]] = {}
    unknown, outside, twice, partial = [], [], [], []
    complete = True
    for row, code, lpu_code, lpu_name in zip(
        rows, lookup["area_code"], lookup["lpu_code"], lookup["lpu_name"], strict=True
    ):
        if not code or not lpu_code:
            complete = False  # the contract names the blank cell
            continue
        if code in area_codes:
            covers = [code]
        else:
            target = parts(code)
            within = [d for d in district_areas if parts(d) <= target]
            if not within or frozenset().union(*(parts(d) for d in within)) != target:
                wider = sorted(d for d in district_areas if parts(d) & target and d not in within)
                if wider:
                    partial.append(f"row {row} ({code}, part of {_listed(wider, names)})")
                else:
                    unknown.append(f"row {row} ({code})")
                continue
            covers = [a for d in within for a in district_areas[d]]
        elsewhere = sorted(set(covers) - in_force)
        if elsewhere:
            forces = sorted({force_of.get(p, "no force") for a in elsewhere
                             for p in parts(area_district[a])})  # fmt: skip
            outside.append(f"row {row} ({code} → LPU {lpu_code}, in {' and '.join(forces)})")
        for area in covers:
            if area in assigned:
                twice.append(f"{area} (rows {assigned[area][0]} and {row})")
            else:
                assigned[area] = (row, lpu_code, lpu_name)
    problems = []
    if unknown:
        problems.append(
            f"{file}: {', '.join(unknown[:MAX_NAMED])} "
            f"{'is' if len(unknown) == 1 else 'are'} neither an area of the census file "
            f"{inputs.census_file.name} nor a local authority made of its areas; the lookup "
            "must use the census's area codes or local authority codes."
        )
    if partial:
        problems.append(
            f"{file}: {', '.join(partial[:MAX_NAMED])}: the census file does not divide "
            "these local authorities; list the census's own (whole) authority instead."
        )
    if outside:
        problems.append(
            f"{file}: {', '.join(outside[:MAX_NAMED])}"
            f"{' and more' if len(outside) > MAX_NAMED else ''} lie outside {force_name}, the "
            "configured force. Check [force] name, or correct the area → LPU lookup "
            "([reference] area_lookup_file) to list the force's own areas."
        )
    if twice:
        problems.append(
            f"{file}: census area(s) {', '.join(twice[:MAX_NAMED])} are in two LPUs; give "
            "each area one LPU."
        )
    missing = sorted(in_force - set(assigned)) if complete and not problems else []
    if missing:
        by_district = force_areas.set_index("area_code").loc[missing, "district_code"]
        counts = by_district.value_counts()
        totals = force_areas["district_code"].value_counts()
        described = [
            f"{names.get(d, d)} ({d})"
            if counts[d] == totals[d]
            else f"{counts[d]:,} of the {totals[d]:,} census areas of {names.get(d, d)} ({d})"
            for d in sorted(counts.index)
        ]
        problems.append(
            f"{file}: the LPUs do not cover the whole of {force_name}, so they would not add "
            f"up to the force: {'; '.join(described[:MAX_NAMED])}"
            f"{' and more' if len(described) > MAX_NAMED else ''} "
            f"{'is' if len(described) == 1 else 'are'} in no LPU. Add a row for each "
            "(area_code, area_name, lpu_code, lpu_name)."
        )
    if problems:
        raise GeographyError(" ".join(problems))
    return pd.DataFrame(
        [(area, lpu, name) for area, (_, lpu, name) in sorted(assigned.items())],
        columns=["area_code", "lpu_code", "lpu_name"],
    )


def _notes(inputs, force, force_areas, parts, names) -> tuple[str, ...]:
    notes = []
    repeated = inputs.force_lookup.attrs.get("repeated_districts", {})
    mine = {c: n for c, n in repeated.items() if c in set(force["district_code"])}
    if mine:
        notes.append(
            f"{inputs.force_lookup_file.name} lists {_listed(mine, names)} more than once "
            "(one row per community safety partnership); each is counted once."
        )
    districts = force_areas.drop_duplicates("district_code")
    for code in force["district_code"]:
        matched = sorted(districts.loc[districts["listed_as"].str.split().map(
            lambda codes, c=code: c in codes), "district_code"])  # fmt: skip
        if matched != [code]:
            notes.append(
                f"{_listed([code], names)} in {inputs.force_lookup_file.name} is "
                f"{_listed(matched, names)} in the census."
            )
    return tuple(notes)
