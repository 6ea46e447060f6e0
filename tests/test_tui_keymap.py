"""The key map file (issue 14 item 10): rebinding keys by action, and a file that cannot be
used refused in one line naming the file, the key and the action."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from cli.main import main
from crm.context import Context
from crm.errors import DataError
from db.session import Database
from tests.tui_factory import press, running
from tui.app import CRMApp
from tui.keymap import binding_id, known_actions, load_keymap
from tui.kit.record_list import RecordListScreen
from tui.widgets.help import HelpDialog


def test_actions_are_named_by_their_binding() -> None:
    assert binding_id("go('meetings')") == "go.meetings"
    assert binding_id("shift_period(-1)") == "shift_period.-1"
    assert binding_id("app.quit") == "app.quit"
    assert {"help", "app.quit", "back", "new", "archive", "go.meetings"} <= known_actions()


def test_docs_list_every_action_and_no_other() -> None:
    docs = (Path(__file__).parent.parent / "docs" / "keys.md").read_text(encoding="utf-8")
    table = docs.split("## Actions", 1)[1].split("\n\n")[1]
    rows = [line.split("|")[1:4] for line in table.splitlines() if line.startswith("| `")]
    named = {token for action, _keys, where in rows
             for token in re.findall(r"`([^`]+)`", action + where)}
    assert known_actions() <= named
    assert {t for action, _k, _w in rows for t in re.findall(r"`([a-z_.1-]+)`", action)
            if "…" not in t} <= known_actions()


def test_no_file_means_the_usual_keys(tmp_path: Path) -> None:
    assert load_keymap(tmp_path / "keys.toml", known_actions()) == {}


def test_a_file_rebinds_actions(tmp_path: Path) -> None:
    path = tmp_path / "keys.toml"
    path.write_text('help = "f2"\n"go.meetings" = "f3, ctrl+e"\n', encoding="utf-8")
    assert load_keymap(path, known_actions()) == {"help": "f2", "go.meetings": "f3,ctrl+e"}


@pytest.mark.parametrize(("content", "named"), [
    ('halp = "f2"\n', ["halp"]),
    ('help = "f 2"\n', ["help", "'f 2'"]),
    ("help = 2\n", ["help"]),
    ('help = "f2\n', ["TOML"]),
])
def test_a_file_that_cannot_be_used_is_named(tmp_path: Path, content: str,
                                             named: list[str]) -> None:
    path = tmp_path / "keys.toml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(DataError) as caught:
        load_keymap(path, known_actions())
    message = caught.value.text("en")
    assert str(path) in message and len(message.splitlines()) == 1
    for part in named:
        assert part in message


def test_the_app_refuses_to_start_on_a_bad_file(
        database: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "keys.toml"
    path.write_text('help = "f2"\nnot_an_action = "x"\n', encoding="utf-8")
    monkeypatch.setenv("CRM_KEYMAP", str(path))
    assert main(["--db", str(database.describe())]) == 1
    lines = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    assert len(lines) == 1 and str(path) in lines[0] and "not_an_action" in lines[0]


async def test_rebound_keys_work_and_the_old_ones_do_not(database: Database,
                                                         ctx: Context) -> None:
    app = CRMApp(database, ctx, keymap={"help": "f2", "go.meetings": "f3"})
    async with running(app) as pilot:
        await press(pilot, "question_mark")
        assert not isinstance(app.screen, HelpDialog)
        await press(pilot, "f2", until=lambda: isinstance(app.screen, HelpDialog))
        await press(pilot, "escape", until=lambda: not isinstance(app.screen, HelpDialog))
        await press(pilot, "f3", until=lambda: isinstance(app.screen, RecordListScreen))
