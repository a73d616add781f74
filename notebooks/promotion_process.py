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
# # A promotion process, stage by stage
#
# Where in a promotion process do ethnic-minority candidates fall behind? For every stage
# of every process, `analytics.disparities` compares the selection rate of the headline
# minority grouping with that of White candidates: the adverse impact ratio (below 0.8 is
# large enough to matter, the four-fifths threshold), its score confidence interval, the
# score test's p-value and that p-value adjusted for the false discovery rate within the
# process. This notebook lists them, checks the view's counts against the stage rows
# themselves, re-computes the worst stage independently, and draws that process.
#
# The database is opened **read-only**; counts from 1 to the disclosure threshold are
# withheld from what is shown, with everything computed from them.

# %%
import os
from pathlib import Path

import matplotlib.pyplot as plt

from pipeline.analysts import connect_published, for_display
from pipeline.config import load_settings
from pipeline.disclosure import suppress
from pipeline.stats import (
    adverse_impact_ratio,
    ratio_confidence_interval,
    score_test_p,
    wilson_interval,
)

settings = load_settings()  # the configuration named by $PROGRESSION_CONFIG
con = connect_published(settings)
FIGURES = Path(os.environ.get("PROGRESSION_FIGURES", "figures"))
FIGURES.mkdir(parents=True, exist_ok=True)
THRESHOLD = settings.disclosure.threshold

# %% [markdown]
# ## Every stage of every promotion process
# The ethnic-minority comparison against the reference group (White, unless configured).

# %%
stages = con.execute(
    """
    select process_id, process_name, stage_order, stage_name, group_label,
           comparator_group_label, selection_base_count, passed_count,
           comparator_selection_base_count, comparator_passed_count,
           group_selection_rate, comparator_selection_rate, adverse_impact_ratio,
           ci_lower_ratio, ci_upper_ratio, p_value, adjusted_p_value,
           is_significant_after_adjustment, verdict
    from analytics.disparities
    where process_type = 'promotion' and comparison_code = 'ethnic_minority'
      and comparator_basis = 'reference_group' and not is_end_to_end
    order by process_id, stage_order
    """
).df()
DERIVED = ["group_selection_rate", "adverse_impact_ratio", "ci_lower_ratio",
           "ci_upper_ratio", "p_value", "adjusted_p_value",
           "is_significant_after_adjustment"]  # fmt: skip
RULES = {"selection_base_count": DERIVED, "passed_count": DERIVED}
shown = suppress(stages, RULES, THRESHOLD)
shown.loc[shown["is_suppressed"], "verdict"] = "withheld (small numbers)"
columns = ["process_id", "stage_order", "stage_name", "selection_base_count",
           "group_selection_rate", "comparator_selection_rate", "adverse_impact_ratio",
           "p_value", "adjusted_p_value", "verdict"]  # fmt: skip
print(f"{stages['process_id'].nunique()} process(es), {len(stages)} stage(s)")
print(for_display(shown[columns]).to_string(index=False))

# %% [markdown]
# ## Check: the view follows every candidate from stage to stage
# A candidate reaches a stage only after passing the one before it (the data contract
# `follows_a_passed_stage`), so everyone who entered a stage passed the stage before.

# %%
check = con.execute(
    """
    with stages as (
        select process_id, stage_order, entered_count, passed_count
        from analytics.selection_rates
        where process_type = 'promotion' and group_code = 'all' and not is_end_to_end
    )

    select count(*) as steps, count(*) filter (where later.entered_count <> earlier.passed_count)
    from stages as earlier
    inner join stages as later
        on later.process_id = earlier.process_id
        and later.stage_order = earlier.stage_order + 1
    """
).fetchone()
assert check[0] > 0 and check[1] == 0, check
print(f"All {check[0]} steps from one stage to the next reconcile.")

# %% [markdown]
# ## The stage to look at first
# The lowest adverse impact ratio that can be shown, re-computed here from its four counts
# with `pipeline.stats` as an independent check of the view.

# %%
visible = shown.dropna(subset=["adverse_impact_ratio"])
if visible.empty:
    raise SystemExit("No stage can be shown without disclosing small numbers.")
worst = stages.loc[visible["adverse_impact_ratio"].astype(float).idxmin()]
counts = [
    int(worst[c])
    for c in ("passed_count", "selection_base_count", "comparator_passed_count",
              "comparator_selection_base_count")
]  # fmt: skip
assert abs(adverse_impact_ratio(*counts) - worst["adverse_impact_ratio"]) < 1e-9
assert abs(score_test_p(*counts) - worst["p_value"]) < 1e-9
lower, upper = ratio_confidence_interval(*counts)
assert abs(lower - worst["ci_lower_ratio"]) < 1e-9 and abs(upper - worst["ci_upper_ratio"]) < 1e-9
chance = "unlikely" if worst["is_significant_after_adjustment"] else "could be"
print(
    f"{worst['process_id']} ({worst['process_name']}): lowest at '{worst['stage_name']}' "
    f"(ratio {worst['adverse_impact_ratio']:.2f}, 95% CI {worst['ci_lower_ratio']:.2f}"
    f"-{worst['ci_upper_ratio']:.2f}, p = {worst['p_value']:.3g}, "
    f"{worst['adjusted_p_value']:.3g} adjusted for the process's comparisons; "
    f"{worst['verdict']}, {chance} to be chance)"
)

# %% [markdown]
# ## That process, drawn
# Pass rate at each stage for each group, with 95% Wilson intervals.

# %%
process = stages[stages["process_id"] == worst["process_id"]]
fig, ax = plt.subplots(figsize=(8, 4.5))
groups = [
    ("", worst["group_label"], "#1f5fa8"),
    ("comparator_", worst["comparator_group_label"], "#999999"),
]
for offset, (prefix, label, colour) in enumerate(groups):
    rates, below, above = [], [], []
    for row in process.itertuples():
        passed = getattr(row, f"{prefix}passed_count")
        base = getattr(row, f"{prefix}selection_base_count")
        withheld = 1 <= passed <= THRESHOLD or 1 <= base <= THRESHOLD
        interval = None if withheld else wilson_interval(passed, base)
        rate = float("nan") if interval is None else passed / base
        rates.append(rate)
        below.append(0 if interval is None else rate - interval[0])
        above.append(0 if interval is None else interval[1] - rate)
    x = [order + (offset - 0.5) * 0.3 for order in process["stage_order"]]
    ax.bar(x, rates, width=0.3, yerr=[below, above], capsize=3, color=colour, label=label)
ax.set_xticks(list(process["stage_order"]), process["stage_name"], rotation=20)
ax.yaxis.set_major_formatter(lambda value, _: f"{value:.0%}")
ax.set_ylim(0, 1)
ax.set_ylabel("Pass rate, 95% Wilson interval")
ax.set_title(str(worst["process_name"]))
ax.legend(fontsize="small")
fig.tight_layout()
fig.savefig(FIGURES / "promotion_stages.png", dpi=100)

# %%
con.close()
