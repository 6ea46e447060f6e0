"""Pick organizations by incremental search over name, normalized name and kana.

The search runs in a thread worker through a callable the form provides (the widget knows
no database). The last option offers to create a new organization with the typed name; the
form asks for its kind and creates it in the same transaction as the record it saves.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from tui.widgets.plain import literal

#: Value of the option that creates a new organization.
CREATE = "create"


@dataclass(frozen=True)
class PickedOrganization:
    """An organization chosen in a form; `id` None means it is created when the form saves."""

    id: int | None
    name: str
    kind: str | None = None
    kana: str | None = None


@dataclass(frozen=True)
class Match:
    """A search result: the organization and how to show it."""

    id: int
    name: str
    label: str


class _SearchInput(Input):
    """The search box: Backspace on an empty box removes the last chosen organization."""

    class RemoveLast(Message):
        """Backspace was pressed with nothing typed."""

    def action_delete_left(self) -> None:
        if self.value:
            super().action_delete_left()
        else:
            self.post_message(self.RemoveLast())


class OrganizationPicker(Vertical):
    """The chosen organizations, a search box and the matches under it."""

    DEFAULT_CSS = """
    OrganizationPicker { height: auto; width: 1fr; }
    OrganizationPicker #picked { height: auto; color: $accent; }
    OrganizationPicker OptionList { height: auto; max-height: 8; display: none; }
    OrganizationPicker.-searching OptionList { display: block; }
    """

    BINDINGS = [
        Binding("down", "move(1)", show=False),
        Binding("up", "move(-1)", show=False),
    ]

    class CreateRequested(Message):
        """The user chose to create an organization named `name`."""

        def __init__(self, name: str) -> None:
            super().__init__()
            self.name = name

    class Changed(Message):
        """The chosen organizations changed."""

    class _Results(Message):
        def __init__(self, query: str, matches: Sequence[Match]) -> None:
            super().__init__()
            self.query = query
            self.matches = matches

    def __init__(
        self,
        search: Callable[[str], Sequence[Match]],
        *,
        placeholder: str,
        create_label: Callable[[str], str],
        new_mark: str,
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self._search = search
        self._placeholder = placeholder
        self._create_label = create_label
        self._new_mark = new_mark
        self.picked: list[PickedOrganization] = []
        self._matches: dict[str, Match] = {}

    def compose(self) -> ComposeResult:
        yield Static("", id="picked", markup=False)
        yield _SearchInput(placeholder=self._placeholder, id="org-search", compact=True)
        options = OptionList(id="org-results", compact=True)
        options.can_focus = False
        yield options

    def set_picked(self, picked: Sequence[PickedOrganization]) -> None:
        """Replace the chosen organizations."""
        self.picked = list(picked)
        self._show_picked()

    def add(self, organization: PickedOrganization) -> None:
        """Add an organization unless it is already chosen."""
        if any(p.id == organization.id and p.name == organization.name for p in self.picked):
            return
        self.picked.append(organization)
        self._show_picked()
        self.post_message(self.Changed())

    def _show_picked(self) -> None:
        names = [p.name + (self._new_mark if p.id is None else "") for p in self.picked]
        self.query_one("#picked", Static).update("、".join(names) or "—")

    def on_mount(self) -> None:
        self._show_picked()

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        query = event.value.strip()
        if not query:
            self.remove_class("-searching")
            self.query_one(OptionList).clear_options()
            return
        self._run_search(query)

    @work(thread=True, exclusive=True, group="organization-search")
    def _run_search(self, query: str) -> None:
        self.post_message(self._Results(query, self._search(query)))

    @on(_Results)
    def _show_results(self, message: _Results) -> None:
        if message.query != self.query_one("#org-search", Input).value.strip():
            return
        options = self.query_one(OptionList)
        options.clear_options()
        self._matches = {str(m.id): m for m in message.matches}
        options.add_options(
            [Option(literal(m.label), id=str(m.id)) for m in message.matches]
            + [Option(literal(self._create_label(message.query)), id=CREATE)]
        )
        options.highlighted = 0
        self.add_class("-searching")

    def action_move(self, step: int) -> None:
        options = self.query_one(OptionList)
        if options.option_count:
            current = options.highlighted or 0
            options.highlighted = max(0, min(options.option_count - 1, current + step))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        options = self.query_one(OptionList)
        if self.has_class("-searching") and options.highlighted is not None:
            self._choose(options.get_option_at_index(options.highlighted))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self._choose(event.option)

    def _choose(self, option: Option) -> None:
        search = self.query_one("#org-search", Input)
        query = search.value.strip()
        if option.id == CREATE:
            self.post_message(self.CreateRequested(query))
        else:
            match = self._matches[option.id or ""]
            self.add(PickedOrganization(match.id, match.name))
        search.value = ""

    @on(_SearchInput.RemoveLast)
    def _remove_last(self, message: _SearchInput.RemoveLast) -> None:
        message.stop()
        if self.picked:
            self.picked.pop()
            self._show_picked()
            self.post_message(self.Changed())
