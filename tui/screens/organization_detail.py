"""One organization and its whole history on one screen: meetings, agreements, contacts."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Static

from crm.formatting import format_day
from crm.records.erasure import erase_contact
from crm.records.queries import (
    HistoryRow,
    OrganizationDetail,
    organization_detail,
    organization_history,
)
from crm.vocabulary import AGREEMENT_STATUSES, ORGANIZATION_KINDS
from db.maintenance import purge_freed_space
from tui.kit.navigation import AuditTrail, MeetingWith, NewContact, RecordForm
from tui.kit.table_screen import TableScreen
from tui.messages import Loaded, WriteDone, WriteFailed
from tui.widgets.erase_dialog import EraseContactDialog
from tui.widgets.organization_picker import PickedOrganization


@dataclass(frozen=True)
class OrganizationView:
    """An organization with its history."""

    organization: OrganizationDetail | None
    history: list[HistoryRow]


class OrganizationDetailScreen(TableScreen):
    """An organization's fields above its history, newest first."""

    class ViewLoaded(Loaded[OrganizationView]):
        """The organization and its history, read."""

    BINDINGS = [
        Binding("e", "edit", "edit"),
        Binding("m", "new_meeting", "form_meeting"),
        Binding("c", "new_contact", "form_contact"),
        Binding("h", "audit_history", "audit_history"),
        Binding("x", "erase_contact", "erase_contact"),
        Binding("escape", "back", "back"),
    ]
    table_id = "history"
    table_columns = (("on", "held_on", 10), ("type", "record_type", 14),
                     ("title", "title", 36), ("detail", "detail", 30))
    status_line = False

    def __init__(self, organization_id: int) -> None:
        super().__init__()
        self.organization_id = organization_id
        self.view: OrganizationView | None = None

    def heading(self) -> ComposeResult:
        yield Static("", id="organization-info", markup=False)
        yield self.section_title(self.t("history"))

    def on_screen_resume(self) -> None:
        organization_id = self.organization_id

        def load(session: Session) -> OrganizationView:
            return OrganizationView(organization_detail(session, organization_id),
                                    organization_history(session,
                                                         organization_id=organization_id))

        self.read(load, self.ViewLoaded)

    def on_organization_detail_screen_view_loaded(
        self, message: OrganizationDetailScreen.ViewLoaded
    ) -> None:
        self.view = message.data
        lang = self.crm.lang
        o = self.view.organization if self.view else None
        if o is None:
            return
        lines = [f"[b]{o.name}[/b]  {o.kana or ''}  ({ORGANIZATION_KINDS.label(o.kind, lang)})"]
        details = [(self.t(k), getattr(o, k)) for k in
                   ("corporate_number", "address", "website", "notes")]
        lines += [f"{label}: {value}" for label, value in details if value]
        self.query_one("#organization-info", Static).update("\n".join(lines))
        table = self.table
        table.clear()
        for row in self.view.history:
            detail = (AGREEMENT_STATUSES.label(row.detail, lang)
                      if row.record_type == "agreement" else row.detail)
            table.add_row(format_day(row.on, lang), self.t(row.record_type), row.title,
                          detail, key=f"{row.record_type}:{row.record_id}")

    def action_edit(self) -> None:
        if self.crm.writable():
            self.crm.open(RecordForm("organization", self.organization_id))

    def action_new_meeting(self) -> None:
        o = self.view.organization if self.view else None
        if o is not None and self.crm.writable():
            self.crm.open(MeetingWith(PickedOrganization(o.id, o.name)))

    def action_new_contact(self) -> None:
        if self.crm.writable():
            self.crm.open(NewContact(self.organization_id))

    def action_audit_history(self) -> None:
        """The audit history of the organization and of its contacts."""
        o = self.view.organization if self.view else None
        if o is None or self.view is None:
            return
        contacts = [("contact", row.record_id) for row in self.view.history
                    if row.record_type == "contact"]
        self.crm.open(AuditTrail(o.name, (("organization", o.id), *contacts)))

    def _highlighted(self) -> HistoryRow | None:
        table = self.table
        if self.view is None or not table.is_valid_row_index(table.cursor_row):
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return next((row for row in self.view.history
                     if f"{row.record_type}:{row.record_id}" == key), None)

    def action_erase_contact(self) -> None:
        """Erase the highlighted contact's personal data, after a confirmation naming the
        person and asking the reason (refused read-only)."""
        if not self.crm.writable():
            return
        row = self._highlighted()
        if row is None or row.record_type != "contact":
            self.notify(self.t("erase_not_contact"), severity="warning")
            return
        ctx, contact_id, name = self.crm.ctx, row.record_id, row.title
        database = self.crm.database

        def answered(reason: str | None) -> None:
            if reason is not None:
                self.write(self.t("erased", name=name),
                           lambda session: erase_contact(session, ctx, contact_id,
                                                         reason=reason).contact_id,
                           then=lambda: purge_freed_space(database))

        self.app.push_screen(EraseContactDialog(name, self.crm.lang), answered)

    def on_write_done(self, message: WriteDone) -> None:
        self.notify(message.notice)
        self.on_screen_resume()

    def on_write_failed(self, message: WriteFailed) -> None:
        self.notify(message.message, severity="error")
