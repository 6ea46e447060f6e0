"""Log or edit an outreach event (周知広報) or an on-site lecture (出前講座)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlmodel import Session
from textual.app import ComposeResult
from textual.widgets import Input, Select, TextArea

from crm.models import OutreachEvent
from crm.records import services
from crm.records.queries import EventDetail, event_detail
from crm.vocabulary import EVENT_KINDS
from tui.kit.form import FormScreen, WithStaff
from tui.strings import term_options


class EventForm(FormScreen[WithStaff[EventDetail]]):
    """The outreach event form."""

    title_key = "form_event"
    model = OutreachEvent

    def fields(self) -> ComposeResult:
        yield self.date_field("held_on", "held_on", value=self.crm.ctx.today())
        yield self.field("kind", Select(term_options(EVENT_KINDS, self.crm.lang),
                                        prompt=self.t("kind"), id="kind"), "kind")
        for name in ("title", "venue", "municipality"):
            yield self.input_field(name)
        yield self.field("attendees", Input(id="attendees"), "attendees")
        yield self.staff_field()
        yield self.tags_field()
        yield self.field("notes", TextArea(id="notes"), "notes")

    def load(self, session: Session) -> WithStaff[EventDetail]:
        return self.with_staff(session, event_detail)

    def fill(self, data: WithStaff[EventDetail]) -> None:
        event = data.record
        self.fill_staff(data.staff, event.staff if event else ())
        if event is None:
            return
        self.query_one("#held_on", Input).value = event.held_on.isoformat()
        self.query_one("#kind", Select).value = event.kind
        for name in ("title", "venue", "municipality"):
            self.query_one(f"#{name}", Input).value = getattr(event, name) or ""
        if event.attendees is not None:
            self.query_one("#attendees", Input).value = str(event.attendees)
        self.fill_tags(event.tags)
        self.query_one("#notes", TextArea).text = event.notes or ""

    def validate(self) -> dict[str, str]:
        errors: dict[str, str] = {}
        self.parse_date_field("held_on", required=True, errors=errors)
        errors |= self.missing("kind", "title")
        self.parse_count_field("attendees", errors)
        return errors

    def change(self) -> Callable[[Session], int | None]:
        ctx, record_id, version = self.crm.ctx, self.record_id, self.version
        fields: dict[str, Any] = {
            "held_on": self.date_value("held_on"),
            "kind": str(self.query_one("#kind", Select).value),
            "title": self.input_value("title"),
            "venue": self.input_value("venue"),
            "municipality": self.input_value("municipality"),
            "attendees": self.parse_count_field("attendees", {}),
            "staff_ids": self.staff_ids(),
            "tags": self.tags_value(),
            "notes": self.query_one("#notes", TextArea).text,
        }

        def save(session: Session) -> int | None:
            if record_id is None:
                return services.log_event(session, ctx, **fields).id
            return services.update_event(session, ctx, record_id, version=version,
                                         **fields).id

        return save
