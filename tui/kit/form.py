"""The shape every form shares: fields with inline errors, all-or-nothing save, and a
question before unsaved changes are thrown away."""

from __future__ import annotations

import math
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, ClassVar, Generic, TypeVar

from sqlmodel import Session
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widget import Widget
from textual.widgets import Input, Select, SelectionList, Static, TextArea

from crm.calendar import DateParseError, parse_date
from crm.context import Context
from crm.models import Tracked
from crm.records import services, versions
from crm.records.queries import Choice, ListFilter, organization_page, staff_choices
from crm.tags import SEPARATOR
from crm.vocabulary import ORGANIZATION_KINDS
from tui.kit.screen import CRMScreen
from tui.messages import Loaded, WriteDone, WriteFailed
from tui.widgets.dialogs import ConfirmDialog
from tui.widgets.field import Field
from tui.widgets.footer import PriorityFooter
from tui.widgets.new_organization import NewOrganizationDialog
from tui.widgets.organization_picker import Match, OrganizationPicker, PickedOrganization
from tui.widgets.plain import literal
from tui.widgets.title_bar import TitleBar

#: How many matches the organization search shows.
MATCHES = 8


class DateInput(Input):
    """An input for a date typed as ISO or wareki; checked when it loses focus."""


#: What a form reads before it is filled.
Data = TypeVar("Data")
#: What a DataLoaded message carries (a form's Data).
Payload = TypeVar("Payload")
Record = TypeVar("Record")


@dataclass(frozen=True)
class Versioned(Generic[Record]):
    """What a form read, and the version of the record it edits (None for a new one)."""

    data: Record
    version: int | None


@dataclass(frozen=True)
class WithStaff(Generic[Record]):
    """What a form with a staff list reads: the staff, and the record (None if new)."""

    staff: Sequence[Choice]
    record: Record | None


class FormScreen(CRMScreen, Generic[Data]):
    """A form for one record: `load` reads what it needs, `fields` lays it out, `fill` puts
    the loaded data in, `change` saves it in one transaction."""

    BINDINGS = [
        Binding("ctrl+s", "save", "save"),
        Binding("escape", "cancel", "cancel"),
    ]

    title_key: ClassVar[str]
    #: The table of the record the form edits: its version guards the save.
    model: ClassVar[type[Tracked] | None] = None
    #: Service-layer field names that are shown at another form field.
    FIELD_ALIASES: ClassVar[dict[str, str]] = {}

    class DataLoaded(Loaded[Payload]):
        """What the form read, to fill it."""

    def __init__(self, record_id: int | None = None) -> None:
        super().__init__()
        self.record_id = record_id
        #: The version of the record the form shows: a save over another is refused.
        self.version: int | None = None
        self._initial: dict[str, Any] | None = None

    # --- what each form defines ----------------------------------------------------------

    def fields(self) -> ComposeResult:
        """The form's Field widgets."""
        raise NotImplementedError

    def load(self, session: Session) -> Data:
        """What the form needs from the database before it can be filled (a record, choices)."""
        raise NotImplementedError

    def fill(self, data: Data) -> None:
        """Put the loaded data into the fields."""

    def validate(self) -> dict[str, str]:
        """Errors found without the database, by field name."""
        return {}

    def change(self) -> Callable[[Session], int | None]:
        """The write to run in one transaction (built from the fields on the event loop)."""
        raise NotImplementedError

    # --- shared parts --------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield TitleBar()
        yield Static(self.t(self.title_key), id="form-title")
        with VerticalScroll(id="form"):
            yield from self.fields()
        yield Static("", id="form-error", markup=False)
        yield PriorityFooter()

    def on_mount(self) -> None:
        self.reload()

    def reload(self) -> None:
        """Read the record (and its version) again and fill the form with it."""
        self.read(self._load_versioned, FormScreen.DataLoaded)

    def _load_versioned(self, session: Session) -> Versioned[Data]:
        version = (versions.current(session, self.model, self.record_id)
                   if self.model is not None and self.record_id is not None else None)
        return Versioned(self.load(session), version)

    def on_form_screen_data_loaded(self, message: FormScreen.DataLoaded[Versioned[Data]]
                                   ) -> None:
        self.version = message.data.version
        self.fill(message.data.data)
        self.call_after_refresh(self._remember)

    def _remember(self) -> None:
        self._initial = self.values()
        self.query_one("#form").query("Input, Select, TextArea, SelectionList").first().focus()

    def values(self) -> dict[str, Any]:
        """Everything the user can change, to tell whether anything was."""
        values: dict[str, Any] = {}
        for widget in self.query("Input, TextArea, Select, SelectionList, OrganizationPicker"):
            if widget.id == "org-search":
                continue
            if isinstance(widget, TextArea):
                values[str(widget.id)] = widget.text
            elif isinstance(widget, SelectionList):
                values[str(widget.id)] = sorted(map(str, widget.selected))
            elif isinstance(widget, OrganizationPicker):
                values[str(widget.id)] = list(widget.picked)
            elif isinstance(widget, Input | Select):
                values[str(widget.id)] = widget.value
        return values

    def with_staff(
        self, session: Session, detail: Callable[[Session, int], Record | None]
    ) -> WithStaff[Record]:
        """The staff choices, and the record being edited read by `detail` (None if new)."""
        record = detail(session, self.record_id) if self.record_id else None
        return WithStaff(staff_choices(session), record)

    def staff_field(self) -> Field:
        """The staff list (id `staff`), filled by `fill_staff`."""
        return self.field("staff", SelectionList[str](id="staff"), "staff")

    def fill_staff(self, staff: Sequence[Choice], chosen: Collection[str]) -> None:
        """Offer `staff` in the staff list, ticking those whose names are in `chosen`."""
        staff_list = self.query_one("#staff", SelectionList)
        staff_list.clear_options()
        staff_list.add_options(
            [(literal(c.label(self.crm.lang)), c.value, c.ja in chosen) for c in staff])

    def staff_ids(self) -> list[int]:
        """The ids of the staff ticked in the staff list."""
        return [int(v) for v in self.query_one("#staff", SelectionList).selected]

    def missing(self, *names: str) -> dict[str, str]:
        """A `required` error for each named Input or Select left empty."""
        errors = {}
        for name in names:
            widget = self.query_one(f"#{name}")
            empty = (widget.value is Select.NULL if isinstance(widget, Select)
                     else not self.input_value(name))
            if empty:
                errors[name] = self.t("required")
        return errors

    def input_value(self, widget_id: str) -> str:
        """The stripped text of an Input."""
        return self.query_one(f"#{widget_id}", Input).value.strip()

    def field(self, label_key: str, widget: Widget, name: str, hint: str = "") -> Field:
        """A Field labelled with `label_key`, holding `widget`."""
        return Field(self.t(label_key), widget, name=name, hint=hint)

    def input_field(self, name: str, label_key: str | None = None) -> Field:
        """A Field with an Input whose id is `name`, labelled `label_key` (or `name`)."""
        return self.field(label_key or name, Input(id=name), name)

    def tags_field(self) -> Field:
        """A Field with an Input of tag names separated by ';', as in files."""
        return self.field("tags", Input(id="tags"), "tags", hint=self.t("tags_hint"))

    def fill_tags(self, tags: Sequence[str]) -> None:
        """Show a record's tags in the tags field."""
        self.query_one("#tags", Input).value = f"{SEPARATOR} ".join(tags)

    def tags_value(self) -> list[str]:
        """The tag names typed (cleaned and checked by the service)."""
        return self.input_value("tags").split(SEPARATOR)

    def date_field(self, label_key: str, name: str, *, value: date | None = None) -> Field:
        """A Field with a DateInput."""
        widget = DateInput(value.isoformat() if value else "", id=name,
                           placeholder=self.t("date_hint"))
        return self.field(label_key, widget, name)

    def organization_picker(self, name: str) -> OrganizationPicker:
        """A picker searching active organizations in a fresh session per search."""
        database, lang = self.crm.database, self.crm.lang

        def search(query: str) -> list[Match]:
            with database.reading() as session:
                rows = organization_page(session, filters=ListFilter(text=query),
                                         limit=MATCHES)
            return [Match(r.id, r.name, f"{r.name}（{ORGANIZATION_KINDS.label(r.kind, lang)}）")
                    for r in rows]

        return OrganizationPicker(
            search, placeholder=self.t("org_search_placeholder"),
            create_label=lambda typed: self.t("create_organization", name=typed),
            new_mark=self.t("will_create"), id=name,
        )

    def picked(self) -> list[PickedOrganization]:
        """The organizations chosen in the form's picker."""
        return list(self.query_one(OrganizationPicker).picked)

    @on(OrganizationPicker.CreateRequested)
    def _create_organization(self, message: OrganizationPicker.CreateRequested) -> None:
        picker = self.query_one(OrganizationPicker)

        def created(organization: PickedOrganization | None) -> None:
            if organization is not None:
                picker.add(organization)
            picker.query_one("#org-search", Input).focus()

        self.app.push_screen(NewOrganizationDialog(message.name, self.crm.lang), created)

    def parse_date_field(self, name: str, *, required: bool, errors: dict[str, str]) -> date | None:
        """The date typed in `name`, recording an error in `errors` if it is not one."""
        raw = self.input_value(name)
        if not raw:
            if required:
                errors[name] = self.t("required")
            return None
        try:
            return parse_date(raw)
        except DateParseError:
            errors[name] = self.t("bad_date")
            return None

    def parse_count_field(self, name: str, errors: dict[str, str]) -> int | None:
        """The whole number (0 or more) typed in `name`, None if left empty; records an
        error in `errors` for anything else (`1.5`, `1e3`, `-2`) instead of reading it."""
        raw = self.input_value(name)
        if not raw:
            return None
        if not raw.isdecimal():
            errors[name] = self.t("bad_count")
            return None
        return int(raw)

    def parse_number_field(self, name: str, errors: dict[str, str]) -> float | None:
        """The finite number typed in `name`, None if left empty; records an error in
        `errors` for anything else."""
        raw = self.input_value(name)
        if not raw:
            return None
        try:
            value = float(raw)
        except ValueError:
            value = math.nan
        if not math.isfinite(value):
            errors[name] = self.t("bad_number")
            return None
        return value

    def date_value(self, name: str) -> date | None:
        """The date typed in `name` once `validate` passed (None if left empty)."""
        return self.parse_date_field(name, required=False, errors={})

    def on_input_blurred(self, event: Input.Blurred) -> None:
        if isinstance(event.input, DateInput):
            errors: dict[str, str] = {}
            self.parse_date_field(str(event.input.id), required=False, errors=errors)
            self.show_error(str(event.input.id), errors.get(str(event.input.id)))

    def on_input_changed(self, event: Input.Changed) -> None:
        self.show_error(str(event.input.id), None)

    def show_error(self, name: str, message: str | None) -> None:
        """Show (or clear) an error at the field `name`."""
        name = self.FIELD_ALIASES.get(name, name)
        for field in self.query(Field):
            if field.field_name == name:
                field.set_error(message)
                return
        if message:
            self.query_one("#form-error", Static).update(message)

    def clear_errors(self) -> None:
        """Remove every error shown."""
        for field in self.query(Field):
            field.set_error(None)
        self.query_one("#form-error", Static).update("")

    def action_save(self) -> None:
        self.clear_errors()
        errors = self.validate()
        for name, message in errors.items():
            self.show_error(name, message)
        if errors:
            self.notify(self.t("fix_errors"), severity="error")
            return
        self.write(self.t("saved"), self.change())

    def unsaved(self) -> bool:
        """Whether the user changed anything since the form was filled."""
        return self._initial is not None and self.values() != self._initial

    def waiting_for_lock(self) -> None:
        super().waiting_for_lock()
        self.query_one("#form-error", Static).update(self.t("waiting_for_lock"))

    def action_cancel(self) -> None:
        if self.writing():  # the save goes on: leaving would hide how it ends
            self.waiting_for_lock()
            return
        if not self.unsaved():
            self.dismiss(None)
            return

        def answered(discard: bool | None) -> None:
            if discard:
                self.dismiss(None)

        self.app.push_screen(
            ConfirmDialog(self.t("confirm_discard"), self.t("yes"), self.t("no")), answered
        )

    def on_write_done(self, message: WriteDone) -> None:
        self.notify(message.notice)
        self.dismiss(message.record_id)

    def on_write_failed(self, message: WriteFailed) -> None:
        self.show_error(message.field or "", message.message)
        self.notify(message.message, severity="error")
        if message.field == versions.FIELD:
            self._offer_reload()

    def _offer_reload(self) -> None:
        """After a save refused because someone changed the record meanwhile: reload it
        (dropping what was typed) or keep editing (to copy it first)."""

        def answered(reload: bool | None) -> None:
            if reload:
                self.clear_errors()
                self.reload()

        self.app.push_screen(ConfirmDialog(self.t("conflict_reload"), self.t("reload"),
                                           self.t("keep_editing")), answered)


def organization_ids(
    session: Session, ctx: Context, picked: Sequence[PickedOrganization]
) -> list[int]:
    """Ids of the picked organizations, creating the new ones in `session`."""
    ids = []
    for organization in picked:
        if organization.id is None:
            created = services.create_organization(
                session, ctx, name=organization.name, kind=organization.kind or "other",
                kana=organization.kana,
            )
            assert created.id is not None
            ids.append(created.id)
        else:
            ids.append(organization.id)
    return ids

