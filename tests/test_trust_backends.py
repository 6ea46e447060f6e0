"""Issue 12's attacks that apply to both backends, made with raw SQL as another tool would."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from cli.main import main
from crm.audit import chain as audit
from crm.calendar import FiscalPeriod
from crm.context import Context
from crm.records import services as s
from crm.reporting.issued import history
from db.engine import make_engine, sqlite_url
from db.maintenance import check
from db.migrate import alembic_config, head_revision, upgrade
from db.schema_sql import audit as schema_audit
from db.schema_sql import installed, trust
from db.session import Database
from reports.publish import publish_report
from tests.conftest import BACKEND


def run(argv: list[str], url: str) -> tuple[int, str]:
    """`crm` on the database at `url` (any backend), as a user would run it."""
    out = io.StringIO()
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CRM_DATABASE_URL", url)
        return main(argv, out=out), out.getvalue()


@contextmanager
def triggers_off(database: Database) -> Iterator[Connection]:
    """A connection whose changes bypass the audit triggers, which then come back as installed."""
    with database.engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("SET session_replication_role = replica"))
            yield connection
            connection.execute(text("SET session_replication_role = DEFAULT"))
            return
        names = {
            statement.split()[2]
            for table, key, columns in schema_audit.audited_tables(connection)
            for statement in trust.sqlite_audit_triggers(table, key, columns)
        }
        triggers = {name: trigger.sql for name, trigger in
                    installed.sqlite_triggers(connection).items() if name in names}
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
    with pytest.raises(DBAPIError, match="append-only|frozen|start at 1|audit triggers only"):
        with database.engine.begin() as connection:
            connection.exec_driver_sql(statement)
    with database.engine.connect() as connection:
        assert connection.exec_driver_sql(
            "SELECT count(*), max(id) FROM audit_log").one() == before
    assert check(database).problems == []


def _rechain_after_rewriting(database: Database, row: int) -> None:
    """The issue's attack: rewrite a sealed row, then recompute every hash from it on."""
    with database.reading() as session:
        entries = audit.history(session, limit=1_000_000)
    with database.engine.begin() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            connection.exec_driver_sql("DROP TRIGGER audit_log_no_update")
        else:
            connection.exec_driver_sql("SET session_replication_role = replica")
        previous = audit.GENESIS
        for entry in entries:
            if entry.id == row:
                entry = replace(entry, changed_by="mallory")
            previous = audit.chain_hash(previous, entry.canonical())
            connection.execute(text("UPDATE audit_log SET changed_by = :by, chain_hash = :hash"
                                    " WHERE id = :id"),
                               {"by": entry.changed_by, "hash": previous, "id": entry.id})
        if sqlite:
            connection.exec_driver_sql(trust.SQLITE_GUARD_UPDATE)
        else:
            connection.exec_driver_sql("SET session_replication_role = DEFAULT")


@pytest.mark.usefixtures("english")
def test_a_rechained_history_fails_at_every_anchor(
    database: Database, ctx: Context, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with database.writing() as session:
        s.create_staff(session, ctx, name="佐藤")
    publish_report(database, ctx, period=FiscalPeriod(2022, 3), lang="ja",
                   directory=tmp_path, issue=True)
    with database.reading() as session:
        (report,) = history(session)
        head = audit.chain_head(session)
    assert report.audit_head_id is not None and report.audit_head_hash is not None
    kept = f"{head.id}:{head.hash}"
    url = database.url
    assert run(["audit", "head"], url) == (0, kept + "\n")
    assert run(["audit", "verify", "--anchor", kept], url)[0] == 0
    code, out = run(["report", "history"], url)
    assert code == 0 and f"{report.audit_head_id}:{report.audit_head_hash}" in out

    _rechain_after_rewriting(database, row=2)
    assert check(database).trigger_problems == []  # the triggers are as installed
    code, _ = run(["audit", "verify"], url)
    err = capsys.readouterr().err
    assert code == 1 and err.count("\n") == 1
    assert err.startswith(f"crm: audit chain broken at row {report.audit_head_id}: issued"
                          f" report #{report.id} anchored hash {report.audit_head_hash}")
    code, _ = run(["audit", "verify", "--anchor", kept], url)
    err = capsys.readouterr().err
    assert code == 1 and err.count("\n") == 2 and f"anchor {kept} anchored hash" in err


@pytest.mark.usefixtures("english")
def test_an_anchor_must_be_id_colon_hash(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["audit", "verify", "--anchor", "12:" + "g" * 64], out=io.StringIO())
    assert stopped.value.code == 2
    assert "is not an anchor like 1234:<64 hex digits>" in capsys.readouterr().err


@pytest.fixture
def previous_revision_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database migrated to the revision before the newest, on the backend tested."""
    script = ScriptDirectory.from_config(alembic_config())
    previous = script.get_revision(head_revision()).down_revision
    assert isinstance(previous, str)
    if BACKEND == "sqlite":
        url = sqlite_url(tmp_path / "old.sqlite3")
    else:
        admin_url = request.getfixturevalue("postgres_template")
        admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.exec_driver_sql("CREATE DATABASE crm_before_upgrade")
        url = make_url(admin_url).set(database="crm_before_upgrade").render_as_string(
            hide_password=False)
    engine = make_engine(url)
    upgrade(engine, previous)
    engine.dispose()
    yield url
    if BACKEND != "sqlite":
        with admin.connect() as connection:
            connection.exec_driver_sql("DROP DATABASE crm_before_upgrade WITH (FORCE)")
        admin.dispose()


def _as_the_old_program(connection: Connection, actor: str, *statements: str) -> None:
    """Changes made as the program did before this migration: actor set, rows sealed."""
    connection.execute(text("UPDATE audit_actor SET actor = :actor WHERE id = 1"),
                       {"actor": actor})
    for statement in statements:
        connection.exec_driver_sql(statement)
    connection.execute(text("UPDATE audit_actor SET actor = NULL WHERE id = 1"))
    previous = connection.execute(text(
        "SELECT chain_hash FROM audit_log WHERE chain_hash IS NOT NULL ORDER BY id DESC LIMIT 1"
    )).scalar() or audit.GENESIS
    for row in connection.execute(text(
        "SELECT id, table_name, row_id, action, old_values, new_values, changed_at,"
        " changed_by FROM audit_log WHERE chain_hash IS NULL ORDER BY id")).all():
        previous = audit.chain_hash(previous, audit.canonical(tuple(row)))
        connection.execute(text("UPDATE audit_log SET chain_hash = :h WHERE id = :id"),
                           {"h": previous, "id": row[0]})


def test_an_existing_database_upgrades_without_losing_a_row_of_history(
    previous_revision_url: str, ctx: Context
) -> None:
    url = previous_revision_url
    engine = make_engine(url)
    with engine.begin() as connection:
        _as_the_old_program(
            connection, "yamada",
            "INSERT INTO staff (created_at, created_by, updated_at, updated_by, name, active)"
            " VALUES ('2023-01-01 00:00:00', 'yamada', '2023-01-01 00:00:00', 'yamada', '佐藤',"
            " true)",
            _REPORT_ROW.format(id=1),
        )
        _as_the_old_program(connection, "suzuki", "UPDATE staff SET name = '佐藤 一郎'")
    with engine.begin() as connection:  # another tool: recorded, left unsealed
        connection.exec_driver_sql("UPDATE staff SET section = '情報政策課'")
    content = "id, table_name, row_id, action, old_values, new_values, changed_at, changed_by"
    with engine.connect() as connection:
        before = connection.exec_driver_sql(
            f"SELECT {content}, chain_hash FROM audit_log ORDER BY id").all()
    engine.dispose()
    assert len(before) > 3 and before[-1][-1] is None

    assert run(["db", "upgrade"], url)[0] == 0
    database = Database.open(url)
    with database.engine.connect() as connection:
        after = connection.exec_driver_sql(
            f"SELECT {content}, chain_hash FROM audit_log ORDER BY id").all()
    assert [row[:-1] for row in after] == [row[:-1] for row in before]
    assert [row[-1] for row in after][:-1] == [row[-1] for row in before][:-1]
    assert run(["audit", "verify"], url)[0] == 0 and check(database).problems == []

    with database.writing(actor="tanaka") as session:
        s.create_staff(session, ctx, name="田中")
        latest = audit.history(session, limit=1)[0]
    assert latest.claimed_by == "tanaka"
    assert check(database).problems == []
    database.dispose()


def test_a_forged_audit_row_is_refused_or_named(database: Database, ctx: Context) -> None:
    """A row claiming, with another author and a back-dated time, that kpi 2 changed."""
    with database.reading() as session:
        claimed = audit.history(session, table="kpi", row_id=2)[-1].new_values or "{}"
    forged = json.dumps({**json.loads(claimed), "target": 1})
    statement = text(
        "INSERT INTO audit_log (table_name, row_id, action, old_values, new_values, changed_at,"
        " changed_by) VALUES ('kpi', 2, 'update', :old, :new, '2019-04-01T00:00:00.000Z',"
        " 'yamada')")
    values = {"old": claimed, "new": forged}
    if database.engine.dialect.name == "postgresql":
        with pytest.raises(DBAPIError, match="written by the audit triggers only"):
            with database.engine.begin() as connection:
                connection.execute(statement, values)
        assert check(database).problems == []
        return
    with database.engine.begin() as connection:
        connection.execute(statement, values)
    with database.writing() as session:  # sealed like any row from another tool …
        s.create_staff(session, ctx, name="佐藤")
    assert check(database).problems == [  # … and named: the table does not say so
        "kpi 2: target differ(s) from its last audited state (changed without being recorded)"
    ]
