"""One organization and its whole history on one screen: meetings, agreements, contacts."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Footer, Header, Static

from crm.formatting import format_day
from crm.records.queries import (
    HistoryRow,
    OrganizationDetail,
    organization_detail,
    organization_history,
)
from crm.vocabulary import AGREEMENT_STATUSES, ORGANIZATION_KINDS
from tui.messages import Loaded
from tui.screens.audit_history import AuditHistoryScreen
from tui.screens.base import CRMScreen
from tui.screens.contact_form import ContactForm
from tui.screens.meeting_form import MeetingForm
from tui.screens.organization_form import OrganizationForm
from tui.widgets.organization_picker import PickedOrganization


@dataclass(frozen=True)
class OrganizationView:
    """An organization with its history."""

    organization: OrganizationDetail | None
    history: list[HistoryRow]


class OrganizationDetailScreen(CRMScreen):
    """An organization's fields above its history, newest first."""

    BINDINGS = [
        Binding("e", "edit", "edit"),
        Binding("m", "new_meeting", "form_meeting"),
        Binding("c", "new_contact", "form_contact"),
        Binding("h", "audit_history", "audit_history"),
        Binding("escape", "back", "back"),
    ]

    def __init__(self, organization_id: int) -> None:
        super().__init__()
        self.organization_id = organization_id
        self.view: OrganizationView | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="organization-info")
        yield Static(self.t("history"), classes="section-title")
        yield DataTable(id="history", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#history", DataTable)
        for key, label, width in (("on", "held_on", 10), ("type", "record_type", 14),
                                  ("title", "title", 36), ("detail", "detail", 30)):
            table.add_column(self.t(label), width=width, key=key)
        table.focus()

    def on_screen_resume(self) -> None:
        organization_id = self.organization_id

        def load(session: Session) -> OrganizationView:
            return OrganizationView(organization_detail(session, organization_id),
                                    organization_history(session,
                                                         organization_id=organization_id))

        self.read("organization", load)

    def on_loaded(self, message: Loaded) -> None:
        if message.what != "organization":
            return
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
        table = self.query_one("#history", DataTable)
        table.clear()
        for row in self.view.history:
            detail = (AGREEMENT_STATUSES.label(row.detail, lang)
                      if row.record_type == "agreement" else row.detail)
            table.add_row(format_day(row.on, lang), self.t(row.record_type), row.title,
                          detail, key=f"{row.record_type}:{row.record_id}")

    def action_edit(self) -> None:
        if self.crm.writable():
            self.app.push_screen(OrganizationForm(self.organization_id))

    def action_new_meeting(self) -> None:
        o = self.view.organization if self.view else None
        if o is not None and self.crm.writable():
            self.app.push_screen(MeetingForm(organization=PickedOrganization(o.id, o.name)))

    def action_new_contact(self) -> None:
        if self.crm.writable():
            self.app.push_screen(ContactForm(self.organization_id))

    def action_audit_history(self) -> None:
        """The audit history of the organization and of its contacts."""
        o = self.view.organization if self.view else None
        if o is None or self.view is None:
            return
        contacts = [("contact", row.record_id) for row in self.view.history
                    if row.record_type == "contact"]
        self.app.push_screen(AuditHistoryScreen(o.name, [("organization", o.id), *contacts]))

    def action_back(self) -> None:
        self.dismiss(None)
