"""The monitoring marts on generated forces, against an independent computation: random people
in two staff snapshots, with random misconduct cases, grievances, programmes, ratings and
survey answers written straight into the raw tables; every count the marts hold is worked out
again here in pandas from the raw rows, and every interval and p-value by statsmodels."""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd
import pytest
from conftest import write_config
from score_reference import comparison_interval, comparison_p

from pipeline import codes, nightly, warehouse
from pipeline.config import load_settings
from pipeline.schemas import EXTRACT_COLUMNS

START, END = pd.Timestamp("2024-03-31"), pd.Timestamp("2025-03-31")
MINORITY = [e.code for e in codes.ETHNICITIES if e.broad_group_code not in ("white", "not_stated")]
WHITE = ["W1", "W2", "W3", "W9"]
CODES = [e.code for e in codes.ETHNICITIES]
TARGETS = ("marts.misconduct_rates", "marts.grievance_rates", "marts.development_access",
           "marts.lateral_moves", "marts.appraisal_outcomes", "marts.survey_results")  # fmt: skip
STAGE_ORDER = {s: i for i, s in enumerate(codes.MISCONDUCT_STAGES, start=1)}
SEVERITY = {o: i for i, o in enumerate(codes.MISCONDUCT_OUTCOMES, start=1)}


def _needed(models, targets):
    """The models the targets read, transitively, in build order."""
    by_name = {m.relation: m for m in models}
    wanted, todo = set(), list(targets)
    while todo:
        name = todo.pop()
        if name in wanted or name not in by_name:
            continue
        wanted.add(name)
        todo += list(by_name[name].dependencies())
    return [m for m in models if m.relation in wanted]


def _generate(seed: int):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(60, 240))
    people = pd.DataFrame(
        {
            "staff_key": [f"P{i}" for i in range(n)],
            "worker_type": rng.choice(["police_officer", "police_staff"], n, p=[0.6, 0.4]),
            "ethnicity_code": rng.choice(CODES, n),
            "sex": rng.choice(["F", "M"], n),
            "department": rng.choice(["Local Policing", "Firearms Operations"], n, p=[0.8, 0.2]),
            "role": rng.choice(["Response", "Neighbourhood"], n),
        }
    )
    people["rank_or_band"] = np.where(people["worker_type"] == "police_officer", "Constable",
                                      "Band C")  # fmt: skip
    start = people.assign(snapshot_date=START)
    stays = rng.random(n) < 0.85
    end = people[stays].copy()
    moved = rng.random(len(end)) < 0.3
    end.loc[moved, "department"] = rng.choice(["Local Policing", "Firearms Operations"],
                                              moved.sum())  # fmt: skip
    end.loc[rng.random(len(end)) < 0.2, "role"] = "Investigation"
    promoted = (end["worker_type"] == "police_officer") & (rng.random(len(end)) < 0.1)
    end.loc[promoted, "rank_or_band"] = "Sergeant"
    snapshots = pd.concat([start, end.assign(snapshot_date=END)], ignore_index=True)

    def on(size):
        """Dates around the period, its first and last days (the edges) often among them."""
        days = rng.integers(-30, 380, size)
        edge = rng.random(size)
        days = np.where(edge < 0.1, 0, np.where(edge < 0.2, (END - START).days, days))
        return START + pd.to_timedelta(days, unit="D")

    subjects = rng.choice(people["staff_key"], int(rng.integers(5, n // 2)))
    stage = rng.choice(list(codes.MISCONDUCT_STAGES), len(subjects))
    outcome = np.where(
        np.isin(stage, ["misconduct_meeting", "gross_misconduct_hearing"]),
        rng.choice(["written_warning", "final_written_warning", "no_case_to_answer"],
                   len(subjects)),
        rng.choice(["no_case_to_answer", "reflective_practice", "management_action", None],
                   len(subjects)),
    )  # fmt: skip
    outcome = np.where(stage == "gross_misconduct_hearing",
                       rng.choice(["dismissal", "final_written_warning"], len(subjects)),
                       outcome)  # fmt: skip
    cases = pd.DataFrame(
        {
            "case_key": [f"C{i}" for i in range(len(subjects))],
            "staff_key": subjects,
            "opened_date": on(len(subjects)),
            "case_source": rng.choice(list(codes.MISCONDUCT_SOURCES), len(subjects)),
            "misconduct_stage": stage,
            "misconduct_outcome": outcome,
            "suspension_status": rng.choice([None, "none", "restricted", "suspended"],
                                            len(subjects)),
            "closed_date": pd.NaT,
        }
    )  # fmt: skip
    raisers = rng.choice(people["staff_key"], int(rng.integers(3, n // 4)))
    grievances = pd.DataFrame(
        {
            "case_key": [f"G{i}" for i in range(len(raisers))],
            "staff_key": raisers,
            "grievance_type": rng.choice(list(codes.GRIEVANCE_TYPES), len(raisers)),
            "raised_date": on(len(raisers)),
            "alleges_discrimination": rng.choice([True, False, None], len(raisers)),
            "grievance_outcome": rng.choice([*codes.GRIEVANCE_OUTCOMES, None], len(raisers)),
            "closed_date": pd.NaT,
        }
    )
    rows = []
    for programme, kind in (("A", "leadership"), ("B", "positive_action"),
                            ("C", "specialist_course")):  # fmt: skip
        for person in rng.choice(people["staff_key"], int(rng.integers(5, n // 3)), False):
            date = on(1)[0]
            rows.append(
                (
                    programme,
                    kind,
                    person,
                    1,
                    "attendance",
                    rng.choice(["passed", "did_not_attend"], p=[0.8, 0.2]),
                    date,
                )
            )
            if rows[-1][5] == "passed" and rng.random() < 0.7:
                rows.append((programme, kind, person, 2, "completion",
                             rng.choice(["passed", "failed"]), date))  # fmt: skip
    training = pd.DataFrame(rows, columns=["programme_id", "programme_type", "staff_key",
                                           "stage_order", "stage_type", "outcome",
                                           "outcome_date"])  # fmt: skip
    training = training.assign(programme_name=training["programme_id"],
                               stage_name=training["stage_type"])  # fmt: skip
    rated = people.sample(frac=0.8, random_state=seed)
    ratings = pd.DataFrame(
        {
            "staff_key": rated["staff_key"],
            "appraisal_year": 2024,
            "rating": rng.choice(["Unsatisfactory", "Competent", "Exceptional"], len(rated)),
        }
    )
    answers = people.assign(agree=rng.random(n) < 0.3)
    survey = []
    for by in (["ethnicity_code"], ["sex"], ["ethnicity_code", "sex"], []):
        grouped = (answers.groupby(by) if by else answers.assign(k=1).groupby("k"))["agree"]
        counted = grouped.agg(respondent_count="size", agreeing_count="sum").reset_index()
        survey.append(counted.drop(columns="k", errors="ignore"))
    survey = pd.concat(survey, ignore_index=True).assign(
        survey_id="S1", survey_date=pd.Timestamp("2024-11-30"), question_code="Q1",
        question_text="Q1",
    )  # fmt: skip
    return snapshots, cases, grievances, training, ratings, survey


def _load(con, table, frame):
    columns = {c.name for c in EXTRACT_COLUMNS[table]}
    con.register("_frame", frame)
    con.execute(f"insert into raw.{table} by name select * from _frame")
    con.unregister("_frame")
    assert columns  # the raw table has the extract's columns (pseudonymised ids as *_key)


@pytest.fixture(scope="module")
def settings(tmp_path_factory):
    return load_settings(
        write_config(
            tmp_path_factory.mktemp("generated"),
            '[survey]\nmin_respondents = 3\n[survey.questions]\nQ1 = "discrimination"\n'
            '[appraisal]\nscale = ["Unsatisfactory", "Competent", "Exceptional"]\n',
        )
    )


def _build(settings, seed: int):
    snapshots, cases, grievances, training, ratings, survey = _generate(seed)
    con = duckdb.connect()
    warehouse.create_schemas(con)
    warehouse.create_raw_tables(con)
    nightly._create_ops_tables(con)  # empty files' coverage reads ops.load_history
    con.execute("create table raw.area_lookup (lpu_code varchar, lpu_name varchar)")
    warehouse.load_code_tables(con, settings)
    snapshots = snapshots.assign(lpu_code="BHM", fte=1.0, is_temporary_rank=False)
    for table, frame in (("staff_snapshot", snapshots), ("misconduct_cases", cases),
                         ("grievances", grievances), ("training_development", training),
                         ("appraisal_ratings", ratings), ("staff_survey", survey)):  # fmt: skip
        _load(con, table, frame)
    warehouse.run_models(con, _needed(warehouse.discover_models(), TARGETS))
    return con, snapshots, cases, grievances, training, ratings, survey


def _group(codes_: pd.Series, group: str) -> pd.Series:
    return codes_.isin(MINORITY if group == "minority_excl_white" else WHITE)


def _cohort(snapshots):
    start = snapshots[snapshots["snapshot_date"] == START]
    return start.set_index("staff_key")


def _expected_misconduct(snapshots, cases) -> dict[str, pd.Series]:
    """Per person in post at the start: True/False for every misconduct measure (and the
    base where it is not everyone)."""
    cohort = _cohort(snapshots)
    inside = cases[(cases["opened_date"] > START) & (cases["opened_date"] <= END)]
    inside = inside[inside["staff_key"].isin(cohort.index)]
    stage = inside.groupby("staff_key")["misconduct_stage"].agg(
        lambda s: max(STAGE_ORDER[v] for v in s)
    ).reindex(cohort.index, fill_value=0)  # fmt: skip
    decided = inside[inside["misconduct_outcome"].notna()]
    worst = decided.groupby("staff_key")["misconduct_outcome"].agg(
        lambda s: max(s, key=SEVERITY.get)
    ).reindex(cohort.index)  # fmt: skip
    status = inside.groupby("staff_key")["suspension_status"].agg(lambda s: set(s.dropna()))
    status = status.reindex(cohort.index).apply(lambda v: v if isinstance(v, set) else set())
    source = inside.groupby("staff_key")["case_source"].agg(set).reindex(cohort.index)
    source = source.apply(lambda v: v if isinstance(v, set) else set())
    out = {
        "misconduct_case": (None, stage >= 1),
        "misconduct_public_complaint": (None, source.apply(lambda v: "public_complaint" in v)),
        "misconduct_internal_report": (None, source.apply(lambda v: "internal_report" in v)),
        "misconduct_formal": (None, stage >= 2),
        "misconduct_proceedings": (None, stage >= 3),
        "misconduct_hearing": (None, stage >= 4),
        "misconduct_sanction": (None, worst.map(SEVERITY).fillna(0) >= 4),
        "misconduct_suspended": (None, status.apply(lambda v: "suspended" in v)),
        "misconduct_restricted": (None, status.apply(lambda v: bool(v & {"suspended",
                                                                          "restricted"}))),
        "misconduct_formal_given_case": (stage >= 1, stage >= 2),
        "misconduct_proceedings_given_formal": (stage >= 2, stage >= 3),
    }  # fmt: skip
    for outcome in codes.MISCONDUCT_OUTCOMES:
        out[f"misconduct_outcome_{outcome}"] = (None, worst == outcome)
    return out


def _check_counts(con, view, expected, cohort, measure_keys=("measure_code",)):
    got = con.execute(
        f"""select * from {view} where comparison_code = 'ethnic_minority'
            and group_code = 'minority_excl_white'"""
    ).df()
    checked = 0
    for measure, (base, event) in expected.items():
        for worker_type in ("police_officer", "police_staff"):
            in_type = cohort["worker_type"] == worker_type
            in_base = in_type if base is None else in_type & base.reindex(cohort.index)
            counts = []
            for group in ("minority_excl_white", "white"):
                members = in_base & _group(cohort["ethnicity_code"], group)
                counts += [int((members & event.reindex(cohort.index).fillna(False)).sum()),
                           int(members.sum())]  # fmt: skip
            row = got[(got["measure_code"] == measure) & (got["worker_type"] == worker_type)]
            assert len(row) == 1, (measure, worker_type)
            row = row.iloc[0]
            got_counts = [
                int(row[c])
                for c in (
                    "event_count",
                    "base_count",
                    "reference_event_count",
                    "reference_base_count",
                )
            ]
            assert got_counts == counts, (measure, worker_type)  # fmt: skip
            checked += 1
    return checked


def _check_statistics(con, view, counts=("event_count", "base_count", "reference_event_count",
                                         "reference_base_count"), ratio="rate_ratio"):  # fmt: skip
    frame = con.execute(
        f"select {ratio} as ratio, {', '.join(counts)}, ci_lower_ratio, ci_upper_ratio, p_value "
        f"from {view} where p_value is not null"
    ).df()
    for row in frame.drop_duplicates(list(counts)).itertuples(index=False):
        a, n1, c, n2 = (int(v) for v in row[1:5])
        assert row.p_value == pytest.approx(comparison_p(a, n1, c, n2), rel=1e-9, abs=1e-12)
        lower, upper = comparison_interval(a, n1, c, n2)
        assert row.ci_lower_ratio == pytest.approx(lower, rel=1e-7, abs=1e-12)
        assert row.ci_upper_ratio == pytest.approx(upper, rel=1e-7)
    return len(frame)


@pytest.mark.parametrize("seed", range(6))
def test_generated_forces_match_an_independent_count(settings, seed):
    con, snapshots, cases, grievances, training, ratings, survey = _build(settings, seed)
    cohort = _cohort(snapshots)
    checked = _check_counts(con, "marts.misconduct_rates",
                            _expected_misconduct(snapshots, cases), cohort)  # fmt: skip

    inside = grievances[(grievances["raised_date"] > START) & (grievances["raised_date"] <= END)]
    upheld = inside["grievance_outcome"].isin(["upheld", "partly_upheld"])

    def who(mask):
        return pd.Series(cohort.index.isin(inside.loc[mask, "staff_key"]), index=cohort.index)

    grievance = inside["grievance_type"] == "grievance"
    tribunal = inside["grievance_type"] == "employment_tribunal"
    checked += _check_counts(con, "marts.grievance_rates", {
        "grievance_raised": (None, who(grievance)),
        "grievance_discrimination": (None, who(inside["alleges_discrimination"].eq(True))),
        "grievance_upheld": (None, who(grievance & upheld)),
        "tribunal_claim": (None, who(tribunal)),
        "tribunal_upheld": (None, who(tribunal & upheld)),
    }, cohort)  # fmt: skip

    started = training[
        (training["stage_type"] == "attendance")
        & (training["outcome"] == "passed")
        & (training["outcome_date"] > START)
        & (training["outcome_date"] <= END)
    ]
    completed = training[(training["stage_type"] == "completion")
                         & (training["outcome"] == "passed")]  # fmt: skip
    done = started.merge(completed[["programme_id", "staff_key"]])

    def took(frame):
        return pd.Series(cohort.index.isin(frame["staff_key"]), index=cohort.index)

    outside = started[started["programme_type"] != "positive_action"]
    checked += _check_counts(con, "marts.development_access", {
        "training_any": (None, took(outside)),
        **{f"training_{kind}": (None, took(started[started["programme_type"] == kind]))
           for kind in codes.PROGRAMME_TYPES},
        # positive action aside on both sides, as in training_any
        "training_completed_given_started": (
            took(outside), took(done[done["programme_type"] != "positive_action"])),
    }, cohort)  # fmt: skip

    later = snapshots[snapshots["snapshot_date"] == END].set_index("staff_key")
    both = cohort.join(later, suffixes=("", "_end"), how="inner")
    both = both[both["worker_type"] == both["worker_type_end"]]
    stayed = pd.Series(cohort.index.isin(both.index), index=cohort.index)
    same = (both["rank_or_band"] == both["rank_or_band_end"]).reindex(
        cohort.index, fill_value=False
    )
    dept = (both["department"] != both["department_end"]).reindex(cohort.index, fill_value=False)
    role = (both["role"] != both["role_end"]).reindex(cohort.index, fill_value=False)
    specialist_end = both["department_end"].eq("Firearms Operations").reindex(
        cohort.index, fill_value=False)  # fmt: skip
    checked += _check_counts(con, "marts.lateral_moves", {
        "move_lateral": (stayed, same & (dept | role)),
        "move_department": (stayed, same & dept),
        "move_into_specialist": (stayed & cohort["department"].ne("Firearms Operations"),
                                 specialist_end),
    }, cohort)  # fmt: skip

    rated = ratings.set_index("staff_key").join(cohort, how="inner")
    appraisal = con.execute(
        """select * from marts.appraisal_outcomes where comparison_code = 'ethnic_minority'
           and group_code = 'minority_excl_white' and worker_type = 'police_officer'"""
    ).df().set_index("measure_code")  # fmt: skip
    officers = rated[rated["worker_type"] == "police_officer"]
    for measure, rating in (("appraisal_top", "Exceptional"), ("appraisal_bottom",
                                                                 "Unsatisfactory")):  # fmt: skip
        expected = []
        for group in ("minority_excl_white", "white"):
            members = officers[_group(officers["ethnicity_code"], group)]
            expected += [int((members["rating"] == rating).sum()), len(members)]
        row = appraisal.loc[measure]
        assert [int(row[c]) for c in ("event_count", "base_count", "reference_event_count",
                                      "reference_base_count")] == expected  # fmt: skip

    by_code = survey[survey["ethnicity_code"].notna() & survey["sex"].isna()]
    results = con.execute(
        """select * from marts.survey_results where comparison_code = 'broad_group'"""
    ).df().set_index("group_code")  # fmt: skip
    for broad in codes.BROAD_GROUPS:
        members = [e.code for e in codes.ETHNICITIES if e.broad_group_code == broad]
        rows = by_code[by_code["ethnicity_code"].isin(members)]
        assert results.loc[broad, "respondent_count"] == rows["respondent_count"].sum()
        assert results.loc[broad, "agreeing_count"] == rows["agreeing_count"].sum()
        below = rows["respondent_count"].sum() < 3
        assert bool(results.loc[broad, "is_below_minimum"]) == below
        assert pd.isna(results.loc[broad, "agreeing_share"]) == below

    tested = sum(_check_statistics(con, view) for view in TARGETS[:5])
    tested += _check_statistics(
        con, "marts.survey_results",
        ("agreeing_count", "respondent_count", "reference_agreeing_count",
         "reference_respondent_count"), "share_ratio",
    )  # fmt: skip
    assert checked == 2 * (len(codes.MISCONDUCT_OUTCOMES) + 11 + 5 + 6 + 3)
    assert tested > 20
