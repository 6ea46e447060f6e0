"""An import matches a row to its record by the `id` column an export writes, so a natural key
edited in the spreadsheet updates the record instead of adding a duplicate; an id this
database does not have is refused in one line; rows without an id (files made by hand) are
matched by natural key as before. `crm export` and `crm import` on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import text

from cli.errors import EXIT_DATA_ERROR
from cli.main import main
from crm.context import Context
from crm.models import Meeting
from crm.records import services
from db.session import Database

COMPANY = "照合株式会社"


@pytest.fixture
def url(database_url: str, ctx: Context, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The test's database with two companies and two meetings, which the CLI opens."""
    database = Database.open(database_url, must_exist=False)
    with database.writing() as session:
        company = services.create_organization(session, ctx, name=COMPANY, kind="company")
        services.create_organization(session, ctx, name="別団体株式会社", kind="company")
        assert company.id is not None
        for day, title in ((1, "一回目"), (2, "二回目")):
            services.log_meeting(session, ctx, held_on=date(2023, 3, day), title=title,
                                 organization_ids=[company.id])
    database.dispose()
    monkeypatch.setenv("CRM_DATABASE_URL", database_url)
    monkeypatch.setenv("CRM_USER", "importer")
    yield database_url


def exported(tmp_path: Path, entity: str) -> list[dict[str, str]]:
    """`crm export ENTITY` read back, a dict per row."""
    path = tmp_path / f"{entity}.csv"
    assert main(["export", entity, "-o", str(path)]) == 0
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def write(path: Path, rows: list[dict[str, str]]) -> Path:
    """The rows as a spreadsheet saves them (the columns of the first row)."""
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def records(url: str, table: str) -> dict[int, tuple[str, int]]:
    """Each record's title (or name) and version, by id."""
    column = "name" if table == "organization" else "title"
    database = Database.open(url, must_exist=False)
    try:
        with database.reading() as session:
            return {row_id: (value, version) for row_id, value, version in session.execute(
                text(f"SELECT id, {column}, version FROM {table}"))}
    finally:
        database.dispose()


def audit_rows(url: str) -> list[tuple[str, int, str, str | None, str | None]]:
    database = Database.open(url, must_exist=False)
    try:
        with database.reading() as session:
            return [tuple(row) for row in session.execute(text(
                "SELECT table_name, row_id, action, old_values, new_values FROM audit_log"
                " ORDER BY id"))]
    finally:
        database.dispose()


def import_(path: Path, entity: str, *options: str) -> int:
    return main(["--lang", "en", "import", entity, str(path), *options])


def test_a_meeting_whose_title_was_edited_is_updated_not_added(
    url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = exported(tmp_path, "meetings")
    assert [row["title"] for row in rows] == ["一回目", "二回目"] and rows[0]["id"]
    rows[0]["title"] = "一回目（題を直した）"
    before = records(url, "meeting")
    history = len(audit_rows(url))
    capsys.readouterr()
    assert import_(write(tmp_path / "edited.csv", rows), "meetings") == 0
    assert "imported 0 meetings from" in (out := capsys.readouterr().out)
    assert "(1 updated, 1 unchanged)" in out
    meeting_id = int(rows[0]["id"])
    assert records(url, "meeting") == before | {meeting_id: ("一回目（題を直した）", 2)}
    changes = [row for row in audit_rows(url)[history:] if row[0] == "meeting"]
    assert [(table, row_id, action) for table, row_id, action, _, _ in changes] == [
        ("meeting", meeting_id, "update")]
    old, new = (json.loads(values or "{}") for values in changes[0][3:])
    assert (old["title"], new["title"]) == ("一回目", "一回目（題を直した）")
    assert new["updated_by"] == "importer"


def test_an_organization_renamed_in_the_file_is_renamed(
    url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = exported(tmp_path, "organizations")
    (row,) = [row for row in rows if row["name"] == COMPANY]
    row["name"] = "照合ホールディングス株式会社"
    capsys.readouterr()
    assert import_(write(tmp_path / "edited.csv", rows), "organizations") == 0
    assert "imported 0 organizations from" in (out := capsys.readouterr().out)
    assert "(1 updated, 1 unchanged)" in out
    assert records(url, "organization")[int(row["id"])] == ("照合ホールディングス株式会社", 2)
    # The meetings keep their organization, now under its new name.
    assert {r["organizations"] for r in exported(tmp_path, "meetings")} == {
        "照合ホールディングス株式会社"}


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_an_id_this_database_does_not_have_is_refused_in_one_line(
    url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], lang: str
) -> None:
    rows = exported(tmp_path, "meetings")
    rows[0]["title"] = "一回目（題を直した）"
    rows[1]["id"] = "9999"
    path = write(tmp_path / "edited.csv", rows)
    before, history = records(url, "meeting"), audit_rows(url)
    capsys.readouterr()
    assert main(["--lang", lang, "import", "meetings", str(path)]) == EXIT_DATA_ERROR
    captured = capsys.readouterr()
    lines = captured.err.splitlines()
    assert len(lines) == 1 and "Traceback" not in captured.err, lines
    if lang == "en":
        assert lines[0].startswith(f"crm: {path}: row 3, column 'id': no meeting has this id")
    else:
        assert lines[0].startswith(f"crm: {path}: 3行目、列 'id': この id の意見交換はこの"
                                   "データベースにありません")
    assert lines[0].endswith("'9999')")
    # All or nothing: the first row's edit was not written either.
    assert records(url, "meeting") == before and audit_rows(url) == history


def test_rows_without_an_id_are_matched_by_their_natural_key(
    url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = exported(tmp_path, "meetings")
    for row in rows:
        row["id"] = ""
        row["summary"] = "議事録あり"
    rows.append(rows[0] | {"date": "2023-03-09", "title": "手で足した会議", "summary": ""})
    before = records(url, "meeting")
    capsys.readouterr()
    assert import_(write(tmp_path / "by-hand.csv", rows), "meetings") == 0
    assert "imported 1 meetings from" in (out := capsys.readouterr().out)
    assert "(2 updated, 0 unchanged)" in out
    after = records(url, "meeting")
    assert {k: after[k] for k in before} == {k: (title, 2) for k, (title, _) in before.items()}
    assert sorted(title for title, _ in after.values()) == ["一回目", "二回目", "手で足した会議"]


def test_the_version_check_applies_to_a_row_matched_by_id(
    url: str, tmp_path: Path, ctx: Context, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = exported(tmp_path, "meetings")
    rows[0]["title"] = "一回目（題を直した）"
    meeting_id = int(rows[0]["id"])
    other = Database.open(url)
    with other.writing(actor="sato") as session:
        company = services.find_organization(session, COMPANY)
        assert company is not None and company.id is not None
        services.update_meeting(session, ctx, meeting_id, held_on=date(2023, 3, 1),
                                title="一回目", organization_ids=[company.id],
                                next_action="電話する")
    other.dispose()
    before = records(url, "meeting")
    capsys.readouterr()
    assert import_(write(tmp_path / "edited.csv", rows), "meetings") == EXIT_DATA_ERROR
    (line,) = capsys.readouterr().err.splitlines()
    assert "row 2, column 'version'" in line and "(version 1, now 2)" in line
    assert records(url, "meeting") == before


def test_two_rows_for_one_record_are_refused(
    url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = exported(tmp_path, "meetings")
    copy = rows[0] | {"title": "写し"}
    same_key = rows[1] | {"id": ""}  # a row by hand with the key of the second
    rows[1]["title"] = "二回目（直した）"
    path = write(tmp_path / "twice.csv", [*rows, copy])
    capsys.readouterr()
    assert main(["--lang", "en", "import", "meetings", str(path), "--dry-run"]) == \
        EXIT_DATA_ERROR
    captured = capsys.readouterr()
    assert "and refuse 1" in captured.out
    first_id = rows[0]["id"]
    assert f"row 4, column 'id': the same meeting (id {first_id}) as row 2" in captured.err
    path = write(tmp_path / "twice.csv", [*rows, same_key])
    assert main(["--lang", "ja", "import", "meetings", str(path)]) == EXIT_DATA_ERROR
    (line,) = capsys.readouterr().err.splitlines()
    assert f"4行目、列 'title': 3行目と同じ意見交換 (id {rows[1]['id']}) です" in line


def test_an_archived_record_is_not_changed_through_a_file(
    url: str, tmp_path: Path, ctx: Context, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = exported(tmp_path, "meetings")
    meeting_id = int(rows[0]["id"])
    database = Database.open(url)
    with database.writing() as session:
        services.archive(session, ctx, Meeting, meeting_id)
    database.dispose()
    rows[0]["version"] = "2"
    unchanged = write(tmp_path / "same.csv", rows)
    capsys.readouterr()
    assert import_(unchanged, "meetings") == 0
    assert "imported 0 meetings from" in (out := capsys.readouterr().out)
    assert "(0 updated, 2 unchanged)" in out
    rows[0]["title"] = "保管後に直した題"
    assert import_(write(tmp_path / "edited.csv", rows), "meetings") == EXIT_DATA_ERROR
    (line,) = capsys.readouterr().err.splitlines()
    assert "row 2, column 'id': this meeting is archived: restore it" in line
    assert records(url, "meeting")[meeting_id] == ("一回目", 2)


def test_a_name_of_another_organization_is_refused(
    url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = exported(tmp_path, "organizations")
    (row,) = [row for row in rows if row["name"] == COMPANY]
    row["name"] = "別団体株式会社"
    rows = [row]
    capsys.readouterr()
    assert import_(write(tmp_path / "edited.csv", rows), "organizations") == EXIT_DATA_ERROR
    (line,) = capsys.readouterr().err.splitlines()
    assert "row 2, column 'name': the name belongs to another organization" in line
    assert records(url, "organization")[int(row["id"])] == (COMPANY, 1)
