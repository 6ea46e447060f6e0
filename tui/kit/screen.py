"""What every screen of the app shares: labels, navigation tabs, and database work in
thread workers whose results come back as typed messages."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import replace
from typing import Any, TypeVar, cast

from sqlmodel import Session
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.dom import DOMNode
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Static, Tab

from crm.errors import CRMError, DataError
from tui.keymap import binding_id
from tui.kit.navigation import SECTIONS, Host
from tui.messages import WriteDone, WriteFailed
from tui.strings import STRINGS, text, textual_text

Result = TypeVar("Result")


#: `q` on the screens where nothing is edited (the footer says how to quit).
QUIT = Binding("q", "app.quit", "quit")

#: Seconds a save may take before the screen says it waits for another save or import (the
#: write lock: both backends let a writer wait up to db.engine.BUSY_TIMEOUT_MS).
WAIT_NOTICE_AFTER = 1.0


def _label(description: str, lang: str) -> str:
    return text(description, lang) if description in STRINGS else textual_text(description, lang)


def translate_bindings(node: DOMNode, lang: str) -> bool:
    """Replace binding descriptions that are STRINGS keys (or Textual's own English labels)
    by their label in `lang`, and give each binding its action's id (tui.keymap: a key map
    file rebinds it by that id); True if any changed."""
    changed = False
    for key, bindings in node._bindings.key_to_bindings.items():
        translated = [replace(b, description=_label(b.description, lang),
                              id=b.id or binding_id(b.action)) for b in bindings]
        changed |= translated != bindings
        node._bindings.key_to_bindings[key] = translated
    return changed


class CRMScreen(Screen[Any]):
    """A screen with the app's language and workers that read or write in their own session."""

    def __init__(self) -> None:
        super().__init__()
        translate_bindings(self, self.crm.lang)
        # Built now, so styled by the stylesheet as it stands: Textual restyles the whole app
        # (a full re-parse of every stylesheet) when it first shows a screen it thinks is
        # behind, which a new screen always was (~7 ms of the first paint, more later).
        self._css_update_count = self.app._css_update_count
        #: Set when the last write this screen started has ended (None: none started).
        self._write_ended: threading.Event | None = None

    @property
    def crm(self) -> Host:
        """The application, with its database, context, language and navigation."""
        return cast(Host, self.app)

    def t(self, key: str, **values: object) -> str:
        """The label `key` in the app's language."""
        return self.crm.t(key, **values)

    def on_tab_clicked(self, event: Tab.Clicked) -> None:
        """A click on a navigation tab shows that screen."""
        if isinstance(event.tab.parent, NavTabs) and event.tab.id:
            self.crm.action_go(event.tab.id)

    @work(thread=True, group="read")
    def read(self, query: Callable[[Session], Result],
             loaded: Callable[[Result], Message]) -> None:
        """Run `query` in a fresh read session and post `loaded(its result)` to this screen."""
        with self.crm.database.reading() as session:
            data = query(session)
        self.post_message(loaded(data))

    def write(self, notice: str, change: Callable[[Session], int | None],
              then: Callable[[], None] | None = None) -> None:
        """Run `change` in one transaction, then `then` (after the commit); posts WriteDone,
        or WriteFailed with the field. While a write is still running (waiting for the
        lock), another is not started: the screen says what it waits for."""
        if not self.crm.writable():
            return
        if self.writing():
            self.waiting_for_lock()
            return
        ended = self._write_ended = threading.Event()
        self.set_timer(WAIT_NOTICE_AFTER, lambda: None if ended.is_set()
                       else self.waiting_for_lock())
        self._write(notice, change, then, ended)

    def writing(self) -> bool:
        """Whether a write this screen started has not ended yet."""
        return self._write_ended is not None and not self._write_ended.is_set()

    def waiting_for_lock(self) -> None:
        """Say that a save waits for another save or import to finish (a screen with a
        message line shows it there too)."""
        self.notify(self.t("waiting_for_lock"), severity="warning")

    @work(thread=True, group="write")
    def _write(self, notice: str, change: Callable[[Session], int | None],
               then: Callable[[], None] | None, ended: threading.Event) -> None:
        try:
            with self.crm.database.writing(actor=self.crm.ctx.user) as session:
                record_id = change(session)
            if then is not None:
                then()
        except DataError as exc:
            message: Message = WriteFailed(exc.text(self.crm.lang), exc.field)
        except CRMError as exc:  # the database busy (db.session.DatabaseBusyError) and such
            message = WriteFailed(exc.text(self.crm.lang))
        else:
            message = WriteDone(notice, record_id)
        finally:
            ended.set()
        self.post_message(message)


class NavTabs(Horizontal):
    """The main screens as tabs (keys 1–7 or a click), the active one underlined.

    A row of Textual's Tab widgets rather than its Tabs, which (with its scrolling and
    animated underline) cost about 80 ms of every main screen's first paint.
    """

    def __init__(self, active: str, labels: dict[str, str]) -> None:
        tabs = [Tab(f"{n} {label}", id=mode, classes="-active" if mode == active else None)
                for n, (mode, label) in enumerate(labels.items(), start=1)]
        super().__init__(*tabs, Static(classes="nav-rest"))


def nav_tabs(screen: CRMScreen, active: str) -> ComposeResult:
    """The navigation tabs for a main screen."""
    yield NavTabs(active, {mode: screen.t(f"tab_{mode}") for mode in SECTIONS})
