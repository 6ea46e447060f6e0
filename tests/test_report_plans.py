"""Two plans sharing a KPI code in one report: each KPI keeps its own evidence, chart and
frozen figures (keyed 'plan/code'), and a restatement compares each with its own."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import text

from crm.calendar import FiscalPeriod
from crm.context import Context
from crm.kpi import plans
from crm.kpi.plan_file import read_plan
from crm.reporting import issued
from crm.reporting.issued import restatements
from db.session import Database
from reports.publish import build_report, issue_report
from tests.test_plans import PLAN_FILE, _meet, plan_file, two_plans

__all__ = ["plan_file", "two_plans"]  # fixtures used below

FY2021 = FiscalPeriod(2021)
GENERATED = datetime(2022, 4, 5, 1, 0, tzinfo=UTC)
#: The test plan again under another code, its meet_all counting meetings with universities.
TWIN = PLAN_FILE.replace('code = "test-2021"', 'code = "twin-2021"', 1).replace(
    'source = "meetings"\n', 'source = "meetings"\norganization_kinds = ["university"]\n', 1)


def test_two_plans_sharing_a_code_keep_their_own_evidence_and_issued_figures(
    two_plans: Database, ctx: Context, tmp_path: Path
) -> None:
    twin = tmp_path / "twin-2021.toml"
    twin.write_text(TWIN, encoding="utf-8")
    with two_plans.writing() as session:
        assert plans.import_plan(session, ctx, read_plan(twin), twin.name)
        result = build_report(session, period=FY2021, lang="ja", generated_at=GENERATED,
                              plan="all")
        content = result.content
        assert [len(content.evidence[k]) for k in ("test-2021/meet_all", "twin-2021/meet_all")
                ] == [3, 1]                      # every meeting after the baseline; with U1
        assert {"test-2021/meet_all", "twin-2021/meet_all"} <= set(content.series)
        published = result.published
        assert (published["test-2021/meet_all"]["value"],
                published["twin-2021/meet_all"]["value"]) == (3, 1)
        issue_report(session, ctx, result)
    with two_plans.writing() as session:  # a meeting with a company: test-2021 only
        company = session.execute(text("SELECT id FROM organization WHERE name = 'C2'"))
        _meet(session, ctx, date(2021, 9, 1), [company.scalar_one()])
    with two_plans.reading() as session:
        (restated,) = restatements(session, FY2021)
    changes = [(c.code, c.published["value"], c.now["value"]) for c in restated.changes]
    assert changes == [("meet_all", 3, 4)]


def test_a_report_issued_with_bare_codes_is_still_restated(
    two_plans: Database, ctx: Context
) -> None:
    """Reports issued before the keys named the plan froze their figures by code alone."""
    with two_plans.writing() as session:
        result = build_report(session, period=FY2021, lang="ja", generated_at=GENERATED,
                              plan="test-2021")
        bare = {key.split("/", 1)[1]: entry for key, entry in result.published.items()}
        issued.issue(session, ctx, period=FY2021, lang="ja", generated_at=GENERATED,
                     fingerprint=result.fingerprint, pdf_sha256=result.sha256, figures=bare,
                     anchor=result.content.audit_head)
        company = session.execute(text("SELECT id FROM organization WHERE name = 'C2'"))
        _meet(session, ctx, date(2021, 9, 1), [company.scalar_one()])
    with two_plans.reading() as session:
        (restated,) = restatements(session, FY2021)
    assert ("meet_all", 3, 4) in [
        (c.code, c.published["value"], c.now["value"]) for c in restated.changes]
