"""Migrations and models never drift; the database file is private and configured safely."""

from __future__ import annotations

import importlib
import stat
import subprocess
import sys
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text
from sqlmodel import SQLModel

import crm.models  # noqa: F401  (registers the tables)
from crm.context import Context
from crm.kpi import rules
from db.engine import sqlite_url
from db.migrate import current_revision, head_revision, upgrade
from db.schema_sql import search
from db.session import Database, create_database

SCHEMA_SQL = Path(__file__).parent.parent / "db" / "schema_sql"
# The schema migrations 0001–0005 build on SQLite (sqlite_master), as written by them when
# they were released: history that a refactoring of their code must leave as it is.
SQLITE_0005 = Path(__file__).parent / "schema_history" / "sqlite_0005.txt"


def test_migrations_and_models_do_not_drift(database: Database) -> None:
    with database.engine.connect() as connection:
        diff = compare_metadata(
            MigrationContext.configure(connection, opts={"compare_type": True,
                                          "include_object": search.include_object}),
            SQLModel.metadata,
        )
    assert diff == []


def test_a_new_database_is_at_head_with_views_and_the_shipped_kpis(database: Database) -> None:
    assert current_revision(database.engine) == head_revision()
    inspector = inspect(database.engine)
    assert {"kpi_evidence", "kpi_counted_record"} <= set(inspector.get_view_names())
    with database.reading() as session:
        codes = session.scalars(text("SELECT code FROM kpi ORDER BY sort_order")).all()
    assert len(codes) == 19
    assert codes[0] == "data_disclosure_review" and codes[-1] == "outreach_out_of_city"


def test_every_date_and_join_the_kpi_queries_use_is_indexed(database: Database) -> None:
    inspector = inspect(database.engine)
    indexed = {
        (table, tuple(index["column_names"]))
        for table in inspector.get_table_names()
        for index in inspector.get_indexes(table)
    }
    for table, columns in [
        ("meeting", ("held_on", "id")),
        ("outreach_event", ("kind", "held_on", "archived_at")),
        ("agreement", ("concluded_on",)),
        ("meeting_organization", ("organization_id",)),
        ("agreement_partner", ("organization_id",)),
        ("kpi_measurement", ("kpi_id", "measured_on")),
    ]:
        assert (table, columns) in indexed, (table, columns)


def test_a_new_database_file_is_private_and_in_wal_mode(tmp_path: Path, ctx: Context) -> None:
    path = tmp_path / "new.sqlite3"
    database = create_database(sqlite_url(path), ctx)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    with database.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 300_000
    database.dispose()


def test_an_outdated_database_is_refused_until_upgraded(tmp_path: Path, ctx: Context) -> None:
    path = tmp_path / "old.sqlite3"
    database = create_database(sqlite_url(path), ctx)
    with database.engine.begin() as connection:
        connection.exec_driver_sql("UPDATE alembic_version SET version_num = '0001'")
    database.dispose()
    try:
        Database.open(sqlite_url(path))
    except Exception as exc:  # noqa: BLE001 - the message is what the user sees
        assert "crm db upgrade" in str(exc)
    else:
        raise AssertionError("an outdated schema was accepted")


def test_the_domain_never_imports_its_faces() -> None:
    """crm/ and db/ load without textual, reportlab, tui, reports or cli (style.md, habit 1)."""
    code = (
        "import importlib, pkgutil, sys\n"
        "import crm, db\n"
        "for package in (crm, db):\n"
        "    for info in pkgutil.walk_packages(package.__path__, package.__name__ + '.'):\n"
        "        if '.migrations' not in info.name:\n"
        "            importlib.import_module(info.name)\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in\n"
        "             {'textual', 'reportlab', 'tui', 'reports', 'cli'})\n"
        "print(','.join(bad))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    assert result.stdout.strip() == ""


def test_import_linter_contracts_hold() -> None:
    lint_imports = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(lint_imports)], capture_output=True, text=True,
                            cwd=Path(__file__).parent.parent)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_newest_kpi_sql_version_is_what_the_rules_generate() -> None:
    """A change to crm.kpi.rules needs a new db/schema_sql/kpi_vNNNN.py and its migration."""
    newest = max(path.stem for path in SCHEMA_SQL.glob("kpi_v*.py"))
    version = importlib.import_module(f"db.schema_sql.{newest}")
    assert version.VIEWS == rules.view_sql()
    assert version.KPI_CHECKS == rules.KPI_CHECKS


def sqlite_schema(path: Path) -> str:
    """The SQL of every table, index, view and trigger of a SQLite database, by name."""
    engine = create_engine(sqlite_url(path))
    with engine.connect() as connection:
        rows = connection.exec_driver_sql(
            "SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL"
            " ORDER BY type, name"
        ).all()
    engine.dispose()
    return "".join(f"-- {kind} {name}\n{sql};\n" for kind, name, sql in rows)


def test_migrations_to_0005_build_the_schema_they_always_built(tmp_path: Path) -> None:
    path = tmp_path / "0005.sqlite3"
    engine = create_engine(sqlite_url(path))
    upgrade(engine, "0005")
    engine.dispose()
    assert sqlite_schema(path) == SQLITE_0005.read_text(encoding="utf-8")
