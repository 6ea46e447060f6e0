"""Plans in the TUI, driven through Pilot: the dashboard's choice of plan and the target
in force, the plans screen, a target revised with its reason."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from textual.widgets import DataTable, Input, Select, Static

from crm.context import Context
from crm.kpi import plans
from crm.kpi.engine import compute_at
from crm.kpi.plan_file import read_plan
from db.session import Database
from tests.test_measurement_plans import add_plan
from tests.test_plans import PLAN_FILE
from tests.tui_factory import Seeded, press, running, seed, settle, shown, wait_until
from tests.tui_forms import field_error
from tui.app import CRMApp
from tui.screens.plans import PlansScreen
from tui.screens.target_revision_form import TargetRevisionForm


@pytest.fixture
def seeded(database: Database, ctx: Context) -> Seeded:
    return seed(database, ctx)


def import_test_plan(database: Database, ctx: Context, tmp_path: Path) -> None:
    """Put test_plans' plan test-2021 (meet_all: 10, revised to 20 on 2022-04-01) in."""
    path = tmp_path / "test-2021.toml"
    path.write_text(PLAN_FILE, encoding="utf-8")
    with database.writing() as s:
        assert plans.import_plan(s, ctx, read_plan(path), path.name)


async def test_dashboard_shows_the_chosen_plans_kpis(
    database: Database, ctx: Context, seeded: Seeded, tmp_path: Path
) -> None:
    add_plan(database, tmp_path)
    app = CRMApp(database, ctx)
    async with running(app) as pilot:
        table = app.screen.query_one("#kpis", DataTable)
        select = app.screen.query_one("#plan", Select)
        assert [shown(table, index=0)[1]] == ["オープンデータ数（次期）"]  # in force in FY2023
        select.value = "ict-policy-2018"
        await wait_until(pilot, lambda: table.row_count == 19)
        assert "オープンデータ数（次期）" not in [shown(table, index=i)[1] for i in range(19)]
        select.value = "all"
        await wait_until(pilot, lambda: table.row_count == 20)
        assert {"ict-policy-2018/open_data_files", "next-2023/open_data_files"} <= {
            k.value for k in table.rows}
        select.value = "next-2023"
        await wait_until(pilot, lambda: table.row_count == 1)
        assert [k.value for k in table.rows] == ["open_data_files"]


async def test_plans_screen_shows_a_plans_kpis_rules_and_revisions(
    database: Database, ctx: Context, seeded: Seeded, tmp_path: Path
) -> None:
    import_test_plan(database, ctx, tmp_path)
    app = CRMApp(database, ctx, lang="en")
    async with running(app) as pilot:
        app.screen.query_one("#plan", Select).value = "test-2021"
        await settle(pilot)
        await press(pilot, "l", until=lambda: isinstance(app.screen, PlansScreen))
        table = app.screen.query_one("#plan-kpis", DataTable)
        await wait_until(pilot, lambda: "meet_all" in [k.value for k in table.rows])
        row = shown(table, "meet_all")
        assert row[2] == "Meetings" and "meetings" in row[3].lower()
        assert row[5] == "2022-04-01: 20 (2027-03-31) 上方修正"
        app.screen.query_one("#plan-choice", Select).value = "ict-policy-2018"
        await wait_until(pilot, lambda: table.row_count == 19)
        await press(pilot, "escape", until=lambda: not isinstance(app.screen, PlansScreen))


async def test_a_target_is_revised_with_its_reason_from_the_plans_screen(
    database: Database, ctx: Context, seeded: Seeded, tmp_path: Path
) -> None:
    import_test_plan(database, ctx, tmp_path)
    app = CRMApp(database, ctx)
    async with running(app) as pilot:
        await press(pilot, "l", until=lambda: isinstance(app.screen, PlansScreen))
        app.screen.query_one("#plan-choice", Select).value = "test-2021"
        table = app.screen.query_one("#plan-kpis", DataTable)
        await wait_until(pilot, lambda: "meet_all" in [k.value for k in table.rows])
        table.move_cursor(row=table.get_row_index("meet_all"))
        await press(pilot, "r", until=lambda: isinstance(app.screen, TargetRevisionForm))
        form = app.screen
        await wait_until(pilot, lambda: form.query_one("#target_by", Input).value)
        assert "当初目標: 10回（2027-03-31まで）" in str(
            form.query_one("#revision-kpi", Static).render())
        form.query_one("#target", Input).value = "25"
        await press(pilot, "ctrl+s")
        assert field_error(app, "reason") == "必須です"        # the reason is asked for
        form.query_one("#reason", Input).value = "後期改訂"
        form.query_one("#revised_on", Input).value = "R4.1.1"   # before the last revision
        await press(pilot, "ctrl+s")
        assert app.screen is form and "2022-04-01" in (field_error(app, "revised_on") or "")
        form.query_one("#revised_on", Input).value = "R5.4.1"
        await press(pilot, "ctrl+s", until=lambda: isinstance(app.screen, PlansScreen))
        await wait_until(pilot, lambda: "後期改訂" in shown(table, "meet_all")[5])
        assert shown(table, "meet_all")[5] == (
            "2022-04-01: 20 (2027-03-31) 上方修正; 2023-04-01: 25 (2027-03-31) 後期改訂")
    with database.reading() as s:
        figure = {f.code: f for f in compute_at(s, date(2023, 4, 1), ["test-2021"])}["meet_all"]
    assert (figure.target, figure.to_json()["original_target"]) == (25, 10)


async def test_the_dashboard_shows_the_target_in_force(
    database: Database, ctx: Context, seeded: Seeded, tmp_path: Path
) -> None:
    import_test_plan(database, ctx, tmp_path)
    app = CRMApp(database, ctx)
    async with running(app) as pilot:
        app.screen.query_one("#plan", Select).value = "test-2021"
        table = app.screen.query_one("#kpis", DataTable)
        await wait_until(pilot, lambda: "meet_all" in [k.value for k in table.rows])
        cells = shown(table, "meet_all")
        assert "20回" in cells and "10回" not in cells  # revised on 2022-04-01 from 10
