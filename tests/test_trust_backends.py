"""Issue 12's attacks that apply to both backends, made with raw SQL as another tool would."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import Connection, text
from sqlalchemy.exc import DBAPIError

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


def _sqlite_or_pg(database: Database, sqlite: list[str], postgresql: list[str]) -> None:
    with database.engine.begin() as connection:
        for statement in sqlite if connection.dialect.name == "sqlite" else postgresql:
            connection.exec_driver_sql(statement)


def test_a_same_named_trigger_that_never_fires_is_named(database: Database) -> None:
    _sqlite_or_pg(database, [
        "DROP TRIGGER audit_kpi_update",
        "CREATE TRIGGER audit_kpi_update AFTER UPDATE ON kpi WHEN 0 BEGIN SELECT 1; END",
        "DROP TRIGGER audit_log_no_delete",
        "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log WHEN 0"
        " BEGIN SELECT RAISE(ABORT, 'audit_log is append-only: rows cannot be deleted'); END",
        "CREATE TRIGGER sneaky AFTER INSERT ON staff BEGIN SELECT 1; END",
    ], [
        "DROP TRIGGER audit_kpi ON kpi",
        "CREATE TRIGGER audit_kpi AFTER INSERT OR UPDATE OR DELETE ON kpi FOR EACH ROW"
        " WHEN (false) EXECUTE FUNCTION audit_record('id')",
        "ALTER TABLE audit_log ENABLE REPLICA TRIGGER audit_log_no_delete",
        "CREATE FUNCTION sneaky() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NULL;"
        " END$$",
        "CREATE TRIGGER sneaky AFTER INSERT ON staff FOR EACH ROW EXECUTE FUNCTION sneaky()",
    ])
    found = check(database).problems
    assert any(p.startswith(("trigger audit_kpi_update on kpi is not the SQL the program"
                             " installs (altered; it does not record id,",
                             "trigger audit_kpi on kpi is not the SQL the program installs"
                             " (altered)")) for p in found), found
    assert any(p.startswith("trigger audit_log_no_delete") for p in found)
    assert "trigger sneaky on staff is not one the program installs" in found


def test_a_trigger_function_that_records_nothing_is_named(database: Database) -> None:
    _sqlite_or_pg(database, [
        "DROP TRIGGER audit_meeting_insert",
        "CREATE TRIGGER audit_meeting_insert AFTER INSERT ON meeting BEGIN SELECT 1; END",
    ], [
        "CREATE OR REPLACE FUNCTION audit_record() RETURNS trigger LANGUAGE plpgsql AS"
        " $$BEGIN RETURN NULL; END$$",
    ])
    found = check(database).problems
    assert found in (
        ["function audit_record() is not the SQL the program installs (altered)"],
        ["trigger audit_meeting_insert on meeting is not the SQL the program installs"
         f" (altered; it does not record {', '.join(_meeting_columns(database))})"],
    )


def _meeting_columns(database: Database) -> list[str]:
    with database.engine.connect() as connection:
        return [c for t, _key, columns in schema_audit.audited_tables(connection)
                if t == "meeting" for c in columns]


_LOG_ROW = ("INSERT INTO audit_log (id, table_name, row_id, action, changed_at, changed_by)"
            " VALUES ({id}, 'kpi', 1, 'update', '2020-01-01T00:00:00.000Z', 'mallory')")
_REPORT_ROW = ("INSERT INTO issued_report (id, fiscal_year, quarter, lang, generated_at,"
               " issued_at, issued_by, fingerprint, pdf_sha256, figures_json) VALUES"
               " ({id}, 2022, 1, 'ja', '2023-07-01 00:00:00', '2023-07-01 00:00:00', 'mallory',"
               " 'f', 'p', '{{}}')")


@pytest.mark.parametrize(("sqlite", "postgresql"), [
    (_LOG_ROW.replace("INSERT", "INSERT OR REPLACE").format(id=5), None),
    (_LOG_ROW.replace("INSERT", "REPLACE").format(id="(SELECT max(id) FROM audit_log)"), None),
    *[(upsert, upsert) for upsert in (
        _LOG_ROW.format(id=5) + " ON CONFLICT (id) DO UPDATE SET changed_by = 'mallory'",
        _LOG_ROW.format(id="(SELECT max(id) FROM audit_log)")
        + " ON CONFLICT (id) DO UPDATE SET chain_hash = NULL",
    )],
    (_LOG_ROW.format(id=0), _LOG_ROW.format(id=0)),
    (_LOG_ROW.format(id=-1), _LOG_ROW.format(id=-1)),
    (_LOG_ROW.format(id=3), _LOG_ROW.format(id=3)),
    (_REPORT_ROW.replace("INSERT", "INSERT OR REPLACE").format(id=1), None),
    (_REPORT_ROW.format(id=1) + " ON CONFLICT (id) DO UPDATE SET issued_by = 'mallory'",
     _REPORT_ROW.format(id=1) + " ON CONFLICT (id) DO UPDATE SET issued_by = 'mallory'"),
    (_REPORT_ROW.format(id=0), _REPORT_ROW.format(id=0)),
], ids=["log-or-replace", "log-replace-head", "log-upsert", "log-upsert-unseal", "log-id-0",
        "log-id-minus-1", "log-id-reuse", "report-or-replace", "report-upsert", "report-id-0"])
def test_replace_upsert_and_id_reuse_are_refused(
    database: Database, sqlite: str, postgresql: str | None
) -> None:
    with database.engine.begin() as connection:
        connection.exec_driver_sql(_REPORT_ROW.format(id=1))  # an issued report to attack
    statement = sqlite if database.engine.dialect.name == "sqlite" else postgresql
    if statement is None:
        pytest.skip("REPLACE is SQLite's")
    with database.engine.connect() as connection:
        before = connection.exec_driver_sql(
            "SELECT count(*), max(id) FROM audit_log").one()
    with pytest.raises(DBAPIError, match="append-only|frozen|start at 1"):
        with database.engine.begin() as connection:
            connection.exec_driver_sql(statement)
    with database.engine.connect() as connection:
        assert connection.exec_driver_sql(
            "SELECT count(*), max(id) FROM audit_log").one() == before
    assert check(database).problems == []
