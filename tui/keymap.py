"""The key map file: an office whose terminal swallows a key rebinds the action to another.

`keys.toml` in the user config directory (db.paths.keymap_path; $CRM_KEYMAP overrides),
one line per action, `action = "key"` or several keys `"f2,ctrl+h"`:

    help = "f2"
    "app.quit" = "ctrl+x"
    archive = "delete"

Every binding of the app is known by its action (`go.meetings` for `go('meetings')`); see
docs/keys.md. A file that cannot be used is refused, one line naming the file, the key and
the action, before the app starts; no file means the usual keys.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from textual.binding import Binding, BindingType
from textual.dom import DOMNode
from textual.screen import ModalScreen

from crm.errors import DataError

#: A key as Textual names it (f2, ctrl+x, delete, question_mark) or one printable character.
KEY = re.compile(r"((ctrl|shift|alt|meta|super|hyper)\+)*([a-z][a-z0-9_]*|[0-9]|[!-~])")


def binding_id(action: str) -> str:
    """The id a key map file names a binding's action by: `go('meetings')` -> `go.meetings`."""
    name, _, argument = action.partition("(")
    argument = argument.rstrip(")").strip("'\"")
    return f"{name}.{argument}" if argument else name


def _all_subclasses(cls: type[DOMNode]) -> list[type[DOMNode]]:
    found = []
    for sub in cls.__subclasses__():
        found += [sub, *_all_subclasses(sub)]
    return found


def _bindings(cls: type[DOMNode]) -> list[BindingType]:
    return list(cls.__dict__.get("BINDINGS", []))


def known_actions() -> set[str]:
    """The ids of every binding of the app's screens and widgets (imported by now); the
    dialogs' keys (y/n, escape) are not rebound."""
    return {binding_id(b.action if isinstance(b, Binding) else b[1])
            for cls in _all_subclasses(DOMNode)
            if cls.__module__.startswith("tui.") and not issubclass(cls, ModalScreen)
            for b in _bindings(cls)}


def _refused(path: Path, detail: str, ja: str) -> DataError:
    return DataError(f"{path}: {detail}; the key map is not used, nothing changed",
                     ja=f"{path}: {ja}。キー割り当ては使われていません")


def load_keymap(path: Path, actions: set[str]) -> dict[str, str]:
    """The key map in `path` (action id -> keys), checked against `actions`; {} without a
    file. DataError naming the file, key and action if it cannot be used."""
    if not path.exists():
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise _refused(path, f"not a readable TOML file ({reason})",
                       f"TOML として読めません（{reason}）") from exc
    keymap: dict[str, str] = {}
    for action, keys in data.items():
        if action not in actions:
            raise _refused(path, f"unknown action {action!r} (see docs/keys.md)",
                           f"{action!r} という操作はありません（docs/keys.md 参照）")
        if not isinstance(keys, str) or not keys.strip():
            raise _refused(path, f"{action}: give the keys as a string, e.g. \"f2\"",
                           f"{action}: キーは \"f2\" のように文字列で書いてください")
        for key in keys.split(","):
            if not KEY.fullmatch(key.strip()):
                raise _refused(path, f"{action}: {key.strip()!r} is not a key name",
                               f"{action}: {key.strip()!r} はキーの名前ではありません")
        keymap[action] = ",".join(key.strip() for key in keys.split(","))
    return keymap
