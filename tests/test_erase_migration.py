"""Migration 0008 on a database that kept contacts' values in the chain (SQLite and
PostgreSQL): every row of history stays, the values move out, nothing is re-sealed, the
chain and the stored anchor verify, and the person can then be erased."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from crm.audit import chain as audit
from crm.context import Context
from db.engine import make_engine, sqlite_path, sqlite_url
from db.maintenance import check
from db.migrate import alembic_config, upgrade
from db.session import Database
from tests.conftest import BACKEND
from tests.test_erase import PERSON, places_holding, run


def guide_verify() -> Callable[[str], tuple[int, str]]:
    """The chain verification recipe of docs/auditing.md, as an auditor would run it."""
    guide = (Path(__file__).parents[1] / "docs" / "auditing.md").read_text(encoding="utf-8")
    script = guide.split("By hand, with Python's standard library only:")[1]
    namespace: dict[str, Any] = {}
    exec(script.split("```python\n")[1].split("```")[0], namespace)  # noqa: S102
    verify: Callable[[str], tuple[int, str]] = namespace["verify"]
    return verify


CONTENT = "id, table_name, row_id, action, old_values, new_values, changed_at, changed_by"


@pytest.fixture
def url_at_0007(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database at revision 0007, on the backend tested."""
    if BACKEND == "sqlite":
        url = sqlite_url(tmp_path / "at0007.sqlite3")
    else:
        admin_url = request.getfixturevalue("postgres_template")
        admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.exec_driver_sql("CREATE DATABASE crm_at_0007")
        url = make_url(admin_url).set(database="crm_at_0007").render_as_string(
            hide_password=False)
    engine = make_engine(url)
    upgrade(engine, "0007")
    engine.dispose()
    yield url
    if BACKEND != "sqlite":
        with admin.connect() as connection:
            connection.exec_driver_sql("DROP DATABASE crm_at_0007 WITH (FORCE)")
        admin.dispose()


def _history_at_0007(url: str, ctx: Context, tmp_path: Path) -> int:
    """Contacts, an edit, a meeting and an issued report (an anchor), written at 0007 and
    sealed by the program, plus a contact edit by another tool left unsealed; returns the
    contact's id. Plain SQL: today's models and services know tables and columns that later
    migrations add, so they cannot write a database at 0007."""
    old = Database(url=url, engine=make_engine(url))
    stamp = {"at": ctx.now(), "by": ctx.user}
    tracked = "created_at, created_by, updated_at, updated_by"
    with old.writing() as session:
        org = session.execute(text(
            f"INSERT INTO organization ({tracked}, name, normalized_name, kind)"
            " VALUES (:at, :by, :at, :by, '旧版株式会社', '旧版株式会社', 'company')"
            " RETURNING id"), stamp).scalar_one()
        contact = session.execute(text(
            f"INSERT INTO contact ({tracked}, organization_id, {', '.join(PERSON)})"
            f" VALUES (:at, :by, :at, :by, :org, {', '.join(':' + k for k in PERSON)})"
            " RETURNING id"), stamp | {"org": org} | PERSON).scalar_one()
        session.execute(text(
            f"INSERT INTO contact ({tracked}, organization_id, name, email)"
            " VALUES (:at, :by, :at, :by, :org, '残る花子', 'stay@example.jp')"),
            stamp | {"org": org})
        meeting = session.execute(text(
            f"INSERT INTO meeting ({tracked}, held_on, title)"
            " VALUES (:at, :by, :at, :by, :held_on, '意見交換') RETURNING id"),
            stamp | {"held_on": date(2023, 6, 1)}).scalar_one()
        session.execute(text("INSERT INTO meeting_organization VALUES (:m, :o)"),
                        {"m": meeting, "o": org})
        session.execute(text("INSERT INTO meeting_contact VALUES (:m, :c)"),
                        {"m": meeting, "c": contact})
    with old.writing() as session:
        session.execute(text("UPDATE contact SET title = '課長XQ' WHERE id = :id"),
                        {"id": contact})
    with old.writing() as session:  # issued with the chain head it printed (the anchor)
        head = audit.chain_head(session)
        session.execute(text(
            "INSERT INTO issued_report (fiscal_year, quarter, lang, generated_at, issued_at,"
            " issued_by, fingerprint, pdf_sha256, figures_json, audit_head_id,"
            " audit_head_hash) VALUES (2023, 1, 'ja', :at, :at, :by, :digest, :digest, '{}',"
            " :head_id, :head_hash)"),
            stamp | {"digest": "0" * 64, "head_id": head.id, "head_hash": head.hash})
    with old.engine.begin() as connection:  # another tool: recorded, not yet sealed
        connection.execute(text("UPDATE contact SET notes = '別ツールXQ' WHERE id = :id"),
                           {"id": contact})
    with old.engine.connect() as connection:
        assert "audit_log.new_values" in places_holding(connection, PERSON["email"])
    old.dispose()
    return int(contact)


def test_0008_moves_the_values_out_without_losing_or_resealing_a_row(
    url_at_0007: str, ctx: Context, tmp_path: Path
) -> None:
    url = url_at_0007
    contact = _history_at_0007(url, ctx, tmp_path)
    engine = make_engine(url)
    with engine.connect() as connection:
        before = connection.exec_driver_sql(
            f"SELECT {CONTENT}, chain_hash FROM audit_log ORDER BY id").all()
    engine.dispose()
    sealed_contact_rows = [r[0] for r in before if r[1] == "contact" and r[-1] is not None]
    assert len(sealed_contact_rows) == 3 and before[-1][-1] is None

    assert run(["db", "upgrade"], url)[0] == 0
    database = Database.open(url)
    with database.engine.connect() as connection:
        after = connection.exec_driver_sql(
            f"SELECT {CONTENT}, chain_hash FROM audit_log ORDER BY id").all()
        restated = connection.execute(text(
            "SELECT audit_id, sealed_hash, matched FROM audit_restatement ORDER BY audit_id")
        ).all()
        for value in PERSON.values():
            assert set(places_holding(connection, value)) <= {
                "contact." + k for k in PERSON} | {"audit_personal_value.value"}, value
    kept = {row[0]: row for row in after}
    for row in before:  # every row kept, under its id, with its seal
        assert kept[row[0]][-1] == row[-1] or row[-1] is None
        if row[1] != "contact":
            assert kept[row[0]] == row
        else:
            assert kept[row[0]][:4] == row[:4] and kept[row[0]][6:8] == row[6:8]
    assert [(r[0], r[1], r[2]) for r in restated] == [
        (row, kept[row][-1], True) for row in sealed_contact_rows]
    assert run(["audit", "verify"], url)[0] == 0  # the stored anchor included
    assert check(database).problems == []
    with database.reading() as session:
        assert audit.verify(session).unsealed == 0  # upgrade's empty write sealed them
        shown = audit.history(session, table="contact", row_id=contact)
    assert shown[-1].values(personal=True)[1]["notes"] == "別ツールXQ"

    assert run(["contacts", "erase", str(contact), "--reason", "本人の依頼"], url)[0] == 0
    with database.engine.connect() as connection:
        for value in [*PERSON.values(), "課長XQ", "別ツールXQ"]:
            assert places_holding(connection, value) == [], value
        assert places_holding(connection, "stay@example.jp")  # the other contact stays
    assert run(["audit", "verify"], url)[0] == 0
    assert check(database).problems == []
    path = sqlite_path(url)
    if path is not None:  # the guide's recipe agrees, restated rows included
        with database.reading() as session:
            head = audit.chain_head(session)
        assert guide_verify()(str(path)) == (head.id, head.hash)

    with database.engine.begin() as connection:  # a restated row rewritten afterwards
        if connection.dialect.name == "postgresql":
            connection.execute(text("SET session_replication_role = replica"))
        else:
            connection.execute(text("DROP TRIGGER audit_log_no_update"))
        connection.execute(text(
            "UPDATE audit_log SET changed_by = 'someone' WHERE id = :id"),
            {"id": sealed_contact_rows[0]})
    with database.reading() as session:
        problems = audit.verify(session).problems()
    assert problems == [
        f"audit chain broken at row {sealed_contact_rows[0]}: contact {contact}, insert,"
        f" {kept[sealed_contact_rows[0]][6]}: its content is not what migration 0008 restated"
        " (rewritten)"]
    database.dispose()


def test_downgrading_0008_puts_the_values_back_byte_for_byte(
    url_at_0007: str, ctx: Context, tmp_path: Path
) -> None:
    url = url_at_0007
    _history_at_0007(url, ctx, tmp_path)
    engine = make_engine(url)
    with engine.connect() as connection:
        before = connection.exec_driver_sql(
            f"SELECT {CONTENT}, chain_hash FROM audit_log ORDER BY id").all()
    upgrade(engine)
    with engine.connect() as connection:
        assert sorted(places_holding(connection, PERSON["email"])) == [
            "audit_personal_value.value", "contact.email"]
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0007")
    with engine.connect() as connection:
        after = connection.exec_driver_sql(
            f"SELECT {CONTENT}, chain_hash FROM audit_log ORDER BY id").all()
        assert "audit_personal_value" not in inspect(connection).get_table_names()
    engine.dispose()
    assert after[:len(before)] == before  # the restatement's own rows follow, unsealed
    old = Database(url=url, engine=make_engine(url))
    with old.reading() as session:
        assert audit.verify(session).ok
    with old.writing() as session:  # 0007's triggers are back: values recorded in clear
        session.execute(text(
            "INSERT INTO contact (created_at, created_by, updated_at, updated_by,"
            " organization_id, name) VALUES (:at, :by, :at, :by, 1, '戻し 次郎')"),
            {"at": ctx.now(), "by": ctx.user})
    with old.engine.connect() as connection:
        assert sorted(places_holding(connection, "戻し 次郎")) == [
            "audit_log.new_values", "contact.name"]
    old.dispose()
