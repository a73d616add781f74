"""The demo force: reproducible, loadable, shaped like the brief, consistent across files,
and with exactly one planted adverse impact that a correct report must find."""

from __future__ import annotations

import re
import stat
from pathlib import Path

import pandas as pd
import pytest
from scipy.stats import fisher_exact

from pipeline import codes
from pipeline.config import EXTRACT_KINDS, Settings, load_settings
from pipeline.demo import PLANTED_ADVERSE_STAGE, PLANTED_PASS_RATES, write_demo_force

DOCS = Path(__file__).resolve().parents[2] / "docs" / "extracts.md"
MINORITY = next(g.member_codes for g in codes.GROUPINGS if g.code == "minority_excl_white")
FINAL = pd.Timestamp("2026-03-31")


def _documented_columns() -> dict[str, list[str]]:
    """Canonical columns per extract kind, from the tables in docs/extracts.md."""
    columns: dict[str, list[str]] = {}
    kind = None
    for line in DOCS.read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            heading = re.match(r"## `(\w+)`", line)
            kind = heading.group(1) if heading else None
        elif kind and (cell := re.match(r"\| `(\w+)` \|", line)):
            columns.setdefault(kind, []).append(cell.group(1))
    return columns


@pytest.fixture(scope="module")
def config(tmp_path_factory) -> Path:
    return write_demo_force(tmp_path_factory.mktemp("demo") / "force", fmt="mixed")


@pytest.fixture(scope="module")
def settings(config: Path) -> Settings:
    return load_settings(config)


def _read(settings: Settings, kind: str) -> pd.DataFrame:
    """Every file of a kind, with canonical column names and parsed dates."""
    to_canonical = {header: name for name, header in settings.extracts[kind].columns.items()}
    frames = []
    for path in sorted(settings.paths.inbox.glob(settings.extracts[kind].file_pattern)):
        if path.suffix == ".csv":
            frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        else:
            frame = pd.read_excel(path, engine="calamine")
        frame = frame.rename(columns=to_canonical).assign(file=path.name)
        for column in frame.columns[frame.columns.str.contains("date")]:
            if not pd.api.types.is_datetime64_any_dtype(frame[column]):
                frame[column] = pd.to_datetime(frame[column], format="%d/%m/%Y")
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


@pytest.fixture(scope="module")
def snapshots(settings: Settings) -> pd.DataFrame:
    frame = _read(settings, "staff_snapshot")
    stated = frame["ethnicity_code"] != codes.NOT_STATED
    return frame.assign(
        minority=frame["ethnicity_code"].isin(MINORITY),
        stated=stated,
        fte=frame["fte"].astype(float),
    )


@pytest.fixture(scope="module")
def candidates(settings: Settings) -> pd.DataFrame:
    return _read(settings, "promotion_candidates")


def _minority_share(people: pd.DataFrame) -> float:
    stated = people[people["stated"]]
    return 100 * stated["minority"].mean()


def test_same_seed_gives_identical_files(config: Path, tmp_path: Path):
    again = write_demo_force(tmp_path / "again", fmt="mixed")

    def files(root: Path) -> list[Path]:
        return sorted(p.relative_to(root) for p in root.rglob("*") if p.is_file())

    written = files(config.parent)
    assert written == files(again.parent)
    for relative in written:
        assert (config.parent / relative).read_bytes() == (again.parent / relative).read_bytes()
    # snapshots, joiners and leavers, misconduct cases, appraisal ratings, the area lookup
    assert len([p for p in written if p.suffix == ".csv"]) == 5 + 4 + 4 + 4 + 1


def test_rewriting_in_another_format_leaves_one_file_per_extract(tmp_path: Path):
    write_demo_force(tmp_path, seed=7, fmt="xlsx")
    write_demo_force(tmp_path, seed=7, fmt="csv")
    names = sorted(p.name for p in (tmp_path / "inbox").iterdir())
    assert len(names) == 5 + 4 * 8
    assert all(name.endswith(".csv") for name in names)


def test_inbox_holds_the_expected_files(settings: Settings):
    names = sorted(p.name for p in settings.paths.inbox.iterdir())
    years = range(2023, 2027)
    assert names == sorted(
        [f"staff_snapshot_{y}-03-31.csv" for y in range(2022, 2027)]
        + [f"joiners_leavers_{y}.csv" for y in years]
        + [f"promotion_candidates_{y}.xlsx" for y in years]
        + [f"recruitment_applicants_{y}.xlsx" for y in years]
        + [f"misconduct_cases_{y}.csv" for y in years]
        + [f"grievances_{y}.xlsx" for y in years]
        + [f"training_development_{y}.xlsx" for y in years]
        + [f"appraisal_ratings_{y}.csv" for y in years]
        + [f"staff_survey_{y}.xlsx" for y in years]
    )
    workbook = pd.read_excel(
        settings.paths.inbox / "promotion_candidates_2024.xlsx", engine="calamine"
    )
    assert pd.api.types.is_datetime64_any_dtype(workbook["Result Date"]), "native Excel dates"
    assert pd.api.types.is_integer_dtype(workbook["Stage No"])
    csv_head = (settings.paths.inbox / "joiners_leavers_2024.csv").read_bytes()[:300]
    assert b"\r\n" in csv_head and re.search(rb",\d{2}/\d{2}/\d{4},", csv_head), "UK HR export"


def test_config_loads_and_maps_every_documented_column(config: Path, settings: Settings):
    documented = _documented_columns()
    assert set(documented) == set(EXTRACT_KINDS)
    for kind, columns in documented.items():
        mapping = settings.extracts[kind].columns
        assert set(mapping) == set(columns), kind
        path = next(settings.paths.inbox.glob(f"{kind}*.csv"), None) or next(
            settings.paths.inbox.glob(f"{kind}*.xlsx")
        )
        header = (
            path.read_text(encoding="utf-8").splitlines()[0].split(",")
            if path.suffix == ".csv"
            else list(pd.read_excel(path, engine="calamine", nrows=0).columns)
        )
        assert set(mapping.values()) <= set(header), kind
        assert not set(mapping) & set(header), "headers should be the HR system's, not canonical"
    assert settings.force.name == "West Midlands"
    assert settings.paths.inbox == config.parent / "inbox"
    assert settings.reference.area_lookup_file.is_file()
    key = settings.paths.pseudonym_key_file
    assert re.fullmatch(r"[0-9a-f]{64}", key.read_text().strip())
    assert stat.S_IMODE(key.stat().st_mode) == 0o600


def test_area_lookup_covers_the_seven_local_authorities(settings: Settings):
    lookup = pd.read_csv(settings.reference.area_lookup_file, dtype=str)
    assert list(lookup.columns) == ["area_code", "area_name", "lpu_code", "lpu_name"]
    assert list(lookup["area_code"]) == [f"E080000{n}" for n in range(25, 32)]
    assert dict(zip(lookup["area_name"], lookup["lpu_code"], strict=True))["Birmingham"] == "BHM"


def test_snapshot_values_are_what_the_config_and_code_lists_allow(
    settings: Settings, snapshots: pd.DataFrame
):
    departments = {d.name for d in settings.codes.departments}
    assert set(snapshots["department"]) == departments
    assert set(snapshots["worker_type"]) <= set(settings.codes.worker_type_synonyms)
    ladders = (
        *codes.OFFICER_RANKS,
        *codes.PCSO_GRADES,
        *codes.SPECIAL_RANKS,
        *settings.codes.staff_bands,
    )
    assert set(snapshots["rank_or_band"]) <= set(ladders)
    assert set(snapshots["ethnicity_code"]) <= codes.ETHNICITY_CODES
    assert set(snapshots["sex"]) == {"F", "M"}
    assert set(snapshots["is_temporary_rank"]) == {"Y", "N"}
    assert snapshots["fte"].between(0, 1, inclusive="right").all()
    assert snapshots["staff_id"].str.fullmatch(r"WM\d{6}").all()
    assert snapshots["NI Number"].str.fullmatch(r"QQ\d{6}C").all()
    age = (snapshots["snapshot_date"] - snapshots["date_of_birth"]).dt.days / 365.25
    assert age.between(18, 66).all()
    assert (snapshots["service_start_date"] <= snapshots["rank_start_date"]).all()
    assert (snapshots["rank_start_date"] <= snapshots["snapshot_date"]).all()


def test_final_snapshot_headcounts_are_near_the_targets(snapshots: pd.DataFrame):
    final = snapshots[snapshots["snapshot_date"] == FINAL]
    by_type = final["worker_type"].value_counts()
    targets = {"Police Officer": 6800, "Police Staff": 4000, "PCSO": 500, "Special Constable": 200}
    for worker_type, target in targets.items():
        assert by_type[worker_type] == pytest.approx(target, rel=0.10), worker_type
    ranks = final.loc[final["worker_type"] == "Police Officer", "rank_or_band"].value_counts()
    counts = (5200, 1000, 330, 110, 40, 15, 4, 1, 1)
    rank_targets = dict(zip(codes.OFFICER_RANKS, counts, strict=True))
    for rank, target in rank_targets.items():
        assert ranks[rank] == pytest.approx(target, rel=0.10), rank


def test_minority_share_falls_with_rank(snapshots: pd.DataFrame):
    final = snapshots[snapshots["snapshot_date"] == FINAL]
    officers = final[final["worker_type"] == "Police Officer"]
    share = {
        rank: _minority_share(officers[officers["rank_or_band"] == rank])
        for rank in codes.OFFICER_RANKS[:6]
    }
    # (target %, tolerance): among ~40 superintendents and ~15 chief superintendents one
    # person is 2.5 and 7 points, so there the test allows about one person either way.
    expected = {
        "Constable": (12, 1.5),
        "Sergeant": (9, 1.5),
        "Inspector": (7.5, 1.5),
        "Chief Inspector": (6.5, 2.0),
        "Superintendent": (6, 3.0),
        "Chief Superintendent": (5, 7.0),
    }
    for rank, (target, tolerance) in expected.items():
        assert share[rank] == pytest.approx(target, abs=tolerance), rank
    senior = officers[officers["rank_or_band"].isin(["Superintendent", "Chief Superintendent"])]
    assert share["Constable"] > share["Sergeant"] > share["Inspector"]
    assert share["Inspector"] > share["Chief Inspector"] >= _minority_share(senior)
    for worker_type, target in (("Police Staff", 20), ("PCSO", 22), ("Special Constable", 25)):
        group = final[final["worker_type"] == worker_type]
        assert _minority_share(group) == pytest.approx(target, abs=5), worker_type


def test_joiners_and_leavers_match_the_snapshot_differences(
    settings: Settings, snapshots: pd.DataFrame
):
    movements = _read(settings, "joiners_leavers")
    assert set(movements["movement_type"]) == set(codes.MOVEMENT_TYPES)
    leavers = movements[movements["movement_type"] == "leaver"]
    assert set(leavers["leaving_reason"]) <= set(codes.LEAVING_REASONS)
    assert (movements.loc[movements["movement_type"] == "joiner", "leaving_reason"] == "").all()
    for year in range(2023, 2027):
        start, end = pd.Timestamp(f"{year - 1}-03-31"), pd.Timestamp(f"{year}-03-31")
        before = snapshots[snapshots["snapshot_date"] == start].set_index("staff_id")
        after = snapshots[snapshots["snapshot_date"] == end].set_index("staff_id")
        moved = movements[movements["file"] == f"joiners_leavers_{year}.csv"]
        left = moved[moved["movement_type"] == "leaver"].set_index("staff_id")
        joined = moved[moved["movement_type"] == "joiner"].set_index("staff_id")
        assert set(left.index) == set(before.index) - set(after.index), year
        assert set(joined.index) == set(after.index) - set(before.index), year
        assert moved["movement_date"].gt(start).all() and moved["movement_date"].le(end).all()
        for column in ("rank_or_band", "department", "lpu_code", "ethnicity_code"):
            assert (left[column] == before.loc[left.index, column]).all(), (year, column)
            assert (joined[column] == after.loc[joined.index, column]).all(), (year, column)
        assert (joined["movement_date"] == after.loc[joined.index, "service_start_date"]).all()
        officers = before["worker_type"] == "Police Officer"
        officer_leavers = left["worker_type"] == "Police Officer"
        assert 0.05 <= officer_leavers.sum() / officers.sum() <= 0.09, year
        recruits = joined[joined["worker_type"] == "Police Officer"]
        assert set(recruits["rank_or_band"]) == {"Constable"}
        recruits = recruits.assign(
            minority=recruits["ethnicity_code"].isin(MINORITY),
            stated=recruits["ethnicity_code"] != codes.NOT_STATED,
        )
        assert 15 <= _minority_share(recruits) <= 19, year


def test_promotion_candidates_come_from_the_preceding_snapshot(
    snapshots: pd.DataFrame, candidates: pd.DataFrame
):
    assert set(candidates["outcome"]) == set(codes.OUTCOMES)
    below = {"Sergeant": "Constable", "Inspector": "Sergeant"}
    for process_id, process in candidates.groupby("process_id"):
        year = int(process_id.split("-")[1])
        target = process["target_rank"].iloc[0]
        before = snapshots[snapshots["snapshot_date"] == pd.Timestamp(f"{year - 1}-03-31")]
        after = snapshots[snapshots["snapshot_date"] == pd.Timestamp(f"{year}-03-31")]
        rank_before = before.set_index("staff_id")["rank_or_band"]
        assert process["staff_id"].isin(rank_before.index).all(), process_id
        assert (rank_before[process["staff_id"].unique()] == below[target]).all(), process_id
        stages = process.groupby("stage_order")
        names = ["Eligibility", "Legal exam", "Assessment centre", "Interview"]
        assert list(stages["stage_name"].first()) == names
        last, first = stages["outcome_date"].max(), stages["outcome_date"].min()
        assert (last.iloc[:-1].to_numpy() < first.iloc[1:].to_numpy()).all(), process_id
        # one row per stage reached: stages 1..n, all passed but the last
        reached = process.groupby("staff_id")["stage_order"].agg(["count", "max"])
        assert (reached["count"] == reached["max"]).all(), process_id
        earlier = process["stage_order"] < process["staff_id"].map(reached["max"])
        assert (process.loc[earlier, "outcome"] == "passed").all(), process_id
        final_passed = (process["stage_order"] == 4) & (process["outcome"] == "passed")
        winners = set(process.loc[final_passed, "staff_id"])
        promoted = set(after.loc[after["rank_or_band"] == target, "staff_id"]) & set(
            before.loc[before["rank_or_band"] == below[target], "staff_id"]
        )
        assert winners == promoted, process_id
    sizes = candidates[candidates["stage_order"] == 1].groupby("process_id").size()
    assert sizes["INSP-2025"] >= 280 and sizes.filter(like="SGT").between(450, 550).all()


def _stage_table(candidates: pd.DataFrame, snapshots: pd.DataFrame) -> pd.DataFrame:
    """Pass counts by process, stage and group (minority or White), from the snapshot
    characteristics of each candidate, as the pipeline itself would join them."""
    ethnicity = snapshots.drop_duplicates("staff_id").set_index("staff_id")["ethnicity_code"]
    code = candidates["staff_id"].map(ethnicity)
    grouped = candidates.assign(
        group=code.map(lambda c: "minority" if c in MINORITY else "white" if c[0] == "W" else ""),
        passed=candidates["outcome"] == "passed",
    )
    grouped = grouped[grouped["group"] != ""]
    return grouped.pivot_table(
        index=["process_id", "stage_name"],
        columns="group",
        values="passed",
        aggfunc=["sum", "count"],
    )


def _fisher(row: pd.Series) -> float:
    table = [
        [row[("sum", "minority")], row[("count", "minority")] - row[("sum", "minority")]],
        [row[("sum", "white")], row[("count", "white")] - row[("sum", "white")]],
    ]
    return fisher_exact(table).pvalue


def test_planted_adverse_impact_is_the_only_one(candidates: pd.DataFrame, snapshots: pd.DataFrame):
    table = _stage_table(candidates, snapshots)
    planted = table.loc[PLANTED_ADVERSE_STAGE]
    assert planted[("count", "minority")] >= 40
    minority_rate = planted[("sum", "minority")] / planted[("count", "minority")]
    white_rate = planted[("sum", "white")] / planted[("count", "white")]
    assert minority_rate == pytest.approx(PLANTED_PASS_RATES["minority"], abs=0.03)
    assert white_rate == pytest.approx(PLANTED_PASS_RATES["other"], abs=0.03)
    assert _fisher(planted) < 0.01
    assert _fisher(table.loc[("INSP-2025", "Legal exam")]) > 0.5
    others = table.drop(index=PLANTED_ADVERSE_STAGE)
    assert (others.apply(_fisher, axis=1) > 0.2).all()


def test_recruitment_campaigns_are_fair_at_every_stage(settings: Settings):
    applicants = _read(settings, "recruitment_applicants")
    assert applicants["applicant_id"].str.fullmatch(r"APP\d{7}").all()
    assert set(applicants["age_band"]) == set(codes.AGE_BANDS)
    assert set(applicants["campaign_id"]) == {
        f"{prefix}-{year}" for prefix in ("PC", "PCSO", "STAFF") for year in range(2023, 2027)
    }
    first = applicants[applicants["stage_order"] == 1]
    pc = first[first["campaign_id"].str.startswith("PC-")]
    assert set(pc["entry_route"]) == {"PCDA", "DHEP", "Police Now"}
    stated = pc[pc["ethnicity_code"] != codes.NOT_STATED]
    assert stated["ethnicity_code"].isin(MINORITY).mean() == pytest.approx(0.25, abs=0.02)
    stated = applicants[applicants["ethnicity_code"] != codes.NOT_STATED]
    grouped = stated.assign(
        group=stated["ethnicity_code"].isin(MINORITY).map({True: "minority", False: "white"}),
        passed=stated["outcome"] == "passed",
    ).pivot_table(
        index=["campaign_id", "stage_name"],
        columns="group",
        values="passed",
        aggfunc=["sum", "count"],
    )
    assert (grouped.apply(_fisher, axis=1) > 0.2).all()


# --------------------------------------------------------------------------- monitoring extracts


def _with_snapshot(frame: pd.DataFrame, snapshots: pd.DataFrame, on: str) -> pd.DataFrame:
    """Each row beside the person's start-of-year snapshot (the year its file is named by)."""
    years = frame["file"].str.extract(r"_(\d{4})\.")[0].astype(int)
    starts = pd.to_datetime((years - 1).astype(str) + "-03-31")
    people = snapshots[["staff_id", "snapshot_date", "worker_type", "ethnicity_code", "sex"]]
    people = people.assign(snapshot_date=pd.to_datetime(people["snapshot_date"]))
    return frame.assign(snapshot_date=starts).merge(
        people, left_on=[on, "snapshot_date"], right_on=["staff_id", "snapshot_date"],
        suffixes=("", "_snapshot"),
    )  # fmt: skip


def test_planted_misconduct_gap_is_twice_the_white_rate(settings, snapshots):
    """From the files alone: of officers who were the subject of a case, minority officers
    went into the formal process (investigation or beyond) about twice as often as White
    officers, every year; among police staff, and at being the subject of a case at all,
    the rates are the same."""
    from pipeline.demo_monitoring import FORMAL_GIVEN_CASE

    cases = _with_snapshot(_read(settings, "misconduct_cases"), snapshots, "staff_id")
    cases = cases[cases["ethnicity_code"] != codes.NOT_STATED].assign(
        minority=lambda f: f["ethnicity_code"].isin(MINORITY),
        formal=lambda f: f["misconduct_stage"] != "Severity assessment",
        dismissed=lambda f: f["misconduct_outcome"] == "Dismissed without notice",
    )
    random = cases[~cases["dismissed"]]  # the dismissed are the year's dismissal leavers
    officers = random[random["worker_type"] == "Police Officer"]
    rates = officers.groupby(["file", "minority"])["formal"].mean().unstack()
    assert rates[True].to_numpy() == pytest.approx(FORMAL_GIVEN_CASE["minority"], abs=0.03)
    assert rates[False].to_numpy() == pytest.approx(FORMAL_GIVEN_CASE["other"], abs=0.01)
    staff = random[random["worker_type"] == "Police Staff"]
    staff_rates = staff.groupby("minority")["formal"].mean()
    assert staff_rates[True] == pytest.approx(staff_rates[False], abs=0.08)
    in_post = snapshots[(snapshots["worker_type"] == "Police Officer") & snapshots["stated"]]
    in_post = in_post[pd.to_datetime(in_post["snapshot_date"]) < FINAL]
    subjects = officers.drop_duplicates(["file", "staff_id"]).groupby("minority").size()
    case_rate = subjects / in_post.groupby("minority").size()
    assert case_rate[True] == pytest.approx(case_rate[False], rel=0.12)


def test_every_dismissal_is_a_dismissal_leaver_and_the_reverse(settings):
    cases = _read(settings, "misconduct_cases")
    dismissed = cases[cases["misconduct_outcome"] == "Dismissed without notice"]
    assert (dismissed["misconduct_stage"] == "Gross misconduct hearing").all()
    leavers = _read(settings, "joiners_leavers")
    leavers = leavers[leavers["leaving_reason"] == "dismissal"]
    assert sorted(dismissed["staff_id"]) == sorted(leavers["staff_id"])
    on_leaving = dismissed.merge(leavers, on="staff_id")
    assert (on_leaving["closed_date"] == on_leaving["movement_date"]).all()


def test_survey_results_are_aggregates_and_fair(settings):
    survey = _read(settings, "staff_survey")
    assert not set(survey.columns) & {"staff_id", "respondent_id", "Payroll Number"}
    assert (survey["respondent_count"] >= 1).all()
    assert (survey["agreeing_count"] <= survey["respondent_count"]).all()
    overall = survey[survey["ethnicity_code"].isna() & survey["sex"].isna()]
    by_code = survey[survey["ethnicity_code"].notna() & survey["sex"].isna()]
    totals = by_code.groupby(["file", "question_code"])[["respondent_count", "agreeing_count"]]
    assert (totals.sum().to_numpy() == overall.set_index(["file", "question_code"]).sort_index()[
        ["respondent_count", "agreeing_count"]].to_numpy()).all()  # fmt: skip
    minority = by_code["ethnicity_code"].str.startswith(("Asian", "Black", "Mixed", "Other"))
    shares = by_code.groupby([by_code["question_code"], minority])[
        ["agreeing_count", "respondent_count"]].sum()  # fmt: skip
    share = (shares["agreeing_count"] / shares["respondent_count"]).unstack()
    assert share[True].to_numpy() == pytest.approx(share[False].to_numpy(), abs=0.02)


def test_appraisal_and_development_are_fair(settings, snapshots):
    ratings = _with_snapshot(_read(settings, "appraisal_ratings"), snapshots, "staff_id")
    assert set(ratings["appraisal_year"]) == {f"{y - 1}/{y % 100}" for y in range(2023, 2027)}
    stated = ratings[ratings["ethnicity_code"] != codes.NOT_STATED]
    top = (stated["rating"] == "Exceptional").groupby(stated["ethnicity_code"].isin(MINORITY))
    assert top.mean()[True] == pytest.approx(top.mean()[False], abs=0.015)
    training = _read(settings, "training_development")
    positive = training[training["programme_type"] == "Positive action"]
    started = _with_snapshot(positive, snapshots, "staff_id")
    assert started["ethnicity_code"].isin(MINORITY).all()  # open to minority colleagues only
