"""The terminal UI driven through Pilot: keys in, rows in the database and KPIs out."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlmodel import col
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Label, OptionList, Select, Static, TextArea
from textual.widgets._footer import FooterKey

from cli.main import main
from crm.audit.chain import history
from crm.calendar import FiscalPeriod
from crm.context import Context
from crm.kpi import plans
from crm.kpi.engine import compute_at, compute_for_period
from crm.kpi.plan_file import read_plan
from crm.models import (
    Agreement,
    IssuedReport,
    Kpi,
    KpiMeasurement,
    Meeting,
    MeetingOrganization,
    Organization,
    OrganizationMerge,
    OutreachEvent,
    Plan,
)
from crm.records import services
from crm.tags import LINKS, tags_of
from db.session import Database
from tests.test_measurement_plans import add_plan
from tests.test_plans import PLAN_FILE
from tests.tui_factory import (
    Seeded,
    add_meetings,
    press,
    running,
    seed,
    settle,
    shown,
    wait_until,
)
from tui.app import CRMApp
from tui.kit.form import FormScreen
from tui.screens.audit_history import AuditHistoryScreen, changes
from tui.screens.dashboard import dashboard_figures, trend_quarters
from tui.screens.duplicates import DuplicatesScreen
from tui.screens.measurements import MeasurementListScreen
from tui.screens.plans import PlansScreen
from tui.screens.record_view import RecordViewScreen
from tui.screens.target_revision_form import TargetRevisionForm
from tui.widgets.dialogs import ConfirmDialog
from tui.widgets.field import Field
from tui.widgets.help import HelpDialog
from tui.widgets.new_organization import NewOrganizationDialog
from tui.widgets.organization_picker import OrganizationPicker
from tui.widgets.paged_table import PagedTable
from tui.widgets.status_dialog import StatusDialog


@pytest.fixture
def seeded(database: Database, ctx: Context) -> Seeded:
    return seed(database, ctx)


def kpi_value(database: Database, code: str, as_of: date) -> float | None:
    with database.reading() as session:
        return next(f.value for f in compute_at(session, as_of) if f.code == code)


async def paste(pilot: Pilot[None], *texts: str) -> None:
    """Type each text into the focused widget as one paste (much faster than key by key),
    pressing Tab between them."""
    for number, text in enumerate(texts):
        before = pilot.app.focused
        if number:
            await pilot.press("tab")
        # Focus moves when the app handles the key (or, first, when the form has mounted):
        # wait for it rather than assume it (a loaded machine lags).
        moved = number > 0
        await wait_until(pilot, lambda b=before, m=moved: isinstance(
            pilot.app.focused, (Input, TextArea)) and (not m or pilot.app.focused is not b))
        focused = pilot.app.focused
        if isinstance(focused, TextArea):
            focused.insert(text)
        else:
            assert isinstance(focused, Input)
            focused.insert_text_at_cursor(text)
        await pilot.pause()


def field_error(app: CRMApp, name: str) -> str | None:
    return app.screen.query_one(f"#field-{name}", Field).error


def footer_keys(app: CRMApp) -> dict[str, str]:
    """What the footer shows: key -> description."""
    return {k.key: k.description for k in app.screen.query(FooterKey)}


async def shown_matches(pilot: Pilot[None], condition: Callable[[OptionList], bool]) -> None:
    """Wait until the form's organization picker shows matches that meet `condition`."""
    picker = pilot.app.screen.query_one(OrganizationPicker)
    options = picker.query_one(OptionList)
    await wait_until(pilot, lambda: picker.has_class("-searching") and condition(options))


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


@pytest.mark.parametrize("typed", ["1.5", "1e3", "-2", "三十"])
async def test_a_count_that_is_not_a_whole_number_is_refused(
    database: Database, ctx: Context, seeded: Seeded, typed: str
) -> None:
    """Typed key by key: nothing is dropped from what was typed, the field says why."""
    app = CRMApp(database, ctx)
    async with running(app, "5", "n") as pilot:
        attendees = app.screen.query_one("#attendees", Input)
        attendees.focus()
        await pilot.press(*typed)
        assert attendees.value == typed
        await press(pilot, "ctrl+s")
        assert isinstance(app.screen, FormScreen)
        assert field_error(app, "attendees") == app.t("bad_count")
    with database.reading() as session:
        assert session.scalar(select(func.count()).select_from(OutreachEvent)) == 0


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


async def test_agreement_recorded_then_concluded_counts(
    database: Database, ctx: Context, seeded: Seeded
) -> None:
    before = kpi_value(database, "linkage_external", ctx.today())
    app = CRMApp(database, ctx)
    async with running(app, "4", "n") as pilot:
        await paste(pilot, "防災データ連携協定", "兵庫県立")
        await shown_matches(pilot, lambda options: options.option_count == 2)  # and "create"
        await press(pilot, "enter", "ctrl+s")
        with database.reading() as session:
            agreement = session.scalars(
                select(Agreement).where(Agreement.title == "防災データ連携協定")).one()
            assert agreement.status == "proposed"
        table = app.screen.query_one(PagedTable)
        table.move_cursor(row=table.get_row_index(str(agreement.id)))
        await pilot.press("t")
        await wait_until(pilot, lambda: isinstance(app.screen, StatusDialog))
        await pilot.press("enter", "down", "down", "enter", "tab", "ctrl+u")
        await paste(pilot, "R5.3.31")
        await press(pilot, "enter")
        await press(pilot, "h")
        audit = app.screen.query_one("#audit", DataTable)
        newest = shown(audit, index=0)
        assert (newest[2], newest[3]) == (f"協定 {agreement.id}", "更新")
        assert "状況: 提案 → 締結" in newest[4]  # labels, not the stored codes
    with database.reading() as session:
        concluded = session.get(Agreement, agreement.id)
        assert concluded is not None
        assert concluded.status == "concluded"
        assert concluded.concluded_on == date(2023, 3, 31)
    assert kpi_value(database, "linkage_external", ctx.today()) == (before or 0) + 1


async def test_outreach_event_logged_counts(
    database: Database, ctx: Context, seeded: Seeded
) -> None:
    before = kpi_value(database, "lectures_in_city", ctx.today())
    app = CRMApp(database, ctx)
    async with running(app, "5", "n") as pilot:
        await pilot.press("ctrl+u")
        await paste(pilot, "2023-03-31")
        await pilot.press("tab")
        await pilot.press("enter", "down", "down", "down", "enter")  # kind: 出前講座
        await pilot.press("tab")
        await paste(pilot, "中学校でのオープンデータ講座", "市立中学校")
        await pilot.press("tab", "tab")
        await paste(pilot, "35")
        await press(pilot, "ctrl+s")
    with database.reading() as session:
        event = session.scalars(select(OutreachEvent)).one()
        assert (event.kind, event.attendees, event.venue) == ("lecture", 35, "市立中学校")
    assert kpi_value(database, "lectures_in_city", ctx.today()) == (before or 0) + 1


async def test_tags_typed_in_the_form_are_saved_shown_and_filter_the_list(
    database: Database, ctx: Context, seeded: Seeded
) -> None:
    app = CRMApp(database, ctx)
    async with running(app, "5", "n") as pilot:
        await pilot.press("tab", "enter", "down", "enter", "tab")  # kind: 周知広報
        await paste(pilot, "市民まつり")
        app.screen.query_one("#tags", Input).value = "DX; 市民 ;DX"
        await press(pilot, "ctrl+s")
        with database.reading() as session:
            event = session.scalars(select(OutreachEvent)).one()
            assert event.id is not None
            assert tags_of(session, LINKS["events"], event.id) == ["DX", "市民"]
        table = app.screen.query_one(PagedTable)
        await press(pilot, "e", until=lambda: isinstance(app.screen, FormScreen))
        assert app.screen.query_one("#tags", Input).value == "DX; 市民"
        await press(pilot, "escape", until=lambda: not isinstance(app.screen, FormScreen))
        tag = app.screen.query_one("#fb-tag", Input)
        for typed, rows in (("市民", 1), ("市", 0), ("DX", 1)):
            tag.value = typed
            await wait_until(pilot, lambda rows=rows: table.row_count == rows)  # type: ignore[misc]


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




async def test_follow_ups_due_and_overdue_then_done_confirmed_and_undone(
    database: Database, ctx: Context, seeded: Seeded
) -> None:
    app = CRMApp(database, ctx)
    title = "スマートシティ構想の意見交換"

    def done_on() -> date | None:
        with database.reading() as session:
            meeting = session.get(Meeting, seeded.overdue_meeting)
            assert meeting is not None
            return meeting.follow_up_done_on

    async with running(app, "7") as pilot:
        table = app.screen.query_one(PagedTable)
        assert [k.value for k in table.rows] == [str(seeded.overdue_meeting),
                                                 str(seeded.due_meeting)]
        await press(pilot, "c", until=lambda: isinstance(app.screen, ConfirmDialog))
        question = str(app.screen.query_one("#question", Label).content)
        assert title in question and "R5.3.25" in question
        await press(pilot, "n")
        assert done_on() is None and table.row_count == 2
        await press(pilot, "c", "y")
        assert [k.value for k in table.rows] == [str(seeded.due_meeting)]
        assert done_on() == ctx.today()
        assert app.notices[-1].message == app.t("followup_done", title=title)
        assert "z" in app.notices[-1].message  # says how to undo
        await press(pilot, "z")
        assert done_on() is None
        assert [k.value for k in table.rows] == [str(seeded.overdue_meeting),
                                                 str(seeded.due_meeting)]
        await press(pilot, "z")
        assert app.notices[-1].message == app.t("nothing_to_reopen")


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


async def test_archive_is_confirmed_and_restorable(
    database: Database, ctx: Context, seeded: Seeded
) -> None:
    app = CRMApp(database, ctx)
    async with running(app, "3") as pilot:
        table = app.screen.query_one(PagedTable)
        assert table.row_count == 3
        first = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        await pilot.press("d")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        await press(pilot, "y")
        assert table.row_count == 2
        with database.reading() as session:
            meeting = session.get(Meeting, int(first or 0))
            assert meeting is not None and meeting.archived_at is not None
        await press(pilot, "x")
        assert table.row_count == 3
        table.move_cursor(row=table.get_row_index(str(first)))
        await press(pilot, "d", "y")
        await press(pilot, "h")  # its audit history: restored, archived, entered, newest first
        assert isinstance(app.screen, AuditHistoryScreen)
        audit = app.screen.query_one("#audit", DataTable)
        rows = [shown(audit, key) for key in audit.rows]
        assert [int(str(k.value)) for k in audit.rows] == sorted(
            (int(str(k.value)) for k in audit.rows), reverse=True)
        assert [r[3] for r in rows if r[2] == f"意見交換 {first}"] == ["更新", "更新", "登録"]
        assert "保管日時: — → " in rows[1][4] and " → —" in rows[0][4]
        archived_at = rows[1][4].split("保管日時: — → ")[1].split(";")[0]
        assert archived_at == "2023-04-01 12:00"  # the clock's Japan time, not stored UTC
        assert any(r[2].startswith("意見交換の相手先 ") for r in rows)
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen.query(PagedTable))
    with database.reading() as session:
        meeting = session.get(Meeting, int(first or 0))
        assert meeting is not None and meeting.archived_at is None


async def test_read_only_refuses_writes(database: Database, ctx: Context, seeded: Seeded) -> None:
    app = CRMApp(database, ctx, read_only=True)
    async with running(app) as pilot:
        assert "読み取り専用" in app.title
        await press(pilot, "3", "n")
        assert not isinstance(app.screen, FormScreen)
        await press(pilot, "d")
        assert not isinstance(app.screen, ConfirmDialog)
        await press(pilot, "1", "i")  # issuing a report writes: refused
        assert not isinstance(app.screen, ConfirmDialog)
        await press(pilot, "2", "u")  # the duplicates can be listed, not merged
        assert isinstance(app.screen, DuplicatesScreen)
        await press(pilot, "m")
        assert not isinstance(app.screen, ConfirmDialog)
        refusals = [n for n in app.notices if n.message == app.t("read_only_refused")]
        assert len(refusals) == 4
    with database.reading() as session:
        assert session.scalar(select(func.count()).select_from(IssuedReport)) == 0


async def test_read_only_user_reads_a_meeting_and_its_history(
    database: Database, ctx: Context, seeded: Seeded
) -> None:
    with database.writing() as session:
        services.update_meeting(
            session, ctx, seeded.overdue_meeting, held_on=date(2023, 3, 1),
            title="スマートシティ構想の意見交換", organization_ids=[seeded.university],
            staff_ids=[seeded.staff], summary="[b]要旨[/b] を共有した", next_action="資料送付",
            follow_up_on=date(2023, 3, 25))
        services.record_measurement(session, ctx, kpi_code="open_data_files",
                                    measured_on=date(2023, 3, 1), value=1500)
    app = CRMApp(database, ctx, read_only=True)
    async with running(app, "3") as pilot:
        table = app.screen.query_one(PagedTable)
        table.move_cursor(row=table.get_row_index(str(seeded.overdue_meeting)))
        await press(pilot, "enter", until=lambda: isinstance(app.screen, RecordViewScreen))
        await wait_until(pilot, lambda: app.screen.query(Field))
        values = {f.field_name: str(f.query_one(".record-value", Label).content)
                  for f in app.screen.query(Field)}
        assert values["summary"] == "[b]要旨[/b] を共有した"  # as written, never markup
        assert values["organizations"] == "兵庫県立大学"
        assert values["staff"] == "山田 太郎"
        assert values["follow_up_on"] == "R5.3.25" and values["follow_up_done_on"] == "—"
        await press(pilot, "h", until=lambda: isinstance(app.screen, AuditHistoryScreen))
        await press(pilot, "escape", until=lambda: isinstance(app.screen, RecordViewScreen))
        await press(pilot, "escape", until=lambda: app.screen.query(PagedTable))
        # measurements have no view: refused, as before
        await press(pilot, "6", until=lambda: isinstance(app.screen, MeasurementListScreen)
                    and app.screen.query_one(PagedTable).row_count > 0)
        await press(pilot, "enter", until=lambda: app.notices
                    and app.notices[-1].message == app.t("read_only_refused"))


async def test_list_pages_filters_and_sorts(
    database: Database, ctx: Context, seeded: Seeded
) -> None:
    add_meetings(database, seeded.company, 250)
    app = CRMApp(database, ctx)
    async with running(app, "3") as pilot:
        table = app.screen.query_one(PagedTable)
        assert table.row_count == 100
        await press(pilot, "end")
        assert table.row_count == 200
        assert "/ 253" in str(app.screen.query_one("#list-status").render())
        await pilot.press("slash")
        await paste(pilot, "意見交換")
        await press(pilot, "enter")
        assert [k.value for k in table.rows] == [str(seeded.overdue_meeting)]
        app.screen.query_one("#fb-text", Input).value = ""
        await wait_until(pilot, lambda: table.row_count == 100)  # after the typing pause
        await press(pilot, "escape", "s")  # sort by title, descending
        titles = [shown(table, k)[1] for k in table.rows]
        assert titles == sorted(titles, reverse=True)
        await press(pilot, "r")
        titles = [shown(table, k)[1] for k in table.rows]
        assert titles == sorted(titles)


async def test_english_and_command_palette(
    database: Database, ctx: Context, seeded: Seeded
) -> None:
    app = CRMApp(database, ctx, lang="en")
    async with running(app) as pilot:
        assert app.title == "Kakogawa partnership CRM"
        commands = [c.title for c in app.get_system_commands(app.screen)]
        assert "Go to: Meetings" in commands
        assert "Issue report" in commands
        await pilot.press("ctrl+p")
        await paste(pilot, "Go to: Follow")
        await press(pilot, "enter")
        assert app.current_mode == "follow_ups"
        await pilot.click("Tab#organizations")  # the mouse works too
        await wait_until(pilot, lambda: app.current_mode == "organizations")
        await settle(pilot)
        assert app.current_mode == "organizations"
        assert "Duplicates" in [c.title for c in app.get_system_commands(app.screen)]
        await press(pilot, "5")
        assert "Audit history" in [c.title for c in app.get_system_commands(app.screen)]


@pytest.mark.parametrize(("lang", "new", "quit_"), [("ja", "新規", "終了"), ("en", "New", "Quit")])
async def test_help_lists_the_screens_keys_in_its_language(
    database: Database, ctx: Context, seeded: Seeded, lang: str, new: str, quit_: str
) -> None:
    app = CRMApp(database, ctx, lang=lang)
    async with running(app, "3") as pilot:
        for key in ("question_mark", "f1"):
            await press(pilot, key, until=lambda: isinstance(app.screen, HelpDialog))
            table = app.screen.query_one("#help-keys", DataTable)
            rows = [tuple(shown(table, k)) for k in table.rows]
            assert ("n", new) in rows and ("q", quit_) in rows and ("?", app.t("help")) in rows
            assert ("3", app.t("meetings")) in rows  # the app's keys follow the screen's
            assert not any(description.startswith("Cursor") for _, description in rows)
            await press(pilot, "escape", until=lambda: not isinstance(app.screen, HelpDialog))


async def test_q_quits_where_nothing_is_edited(
    database: Database, ctx: Context, seeded: Seeded
) -> None:
    app = CRMApp(database, ctx)
    async with running(app, "5", "n") as pilot:
        kind = app.screen.query_one("#kind")
        kind.focus()
        await wait_until(pilot, lambda: app.focused is kind)
        await press(pilot, "q")  # in a form: nothing
        assert isinstance(app.screen, FormScreen) and app.return_code is None
        await press(pilot, "escape", until=lambda: not isinstance(app.screen, FormScreen))
        await pilot.press("slash", "q")  # typed into the search box
        assert app.screen.query_one("#fb-text", Input).value == "q"
        assert app.return_code is None
        await press(pilot, "escape")
        keys = footer_keys(app)
        assert keys["q"] == "終了"
        await pilot.press("q")
        await wait_until(pilot, lambda: app.return_code == 0)


async def test_palette_footer_and_menus_speak_japanese(
    database: Database, ctx: Context, seeded: Seeded
) -> None:
    app = CRMApp(database, ctx)
    async with running(app, "5", "n") as pilot:
        keys = footer_keys(app)
        assert keys["ctrl+p"] == "コマンド"
        titles = {c.title for c in app.get_system_commands(app.screen)}
        assert {"終了", "配色", "キー一覧"} <= titles and "Quit" not in titles
        kind = app.screen.query_one("#kind")
        kind.focus()
        await wait_until(pilot, lambda: app.focused is kind)
        await pilot.press("enter")  # the kinds' menu
        await wait_until(pilot, lambda: "選択肢を閉じる" in footer_keys(app).values())
    english = CRMApp(database, ctx, lang="en")
    async with running(english):
        assert "Quit" in {c.title for c in english.get_system_commands(english.screen)}


async def test_the_focused_field_is_marked(
    database: Database, ctx: Context, seeded: Seeded
) -> None:
    app = CRMApp(database, ctx)
    async with running(app, "5", "n") as pilot:
        def marked() -> list[str]:
            return [f.field_name for f in app.screen.query(Field) if f.has_class("-focused")]

        await wait_until(pilot, lambda: marked() == ["held_on"])
        await pilot.press("tab", "tab")
        await wait_until(pilot, lambda: marked() == ["title"])
        label = app.screen.query_one("#field-title .field-label")
        other = app.screen.query_one("#field-venue .field-label")
        assert label.styles.color != other.styles.color


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


async def test_a_read_only_user_cannot_revise_a_target(
    database: Database, ctx: Context, seeded: Seeded
) -> None:
    app = CRMApp(database, ctx, read_only=True)
    async with running(app) as pilot:
        await press(pilot, "l", until=lambda: isinstance(app.screen, PlansScreen))
        table = app.screen.query_one("#plan-kpis", DataTable)
        await wait_until(pilot, lambda: table.row_count == 19)
        await press(pilot, "r")
        assert isinstance(app.screen, PlansScreen)
        assert app.notices[-1].severity == "error"


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


def test_crm_without_a_command_opens_the_ui(
    database_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[CRMApp] = []
    monkeypatch.setattr(CRMApp, "run", lambda self: opened.append(self))
    monkeypatch.setenv("CRM_LANG", "en")
    assert main(["--db", str(database_path), "--read-only"]) == 0
    app = opened[0]
    assert (app.lang, app.read_only, app.personal) == ("en", True, False)
    assert main(["--db", str(database_path), "--show-personal"]) == 0
    assert opened[-1].personal is True
    assert app.title == "Kakogawa partnership CRM [read-only]"
