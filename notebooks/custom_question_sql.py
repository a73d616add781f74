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
# # A question of your own, answered with SQL
#
# **Question:** since the first snapshot loaded, has the headline ethnic-minority
# grouping's share of police officers grown at every rank, or only at the entry rank?
#
# The report shows one snapshot at a time; this needs two, side by side, which one SQL
# query against the documented `analytics.representation` view answers. The pattern
# (CTEs that read, CTEs that compute, `select * from final`) is the house style of the
# project's own models in `sql/`. The same query runs unchanged in the DuckDB shell:
# `duckdb -readonly <database> -c "..."`.

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
THRESHOLD = settings.disclosure.threshold

# %%
QUESTION = """
with officers as (
    select snapshot_date, rank_or_band, rank_order, group_headcount, declared_headcount,
           group_share
    from analytics.representation
    where worker_type = 'police_officer' and lpu_code = 'All' and rank_or_band <> 'All'
      and group_code = $grouping
),

bounds as (
    select min(snapshot_date) as first_date, max(snapshot_date) as last_date from officers
),

first_and_last as (
    select
        officers.rank_or_band,
        officers.rank_order,
        bounds.first_date,
        bounds.last_date,
        max(officers.group_headcount) filter (where officers.snapshot_date = bounds.first_date)
            as first_group_headcount,
        max(officers.group_share) filter (where officers.snapshot_date = bounds.first_date)
            as first_share,
        max(officers.group_headcount) filter (where officers.snapshot_date = bounds.last_date)
            as last_group_headcount,
        max(officers.group_share) filter (where officers.snapshot_date = bounds.last_date)
            as last_share
    from officers
    cross join bounds
    group by all
),

final as (
    select *, last_share - first_share as share_change
    from first_and_last
)

select * from final order by rank_order
"""
answer = con.execute(QUESTION, {"grouping": HEADLINE}).df()
answer = suppress(
    answer,
    {
        "first_group_headcount": ["first_share", "share_change"],
        "last_group_headcount": ["last_share", "share_change"],
    },
    THRESHOLD,
)
first_date, last_date = answer[["first_date", "last_date"]].iloc[0]
print(f"Police officers, {first_date:%-d %B %Y} against {last_date:%-d %B %Y}")
shown = answer.drop(columns=["rank_order", "first_date", "last_date"])
print(for_display(shown).to_string(index=False))

# %% [markdown]
# ## The answer, drawn
# Each rank's share at the first snapshot (grey) and the latest (blue).

# %%
drawn = answer.dropna(subset=["first_share", "last_share"])
fig, ax = plt.subplots(figsize=(8, 0.45 * len(answer) + 1.5))
for position, row in enumerate(drawn.itertuples()):
    ax.plot([row.first_share, row.last_share], [position, position], color="#bbbbbb", zorder=1)
positions = range(len(drawn))
ax.scatter(drawn["first_share"].astype(float), positions, color="#999999", label="First", zorder=2)
ax.scatter(drawn["last_share"].astype(float), positions, color="#1f5fa8", label="Latest", zorder=3)
ax.set_yticks(list(positions), drawn["rank_or_band"])
ax.xaxis.set_major_formatter(lambda value, _: f"{value:.0%}")
ax.set_xlabel("Share of officers who stated an ethnicity")
ax.legend(loc="lower right")
fig.tight_layout()
fig.savefig(FIGURES / "share_change_by_rank.png", dpi=100)

# %% [markdown]
# ## Reading it
# A rank whose share grew less than the entry rank's is where progression, not
# recruitment, holds the group back; the promotion notebook looks at why.

# %%
grew = answer.dropna(subset=["share_change"])
print(f"Share grew at {int((grew['share_change'] > 0).sum())} of {len(grew)} rank(s) shown.")
con.close()
