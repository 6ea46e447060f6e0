"""Log or edit an outreach event (周知広報) or an on-site lecture (出前講座)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session
from textual.app import ComposeResult
from textual.widgets import Input, Select, SelectionList, TextArea

from crm.records import services
from crm.records.queries import Choice, EventDetail, event_detail, staff_choices
from crm.vocabulary import EVENT_KINDS
from tui.kit.form import FormScreen, selected_ids
from tui.strings import term_options


@dataclass(frozen=True)
class EventFormData:
    """What the form reads before it is filled."""

    staff: Sequence[Choice]
    event: EventDetail | None


class EventForm(FormScreen[EventFormData]):
    """The outreach event form."""

    title_key = "form_event"

    def fields(self) -> ComposeResult:
        yield self.date_field("held_on", "held_on", value=self.crm.ctx.today())
        yield self.field("kind", Select(term_options(EVENT_KINDS, self.crm.lang),
                                        prompt=self.t("kind"), id="kind"), "kind")
        for name in ("title", "venue", "municipality"):
            yield self.input_field(name)
        yield self.field("attendees", Input(id="attendees", type="integer"), "attendees")
        yield self.field("staff", SelectionList[str](id="staff"), "staff")
        yield self.field("notes", TextArea(id="notes"), "notes")

    def load(self, session: Session) -> EventFormData:
        event = event_detail(session, self.record_id) if self.record_id else None
        return EventFormData(staff_choices(session), event)

    def fill(self, data: EventFormData) -> None:
        chosen = set(data.event.staff) if data.event else set()
        self.query_one("#staff", SelectionList).add_options(
            [(c.label(self.crm.lang), c.value, c.ja in chosen) for c in data.staff])
        event = data.event
        if event is None:
            return
        self.query_one("#held_on", Input).value = event.held_on.isoformat()
        self.query_one("#kind", Select).value = event.kind
        for name in ("title", "venue", "municipality"):
            self.query_one(f"#{name}", Input).value = getattr(event, name) or ""
        if event.attendees is not None:
            self.query_one("#attendees", Input).value = str(event.attendees)
        self.query_one("#notes", TextArea).text = event.notes or ""

    def validate(self) -> dict[str, str]:
        errors: dict[str, str] = {}
        self.parse_date_field("held_on", required=True, errors=errors)
        if self.query_one("#kind", Select).value is Select.NULL:
            errors["kind"] = self.t("required")
        if not self.input_value("title"):
            errors["title"] = self.t("required")
        attendees = self.input_value("attendees")
        if attendees and not attendees.isdigit():
            errors["attendees"] = self.t("bad_number")
        return errors

    def change(self) -> Callable[[Session], int | None]:
        errors: dict[str, str] = {}
        ctx, record_id = self.crm.ctx, self.record_id
        attendees = self.input_value("attendees")
        fields: dict[str, Any] = {
            "held_on": self.parse_date_field("held_on", required=True, errors=errors),
            "kind": str(self.query_one("#kind", Select).value),
            "title": self.input_value("title"),
            "venue": self.input_value("venue"),
            "municipality": self.input_value("municipality"),
            "attendees": int(attendees) if attendees else None,
            "staff_ids": selected_ids(self.query_one("#staff", SelectionList)),
            "notes": self.query_one("#notes", TextArea).text,
        }

        def save(session: Session) -> int | None:
            if record_id is None:
                return services.log_event(session, ctx, **fields).id
            return services.update_event(session, ctx, record_id, **fields).id

        return save
