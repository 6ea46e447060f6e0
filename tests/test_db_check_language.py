"""`crm db check` and `crm audit verify` name every problem in the user's language: Japanese
in Japanese mode, English in English mode (issue 15 item 4), on a SQLite file tampered with
as another tool would (a dropped trigger, a changed one, a rewritten audit row)."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest

from tests.conftest import BACKEND
from tests.test_audit import run, shell

pytestmark = pytest.mark.skipif(BACKEND != "sqlite", reason="tampers with the SQLite file")

#: Kana or kanji: a line in Japanese has some; an English one (of ASCII data) none.
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


def _without_section(path: Path) -> None:
    """Replace staff's update trigger by one that no longer records `section`."""
    connection = sqlite3.connect(path, isolation_level=None)
    try:
        (sql,) = connection.execute(
            "SELECT sql FROM sqlite_master WHERE name = 'audit_staff_update'").fetchone()
        connection.execute("DROP TRIGGER audit_staff_update")
        connection.execute(sql.replace(", 'section', OLD.\"section\"", "")
                           .replace(", 'section', NEW.\"section\"", ""))
    finally:
        connection.close()


@pytest.fixture
def tampered(database_path: Path) -> Path:
    """The test database with a dropped trigger, a changed one, a kpi row changed without
    being recorded and a rewritten audit row (the chain broken at row 7)."""
    shell(database_path, "DROP TRIGGER audit_meeting_staff_delete",
          "DROP TRIGGER audit_kpi_update", "UPDATE kpi SET notes = 'x' WHERE id = 2",
          "DROP TRIGGER audit_log_no_update",
          "UPDATE audit_log SET new_values = json_set(new_values, '$.target', 1) WHERE id = 7")
    _without_section(database_path)
    return database_path


def _lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip()]


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_db_check_speaks_one_language(tampered: Path, lang: str,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run(["--lang", lang, "--db", str(tampered), "db", "check"])
    err = _lines(capsys.readouterr().err)
    assert code == 1
    # Each kind of problem is there: missing, changed (unrecorded column), chain, replay.
    chain = "row 7" if lang == "en" else "行 7"
    assert [sum(key in line for line in err) for key in (
        "meeting_staff", "audit_staff_update", "section", "kpi 2", "audit_log_no_update", chain)
            ] == [1, 1, 1, 1, 1, 1], err
    for line in [*err, *_lines(out)]:
        assert bool(JAPANESE.search(line)) == (lang == "ja"), line


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_audit_verify_speaks_one_language(tampered: Path, lang: str,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    code, _ = run(["--lang", lang, "--db", str(tampered), "audit", "verify"])
    (line,) = _lines(capsys.readouterr().err)
    assert code == 1 and "7" in line
    assert bool(JAPANESE.search(line)) == (lang == "ja"), line
