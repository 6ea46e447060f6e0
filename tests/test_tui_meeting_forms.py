"""Logging meetings through their form, driven through Pilot: wareki dates, the partner
search, inline checks, the done date, leaving with unsaved input."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select
from textual.widgets import Input, Label

from crm.context import Context
from crm.models import Meeting, MeetingOrganization, Organization
from db.session import Database
from tests.tui_factory import Seeded, kpi_value, press, running, seed, wait_until
from tests.tui_forms import field_error, paste, shown_matches
from tui.app import CRMApp
from tui.kit.form import FormScreen
from tui.widgets.dialogs import ConfirmDialog
from tui.widgets.new_organization import NewOrganizationDialog
from tui.widgets.organization_picker import OrganizationPicker
from tui.widgets.paged_table import PagedTable


@pytest.fixture
def seeded(database: Database, ctx: Context) -> Seeded:
    return seed(database, ctx)


async def test_log_a_meeting_with_wareki_date_and_search(
    database: Database, ctx: Context, seeded: Seeded
) -> None:
    """Then a second meeting, with an organization created inline from the search."""
    before = kpi_value(database, "companies_consulted", ctx.today())
    app = CRMApp(database, ctx)
    async with running(app, "3", "n") as pilot:
        assert isinstance(app.screen, FormScreen)
        await pilot.press("ctrl+u")
        await paste(pilot, "R5.3.30", "製鋼所との意見交換")
        await pilot.press("tab")
        await pilot.press(*"こうべ")  # typed key by key: the incremental search
        await shown_matches(pilot, lambda options: options.option_count > 0 and
                            options.get_option_at_index(0).id == str(seeded.company))
        await pilot.press("enter")
        picker = app.screen.query_one(OrganizationPicker)
        await wait_until(pilot, lambda: [p.id for p in picker.picked] == [seeded.company])
        await pilot.press("tab", "space", "tab")
        await paste(pilot, "概要です", "見積り依頼", "R5.4.10")
        await press(pilot, "ctrl+s", until=lambda: not isinstance(app.screen, FormScreen))
        with database.reading() as session:
            meeting = session.scalars(
                select(Meeting).where(Meeting.title == "製鋼所との意見交換")).one()
            assert meeting.held_on == date(2023, 3, 30)
            assert meeting.follow_up_on == date(2023, 4, 10)
            assert meeting.summary == "概要です"
            assert meeting.next_action == "見積り依頼"
            orgs = session.scalars(select(MeetingOrganization.organization_id).where(
                MeetingOrganization.meeting_id == meeting.id)).all()
            assert orgs == [seeded.company]
        assert kpi_value(database, "companies_consulted", ctx.today()) == (before or 0) + 1

        # A new organization, created inline with the next meeting.
        await press(pilot, "n", until=lambda: isinstance(app.screen, FormScreen))
        await pilot.press("tab")
        await paste(pilot, "新会社と面談", "加古川新電機")
        await shown_matches(pilot, lambda options: options.option_count == 1)
        # The only option: create it; its kind 民間企業, then OK.
        await press(pilot, "enter", until=lambda: isinstance(app.screen, NewOrganizationDialog))
        assert app.focused is app.screen.query_one("#new-name")  # not the kinds, not Cancel
        await pilot.press("tab", "tab", "enter", "down", "enter")
        await press(pilot, "tab", "enter", until=lambda: isinstance(app.screen, FormScreen))
        await press(pilot, "ctrl+s", until=lambda: not isinstance(app.screen, FormScreen))
    with database.reading() as session:
        created = session.scalars(
            select(Organization).where(Organization.name == "加古川新電機")).one()
        assert created.kind == "company"
        meeting = session.scalars(select(Meeting).where(Meeting.title == "新会社と面談")).one()
        assert meeting.held_on == ctx.today()
    assert kpi_value(database, "companies_consulted", ctx.today()) == (before or 0) + 2


async def test_form_validates_inline_saves_nothing_and_asks_before_leaving(
    database: Database, ctx: Context, seeded: Seeded
) -> None:
    app = CRMApp(database, ctx)
    with database.reading() as session:
        before = session.scalar(select(func.count()).select_from(Meeting))
    async with running(app, "3", "n") as pilot:
        await pilot.press("ctrl+u")
        await paste(pilot, "R5.13.40")
        await pilot.press("tab")
        assert field_error(app, "held_on") is not None
        await paste(pilot, "件名だけ")
        await press(pilot, "ctrl+s")
        assert isinstance(app.screen, FormScreen)
        assert field_error(app, "organizations") == "相手先を1つ以上選んでください"
        assert field_error(app, "held_on") is not None
        await pilot.press("escape")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        await pilot.press("n")
        await wait_until(pilot, lambda: isinstance(app.screen, FormScreen))
        await pilot.press("escape", "y")
        await wait_until(pilot, lambda: not isinstance(app.screen, (FormScreen, ConfirmDialog)))
    with database.reading() as session:
        assert session.scalar(select(func.count()).select_from(Meeting)) == before


async def test_ctrl_q_asks_before_dropping_unsaved_input(
    database: Database, ctx: Context, seeded: Seeded
) -> None:
    app = CRMApp(database, ctx)
    async with running(app, "3", "n") as pilot:
        await pilot.press("tab")
        await paste(pilot, "書きかけの件名")
        await press(pilot, "ctrl+q", until=lambda: isinstance(app.screen, ConfirmDialog))
        assert app.screen.query_one("#question", Label).content == app.t("confirm_quit")
        await press(pilot, "n", until=lambda: isinstance(app.screen, FormScreen))
        assert app.return_code is None
        await pilot.press("ctrl+q")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        await pilot.press("y")
        await wait_until(pilot, lambda: app.return_code == 0)


async def test_ctrl_q_quits_at_once_when_nothing_was_typed(
    database: Database, ctx: Context, seeded: Seeded
) -> None:
    app = CRMApp(database, ctx)
    async with running(app, "3", "n") as pilot:
        await pilot.press("ctrl+q")
        await wait_until(pilot, lambda: app.return_code == 0)


async def test_meetings_found_by_a_partners_name_or_kana(
    database: Database, ctx: Context, seeded: Seeded
) -> None:
    """"What did we discuss with X?": the partner's name, its kana, or a staff member's."""
    app = CRMApp(database, ctx)
    async with running(app, "3") as pilot:
        table = app.screen.query_one(PagedTable)
        for typed, expected in (("兵庫県立大学", {seeded.overdue_meeting, seeded.later_meeting}),
                                ("かこがわ", {seeded.due_meeting, seeded.later_meeting}),
                                ("山田", {seeded.overdue_meeting})):
            await pilot.press("slash", "ctrl+u")
            await paste(pilot, typed)
            await press(pilot, "enter")
            assert {int(str(k.value)) for k in table.rows} == expected, typed


async def test_meeting_form_sets_and_clears_the_done_date(
    database: Database, ctx: Context, seeded: Seeded
) -> None:
    def done_on() -> date | None:
        with database.reading() as session:
            meeting = session.get(Meeting, seeded.overdue_meeting)
            assert meeting is not None
            return meeting.follow_up_done_on

    app = CRMApp(database, ctx)
    async with running(app, "3") as pilot:
        table = app.screen.query_one(PagedTable)
        table.move_cursor(row=table.get_row_index(str(seeded.overdue_meeting)))
        await press(pilot, "e", until=lambda: isinstance(app.screen, FormScreen))
        done = app.screen.query_one("#follow_up_done_on", Input)
        done.focus()
        await wait_until(pilot, lambda: app.focused is done)
        await paste(pilot, "R5.2.1")  # before the meeting
        await press(pilot, "ctrl+s")
        assert field_error(app, "follow_up_done_on") == app.t("follow_up_before")
        await pilot.press("ctrl+u")
        await paste(pilot, "R5.3.31")
        await press(pilot, "ctrl+s", until=lambda: not isinstance(app.screen, FormScreen))
        assert done_on() == date(2023, 3, 31)
        table.move_cursor(row=table.get_row_index(str(seeded.overdue_meeting)))
        await press(pilot, "e", until=lambda: isinstance(app.screen, FormScreen))
        done = app.screen.query_one("#follow_up_done_on", Input)
        await wait_until(pilot, lambda: done.value == "2023-03-31")
        done.value = ""
        await press(pilot, "ctrl+s", until=lambda: not isinstance(app.screen, FormScreen))
    assert done_on() is None
