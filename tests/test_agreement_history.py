"""The status history of agreements (migration 0010) and the register as of a period's end.

Runs on the backend under test (CRM_TEST_BACKEND): the services' rows, the append-only
guards, `crm db check`, the migration's replay of the audit log, and the report's register
and fingerprint before and after an agreement ends later.
"""

from __future__ import annotations

from datetime import date

import pytest
from alembic import command
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from crm.calendar import FiscalPeriod
from crm.context import Context
from crm.records import services
from crm.records.agreement_history import AgreementState, changes_for
from db.maintenance import check
from db.migrate import alembic_config
from db.session import Database
from reports.labels import t
from tests.test_report import Q3, build, fill, page_texts

TODAY = date(2023, 1, 10)
_ROWS = ("SELECT agreement_id, status, effective_on, concluded_on, starts_on, ends_on"
         " FROM agreement_status_change ORDER BY id")


def _history(database: Database) -> list[tuple[object, ...]]:
    with database.reading() as session:
        return [
            (r[0], r[1], *(d if d is None or isinstance(d, date) else date.fromisoformat(d)
                           for d in r[2:]))
            for r in session.execute(text(_ROWS))
        ]


def _register(pdf: bytes, lang: str = "ja") -> str:
    """The register section's text: from its heading to the appendix."""
    text_ = "\n".join(page_texts(pdf))
    start = text_.index(t("register", lang))
    return text_[start:text_.index(t("appendix", lang), start)]


def test_the_rules_say_from_which_day_each_status_holds() -> None:
    concluded = AgreementState("concluded", date(2021, 6, 1), date(2021, 6, 1), None)
    ended = AgreementState("ended", date(2021, 6, 1), date(2021, 6, 1), date(2023, 5, 31))
    assert changes_for(None, concluded, TODAY) == [("concluded", date(2021, 6, 1))]
    assert changes_for(concluded, concluded, TODAY) == []
    assert changes_for(concluded, ended, TODAY) == [("ended", date(2023, 6, 1))]
    # entered already ended: in force over its term, then ended
    assert changes_for(None, ended, TODAY) == [("concluded", date(2021, 6, 1)),
                                               ("ended", date(2023, 6, 1))]
    open_ended = AgreementState("ended", date(2021, 6, 1), None, None)
    assert changes_for(concluded, open_ended, TODAY)[-1] == ("ended", TODAY)
    negotiating = AgreementState("negotiating", None, None, None)
    assert changes_for(None, negotiating, TODAY) == [("negotiating", TODAY)]
    cancelled = AgreementState("cancelled", date(2021, 6, 1), date(2021, 6, 1), None)
    assert changes_for(concluded, cancelled, TODAY) == [("cancelled", TODAY)]


def test_the_services_record_each_status_change_once(database: Database, ctx: Context) -> None:
    with database.writing() as session:
        org = services.create_organization(session, ctx, name="神戸大学", kind="university").id
        agreement = services.create_agreement(
            session, ctx, title="協議", partner_ids=[org], status="negotiating").id
        services.set_agreement_status(session, ctx, agreement, status="concluded",
                                      on=date(2022, 11, 1))
        services.update_agreement(session, ctx, agreement, title="交通データ連携協定",
                                  partner_ids=[org], status="concluded",
                                  concluded_on=date(2022, 11, 1), starts_on=None, ends_on=None,
                                  datasets="人流", document_ref=None, notes=None)
        services.set_agreement_status(session, ctx, agreement, status="ended",
                                      on=date(2023, 6, 30))
    today = ctx.today()
    assert _history(database) == [
        (agreement, "negotiating", today, None, None, None),
        (agreement, "concluded", date(2022, 11, 1), date(2022, 11, 1), None, None),
        # the title and datasets changed, not the status or its dates: nothing recorded
        (agreement, "ended", date(2023, 7, 1), date(2022, 11, 1), None, date(2023, 6, 30)),
    ]
    assert check(database).problems == []


def test_the_history_is_append_only(database: Database, ctx: Context) -> None:
    fill(database, ctx)
    for statement in ("UPDATE agreement_status_change SET status = 'ended'",
                      "DELETE FROM agreement_status_change"):
        with pytest.raises(DBAPIError, match="append-only"), database.writing() as session:
            session.execute(text(statement))
    assert len(_history(database)) == 3


def test_an_import_records_the_status_of_new_and_changed_agreements(
    database: Database, ctx: Context, tmp_path: pytest.TempPathFactory
) -> None:
    from crm.io.importing import import_file

    path = tmp_path / "agreements.csv"  # type: ignore[operator]
    header = "title,partners,status,concluded_on,starts_on,ends_on\n"
    path.write_text(header + "防災協定,神戸大学,締結,2021-06-01,2021-06-01,\n", encoding="utf-8")
    with database.writing() as session:
        services.create_organization(session, ctx, name="神戸大学", kind="university")
        import_file(session, ctx, "agreements", path)
    path.write_text(header + "防災協定,神戸大学,終了,2021-06-01,2021-06-01,2023-03-31\n",
                    encoding="utf-8")
    with database.writing() as session:
        import_file(session, ctx, "agreements", path)
    assert [row[1:3] for row in _history(database)] == [
        ("concluded", date(2021, 6, 1)), ("ended", date(2023, 4, 1))]


def test_the_register_is_as_of_the_period_end_and_inside_the_fingerprint(
    database: Database, ctx: Context
) -> None:
    fill(database, ctx)
    before = build(database)
    with database.reading() as session:
        title = session.execute(text(
            "SELECT id FROM agreement WHERE title = '交通データ連携協定'")).scalar_one()
    with database.writing() as session:  # ended after the quarter, recorded later
        services.set_agreement_status(session, ctx, title, status="ended", on=date(2023, 6, 30))
    after = build(database)
    assert _register(after.pdf) == _register(before.pdf)
    assert after.fingerprint == before.fingerprint
    register = _register(after.pdf)
    assert "交通データ連携協定" in register and "締結" in register and "終了" not in register
    # at the end of the quarter it ended in, no longer in force
    assert "交通データ連携協定" not in _register(build(database, period=FiscalPeriod(2023, 2)).pdf)
    # ended within the quarter (a back-dated change): the register and fingerprint follow
    with database.writing() as session:
        services.set_agreement_status(session, ctx, title, status="ended", on=date(2022, 12, 20))
    backdated = build(database)
    assert backdated.fingerprint != before.fingerprint
    assert "交通データ連携協定" not in _register(backdated.pdf)
    assert Q3.end == date(2022, 12, 31)


def test_migration_0010_replays_the_audit_log(database: Database, ctx: Context) -> None:
    fill(database, ctx)
    with database.writing() as session:
        agreement = session.execute(text(
            "SELECT id FROM agreement WHERE title = '交通データ連携協定'")).scalar_one()
        services.set_agreement_status(session, ctx, agreement, status="ended",
                                      on=date(2023, 6, 30))
    recorded = [row for row in _history(database) if row[1] != "negotiating"]
    config = alembic_config()
    with database.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0007")
        command.upgrade(config, "head")
    replayed = _history(database)
    # open statuses take the day of the change from the log's clock, not the test's
    assert [row for row in replayed if row[1] != "negotiating"] == recorded
    assert [row[1] for row in replayed if row[1] == "negotiating"] == ["negotiating"]
    with database.reading() as session:
        signed = session.execute(text(
            "SELECT claimed_by FROM audit_log WHERE table_name = 'agreement_status_change'"
            " ORDER BY id DESC LIMIT :n"), {"n": len(replayed)}).scalars().all()
    assert set(signed) == {"migration 0010"}
    assert check(database).problems == []
