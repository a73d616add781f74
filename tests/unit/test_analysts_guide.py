"""docs/analysts.md names every view of the analysts' interface and agrees with the file it
describes (hostile 15, finding 9: none of the monitoring views was named, and the guide said
both 'no row about a person' and 'pseudonymised person-level rows')."""

from __future__ import annotations

import re

from pipeline.config import SQL_DIR
from pipeline.runs import ExitCode

GUIDE = SQL_DIR.parent / "docs" / "analysts.md"


def test_every_view_is_named_in_the_analysts_guide():
    text = GUIDE.read_text(encoding="utf-8")
    views = sorted(p.stem for p in (SQL_DIR / "marts").glob("*.toml"))
    missing = [v for v in views if f"`{v}`" not in text]
    assert views and not missing


def test_the_guide_does_not_say_the_database_holds_person_level_rows():
    text = " ".join(GUIDE.read_text(encoding="utf-8").split())
    assert "no row about a person" in text
    assert not re.search(r"holds[^.]*person-level rows", text)


def test_the_guide_gives_the_exit_code_progression_query_ends_in():
    """Failing SQL ends in exit 2, as the README and test_analysts say (the guide said 1)."""
    text = " ".join(GUIDE.read_text(encoding="utf-8").split())
    assert f"{int(ExitCode.CONFIG_ERROR)} when the SQL fails" in text
