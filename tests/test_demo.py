"""The demo database (`crm demo`): its spread of records, determinism and KPI figures."""

from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, text
from sqlmodel import Session

from crm import models as m
from crm.calendar import fiscal_year_of
from crm.context import Context, fixed_clock
from crm.demo import (
    DEMO_STEPS,
    FIRST_DAY,
    LAST_DAY,
    TAGGED_AFTER,
    DemoSummary,
    demo_clock,
    generate_demo,
)
from crm.errors import DataError
from crm.kpi import engine as kpi_engine
from crm.normalize import normalize_name, validate_corporate_number
from crm.vocabulary import AGREEMENT_STATUSES, EVENT_KINDS, ORGANIZATION_KINDS
from db.engine import sqlite_url
from db.session import Database, create_database

#: The day the demo is built in these tests.
TODAY = date(2026, 12, 2)
CTX = Context(user="demo", clock=fixed_clock(demo_clock(TODAY)))
AS_OF = date(2023, 3, 31)
SHIPPED = ["ict-policy-2018"]


#: The steps the module's demo build reported, in order (the splash shows them).
PROGRESS: list[str] = []


def build(path: Path, seed: int, today: date = TODAY,
          progress: Callable[[str], None] | None = None) -> tuple[Database, DemoSummary]:
    """A new demo database at `path`, built on `today`, and its summary."""
    ctx = Context(user="demo", clock=fixed_clock(demo_clock(today)))
    database = create_database(sqlite_url(path), ctx)
    with database.writing() as session:
        summary = generate_demo(session, ctx, seed=seed, today=today, progress=progress)
    return database, summary


# Columns the database fills from the wall clock, not from the Context: the audit triggers'
# timestamps, and the hash chain that covers them.
# (and the random salts of kept personal values, with the digests they give)
WALL_CLOCK_COLUMNS = {"audit_log": {"changed_at", "chain_hash"},
                      "audit_personal_value": {"salt", "digest"}}


def dump(database: Database) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, by id (link tables: by all columns), wall-clock columns left
    out."""
    rows = {}
    with database.reading() as session:
        tables = session.scalars(
            text("SELECT name FROM sqlite_master WHERE type = 'table'"
                 " AND name NOT LIKE 'sqlite_%' ORDER BY name")
        ).all()
        for table in tables:
            columns = [c[1] for c in session.execute(text(f'PRAGMA table_info("{table}")'))
                       if c[1] not in WALL_CLOCK_COLUMNS.get(table, ())]
            listed = ", ".join(f'"{c}"' for c in columns)
            order = "id" if "id" in columns else listed
            query = text(f'SELECT {listed} FROM "{table}" ORDER BY {order}')
            rows[table] = [tuple(row) for row in session.execute(query)]
    return rows


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Database, DemoSummary]]:
    database, summary = build(tmp_path_factory.mktemp("demo") / "demo.sqlite3", 2018,
                              progress=PROGRESS.append)
    yield database, summary
    database.dispose()


@pytest.fixture
def session(demo: tuple[Database, DemoSummary]) -> Iterator[Session]:
    with demo[0].reading() as reading:
        yield reading


def count(session: Session, model: Any, *where: Any) -> int:
    return int(session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


# --- sizes and spread -----------------------------------------------------------------------


def test_the_build_reports_every_step_in_order(demo: tuple[Database, DemoSummary]) -> None:
    assert PROGRESS == list(DEMO_STEPS)


def test_summary_matches_the_database_and_the_spec(
    demo: tuple[Database, DemoSummary], session: Session
) -> None:
    summary = demo[1]
    history = m.Meeting.held_on <= LAST_DAY
    assert summary.organizations == count(session, m.Organization)
    assert summary.contacts == count(session, m.Contact)
    assert summary.staff == count(session, m.Staff)
    assert summary.meetings == count(session, m.Meeting)
    assert count(session, m.Meeting, history) == 400
    # 20 months from April 2025 to November 2026, 6–10 meetings each, and a few in December.
    assert 20 * 6 <= summary.meetings - 400 <= 21 * 10
    assert summary.meeting_organizations == count(session, m.MeetingOrganization)
    # The 20 of the history and those of July 2025, February 2026 and September 2026.
    assert summary.agreements == count(session, m.Agreement) == 23
    assert summary.agreement_partners == count(session, m.AgreementPartner)
    assert summary.outreach_events == count(session, m.OutreachEvent)
    assert count(session, m.OutreachEvent, m.OutreachEvent.held_on <= LAST_DAY) == 150
    assert summary.plans == count(session, m.Plan) == 2
    assert summary.tags == count(session, m.Tag) == 4
    assert summary.kpi_measurements == count(session, m.KpiMeasurement)
    assert summary.archived_meetings == count(
        session, m.Meeting, m.Meeting.archived_at.is_not(None)
    )
    assert summary.archived_events == count(
        session, m.OutreachEvent, m.OutreachEvent.archived_at.is_not(None)
    )
    assert 55 <= summary.organizations <= 70
    assert 6 <= summary.staff <= 10
    assert 8 <= summary.archived_meetings <= 12
    assert 1 <= summary.archived_events <= 6
    assert dict(summary.items())["meetings"] == summary.meetings


def test_organizations_of_every_kind_companies_the_majority(session: Session) -> None:
    kinds = Counter(session.scalars(select(m.Organization.kind)).all())
    assert set(kinds) == set(ORGANIZATION_KINDS.codes)
    assert kinds["company"] > sum(kinds.values()) / 2


def test_organization_names_readings_and_numbers(session: Session) -> None:
    organizations = session.scalars(select(m.Organization)).all()
    names = [o.name for o in organizations]
    assert len({normalize_name(n) for n in names}) == len(names)
    assert all(o.normalized_name == normalize_name(o.name) for o in organizations)
    assert all(o.kana and o.kana_sort_key for o in organizations)
    companies = [n for o, n in zip(organizations, names, strict=True) if o.kind == "company"]
    assert any(n.startswith("株式会社") for n in companies)  # 前株
    assert any(n.endswith("株式会社") for n in companies)  # 後株
    assert any(n.startswith("(株)") for n in companies)
    numbers = [o.corporate_number for o in organizations if o.corporate_number]
    assert 20 <= len(numbers) < len(organizations)
    assert all(validate_corporate_number(n) == n for n in numbers)
    assert len(set(numbers)) == len(numbers)
    assert sum(1 for o in organizations if (o.address or "").startswith("兵庫県加古川市")) > 20
    assert any(o.website for o in organizations) and any(o.notes for o in organizations)


def test_contacts_at_about_thirty_organizations(session: Session) -> None:
    per_org = Counter(session.scalars(select(m.Contact.organization_id)).all())
    assert 25 <= len(per_org) <= 35
    assert set(per_org.values()) <= {1, 2, 3}
    emails = [e for e in session.scalars(select(m.Contact.email)).all() if e]
    assert emails and all(e.endswith(".example.jp") for e in emails)


def test_meetings_spread_over_the_years_with_follow_ups(session: Session) -> None:
    meetings = session.scalars(select(m.Meeting)).all()
    assert all(FIRST_DAY <= meeting.held_on <= TODAY for meeting in meetings)
    per_year = Counter(fiscal_year_of(meeting.held_on) for meeting in meetings)
    assert sorted(per_year) == list(range(2018, 2027))
    assert per_year[2024] > per_year[2021] > per_year[2018]
    follow_ups = [meeting for meeting in meetings if meeting.follow_up_on is not None]
    assert 0.2 <= len(follow_ups) / len(meetings) <= 0.4
    assert all(
        meeting.next_action and meeting.follow_up_on >= meeting.held_on  # type: ignore[operator]
        for meeting in follow_ups
    )
    done = [meeting for meeting in follow_ups if meeting.follow_up_done_on is not None]
    assert 0 < len(done) < len(follow_ups)
    assert all(
        meeting.follow_up_on is not None for meeting in meetings if meeting.follow_up_done_on
    )
    # Every meeting has an organization and staff; companies are met repeatedly or once.
    assert count(session, m.MeetingOrganization) >= 400
    with_staff = session.scalars(select(m.MeetingStaff.meeting_id).distinct()).all()
    assert len(with_staff) == len(meetings)
    company_meetings = Counter(
        session.scalars(
            select(m.MeetingOrganization.organization_id)
            .join(m.Organization, m.Organization.id == m.MeetingOrganization.organization_id)
            .where(m.Organization.kind == "company")
        ).all()
    )
    assert max(company_meetings.values()) >= 10
    assert 1 in company_meetings.values()


def test_agreements_in_every_status_with_mixed_partners(session: Session) -> None:
    agreements = session.scalars(select(m.Agreement)).all()
    assert {a.status for a in agreements} == set(AGREEMENT_STATUSES.codes)
    cancelled = [a for a in agreements if a.status == "cancelled"]
    assert {a.concluded_on is None for a in cancelled} == {True, False}
    concluded = [a for a in agreements if a.concluded_on is not None]
    assert len({fiscal_year_of(a.concluded_on) for a in concluded}) >= 5  # type: ignore[arg-type]
    assert all(a.document_ref and a.document_ref.startswith("加情第") for a in concluded)
    assert all(a.datasets for a in agreements)
    kinds: dict[int, set[str]] = {}
    for agreement_id, kind in session.execute(
        select(m.AgreementPartner.agreement_id, m.Organization.kind).join(
            m.Organization, m.Organization.id == m.AgreementPartner.organization_id
        )
    ):
        kinds.setdefault(agreement_id, set()).add("company" if kind == "company" else "other")
    assert len(kinds) == 23
    assert {frozenset(k) for k in kinds.values()} == {
        frozenset({"company"}), frozenset({"other"}), frozenset({"company", "other"})
    }


def test_events_of_every_kind(session: Session) -> None:
    events = session.scalars(select(m.OutreachEvent)).all()
    assert {e.kind for e in events} == set(EVENT_KINDS.codes)
    assert all(FIRST_DAY <= e.held_on <= TODAY for e in events)
    assert all(e.municipality == "加古川市" for e in events if e.kind != "out_of_city")
    assert all(e.municipality != "加古川市" for e in events if e.kind == "out_of_city")
    assert all(e.venue and e.attendees is not None for e in events)


# --- KPIs -----------------------------------------------------------------------------------


def test_every_measured_kpi_has_measurements_after_its_baseline(session: Session) -> None:
    rows = session.execute(
        select(m.Kpi.code, m.Kpi.rule, m.Kpi.baseline_as_of, m.KpiMeasurement.measured_on,
               m.KpiMeasurement.value).join(m.KpiMeasurement, m.KpiMeasurement.kpi_id == m.Kpi.id)
    ).all()
    measured = session.scalars(select(m.Kpi.code).where(m.Kpi.kind == "measured")).all()
    assert len(measured) == 13
    assert {r.code for r in rows} == set(measured)
    assert all(r.baseline_as_of < r.measured_on <= LAST_DAY for r in rows)
    milestone = [r for r in rows if r.rule == "milestone"]
    assert [(fiscal_year_of(r.measured_on), r.value) for r in milestone] == [(2021, 1)]
    monthly = [r for r in rows if r.code == "open_data_catalog_access"]
    assert len(monthly) == 48 and min(r.measured_on for r in monthly) == date(2021, 4, 30)
    assert all(3500 <= r.value <= 5000 for r in monthly)
    levels = [r for r in rows if r.rule == "level"]
    assert len(levels) >= 10 * 12


def test_kpis_at_the_plan_end_are_plausible(session: Session) -> None:
    figures = {f.code: f for f in kpi_engine.compute_at(session, AS_OF, SHIPPED)}
    assert len(figures) == 19
    assert all(f.value is not None for f in figures.values())
    assert 40 <= figures["companies_consulted"].value <= 70  # type: ignore[operator]
    assert 30 <= figures["lectures_in_city"].value <= 60  # type: ignore[operator]
    statuses = {f.status for f in figures.values()}  # the target day: the final judgement
    assert {"achieved", "not_achieved"} <= statuses and "behind" not in statuses
    computed = [f for f in figures.values() if f.kpi.kind == "computed"]
    assert {f.status for f in computed} >= {"achieved", "not_achieved"}
    # The records before the baseline date are exactly what the baselines count.
    assert all(f.reconciliation == f.kpi.baseline for f in computed)


# --- determinism ----------------------------------------------------------------------------


# Builds the seed-2018 demo in a fresh interpreter, so that a dependence on string hashing
# (set order) or on anything else outside the seed would show up as a difference.
BUILD_ELSEWHERE = """
import sys
from crm.context import Context, fixed_clock
from datetime import date
from crm.demo import demo_clock, generate_demo
from db.engine import sqlite_url
from db.session import create_database

ctx = Context(user="demo", clock=fixed_clock(demo_clock(date(2026, 12, 2))))
database = create_database(sqlite_url(sys.argv[1]), ctx)
with database.writing() as session:
    generate_demo(session, ctx, seed=2018, today=date(2026, 12, 2))
database.dispose()
"""


def test_same_seed_same_database_other_seed_other_database(
    demo: tuple[Database, DemoSummary], tmp_path: Path
) -> None:
    original = dump(demo[0])
    again_path = tmp_path / "again.sqlite3"
    subprocess.run(
        [sys.executable, "-c", BUILD_ELSEWHERE, str(again_path)],
        cwd=Path(__file__).resolve().parents[1],
        env={**os.environ, "PYTHONHASHSEED": "4321"},
        check=True,
    )
    again = Database.open(sqlite_url(again_path))
    other, _ = build(tmp_path / "other.sqlite3", 7)
    try:
        assert dump(again) == original
        different = dump(other)
        assert different["organization"] != original["organization"]
        assert different["meeting"] != original["meeting"]
    finally:
        again.dispose()
        other.dispose()


def test_refuses_a_database_with_organizations(demo: tuple[Database, DemoSummary]) -> None:
    with pytest.raises(DataError), demo[0].writing() as writing:
        generate_demo(writing, CTX, today=TODAY)


# --- up to today, the smart-city plan and its tags ---------------------------------------------

#: The shipped plan's figures at 2023-03-31 in the demo as it was before it ran past FY2024
#: (`crm kpi --as-of 2023-03-31` of that release): the records up to 2025-03-31 are unchanged.
SHIPPED_AT_PLAN_END = {
    "data_disclosure_review": 1, "open_data_files": 2165, "open_data_catalog_access": 47133,
    "internal_data_sharing": 7, "app_targeted_notices": 24, "app_notices": 286,
    "dashboard_datasets": 42, "app_downloads": 21210, "app_registered_users": 4432,
    "app_awareness_rate": 22.8, "outreach_in_city": 22, "lectures_in_city": 39,
    "decidim_projects": 16, "decidim_registrations": 1138, "decidim_posts": 3919,
    "linkage_external": 8, "companies_consulted": 41, "linkage_private": 10,
    "outreach_out_of_city": 19,
}


def test_the_shipped_plans_figures_are_those_of_the_earlier_demo(session: Session) -> None:
    figures = kpi_engine.compute_at(session, AS_OF, SHIPPED)
    assert {f.code: f.value for f in figures} == SHIPPED_AT_PLAN_END


def test_records_run_up_to_today_and_no_further(session: Session) -> None:
    last = {model.__name__: session.scalar(select(func.max(column)))
            for model, column in ((m.Meeting, m.Meeting.held_on),
                                  (m.OutreachEvent, m.OutreachEvent.held_on),
                                  (m.Agreement, m.Agreement.concluded_on))}
    assert last["Meeting"] is not None and date(2026, 11, 15) <= last["Meeting"] <= TODAY
    assert last["OutreachEvent"] is not None and last["OutreachEvent"] <= TODAY
    newest = select(m.Agreement.concluded_on).where(
        m.Agreement.title.contains("AIオンデマンド交通の本格"))
    assert last["Agreement"] == session.scalar(newest)
    done = session.scalars(select(m.Meeting.follow_up_done_on)).all()
    assert all(d is None or d <= TODAY for d in done)


def test_tags_only_after_the_smart_city_baseline(session: Session) -> None:
    tagged = session.scalars(
        select(m.Meeting.held_on).join(m.MeetingTag, m.MeetingTag.meeting_id == m.Meeting.id)
    ).all()
    assert tagged and min(tagged) > TAGGED_AFTER
    names = set(session.scalars(select(m.Tag.name)).all())
    assert names == {"スマートシティ", "防災", "オープンデータ", "デジタル活用支援"}


def _tagged_count(session: Session, tag: str, since: date, through: date) -> int:
    """Active meetings tagged `tag` held in (since, through]: counted without the engine."""
    return count(
        session, m.Meeting,
        m.Meeting.archived_at.is_(None), m.Meeting.held_on > since, m.Meeting.held_on <= through,
        m.Meeting.id.in_(select(m.MeetingTag.meeting_id)
                         .join(m.Tag, m.Tag.id == m.MeetingTag.tag_id).where(m.Tag.name == tag)),
    )


def test_the_smart_city_plan_shows_live_figures_today(session: Session) -> None:
    figures = {f.code: f for f in kpi_engine.compute_at(session, TODAY, ["smartcity-2021"])}
    assert list(figures) == ["sc_companies", "sc_meetings", "sc_agreements",
                             "sc_bousai_attendees", "sc_digital_lectures"]
    assert kpi_engine.plans_in_force(session, fiscal_year_of(TODAY)) == ["smartcity-2021"]
    meetings = figures["sc_meetings"]
    assert meetings.value == _tagged_count(session, "スマートシティ", date(2021, 3, 31), TODAY)
    # The revision of 2024-03-29 is in force: 38 companies by 2027-03-31, not the 前期's 20.
    companies = figures["sc_companies"]
    assert (companies.kpi.target, companies.target, companies.target_by) == (
        20, 38, date(2027, 3, 31))
    assert {f.status for f in figures.values()} >= {"achieved", "on_track", "behind"}
    assert all(f.value and f.value > 0 for f in figures.values())
    # Before the revision, the 前期 target of 20 by 2024-03-31 was in force.
    before = {f.code: f for f in kpi_engine.compute_at(session, date(2024, 3, 28),
                                                       ["smartcity-2021"])}
    assert (before["sc_companies"].target, before["sc_companies"].target_by) == (
        20, date(2024, 3, 31))


def test_a_month_does_not_depend_on_the_day_the_demo_is_built(
    demo: tuple[Database, DemoSummary], tmp_path: Path
) -> None:
    earlier_day = date(2026, 6, 17)
    earlier, summary = build(tmp_path / "earlier.sqlite3", 2018, earlier_day)
    try:
        def meetings(database: Database, through: date) -> list[tuple[Any, ...]]:
            with database.reading() as s:
                return [tuple(r) for r in s.execute(
                    select(m.Meeting.held_on, m.Meeting.title, m.Meeting.summary)
                    .where(m.Meeting.held_on <= through).order_by(m.Meeting.id))]

        assert meetings(earlier, earlier_day) == meetings(demo[0], earlier_day)
        assert meetings(earlier, TODAY) == meetings(earlier, earlier_day)
        assert summary.agreements == 22  # September 2026's is not concluded yet
    finally:
        earlier.dispose()
