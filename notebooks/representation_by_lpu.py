# ---
# jupyter:
#   jupytext:
#     formats: py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Representation by Local Policing Unit: a deep dive
#
# Does each LPU's workforce look like the community it polices? For the latest staff
# snapshot this notebook compares, LPU by LPU, the headline ethnic grouping's share of the
# workforce (among people who stated an ethnicity) with its share of the LPU's census
# population, then follows the ratio over time and breaks officers down by rank.
#
# It reads only `analytics.representation`, the documented interface
# (`progression describe` lists its columns), through a **read-only** connection to the
# published database: it cannot change the database and never blocks the nightly run.
# Counts from 1 to the disclosure threshold are withheld, with everything computed from
# them, exactly as in the published report.

# %%
import os
from pathlib import Path

import matplotlib.pyplot as plt

from pipeline.analysts import connect_published, for_display
from pipeline.config import load_settings
from pipeline.disclosure import suppress

settings = load_settings()  # the configuration named by $PROGRESSION_CONFIG
con = connect_published(settings)
FIGURES = Path(os.environ.get("PROGRESSION_FIGURES", "figures"))
FIGURES.mkdir(parents=True, exist_ok=True)
HEADLINE = settings.groups.headline
LABEL = getattr(settings.groups, HEADLINE)
THRESHOLD = settings.disclosure.threshold
RULES = {
    "group_headcount": ["group_share", "representation_ratio", "parity_gap_headcount"],
    "headcount": ["declared_headcount", "declaration_rate"],
}

# %% [markdown]
# ## The latest snapshot, LPU by LPU
# All worker types together; the force-wide row is last, for comparison.

# %%
by_lpu = con.execute(
    """
    select lpu_code, lpu_name, headcount, declared_headcount, declaration_rate,
           group_headcount, group_share, population_share, representation_ratio,
           parity_gap_headcount
    from analytics.representation
    where snapshot_date = (select max(snapshot_date) from analytics.representation)
      and group_code = ? and worker_type = 'All' and rank_or_band = 'All'
    order by lpu_code = 'All', representation_ratio
    """,
    [HEADLINE],
).df()
lpus = by_lpu[by_lpu["lpu_code"] != "All"]
force = by_lpu[by_lpu["lpu_code"] == "All"].iloc[0]
# Check: the LPUs add up to the force (everyone in post has an LPU).
assert lpus["headcount"].sum() == force["headcount"]
assert lpus["group_headcount"].sum() == force["group_headcount"]
print(for_display(suppress(by_lpu, RULES, THRESHOLD)).to_string(index=False))

# %% [markdown]
# ## Workforce share against population share
# A bar shorter than its marker means the LPU's workforce under-represents the group.

# %%
plotted = suppress(lpus, RULES, THRESHOLD).dropna(subset=["group_share"])
fig, ax = plt.subplots(figsize=(8, 0.5 * len(plotted) + 2), layout="constrained")
positions = range(len(plotted))
ax.barh(positions, plotted["group_share"].astype(float), color="#1f5fa8", label="Workforce")
ax.scatter(
    plotted["population_share"], positions, color="#d95f02", zorder=3, label="Population (census)"
)
ax.set_yticks(list(positions), plotted["lpu_name"])
ax.xaxis.set_major_formatter(lambda value, _: f"{value:.0%}")
ax.set_xlabel(f"{LABEL}: share of those who stated an ethnicity")
fig.legend(loc="outside lower center", ncols=2)
fig.savefig(FIGURES / "share_by_lpu.png", dpi=100)

# %% [markdown]
# ## Has the ratio to population moved?
# One line per LPU across every snapshot loaded (1 means representative).

# %%
trend = con.execute(
    """
    select snapshot_date, lpu_name, group_headcount, representation_ratio
    from analytics.representation
    where group_code = ? and worker_type = 'All' and rank_or_band = 'All'
      and lpu_code <> 'All'
    order by snapshot_date, lpu_name
    """,
    [HEADLINE],
).df()
trend = suppress(trend, {"group_headcount": ["representation_ratio"]}, THRESHOLD)
ratios = trend.pivot(index="snapshot_date", columns="lpu_name", values="representation_ratio")
fig, ax = plt.subplots(figsize=(8, 4.5))
ratios.astype(float).plot(ax=ax, marker="o")
ax.axhline(1.0, color="grey", linewidth=1, linestyle="--")
ax.set_ylabel("Ratio to population share")
ax.set_xlabel("Snapshot")
ax.legend(title="LPU", fontsize="small", ncols=2)
fig.tight_layout()
fig.savefig(FIGURES / "ratio_trend_by_lpu.png", dpi=100)
print(for_display(ratios.reset_index(), digits=2).to_string(index=False))

# %% [markdown]
# ## Police officers by rank in each LPU
# The group's share at each rank (blank where withheld or nobody stated).

# %%
ranks = con.execute(
    """
    select lpu_name, rank_or_band, rank_order, group_headcount, group_share
    from analytics.representation
    where snapshot_date = (select max(snapshot_date) from analytics.representation)
      and group_code = ? and worker_type = 'police_officer'
      and rank_or_band <> 'All' and lpu_code <> 'All'
    """,
    [HEADLINE],
).df()
ranks = suppress(ranks, {"group_headcount": ["group_share"]}, THRESHOLD)
order = ranks.sort_values("rank_order")["rank_or_band"].unique()
table = ranks.pivot(index="lpu_name", columns="rank_or_band", values="group_share")
print(for_display(table.reindex(columns=order).reset_index(), digits=2).to_string(index=False))

# %%
con.close()
