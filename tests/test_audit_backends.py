"""The audit trail's promises, checked on whichever backend the suite runs on.

tests/test_audit.py goes deeper on SQLite (raw sqlite3 edits, replay); this file is the
part that must hold on PostgreSQL too (migration 0005's twin of the SQLite triggers).
"""

from __future__ import annotations

import json
from datetime import date

import pytest
import sqlalchemy as sa
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from crm.audit import chain as audit
from crm.context import Context, os_login
from crm.models import Organization
from crm.records import services as s
from db.session import Database
from db.triggers import trigger_problems
from tests.conftest import BACKEND


def _login(database: Database) -> str:
    """Who the database knows: PostgreSQL's session_user, else the OS login (not CRM_USER)."""
    if BACKEND == "sqlite":
        return os_login()
    with database.engine.connect() as connection:
        return str(connection.execute(text("SELECT session_user")).scalar_one())


def test_every_change_is_recorded_with_who_and_what(database: Database, ctx: Context) -> None:
    with database.writing(actor="yamada") as session:
        company = s.create_organization(session, ctx, name="監査テスト株式会社", kind="company")
        s.log_meeting(session, ctx, held_on=date(2022, 5, 1), title="初回",
                      organization_ids=[company.id or 0])
    with database.writing(actor="suzuki") as session:
        s.update_organization(session, ctx, company.id or 0, website="https://example.jp")
        s.archive(session, ctx, Organization, company.id or 0)
    with database.reading() as session:
        entries = audit.history(session, table="organization", row_id=company.id)
        meeting_links = audit.history(session, table="meeting_organization")
        problems = trigger_problems(session)
        report = audit.verify(session)
    login = _login(database)
    assert [(e.action, e.changed_by, e.claimed_by) for e in entries] == [
        ("insert", login, "yamada"), ("update", login, "suzuki"), ("update", login, "suzuki")
    ]
    assert json.loads(entries[0].new_values or "{}")["name"] == "監査テスト株式会社"
    changed = json.loads(entries[1].new_values or "{}")
    assert changed["website"] == "https://example.jp"
    assert json.loads(entries[1].old_values or "{}")["website"] is None
    assert entries[0].changed_at.endswith("Z") and len(entries[0].changed_at) == 24
    assert [e.action for e in meeting_links] == ["insert"]
    assert problems == []
    assert report.ok and report.unsealed == 0 and report.verified > 0


def test_a_change_made_outside_the_program_is_recorded_and_sealed_later(
    database: Database, ctx: Context
) -> None:
    with database.engine.begin() as connection:  # like psql or the sqlite3 shell
        connection.execute(text("UPDATE kpi SET target = 70 WHERE code = 'companies_consulted'"))
    with database.reading() as session:
        outside = audit.history(session, table="kpi")[-1]
        who = "sql" if BACKEND == "sqlite" else _login(database)
        assert (outside.changed_by, outside.claimed_by, outside.chain_hash) == (who, None, None)
        assert audit.verify(session).unsealed == 1
    with database.writing() as session:
        s.create_staff(session, ctx, name="山田 太郎")
    with database.reading() as session:
        report = audit.verify(session)
    assert report.ok and report.unsealed == 0


@pytest.mark.parametrize(
    "statement",
    [
        "DELETE FROM audit_log",
        "UPDATE audit_log SET changed_by = 'someone else'",
        "UPDATE audit_log SET chain_hash = NULL",
        "INSERT INTO audit_log (table_name, row_id, action, changed_at, changed_by, chain_hash)"
        " VALUES ('kpi', 1, 'insert', '2023-01-01T00:00:00.000Z', 'x', '" + "0" * 64 + "')",
    ],
    ids=["delete", "rewrite", "unseal", "sealed-insert"],
)
def test_the_log_refuses_to_be_rewritten(database: Database, statement: str) -> None:
    with pytest.raises(DBAPIError, match="audit_log"):
        with database.engine.begin() as connection:
            connection.execute(text(statement))


@pytest.mark.skipif(BACKEND != "postgresql", reason="SQLite tampering: tests/test_audit.py")
def test_verify_names_a_row_rewritten_behind_the_guards(database: Database) -> None:
    with database.engine.begin() as connection:
        connection.execute(text("ALTER TABLE audit_log DISABLE TRIGGER USER"))
        connection.execute(text(
            "UPDATE audit_log SET changed_by = 'forged'"
            " WHERE id = (SELECT min(id) + 3 FROM audit_log)"
        ))
        connection.execute(text("ALTER TABLE audit_log ENABLE TRIGGER USER"))
        first = connection.execute(text("SELECT min(id) + 3 FROM audit_log")).scalar()
    with database.reading() as session:
        report = audit.verify(session)
    assert [b.row_id for b in report.breaks] == [first]
    assert f"row {first}" in report.problems()[0]


def test_sealing_is_in_order_row_by_row_and_a_batch_at_a_time(database: Database) -> None:
    with database.engine.begin() as connection:  # three unsealed rows, as psql leaves them
        for number in (1, 2, 3):
            connection.execute(text("UPDATE kpi SET notes = :n WHERE id = :n"), {"n": number})
    with database.reading() as session:
        first, second, third = (e.id for e in audit.history(session, table="kpi")[-3:])
    seal = "UPDATE audit_log SET chain_hash = :hash WHERE id IN :ids"
    out_of_order = [(second,), (second, third)]
    for ids in out_of_order:
        with pytest.raises(DBAPIError, match="in order"):
            with database.engine.begin() as connection:
                connection.execute(text(seal).bindparams(sa.bindparam("ids", expanding=True)),
                                   {"hash": "f" * 64, "ids": list(ids)})
    with database.engine.begin() as connection:
        connection.execute(text(seal).bindparams(sa.bindparam("ids", expanding=True)),
                           {"hash": "f" * 64, "ids": [first, second]})
        connection.execute(text(seal).bindparams(sa.bindparam("ids", expanding=True)),
                           {"hash": "e" * 64, "ids": [third]})
    with pytest.raises(DBAPIError, match="append-only"):
        with database.engine.begin() as connection:
            connection.execute(text(seal).bindparams(sa.bindparam("ids", expanding=True)),
                               {"hash": "d" * 64, "ids": [third]})
