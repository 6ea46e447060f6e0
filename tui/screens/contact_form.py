"""Add a contact person (担当者) at an organization."""

from __future__ import annotations

from collections.abc import Callable

from sqlmodel import Session
from textual.app import ComposeResult
from textual.widgets import Input

from crm.records import services
from tui.screens.form import FormScreen

FIELDS = ("name", "kana", "department", "title", "email", "phone", "notes")


class ContactForm(FormScreen):
    """The contact form, for one organization."""

    title_key = "form_contact"

    def __init__(self, organization_id: int) -> None:
        super().__init__()
        self.organization_id = organization_id

    def fields(self) -> ComposeResult:
        for name in FIELDS:
            yield self.field(f"contact_{name}", Input(id=name), name)

    def validate(self) -> dict[str, str]:
        return {} if self.input_value("name") else {"name": self.t("required")}

    def change(self) -> Callable[[Session], int | None]:
        ctx, organization_id = self.crm.ctx, self.organization_id
        values = {name: self.input_value(name) for name in FIELDS}

        def save(session: Session) -> int | None:
            return services.add_contact(session, ctx, organization_id=organization_id,
                                        **values).id

        return save
