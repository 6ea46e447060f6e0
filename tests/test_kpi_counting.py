"""The engine counts each rule from the base tables (crm.kpi.counting); what auditors read is
the `kpi_counted_record` / `kpi_evidence` views. Both must give the same figures on every
database the tests build: the test fixtures (every source, measure and filter), the demo
database and a generated benchmark database, on the backend under test."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Date, bindparam, text
from sqlmodel import Session

from bench import backends
from bench.generate import generate
from crm.context import Context, fixed_clock
from crm.demo import demo_clock, generate_demo
from crm.kpi import engine
from crm.kpi.counting import Counts
from crm.kpi.rules import COMPUTED_RULES
from db.session import Database
from tests import test_kpi, test_plans
from tests.conftest import BACKEND

# The fixtures of the KPI and plan tests, counted here too.
events = test_kpi.events
agreements = test_kpi.agreements
companies = test_kpi.companies
two_plans = test_plans.two_plans
plan_file = test_plans.plan_file

#: Around the baselines (2018-12-31, 2021-03-31) and across the records' years.
DATES = [date(2018, 9, 30), date(2018, 12, 31), date(2019, 1, 1), date(2019, 6, 30),
         date(2021, 3, 31), date(2021, 4, 1), date(2021, 12, 31), date(2023, 3, 31),
         date(2025, 3, 31), date(2027, 3, 31)]


def view_counts(session: Session, kpi_ids: list[int]) -> dict[int, Counts]:
    """The auditor's counts: the records each KPI's baseline covers (`kpi_counted_record` on
    or before it) and the `kpi_evidence` rows up to each of DATES."""
    covered = dict(session.execute(text(
        "SELECT c.kpi_id, SUM(c.weight) FROM kpi_counted_record c JOIN kpi k ON k.id = c.kpi_id"
        " WHERE c.counted_on <= k.baseline_as_of GROUP BY c.kpi_id")).all())
    evidence = text("SELECT kpi_id, SUM(weight) FROM kpi_evidence WHERE counted_on <= :d"
                    " GROUP BY kpi_id").bindparams(bindparam("d", type_=Date))
    at = [dict(session.execute(evidence, {"d": d}).all()) for d in DATES]
    return {i: Counts(reconciliation=int(covered.get(i) or 0),
                      at=[int(sums.get(i) or 0) for sums in at]) for i in kpi_ids}


def assert_engine_counts_as_the_views(database: Database) -> None:
    with database.reading() as session:
        kpis = [k for k in engine.active_kpis(session) if k.rule in COMPUTED_RULES]
        counted = engine.computed_counts(session, kpis, DATES)
        expected = view_counts(session, [k.id for k in kpis])
    assert kpis and {k.rule for k in kpis} >= {"events", "agreements", "companies"}
    assert counted == expected
    # Not all zero: the fixture has records after some baseline.
    assert any(any(c.at) for c in counted.values())


@pytest.mark.parametrize("fixture", ["events", "agreements", "companies", "two_plans"])
def test_engine_counts_as_the_views_on_the_test_fixtures(
    fixture: str, request: pytest.FixtureRequest
) -> None:
    database: Database = request.getfixturevalue(fixture)
    assert_engine_counts_as_the_views(database)


def test_every_rule_and_filter_is_on_a_fixture(two_plans: Database) -> None:
    with two_plans.reading() as session:
        kpis = [k for k in engine.active_kpis(session) if k.count is not None]
    assert {k.rule for k in kpis} == set(COMPUTED_RULES)
    used = {name for k in kpis if k.count is not None for name, _ in k.count.filter_rows()}
    assert used == {"organization_kind", "event_kind", "agreement_status", "tag"}


def test_engine_counts_as_the_views_on_the_demo_database(database: Database) -> None:
    today = date(2026, 12, 2)
    ctx = Context(user="demo", clock=fixed_clock(demo_clock(today)))
    with database.writing() as session:
        generate_demo(session, ctx, today=today)
    assert_engine_counts_as_the_views(database)


@pytest.fixture
def bench_database(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Database]:
    """A database made by bench.generate (3,000 meetings) on the backend under test."""
    admin_url = None if BACKEND == "sqlite" else request.getfixturevalue("postgres_template")
    url = backends.fresh_url(admin_url, tmp_path, "bench_counting")
    generate(tmp_path / "bench_counting.sqlite3" if admin_url is None else url, meetings=3000)
    database = Database.open(url)
    yield database
    database.dispose()


def test_engine_counts_as_the_views_on_a_generated_bench_database(
    bench_database: Database,
) -> None:
    assert_engine_counts_as_the_views(bench_database)
