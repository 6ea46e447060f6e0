"""The KPI engine against hand-computed expectations for every counting rule of the spec.

Baselines are the shipped ones: B = 2018-12-31 for the six computed KPIs, targets by
2023-03-31. Every expected number below is worked out by hand in the comment beside it.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import text
from sqlmodel import Session

from crm.calendar import FiscalPeriod, fiscal_year_of, fiscal_year_range
from crm.context import Context
from crm.errors import DataError
from crm.kpi import engine
from crm.kpi.rules import COMPUTED_RULES
from crm.models import Agreement, KpiMeasurement, Meeting, Organization, OutreachEvent
from crm.records import services as s
from db.session import Database


def by_code(figures: list[engine.KpiFigure]) -> dict[str, engine.KpiFigure]:
    return {f.code: f for f in figures}


def value_at(session: Session, code: str, as_of: date) -> float | None:
    return by_code(engine.compute_at(session, as_of))[code].value


def org(session: Session, ctx: Context, name: str, kind: str) -> int:
    organization = s.create_organization(session, ctx, name=name, kind=kind)
    assert organization.id is not None
    return organization.id


def meet(session: Session, ctx: Context, on: date, *orgs: int, title: str = "意見交換") -> int:
    meeting = s.log_meeting(session, ctx, held_on=on, title=title, organization_ids=list(orgs))
    assert meeting.id is not None
    return meeting.id


def event(session: Session, ctx: Context, on: date, kind: str, title: str = "周知") -> int:
    outreach = s.log_event(session, ctx, held_on=on, kind=kind, title=title)
    assert outreach.id is not None
    return outreach.id


def agree(
    session: Session, ctx: Context, partners: list[int], status: str,
    concluded_on: date | None = None, title: str = "協定",
) -> int:
    agreement = s.create_agreement(
        session, ctx, title=title, partner_ids=partners, status=status,
        concluded_on=concluded_on,
    )
    assert agreement.id is not None
    return agreement.id


# --- events ---------------------------------------------------------------------------------


@pytest.fixture
def events(database: Database, ctx: Context) -> Database:
    with database.writing() as session:
        event(session, ctx, date(2018, 12, 31), "in_city", "基準日当日")   # on B: history
        event(session, ctx, date(2019, 1, 1), "in_city", "翌日")            # first day after B
        event(session, ctx, date(2019, 3, 31), "in_city", "年度末")
        event(session, ctx, date(2019, 4, 1), "in_city", "年度初め")
        archived = event(session, ctx, date(2019, 5, 1), "in_city", "保管済み")
        s.archive(session, ctx, OutreachEvent, archived)
        event(session, ctx, date(2019, 2, 1), "out_of_city", "市外")
        event(session, ctx, date(2019, 2, 2), "lecture", "出前講座")
    return database


def test_events_count_after_the_baseline_on_the_day_held(events: Database) -> None:
    with events.reading() as session:
        # baseline 4 + events dated in (2018-12-31, T]
        assert value_at(session, "outreach_in_city", date(2018, 12, 31)) == 4
        assert value_at(session, "outreach_in_city", date(2019, 1, 1)) == 5
        assert value_at(session, "outreach_in_city", date(2019, 3, 30)) == 5
        assert value_at(session, "outreach_in_city", date(2019, 3, 31)) == 6
        assert value_at(session, "outreach_in_city", date(2019, 4, 1)) == 7
        # the archived event of 2019-05-01 never counts
        assert value_at(session, "outreach_in_city", date(2019, 12, 31)) == 7
        # each kind counts toward its own KPI only
        assert value_at(session, "outreach_out_of_city", date(2019, 3, 31)) == 3 + 1
        assert value_at(session, "lectures_in_city", date(2019, 3, 31)) == 1 + 1


def test_events_on_the_baseline_day_are_reconciliation_not_value(events: Database) -> None:
    with events.reading() as session:
        figures = by_code(engine.compute_at(session, date(2019, 12, 31)))
    assert figures["outreach_in_city"].reconciliation == 1
    assert figures["outreach_out_of_city"].reconciliation == 0


def test_event_counts_per_fiscal_quarter_and_year(events: Database) -> None:
    with events.reading() as session:
        q4 = by_code(engine.compute_for_period(session, FiscalPeriod(2018, 4)))
        q1 = by_code(engine.compute_for_period(session, FiscalPeriod(2019, 1)))
        year = by_code(engine.compute_for_period(session, FiscalPeriod(2018, None)))
    # FY2018 Q4 = 2019-01-01..2019-03-31: the events of 01-01 and 03-31
    assert q4["outreach_in_city"].period_count == 2
    assert q4["outreach_in_city"].value == 6
    # FY2019 Q1 = 2019-04-01..06-30: 04-01 counts, the archived 05-01 does not
    assert q1["outreach_in_city"].period_count == 1
    assert q1["outreach_in_city"].value == 7
    # FY2018 as a whole: the baseline-day event is history, so 2 within the year
    assert year["outreach_in_city"].period_count == 2
    assert year["outreach_in_city"].value == 6
    assert year["outreach_in_city"].as_of == date(2019, 3, 31)


def test_a_value_before_the_baseline_date_is_unknown(events: Database) -> None:
    with events.reading() as session:
        figure = by_code(engine.compute_at(session, date(2018, 12, 30)))["outreach_in_city"]
    assert figure.value is None
    assert figure.status == "unknown"


def test_restoring_an_archived_event_counts_it_again(events: Database, ctx: Context) -> None:
    with events.writing() as session:
        archived = session.scalars(
            text("SELECT id FROM outreach_event WHERE archived_at IS NOT NULL")
        ).one()
        s.restore(session, ctx, OutreachEvent, archived)
    with events.reading() as session:
        assert value_at(session, "outreach_in_city", date(2019, 12, 31)) == 8


# --- agreements -----------------------------------------------------------------------------


@pytest.fixture
def agreements(database: Database, ctx: Context) -> Database:
    with database.writing() as session:
        company = org(session, ctx, "株式会社播磨データ", "company")
        university = org(session, ctx, "兵庫県立大学", "university")
        town = org(session, ctx, "稲美町", "municipality")
        npo = org(session, ctx, "NPO法人かこがわICT", "npo")
        agree(session, ctx, [company], "concluded", date(2019, 6, 1), "A1 private")
        agree(session, ctx, [university], "concluded", date(2019, 7, 1), "A2 external")
        agree(session, ctx, [company, university], "concluded", date(2019, 8, 1), "A3 both")
        agree(session, ctx, [company], "negotiating", None, "A4 negotiating")
        agree(session, ctx, [university], "proposed", None, "A5 proposed")
        agree(session, ctx, [company], "cancelled", None, "A6 cancelled before")
        ended = agree(session, ctx, [university], "concluded", date(2019, 9, 1), "A7 ended")
        s.set_agreement_status(session, ctx, ended, status="ended", on=date(2020, 3, 31))
        agree(session, ctx, [company], "concluded", date(2018, 12, 31), "A8 on baseline")
        archived = agree(session, ctx, [company], "concluded", date(2019, 10, 1), "A9 archived")
        s.archive(session, ctx, Agreement, archived)
        agree(session, ctx, [town, npo], "concluded", date(2019, 11, 1), "A10 two external")
    return database


def test_agreements_count_once_concluded_toward_each_partner_class(agreements: Database) -> None:
    with agreements.reading() as session:
        figures = by_code(engine.compute_at(session, date(2020, 3, 31)))
    # private: baseline 0 + A1 + A3 (A4–A6 not concluded, A8 on B, A9 archived)
    assert figures["linkage_private"].value == 2
    # external: baseline 3 + A2 + A3 + A7 (ended still counts) + A10 (two partners, once)
    assert figures["linkage_external"].value == 7
    assert figures["linkage_private"].reconciliation == 1  # A8


def test_agreement_counts_on_its_conclusion_date(agreements: Database) -> None:
    with agreements.reading() as session:
        assert value_at(session, "linkage_private", date(2019, 5, 31)) == 0
        assert value_at(session, "linkage_private", date(2019, 6, 1)) == 1
        assert value_at(session, "linkage_external", date(2019, 7, 31)) == 4


def test_agreement_with_both_kinds_of_partner_is_evidence_for_both(agreements: Database) -> None:
    with agreements.reading() as session:
        private = engine.evidence(session, "linkage_private", through=date(2020, 3, 31))
        external = engine.evidence(session, "linkage_external", through=date(2020, 3, 31))
    assert [r.title for r in private] == ["A1 private", "A3 both"]
    assert [r.title for r in external] == ["A2 external", "A3 both", "A7 ended",
                                           "A10 two external"]
    both = private[1]
    assert both.organizations == "兵庫県立大学; 株式会社播磨データ"  # by kana, else name
    assert both.counted_on == date(2019, 8, 1)


def test_an_agreement_cancelled_after_conclusion_still_counts(
    agreements: Database, ctx: Context
) -> None:
    with agreements.writing() as session:
        a1 = session.scalars(text("SELECT id FROM agreement WHERE title = 'A1 private'")).one()
        s.set_agreement_status(session, ctx, a1, status="cancelled")
    with agreements.reading() as session:
        assert value_at(session, "linkage_private", date(2020, 3, 31)) == 2


# --- distinct companies ---------------------------------------------------------------------


@pytest.fixture
def companies(database: Database, ctx: Context) -> Database:
    with database.writing() as session:
        c1, c2, c3, c4, c5, c6 = (
            org(session, ctx, f"C{i} 株式会社", "company") for i in range(1, 7)
        )
        university = org(session, ctx, "神戸大学", "university")
        meet(session, ctx, date(2018, 10, 1), c1)             # C1 met before B ...
        meet(session, ctx, date(2019, 5, 1), c1)              # ... so never counted again
        meet(session, ctx, date(2019, 1, 10), c2, title="C2 first")
        meet(session, ctx, date(2019, 2, 10), c2)             # C2 met three times: once
        meet(session, ctx, date(2019, 6, 1), c2)
        meet(session, ctx, date(2019, 4, 1), c3, university, title="C3 with a university")
        s.archive(session, ctx, Meeting, meet(session, ctx, date(2019, 4, 2), c4))
        meet(session, ctx, date(2019, 5, 5), c5)
        s.archive(session, ctx, Organization, c5)              # archived company
        s.archive(session, ctx, Meeting, meet(session, ctx, date(2019, 1, 5), c6))
        meet(session, ctx, date(2019, 7, 7), c6, title="C6 first live")
    return database


def test_companies_count_once_from_their_first_meeting_after_the_baseline(
    companies: Database,
) -> None:
    with companies.reading() as session:
        # baseline 3 + C2 (first met 2019-01-10)
        assert value_at(session, "companies_consulted", date(2019, 3, 31)) == 4
        # + C3 (04-01; the university beside it is not a company) + C6 (07-07: its 01-05
        # meeting is archived); C1 was met before B, C4 only in an archived meeting, C5 is
        # archived
        assert value_at(session, "companies_consulted", date(2020, 3, 31)) == 6
    with companies.reading() as session:
        figure = by_code(engine.compute_at(session, date(2020, 3, 31)))["companies_consulted"]
    assert figure.reconciliation == 1  # C1


def test_company_evidence_names_the_company_and_its_first_meeting(companies: Database) -> None:
    with companies.reading() as session:
        rows = engine.evidence(session, "companies_consulted", through=date(2020, 3, 31))
    assert [(r.counted_on, r.organizations, r.title) for r in rows] == [
        (date(2019, 1, 10), "C2 株式会社", "C2 first"),
        (date(2019, 4, 1), "C3 株式会社", "C3 with a university"),
        (date(2019, 7, 7), "C6 株式会社", "C6 first live"),
    ]
    assert {r.record_type for r in rows} == {"meeting"}


def test_companies_per_quarter_count_first_meetings_only(companies: Database) -> None:
    with companies.reading() as session:
        series = engine.computed_series(session, FiscalPeriod(2019, None).quarters())
        points = series[engine.computed_kpi(session, "companies_consulted").id]
    assert [p.count for p in points] == [1, 1, 0, 0]          # C3 in Q1, C6 in Q2
    assert [p.cumulative for p in points] == [5, 6, 6, 6]


def test_auditor_query_on_kpi_evidence_matches_the_engine(companies: Database) -> None:
    as_of = date(2019, 12, 31)
    with companies.reading() as session:
        engine_value = value_at(session, "companies_consulted", as_of)
        audited = session.execute(
            text(
                "SELECT k.baseline + (SELECT coalesce(sum(e.weight), 0) FROM kpi_evidence e"
                " WHERE e.kpi_id = k.id AND e.counted_on <= :as_of)"
                " FROM kpi k JOIN plan p ON p.id = k.plan_id"
                " WHERE p.code = 'ict-policy-2018' AND k.code = 'companies_consulted'"
            ),
            {"as_of": as_of.isoformat()},
        ).scalar_one()
    assert audited == engine_value == 6


# --- measured KPIs --------------------------------------------------------------------------


@pytest.fixture
def measured(database: Database, ctx: Context) -> Database:
    with database.writing() as session:
        def m(code: str, on: date, value: float) -> int:
            measurement = s.record_measurement(
                session, ctx, kpi_code=code, measured_on=on, value=value
            )
            assert measurement.id is not None
            return measurement.id

        m("app_downloads", date(2019, 6, 30), 11000)
        m("app_downloads", date(2019, 12, 31), 12000)
        m("app_downloads", date(2019, 12, 31), 12500)  # same day, entered later: wins
        s.archive(session, ctx, KpiMeasurement, m("app_downloads", date(2020, 3, 31), 99999))
        for on, value in [(date(2021, 4, 30), 4000), (date(2021, 5, 31), 4500),
                          (date(2022, 3, 31), 5000), (date(2022, 4, 30), 100)]:
            m("open_data_catalog_access", on, value)
        m("data_disclosure_review", date(2021, 10, 1), 1)
    return database


def test_level_kpi_takes_the_latest_measurement(measured: Database) -> None:
    with measured.reading() as session:
        assert value_at(session, "app_downloads", date(2019, 6, 29)) == 9958  # baseline
        assert value_at(session, "app_downloads", date(2019, 6, 30)) == 11000
        assert value_at(session, "app_downloads", date(2019, 12, 31)) == 12500
        assert value_at(session, "app_downloads", date(2020, 6, 30)) == 12500  # archived 99999
        figure = by_code(engine.compute_at(session, date(2020, 6, 30)))["app_downloads"]
    assert figure.measured_on == date(2019, 12, 31)


def test_level_kpi_period_count_is_the_change_within_the_period(measured: Database) -> None:
    with measured.reading() as session:
        q3 = by_code(engine.compute_for_period(session, FiscalPeriod(2019, 3)))
    assert q3["app_downloads"].value == 12500
    assert q3["app_downloads"].period_count == 12500 - 11000


def test_annual_kpi_sums_within_the_fiscal_year(measured: Database) -> None:
    code = "open_data_catalog_access"
    with measured.reading() as session:
        assert value_at(session, code, date(2021, 4, 15)) is None   # nothing yet this year
        assert value_at(session, code, date(2021, 5, 31)) == 8500
        assert value_at(session, code, date(2022, 3, 31)) == 13500
        assert value_at(session, code, date(2022, 4, 30)) == 100     # a new fiscal year
        year = by_code(engine.compute_for_period(session, FiscalPeriod(2021, None)))[code]
        q4 = by_code(engine.compute_for_period(session, FiscalPeriod(2021, 4)))[code]
        q1 = by_code(engine.compute_for_period(session, FiscalPeriod(2021, 1)))[code]
        empty = by_code(engine.compute_for_period(session, FiscalPeriod(2020, None)))[code]
    assert (year.value, year.period_count) == (13500, 13500)
    assert (q4.value, q4.period_count) == (13500, 5000)
    assert year.achievement_rate == pytest.approx(27.0)             # 13,500 / 50,000
    # the whole year has passed: expected is the full 50,000, progress 13,500 / 50,000
    assert year.progress_rate == pytest.approx(27.0)
    assert q1.progress_rate == pytest.approx(8500 / (50000 * 91 / 365) * 100)
    assert empty.value is None and empty.to_json()["value"] is None
    assert empty.status == "unknown"


def test_milestone_kpi_is_done_from_its_date(measured: Database) -> None:
    with measured.reading() as session:
        before = by_code(engine.compute_at(session, date(2021, 9, 30)))["data_disclosure_review"]
        after = by_code(engine.compute_at(session, date(2021, 10, 1)))["data_disclosure_review"]
    assert before.value == 0 and before.status == "behind"
    assert after.value == 1 and after.status == "achieved"
    assert after.measured_on == date(2021, 10, 1)


def test_measurements_are_refused_for_computed_and_milestone_misuse(
    database: Database, ctx: Context
) -> None:
    with database.writing() as session:
        with pytest.raises(DataError, match="computed"):
            s.record_measurement(session, ctx, kpi_code="companies_consulted",
                                 measured_on=date(2020, 1, 1), value=5)
        with pytest.raises(DataError, match="milestone"):
            s.record_measurement(session, ctx, kpi_code="data_disclosure_review",
                                 measured_on=date(2020, 1, 1), value=2)
        with pytest.raises(DataError, match="unknown KPI"):
            s.record_measurement(session, ctx, kpi_code="nope", measured_on=date(2020, 1, 1),
                                 value=2)


# --- progress figures -----------------------------------------------------------------------


def test_progress_figures_on_track(events: Database) -> None:
    with events.reading() as session:
        f = by_code(engine.compute_at(session, date(2019, 3, 31)))["outreach_in_city"]
    # value 6, baseline 4 (2018-12-31), target 20 (2023-03-31): 1,551 days in all, 90 gone
    assert f.value == 6
    assert f.achievement_rate == pytest.approx(30.0)                 # 6 / 20
    assert f.progress_rate == pytest.approx(12.5)                    # (6 - 4) / (20 - 4)
    assert f.expected == pytest.approx(4 + 16 * 90 / 1551)           # 4.93
    assert f.status == "on_track"
    assert f.needed_pace == pytest.approx(14 / 48)                   # 14 more in 48 months
    assert f.status_label("ja") == "順調"


def test_progress_figures_behind_and_achieved(events: Database, ctx: Context) -> None:
    with events.reading() as session:
        f = by_code(engine.compute_at(session, date(2022, 3, 31)))["outreach_in_city"]
    # no event since 2019-04-01: value 7; expected 4 + 16 * 1186 / 1551 = 16.23
    assert f.value == 7
    assert f.expected == pytest.approx(4 + 16 * 1186 / 1551)
    assert f.status == "behind" and f.status_label("en") == "Behind"
    assert f.needed_pace == pytest.approx(13 / 12)
    with events.writing() as session:
        for day in range(1, 14):
            event(session, ctx, date(2022, 5, day), "in_city")
    with events.reading() as session:
        f = by_code(engine.compute_at(session, date(2023, 6, 30)))["outreach_in_city"]
    assert f.value == 20
    assert f.status == "achieved"
    assert f.needed_pace == 0
    assert f.expected == 20                                           # after the target date


def test_json_has_the_documented_keys(events: Database) -> None:
    with events.reading() as session:
        figures = engine.compute_for_period(session, FiscalPeriod(2018, 4))
    data = by_code(figures)["outreach_in_city"].to_json()
    for key in ("code", "name_ja", "name_en", "unit", "kind", "baseline", "baseline_as_of",
                "target", "target_by", "value", "period_start", "period_end", "period_count",
                "achievement_rate", "progress_rate", "expected", "status"):
        assert key in data
    assert data["period_start"] == "2019-01-01" and data["period_end"] == "2019-03-31"
    assert data["value"] == 6 and isinstance(data["value"], int)
    assert data["baseline_as_of"] == "2018-12-31" and data["target_by"] == "2023-03-31"
    assert len(figures) == 19


def test_evidence_is_refused_for_a_measured_kpi(database: Database) -> None:
    with database.reading() as session, pytest.raises(DataError, match="not a computed KPI"):
        engine.computed_kpi(session, "app_downloads")


# The auditor's recomputation (docs/schema.md): plain queries on the views and tables, one
# per figure, without the engine.
EVIDENCE = (
    "SELECT coalesce(sum(weight), 0) FROM kpi_evidence"
    " WHERE plan_code = :plan AND kpi_code = :code AND counted_on <= :end"
)
MEASUREMENTS = (
    "FROM kpi_measurement m JOIN kpi k ON k.id = m.kpi_id JOIN plan p ON p.id = k.plan_id"
    " WHERE p.code = :plan AND k.code = :code AND m.archived_at IS NULL"
    " AND m.measured_on <= :end"
)


def auditors_value(session: Session, kpi: engine.KpiDefinition, day: date) -> float | None:
    """The KPI's value at `day`: baseline + evidence, the year's sum, or the latest value."""
    params = {"plan": kpi.plan_code, "code": kpi.code, "end": day.isoformat()}
    if kpi.rule in COMPUTED_RULES:
        count = session.execute(text(EVIDENCE), params).scalar_one()
        return None if day < kpi.baseline_as_of else kpi.baseline + count
    if kpi.rule == "annual":
        start = fiscal_year_range(fiscal_year_of(day))[0].isoformat()
        query = f"SELECT sum(m.value) {MEASUREMENTS} AND m.measured_on >= :start"
        return session.execute(text(query), params | {"start": start}).scalar_one()
    query = f"SELECT m.value {MEASUREMENTS} ORDER BY m.measured_on DESC, m.id DESC LIMIT 1"
    latest = session.execute(text(query), params).scalar()
    return kpi.baseline if latest is None and day >= kpi.baseline_as_of else latest


def auditors_period_count(
    session: Session, kpi: engine.KpiDefinition, period: FiscalPeriod
) -> float | None:
    """What the KPI gained within `period`: its records or measurements dated in it, or for
    a level the change of the latest value."""
    params = {"plan": kpi.plan_code, "code": kpi.code, "start": period.start.isoformat(),
              "end": period.end.isoformat()}
    if kpi.rule in COMPUTED_RULES:
        return session.execute(text(EVIDENCE + " AND counted_on >= :start"), params).scalar_one()
    if kpi.rule == "annual":
        query = f"SELECT sum(m.value) {MEASUREMENTS} AND m.measured_on >= :start"
        return session.execute(text(query), params).scalar_one()
    end = auditors_value(session, kpi, period.end)
    start = auditors_value(session, kpi, period.start - timedelta(days=1))
    return None if end is None or start is None else end - start


def test_several_periods_at_once_agree_with_the_auditors_recomputation(
    events: Database, measured: Database
) -> None:
    periods = [FiscalPeriod(2018, 4), *FiscalPeriod(2019).quarters(), FiscalPeriod(2021),
               FiscalPeriod(2021, 4)]
    with events.reading() as session:
        together = engine.compute_for_periods(session, periods)
        for period in periods:
            for figure in together[period]:
                expected = (auditors_value(session, figure.kpi, period.end),
                            auditors_period_count(session, figure.kpi, period))
                assert (figure.value, figure.period_count) == expected, (period, figure.code)
    # a few by hand: the in-city events of 2019-01-01 and 03-31 in FY2018 Q4; app downloads
    # 11000 → 12500 in FY2019 Q3; catalogue accesses 4000 + 4500 + 5000 in FY2021
    assert by_code(together[FiscalPeriod(2018, 4)])["outreach_in_city"].period_count == 2
    assert by_code(together[FiscalPeriod(2019, 3)])["app_downloads"].period_count == 1500
    assert by_code(together[FiscalPeriod(2021)])["open_data_catalog_access"].value == 13500
