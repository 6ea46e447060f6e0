"""Keys, help, the command palette and the language of the TUI, driven through Pilot."""

from __future__ import annotations

import pytest
from textual.widgets import DataTable, Input

from crm.context import Context
from db.session import Database
from tests.tui_factory import Seeded, press, running, seed, settle, shown, wait_until
from tests.tui_forms import footer_keys, paste
from tui.app import CRMApp
from tui.kit.form import FormScreen
from tui.widgets.field import Field
from tui.widgets.help import HelpDialog


@pytest.fixture
def seeded(database: Database, ctx: Context) -> Seeded:
    return seed(database, ctx)


async def test_english_and_command_palette(
    database: Database, ctx: Context, seeded: Seeded
) -> None:
    app = CRMApp(database, ctx, lang="en")
    async with running(app) as pilot:
        assert app.title == "Kakogawa partnership CRM"
        commands = [c.title for c in app.get_system_commands(app.screen)]
        assert "Go to: Meetings" in commands
        assert "Issue report" in commands
        await pilot.press("ctrl+p")
        await paste(pilot, "Go to: Follow")
        await press(pilot, "enter")
        assert app.current_mode == "follow_ups"
        await pilot.click("Tab#organizations")  # the mouse works too
        await wait_until(pilot, lambda: app.current_mode == "organizations")
        await settle(pilot)
        assert app.current_mode == "organizations"
        assert "Duplicates" in [c.title for c in app.get_system_commands(app.screen)]
        await press(pilot, "5")
        assert "Audit history" in [c.title for c in app.get_system_commands(app.screen)]


@pytest.mark.parametrize(("lang", "new", "quit_"), [("ja", "新規", "終了"), ("en", "New", "Quit")])
async def test_help_lists_the_screens_keys_in_its_language(
    database: Database, ctx: Context, seeded: Seeded, lang: str, new: str, quit_: str
) -> None:
    app = CRMApp(database, ctx, lang=lang)
    async with running(app, "3") as pilot:
        for key in ("question_mark", "f1"):
            await press(pilot, key, until=lambda: isinstance(app.screen, HelpDialog))
            table = app.screen.query_one("#help-keys", DataTable)
            rows = [tuple(shown(table, k)) for k in table.rows]
            assert ("n", new) in rows and ("q", quit_) in rows and ("?", app.t("help")) in rows
            assert ("3", app.t("meetings")) in rows  # the app's keys follow the screen's
            assert not any(description.startswith("Cursor") for _, description in rows)
            await press(pilot, "escape", until=lambda: not isinstance(app.screen, HelpDialog))


async def test_q_quits_where_nothing_is_edited(
    database: Database, ctx: Context, seeded: Seeded
) -> None:
    app = CRMApp(database, ctx)
    async with running(app, "5", "n") as pilot:
        kind = app.screen.query_one("#kind")
        kind.focus()
        await wait_until(pilot, lambda: app.focused is kind)
        await press(pilot, "q")  # in a form: nothing
        assert isinstance(app.screen, FormScreen) and app.return_code is None
        await press(pilot, "escape", until=lambda: not isinstance(app.screen, FormScreen))
        await pilot.press("slash", "q")  # typed into the search box
        assert app.screen.query_one("#fb-text", Input).value == "q"
        assert app.return_code is None
        await press(pilot, "escape")
        keys = footer_keys(app)
        assert keys["q"] == "終了"
        await pilot.press("q")
        await wait_until(pilot, lambda: app.return_code == 0)


async def test_palette_footer_and_menus_speak_japanese(
    database: Database, ctx: Context, seeded: Seeded
) -> None:
    app = CRMApp(database, ctx)
    async with running(app, "5", "n") as pilot:
        keys = footer_keys(app)
        assert keys["ctrl+p"] == "コマンド"
        titles = {c.title for c in app.get_system_commands(app.screen)}
        assert {"終了", "配色", "キー一覧"} <= titles and "Quit" not in titles
        kind = app.screen.query_one("#kind")
        kind.focus()
        await wait_until(pilot, lambda: app.focused is kind)
        await pilot.press("enter")  # the kinds' menu
        await wait_until(pilot, lambda: "選択肢を閉じる" in footer_keys(app).values())
    english = CRMApp(database, ctx, lang="en")
    async with running(english):
        assert "Quit" in {c.title for c in english.get_system_commands(english.screen)}


async def test_the_focused_field_is_marked(
    database: Database, ctx: Context, seeded: Seeded
) -> None:
    app = CRMApp(database, ctx)
    async with running(app, "5", "n") as pilot:
        def marked() -> list[str]:
            return [f.field_name for f in app.screen.query(Field) if f.has_class("-focused")]

        await wait_until(pilot, lambda: marked() == ["held_on"])
        await pilot.press("tab", "tab")
        await wait_until(pilot, lambda: marked() == ["title"])
        label = app.screen.query_one("#field-title .field-label")
        other = app.screen.query_one("#field-venue .field-label")
        assert label.styles.color != other.styles.color
