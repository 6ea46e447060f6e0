"""Add a contact person (担当者) at an organization."""

from __future__ import annotations

from collections.abc import Callable

from sqlmodel import Session
from textual.app import ComposeResult

from crm.records import services
from tui.kit.form import FormScreen

FIELDS = ("name", "kana", "department", "title", "email", "phone", "notes")


class ContactForm(FormScreen[None]):
    """The contact form, for one organization."""

    title_key = "form_contact"

    def __init__(self, organization_id: int) -> None:
        super().__init__()
        self.organization_id = organization_id

    def fields(self) -> ComposeResult:
        for name in FIELDS:
            yield self.input_field(name, f"contact_{name}")

    def load(self, session: Session) -> None:
        """Nothing to read: a new contact's form starts empty."""

    def validate(self) -> dict[str, str]:
        return self.missing("name")

    def change(self) -> Callable[[Session], int | None]:
        ctx, organization_id = self.crm.ctx, self.organization_id
        values = {name: self.input_value(name) for name in FIELDS}

        def save(session: Session) -> int | None:
            return services.add_contact(session, ctx, organization_id=organization_id,
                                        **values).id

        return save
