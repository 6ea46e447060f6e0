"""Optimistic concurrency through files: `crm export` writes each record's version and `crm
import` refuses a row whose record another connection changed since, on SQLite and
PostgreSQL alike (issue 16, item 3)."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlmodel import select

from cli.errors import EXIT_DATA_ERROR
from cli.main import main
from crm.context import Context, fixed_clock
from crm.models import Meeting
from crm.records import services
from db.session import Database

ORGANIZATION = "版管理株式会社"
#: The other member of staff, who changes a record after the export.
OTHER = Context(user="sato", clock=fixed_clock(datetime(2023, 4, 3, 1, 30, tzinfo=UTC)))


@pytest.fixture
def url(database_url: str, ctx: Context, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The test's database with two meetings, which the CLI opens ($CRM_DATABASE_URL)."""
    database = Database.open(database_url, must_exist=False)
    with database.writing() as session:
        organization = services.create_organization(session, ctx, name=ORGANIZATION,
                                                    kind="company")
        assert organization.id is not None
        for day, title in ((1, "一回目"), (2, "二回目")):
            services.log_meeting(session, ctx, held_on=date(2023, 3, day), title=title,
                                 organization_ids=[organization.id])
    database.dispose()
    monkeypatch.setenv("CRM_DATABASE_URL", database_url)
    monkeypatch.setenv("CRM_USER", "importer")
    yield database_url


def exported(tmp_path: Path) -> Path:
    """The meetings as `crm export` writes them."""
    path = tmp_path / "meetings.csv"
    assert main(["export", "meetings", "-o", str(path)]) == 0
    return path


def read(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle))


def write(path: Path, rows: list[list[str]]) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle).writerows(rows)


def summaries(path: Path, text: str) -> None:
    """Edit the file as a spreadsheet would: every meeting's summary set to `text`."""
    rows = read(path)
    column = rows[0].index("summary")
    for row in rows[1:]:
        row[column] = text
    write(path, rows)


def changed_by_other(url: str, title: str) -> int:
    """Another connection changes the meeting titled `title` (its next action); its id."""
    other = Database.open(url, must_exist=False)
    try:
        with other.writing(actor=OTHER.user) as session:
            meeting = session.exec(select(Meeting).where(Meeting.title == title)).one()
            assert meeting.id is not None
            organization = services.find_organization(session, ORGANIZATION)
            assert organization is not None and organization.id is not None
            services.update_meeting(session, OTHER, meeting.id, held_on=meeting.held_on,
                                    title=title, organization_ids=[organization.id],
                                    next_action="電話する")
            return meeting.id
    finally:
        other.dispose()


def last_change(url: str, meeting_id: int) -> tuple[str, str]:
    """Who the audit log says last changed the meeting (the database's account of the
    connection) and when (the database's clock)."""
    database = Database.open(url, must_exist=False)
    try:
        with database.reading() as session:
            who, when = session.execute(text(
                "SELECT changed_by, changed_at FROM audit_log"
                " WHERE table_name = 'meeting' AND row_id = :id ORDER BY id DESC LIMIT 1"),
                {"id": meeting_id}).one()
            return str(who), str(when)
    finally:
        database.dispose()


def stored(url: str) -> dict[str, tuple[str | None, str | None, int]]:
    """Each meeting's summary, next action and version, by title."""
    database = Database.open(url, must_exist=False)
    try:
        with database.reading() as session:
            return {m.title: (m.summary, m.next_action, m.version)
                    for m in session.exec(select(Meeting))}
    finally:
        database.dispose()


def test_the_export_writes_each_records_version(url: str, tmp_path: Path) -> None:
    changed_by_other(url, "二回目")
    rows = read(exported(tmp_path))
    assert rows[0][-1] == "version"
    assert {row[1]: row[-1] for row in rows[1:]} == {"一回目": "1", "二回目": "2"}


def test_an_unchanged_record_imports(url: str, tmp_path: Path,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    path = exported(tmp_path)
    summaries(path, "議事録あり")
    capsys.readouterr()
    assert main(["--lang", "en", "import", "meetings", str(path)]) == 0
    assert "2 updated" in capsys.readouterr().out
    assert stored(url) == {"一回目": ("議事録あり", None, 2), "二回目": ("議事録あり", None, 2)}


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_a_record_changed_after_the_export_is_refused(
    url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], lang: str
) -> None:
    path = exported(tmp_path)
    summaries(path, "議事録あり")
    meeting_id = changed_by_other(url, "二回目")
    before = stored(url)
    capsys.readouterr()
    assert main(["--lang", lang, "import", "meetings", str(path)]) == EXIT_DATA_ERROR
    captured = capsys.readouterr()
    lines = captured.err.splitlines()
    assert len(lines) == 1 and "Traceback" not in captured.err
    who, when = last_change(url, meeting_id)
    if lang == "en":
        assert f"{path}: row 3, column 'version'" in lines[0]
        assert f"meeting {meeting_id} was changed by {who} (as sato) at {when}" in lines[0]
        assert "(version 1, now 2); nothing was imported" in lines[0]
    else:
        assert f"{path}: 3行目、列 'version'" in lines[0]
        assert (f"意見交換 (id {meeting_id}) はこのファイルの書き出し後に {who} (sato として)"
                f" が {when}") in lines[0]
        assert "版 1 → 2" in lines[0]
    # All or nothing: the unchanged first row was not written either.
    assert stored(url) == before == {"一回目": (None, None, 1), "二回目": (None, "電話する", 2)}


def test_a_dry_run_reports_the_refusal(url: str, tmp_path: Path,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    path = exported(tmp_path)
    summaries(path, "議事録あり")
    changed_by_other(url, "一回目")
    capsys.readouterr()
    assert main(["--lang", "en", "import", "meetings", str(path), "--dry-run"]) \
        == EXIT_DATA_ERROR
    captured = capsys.readouterr()
    assert "would add 0, update 1, leave 0 unchanged and refuse 1" in captured.out
    assert captured.err.count("(as sato) at") == 1
    assert "row 2, column 'version'" in captured.err


def test_the_japanese_header_and_a_file_without_versions(
    url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = exported(tmp_path)
    summaries(path, "議事録あり")
    rows = read(path)
    rows[0][-1] = "版"
    write(path, rows)
    changed_by_other(url, "一回目")
    assert main(["--lang", "en", "import", "meetings", str(path)]) == EXIT_DATA_ERROR
    assert "column '版'" in capsys.readouterr().err
    # Without the column the file imports as before the versions: the last save wins.
    write(path, [row[:-1] for row in rows])
    assert main(["--lang", "en", "import", "meetings", str(path)]) == 0
    assert stored(url)["一回目"] == ("議事録あり", None, 3)


def test_a_version_that_is_not_a_number(url: str, tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    path = exported(tmp_path)
    rows = read(path)
    rows[1][-1] = "一"
    write(path, rows)
    assert main(["--lang", "en", "import", "meetings", str(path)]) == EXIT_DATA_ERROR
    assert "row 2, column 'version': not a whole number (value '一')" in capsys.readouterr().err
