"""A form saved over a change someone made meanwhile: refused, who and when shown, reload
offered (Pilot; on whichever backend the suite runs)."""

from __future__ import annotations

from datetime import date

import pytest
from textual.widgets import Input, Static

from crm.audit import chain as audit
from crm.context import Context
from crm.models import Meeting
from crm.records import services
from db.session import Database
from tests.tui_factory import Seeded, press, running, seed, wait_until
from tui.app import CRMApp
from tui.kit.form import FormScreen
from tui.widgets.dialogs import ConfirmDialog
from tui.widgets.paged_table import PagedTable


@pytest.fixture
def seeded(database: Database, ctx: Context) -> Seeded:
    return seed(database, ctx)


def _title(database: Database, meeting_id: int) -> str:
    with database.reading() as session:
        meeting = session.get(Meeting, meeting_id)
        assert meeting is not None
        return meeting.title


async def test_a_form_saved_over_a_change_made_meanwhile_names_who_and_reloads(
    database: Database, ctx: Context, seeded: Seeded
) -> None:
    app = CRMApp(database, ctx)
    async with running(app, "3") as pilot:
        table = app.screen.query_one(PagedTable)
        table.move_cursor(row=table.get_row_index(str(seeded.overdue_meeting)))
        await press(pilot, "e", until=lambda: isinstance(app.screen, FormScreen))
        form = app.screen
        assert isinstance(form, FormScreen)
        await wait_until(pilot, lambda: form.version == 1)
        title = form.query_one("#title", Input)
        await wait_until(pilot, lambda: title.value == "スマートシティ構想の意見交換")

        other = Database.open(database.url)  # a colleague saves the same meeting meanwhile
        try:
            with other.writing(actor="sato") as session:
                services.update_meeting(
                    session, ctx, seeded.overdue_meeting, held_on=date(2023, 3, 1),
                    title="佐藤が直した題", organization_ids=[seeded.university], version=1)
        finally:
            other.dispose()

        title.value = "山田が直した題"
        await press(pilot, "ctrl+s", until=lambda: isinstance(app.screen, ConfirmDialog))
        shown = str(form.query_one("#form-error", Static).render())
        with database.reading() as session:
            changed = audit.history(session, table="meeting", row_id=seeded.overdue_meeting)
        when = [e for e in changed if e.table_name == "meeting"][-1].changed_at
        assert "sato" in shown and when in shown and "変更しました" in shown
        assert "\n" not in shown
        assert _title(database, seeded.overdue_meeting) == "佐藤が直した題"

        await press(pilot, "y", until=lambda: app.screen is form and form.version == 2)
        await wait_until(pilot, lambda: title.value == "佐藤が直した題")
        assert str(form.query_one("#form-error", Static).render()) == ""
        title.value = "山田が直した題"
        await press(pilot, "ctrl+s", until=lambda: not isinstance(app.screen, FormScreen))
    assert _title(database, seeded.overdue_meeting) == "山田が直した題"
