"""The search documents on PostgreSQL from migration 0016: the triggers note the records,
and each noted record's document is written once, at commit (db/schema_sql/search_deferred.py).
"""

from __future__ import annotations

from datetime import date

import pytest
from alembic import command
from sqlalchemy import text
from sqlmodel import Session

from crm.context import Context
from crm.records import services
from db.migrate import alembic_config
from db.schema_sql import search, search_deferred, search_short
from db.session import Database
from db.triggers import trigger_problems
from tests.conftest import BACKEND

pytestmark = pytest.mark.skipif(BACKEND != "postgresql",
                                reason="SQLite writes the documents at once (search_short.py)")


def _named(database: Database, ctx: Context) -> tuple[int, int, int]:
    with database.writing() as s:
        university = services.create_organization(s, ctx, name="神戸大学", kind="university",
                                                  kana="こうべだいがく")
        tokiwa = services.create_organization(s, ctx, name="ときわ電機", kind="company")
        yamada = services.create_staff(s, ctx, name="山田 太郎", kana="やまだ たろう")
        assert university.id and tokiwa.id and yamada.id
        return university.id, tokiwa.id, yamada.id


def _document(session: Session, meeting_id: int) -> str | None:
    return session.execute(text("SELECT doc FROM search_meeting WHERE id = :id"),
                           {"id": meeting_id}).scalar_one_or_none()


def _rebuilt(session: Session, meeting_id: int) -> str:
    """The document as a rebuild by hand (docs/schema.md) computes it."""
    fill = search_short.fill(search.INDEXED[0], "postgresql")
    select = fill.split(" (id, doc) ", 1)[1]
    return str(session.execute(text(f"SELECT doc FROM ({select}) d(id, doc) WHERE id = :id"),
                               {"id": meeting_id}).scalar_one())


def test_a_meeting_and_its_links_write_its_document_once(database: Database,
                                                         ctx: Context) -> None:
    university, tokiwa, yamada = _named(database, ctx)
    with database.writing() as s:
        meeting = services.log_meeting(s, ctx, held_on=date(2023, 6, 1), title="防災の相談",
                                       organization_ids=[university, tokiwa],
                                       staff_ids=[yamada])
        assert meeting.id is not None
        s.flush()
        # Noted, not yet written: the meeting and each of its three link rows noted it once.
        assert _document(s, meeting.id) is None
        assert s.execute(text("SELECT id FROM search_meeting_pending")).scalars().all() == [
            meeting.id]
        s.execute(text("SET CONSTRAINTS ALL IMMEDIATE"))  # what COMMIT does
        written = s.execute(text(
            "SELECT n_tup_ins, n_tup_upd, n_tup_del FROM pg_stat_xact_user_tables"
            " WHERE relname = 'search_meeting'")).one()
        assert tuple(written) == (1, 0, 0)
        assert s.execute(text("SELECT count(*) FROM search_meeting_pending")).scalar_one() == 0
    with database.reading() as s:
        document = _document(s, meeting.id)
        assert document == _rebuilt(s, meeting.id)
        assert "防災の相談" in document and "ときわ電機" in document and "やまだ たろう" in document


def test_a_changed_name_rewrites_its_meetings_documents(database: Database,
                                                       ctx: Context) -> None:
    university, _tokiwa, _yamada = _named(database, ctx)
    with database.writing() as s:
        meeting = services.log_meeting(s, ctx, held_on=date(2023, 6, 1), title="定例",
                                       organization_ids=[university])
        assert meeting.id is not None
    with database.reading() as s:
        before = s.execute(text("SELECT xmin::text, doc FROM search_meeting WHERE id = :id"),
                           {"id": meeting.id}).one()
    with database.writing() as s:
        s.execute(text("UPDATE organization SET name = '神戸大学附属' WHERE id = :o"),
                  {"o": university})
    with database.reading() as s:
        after = s.execute(text("SELECT xmin::text, doc FROM search_meeting WHERE id = :id"),
                          {"id": meeting.id}).one()
        assert s.execute(text("SELECT count(*) FROM search_meeting_pending")).scalar_one() == 0
    assert after.doc == before.doc.replace("神戸大学", "神戸大学附属", 1)
    assert after.xmin != before.xmin


def test_a_link_added_and_taken_off_leaves_the_document_unwritten(database: Database,
                                                     ctx: Context) -> None:
    university, tokiwa, _yamada = _named(database, ctx)
    with database.writing() as s:
        meeting = services.log_meeting(s, ctx, held_on=date(2023, 6, 1), title="定例",
                                       organization_ids=[university])
    with database.reading() as s:
        before = s.execute(text("SELECT xmin::text FROM search_meeting WHERE id = :id"),
                           {"id": meeting.id}).scalar_one()
    with database.writing() as s:
        s.execute(text("INSERT INTO meeting_organization VALUES (:m, :o)"),
                  {"m": meeting.id, "o": tokiwa})
        s.execute(text("DELETE FROM meeting_organization WHERE meeting_id = :m"
                       " AND organization_id = :o"), {"m": meeting.id, "o": tokiwa})
    with database.reading() as s:
        assert s.execute(text("SELECT xmin::text FROM search_meeting WHERE id = :id"),
                         {"id": meeting.id}).scalar_one() == before


def test_a_record_deleted_after_it_was_noted_leaves_no_document(database: Database,
                                                                ctx: Context) -> None:
    university, _tokiwa, _yamada = _named(database, ctx)
    with database.writing() as s:
        meeting = services.log_meeting(s, ctx, held_on=date(2023, 6, 1), title="取り消し",
                                       organization_ids=[university])
        s.flush()
        s.execute(text("DELETE FROM meeting_organization WHERE meeting_id = :m"),
                  {"m": meeting.id})
        s.execute(text("DELETE FROM meeting WHERE id = :m"), {"m": meeting.id})
    with database.reading() as s:
        assert _document(s, meeting.id or 0) is None


def test_db_check_names_an_altered_or_missing_flush(database: Database) -> None:
    with database.writing() as session:
        assert trigger_problems(session) == []
        session.execute(text("DROP TRIGGER search_agreement_flush ON search_agreement_pending"))
        flush = search_deferred.pg_functions()["search_meeting_flush"]
        session.execute(text(flush.replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION")
                             .replace("DO UPDATE SET doc = EXCLUDED.doc WHERE", "DO UPDATE"
                                      " SET doc = EXCLUDED.doc || 'x' WHERE")))
        assert trigger_problems(session) == [
            "function search_meeting_flush() is not the SQL the program installs (altered)",
            "trigger search_agreement_flush is missing: search_agreement_pending is not"
            " protected",
        ]


def test_the_migration_undoes_and_redoes_cleanly(database: Database, ctx: Context) -> None:
    university, _tokiwa, _yamada = _named(database, ctx)
    config = alembic_config()
    with database.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0015")
        tables = set(connection.execute(text(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")).scalars())
        assert not {search_deferred.pending(i) for i in search.INDEXED} & tables
    with database.writing() as s:  # 0015's triggers: the document is there at once
        meeting = services.log_meeting(s, ctx, held_on=date(2023, 6, 1), title="戻した後",
                                       organization_ids=[university])
        s.flush()
        assert "戻した後" in (_document(s, meeting.id or 0) or "")
    with database.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
    with database.reading() as s:
        assert trigger_problems(s) == []
        assert _document(s, meeting.id or 0) == _rebuilt(s, meeting.id or 0)
