"""Issue 12's attacks that apply to both backends, made with raw SQL as another tool would."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, text

from crm.context import Context
from crm.records import services as s
from db.maintenance import check
from db.schema_sql import audit as schema_audit
from db.session import Database


@contextmanager
def triggers_off(database: Database) -> Iterator[Connection]:
    """A connection whose changes bypass the audit triggers, which then come back as installed."""
    with database.engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("SET session_replication_role = replica"))
            yield connection
            connection.execute(text("SET session_replication_role = DEFAULT"))
            return
        triggers = {
            statement.split()[2]: statement
            for table, key, columns in schema_audit.audited_tables(connection)
            for statement in schema_audit.sqlite_audit_triggers(table, key, columns)
        }
        for name in triggers:
            connection.exec_driver_sql(f"DROP TRIGGER {name}")
        yield connection
        for statement in triggers.values():
            connection.exec_driver_sql(statement)


def test_the_replay_check_names_edits_made_behind_the_triggers(
    database: Database, ctx: Context
) -> None:
    with database.writing() as session:
        staff = s.create_staff(session, ctx, name="佐藤").id or 0
    assert check(database).problems == []
    with triggers_off(database) as connection:
        connection.execute(text("UPDATE kpi SET target = 1 WHERE id = 2"))
        connection.execute(text("UPDATE staff SET name = '田中' WHERE id = :id"), {"id": staff})
    assert check(database).problems == [
        "kpi 2: target differ(s) from its last audited state (changed without being recorded)",
        f"staff {staff}: name differ(s) from its last audited state (changed without being"
        " recorded)",
    ]
