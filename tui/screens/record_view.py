"""A record shown, not edited: every field and link, for read-only users (auditors); `h`
opens its audit history."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import fields
from datetime import date
from typing import Any

from sqlmodel import Session
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Label, Static

from crm.formatting import format_day, format_number
from crm.records import entities
from crm.records.queries import agreement_detail, event_detail, meeting_detail
from tui.kit.navigation import AuditTrail, ViewableKind
from tui.kit.screen import CRMScreen
from tui.messages import Loaded
from tui.strings import STRINGS, text
from tui.widgets.field import Field
from tui.widgets.footer import PriorityFooter
from tui.widgets.title_bar import TitleBar

#: The entity and the detail query of each kind of record the view shows.
DETAILS: dict[ViewableKind, tuple[entities.Entity, Callable[[Session, int], Any]]] = {
    "meeting": (entities.MEETINGS, meeting_detail),
    "agreement": (entities.AGREEMENTS, agreement_detail),
    "event": (entities.EVENTS, event_detail),
}


#: UI labels of detail fields that are not an entity's input (shorter than the column's).
LABELS = {"follow_up_done_on": "done_on"}


class RecordViewScreen(CRMScreen):
    """One record's fields, labelled as in its form, values as written (never markup)."""

    class DetailLoaded(Loaded[Any]):
        """The record's detail row (None if it is gone)."""

    BINDINGS = [Binding("h", "history", "audit_history"), Binding("escape", "back", "back")]

    def __init__(self, kind: ViewableKind, record_id: int) -> None:
        super().__init__()
        self.entity, self._detail = DETAILS[kind]
        self.record_id = record_id
        self.record_title = f"{self.entity.noun_ja} {record_id}"

    def compose(self) -> ComposeResult:
        yield TitleBar()
        yield Static("", id="form-title", markup=False)
        yield VerticalScroll(id="form")
        yield PriorityFooter()

    def on_mount(self) -> None:
        detail, record_id = self._detail, self.record_id
        self.read(lambda session: detail(session, record_id), self.DetailLoaded)

    def on_record_view_screen_detail_loaded(self, message: RecordViewScreen.DetailLoaded) -> None:
        record = message.data
        if record is None:
            self.notify(self.t("no_selection"), severity="warning")
            return
        self.record_title = str(getattr(record, "title", self.record_title))
        self.query_one("#form-title", Static).update(self.record_title)
        form = self.query_one("#form", VerticalScroll)
        form.mount_all(
            Field(self.label(f.name), Label(self.value(f.name, getattr(record, f.name)),
                                            markup=False, classes="record-value"), name=f.name)
            for f in fields(record) if f.name != "id"
        )
        form.focus()

    def label(self, name: str) -> str:
        """A field's label: its entity field's (by attribute or error key), else the UI's."""
        lang = self.crm.lang
        spec = next((f for f in self.entity.fields if name in (f.name, f.error_key)), None)
        if spec is not None:
            return spec.ja if lang == "ja" else spec.en
        key = LABELS.get(name, name)
        return text(key, lang) if key in STRINGS else name

    def value(self, name: str, value: object) -> str:
        """A value as written for a person: dates in the UI's style, codes as their labels,
        linked records by name, empty as —."""
        lang = self.crm.lang
        spec = next((f for f in self.entity.fields if f.name == name), None)
        if value is None or value == "" or value == ():
            return "—"
        if isinstance(value, date):
            return format_day(value, lang)
        if isinstance(value, tuple):
            return "、".join(str(getattr(v, "name", v)) for v in value)
        if isinstance(value, int) and not isinstance(value, bool):
            return format_number(value)
        if spec is not None and spec.vocabulary is not None:
            return spec.vocabulary.label(str(value), lang)
        return str(value)

    def action_history(self) -> None:
        """The record's audit history."""
        self.crm.open(AuditTrail(
            self.record_title, ((str(self.entity.model.__tablename__), self.record_id),)))

    def action_back(self) -> None:
        self.dismiss(None)
