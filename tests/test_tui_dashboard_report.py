"""The dashboard's figures and report, driven through Pilot: every KPI, the trend, the
PDF built and issued."""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select
from textual.widgets import DataTable, Label, Static

from crm.calendar import FiscalPeriod
from crm.context import Context
from crm.kpi.engine import compute_for_period
from crm.models import IssuedReport
from crm.records import services
from db.session import Database
from tests.tui_factory import Seeded, press, running, seed, wait_until
from tui.app import CRMApp
from tui.screens.dashboard import dashboard_figures, trend_quarters
from tui.widgets.dialogs import ConfirmDialog


@pytest.fixture
def seeded(database: Database, ctx: Context) -> Seeded:
    return seed(database, ctx)


async def test_the_issue_dialog_shows_its_whole_warning(
    database: Database, ctx: Context, seeded: Seeded
) -> None:
    app = CRMApp(database, ctx)
    async with running(app, "1") as pilot:
        await press(pilot, "i", until=lambda: isinstance(app.screen, ConfirmDialog))
        question = app.screen.query_one("#question", Label)
        assert "変更できません" in str(question.content)
        dialog = app.screen.query_one("#dialog")
        assert question.region.right <= dialog.content_region.right  # nothing cut at the edge
        assert question.size.height >= 2  # the rest wraps onto the next line


async def test_dashboard_shows_every_kpi_moves_period_and_builds_the_pdf(
    database: Database, ctx: Context, seeded: Seeded, tmp_path: Path
) -> None:
    with database.writing() as session:
        services.record_measurement(session, ctx, kpi_code="open_data_files",
                                    measured_on=date(2023, 3, 1), value=1500)
    app = CRMApp(database, ctx, report_dir=tmp_path)
    async with running(app) as pilot:
        table = app.screen.query_one("#kpis", DataTable)
        assert table.row_count == 0  # the shipped plan ended with FY2022
        assert "計画を選んでください" in str(app.screen.query_one("#as-of", Static).render())
        await press(pilot, "left_square_bracket")
        assert app.screen.period.label("ja") == "令和4年度 第4四半期"  # type: ignore[attr-defined]
        assert table.row_count == 19
        assert "1,500" in str(table.get_row("open_data_files")[2])
        await press(pilot, "p")
        assert not app.screen.query_one("#pdf-progress").display
        assert [n.severity for n in app.notices] == ["information"]
        pdf = tmp_path / "kpi-report-FY2022-Q4.pdf"
        assert pdf.read_bytes().startswith(b"%PDF")
        pdf.unlink()
        await pilot.press("i")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        await press(pilot, "y")
        assert not app.screen.query_one("#pdf-progress").display
        assert [n.severity for n in app.notices] == ["information"] * 2
        assert "#1" in app.notices[-1].message
    with database.reading() as session:
        (issued,) = session.scalars(select(IssuedReport)).all()
    assert (issued.fiscal_year, issued.quarter, issued.lang) == (2022, 4, "ja")
    assert issued.pdf_sha256 == hashlib.sha256(pdf.read_bytes()).hexdigest()


def test_dashboard_trend_matches_the_engine_quarter_by_quarter(
    database: Database, ctx: Context, seeded: Seeded
) -> None:
    with database.writing() as session:
        for code, day, value in (("open_data_files", date(2022, 8, 1), 900),
                                 ("open_data_catalog_access", date(2022, 5, 1), 4000),
                                 ("open_data_catalog_access", date(2023, 2, 1), 6000)):
            services.record_measurement(session, ctx, kpi_code=code, measured_on=day,
                                        value=value)
        services.log_event(session, ctx, held_on=date(2022, 11, 3), kind="in_city",
                           title="市民まつり")
    period = FiscalPeriod(2023, 1)
    with database.reading() as session:
        figures, trend = dashboard_figures(session, period)
        assert [f.to_json() for f in figures] == [
            f.to_json() for f in compute_for_period(session, period)]
        for index, quarter in enumerate(trend_quarters(period)):
            for figure in compute_for_period(session, quarter):
                assert trend.values[figure.code][index] == figure.value, (figure.code, quarter)
