"""The history view: linked ids shown as names, and a whole value on Enter (issue 14 item 4)."""

from __future__ import annotations

from datetime import date

from textual.widgets import DataTable, Label

from crm.context import Context
from crm.records import services
from db.session import Database
from tests.tui_factory import Seeded, press, running, seed, wait_until
from tui.app import CRMApp
from tui.screens.audit_history import AuditHistoryScreen, changes, read_history
from tui.widgets.dialogs import TextDialog
from tui.widgets.paged_table import PagedTable

LONG_SUMMARY = "長い要旨。" * 40 + "[b]最後の一文[/b]"


def _meeting_with_links(database: Database, ctx: Context) -> tuple[Seeded, int]:
    seeded = seed(database, ctx)
    with database.writing() as s:
        contact = services.add_contact(s, ctx, organization_id=seeded.university, name="鈴木 花")
        meeting = services.log_meeting(
            s, ctx, held_on=date(2023, 3, 31), title="要旨の長い意見交換",
            organization_ids=[seeded.university], staff_ids=[seeded.staff],
            contact_ids=[contact.id or 0], summary=LONG_SUMMARY, tags=["防災"])
        services.record_measurement(s, ctx, kpi_code="open_data_files",
                                    measured_on=date(2023, 3, 1), value=1500)
    return seeded, meeting.id or 0


def test_linked_ids_are_names_and_contacts_only_with_personal_data(
        database: Database, ctx: Context) -> None:
    _seeded, meeting = _meeting_with_links(database, ctx)
    with database.reading() as session:
        for personal in (True, False):
            entries, names = read_history(session, [("meeting", meeting)], 50,
                                          personal=personal, lang="ja")
            shown = [changes(e, personal=personal, lang="ja", names=names) for e in entries]
            links = {e.table_name: text for e, text in zip(entries, shown, strict=True)}
            assert "兵庫県立大学" in links["meeting_organization"]
            assert "山田 太郎" in links["meeting_staff"]
            assert "タグ: 防災" in links["meeting_tag"]
            assert ("鈴木 花" in links["meeting_contact"]) is personal
        entries, names = read_history(session, [("kpi_measurement", 1)], 5, personal=False,
                                      lang="en")
        shown_en = changes(entries[0], personal=False, lang="en", names=names)
        assert "KPI: Open-data files published" in shown_en


async def test_enter_shows_a_cut_value_whole(database: Database, ctx: Context) -> None:
    _seeded, meeting = _meeting_with_links(database, ctx)
    app = CRMApp(database, ctx)
    async with running(app, "3") as pilot:
        table = app.screen.query_one(PagedTable)
        table.move_cursor(row=table.get_row_index(str(meeting)))
        await press(pilot, "h", until=lambda: isinstance(app.screen, AuditHistoryScreen))
        screen = app.screen
        assert isinstance(screen, AuditHistoryScreen)
        history = screen.query_one(DataTable)
        await wait_until(pilot, lambda: history.row_count > 0)
        inserted = next(e for e in screen.entries
                        if e.table_name == "meeting" and e.action == "insert")
        history.move_cursor(row=history.get_row_index(str(inserted.id)))
        await press(pilot, "enter", until=lambda: isinstance(app.screen, TextDialog))
        body = str(app.screen.query_one("#text", Label).content)
        assert LONG_SUMMARY in body  # whole, and as written (never markup)
        await press(pilot, "escape", until=lambda: isinstance(app.screen, AuditHistoryScreen))
