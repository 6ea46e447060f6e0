"""Log or edit a meeting (意見交換): date, organizations, staff, summary, next action."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from sqlmodel import Session
from textual import on
from textual.app import ComposeResult
from textual.widgets import Input, TextArea

from crm.models import Meeting
from crm.records import services
from crm.records.queries import MeetingDetail, meeting_detail
from tui.kit.form import FormScreen, WithStaff, organization_ids
from tui.widgets.organization_picker import OrganizationPicker, PickedOrganization


class MeetingForm(FormScreen[WithStaff[MeetingDetail]]):
    """The meeting form; new organizations picked here are created when it is saved."""

    title_key = "form_meeting"
    model = Meeting
    FIELD_ALIASES = {"name": "organizations", "corporate_number": "organizations",
                     "org-search": "organizations", "contacts": "organizations"}

    def __init__(
        self, record_id: int | None = None, *, organization: PickedOrganization | None = None
    ) -> None:
        super().__init__(record_id)
        self._organization = organization
        #: The follow-up's done date as read (set apart: it is saved only when changed).
        self._done_on: date | None = None

    def fields(self) -> ComposeResult:
        yield self.date_field("held_on", "held_on", value=self.crm.ctx.today())
        yield self.input_field("title")
        yield self.field("organizations_col", self.organization_picker("organizations"),
                         "organizations", hint=self.t("remove_last_hint"))
        yield self.staff_field()
        yield self.field("summary", TextArea(id="summary"), "summary")
        yield self.input_field("next_action")
        yield self.date_field("follow_up_on", "follow_up_on")
        yield self.date_field("done_on", "follow_up_done_on")
        yield self.tags_field()

    def load(self, session: Session) -> WithStaff[MeetingDetail]:
        return self.with_staff(session, meeting_detail)

    def fill(self, data: WithStaff[MeetingDetail]) -> None:
        meeting = data.record
        self.fill_staff(data.staff, meeting.staff if meeting else ())
        picker = self.query_one(OrganizationPicker)
        if self._organization is not None:
            picker.set_picked([self._organization])
        if meeting is None:
            return
        self._done_on = meeting.follow_up_done_on
        self.query_one("#held_on", Input).value = meeting.held_on.isoformat()
        self.query_one("#title", Input).value = meeting.title
        picker.set_picked([PickedOrganization(o.id, o.name) for o in meeting.organizations])
        self.fill_tags(meeting.tags)
        self.query_one("#summary", TextArea).text = meeting.summary or ""
        self.query_one("#next_action", Input).value = meeting.next_action or ""
        for name in ("follow_up_on", "follow_up_done_on"):
            day = getattr(meeting, name)
            self.query_one(f"#{name}", Input).value = day.isoformat() if day else ""

    @on(OrganizationPicker.Changed)
    def _organizations_changed(self) -> None:
        self.show_error("organizations", None)

    def validate(self) -> dict[str, str]:
        errors: dict[str, str] = {}
        held_on = self.parse_date_field("held_on", required=True, errors=errors)
        follow_up = self.parse_date_field("follow_up_on", required=False, errors=errors)
        done = self.parse_date_field("follow_up_done_on", required=False, errors=errors)
        errors |= self.missing("title")
        if not self.picked():
            errors["organizations"] = self.t("need_organization")
        if held_on and follow_up and follow_up < held_on:
            errors["follow_up_on"] = self.t("follow_up_before")
        if done and not follow_up and "follow_up_on" not in errors:
            errors["follow_up_done_on"] = self.t("done_without_follow_up")
        elif held_on and done and done < held_on:
            errors["follow_up_done_on"] = self.t("follow_up_before")
        return errors

    def change(self) -> Callable[[Session], int | None]:
        ctx, record_id, version = self.crm.ctx, self.record_id, self.version
        picked = self.picked()
        fields: dict[str, Any] = {
            "held_on": self.date_value("held_on"),
            "title": self.input_value("title"),
            "staff_ids": self.staff_ids(),
            "tags": self.tags_value(),
            "summary": self.query_one("#summary", TextArea).text,
            "next_action": self.input_value("next_action"),
            "follow_up_on": self.date_value("follow_up_on"),
        }
        done_on = self.date_value("follow_up_done_on")
        was_done_on = self._done_on

        def save(session: Session) -> int | None:
            ids = organization_ids(session, ctx, picked)
            if record_id is None:
                meeting = services.log_meeting(session, ctx, organization_ids=ids, **fields)
            else:
                meeting = services.update_meeting(session, ctx, record_id, version=version,
                                                  organization_ids=ids, **fields)
            if done_on != was_done_on and meeting.id is not None:
                services.complete_follow_up(session, ctx, meeting.id, done_on=done_on)
            return meeting.id

        return save
