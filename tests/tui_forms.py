"""Driving the TUI's forms from a test: typing into fields, a field's error, the
footer's keys, the organization picker's matches."""

from __future__ import annotations

from collections.abc import Callable

from textual.pilot import Pilot
from textual.widgets import Input, OptionList, TextArea
from textual.widgets._footer import FooterKey

from tests.tui_factory import wait_until
from tui.app import CRMApp
from tui.widgets.field import Field
from tui.widgets.organization_picker import OrganizationPicker


async def paste(pilot: Pilot[None], *texts: str) -> None:
    """Type each text into the focused widget as one paste (much faster than key by key),
    pressing Tab between them."""
    for number, text in enumerate(texts):
        before = pilot.app.focused
        if number:
            await pilot.press("tab")
        # Focus moves when the app handles the key (or, first, when the form has mounted):
        # wait for it rather than assume it (a loaded machine lags).
        moved = number > 0
        await wait_until(pilot, lambda b=before, m=moved: isinstance(
            pilot.app.focused, (Input, TextArea)) and (not m or pilot.app.focused is not b))
        focused = pilot.app.focused
        if isinstance(focused, TextArea):
            focused.insert(text)
        else:
            assert isinstance(focused, Input)
            focused.insert_text_at_cursor(text)
        await pilot.pause()


def field_error(app: CRMApp, name: str) -> str | None:
    return app.screen.query_one(f"#field-{name}", Field).error


def footer_keys(app: CRMApp) -> dict[str, str]:
    """What the footer shows: key -> description."""
    return {k.key: k.description for k in app.screen.query(FooterKey)}


async def shown_matches(pilot: Pilot[None], condition: Callable[[OptionList], bool]) -> None:
    """Wait until the form's organization picker shows matches that meet `condition`."""
    picker = pilot.app.screen.query_one(OrganizationPicker)
    options = picker.query_one(OptionList)
    await wait_until(pilot, lambda: picker.has_class("-searching") and condition(options))
