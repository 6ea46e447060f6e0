"""Migration 0006: a database of the release before plans, upgraded, gives the figures it
gave (`crm kpi --format json` byte for byte apart from the new keys), and its KPIs become plan
`ict-policy-2018` exactly as a new database defines it.

tests/data/release-0005.sql is a SQLite dump of a database made by that release (`crm init`
and a few records); tests/data/release-0005-kpi-*.json is what that release printed for it.
On PostgreSQL the same rows are inserted into a database migrated to 0005.
"""

from __future__ import annotations

import io
import json
import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from cli.main import main
from crm.context import Context
from crm.kpi import plans
from crm.kpi.catalog import SHIPPED_PLAN
from db.engine import make_engine, sqlite_url
from db.migrate import alembic_config, upgrade
from db.session import URL_VARIABLE, Database
from tests.conftest import BACKEND

DATA = Path(__file__).parent / "data"
NEW_KEYS = {"plan", "original_target", "original_target_by", "grade", "judgement",
            "comments", "measurement_source"}
RUNS = {
    "release-0005-kpi-2019-06-30.json": ["--as-of", "2019-06-30"],
    "release-0005-kpi-2021-12-31.json": ["--as-of", "2021-12-31"],
    # FY2022's last day: no plan of this database is in force after it.
    "release-0005-kpi-2023-03-31.json": ["--as-of", "2023-03-31"],
    "release-0005-kpi-fy2021-q3.json": ["--fiscal-year", "2021", "--quarter", "3"],
}
_NOT_COPIED = ("audit_log", "audit_actor", "alembic_version", "sqlite_sequence")


def _dump_inserts() -> list[str]:
    """The dump's INSERTs of records (not the log or bookkeeping), in order."""
    return [
        line for line in (DATA / "release-0005.sql").read_text(encoding="utf-8").splitlines()
        if line.startswith("INSERT INTO ")
        and re.match(r'INSERT INTO "?(\w+)', line).group(1) not in _NOT_COPIED  # type: ignore[union-attr]
    ]


@pytest.fixture
def old_database(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[str]:
    """The URL of a database as the release before plans left it, not yet upgraded."""
    if BACKEND == "sqlite":
        path = tmp_path / "release-0005.sqlite3"
        connection = sqlite3.connect(path)
        connection.executescript((DATA / "release-0005.sql").read_text(encoding="utf-8"))
        connection.close()
        yield sqlite_url(path)
        return
    admin_url = request.getfixturevalue("postgres_template")
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql("CREATE DATABASE crm_release_0005")
    url = make_url(admin_url).set(database="crm_release_0005").render_as_string(
        hide_password=False)
    engine = make_engine(url)
    upgrade(engine, "0005")
    with engine.begin() as connection:
        for statement in _dump_inserts():
            connection.exec_driver_sql(statement.replace("%", "%%"))
    engine.dispose()
    yield url
    with admin.connect() as connection:
        connection.exec_driver_sql("DROP DATABASE crm_release_0005 WITH (FORCE)")
    admin.dispose()


def _kpi_json(url: str, options: list[str], monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv(URL_VARIABLE, url)
    out = io.StringIO()
    assert main(["kpi", "--format", "json", *options], out=out) == 0
    return out.getvalue()


def _judged(printed: str) -> str:
    """What release 0005 printed, but with the final judgement on the target day itself (it
    read 遅れ / 順調 there until the day after; one judgement for `crm kpi` and the report
    since issue 13)."""
    figures = json.loads(printed)
    for f in figures:
        if f["as_of"] >= f["target_by"] and f["status"] in ("behind", "on_track"):
            f["status"] = "not_achieved"
    return json.dumps(figures, ensure_ascii=False, indent=2) + "\n"


def test_the_upgraded_database_prints_the_figures_it_printed(
    old_database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = make_engine(old_database)
    upgrade(engine)
    engine.dispose()
    for expected, options in RUNS.items():
        figures = json.loads(_kpi_json(old_database, options, monkeypatch))
        assert {f["plan"] for f in figures} == {"ict-policy-2018"}
        old = [{k: v for k, v in f.items() if k not in NEW_KEYS} for f in figures]
        printed = json.dumps(old, ensure_ascii=False, indent=2) + "\n"
        assert printed == _judged((DATA / expected).read_text(encoding="utf-8")), expected
        assert all(f["original_target"] == f["target"] for f in figures)


def test_the_migrated_plan_is_the_plan_a_new_database_ships(
    old_database: str, database: Database
) -> None:
    engine = make_engine(old_database)
    upgrade(engine)
    engine.dispose()
    migrated = Database.open(old_database)
    with migrated.reading() as session, database.reading() as fresh:
        assert plans.plan_spec(session, "ict-policy-2018") == plans.plan_spec(
            fresh, "ict-policy-2018")
        signed = session.execute(text(
            "SELECT table_name, action, count(*) FROM audit_log"
            " WHERE changed_by = 'migration 0006' GROUP BY table_name, action"
            " ORDER BY table_name, action")).all()
    migrated.dispose()
    assert [tuple(row) for row in signed] == [
        ("kpi", "update", 19), ("kpi_count_filter", "insert", 11), ("plan", "insert", 1),
        ("plan_grade", "insert", 3),
    ]


def test_the_shipped_plan_file_changes_nothing_in_a_migrated_database(
    old_database: str, ctx: Context
) -> None:
    engine = make_engine(old_database)
    upgrade(engine)
    engine.dispose()
    migrated = Database.open(old_database)
    with migrated.writing(actor="t") as session:
        assert not plans.import_plan(session, ctx, SHIPPED_PLAN, "catalog")
    migrated.dispose()


def test_downgrading_gives_back_the_rules_and_views_of_0005(old_database: str) -> None:
    kpis = "SELECT code, kind, rule, rule_param, target FROM kpi ORDER BY id"
    counted = ("SELECT kpi_code, record_type, record_id, counted_on FROM kpi_evidence"
               " ORDER BY kpi_code, record_type, record_id")
    engine = make_engine(old_database)
    with engine.connect() as connection:
        before = [connection.execute(text(q)).all() for q in (kpis, counted)]
    upgrade(engine)
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0005")
    with engine.connect() as connection:
        after = [connection.execute(text(q)).all() for q in (kpis, counted)]
        assert "plan" not in inspect(connection).get_table_names()
    engine.dispose()
    assert after == before and len(before[1]) == 9
