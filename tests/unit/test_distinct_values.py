"""The reader converts each distinct value once (identifiers, dates, codes) and hashes each
distinct identifier once per process, whatever the number of rows and files it appears in;
the result is the same as converting every row."""

from __future__ import annotations

import hashlib
import hmac

import pandas as pd

from pipeline import extracts


def test_each_distinct_identifier_is_hashed_once_across_files(monkeypatch):
    calls: list[bytes] = []
    real = hmac.digest

    def counting(key, message, digest):
        calls.append(message)
        return real(key, message, digest)

    monkeypatch.setattr(extracts.hmac, "digest", counting)
    extracts.forget_pseudonyms()
    key = b"a-test-key-of-more-than-16-bytes"
    night = pd.Series(["WM1", "WM2", "WM1", None, "WM3"] * 1000, dtype="str")
    first = extracts.pseudonymise(night, key)
    second = extracts.pseudonymise(night, key)  # the next snapshot of the same people
    assert sorted(calls) == [b"WM1", b"WM2", b"WM3"]
    assert first.equals(second)
    expected = hmac.new(key, b"WM2", hashlib.sha256).hexdigest()[:32]
    assert first[1] == expected and pd.isna(first[3])
    assert extracts.pseudonymise(night, b"another-key-of-16-bytes+")[1] != expected


def test_per_distinct_conversion_equals_row_by_row():
    values = pd.Series(["31/03/2026", "2026-03-31", "46112", "", "not a date"] * 3, dtype="str")
    by_row = pd.concat([extracts._parse_distinct_dates(values.iloc[[i]]) for i in range(15)])
    assert extracts._parse_dates(values).equals(by_row)
    ids = pd.Series(["00100170", " wm 1 ", "1.00170E+05", None, "00100170", "1.0017E+05"],
                    dtype="str")  # fmt: skip
    expected = pd.Series(["100170", "WM1", "100170", None, "100170", "1.0017E+05"], dtype="str")
    assert extracts.normalise_identifiers(ids).equals(expected)
