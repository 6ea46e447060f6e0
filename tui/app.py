"""The terminal UI application: built from a database and a context, nothing global.

The app owns the registry of screens: the main screens by section, and the screen for
each Destination a screen asks for (`CRMApp.open`).
"""

from __future__ import annotations

import gc
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, assert_never

from textual import events, work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.notifications import SeverityLevel
from textual.screen import Screen

from crm.context import Context
from db.session import Database
from tui.kit.form import FormScreen
from tui.kit.navigation import (
    SECTIONS,
    AuditTrail,
    Destination,
    DuplicatePairs,
    Host,
    KpiDetail,
    MeetingWith,
    NewContact,
    OrganizationHistory,
    PlanList,
    RecordForm,
    RecordKind,
    RecordView,
    TargetRevision,
)
from tui.kit.screen import translate_bindings
from tui.screens.agreement_form import AgreementForm
from tui.screens.agreements import AgreementListScreen
from tui.screens.audit_history import AuditHistoryScreen
from tui.screens.contact_form import ContactForm
from tui.screens.dashboard import DashboardScreen
from tui.screens.duplicates import DuplicatesScreen
from tui.screens.event_form import EventForm
from tui.screens.events import EventListScreen
from tui.screens.kpi_detail import KpiDetailScreen
from tui.screens.measurement_form import MeasurementForm
from tui.screens.measurements import MeasurementListScreen
from tui.screens.meeting_form import MeetingForm
from tui.screens.meetings import FollowUpListScreen, MeetingListScreen
from tui.screens.organization_detail import OrganizationDetailScreen
from tui.screens.organization_form import OrganizationForm
from tui.screens.organizations import OrganizationListScreen
from tui.screens.plans import PlansScreen
from tui.screens.record_view import RecordViewScreen
from tui.screens.target_revision_form import TargetRevisionForm
from tui.strings import text, textual_text
from tui.widgets.dialogs import ConfirmDialog
from tui.widgets.help import HelpDialog

#: The main screens, by section (in SECTIONS' order: the tabs and the keys 1–7).
MAIN_SCREENS: dict[str, type[Screen[Any]]] = {
    "dashboard": DashboardScreen,
    "organizations": OrganizationListScreen,
    "meetings": MeetingListScreen,
    "agreements": AgreementListScreen,
    "events": EventListScreen,
    "measurements": MeasurementListScreen,
    "follow_ups": FollowUpListScreen,
}
assert tuple(MAIN_SCREENS) == SECTIONS

#: The form of each kind of record, for a new record (None) or an existing one.
FORMS: dict[RecordKind, Callable[[int | None], FormScreen[Any]]] = {
    "organization": OrganizationForm,
    "meeting": MeetingForm,
    "agreement": AgreementForm,
    "event": EventForm,
    "measurement": MeasurementForm,
}

#: How many notices the app remembers (`CRMApp.notices`).
NOTICES_KEPT = 100


@dataclass(frozen=True)
class Notice:
    """A notification the app showed."""

    message: str
    severity: SeverityLevel


def screen_for(destination: Destination) -> Screen[Any]:
    """The screen that shows `destination`."""
    match destination:
        case RecordForm(kind, record_id):
            return FORMS[kind](record_id)
        case RecordView(kind, record_id):
            return RecordViewScreen(kind, record_id)
        case MeetingWith(organization):
            return MeetingForm(organization=organization)
        case NewContact(organization_id):
            return ContactForm(organization_id)
        case OrganizationHistory(organization_id):
            return OrganizationDetailScreen(organization_id)
        case DuplicatePairs():
            return DuplicatesScreen()
        case AuditTrail(title, records):
            return AuditHistoryScreen(title, records)
        case PlanList(plan):
            return PlansScreen(plan)
        case TargetRevision(plan, kpi):
            return TargetRevisionForm(plan, kpi)
        case KpiDetail(plan, code, period, figure):
            return KpiDetailScreen(plan, code, period, figure)
        case _:
            assert_never(destination)


#: The app's one stylesheet (every screen's styles but the first frame's).
STYLESHEET = Path(__file__).with_name("app.tcss")


class CRMApp(App[None]):
    """The liaison staff's daily tool: dashboard, records, follow-ups."""

    MODES = dict(MAIN_SCREENS)
    DEFAULT_MODE = "dashboard"
    BINDINGS = [
        *(
            Binding(str(number), f"go('{mode}')", mode, show=False)
            for number, mode in enumerate(SECTIONS, start=1)
        ),
        Binding("ctrl+q", "quit", "quit", show=False, priority=True),
        Binding("question_mark", "help", "help", key_display="?"),
        Binding("f1", "help", "help", show=False),
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
        keymap: dict[str, str] | None = None,
    ) -> None:
        self.database = database
        self.report_dir = report_dir or Path.cwd()
        self.ctx = ctx
        self.lang = lang
        self.read_only = read_only or database.read_only
        #: Whether contacts' personal data is shown in audit histories (masked by default).
        self.personal = personal
        #: The latest notices shown, oldest first: they stay when their toasts expire.
        self.notices: deque[Notice] = deque(maxlen=NOTICES_KEPT)
        #: Whether the main screens not shown yet are being (or were) built (_prebuild).
        self._prebuilding = False
        super().__init__()
        translate_bindings(self, lang)
        # Keys rebound by the office's key map file (tui.keymap), by binding id.
        self.set_keymap(keymap or {})
        self.title = self.t("app_title")
        if self.read_only:
            self.title += f" [{self.t('read_only')}]"

    def on_dashboard_screen_figures_shown(self) -> None:
        """The dashboard is complete: build the other main screens in the background."""
        if not self._prebuilding:
            self._prebuilding = True
            self._prebuild()

    @work(group="prebuild")
    async def _prebuild(self) -> None:
        """Build each main screen not shown yet as a switch to it would (compose, mount, lay
        out and read its first rows), one after the other on the event loop, so that keys
        are handled in between and the first switch to a screen costs what a later one does.
        """
        for mode in SECTIONS:
            if not self.is_running:  # closing: its screens are being taken down
                return
            if mode not in self._screen_stacks:
                # Textual's own first step of switch_mode (without showing the screen): a
                # list screen reads its rows on the ScreenResume it posts.
                await self._init_mode(mode)
        # No restyle after: each screen was styled as it was built and counts as such
        # (CRMScreen), so its first show does not restyle the whole app.
        # What exists now (the screens, their widgets, the modules) lives as long as the app:
        # keep the collector from walking it in each full collection, a pause of 130-210 ms
        # that fell on one switch of screens in every run (docs/performance.md). Not collected
        # first: that would be the same pause, now; the little garbage frozen with it waits
        # for the app's end.
        gc.freeze()

    def on_unmount(self) -> None:
        """The app ends: what was frozen at start-up may be collected again (several apps run
        in one process: the tests)."""
        gc.unfreeze()

    def on_ready(self) -> None:
        """The first frame is drawn: read the stylesheet, then the dashboard mounts the rest
        of itself."""
        # Not CSS_PATH: the first frame (title and a loading line) needs none of it, and
        # parsing it first was a sixth of that frame's cost (docs/performance.md).
        self.stylesheet.read(STYLESHEET)
        self.stylesheet.update(self)
        if isinstance(self.screen, DashboardScreen):
            self.screen.painted.set()

    def t(self, key: str, **values: object) -> str:
        """The label `key` in the app's language."""
        return text(key, self.lang, **values)

    def writable(self) -> bool:
        """True if writes are allowed; otherwise tells the user why not."""
        if self.read_only:
            self.notify(self.t("read_only_refused"), severity="error")
            return False
        return True

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = False,
    ) -> None:
        """Show a toast, and remember the notice. Notices name records and quote what people
        typed, so they are plain text unless a caller asks for markup."""
        self.notices.append(Notice(message, severity))
        super().notify(message, title=title, severity=severity, timeout=timeout,
                       markup=markup)

    async def action_quit(self) -> None:
        """Quit (ctrl+q, the palette); first ask if a form holds unsaved input."""
        forms = (s for stack in self._screen_stacks.values() for s in stack
                 if isinstance(s, FormScreen))
        if not any(form.unsaved() for form in forms):
            self.exit()
            return

        def answered(discard: bool | None) -> None:
            if discard:
                self.exit()

        self.push_screen(
            ConfirmDialog(self.t("confirm_quit"), self.t("yes"), self.t("no")), answered)

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        """Widgets Textual builds inside others (a Select's menu) get their keys' labels in
        the app's language when they are focused."""
        if translate_bindings(event.widget, self.lang):
            # Its own screen (one built in the background is not the current one), if it is
            # still on one (not while the app closes).
            for node in event.widget.ancestors_with_self:
                if isinstance(node, Screen):
                    node.refresh_bindings()

    def action_help(self) -> None:
        """Show the keys of the current screen and what they do."""
        screen = self.screen
        if isinstance(screen, HelpDialog):
            return
        keys: dict[tuple[str, str], None] = {}  # the screen's keys, then the app's
        for active in screen.active_bindings.values():
            binding = active.binding
            if binding.description and (binding.show or active.node is self):
                keys[(self.get_key_display(binding), binding.description)] = None
        name = (self.t(screen.title_key) if isinstance(screen, FormScreen)
                else self.t(str(self.current_mode)))
        self.push_screen(HelpDialog(
            self.t("help_title", screen=name), (self.t("help_key"), self.t("help_action")),
            list(keys), self.t("help_close")))

    def action_go(self, mode: str) -> None:
        """Show one of the main screens."""
        if self.current_mode != mode:
            self.switch_mode(mode)

    def open(self, destination: Destination) -> None:
        """Show the screen for `destination` over the current one."""
        self.push_screen(screen_for(destination))

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        """Palette commands: Textual's own (in the app's language), every main screen, and
        every shown binding of this screen."""
        for command in super().get_system_commands(screen):
            yield command._replace(title=textual_text(command.title, self.lang),
                                   help=textual_text(command.help, self.lang))
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


if TYPE_CHECKING:
    # mypy checks here that the app is all its screens take it for.
    _APP_IS_A_HOST: type[Host] = CRMApp
