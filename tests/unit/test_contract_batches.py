"""Great Expectations runs once a kind for the files of a night (``validate_extracts``):
each file's verdict must be the one it gets checked alone, its own rows named, the rules
about a whole file (one snapshot date, no duplicate keys) still judged file by file."""

from __future__ import annotations

from test_bad_input import LPUS, TODAY, csv_text, good_staff, read, staff

from pipeline.contracts import contract_parameters, validate_extract, validate_extracts


def _summary(checked):
    extract, results, blocking = checked
    quarantined = extract.quarantined[["source_row", "rule", "message"]]
    return (
        sorted(map(tuple, quarantined.itertuples(index=False))),
        [(r.rule, r.success, r.unexpected_count, r.message, r.source_file) for r in results],
        blocking,
    )


def test_files_checked_together_get_the_verdicts_they_get_alone(contracts_runner, tiny_force):
    march = [*good_staff(), staff(staff_id="G001")]  # a duplicate key in this file only
    april = [staff(staff_id=f"G{i:03d}", snapshot_date="2026-04-30") for i in range(20)]
    april[3] = {**april[3], "ethnicity_code": "ZZ", "fte": "2"}
    two_dates = [*good_staff(12), staff(staff_id="X1", snapshot_date="2026-04-30")]
    extracts = [
        read(tiny_force, "staff_snapshot_03.csv", csv_text(march)),
        read(tiny_force, "staff_snapshot_04.csv", csv_text(april)),
        read(tiny_force, "staff_snapshot_two_dates.csv", csv_text(two_dates)),
    ]
    parameters = contract_parameters(tiny_force, LPUS, TODAY)

    together = validate_extracts(contracts_runner, extracts, parameters, tiny_force)
    alone = [validate_extract(contracts_runner, e, parameters, tiny_force) for e in extracts]

    assert [_summary(c) for c in together] == [_summary(c) for c in alone]
    # Within a file, not across files (the same people are in every snapshot).
    assert [row[:2] for row in _summary(together[0])[0]] == [
        (3, "staff_id_unique"),
        (22, "staff_id_unique"),
    ]
    assert [row[:2] for row in _summary(together[1])[0]] == [
        (5, "ethnicity_code_allowed; fte_in_range")
    ]
    assert [b.split(":")[0] for c in together for b in c[2]] == ["staff_snapshot_two_dates.csv"]
