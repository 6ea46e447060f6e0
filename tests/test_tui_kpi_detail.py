"""The KPI screen (Enter on a dashboard row), driven through Pilot: the KPI's figures, its
evidence opening a record, why a record did not count, the comment editor and --read-only."""

from __future__ import annotations

import io
import json
from datetime import date

import pytest
from sqlalchemy import text
from textual.pilot import Pilot
from textual.widgets import DataTable, Label, Static, TextArea

from cli.main import main
from crm.calendar import FiscalPeriod
from crm.context import Context
from crm.kpi.not_counted import PAGE
from crm.records import services
from db.session import URL_VARIABLE, Database
from tests.tui_factory import add_meetings, press, running, settle, shown, wait_until
from tui.app import CRMApp
from tui.kit.navigation import KpiDetail
from tui.screens.dashboard import DashboardScreen
from tui.screens.kpi_detail import KpiDetailScreen
from tui.screens.record_view import RecordViewScreen

CODE = "companies_consulted"


@pytest.fixture
def met_twice(database: Database, ctx: Context) -> Database:
    """A company met in January 2023 and again in March (both FY2022 Q4)."""
    with database.writing() as s:
        company = services.create_organization(s, ctx, name="播磨精機株式会社", kind="company")
        assert company.id is not None
        for day, title in ((date(2023, 1, 10), "初回の意見交換"),
                           (date(2023, 3, 15), "二回目の意見交換")):
            services.log_meeting(s, ctx, held_on=day, title=title,
                                 organization_ids=[company.id])
    return database


async def open_kpi(pilot: Pilot[None], app: CRMApp, code: str) -> KpiDetailScreen:
    """From the dashboard, go back one quarter (FY2022 Q4) and press Enter on `code`'s row."""
    dashboard = app.screen
    assert isinstance(dashboard, DashboardScreen)
    await press(pilot, "left_square_bracket")
    await wait_until(pilot, lambda: dashboard.period.quarter == 4 and dashboard.figures != [])
    await settle(pilot)
    table = dashboard.query_one("#kpis", DataTable)
    table.move_cursor(row=[f.code for f in dashboard.figures].index(code))
    await press(pilot, "enter", until=lambda: isinstance(app.screen, KpiDetailScreen))
    screen = app.screen
    assert isinstance(screen, KpiDetailScreen)
    await wait_until(pilot, lambda: screen.data is not None)
    await settle(pilot)
    return screen


@pytest.mark.parametrize(("lang", "day", "words"), [
    ("ja", "R5.3.15", "R5.1.10 に意見交換済み"),
    ("en", "2023-03-15", "already met on 2023-01-10"),
])
async def test_enter_on_a_kpi_shows_its_figures_evidence_and_why_not_counted(
    met_twice: Database, ctx: Context, lang: str, day: str, words: str
) -> None:
    app = CRMApp(met_twice, ctx, lang=lang)
    async with running(app) as pilot:
        screen = await open_kpi(pilot, app, CODE)
        title = str(screen.query_one("#kpi-title", Static).render())
        assert CODE in title and ("第4四半期" in title if lang == "ja" else "Q4" in title)
        figures = str(screen.query_one("#kpi-figures", Static).render())
        assert ("達成率" if lang == "ja" else "Achieved") in figures
        definition = str(screen.query_one("#kpi-definition", Static).render())
        assert ("初めて意見交換した" if lang == "ja" else "met for the first time") in definition
        evidence = screen.query_one("#evidence", DataTable)
        assert [shown(evidence, index=i)[2] for i in range(evidence.row_count)] == [
            "初回の意見交換"]
        skipped = screen.query_one("#not-counted", DataTable)
        assert skipped.row_count == 1
        assert shown(skipped, index=0) == [
            day, "意見交換" if lang == "ja" else "Meeting", "二回目の意見交換", "播磨精機株式会社",
            words]
        evidence.focus()
        await press(pilot, "enter", until=lambda: isinstance(app.screen, RecordViewScreen))
        assert app.screen.record_title == "初回の意見交換"  # type: ignore[attr-defined]
        await press(pilot, "escape", until=lambda: isinstance(app.screen, KpiDetailScreen))
        await press(pilot, "escape", until=lambda: isinstance(app.screen, DashboardScreen))


@pytest.mark.parametrize(("lang", "words"), [
    ("ja", "測定日: R5.2.1\n出典: 庁内[b]アンケート[/b]\n"),
    ("en", "Measured on: 2023-02-01\nSource: 庁内[b]アンケート[/b]\n"),
])
async def test_a_measured_kpi_shows_its_measurement_date_and_source(
    database: Database, ctx: Context, lang: str, words: str
) -> None:
    with database.writing() as s:  # the source is user text: shown as written, never markup
        services.record_measurement(s, ctx, kpi_code="app_awareness_rate",
                                    measured_on=date(2023, 2, 1), value=21.5,
                                    source="庁内[b]アンケート[/b]")
    app = CRMApp(database, ctx, lang=lang)
    async with running(app) as pilot:
        screen = await open_kpi(pilot, app, "app_awareness_rate")
        figures = str(screen.query_one("#kpi-figures", Static).render())
        # The source on a line of its own, under the value line that ends with the date.
        assert words in figures and "21.5" in figures


async def test_a_saved_comment_appears_in_the_kpi_json(
    met_twice: Database, ctx: Context, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = CRMApp(met_twice, ctx)
    async with running(app) as pilot:
        screen = await open_kpi(pilot, app, CODE)
        analysis = screen.query_one("#comment-analysis", TextArea)
        analysis.focus()
        analysis.insert("既存企業との再訪が中心で、新規は1社")
        screen.query_one("#comment-next", TextArea).insert("[b]新規開拓[/b]を進める")
        await press(pilot, "ctrl+s",
                    until=lambda: any("保存しました" in n.message for n in app.notices))
    monkeypatch.setenv(URL_VARIABLE, database_url)
    out = io.StringIO()
    assert main(["kpi", "--format", "json", "--fiscal-year", "2022", "--quarter", "4"],
                out=out) == 0
    row = next(r for r in json.loads(out.getvalue()) if r["code"] == CODE)
    assert row["comments"] == {"analysis": "既存企業との再訪が中心で、新規は1社",
                               "issues": None, "next": "[b]新規開拓[/b]を進める"}


async def test_read_only_refuses_to_save_a_comment(met_twice: Database, ctx: Context) -> None:
    app = CRMApp(met_twice, ctx, read_only=True)
    async with running(app) as pilot:
        screen = await open_kpi(pilot, app, CODE)
        assert screen.query_one("#comment-analysis", TextArea).read_only
        await press(pilot, "ctrl+s", until=lambda: any(
            n.severity == "error" and "読み取り専用" in n.message for n in app.notices))
    with met_twice.reading() as session:
        assert session.execute(text("SELECT count(*) FROM kpi_comment")).scalar() == 0


async def test_m_pages_through_the_records_not_counted(
    met_twice: Database, ctx: Context
) -> None:
    with met_twice.reading() as session:
        company = session.execute(text(
            "SELECT id FROM organization WHERE name = '播磨精機株式会社'")).scalar_one()
    # FY2022 Q1, before the meetings of `met_twice`: the first of them counts, not the others.
    add_meetings(met_twice, company, PAGE + 10)
    app = CRMApp(met_twice, ctx, lang="en")
    async with running(app) as pilot:
        app.open(KpiDetail("ict-policy-2018", CODE, FiscalPeriod(2022, 1)))
        await wait_until(pilot, lambda: isinstance(app.screen, KpiDetailScreen)
                         and app.screen.data is not None)
        screen = app.screen
        assert isinstance(screen, KpiDetailScreen)
        skipped = screen.query_one("#not-counted", DataTable)
        assert skipped.row_count == PAGE
        assert str(screen.query_one("#not-counted-title", Label).render()).startswith(
            f"Records in the period not counted: {PAGE} of {PAGE + 9}")
        skipped.focus()
        await press(pilot, "m", until=lambda: skipped.row_count == PAGE + 9)
        assert {shown(skipped, index=i)[4] for i in range(skipped.row_count)} == {
            "already met on 2022-04-01"}
