"""Methodology and definitions: every measure with its formula and source, the ethnicity
groupings spelled out code by code, the disclosure rule, and a glossary of police terms.

Generated from the code lists and the configuration, so the report always describes the
groupings and threshold it actually used.
"""

from __future__ import annotations

from dataclasses import dataclass

from pipeline import codes
from pipeline import groupings as pipeline_groupings
from pipeline.config import Settings
from pipeline.disclosure import SUPPRESSED_MARK
from pipeline.report.formatting import NOT_APPLICABLE
from pipeline.report.model import Section


@dataclass(frozen=True)
class Measure:
    name: str
    definition: str
    formula: str
    source: str


MEASURES: tuple[Measure, ...] = (
    Measure(
        "Headcount",
        "People in post on the snapshot date, each counted once whatever their hours.",
        "count of people",
        "Home Office, Police workforce, England and Wales (headcount basis).",
    ),
    Measure(
        "Declaration rate",
        "The share of people who have stated an ethnicity. 'Not stated' and 'prefer not to "
        "say' count as not stated.",
        "stated \u00f7 headcount",
        "Home Office practice: reported beside every share.",
    ),
    Measure(
        "Group share",
        "The share of a group among people who stated an ethnicity.",
        "people in the group \u00f7 people who stated an ethnicity",
        "Home Office, Police workforce statistics: shares exclude 'not stated'.",
    ),
    Measure(
        "Population share",
        "The group's share of usual residents of the same area at the 2021 Census: the force "
        "area (the sum of its local authorities) or the Local Policing Unit.",
        "residents in the group \u00f7 all usual residents",
        "ONS Census 2021, table TS021 (Open Government Licence v3.0).",
    ),
    Measure(
        "Ratio to population (representation ratio)",
        "How the workforce's group share compares with the population's: 1.00 is "
        "representative, below 1.00 under-represented.",
        "group share \u00f7 population share",
        "Defined for this report; the comparison the BME Progression Group's strategy asks for.",
    ),
    Measure(
        "Gap to parity",
        "How many more people from the group would make the workforce match the population "
        "(negative: above parity).",
        "population share \u00d7 people who stated an ethnicity \u2212 people in the group",
        "Defined for this report: the representation ratio expressed in people.",
    ),
    Measure(
        "Selection rate (pass rate)",
        "The share of candidates entering a stage who pass it. Withdrawals are reported and, "
        "by a documented rule, left out of the denominator.",
        "passed \u00f7 entered",
        "The quantity behind NHS England's Workforce Race Equality Standard (WRES) indicator 2 "
        "and the four-fifths comparison.",
    ),
    Measure(
        "Rate ratios: pass-rate, promotion-rate and leaving-rate ratio",
        "A group's rate divided by the comparison group's (White by default): 1.00 is the same "
        "rate. A ratio below 0.80 or above 1.25 is large enough to matter; whether a higher "
        "rate is better (passing, promotion) or worse (leaving) is said in the verdict.",
        "group rate \u00f7 comparison group's rate",
        "NHS England, WRES technical guidance: the non-adverse range 0.80\u20131.25. The "
        "0.80 threshold comes from the US four-fifths rule (29 CFR 1607.4(D)).",
    ),
    Measure(
        "Representation ratio and ratio to constables",
        "A group's share of a department, role or rank divided by its share of the rest of the "
        "force (or of constables): below 1.00 under-represented, above 1.00 over-represented.",
        "share in the unit or rank \u00f7 share in the rest of the force or among constables",
        "Defined for this report, read against the same 0.80\u20131.25 range.",
    ),
    Measure(
        "Relative likelihood (WRES)",
        "How many times more likely White candidates are to be appointed than ethnic-minority "
        "candidates (and, for development, to start a programme): above 1.00 favours White "
        "colleagues; 0.80 to 1.25 is NHS England's non-adverse range. For what is bad for a "
        "colleague (leaving, every misconduct stage), the likelihood of it (minority \u00f7 "
        "White), as WRES indicator 3 is for entering the formal disciplinary process.",
        "White pass rate \u00f7 ethnic-minority pass rate; for a bad outcome, minority rate "
        "\u00f7 White rate",
        "NHS England, Workforce Race Equality Standard technical guidance, indicators 2, 3 and 4.",
    ),
    Measure(
        "Leaving rate",
        "Leavers in the year per 1,000 people in post at the start of the year, by leaving route.",
        "leavers \u00f7 headcount at the start of the year \u00d7 1,000",
        "Home Office, Police workforce, England and Wales (leavers).",
    ),
    Measure(
        "Misconduct rates",
        "Of the people in post at the start of the year, those who were the subject of a "
        "misconduct case opened in the year, by the furthest stage a case reached (the formal "
        "process is an investigation; then a misconduct meeting or a gross misconduct "
        "hearing) and the most severe outcome, per 1,000 in post; and, of those subject to a "
        "case, the share investigated, which shows whether a gap is in who is reported or in "
        "the decision to investigate.",
        "people counted \u00f7 people in post at the start of the year \u00d7 1,000",
        "Police (Conduct) Regulations 2020; Home Office, Police misconduct, England and Wales "
        "(dismissals per 1,000 officers); NHS WRES indicator 3.",
    ),
    Measure(
        "Grievance and tribunal rates",
        "Of the people in post at the start of the year, those who raised a grievance, "
        "alleged discrimination, had a grievance upheld, or made or won an employment "
        "tribunal claim in the year, per 1,000 in post.",
        "people counted \u00f7 people in post at the start of the year \u00d7 1,000",
        "The force's equality objective: internal complaints, resolutions and Employment "
        "Tribunals.",
    ),
    Measure(
        "Access to development",
        "Of the people in post at the start of the year, those who started a non-mandatory "
        "development programme in the year (passed its attendance stage), per 100; positive "
        "action programmes, open only to under-represented groups, are shown on their own "
        "and left out of 'any programme'.",
        "people who started \u00f7 people in post at the start of the year \u00d7 100",
        "NHS WRES indicator 4 (access to non-mandatory training and CPD); Equality Act 2010 "
        "s.158 (positive action).",
    ),
    Measure(
        "Lateral moves",
        "Of the people in post at both ends of the year in the same worker type, those whose "
        "department or role changed at the same rank or band; of those not in a specialist "
        "unit at the start, those in one at the end; per 100.",
        "people who moved \u00f7 people in post at both snapshots \u00d7 100",
        "The strategy's 'lateral development opportunities of under represented groups'.",
    ),
    Measure(
        "Appraisal: top and bottom of the scale",
        "Of the people rated in the appraisal year, those given the force's highest rating(s) "
        "and those given its lowest, per 100, and the share at every rating.",
        "people given the rating \u00f7 people rated \u00d7 100",
        "The force's performance development review scale ([appraisal] in the configuration).",
    ),
    Measure(
        "Staff survey: share agreeing",
        "Of a group's respondents to a question, the share who agreed (or answered yes), "
        "from the survey provider's results by group; a group with fewer respondents than "
        "the minimum is not shown.",
        "respondents who agreed \u00f7 respondents",
        "NHS WRES indicators 5 to 8 (harassment from the public, from colleagues, belief in "
        "equal opportunities, discrimination).",
    ),
    Measure(
        "Senior leadership against officers, staff and PCSOs",
        "The group's share of senior leadership (superintendents, chief officers and senior "
        "staff bands) against its share of officers, staff and PCSOs (special constables, "
        "volunteers, are not compared: so this share can differ from the whole workforce's), "
        "as a difference in percentage points, and against the share of the rest of them as "
        "a ratio.",
        "share in senior leadership \u2212 share of officers, staff and PCSOs",
        "NHS WRES indicator 9 (board membership against the workforce).",
    ),
    Measure(
        "Scorecard",
        "One row per indicator: this year's figure, last year's, which way it moved (and "
        "whether towards parity: a ratio nearer 1.00), and whether this year's difference is "
        "unlikely to be chance in the section it comes from.",
        "the section's relative likelihood, ratio or difference",
        "The shape of the NHS WRES annual report.",
    ),
    Measure(
        "95% interval and p-value (score method)",
        "The range of ratios the data are consistent with, and how often chance alone would give "
        "a difference at least this large. Both come from one test (the score test), so a "
        "difference is significant exactly when its interval leaves out 1.00. With few people "
        "(an expected count below 5) an exact test (Fisher's mid-p) must agree too: where it "
        "does not, the difference is not significant and the interval reaches 1.00. Where "
        "nobody in the group had the outcome the ratio is 0 and the interval starts at 0; "
        "where nobody in the comparison group did, the interval has no upper limit. Wilson "
        "intervals, from the same family, are used for single proportions.",
        "Miettinen\u2013Nurminen score interval for a ratio of two proportions, and its test; "
        "Fisher's mid-p test below an expected count of 5",
        "Miettinen and Nurminen (1985), Statistics in Medicine 4; recommended by Fagerland, "
        "Lydersen and Laake (2015); Lydersen, Fagerland and Laake (2009), Statistics in "
        "Medicine 28; Wilson (1927).",
    ),
    Measure(
        "Allowing for many comparisons",
        "Each report table makes many comparisons, and about one in twenty fair ones would look "
        "significant by chance. The p-value is therefore adjusted within each family of "
        "comparisons (every stage and group of one promotion process or campaign; every rank, "
        "reason, department or role of one table), and only a difference whose adjusted "
        "p-value is below 0.05 is called 'unlikely to be chance' or reaches the summary.",
        "Benjamini\u2013Hochberg false discovery rate, 5%",
        "Benjamini and Hochberg (1995), J R Stat Soc B 57.",
    ),
    Measure(
        "Verdict",
        "A plain reading of a ratio and its interval, in the measure's own words: 'lower pass "
        "rate', 'higher leaving rate', 'under-represented', 'over-represented', followed by "
        "'significant' (the interval leaves out 1.00) or 'not significant'; 'no clear "
        "difference' when the interval includes 1.00 and the ratio is within 0.80\u20131.25; "
        "'not computable' when there is nobody to compare (nobody in a group, or nobody on "
        "either side with the outcome), the same in every table. \u2013 in a table marks a "
        "figure that cannot be computed.",
        "significant when the 95% interval excludes 1.00",
        "NHS England's WRES non-adverse range 0.80\u20131.25; docs/methodology.md in the "
        "pipeline's repository.",
    ),
)

GLOSSARY: tuple[tuple[str, str], ...] = (
    ("Constable (PC, DC)", "The first officer rank. 'Detective' is a role, not a rank: a "
     "detective constable is a constable."),
    ("Sergeant (PS, DS)", "The first supervisory rank."),
    ("Inspector, Chief Inspector", "Middle-management ranks, leading teams and units."),
    ("Superintendent, Chief Superintendent", "Senior ranks commanding an LPU or department."),
    ("Chief officers", "Assistant Chief Constable, Deputy Chief Constable and Chief Constable "
     "(Commander and above in London)."),
    ("T/ and A/", "Temporary or acting rank, held before substantive promotion; reported as "
     "the rank held."),
    ("Police staff", "Employees who are not warranted officers, graded in bands (A, the "
     "lowest, to J in this force)."),
    ("PCSO", "Police Community Support Officer: uniformed staff with limited powers."),
    ("Special constable", "A volunteer officer with full police powers."),
    ("LPU", "Local Policing Unit (later NPU): the force's geographic command, usually a local "
     "authority area."),
    ("NPPF", "National Police Promotion Framework: eligibility, legal knowledge exam "
     "(sergeant and inspector), local selection (assessment centre or interview), temporary "
     "promotion with work-based assessment, then substantive promotion."),
    ("Assessment centre", "A selection stage of exercises (role plays, written and "
     "presentation tasks) marked against national competencies."),
    ("PCDA, DHEP, Police Now", "Entry routes for constables: Police Constable Degree "
     "Apprenticeship, Degree Holder Entry Programme, and Police Now's graduate programme."),
    ("Direct entry", "Entry at inspector or superintendent rank from outside policing."),
    ("Police Race Action Plan", "The national plan (NPCC and College of Policing, 2022) to "
     "make policing anti-racist; it asks forces to report on Black officers and staff."),
    ("WRES", "NHS Workforce Race Equality Standard: the NHS's indicators of race equality in "
     "its workforce, whose relative-likelihood measure and scorecard this report borrows."),
    ("Formal misconduct process", "A misconduct matter that, after assessment, is "
     "investigated; it may lead to a misconduct meeting (written warnings) or a gross "
     "misconduct hearing (dismissal)."),
    ("Reflective practice", "The Reflective Practice Review Process: learning, not a "
     "disciplinary sanction, for conduct below the standard expected."),
    ("Positive action", "Development open only to groups under-represented in the force "
     "(Equality Act 2010, s.158)."),
    ("PDR", "Performance and Development Review: the annual appraisal, with its rating."),
    ("BME Progression Group", "The force's group of senior officers and staff-association "
     "representatives overseeing the progression of ethnic-minority colleagues."),
)  # fmt: skip


def groupings(settings: Settings) -> list[tuple[str, str]]:
    """Each grouping's label and the codes in it, spelled out (:mod:`pipeline.groupings`)."""
    labels = {e.code: e.label for e in codes.ETHNICITIES}
    order = [e.code for e in codes.ETHNICITIES]
    out = []
    for grouping in pipeline_groupings.groupings(settings):
        if grouping.kind == "detailed":
            continue
        members = sorted(grouping.members, key=order.index)
        out.append((grouping.label, "; ".join(f"{labels[c]} ({c})" for c in members)))
    out.append(("Not stated", f"{labels[codes.NOT_STATED]} ({codes.NOT_STATED}), including "
                "'prefer not to say': left out of every share's denominator."))  # fmt: skip
    return out


def disclosure_rule(settings: Settings) -> list[str]:
    threshold = settings.disclosure.threshold
    share = settings.disclosure.max_withheld_share
    return [
        f"Counts from 1 to {threshold} are withheld and shown as {SUPPRESSED_MARK}, and so is "
        "every rate, share, ratio or statistic computed from a count a reader could not work "
        "out. Zero is shown, except where the total it is read against is 1 to "
        f"{threshold} people or withheld (a row or column total, or the candidates a "
        "selection stage started from), where it would say something about everyone in "
        "that total.",
        f"{SUPPRESSED_MARK} also marks counts withheld so that no withheld count, and no "
        "unpublished count of an ethnic group such as 'not stated', can be worked out from "
        "what is published: every table, chart, sentence and download is protected together, "
        "so a total in one table and its parts in another, or the same figure shown twice, "
        "are taken into account (secondary suppression across linked tables).",
        f"Where a breakdown would withhold more than {share:.0%} of its counts, it is shown "
        "for coarser groups (detailed groups, then broad groups, then the headline group "
        "against the rest), and the table says so.",
        f"{SUPPRESSED_MARK} also marks the figures and counts of a group so small that they "
        "would identify someone whatever the numbers, such as a chief officer team.",
        f"{NOT_APPLICABLE} marks a figure that does not exist, such as a share of nobody.",
        "Before anything is published, every output (this page, the workbook, each CSV file "
        "and summary.json) is read back and checked by integer programming: every withheld "
        "count must still have more than one possible value given everything published, "
        "rounded percentages included. If one has not, nothing is published.",
    ]


def section_definitions(sections: list[Section]) -> list[tuple[str, str]]:
    return list(dict.fromkeys(d for s in sections for d in s.definitions))
