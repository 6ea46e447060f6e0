"""KPI measurements in the TUI, driven through Pilot: entered, refused, named by plan,
shown in English units."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select
from textual.widgets import DataTable, Input, Select

from crm.context import Context
from crm.models import Kpi, KpiMeasurement, Plan
from crm.records import services
from db.session import Database
from tests.test_measurement_plans import add_plan
from tests.tui_factory import Seeded, kpi_value, press, running, seed, shown
from tests.tui_forms import field_error, paste
from tui.app import CRMApp
from tui.kit.form import FormScreen
from tui.widgets.paged_table import PagedTable


@pytest.fixture
def seeded(database: Database, ctx: Context) -> Seeded:
    return seed(database, ctx)


async def test_a_measurement_that_is_not_a_number_is_refused(
    database: Database, ctx: Context, seeded: Seeded
) -> None:
    app = CRMApp(database, ctx)
    async with running(app, "6", "n") as pilot:
        await pilot.press("enter", "down", "down", "enter", "tab", "ctrl+u")
        await paste(pilot, "R5.3.31")
        await pilot.press("tab", *"2,100")
        await press(pilot, "ctrl+s")
        assert app.screen.query_one("#value", Input).value == "2,100"
        assert field_error(app, "value") == app.t("bad_number")
        await pilot.press("ctrl+u", *"2100.5")
        await press(pilot, "ctrl+s", until=lambda: not isinstance(app.screen, FormScreen))
    assert kpi_value(database, "open_data_files", ctx.today()) == 2100.5


async def test_measurement_entered_sets_the_kpi(
    database: Database, ctx: Context, seeded: Seeded
) -> None:
    app = CRMApp(database, ctx)
    async with running(app, "6", "n") as pilot:
        await pilot.press("enter", "down", "down", "enter")  # open_data_files
        await pilot.press("tab", "ctrl+u")
        await paste(pilot, "R5.3.31", "2100", "CKAN集計")
        await press(pilot, "ctrl+s")
        assert app.screen.query_one(PagedTable).row_count == 1
    assert kpi_value(database, "open_data_files", ctx.today()) == 2100


async def test_measurement_names_the_plan_of_a_code_in_two_plans(
    database: Database, ctx: Context, seeded: Seeded, tmp_path: Path
) -> None:
    add_plan(database, tmp_path)
    app = CRMApp(database, ctx)
    async with running(app, "6", "n") as pilot:
        kpi = app.screen.query_one("#kpi_code", Select)
        kpi.value = "next-2023/open_data_files"  # the choices are read: the app has settled
        app.screen.query_one("#value", Input).value = "2500"
        await press(pilot, "ctrl+s", until=lambda: not isinstance(app.screen, FormScreen))
    with database.reading() as session:
        (measurement,) = session.scalars(select(KpiMeasurement)).all()
        kpi_row = session.get(Kpi, measurement.kpi_id)
        assert kpi_row is not None and measurement.value == 2500
        assert (session.get(Plan, kpi_row.plan_id) or Plan()).code == "next-2023"


async def test_english_units_for_kpis(
    database: Database, ctx: Context, seeded: Seeded
) -> None:
    with database.writing() as session:
        services.record_measurement(session, ctx, kpi_code="open_data_files",
                                    measured_on=date(2023, 3, 1), value=1500)
    app = CRMApp(database, ctx, lang="en")
    async with running(app, "left_square_bracket") as pilot:  # FY2022 Q4: the shipped plan
        table = app.screen.query_one("#kpis", DataTable)
        assert table.row_count == 19
        figures = [str(cell) for key in table.rows for cell in table.get_row(key)[2:4]]
        assert not [f for f in figures if any(u in f for u in "件回社人セ")]
        assert "1,500" in str(table.get_row("open_data_files")[2])
        await press(pilot, "6")
        values = [shown(app.screen.query_one(PagedTable), index=0)[2]]
        assert not [v for v in values if any(u in v for u in "件回社人セ")]
