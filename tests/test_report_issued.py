"""Issued reports: stored figures and hashes, history, restatements, and the migration."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError
from sqlmodel import SQLModel

from crm.calendar import FiscalPeriod
from crm.context import Context
from crm.errors import DataError
from crm.models import Meeting, OutreachEvent
from crm.records import services
from crm.reporting.issued import history, restatements
from db.engine import make_engine, sqlite_url
from db.migrate import alembic_config, upgrade
from db.schema_sql import search
from db.session import Database
from reports.publish import build_report, issue_report, publish_report
from tests.test_report import GENERATED, Q3, build, fill, page_texts

Q4 = FiscalPeriod(2022, 4)


@pytest.fixture
def filled(database: Database, ctx: Context) -> Database:
    """The test database with the shared report records."""
    return fill(database, ctx)


def _issue(database: Database, ctx: Context, period: FiscalPeriod = Q3) -> int:
    with database.writing() as session:
        result = build_report(session, period=period, lang="ja", generated_at=GENERATED)
        record = issue_report(session, ctx, result)
        assert record.pdf_sha256 == hashlib.sha256(result.pdf).hexdigest()
        assert record.id is not None
        return record.id


def test_issuing_stores_figures_fingerprint_and_pdf_hash(filled: Database, ctx: Context) -> None:
    issued_id = _issue(filled, ctx)
    with filled.reading() as session:
        [record] = history(session)
        assert record.id == issued_id and (record.fiscal_year, record.quarter) == (2022, 3)
        assert record.issued_by == "tester" and record.lang == "ja"
        figures = json.loads(record.figures_json)
        assert record.fingerprint == build(filled).fingerprint
    lectures, open_data = "ict-policy-2018/lectures_in_city", "ict-policy-2018/open_data_files"
    assert set(figures) >= {lectures, open_data}  # keyed plan/code: plans may share a code
    assert figures[lectures]["value"] == 4
    assert figures[lectures]["period_count"] == 2
    assert ["outreach_event", 6, "2022-12-24"] in figures[lectures]["evidence"]
    assert figures[open_data]["value"] == 2150


def test_unchanged_data_has_no_restatement(filled: Database, ctx: Context) -> None:
    _issue(filled, ctx)
    with filled.reading() as session:
        assert restatements(session, Q3) == []
        assert restatements(session, Q4) == []


def test_archiving_a_counted_record_restates_the_issued_figure(
    filled: Database, ctx: Context
) -> None:
    _issue(filled, ctx)
    with filled.writing() as session:
        services.archive(session, ctx, OutreachEvent, 6)  # a lecture on 2022-12-24
    with filled.reading() as session:
        [restated] = restatements(session, Q4)
    assert restated.period == Q3
    [change] = restated.changes
    assert change.code == "lectures_in_city"
    assert change.published == {"value": 4, "period_count": 2}
    assert change.now == {"value": 3, "period_count": 1}
    [record] = change.records
    assert (record.change, record.record_type, record.record_id, record.counted_on) == (
        "removed", "outreach_event", 6, "2022-12-24")
    assert record.title == "周知 5"
    text = "\n".join(page_texts(build(filled, period=Q4).pdf))
    assert "訂正（再表示）" in text and "発行済み報告 #1" in text
    assert "除外" in text and "周知 5" in text


def test_back_dating_a_meeting_restates_the_company_count(filled: Database, ctx: Context) -> None:
    _issue(filled, ctx)
    with filled.reading() as session:
        meeting = session.get(Meeting, 1)
        assert meeting is not None and meeting.title == "旧来の打合せ"
    with filled.writing() as session:  # the old company's meeting was really in Q3
        services.update_meeting(session, ctx, 1, held_on=date(2022, 12, 5), title="旧来の打合せ",
                                organization_ids=[6])
    with filled.reading() as session:
        [restated] = restatements(session, Q3)
    [change] = restated.changes
    assert change.code == "companies_consulted"
    assert change.now["value"] == change.published["value"] + 1
    assert [(r.change, r.record_id) for r in change.records] == [("added", 1)]


def test_history_lists_issued_reports_oldest_first(filled: Database, ctx: Context) -> None:
    first = _issue(filled, ctx)
    later = Context(user="manager", clock=lambda: datetime(2023, 5, 1, tzinfo=UTC))
    second = _issue(filled, later, Q4)
    with filled.reading() as session:
        records = history(session)
    assert [r.id for r in records] == [first, second]
    assert [r.issued_by for r in records] == ["tester", "manager"]


def test_publishing_writes_the_default_file_and_issues_what_it_wrote(
    filled: Database, ctx: Context, tmp_path: Path
) -> None:
    published = publish_report(filled, ctx, period=Q3, lang="ja", directory=tmp_path,
                               generated_at=GENERATED, issue=True)
    assert published.path == tmp_path / "kpi-report-FY2022-Q3.pdf"
    with filled.reading() as session:
        [record] = history(session)
    assert published.issued_id == record.id
    assert record.pdf_sha256 == hashlib.sha256(published.path.read_bytes()).hexdigest()


def test_a_report_that_cannot_be_written_is_not_issued(
    filled: Database, ctx: Context, tmp_path: Path
) -> None:
    with pytest.raises(DataError, match="cannot write"):
        publish_report(filled, ctx, period=Q3, lang="ja", output=tmp_path / "no" / "r.pdf",
                       generated_at=GENERATED, issue=True)
    with filled.reading() as session:
        assert history(session) == []


@pytest.mark.parametrize("statement", [
    "UPDATE issued_report SET fingerprint = 'x'",
    "DELETE FROM issued_report",
])
def test_issued_reports_cannot_be_changed(
    filled: Database, ctx: Context, statement: str
) -> None:
    _issue(filled, ctx)
    with pytest.raises(IntegrityError, match="issued reports are frozen"):
        with filled.writing() as session:
            session.execute(text(statement))
    with filled.reading() as session:
        assert len(history(session)) == 1


def test_migration_matches_the_models(tmp_path: Path) -> None:
    engine = make_engine(sqlite_url(tmp_path / "drift.sqlite3"))
    upgrade(engine)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True,
                                          "include_object": search.include_object})
        assert compare_metadata(context, SQLModel.metadata) == []
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0001")
        assert "issued_report" not in inspect(connection).get_table_names()
        command.upgrade(config, "head")
        assert "issued_report" in inspect(connection).get_table_names()
    engine.dispose()
