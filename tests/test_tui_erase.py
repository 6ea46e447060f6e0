"""Erasing a contact's personal data from the TUI (x on an organization's history), and who
made a change in the audit history screen ("login (as name)"), driven through Pilot."""

from __future__ import annotations

import pytest
from sqlmodel import select
from textual.widgets import DataTable, Label, Static

from crm.audit import chain as audit
from crm.context import Context, os_login
from crm.models import Contact, ContactErasure
from crm.records.erasure import ERASED_NAME
from db.session import Database
from tests.tui_factory import press, running, seed, wait_until
from tests.tui_forms import paste
from tui.app import CRMApp
from tui.screens.audit_history import AuditHistoryScreen
from tui.screens.organization_detail import OrganizationDetailScreen
from tui.widgets.erase_dialog import EraseContactDialog
from tui.widgets.paged_table import PagedTable


def _contact_id(database: Database) -> int:
    with database.reading() as session:
        contact = session.exec(select(Contact).where(Contact.name == "田中 一郎")).one()
        return contact.id or 0


async def test_a_contact_is_erased_after_a_confirmation_naming_them_and_a_reason(
    database: Database, ctx: Context
) -> None:
    seeded = seed(database, ctx)
    contact_id = _contact_id(database)
    app = CRMApp(database, ctx)
    async with running(app, "2") as pilot:
        table = app.screen.query_one(PagedTable)
        table.move_cursor(row=table.get_row_index(str(seeded.university)))
        await press(pilot, "enter", until=lambda: isinstance(app.screen, OrganizationDetailScreen))
        history = app.screen.query_one("#history", DataTable)
        await wait_until(pilot, lambda: f"contact:{contact_id}" in history.rows)
        history.move_cursor(row=history.get_row_index(f"contact:{contact_id}"))
        await press(pilot, "x", until=lambda: isinstance(app.screen, EraseContactDialog))
        question = str(app.screen.query_one("#question", Label).content)
        assert "田中 一郎 の個人情報" in question and "元には戻せません" in question
        await press(pilot, "enter")  # no reason: asked for one, nothing erased
        assert str(app.screen.query_one("#erase-error", Static).content) == (
            "理由を入力してください")
        await paste(pilot, "本人からの削除依頼")
        await press(pilot, "enter",
                    until=lambda: isinstance(app.screen, OrganizationDetailScreen))
        await wait_until(pilot, lambda: any(n.message == "田中 一郎 の個人情報を消去しました"
                                            for n in app.notices))
        history = app.screen.query_one("#history", DataTable)
        await wait_until(pilot, lambda: f"contact:{contact_id}" in history.rows and str(
            history.get_row(f"contact:{contact_id}")[2]) == ERASED_NAME)
    with database.reading() as session:
        contact = session.get(Contact, contact_id)
        assert contact is not None and contact.name == ERASED_NAME
        assert contact.department is None
        erasure = session.exec(select(ContactErasure)).one()
        assert (erasure.contact_id, erasure.reason) == (contact_id, "本人からの削除依頼")
        assert audit.verify(session).ok


async def test_erasing_is_refused_read_only_and_asks_for_a_contact_row(
    database: Database, ctx: Context
) -> None:
    seeded = seed(database, ctx)
    app = CRMApp(database, ctx, read_only=True)
    async with running(app, "2") as pilot:
        table = app.screen.query_one(PagedTable)
        table.move_cursor(row=table.get_row_index(str(seeded.university)))
        await press(pilot, "enter", until=lambda: isinstance(app.screen, OrganizationDetailScreen))
        await press(pilot, "x")
        assert not isinstance(app.screen, EraseContactDialog)
        assert app.notices[-1].message == app.t("read_only_refused")
    app = CRMApp(database, ctx)
    async with running(app, "2") as pilot:
        table = app.screen.query_one(PagedTable)
        table.move_cursor(row=table.get_row_index(str(seeded.university)))
        await press(pilot, "enter", until=lambda: isinstance(app.screen, OrganizationDetailScreen))
        history = app.screen.query_one("#history", DataTable)
        meeting = next(k for k in history.rows if str(k.value).startswith("meeting:"))
        history.move_cursor(row=history.get_row_index(meeting))
        await press(pilot, "x")
        assert not isinstance(app.screen, EraseContactDialog)
        assert app.notices[-1].message == app.t("erase_not_contact")
    with database.reading() as session:
        assert session.exec(select(ContactErasure)).first() is None


async def test_the_history_shows_the_login_and_the_name_acted_for(
    database: Database, ctx: Context, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CRM_USER", "窓口 花子")  # the name the program acts for
    seeded = seed(database, ctx)
    app = CRMApp(database, ctx)
    async with running(app, "2") as pilot:
        table = app.screen.query_one(PagedTable)
        table.move_cursor(row=table.get_row_index(str(seeded.university)))
        await press(pilot, "enter", until=lambda: isinstance(app.screen, OrganizationDetailScreen))
        await press(pilot, "h", until=lambda: isinstance(app.screen, AuditHistoryScreen))
        audit_table = app.screen.query_one("#audit", DataTable)
        await wait_until(pilot, lambda: audit_table.row_count > 0)
        who = {str(audit_table.get_row(key)[1]) for key in audit_table.rows}
    with database.reading() as session:  # the OS login on SQLite, the database login on PG
        logins = {e.changed_by for e in audit.history(session, table="organization")}
    assert logins == {os_login() if database.engine.dialect.name == "sqlite" else "postgres"}
    assert who == {f"{login}（窓口 花子 として）" for login in logins}
