"""Optimistic concurrency: two staff editing the same record, on SQLite and PostgreSQL alike.

Each staff member has a connection of their own (a Database each); the second save over the
version both started from is refused with who changed it and when, and changes nothing.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import date
from time import monotonic

import pytest
from alembic import command
from sqlalchemy import inspect, text

from crm.audit import chain as audit
from crm.context import Context
from crm.errors import ConflictError
from crm.models import Meeting, Organization
from crm.records import services as s
from crm.records import versions
from db.migrate import alembic_config
from db.session import Database
from db.triggers import trigger_problems
from tests.conftest import BACKEND


@pytest.fixture
def second(database_url: str) -> Iterator[Database]:
    """Another connection to the test's database: a second member of staff."""
    other = Database.open(database_url)
    yield other
    other.dispose()


def _seed(database: Database, ctx: Context) -> tuple[int, int]:
    """(organization id, meeting id) of a company and a meeting with it."""
    with database.writing(actor="setup") as session:
        company = s.create_organization(session, ctx, name="版テスト株式会社", kind="company")
        meeting = s.log_meeting(session, ctx, held_on=date(2023, 5, 1), title="初回",
                                organization_ids=[company.id or 0])
    assert company.id is not None and meeting.id is not None
    return company.id, meeting.id


def _version(database: Database, model: type[Meeting] | type[Organization],
             record_id: int) -> int | None:
    with database.reading() as session:
        return versions.current(session, model, record_id)


def test_every_save_bumps_the_version_and_the_log_leaves_it_out(
    database: Database, ctx: Context
) -> None:
    company, meeting_id = _seed(database, ctx)
    assert _version(database, Meeting, meeting_id) == 1
    with database.writing() as session:
        s.update_meeting(session, ctx, meeting_id, held_on=date(2023, 5, 1), title="二回目",
                         organization_ids=[company], version=1)
    with database.writing() as session:
        s.complete_follow_up(session, ctx, meeting_id, done_on=date(2023, 5, 2))
        s.archive(session, ctx, Meeting, meeting_id)
    assert _version(database, Meeting, meeting_id) == 4
    with database.reading() as session:
        entries = [e for e in audit.history(session, table="meeting", row_id=meeting_id)
                   if e.table_name == "meeting"]
        assert audit.verify(session).ok
    assert [e.action for e in entries] == ["insert", "update", "update", "update"]
    for entry in entries:
        assert "version" not in json.loads(entry.new_values or "{}")


def test_a_save_over_a_version_changed_meanwhile_is_refused_naming_who_and_when(
    database: Database, second: Database, ctx: Context
) -> None:
    company, meeting_id = _seed(database, ctx)
    opened = _version(database, Meeting, meeting_id)  # both open the form at version 1
    assert opened == _version(second, Meeting, meeting_id) == 1
    with second.writing(actor="sato") as session:
        s.update_meeting(session, ctx, meeting_id, held_on=date(2023, 5, 1), title="佐藤の修正",
                         organization_ids=[company], version=opened)
    with pytest.raises(ConflictError) as refused:
        with database.writing(actor="yamada") as session:
            s.update_meeting(session, ctx, meeting_id, held_on=date(2023, 5, 9),
                             title="山田の修正", organization_ids=[company], version=opened)
    with database.reading() as session:
        last = [e for e in audit.history(session, table="meeting", row_id=meeting_id)
                if e.table_name == "meeting"][-1]
        meeting = session.get(Meeting, meeting_id)
        assert meeting is not None and meeting.title == "佐藤の修正"
        assert audit.verify(session).unsealed == 0
    error = refused.value
    assert error.field == versions.FIELD and error.version == 2
    assert "\n" not in error.message and "\n" not in error.ja
    assert f"{last.changed_by} (as sato)" in error.message and last.changed_at in error.message
    assert "version 1, now 2" in error.message
    assert "sato" in error.ja and last.changed_at in error.ja
    with database.writing(actor="yamada") as session:  # after a reload: saved
        s.update_meeting(session, ctx, meeting_id, held_on=date(2023, 5, 9), title="山田の修正",
                         organization_ids=[company], version=error.version)
    assert _version(database, Meeting, meeting_id) == 3


def _waiting_on_a_lock(database: Database) -> bool:
    with database.engine.connect() as connection:
        return bool(connection.execute(text(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE datname = current_database() AND wait_event_type = 'Lock'")).scalar())


def test_of_two_saves_racing_from_one_version_exactly_one_wins(
    database: Database, second: Database, ctx: Context
) -> None:
    organization_id, _meeting = _seed(database, ctx)
    outcome: dict[str, str] = {}

    def save_second() -> None:
        try:
            with second.writing(actor="sato") as session:
                s.update_organization(session, ctx, organization_id, version=1,
                                      website="https://sato.example.jp")
            outcome["sato"] = "saved"
        except ConflictError as exc:
            outcome["sato"] = exc.message

    with database.writing(actor="yamada") as session:
        s.update_organization(session, ctx, organization_id, version=1,
                              website="https://yamada.example.jp")
        racer = threading.Thread(target=save_second)
        racer.start()
        if BACKEND == "postgresql":  # the second save waits on the row's lock
            deadline = monotonic() + 30
            while not _waiting_on_a_lock(database):
                assert monotonic() < deadline, "the second save never waited for the first"
    racer.join(timeout=60)
    assert not racer.is_alive()
    assert "version 1, now 2" in outcome["sato"]
    with database.reading() as session:
        organization = session.get(Organization, organization_id)
        assert organization is not None and organization.website == "https://yamada.example.jp"
        assert organization.version == 2


def test_the_migration_undoes_and_redoes_cleanly(database: Database, ctx: Context) -> None:
    company, meeting_id = _seed(database, ctx)
    config = alembic_config()
    with database.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0011")
        assert "version" not in {c["name"] for c in inspect(connection).get_columns("meeting")}
        command.upgrade(config, "head")
    with database.writing() as session:  # new writes chain on, versions start at 1
        s.update_meeting(session, ctx, meeting_id, held_on=date(2023, 5, 1), title="戻して再適用",
                         organization_ids=[company], version=1)
    with database.reading() as session:
        assert trigger_problems(session) == []
        assert audit.verify(session).ok
        assert versions.current(session, Meeting, meeting_id) == 2
