"""Why a record did not count (crm.kpi.not_counted): the records of a computed KPI's source in
a period are exactly its evidence plus the ones listed with a reason, for every computed KPI;
the reasons a liaison officer asks about, each by hand."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlmodel import Session

from crm import tags
from crm.calendar import FiscalPeriod
from crm.context import Context
from crm.kpi import plans
from crm.kpi.drill_down import count_evidence
from crm.kpi.engine import KpiDefinition, active_kpis, compute_for_period
from crm.kpi.not_counted import count_not_counted, not_counted
from crm.kpi.plan_file import read_plan
from crm.kpi.rules import COMPUTED_RULES
from crm.models import Meeting, OutreachEvent
from crm.records import services
from db.session import Database
from tests.test_plans import PLAN_FILE
from tests.test_report import Q3, fill

#: Each rule's source records in a period, as (type, id, organization id or 0).
SOURCE_SQL = {
    "meetings": "SELECT 'meeting', id, 0 FROM meeting WHERE held_on BETWEEN :s AND :e",
    "companies": "SELECT 'meeting', m.id, mo.organization_id FROM meeting m JOIN"
                 " meeting_organization mo ON mo.meeting_id = m.id"
                 " WHERE m.held_on BETWEEN :s AND :e",
    "agreements": "SELECT 'agreement', id, 0 FROM agreement"
                  " WHERE concluded_on BETWEEN :s AND :e",
    "events": "SELECT 'outreach_event', id, 0 FROM outreach_event"
              " WHERE held_on BETWEEN :s AND :e",
}
SOURCE_SQL["attendees"] = SOURCE_SQL["events"]


def _kpi(session: Session, code: str) -> KpiDefinition:
    return next(k for k in active_kpis(session) if k.code == code)


def _organization_ids(session: Session) -> dict[str, int]:
    return {name: id_ for id_, name in session.execute(text("SELECT id, name FROM organization"))}


@pytest.mark.parametrize("period", [Q3, FiscalPeriod(2022), FiscalPeriod(2018)])
def test_every_source_record_is_evidence_or_has_a_reason(
    database: Database, ctx: Context, period: FiscalPeriod, tmp_path: Path
) -> None:
    fill(database, ctx)
    plan_file = tmp_path / "plan.toml"
    plan_file.write_text(PLAN_FILE, encoding="utf-8")  # kinds, tags, first-time with filters
    with database.writing() as session:
        plans.import_plan(session, ctx, read_plan(plan_file), plan_file.name)
        services.archive(session, ctx, OutreachEvent, 6)
        services.archive(session, ctx, Meeting, 2)
        tags.set_tags(session, tags.LINKS["meetings"], 3, ["スマートシティ"])
    with database.reading() as session:
        kpis = [k for k in active_kpis(session) if k.rule in COMPUTED_RULES]
        figures = {f.kpi.id: f for f in compute_for_period(session, period)}
        assert {k.rule for k in kpis} >= {"meetings", "companies", "agreements", "events"}
        for kpi in kpis:
            source = {tuple(r) for r in session.execute(
                text(SOURCE_SQL[kpi.rule]), {"s": period.start, "e": period.end})}
            counted_keys = {tuple(r) for r in session.execute(text(
                "SELECT record_type, record_id, COALESCE(organization_id, 0) FROM kpi_evidence"
                " WHERE kpi_id = :k AND counted_on BETWEEN :s AND :e"),
                {"k": kpi.id, "s": period.start, "e": period.end})}
            ids = _organization_ids(session)
            rows = not_counted(session, kpi, period, limit=10_000)
            listed = {(r.record_type, r.record_id, ids[r.organization] if r.organization
                       else 0) for r in rows}
            assert not counted_keys & listed, kpi.code
            assert counted_keys | listed == source, kpi.code
            assert count_not_counted(session, kpi, period) == len(rows)
            assert count_evidence(session, figures[kpi.id], period) == len(counted_keys)


def test_a_company_met_before_and_met_again_was_already_met(
    database: Database, ctx: Context
) -> None:
    fill(database, ctx)
    with database.reading() as session:
        rows = not_counted(session, _kpi(session, "companies_consulted"), Q3)
    assert [(r.title, r.organization, r.reason, r.since) for r in rows] == [
        ("意見交換 harima", "前田電気㈱", "already_met", date(2022, 5, 10)),
        ("意見交換 takasaki", "前田電気㈱", "already_met", date(2022, 5, 10)),
    ]
    assert rows[0].reason_text("ja") == "R4.5.10 に意見交換済み"
    assert rows[0].reason_text("en") == "already met on 2022-05-10"


def test_archived_and_filtered_records_say_so_and_pages_follow_each_other(
    database: Database, ctx: Context
) -> None:
    ids = {}
    with database.writing() as session:
        from tests.test_report import populate

        ids = populate(session, ctx)
        services.archive(session, ctx, OutreachEvent, ids["event_5"])  # a lecture, 2022-12-24
    with database.reading() as session:
        kpi = _kpi(session, "lectures_in_city")
        rows = not_counted(session, kpi, Q3)
        first, second = (not_counted(session, kpi, Q3, limit=1, offset=n) for n in (0, 1))
    reasons = {r.title: r.reason for r in rows}
    assert reasons["周知 5"] == "archived"
    assert reasons["周知 6"] == "event_kind"  # out of the city
    assert [first[0], second[0]] == rows[:2]
