"""The meetings list (意見交換), and the follow-ups: the meetings whose follow-up is overdue,
due this week, or still open."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.text import Text
from sqlmodel import Session
from textual.binding import Binding

from crm.formatting import format_day
from crm.records import entities, services
from crm.records.queries import (
    FOLLOW_UP_SCOPES,
    MeetingRow,
    count_follow_ups,
    count_meetings,
    follow_up_page,
    meeting_page,
)
from tui.kit.record_list import ListQueries, RecordListScreen
from tui.messages import WriteDone
from tui.widgets.dialogs import ConfirmDialog
from tui.widgets.filter_bar import FilterBar


class MeetingListScreen(RecordListScreen[MeetingRow]):
    """Every meeting, newest first, read a page at a time."""

    BINDINGS = [Binding("h", "history", "audit_history")]

    section = "meetings"
    kind = "meeting"
    entity = entities.MEETINGS
    queries = ListQueries(meeting_page, count_meetings)
    uses_staff = True
    uses_tags = True

    def filter_bar(self) -> FilterBar:
        return self.period_filter_bar()

    def cells(self, row: MeetingRow) -> tuple[Any, ...]:
        lang = self.crm.lang
        return (format_day(row.held_on, lang), row.title, row.organizations,
                row.next_action or "", format_day(row.follow_up_on, lang)
                if row.follow_up_on else "")


class FollowUpListScreen(MeetingListScreen):
    """Open follow-ups, soonest first; `c` marks the selected one done today (once asked),
    `z` opens the last one marked done again."""

    BINDINGS = [Binding("c", "complete", "complete"), Binding("z", "undo", "undo")]

    def __init__(self) -> None:
        super().__init__()
        #: The meeting whose follow-up is being marked done, until the write is done.
        self._completing: MeetingRow | None = None
        #: The meetings marked done here, the last one last: what `z` reopens.
        self._done: list[MeetingRow] = []

    section = "follow_ups"
    order = ("follow_up_on", False)

    def filter_bar(self) -> FilterBar:
        return FilterBar(
            placeholder=self.t("search_placeholder"),
            scopes=[(self.t(f"scope_{s}"), s) for s in FOLLOW_UP_SCOPES],
            staff_prompt=self.t("staff"),
        )

    def on_mount(self) -> None:
        self.filters = self.query_one(FilterBar).current()

    def fetch(self, session: Session, offset: int, limit: int) -> Sequence[MeetingRow]:
        return follow_up_page(session, filters=self.filters, today=self.crm.ctx.today(),
                              order_by=self.order_by, descending=self.descending,
                              offset=offset, limit=limit)

    def fetch_count(self, session: Session) -> int:
        return count_follow_ups(session, filters=self.filters, today=self.crm.ctx.today())

    def cells(self, row: MeetingRow) -> tuple[Any, ...]:
        cells = super().cells(row)
        if row.follow_up_on and row.follow_up_on < self.crm.ctx.today():
            due = Text(format_day(row.follow_up_on, self.crm.lang), style="bold red")
            return (*cells[:-1], due)
        return cells

    def action_complete(self) -> None:
        row = self.selected_row()
        if row is None or not self.crm.writable():
            return
        ctx, record_id = self.crm.ctx, int(row.id)
        due = format_day(row.follow_up_on, self.crm.lang) if row.follow_up_on else "—"

        def answered(yes: bool | None) -> None:
            if yes:
                self._completing = row
                self.write(self.t("followup_done", title=row.title),
                           lambda s: services.complete_follow_up(
                               s, ctx, record_id, done_on=ctx.today()).id)

        self.app.push_screen(ConfirmDialog(
            self.t("confirm_complete", title=row.title, due=due), self.t("yes"), self.t("no")),
            answered)

    def action_undo(self) -> None:
        if not self._done:
            self.notify(self.t("nothing_to_reopen"), severity="warning")
            return
        if not self.crm.writable():
            return
        row = self._done.pop()
        ctx, record_id = self.crm.ctx, int(row.id)
        self.write(self.t("followup_reopened", title=row.title),
                   lambda s: services.complete_follow_up(s, ctx, record_id, done_on=None).id)

    def on_write_done(self, message: WriteDone) -> None:
        if self._completing is not None and message.record_id == self._completing.id:
            self._done.append(self._completing)
        self._completing = None
        super().on_write_done(message)
