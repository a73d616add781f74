"""Targets and projection settings from the configuration, as reference tables.

``[[targets]]`` become ``ref.targets`` (one row a target, its scope spelled out with 'All'
where it does not restrict), ``[projections]`` becomes ``ref.projection_settings`` (one row)
and ``ref.projection_groups`` (the groupings the flow model projects: the headline group,
``[projections] groups`` and every target's group). Built by
:func:`pipeline.warehouse.load_code_tables`; the marts read only these tables.

A target that names a group, worker type, rank or LPU the force does not have is a
:class:`~pipeline.config.ConfigError` naming the target (exit code 2).
"""

from __future__ import annotations

from collections.abc import Collection

import pandas as pd

from pipeline import codes, groupings
from pipeline.config import ConfigError, Settings, TargetSettings
from pipeline.schemas import rank_order

ALL = "All"


def _group_codes(settings: Settings) -> dict[str, str]:
    return {g.code: g.label for g in groupings.groupings(settings)}


def _check_group(settings: Settings, code: str, where: str) -> None:
    known = _group_codes(settings)
    if code not in known:
        raise ConfigError(
            f"{where}: group '{code}' is not an ethnic grouping; use one of "
            f"{', '.join(sorted(c for c in known if len(c) > 2))} or a detailed code (A1 ... O9)."
        )


def target_code(index: int, target: TargetSettings) -> str:
    return target.code or f"target-{index}"


def _in_sentence(label: str) -> str:
    """'Police officers' -> 'police officers'; an abbreviation ('PCSOs') is kept as it is."""
    return label if label[:2].isupper() else label[:1].lower() + label[1:]


def default_label(settings: Settings, target: TargetSettings) -> str:
    """E.g. "Ethnic minority ... police officers at Inspector: 15% by 31 March 2030"."""
    group = _group_codes(settings)[target.group or settings.groups.headline]
    scope = (
        _in_sentence(codes.WORKER_TYPES[target.worker_type]) if target.worker_type else "workforce"
    )
    if target.rank_or_band:
        scope += f" at {target.rank_or_band}"
    if target.lpu_code:
        scope += f" in {target.lpu_code}"
    by = f"{target.by_date.day} {target.by_date:%B %Y}"
    if target.kind == "share":
        return f"{group}, {scope}: {target.share * 100:g}% by {by}"
    since = f"{target.from_date.day} {target.from_date:%B %Y}"
    return f"{group}, {scope}: {target.joiners:,} joiners from {since} to {by}"


def lpu_names(con, targets: pd.DataFrame) -> pd.DataFrame:
    """``ref.targets`` rows with each default name's LPU code ("in SOL", all the
    configuration knows) replaced by the LPU's name ("in Solihull") from the area -> LPU
    lookup, as every table names LPUs; a name the configuration gave is kept as it is."""
    names = dict(con.execute("select distinct lpu_code, lpu_name from raw.area_lookup").fetchall())
    out = targets.copy()
    for i, row in out.iterrows():
        if row["lpu_code"] != ALL and not row["target_name_given"] and row["lpu_code"] in names:
            out.at[i, "target_name"] = row["target_name"].replace(
                f" in {row['lpu_code']}:", f" in {names[row['lpu_code']]}:", 1
            )
    return out


def targets_frame(settings: Settings) -> pd.DataFrame:
    """``ref.targets``: one row per configured target, in configuration order."""
    ranks = rank_order(settings)
    rows, seen = [], set()
    for index, target in enumerate(settings.targets, start=1):
        code = target_code(index, target)
        where = f"[[targets]] {code}"
        if code in seen:
            raise ConfigError(f"{where}: two targets have this code; give each its own.")
        seen.add(code)
        group = target.group or settings.groups.headline
        _check_group(settings, group, where)
        if groupings.members(settings, group) >= groupings.WHITE_BRITISH:
            raise ConfigError(
                f"{where}: group '{group}' includes White British; a target is a share or "
                "number the group is to reach (at least), for an under-represented group. "
                "Use an ethnic-minority grouping (e.g. minority_excl_white, black)."
            )
        if target.rank_or_band and (target.worker_type, target.rank_or_band) not in ranks:
            ladder = [r for (w, r) in ranks if w == target.worker_type]
            raise ConfigError(
                f"{where}: '{target.rank_or_band}' is not a {target.worker_type} rank or band; "
                f"use one of {', '.join(ladder)}."
            )
        rows.append(
            {
                "target_code": code,
                "target_name": target.label or default_label(settings, target),
                "target_name_given": target.label is not None,
                "target_kind": target.kind,
                "target_sort_order": index,
                "group_code": group,
                "group_label": _group_codes(settings)[group],
                "worker_type": target.worker_type or ALL,
                "rank_or_band": target.rank_or_band or ALL,
                "lpu_code": target.lpu_code or ALL,
                "target_share": target.share,
                "target_joiner_count": target.joiners,
                "from_date": target.from_date,
                "target_date": target.by_date,
            }
        )
    columns = {
        "target_code": "str", "target_name": "str", "target_name_given": "bool",
        "target_kind": "str", "target_sort_order": "int64", "group_code": "str",
        "group_label": "str",
        "worker_type": "str", "rank_or_band": "str", "lpu_code": "str",
        "target_share": "float64", "target_joiner_count": "Int64",
        "from_date": "datetime64[s]", "target_date": "datetime64[s]",
    }  # fmt: skip
    frame = pd.DataFrame(rows, columns=list(columns))
    return frame.astype(columns)


def check_lpus(settings: Settings, lpu_codes: Collection[str]) -> None:
    """Every LPU a target names is in the area -> LPU lookup."""
    for index, target in enumerate(settings.targets, start=1):
        if target.lpu_code and target.lpu_code not in lpu_codes:
            raise ConfigError(
                f"[[targets]] {target_code(index, target)}: LPU '{target.lpu_code}' is not in "
                f"the area -> LPU lookup; use one of {', '.join(sorted(lpu_codes))}."
            )


def check_dates(settings: Settings, first_snapshot, latest_snapshot) -> None:
    """Every target's period lies within the data: a share target's date is on or after the
    first snapshot loaded (one dated between snapshots is judged at the snapshot on or before
    it), a joiners target starts on or after it (joiners before the first snapshot are not
    known). Otherwise a :class:`ConfigError` naming the target, its date and the data's range:
    no data are never published as a share or as 0 joiners."""
    if first_snapshot is None:
        return
    first, latest = pd.Timestamp(first_snapshot), pd.Timestamp(latest_snapshot)
    covered = f"the data cover {first.day} {first:%B %Y} to {latest.day} {latest:%B %Y}"
    for index, target in enumerate(settings.targets, start=1):
        where = f"[[targets]] {target_code(index, target)}"
        if pd.Timestamp(target.by_date) < first:
            raise ConfigError(
                f"{where}: by_date {target.by_date} is before the first staff snapshot loaded; "
                f"{covered}. Remove the target or give a date on or after the first snapshot."
            )
        if target.kind == "joiners" and pd.Timestamp(target.from_date) < first:
            raise ConfigError(
                f"{where}: from_date {target.from_date} is before the first staff snapshot "
                f"loaded, so its joiners before then are not known; {covered}. Give a "
                "from_date on or after the first snapshot."
            )


def projection_groups(settings: Settings) -> list[str]:
    """The headline group, then ``[projections] groups``, then the targets' groups."""
    wanted = [settings.groups.headline, *settings.projections.groups]
    wanted += [t.group or settings.groups.headline for t in settings.targets]
    out: list[str] = []
    for code in wanted:
        _check_group(settings, code, "[projections] groups")
        if code not in out:
            out.append(code)
    return out


def projection_groups_frame(settings: Settings) -> pd.DataFrame:
    """``ref.projection_groups``: the groupings the flow model projects, in order."""
    return pd.DataFrame(
        [(code, order) for order, code in enumerate(projection_groups(settings), start=1)],
        columns=["group_code", "projection_sort_order"],
    )


def projection_settings_frame(settings: Settings) -> pd.DataFrame:
    """``ref.projection_settings``: the one-row settings the trend and projection models read."""
    p = settings.projections
    return pd.DataFrame(
        [
            {
                "window_years": p.window_years,
                "trend_min_snapshots": p.trend_min_snapshots,
                "trend_min_declared_headcount": p.trend_min_declared_headcount,
                "horizon_years": p.horizon_years,
                "simulations": p.simulations,
                "band": p.band,
                "seed": p.seed,
            }
        ]
    )
