"""The one-page scorecard at the top of the report, and the numbers behind it in an annex.

One row per indicator (``analytics.scorecard``): this year's figure and last year's, the
direction of change and whether this year's difference is unlikely to be chance, for the
comparison the other fairness sections show. A figure is a statistic of four counts, and is
shown only when those counts are known to a reader, so the annex publishes them: this year's
are the same cells as the sections' tables (declared with the same keys, they are one cell),
last year's appear nowhere else.
"""

from __future__ import annotations

import pandas as pd

from pipeline.report import formatting as fmt
from pipeline.report import monitoring
from pipeline.report.cells import OUTCOMES, Cells
from pipeline.report.declared import WITHHELD, Column, DeclaredTable
from pipeline.report.model import Prose, Section
from pipeline.report.progression import REASONS, mid_sentence, short_label
from pipeline.report.selection import base_outcomes

SCORECARD_SQL = """
select indicator_label as label, *
from analytics.scorecard
where comparison_code = ? and group_code = ?
order by indicator_sort_order
"""

COUNTS = ("event_count", "base_count", "reference_event_count", "reference_base_count")
PREVIOUS = tuple(f"previous_{c}" for c in COUNTS)
CHANGE_WORDS = {"up": "higher", "down": "lower", "no change": "no change"}


def _frame(cells: Cells) -> pd.DataFrame | None:
    """The scorecard's rows with the cell of every count declared (built once per report)."""
    if "scorecard" in cells.memo:
        return cells.memo["scorecard"]["frame"]
    comparison = cells.comparison
    raw = cells.con.execute(SCORECARD_SQL, [comparison.code, comparison.group_code]).df()
    frame = None if raw.empty else _with_keys(cells, raw)
    cells.memo["scorecard"] = {"frame": frame}
    return frame


def _with_keys(cells: Cells, raw: pd.DataFrame) -> pd.DataFrame:
    comparison = cells.comparison
    # The chief officer team is a handful of people, whose ethnicity would identify someone:
    # its figures and counts exist but are confidential ([c]), and so is every column
    # computed from them (the change, the test); a figure it has not (no team last year)
    # does not exist ([x]).
    team = raw["indicator_code"] == "chief_officer_team"
    for column in ("figure", "previous_figure", *COUNTS, *PREVIOUS):
        raw[column] = raw[column].astype("object").mask(team & raw[column].notna(), WITHHELD)
    keys: dict[str, list] = {f"{c}@key": [] for c in (*COUNTS, *PREVIOUS)}
    for record in raw.to_dict("records"):
        for prefix in ("", "previous_"):
            found = _row_keys(cells, record, prefix, comparison)
            for name in COUNTS:
                present = not pd.isna(record[f"{prefix}{name}"])
                keys[f"{prefix}{name}@key"].append(found.get(name) if present else None)
    return raw.assign(**keys)


def _row_keys(cells: Cells, record: dict, prefix: str, comparison) -> dict:
    """The cells behind one period's four counts of an indicator (none for a period the
    indicator has no figure for)."""
    end = record[f"{prefix}period_end_date"]
    if pd.isna(end):
        return {}
    code, worker_type = record["indicator_code"], record["worker_type"]
    start, source = record[f"{prefix}period_start_date"], record[f"{prefix}source_id"]
    group = cells.comparison_members[comparison.group_code]
    reference = cells.comparison_members[comparison.reference_code]

    def pair(make):
        return {"event_count": make(group, True), "base_count": make(group, False),
                "reference_event_count": make(reference, True),
                "reference_base_count": make(reference, False)}  # fmt: skip

    if code.startswith("representation_"):
        population = cells.staff(end)
        posts = cells.posts(population, worker_type)
        stated = cells.eth("stated")
        return {
            "event_count": cells.key(population, post=posts, eth=group),
            "base_count": cells.key(population, post=posts, eth=stated),
        }
    if code.startswith("rank_"):
        population = cells.staff(end)
        rank = code.removeprefix("rank_").replace("_", " ").title()
        ranks = {"group": rank, "reference": "Constable"}
        return {
            name: cells.key(
                population,
                post=cells.posts(population, "police_officer", ranks[side]),
                eth=group if counted == "event" else cells.eth("stated"),
            )
            for name, side, counted in (
                ("event_count", "group", "event"), ("base_count", "group", "base"),
                ("reference_event_count", "reference", "event"),
                ("reference_base_count", "reference", "base"),
            )
        }  # fmt: skip
    if code == "chief_officer_team":
        return {}  # a handful of people: nothing published (see chief_officers in monitoring)
    if code in ("senior_leadership", "senior_staff_bands"):
        population = cells.staff(end)
        posts = monitoring.leadership_posts(cells, population)
        tier = posts.get(code, frozenset())
        rest = posts["police_staff" if code == "senior_staff_bands" else "workforce"] - tier
        stated = cells.eth("stated")
        return {  # the comparison's group, as every row (not the headline definition)
            "event_count": cells.key(population, post=tier, eth=group) if tier else None,
            "base_count": cells.key(population, post=tier, eth=stated) if tier else None,
            "reference_event_count": cells.key(population, post=rest, eth=group),
            "reference_base_count": cells.key(population, post=rest, eth=stated),
        }
    if code.startswith("recruitment_"):
        stages = [
            str(s)
            for (s,) in cells.con.execute(
                """select distinct stage_order from analytics.selection_rates
                   where process_type = 'recruitment' and process_id = ? and stage_order > 0
                   order by stage_order""",
                [source],
            ).fetchall()
        ]
        population = cells.selection("recruitment", source, stages)
        included, _ = base_outcomes(cells)

        def selected(eth, event):
            outcome = {"passed"} if event else set(included) & set(OUTCOMES)
            return cells.key(population, stage="e2e", outcome=outcome, eth=eth)

        return pair(selected)
    if code == "promotion" or code.startswith("leaving_"):
        population = cells.staff(start, movements=True)
        posts = cells.posts(population, worker_type)

        def moved(eth, event):
            if not event:
                return cells.key(population, post=posts, eth=eth)
            what = {"promoted": "yes"} if code == "promotion" else {"leaving": REASONS}
            return cells.key(population, post=posts, eth=eth, **what)

        return pair(moved)
    if code.startswith(("misconduct_", "training_", "move_")):
        population = monitoring.period_population(cells, start)
        measure = code.removesuffix(f"_{worker_type}")
        return pair(
            lambda eth, event: monitoring.measure_key(
                cells, population, measure, worker_type, eth, event
            )
        )
    if code.startswith("appraisal_"):
        population = monitoring.appraisal_population(cells, pd.Timestamp(end).year)
        ends = monitoring.scale_ends(cells)
        measure = code.removesuffix(f"_{worker_type}")
        return pair(
            lambda eth, event: monitoring.appraisal_key(
                cells, population, worker_type, eth, ends[measure] if event else None
            )
        )
    if code.startswith("survey_"):
        population = monitoring.survey_population(cells, source, record[f"{prefix}source_item"])
        return pair(
            lambda eth, event: cells.key(population, eth=eth, answer="agree" if event else None)
        )
    raise ValueError(f"scorecard indicator {code!r} has no cells declared")


def _change(record) -> str:
    direction = record["change_direction"]
    if pd.isna(direction):
        return "no figure last year" if pd.isna(record["previous_figure"]) else "not comparable"
    words = CHANGE_WORDS[direction]
    towards = record["is_towards_parity"]
    if direction == "no change" or pd.isna(towards):
        return words
    return f"{words}, {'towards' if towards else 'away from'} parity"


def _reading(record) -> str:
    """Which way the figure reads: whether above 1 is worse or better for the group."""
    worse = record["is_higher_figure_worse"]
    if pd.isna(worse):
        return "a larger share"
    return "worse" if worse else "better"


def _chance(record) -> str:
    flag = record["is_significant_after_adjustment"]
    if pd.isna(flag):
        return "not tested" if record["indicator_code"].startswith("representation_") else ""
    return "yes" if flag else "no"


def chance_message(table: DeclaredTable, plain: dict[str, str], group: str, reference: str) -> str:
    """The scorecard's sentence: the indicators whose difference is unlikely to be chance
    this year, named in plain words (``plain``: row label -> the indicator's name), or that
    there are none; either way over the tests the table shows, saying how many more are
    withheld, whether or not they were computed (hostile-8 #7: 'no difference is unlikely
    to be chance' was claimed over tests the table withholds)."""
    shown = [r for r in table.labels if table.text(r, "chance") in ("yes", "no")]
    flagged = [r for r in shown if table.text(r, "chance") == "yes"]
    unseen = sum(not table.is_shown(r, "chance") for r in table.labels)
    if not shown and unseen:
        return "None of the scorecard's tests can be shown this year: the numbers are too small."
    if flagged:
        named = "; ".join(plain[r][0].lower() + plain[r][1:] for r in flagged)
        message = (
            f"Differences between {group} and {reference} colleagues unlikely to be chance "
            f"this year: {named}."
        )
    elif unseen:
        message = (
            f"No difference between {group} and {reference} colleagues is unlikely to be "
            f"chance this year among the scorecard's tests that can be shown."
        )
    else:
        return (
            f"No difference between {group} and {reference} colleagues on the scorecard is "
            "unlikely to be chance this year."
        )
    if unseen:
        tests = "test" if unseen == 1 else "tests"
        message += (
            f" {fmt.in_words(unseen).capitalize()} more {tests} cannot be shown: the numbers "
            "are too small."
        )
    return message


def scorecard(cells: Cells, _snapshot_date):
    frame = _frame(cells)
    if frame is None:
        return []
    comparison = cells.comparison
    records = frame.to_dict("records")
    frame = frame.assign(
        label=[
            f"{r['label']} ({r['wres_indicator']})" if isinstance(r["wres_indicator"], str)
            else r["label"]
            for r in records
        ],
        reading=[_reading(r) for r in records],
        change=[_change(r) for r in records],
        chance=[_chance(r) for r in records],
    )  # fmt: skip
    group, reference = short_label(comparison.group_label), comparison.reference_label
    table = DeclaredTable(
        id="scorecard",
        caption=(
            f"Scorecard: {comparison.group_label} colleagues against {reference} colleagues. "
            "Figure: a relative likelihood (NHS WRES), above 1 the group's disadvantage, or a "
            "ratio of the two groups' rates or shares (or of the group's share to the "
            "population's, the constables' or the workforce's), 1 parity. Change: as the two "
            "figures are printed (two decimals). This year: the latest snapshot, year, "
            "appraisal year or survey; last year: the one before. "
            "Unlikely to be chance: this year's difference survives the false discovery rate "
            "control of the section it comes from (a share against the population is not "
            "tested). The counts behind every figure are in the annex"
        ),
        columns=(
            Column("label", "Indicator (NHS WRES indicator)", "label"),
            Column("figure_label", "Figure", "text"),
            Column("reading", "Above 1 is", "text"),
            Column("figure", "This year", "ratio", of=COUNTS),
            Column("previous_figure", "Last year", "ratio", of=PREVIOUS),
            Column("change", "Change", "text", of=(*COUNTS, *PREVIOUS)),
            Column("chance", "Difference unlikely to be chance", "text", of=COUNTS),
        ),
        frame=frame,
    )

    def compose() -> Prose:
        plain = dict(zip(table.labels, frame["indicator_label"], strict=True))
        label = mid_sentence(comparison.group_label)
        return Prose(message=chance_message(table, plain, label, reference))

    return Section("scorecard", "scorecard", f"Scorecard: {group} colleagues", table, compose)


def _period(record, prefix: str) -> str:
    start, end = record[f"{prefix}period_start_date"], record[f"{prefix}period_end_date"]
    if pd.isna(end):
        return ""
    source = record[f"{prefix}source_id"]
    if not pd.isna(source):
        return str(source)
    if pd.isna(start) or start == end:
        return pd.Timestamp(end).strftime("%-d %B %Y")
    return fmt.period(start, end).removeprefix("the ")


def scorecard_numbers(cells: Cells, _snapshot_date):
    frame = _frame(cells)
    if frame is None:
        return []
    comparison = cells.comparison
    records = frame.to_dict("records")
    frame = frame.assign(
        this_period=[_period(r, "") for r in records],
        previous_period=[_period(r, "previous_") for r in records],
    )
    group, reference = short_label(comparison.group_label), comparison.reference_label
    table = DeclaredTable(
        id="scorecard-numbers",
        caption=(
            "The numbers behind the scorecard: for each indicator and year, the group's count "
            "and base (events of people in the base, or people in the group of those who "
            "stated an ethnicity) and the same for what it is compared with"
        ),
        columns=(
            Column("label", "Indicator", "label"),
            Column("this_period", "This year", "text"),
            Column("event_count", f"{group}: counted", "count"),
            Column("base_count", f"{group}: of", "count"),
            Column("reference_event_count", f"{reference} (or comparison): counted", "count"),
            Column("reference_base_count", f"{reference} (or comparison): of", "count"),
            Column("previous_period", "Last year", "text"),
            Column("previous_event_count", f"Last year, {group}: counted", "count"),
            Column("previous_base_count", f"Last year, {group}: of", "count"),
            Column("previous_reference_event_count", "Last year, comparison: counted", "count"),
            Column("previous_reference_base_count", "Last year, comparison: of", "count"),
        ),
        frame=frame,
    )

    def compose() -> Prose:
        return Prose(
            message="Each scorecard figure is computed from these counts; a withheld count "
            "withholds the figures computed from it."
        )

    return Section("scorecard-numbers", "annex", "The numbers behind the scorecard", table, compose)
