"""Record or edit a data-linkage agreement (データ連携協定), and move it through its statuses."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlmodel import Session
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Input, Label, Select, Static, TextArea

from crm.calendar import DateParseError, parse_date
from crm.records import services
from crm.records.queries import AgreementDetail, agreement_detail
from crm.vocabulary import AGREEMENT_STATUSES
from tui.screens.form import FormScreen
from tui.screens.meeting_form import organization_ids
from tui.strings import text
from tui.widgets.dialogs import InputDialog
from tui.widgets.new_organization import NewOrganizationDialog
from tui.widgets.organization_picker import OrganizationPicker, PickedOrganization

DATES = ("concluded_on", "starts_on", "ends_on")


class AgreementForm(FormScreen):
    """The agreement form; new partners picked here are created when it is saved."""

    title_key = "form_agreement"
    FIELD_ALIASES = {"name": "partners", "corporate_number": "partners"}

    def fields(self) -> ComposeResult:
        lang = self.crm.lang
        yield self.field("title", Input(id="title"), "title")
        yield self.field("partners", self.organization_picker("partners"), "partners",
                         hint=self.t("remove_last_hint"))
        yield self.field("status", Select([(t.label(lang), t.code)
                                           for t in AGREEMENT_STATUSES.terms],
                                          value="proposed", allow_blank=False, id="status"),
                         "status")
        for name in DATES:
            yield self.date_field(name, name)
        yield self.field("datasets", Input(id="datasets"), "datasets")
        yield self.field("notes", TextArea(id="notes"), "notes")

    def load(self, session: Session) -> AgreementDetail | None:
        return agreement_detail(session, self.record_id) if self.record_id else None

    def fill(self, data: Any) -> None:
        if not isinstance(data, AgreementDetail):
            return
        self.query_one("#title", Input).value = data.title
        self.query_one(OrganizationPicker).set_picked(
            [PickedOrganization(p.id, p.name) for p in data.partners])
        self.query_one("#status", Select).value = data.status
        for name in DATES:
            value = getattr(data, name)
            self.query_one(f"#{name}", Input).value = value.isoformat() if value else ""
        self.query_one("#datasets", Input).value = data.datasets or ""
        self.query_one("#notes", TextArea).text = data.notes or ""

    @on(OrganizationPicker.CreateRequested)
    def _create_partner(self, message: OrganizationPicker.CreateRequested) -> None:
        picker = self.query_one(OrganizationPicker)

        def created(organization: PickedOrganization | None) -> None:
            if organization is not None:
                picker.add(organization)

        self.app.push_screen(NewOrganizationDialog(message.name, self.crm.lang), created)

    def validate(self) -> dict[str, str]:
        errors: dict[str, str] = {}
        for name in DATES:
            self.parse_date_field(name, required=False, errors=errors)
        if not self.input_value("title"):
            errors["title"] = self.t("required")
        if not self.query_one(OrganizationPicker).picked:
            errors["partners"] = self.t("need_organization")
        return errors

    def change(self) -> Callable[[Session], int | None]:
        errors: dict[str, str] = {}
        ctx, record_id = self.crm.ctx, self.record_id
        picked = list(self.query_one(OrganizationPicker).picked)
        fields: dict[str, Any] = {
            name: self.parse_date_field(name, required=False, errors=errors) for name in DATES
        }
        fields |= {
            "title": self.input_value("title"),
            "status": str(self.query_one("#status", Select).value),
            "datasets": self.input_value("datasets"),
            "notes": self.query_one("#notes", TextArea).text,
        }

        def save(session: Session) -> int | None:
            ids = organization_ids(session, ctx, picked)
            if record_id is None:
                return services.create_agreement(session, ctx, partner_ids=ids, **fields).id
            return services.update_agreement(session, ctx, record_id, partner_ids=ids,
                                             **fields).id

        return save


class StatusDialog(InputDialog[tuple[str, str]]):
    """Choose an agreement's new status and the date it took effect."""

    def __init__(self, current: str, today: str, lang: str) -> None:
        super().__init__(lang)
        self._current = current
        self._today = today

    def compose(self) -> ComposeResult:
        lang = self._lang
        with Vertical(id="dialog"):
            yield Label(text("status_change", lang), id="question")
            yield Select([(t.label(lang), t.code) for t in AGREEMENT_STATUSES.terms],
                         value=self._current, allow_blank=False, id="new-status")
            yield Label(text("held_on", lang))
            yield Input(self._today, id="status-on")
            yield Static("", id="status-error", classes="error")
            yield from self.buttons()

    def on_mount(self) -> None:
        self.query_one("#new-status", Select).focus()

    def accept(self) -> None:
        raw = self.query_one("#status-on", Input).value
        try:
            on_date = parse_date(raw)
        except DateParseError:
            self.query_one("#status-error", Static).update(text("bad_date", self._lang))
            return
        self.dismiss((str(self.query_one("#new-status", Select).value), on_date.isoformat()))
