"""The footer: the screen's keys, and when they do not all fit, the least needed give way.

Help (`?`), quitting, going back, cancelling and saving stay to the last; then the screen's
own keys, in the order the screen lists them; the app's keys (palette aside) go first.
"""

from __future__ import annotations

from rich.cells import cell_len
from textual.app import ComposeResult
from textual.binding import Binding
from textual.events import Resize
from textual.screen import Screen
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

#: Actions kept to the last, most needed first.
KEPT = ("help", "app.quit", "quit", "back", "cancel", "save")
#: What a key takes besides its key and label: the space between them and its padding.
KEY_FRAME = 3

Shown = tuple[Binding, bool, str]


def _rank(binding: Binding, position: int) -> tuple[int, int]:
    action = binding.action
    return (KEPT.index(action), 0) if action in KEPT else (len(KEPT), position)


def fitting(keys: list[Shown], widths: list[int], room: int) -> list[Shown]:
    """The keys (each `widths` cells wide) that fit in `room`, in their order, dropping the
    least needed first."""
    ranked = sorted(range(len(keys)), key=lambda i: _rank(keys[i][0], i))
    kept: set[int] = set()
    used = 0
    for i in ranked:
        if used + widths[i] <= room:
            kept.add(i)
            used += widths[i]
    return [key for i, key in enumerate(keys) if i in kept]


class Key(FooterKey):
    """A footer key in the footer's style from the start.

    Textual's FooterKey starts compact and is then bound to its footer's (not compact): two
    restyles of each key on its mount, about a third of the first paint's styling. The
    app's footer is never compact, so the key is built that way.
    """

    def __init__(self, key: str, key_display: str, description: str, action: str, *,
                 disabled: bool = False, tooltip: str = "") -> None:
        super().__init__(key, key_display, description, action, disabled=disabled,
                         tooltip=tooltip)
        self.set_reactive(FooterKey.compact, False)


class PriorityFooter(Footer):
    """Textual's footer that drops the least needed keys when they do not fit its width."""

    _composed_for = -1
    #: What the keys shown were composed from (None before the first compose).
    _composed_keys: tuple[object, ...] | None = None

    def _keys(self) -> list[Shown]:
        shown: dict[str, Shown] = {}
        for _node, binding, enabled, tooltip in self.screen.active_bindings.values():
            if binding.show and binding.key != self.app.COMMAND_PALETTE_BINDING:
                shown.setdefault(binding.action, (binding, enabled, tooltip))
        return list(shown.values())

    def _width(self, binding: Binding) -> int:
        return (cell_len(self.app.get_key_display(binding)) + cell_len(binding.description)
                + KEY_FRAME)

    def _room(self) -> int:
        palette = 0
        if self.show_command_palette and self.app.ENABLE_COMMAND_PALETTE:
            found = self.screen.active_bindings.get(self.app.COMMAND_PALETTE_BINDING)
            palette = 0 if found is None else self._width(found[1]) + 2
        return self.size.width - palette

    def compose(self) -> ComposeResult:
        if not self._bindings_ready:
            return
        keys = self._keys()
        self._composed_for = self.size.width
        self._composed_keys = self._signature(keys)
        if self.size.width:
            keys = fitting(keys, [self._width(b) for b, _e, _t in keys], self._room())
        self.styles.grid_size_columns = len(keys)
        for binding, enabled, tooltip in keys:
            yield Key(binding.key, self.app.get_key_display(binding), binding.description,
                      binding.action, disabled=not enabled, tooltip=tooltip)
        if self.show_command_palette and self.app.ENABLE_COMMAND_PALETTE:
            found = self.screen.active_bindings.get(self.app.COMMAND_PALETTE_BINDING)
            if found is not None:
                _node, binding, enabled, tooltip = found
                yield FooterKey(
                    binding.key, self.app.get_key_display(binding), binding.description,
                    binding.action, classes="-command-palette", disabled=not enabled,
                    tooltip=binding.tooltip or binding.description,
                )

    def _signature(self, keys: list[Shown]) -> tuple[object, ...]:
        palette = self.screen.active_bindings.get(self.app.COMMAND_PALETTE_BINDING)
        return (*((b.key, b.key_display, b.description, e, t) for b, e, t in keys),
                None if palette is None else palette[2])

    def bindings_changed(self, screen: Screen[object]) -> None:
        """Recompose only when the keys shown change: every switch of screens and every move
        of focus signals a change, and rebuilding the keys cost about 100 ms a switch."""
        if (self._bindings_ready and self.is_attached and screen is self.screen
                and self._composed_keys == self._signature(self._keys())):
            return
        super().bindings_changed(screen)

    async def on_resize(self, event: Resize) -> None:
        if event.size.width != self._composed_for:
            await self.recompose()
