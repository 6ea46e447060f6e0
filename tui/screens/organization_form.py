"""Add or edit an organization: name, kana, kind, corporate number, address, website, notes."""

from __future__ import annotations

from collections.abc import Callable

from sqlmodel import Session
from textual.app import ComposeResult
from textual.widgets import Input, Select, TextArea

from crm.models import Organization
from crm.records import services
from crm.records.queries import OrganizationDetail, organization_detail
from crm.vocabulary import ORGANIZATION_KINDS
from tui.kit.form import FormScreen
from tui.strings import term_options

#: The fields typed in an Input.
TYPED = ("name", "kana", "corporate_number", "address", "website")


class OrganizationForm(FormScreen[OrganizationDetail | None]):
    """The organization form."""

    title_key = "form_organization"
    model = Organization

    def fields(self) -> ComposeResult:
        yield self.input_field("name")
        yield self.input_field("kana")
        yield self.field("kind", Select(term_options(ORGANIZATION_KINDS, self.crm.lang),
                                        prompt=self.t("kind"), id="kind"), "kind")
        for name in TYPED[2:]:
            yield self.input_field(name)
        yield self.field("notes", TextArea(id="notes"), "notes")

    def load(self, session: Session) -> OrganizationDetail | None:
        return organization_detail(session, self.record_id) if self.record_id else None

    def fill(self, data: OrganizationDetail | None) -> None:
        if data is None:
            return
        for name in TYPED:
            self.query_one(f"#{name}", Input).value = getattr(data, name) or ""
        self.query_one("#kind", Select).value = data.kind
        self.query_one("#notes", TextArea).text = data.notes or ""

    def validate(self) -> dict[str, str]:
        return self.missing("name", "kind")

    def change(self) -> Callable[[Session], int | None]:
        ctx, record_id, version = self.crm.ctx, self.record_id, self.version
        fields = {name: self.input_value(name) for name in TYPED}
        fields["kind"] = str(self.query_one("#kind", Select).value)
        fields["notes"] = self.query_one("#notes", TextArea).text

        def save(session: Session) -> int | None:
            if record_id is None:
                return services.create_organization(session, ctx, **fields).id
            return services.update_organization(session, ctx, record_id, version=version,
                                                **fields).id

        return save
