"""Census 2011 beside Census 2021, for the benchmark trend (``marts.population_benchmark_trend``).

The Census 2011 table (QS201EW, shipped) is by local authority as they stood in 2011-2016;
which of them make up the force is read from the ONS 2016 lookup of local authorities to
police force areas (shipped), whose codes are exactly the 2011 table's. Police force area
boundaries have not changed since 2011, so the force's 2011 population is the sum of those
authorities. An LPU has a 2011 figure only when every area the area -> LPU lookup gives it
is a 2011 local authority (areas merged or split since have no 2011 counterpart).
"""

from __future__ import annotations

import pandas as pd

from pipeline.config import BUNDLED_REFERENCE, Settings

LOOKUP_2016 = BUNDLED_REFERENCE / "lad16-to-police-force-area-ons-2016.csv"
CENSUS_COLUMNS = {
    "area_code": "str",
    "area_name": "str",
    "census_year": "int64",
    "ethnicity_code": "str",
    "population_count": "int64",
}


def force_areas(force_name: str) -> pd.DataFrame:
    """``raw.census_2011_areas``: the 2011 local authorities in the force area (area_code,
    area_name); empty when the 2016 lookup does not know the force's name."""
    lookup = pd.read_csv(LOOKUP_2016, dtype=str, encoding="utf-8-sig")
    chosen = lookup[lookup["PFA16NM"].str.casefold() == force_name.strip().casefold()]
    return (
        chosen[["LAD16CD", "LAD16NM"]]
        .set_axis(["area_code", "area_name"], axis=1)
        .sort_values("area_code")
        .reset_index(drop=True)
        .astype("str")
    )


def reference_tables(settings: Settings, tables: dict[str, pd.DataFrame]) -> dict:
    """The raw tables the benchmark trend reads: the force's 2011 areas, and an empty
    ``census_2011_population`` when no 2011 file is configured (the trend then says
    "Census 2021 only")."""
    out = {"census_2011_areas": force_areas(settings.force.name)}
    if "census_2011_population" not in tables:
        out["census_2011_population"] = pd.DataFrame(
            {name: pd.Series(dtype=kind) for name, kind in CENSUS_COLUMNS.items()}
        )
    return out
