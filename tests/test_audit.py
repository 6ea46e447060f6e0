"""The audit trail: every change recorded by triggers, append-only, sealed in a hash chain."""

from __future__ import annotations

import io
import json
import sqlite3
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import text
from sqlmodel import Session

from cli.main import main
from crm.audit import chain as audit
from crm.context import Context, os_login
from crm.models import Meeting, Organization
from crm.records import services as s
from crm.records.erasure import erase_contact
from db.schema_sql.audit import NOT_AUDITED_COLUMNS
from db.session import Database
from db.triggers import trigger_problems
from tests.conftest import BACKEND

pytestmark = pytest.mark.skipif(
    BACKEND != "sqlite", reason="the audit triggers exist for SQLite only so far"
)


def run(argv: list[str]) -> tuple[int, str]:
    out = io.StringIO()
    return main(argv, out=out), out.getvalue()


def shell(path: Path, *statements: str) -> None:
    """Run SQL as another tool would (the sqlite3 shell): a plain connection, autocommit."""
    connection = sqlite3.connect(path, isolation_level=None)
    try:
        for statement in statements:
            connection.execute(statement)
    finally:
        connection.close()


def entries(database: Database, table: str | None = None, row_id: int | None = None
            ) -> list[audit.AuditEntry]:
    with database.reading() as session:
        return audit.history(session, table=table, row_id=row_id, limit=100_000)


def test_every_change_is_recorded_with_who_when_and_the_values(
    database: Database, ctx: Context
) -> None:
    with database.writing(actor="suzuki") as session:
        org = s.create_organization(session, ctx, name="株式会社播磨データ", kind="company")
        meeting = s.log_meeting(session, ctx, held_on=date(2023, 5, 1), title="意見交換",
                                organization_ids=[org.id or 0])
    with database.writing(actor="tanaka") as session:
        s.update_organization(session, ctx, org.id or 0, name="株式会社播磨データ",
                              kind="company", notes="AIカメラ")
        s.archive(session, ctx, Meeting, meeting.id or 0)

    history = entries(database, table="organization", row_id=org.id)
    # Who: the OS login, and beside it the name the program acted for (CRM_USER).
    assert [(e.action, e.changed_by, e.claimed_by) for e in history] == [
        ("insert", os_login(), "suzuki"), ("update", os_login(), "tanaka")
    ]
    old, new = history[1].values()
    assert old["notes"] is None and new["notes"] == "AIカメラ"
    assert set(new) >= {"id", "name", "normalized_name", "kind", "created_at", "archived_by"}
    assert history[0].changed_at.endswith("Z") and "T" in history[0].changed_at

    meeting_history = entries(database, table="meeting", row_id=meeting.id)
    assert [(e.table_name, e.action) for e in meeting_history] == [
        ("meeting", "insert"), ("meeting_organization", "insert"), ("meeting", "update")
    ]
    assert meeting_history[-1].values()[1]["archived_by"] == "tester"
    with database.reading() as session:
        report = audit.verify(session)
    assert report.ok and report.unsealed == 0 and report.verified == len(entries(database))


def test_a_change_made_outside_the_program_is_recorded_and_sealed_at_the_next_write(
    database: Database, database_path: Path, ctx: Context
) -> None:
    shell(database_path, "UPDATE kpi SET target = 99 WHERE code = 'lectures_in_city'",
          "DELETE FROM kpi WHERE code = 'outreach_in_city'")
    with database.reading() as session:
        before = audit.verify(session)
    assert before.ok and before.unsealed == 2
    recorded = entries(database, table="kpi")[-2:]
    assert [(e.action, e.changed_by, e.claimed_by, e.chain_hash) for e in recorded] == [
        ("update", "sql", None, None), ("delete", "sql", None, None)
    ]
    assert recorded[1].values()[0]["code"] == "outreach_in_city"

    with database.writing() as session:
        s.create_staff(session, ctx, name="山田")
    with database.reading() as session:
        after = audit.verify(session)
        head = audit.chain_head(session)
    assert after.ok and after.unsealed == 0 and after.verified == before.verified + 3
    assert (head.id, head.hash) == (after.head_id, after.head_hash)
    code, out = run(["--db", str(database_path), "audit", "verify"])
    assert code == 0 and head.hash in out


@pytest.mark.parametrize(
    ("statement", "message"),
    [
        ("DELETE FROM audit_log WHERE id = 1", "cannot be deleted"),
        ("UPDATE audit_log SET changed_by = 'someone' WHERE id = 1", "append-only"),
        ("UPDATE audit_log SET chain_hash = printf('%064d', 0) WHERE id = 1", "append-only"),
        ("UPDATE audit_log SET chain_hash = NULL WHERE id = 1", "append-only"),
        ("INSERT INTO audit_log (table_name, row_id, action, changed_at, changed_by,"
         " chain_hash) VALUES ('kpi', 1, 'insert', 'now', 'x', printf('%064d', 0))",
         "recorded unsealed"),
    ],
)
def test_the_database_refuses_to_change_audit_rows(
    database_path: Path, statement: str, message: str
) -> None:
    with pytest.raises(sqlite3.IntegrityError, match=message):
        shell(database_path, statement)


def test_sealing_is_one_way_in_order_and_cannot_touch_content(database_path: Path) -> None:
    shell(database_path, "UPDATE kpi SET notes = 'a' WHERE id = 1",
          "UPDATE kpi SET notes = 'b' WHERE id = 2")
    connection = sqlite3.connect(database_path, isolation_level=None)
    try:
        first, second = (row[0] for row in connection.execute(
            "SELECT id FROM audit_log WHERE chain_hash IS NULL ORDER BY id"))
        fake = "f" * 64
        with pytest.raises(sqlite3.IntegrityError, match="in order"):
            connection.execute("UPDATE audit_log SET chain_hash = ? WHERE id = ?", (fake, second))
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            connection.execute("UPDATE audit_log SET chain_hash = ?, new_values = '{}'"
                               " WHERE id = ?", (fake, first))
        connection.execute("UPDATE audit_log SET chain_hash = ? WHERE id = ?", (fake, first))
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            connection.execute("UPDATE audit_log SET chain_hash = ? WHERE id = ?",
                               ("e" * 64, first))
    finally:
        connection.close()


@pytest.mark.usefixtures("english")
def test_verify_names_the_first_tampered_row(
    database: Database, database_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with database.reading() as session:
        total = audit.verify(session).verified
    # Whoever can write the file can drop the guard: the chain still gives them away.
    shell(database_path, "DROP TRIGGER audit_log_no_update",
          "UPDATE audit_log SET new_values = json_set(new_values, '$.target', 1) WHERE id = 7")
    with database.reading() as session:
        report = audit.verify(session)
    assert [b.row_id for b in report.breaks] == [7] and report.verified == total - 1
    assert "row 7" in report.problems()[0]

    code, _ = run(["--db", str(database_path), "audit", "verify"])
    err = capsys.readouterr().err
    assert code == 1 and "row 7" in err and err.count("\n") == 1
    code, out = run(["--db", str(database_path), "db", "check"])
    err = capsys.readouterr().err
    assert code == 1
    assert "audit_log_no_update is missing" in err and "row 7" in err
    assert f"{total - 1} row(s) verified" in out and total > 7


def test_every_table_has_triggers_recording_every_column(
    database: Database, database_path: Path
) -> None:
    with database.reading() as session:
        assert trigger_problems(session) == []
        tables = set(session.scalars(text(
            "SELECT tbl_name FROM sqlite_master WHERE type = 'trigger'"
            " AND name LIKE 'audit_%_insert'"
            " AND tbl_name NOT IN ('audit_log', 'audit_personal_value')")))
    assert tables == set(audit.audited_tables())
    assert {"meeting_organization", "kpi_measurement", "issued_report"} <= tables

    shell(database_path, "DROP TRIGGER audit_meeting_staff_delete")
    with database.reading() as session:
        assert trigger_problems(session) == [
            "meeting_staff: no audit trigger for delete: changes go unrecorded"
        ]


def _table_rows(session: Session, table: str) -> dict[str, dict[str, object]]:
    # A record's version is bookkeeping, never audited (migration 0012).
    columns = [r[1] for r in session.execute(text(f'PRAGMA table_info("{table}")'))
               if r[1] not in NOT_AUDITED_COLUMNS]
    pairs = ", ".join(f"'{c}', \"{c}\"" for c in columns)
    rows = session.execute(text(f'SELECT json_object({pairs}) FROM "{table}"'))
    return {_key(json.loads(raw)): json.loads(raw) for (raw,) in rows}


def _key(values: dict[str, object]) -> str:
    if "id" in values:
        return str(values["id"])
    return json.dumps({k: v for k, v in values.items() if k.endswith("_id")}, sort_keys=True)


def test_replaying_the_log_rebuilds_every_table(
    database: Database, database_path: Path, ctx: Context
) -> None:
    with database.writing() as session:
        a = s.create_organization(session, ctx, name="A株式会社", kind="company").id or 0
        b = s.create_organization(session, ctx, name="B大学", kind="university").id or 0
        staff = s.create_staff(session, ctx, name="佐藤").id or 0
        meeting = s.log_meeting(session, ctx, held_on=date(2023, 6, 1), title="t",
                                organization_ids=[a], staff_ids=[staff]).id or 0
        s.update_meeting(session, ctx, meeting, held_on=date(2023, 6, 2), title="t2",
                         organization_ids=[a, b])
        s.add_contact(session, ctx, organization_id=a, name="鈴木一郎", email="s@example.jp")
        s.archive(session, ctx, Organization, b)
    shell(database_path, f"DELETE FROM meeting WHERE id = {meeting}")  # cascades to its links

    replayed: dict[str, dict[str, dict[str, object]]] = {}
    for entry in entries(database):
        old, new = entry.values(personal=True)
        rows = replayed.setdefault(entry.table_name, {})
        if entry.action == "delete":
            del rows[_key(old)]
        else:
            rows.pop(_key(old), None)
            rows[_key(new)] = new
    with database.reading() as session:
        for table in audit.audited_tables():
            assert replayed.get(table, {}) == _table_rows(session, table), table


@settings(max_examples=200, derandomize=True, deadline=None)
@given(st.lists(st.one_of(st.none(), st.integers(-(2**63), 2**63 - 1), st.text()),
                min_size=1, max_size=8))
def test_the_canonical_text_is_what_sqlite_json_array_writes(values: list[object]) -> None:
    connection = sqlite3.connect(":memory:")
    marks = ", ".join("?" * len(values))
    (expected,) = connection.execute(f"SELECT json_array({marks})", values).fetchone()
    connection.close()
    assert audit.canonical(values) == expected


@pytest.mark.usefixtures("english")
def test_audit_log_shows_a_record_with_its_links_and_hides_personal_data(
    database: Database, database_path: Path, ctx: Context, capsys: pytest.CaptureFixture[str]
) -> None:
    with database.writing() as session:
        org = s.create_organization(session, ctx, name="C株式会社", kind="company").id or 0
        s.add_contact(session, ctx, organization_id=org, name="高橋花子",
                      email="hanako@example.jp", phone="079-000-0000")
    cli = ["--db", str(database_path), "audit", "log", "--table", "contact"]
    code, out = run(cli)
    assert code == 0 and "contact" in out
    assert "高橋" not in out and "hanako" not in out and "***" in out
    code, out = run([*cli, "--personal", "--format", "json"])
    assert code == 0 and json.loads(out)[-1]["new"]["email"] == "hanako@example.jp"

    code, _ = run(["--db", str(database_path), "audit", "log", "--id", "1"])
    assert code == 2 and "--id needs --table" in capsys.readouterr().err


def test_the_guide_s_verification_script_agrees_with_the_program(
    database: Database, database_path: Path, ctx: Context
) -> None:
    guide = (Path(__file__).parents[1] / "docs" / "auditing.md").read_text(encoding="utf-8")
    script = guide.split("By hand, with Python's standard library only:")[1]
    script = script.split("```python\n")[1].split("```")[0]
    namespace: dict[str, object] = {}
    exec(script, namespace)  # noqa: S102 - the documented script, run as an auditor would
    with database.writing() as session:  # rows with personal values, one person erased
        org = s.create_organization(session, ctx, name="検証株式会社", kind="company").id or 0
        erased = s.add_contact(session, ctx, organization_id=org, name="検証 太郎",
                               email="kensho@example.jp").id or 0
        s.add_contact(session, ctx, organization_id=org, name="検証 花子", phone="079-0")
        erase_contact(session, ctx, erased, reason="本人の依頼")
    shell(database_path, "UPDATE kpi SET notes = 'x' WHERE id = 3")  # one unsealed row
    with database.reading() as session:
        report = audit.verify(session)
    assert namespace["verify"](str(database_path)) == (report.head_id, report.head_hash)
    shell(database_path, "DROP TRIGGER audit_log_no_update",
          "UPDATE audit_log SET changed_by = 'nobody' WHERE id = 5")
    with pytest.raises(ValueError, match="broken at row 5"):
        namespace["verify"](str(database_path))
