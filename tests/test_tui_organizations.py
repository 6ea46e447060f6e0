"""Organizations in the TUI, driven through Pilot: search, history and contacts,
duplicates merged and undone; personal data masked in the audit history."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select
from sqlmodel import col
from textual.widgets import DataTable

from crm.audit.chain import history
from crm.context import Context
from crm.models import Meeting, MeetingOrganization, Organization, OrganizationMerge
from crm.records import services
from db.session import Database
from tests.tui_factory import Seeded, kpi_value, press, running, seed, shown, wait_until
from tests.tui_forms import field_error, paste
from tui.app import CRMApp
from tui.screens.audit_history import changes
from tui.screens.duplicates import DuplicatesScreen
from tui.widgets.dialogs import ConfirmDialog
from tui.widgets.paged_table import PagedTable


@pytest.fixture
def seeded(database: Database, ctx: Context) -> Seeded:
    return seed(database, ctx)


async def test_organization_search_history_and_contact(
    database: Database, ctx: Context, seeded: Seeded
) -> None:
    """Search, an organization's history; then a contact added and its masked audit trail."""
    app = CRMApp(database, ctx)
    async with running(app) as pilot:
        await pilot.press("2", "slash")
        await paste(pilot, "ひょうご")
        await press(pilot, "enter")
        table = app.screen.query_one(PagedTable)
        assert table.row_count == 1
        await press(pilot, "escape", "enter")
        history = app.screen.query_one("#history", DataTable)
        kinds = [str(key.value).split(":")[0] for key in history.rows]
        assert sorted(kinds) == ["agreement", "contact", "meeting", "meeting"]
        dates = [shown(history, key)[0] for key in history.rows]
        assert dates[0] >= dates[-1]
        await pilot.press("escape", "slash", "ctrl+u", "enter", "escape")  # search cleared
        table = app.screen.query_one(PagedTable)
        await wait_until(pilot, lambda: table.row_count == 3)
        table.move_cursor(row=table.get_row_index(str(seeded.company)))
        await press(pilot, "enter")
        await press(pilot, "c")
        await paste(pilot, "鈴木 次郎")
        await pilot.press("tab", "tab", "tab", "tab")
        await paste(pilot, "not-an-address")
        await press(pilot, "ctrl+s")
        assert field_error(app, "email") is not None
        await pilot.press("ctrl+u")
        await paste(pilot, "suzuki@example.jp")
        await press(pilot, "ctrl+s")
        history = app.screen.query_one("#history", DataTable)
        assert [str(k.value).split(":")[0] for k in history.rows] == ["contact"]
        await press(pilot, "h")  # the organization's and its contacts' audit history
        audit = app.screen.query_one("#audit", DataTable)
        cells = [[str(c) for c in audit.get_row(key)] for key in audit.rows]
        assert [(r[2].split()[0], r[3]) for r in cells] == [("担当者", "登録"),
                                                            ("団体", "登録")]
        assert "氏名: ***" in cells[0][4] and "メール: ***" in cells[0][4]
        assert "鈴木" not in cells[0][4] and "suzuki@" not in cells[0][4]
        assert "名称: 神戸製鋼株式会社" in cells[1][4]


async def test_duplicates_merged_then_undone(
    database: Database, ctx: Context, seeded: Seeded
) -> None:
    with database.writing() as s:
        keep = services.create_organization(s, ctx, name="播磨データ株式会社", kind="company")
        twin = services.create_organization(s, ctx, name="播磨データー株式会社", kind="company")
        assert keep.id and twin.id
        for organization_id, day in ((keep.id, 10), (twin.id, 20)):
            services.log_meeting(s, ctx, held_on=date(2023, 3, day), title=f"打合せ {day}",
                                 organization_ids=[organization_id])
    keep_id, twin_id = keep.id, twin.id
    before = kpi_value(database, "companies_consulted", ctx.today()) or 0

    def linked(organization_id: int) -> list[str]:
        with database.reading() as session:
            return list(session.scalars(
                select(col(Meeting.title)).join(MeetingOrganization)
                .where(col(MeetingOrganization.organization_id) == organization_id)
                .order_by(col(Meeting.title))))

    app = CRMApp(database, ctx)
    async with running(app, "2", "u") as pilot:
        assert isinstance(app.screen, DuplicatesScreen)
        pairs = app.screen.query_one("#pairs", DataTable)
        key = f"{keep_id}-{twin_id}"
        assert [str(c) for c in pairs.get_row(key)[1:]] == [
            "播磨データ株式会社", "播磨データー株式会社",
            "法人格・かな・全半角・長音を揃えると同じ名前"]
        pairs.move_cursor(row=pairs.get_row_index(key))
        await pilot.press("w", "w", "m")  # swapped and back: keep the older one
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        await press(pilot, "y")
        assert key not in [k.value for k in pairs.rows]
        assert linked(keep_id) == ["打合せ 10", "打合せ 20"] and linked(twin_id) == []
        assert kpi_value(database, "companies_consulted", ctx.today()) == before - 1
        await pilot.press("z")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        await press(pilot, "y")
        assert key in [k.value for k in pairs.rows]
        await press(pilot, "z")  # nothing left to undo
        assert not isinstance(app.screen, ConfirmDialog)
    assert linked(keep_id) == ["打合せ 10"] and linked(twin_id) == ["打合せ 20"]
    assert kpi_value(database, "companies_consulted", ctx.today()) == before
    with database.reading() as session:
        (merge,) = session.scalars(select(OrganizationMerge)).all()
        assert (merge.kept_id, merge.merged_id) == (keep_id, twin_id)
        assert merge.undone_at is not None
        twin_now = session.get(Organization, twin_id)
        assert twin_now is not None and twin_now.archived_at is None


def test_audit_changes_mask_personal_data_unless_allowed(
    database: Database, ctx: Context, seeded: Seeded
) -> None:
    with database.reading() as session:
        (entry,) = history(session, table="contact")  # the seeded contact, 田中 一郎
    assert "氏名: ***" in changes(entry, personal=False, lang="ja")
    assert "Name: 田中 一郎" in changes(entry, personal=True, lang="en")
    assert "department: ***" not in changes(entry, personal=False, lang="en")
    assert "Department: ***" in changes(entry, personal=False, lang="en")
