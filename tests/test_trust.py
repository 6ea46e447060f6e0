"""Issue 12's attacks on a SQLite file, made as an attacker would (the sqlite3 module).

Each attack must be refused, or detected and named by `crm audit verify` / `crm db check`;
none may stop the program's later writes.
"""

from __future__ import annotations

import sqlite3
import stat
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory

from crm.audit import chain as audit
from crm.context import Context, current_user, os_login
from crm.records import services as s
from db.maintenance import check
from db.migrate import alembic_config, head_revision
from db.schema_sql import audit as schema_audit
from db.schema_sql import trust
from db.session import Database
from tests.conftest import BACKEND
from tests.test_audit import run, shell

pytestmark = pytest.mark.skipif(BACKEND != "sqlite", reason="attacks on the SQLite file")


def problems(database: Database) -> list[str]:
    return check(database).problems


def write_goes_on(database: Database, ctx: Context) -> None:
    with database.writing() as session:
        s.create_staff(session, ctx, name=f"書き込み {audit.chain_head(session).id}")
    with database.reading() as session:
        assert audit.verify(session).unsealed == 0


@pytest.mark.usefixtures("english")
def test_shift_jis_bytes_are_named_and_writes_go_on(
    database: Database, database_path: Path, ctx: Context, capsys: pytest.CaptureFixture[str]
) -> None:
    shell(database_path, "UPDATE kpi SET notes = CAST(X'8a8c90ec8e73' AS TEXT) WHERE id = 2")
    write_goes_on(database, ctx)
    with database.reading() as session:
        report = audit.verify(session)
        (row,) = session.connection().exec_driver_sql(
            "SELECT max(id) FROM audit_log WHERE table_name = 'kpi'").one()
    assert [b.row_id for b in report.breaks] == [row]
    assert "not UTF-8" in report.problems()[0]
    code, _ = run(["--db", str(database_path), "audit", "verify"])
    assert code == 1 and f"row {row}" in capsys.readouterr().err
    code, out = run(["--db", str(database_path), "audit", "log", "--table", "kpi"])
    assert code == 0 and "\\udc8a" in out  # shown escaped, not a crash


def test_rows_with_id_zero_or_negative_are_named_and_writes_go_on(
    database: Database, database_path: Path, ctx: Context
) -> None:
    forged = ("INSERT INTO audit_log (id, table_name, row_id, action, changed_at, changed_by)"
              " VALUES ({}, 'kpi', 1, 'update', '2020-01-01T00:00:00.000Z', 'mallory')")
    # Refused since 0007 (test_trust_backends): a file whose guard was dropped.
    shell(database_path, "DROP TRIGGER audit_log_no_reuse", "DROP TRIGGER audit_log_positive_id",
          forged.format(0))
    with database.reading() as session:
        assert [b.row_id for b in audit.verify(session).breaks] == [0, 0]
    write_goes_on(database, ctx)
    with database.reading() as session:
        found = audit.verify(session).problems()
    assert len(found) == 2 and all("row 0" in line for line in found)
    assert "not positive" in found[0] and "inserted into the sealed history" in found[1]
    shell(database_path, forged.format(-5))
    write_goes_on(database, ctx)
    assert any("row -5: its id is not positive" in p for p in problems(database))


def test_every_wrong_seal_is_named_not_only_the_first(
    database: Database, database_path: Path, ctx: Context
) -> None:
    shell(database_path, "DROP TRIGGER audit_log_no_update", "DROP TRIGGER audit_log_no_delete",
          "UPDATE audit_log SET chain_hash = printf('%064d', 1) WHERE id = 3",
          "UPDATE audit_log SET changed_by = 'mallory' WHERE id = 9",
          "DELETE FROM audit_log WHERE id = 12")
    write_goes_on(database, ctx)
    with database.reading() as session:
        report = audit.verify(session)
    assert [b.row_id for b in report.breaks] == [3, 9, 13]
    assert "no row between 11 and 13" in report.problems()[-1]
    assert report.verified > 13


def test_edits_that_bypass_the_triggers_are_named_by_the_replay_check(
    database: Database, database_path: Path, ctx: Context
) -> None:
    with database.writing() as session:
        org = s.create_organization(session, ctx, name="播磨工業", kind="company").id or 0
        staff = s.create_staff(session, ctx, name="佐藤").id or 0
        meeting = s.log_meeting(session, ctx, held_on=date(2023, 6, 1), title="t",
                                organization_ids=[org], staff_ids=[staff]).id or 0
    assert problems(database) == []
    shell(database_path,
          "DROP TRIGGER audit_kpi_update", "DROP TRIGGER audit_organization_insert",
          "DROP TRIGGER audit_staff_delete", "DROP TRIGGER audit_meeting_organization_insert",
          "DROP TRIGGER audit_meeting_organization_delete",
          "UPDATE kpi SET target = 1, notes = 'x' WHERE id = 2",
          "INSERT INTO organization (id, created_at, created_by, updated_at, updated_by, name,"
          " normalized_name, kind) SELECT id + 1, created_at, created_by, updated_at,"
          " updated_by, name || '2', normalized_name || '2', kind FROM organization"
          f" WHERE id = {org}",
          f"DELETE FROM staff WHERE id = {staff}",
          f"DELETE FROM meeting_organization WHERE meeting_id = {meeting}",
          f"INSERT INTO meeting_organization (meeting_id, organization_id) VALUES ({meeting},"
          f" {org + 1})")
    # The triggers come back exactly as the program installs them: only the replay sees it.
    with database.engine.begin() as connection:
        for table, key, columns in schema_audit.audited_tables(connection):
            for statement in trust.sqlite_audit_triggers(table, key, columns):
                name = statement.split()[2]
                connection.exec_driver_sql(f"DROP TRIGGER IF EXISTS {name}")
                connection.exec_driver_sql(statement)
    assert check(database).replay_problems == [
        "kpi 2: notes, target differ(s) from its last audited state (changed without being"
        " recorded)",
        f"meeting_organization of meeting_id {meeting}: meeting_id={meeting},"
        f" organization_id={org + 1} differs from the audit log (changed without being"
        " recorded)",
        f"meeting_organization of meeting_id {meeting}: meeting_id={meeting},"
        f" organization_id={org} is missing, but the audit log has no record of its deletion",
        f"organization {org + 1}: not in the audit log (added without being recorded)",
        f"staff {staff}: missing, but the audit log has no record of its deletion",
    ]
    write_goes_on(database, ctx)


@pytest.mark.parametrize("suffix", ["", "-wal", "-shm"])
@pytest.mark.parametrize("command", [
    ["--read-only", "export", "organizations", "-o"],
    ["opendata", "events", "-o"],
    ["report", "--fiscal-year", "2022", "-o"],
    ["db", "backup"],
])
@pytest.mark.usefixtures("english")
def test_no_command_writes_over_the_database_or_its_journal(
    database_path: Path, command: list[str], suffix: str, capsys: pytest.CaptureFixture[str]
) -> None:
    target = Path(f"{database_path}{suffix}")
    before = database_path.read_bytes()
    code, _ = run(["--db", str(database_path), *command, str(target)])
    err = capsys.readouterr().err
    assert code == 1 and err.count("\n") == 1 and database_path.read_bytes() == before
    assert "choose another output file; nothing written" in err or (
        "already exists: choose a new file name" in err and command[0] == "db")


@pytest.mark.usefixtures("english")
def test_no_command_writes_over_a_backup(
    database_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    copy = tmp_path / "copy.sqlite3"
    assert run(["--db", str(database_path), "db", "backup", str(copy)])[0] == 0
    before = copy.read_bytes()
    for command in (["export", "meetings", "-o"], ["report", "--fiscal-year", "2022", "-o"]):
        code, _ = run(["--db", str(database_path), *command, str(copy)])
        assert code == 1 and "is a SQLite database (a backup?)" in capsys.readouterr().err
    assert copy.read_bytes() == before


@pytest.mark.usefixtures("english")
def test_demo_force_backs_up_a_database_that_is_not_a_demo_one(
    database: Database, database_path: Path, ctx: Context, tmp_path: Path
) -> None:
    with database.writing() as session:
        s.create_staff(session, ctx, name="本番 太郎")
    database.dispose()
    code, out = run(["--db", str(database_path), "demo", "--force"])
    assert code == 0 and "is not a demo database: backed up to" in out
    (copy,) = tmp_path.glob("crm.sqlite3.before-demo-*.bak")
    kept = sqlite3.connect(copy)
    try:
        assert kept.execute(
            "SELECT count(*) FROM staff WHERE name = '本番 太郎'").fetchone() == (1,)
    finally:
        kept.close()
    code, out = run(["--db", str(database_path), "demo", "--force"])  # a demo one now
    assert code == 0 and "backed up" not in out
    assert len(list(tmp_path.glob("*.bak"))) == 1


@pytest.mark.usefixtures("english")
def test_demo_force_leaves_a_file_it_cannot_back_up(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    other = tmp_path / "notes.txt"
    other.write_text("大切なメモ\n" * 100, encoding="utf-8")
    code, _ = run(["--db", str(other), "demo", "--force"])
    err = capsys.readouterr().err
    assert code == 1 and "is not a demo database and could not be backed up" in err
    assert other.read_text(encoding="utf-8") == "大切なメモ\n" * 100


@pytest.mark.usefixtures("english")
def test_today_cannot_issue_an_unfinished_period_nor_back_date_an_issue(
    database_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pdf = str(tmp_path / "r.pdf")
    code, _ = run(["--db", str(database_path), "--lang", "en", "--today", "2099-06-01", "report",
                   "--fiscal-year", "2098", "--issue", "-o", pdf])
    err = capsys.readouterr().err
    assert code == 1 and "ends on 2099-03-31" in err and "nothing issued" in err
    assert not Path(pdf).exists()
    before = datetime.now(UTC)
    code, out = run(["--db", str(database_path), "--today", "2023-01-10", "report",
                     "--fiscal-year", "2022", "--quarter", "2", "--issue", "-o", pdf])
    assert code == 0 and "issued as report #" in out
    connection = sqlite3.connect(database_path)
    try:
        (issued_at,) = connection.execute("SELECT issued_at FROM issued_report").fetchone()
    finally:
        connection.close()
    assert before <= datetime.fromisoformat(issued_at).replace(tzinfo=UTC) <= datetime.now(UTC)


@pytest.mark.parametrize("name", ["contacts.csv", "contacts.xlsx"])
def test_exports_with_personal_data_and_pdfs_are_owner_only(
    database_path: Path, tmp_path: Path, name: str
) -> None:
    target = tmp_path / name
    target.write_bytes(b"")
    target.chmod(0o644)  # an older file readable by all: the export must not stay so
    code, _ = run(["--db", str(database_path), "export", "contacts", "--include-personal",
                   "-o", str(target)])
    assert code == 0 and stat.S_IMODE(target.stat().st_mode) == 0o600
    assert target.stat().st_size > 0
    pdf = tmp_path / "report.pdf"
    code, _ = run(["--db", str(database_path), "report", "--fiscal-year", "2022", "-o",
                   str(pdf)])
    assert code == 0 and stat.S_IMODE(pdf.stat().st_mode) == 0o600
    assert pdf.read_bytes().startswith(b"%PDF")


@pytest.mark.usefixtures("english")
def test_check_on_an_older_revision_asks_for_the_upgrade_in_one_line(
    database_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    script = ScriptDirectory.from_config(alembic_config())
    previous = script.get_revision(head_revision()).down_revision
    shell(database_path, f"UPDATE alembic_version SET version_num = '{previous}'")
    code, _ = run(["--db", str(database_path), "db", "check"])
    err = capsys.readouterr().err
    assert code == 1 and err == (f"crm: {database_path} is at schema {previous}, this program"
                                 f" needs {head_revision()}: run `crm db upgrade`\n")


@pytest.mark.usefixtures("english")
def test_an_office_acknowledges_a_break_as_a_new_segment_without_re_sealing(
    database: Database, database_path: Path, ctx: Context, capsys: pytest.CaptureFixture[str]
) -> None:
    shell(database_path, "UPDATE kpi SET notes = CAST(X'8a8c90ec8e73' AS TEXT) WHERE id = 2")
    write_goes_on(database, ctx)
    with database.reading() as session:
        (broken,) = audit.verify(session).breaks
    db = ["--db", str(database_path)]
    assert run(["--lang", "en", *db, "audit", "acknowledge", "3", "--reason", "x"])[0] == 1
    assert "row 3 has no break to acknowledge" in capsys.readouterr().err
    code, out = run([*db, "audit", "acknowledge", str(broken.row_id), "--reason",
                     "Shift_JIS from the old ledger tool; notes re-entered by the program"])
    assert code == 0 and out == f"acknowledged: {broken.line()}\n"
    code, out = run([*db, "audit", "verify"])
    assert code == 0 and "1 acknowledged break(s)" in out
    assert check(database).problems == []
    with database.reading() as session:
        (entry,) = audit.history(session, table="audit_break")
        sealed = audit.verify(session)
    assert entry.claimed_by == current_user() and entry.chain_hash is not None
    code, out = run([*db, "audit", "log", "--table", "audit_break"])
    assert code == 0 and f"{os_login()} (as {current_user()})" in out
    assert sealed.head_id is not None and sealed.head_id > broken.row_id

    shell(database_path, "DROP TRIGGER audit_log_no_update",
          "UPDATE audit_log SET changed_by = 'mallory' WHERE id = 4")
    code, _ = run([*db, "audit", "verify"])
    err = capsys.readouterr().err
    assert code == 1 and "row 4" in err and f"row {broken.row_id}" not in err
