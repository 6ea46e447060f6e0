"""Erasing a contact's personal data (issue 12 item 5), on SQLite and PostgreSQL: the values
are gone from every table and from the audit log, the chain and anchors hold, links remain."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Connection, inspect, text
from sqlalchemy.exc import DBAPIError

from cli.main import main
from crm.audit import chain as audit
from crm.calendar import FiscalPeriod
from crm.context import Context
from crm.models import Contact, MeetingContact
from crm.records import services as s
from crm.records.erasure import ERASED_NAME
from db.engine import sqlite_path
from db.maintenance import check
from db.session import Database
from reports.publish import publish_report

PERSON = {
    "name": "消去対象太郎", "kana": "しょうきょたいしょうたろう", "department": "秘匿部署XQ",
    "title": "秘匿役職XQ", "email": "taro.erase@example.jp", "phone": "079-555-0147",
    "notes": "私的なメモXQ",
}
NEW_EMAIL = "taro.second@example.jp"
OFFICER = "個人情報担当"


def run(argv: list[str], url: str) -> tuple[int, str]:
    """`crm` on the database at `url` (any backend), as a user would run it."""
    out = io.StringIO()
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CRM_DATABASE_URL", url)
        patch.setenv("CRM_USER", OFFICER)
        return main(argv, out=out), out.getvalue()


def places_holding(connection: Connection, value: str) -> list[str]:
    """Every table.column (any text column of any table) holding `value`, searched in SQL."""
    found = []
    for table in inspect(connection).get_table_names():
        for column in inspect(connection).get_columns(table):
            try:
                if column["type"].python_type is not str:
                    continue
            except NotImplementedError:
                continue
            hits = connection.execute(text(
                f'SELECT count(*) FROM "{table}" WHERE "{column["name"]}" LIKE :v'),
                {"v": f"%{value}%"}).scalar_one()
            if hits:
                found.append(f"{table}.{column['name']}")
    return found


def _person_with_history(database: Database, ctx: Context) -> tuple[int, int]:
    """A contact with every personal field, edited once, who attended a meeting."""
    with database.writing() as session:
        org = s.create_organization(session, ctx, name="消去テスト株式会社", kind="company").id
        assert org is not None
        contact = s.add_contact(session, ctx, organization_id=org, **PERSON).id
        assert contact is not None
        meeting = s.log_meeting(session, ctx, held_on=date(2023, 6, 1), title="意見交換",
                                organization_ids=[org], contact_ids=[contact]).id
        assert meeting is not None
    with database.writing() as session:
        person = s.get(session, Contact, contact)
        person.email = NEW_EMAIL
        session.add(person)
    return contact, meeting


def test_erasing_a_contact_removes_its_values_everywhere_and_the_chain_holds(
    database: Database, ctx: Context, tmp_path: Path
) -> None:
    contact, meeting = _person_with_history(database, ctx)
    publish_report(database, ctx, period=FiscalPeriod(2023, 1), lang="ja", directory=tmp_path,
                   issue=True)  # an anchor stored before the erasure
    values = [*PERSON.values(), NEW_EMAIL]
    with database.engine.connect() as connection:
        for value in values:  # the search finds them before …
            assert places_holding(connection, value), value
        assert "audit_log.new_values" not in places_holding(connection, PERSON["email"])

    code, out = run(["--lang", "en", "contacts", "erase", str(contact), "--reason",
                     "本人からの削除依頼 2024-05-01"], database.url)
    assert code == 0
    assert out == (f"erased the personal data of contact {contact} (name, kana, department,"
                   " title, e-mail, phone, notes); 28 value(s) erased from the audit log, the"
                   " hash chain is unchanged\n")

    with database.engine.connect() as connection:
        for value in values:  # … and nowhere after
            assert places_holding(connection, value) == [], value
        row = connection.execute(text(
            "SELECT name, kana, email, phone, notes FROM contact WHERE id = :id"),
            {"id": contact}).one()
        erasure = connection.execute(text(
            "SELECT contact_id, reason, values_erased, erased_by FROM contact_erasure")).one()
    assert tuple(row) == (ERASED_NAME, None, None, None, None)
    assert tuple(erasure) == (contact, "本人からの削除依頼 2024-05-01", 28, OFFICER)
    assert run(["audit", "verify"], database.url)[0] == 0  # the chain and the stored anchor
    assert check(database).problems == []
    with database.reading() as session:
        assert session.get(MeetingContact, (meeting, contact)) is not None
        shown = [e.values(personal=True) for e in audit.history(session, table="contact")]
        (recorded,) = audit.history(session, table="contact_erasure")
    assert shown[0][1]["email"] == audit.ERASED and shown[-1][1]["name"] == ERASED_NAME
    assert recorded.claimed_by == OFFICER and "reason" in (recorded.new_values or "")

    path = sqlite_path(database.url)
    if path is not None:  # not even in the file's bytes (VACUUM, WAL emptied)
        database.dispose()
        stored = b"".join(p.read_bytes() for p in path.parent.glob(f"{path.name}*"))
        for value in values:
            assert value.encode() not in stored, value


@pytest.mark.parametrize(("argv", "message"), [
    (["contacts", "erase", "{contact}"], "crm: 消去には理由が必要です\n"),
    (["contacts", "erase", "{contact}", "--reason", "  "], "crm: 消去には理由が必要です\n"),
    (["contacts", "erase", "999", "--reason", "依頼"],
     "crm: 連絡先（contact）id 999 は存在しません\n"),
    (["--read-only", "contacts", "erase", "{contact}", "--reason", "依頼"],
     'crm: --read-only: このコマンドはデータベースを変更するため、何もしませんでした\n'),
])
def test_an_erasure_mistake_is_one_line_and_changes_nothing(
    database: Database, ctx: Context, capsys: pytest.CaptureFixture[str], argv: list[str],
    message: str,
) -> None:
    contact, _meeting = _person_with_history(database, ctx)
    with database.engine.connect() as connection:
        count = "SELECT count(*) FROM audit_log"
        before = connection.execute(text(count)).scalar_one()
    capsys.readouterr()
    code, out = run([a.format(contact=contact) for a in argv], database.url)
    assert (code, out, capsys.readouterr().err) == (1, "", message)
    with database.engine.connect() as connection:
        assert connection.execute(text(count)).scalar_one() == before
        assert places_holding(connection, PERSON["phone"])


def test_erasing_twice_is_refused(database: Database, ctx: Context,
                                  capsys: pytest.CaptureFixture[str]) -> None:
    contact, _meeting = _person_with_history(database, ctx)
    assert run(["contacts", "erase", str(contact), "--reason", "依頼"], database.url)[0] == 0
    capsys.readouterr()
    assert run(["contacts", "erase", str(contact), "--reason", "依頼"], database.url)[0] == 1
    assert capsys.readouterr().err == f"crm: 連絡先 {contact} は消去済みです\n"


def test_kept_values_cannot_be_deleted_or_changed_only_erased(
    database: Database, ctx: Context
) -> None:
    _person_with_history(database, ctx)
    for statement in ("DELETE FROM audit_personal_value",
                      "UPDATE audit_personal_value SET value = 'someone else'",
                      "UPDATE audit_personal_value SET digest = NULL, value = NULL"):
        with pytest.raises(DBAPIError, match="audit_personal_value"):
            with database.engine.begin() as connection:
                connection.execute(text(statement))
    assert check(database).problems == []


def test_a_value_rewritten_behind_the_guards_is_named(database: Database, ctx: Context) -> None:
    contact, _meeting = _person_with_history(database, ctx)
    with database.engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("SET session_replication_role = replica"))
        else:
            connection.execute(text("DROP TRIGGER audit_personal_value_no_update"))
        audit_id = connection.execute(text(
            "SELECT max(audit_id) FROM audit_personal_value WHERE column_name = 'phone'")
        ).scalar_one()
        connection.execute(text(
            "UPDATE audit_personal_value SET value = '000' WHERE audit_id = :id"
            " AND side = 'new' AND column_name = 'phone'"), {"id": audit_id})
    with database.reading() as session:
        report = audit.verify(session)
    assert report.problems() == [
        f"audit chain broken at row {audit_id}: personal value new phone no longer matches its"
        " sealed digest (rewritten)"]
    assert any(f"contact {contact}: phone differ" in p for p in check(database).problems)


def test_a_value_erased_outside_the_program_is_named(database: Database, ctx: Context) -> None:
    _person_with_history(database, ctx)
    with database.engine.begin() as connection:  # allowed by the guards, but not recorded
        audit_id = connection.execute(text(
            "SELECT min(audit_id) FROM audit_personal_value WHERE column_name = 'notes'")
        ).scalar_one()
        connection.execute(text(
            "UPDATE audit_personal_value SET value = NULL, salt = NULL WHERE audit_id = :id"
            " AND column_name = 'notes'"), {"id": audit_id})
    with database.reading() as session:
        assert audit.verify(session).problems() == [
            f"audit chain broken at row {audit_id}: personal value new notes was erased"
            " without a recorded erasure"]
