"""Record or edit a data-linkage agreement (データ連携協定), and move it through its statuses."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlmodel import Session
from textual.app import ComposeResult
from textual.widgets import Input, Select, TextArea

from crm.models import Agreement
from crm.records import services
from crm.records.queries import AgreementDetail, agreement_detail
from crm.vocabulary import AGREEMENT_STATUSES
from tui.kit.form import FormScreen, organization_ids
from tui.strings import term_options
from tui.widgets.organization_picker import OrganizationPicker, PickedOrganization

DATES = ("concluded_on", "starts_on", "ends_on")


class AgreementForm(FormScreen[AgreementDetail | None]):
    """The agreement form; new partners picked here are created when it is saved."""

    title_key = "form_agreement"
    model = Agreement
    FIELD_ALIASES = {"name": "partners", "corporate_number": "partners"}

    def fields(self) -> ComposeResult:
        yield self.input_field("title")
        yield self.field("partners", self.organization_picker("partners"), "partners",
                         hint=self.t("remove_last_hint"))
        yield self.field("status", Select(term_options(AGREEMENT_STATUSES, self.crm.lang),
                                          value="proposed", allow_blank=False, id="status"),
                         "status")
        for name in DATES:
            yield self.date_field(name, name)
        yield self.input_field("datasets")
        yield self.tags_field()
        yield self.field("notes", TextArea(id="notes"), "notes")

    def load(self, session: Session) -> AgreementDetail | None:
        return agreement_detail(session, self.record_id) if self.record_id else None

    def fill(self, data: AgreementDetail | None) -> None:
        if data is None:
            return
        self.query_one("#title", Input).value = data.title
        self.query_one(OrganizationPicker).set_picked(
            [PickedOrganization(p.id, p.name) for p in data.partners])
        self.query_one("#status", Select).value = data.status
        for name in DATES:
            value = getattr(data, name)
            self.query_one(f"#{name}", Input).value = value.isoformat() if value else ""
        self.query_one("#datasets", Input).value = data.datasets or ""
        self.fill_tags(data.tags)
        self.query_one("#notes", TextArea).text = data.notes or ""

    def validate(self) -> dict[str, str]:
        errors: dict[str, str] = {}
        for name in DATES:
            self.parse_date_field(name, required=False, errors=errors)
        errors |= self.missing("title")
        if not self.picked():
            errors["partners"] = self.t("need_organization")
        return errors

    def change(self) -> Callable[[Session], int | None]:
        ctx, record_id, version = self.crm.ctx, self.record_id, self.version
        picked = self.picked()
        fields: dict[str, Any] = {
            name: self.date_value(name) for name in DATES
        }
        fields |= {
            "title": self.input_value("title"),
            "status": str(self.query_one("#status", Select).value),
            "datasets": self.input_value("datasets"),
            "tags": self.tags_value(),
            "notes": self.query_one("#notes", TextArea).text,
        }

        def save(session: Session) -> int | None:
            ids = organization_ids(session, ctx, picked)
            if record_id is None:
                return services.create_agreement(session, ctx, partner_ids=ids, **fields).id
            return services.update_agreement(session, ctx, record_id, version=version,
                                             partner_ids=ids, **fields).id

        return save
