"""The terminal UI application: built from a database and a context, nothing global."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from functools import partial
from pathlib import Path

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.dom import DOMNode
from textual.screen import Screen

from crm.context import Context
from db.session import Database
from tui.screens.agreements import AgreementListScreen
from tui.screens.dashboard import DashboardScreen
from tui.screens.events import EventListScreen
from tui.screens.follow_ups import FollowUpListScreen
from tui.screens.measurements import MeasurementListScreen
from tui.screens.meetings import MeetingListScreen
from tui.screens.organizations import OrganizationListScreen
from tui.strings import STRINGS, text

#: The main screens, in the order of the navigation tabs and of the keys 1–7.
SECTIONS: dict[str, type[Screen[None]]] = {
    "dashboard": DashboardScreen,
    "organizations": OrganizationListScreen,
    "meetings": MeetingListScreen,
    "agreements": AgreementListScreen,
    "events": EventListScreen,
    "measurements": MeasurementListScreen,
    "follow_ups": FollowUpListScreen,
}


def translate_bindings(node: DOMNode, lang: str) -> None:
    """Replace binding descriptions that are STRINGS keys by their label in `lang`."""
    for key, bindings in node._bindings.key_to_bindings.items():
        node._bindings.key_to_bindings[key] = [
            replace(b, description=text(b.description, lang))
            if b.description in STRINGS else b
            for b in bindings
        ]


class CRMApp(App[None]):
    """The liaison staff's daily tool: dashboard, records, follow-ups."""

    CSS_PATH = "app.tcss"
    MODES = dict(SECTIONS)
    DEFAULT_MODE = "dashboard"
    BINDINGS = [
        *(
            Binding(str(number), f"go('{mode}')", mode, show=False)
            for number, mode in enumerate(SECTIONS, start=1)
        ),
        Binding("ctrl+q", "quit", "Quit", show=False),
    ]

    def __init__(
        self,
        database: Database,
        ctx: Context,
        *,
        lang: str = "ja",
        read_only: bool = False,
        personal: bool = False,
        report_dir: Path | None = None,
    ) -> None:
        self.database = database
        self.report_dir = report_dir or Path.cwd()
        self.ctx = ctx
        self.lang = lang
        self.read_only = read_only or database.read_only
        #: Whether contacts' personal data is shown in audit histories (masked by default).
        self.personal = personal
        super().__init__()
        translate_bindings(self, lang)
        self.title = self.t("app_title")
        if self.read_only:
            self.title += f" [{self.t('read_only')}]"

    def t(self, key: str, **values: object) -> str:
        """The label `key` in the app's language."""
        return text(key, self.lang, **values)

    def writable(self) -> bool:
        """True if writes are allowed; otherwise tells the user why not."""
        if self.read_only:
            self.notify(self.t("read_only_refused"), severity="error")
            return False
        return True

    def action_go(self, mode: str) -> None:
        """Show one of the main screens."""
        if self.current_mode != mode:
            self.switch_mode(mode)

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        """Palette commands: every main screen, and every shown binding of this screen."""
        yield from super().get_system_commands(screen)
        for mode in SECTIONS:
            yield SystemCommand(
                f"{self.t('go_to')}: {self.t(mode)}", self.t("go_to_help"),
                partial(self.action_go, mode),
            )
        for bindings in screen._bindings.key_to_bindings.values():
            for binding in bindings:
                if binding.show and binding.description:
                    yield SystemCommand(
                        binding.description, binding.key_display or binding.key,
                        partial(screen.run_action, binding.action),
                    )
