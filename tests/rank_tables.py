"""Officers by rank and broad ethnic group with every margin: the small tables on which the
disclosure tests and the audit tests work the rule on sums of withheld counts by hand."""

from __future__ import annotations

from pipeline import codes
from pipeline.disclosure import Universe

ETH = [e.code for e in codes.ETHNICITIES]
BROAD = {b: [e.code for e in codes.ETHNICITIES if e.broad_group_code == b]
         for b in ("white", "black", "mixed", "asian", "other")}  # fmt: skip


def ranks_by_broad_group(ranks: tuple[str, ...], groups: dict[str, tuple[int, ...]]):
    """Officers of ``ranks`` by broad ethnic group (``groups``: each group's count at each
    rank, "NS" for not stated) with every margin: each group's total, each rank's and
    everyone's."""
    universe = Universe(listing=("post",))
    universe.add("staff", post=ranks, eth=ETH)
    values = {}
    for group, counts in groups.items():
        eth = "NS" if group == "NS" else BROAD[group]
        values[universe.key("staff", eth=eth)] = sum(counts)
        for rank, n in zip(ranks, counts, strict=True):
            values[universe.key("staff", post=rank, eth=eth)] = n
    for position, rank in enumerate(ranks):
        values[universe.key("staff", post=rank)] = sum(c[position] for c in groups.values())
    values[universe.key("staff")] = sum(sum(c) for c in groups.values())
    return universe, values


def cells(universe: Universe, spec: str):
    """Cells written "group@rank" (a group alone: all ranks), several separated by spaces."""
    out = []
    for item in spec.split():
        group, _, rank = item.partition("@")
        eth = "NS" if group == "NS" else BROAD[group]
        out.append(universe.key("staff", post=rank or None, eth=eth))
    return out
