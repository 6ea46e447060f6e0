"""Where the program's databases live by default (light: the command line's help names them)."""

from __future__ import annotations

import os
from pathlib import Path

from platformdirs import user_config_path, user_data_path

APP_NAME = "kakogawa-crm"
URL_VARIABLE = "CRM_DATABASE_URL"


def default_database_path() -> Path:
    """Where the database lives when neither --db nor CRM_DATABASE_URL says otherwise."""
    return user_data_path(APP_NAME, appauthor=False) / "crm.sqlite3"


def demo_database_path() -> Path:
    """Where `crm --demo` keeps its demo database."""
    return user_data_path(APP_NAME, appauthor=False) / "demo.sqlite3"


def keymap_path() -> Path:
    """The TUI's key map file (tui.keymap): $CRM_KEYMAP, else keys.toml in the user config
    directory."""
    return Path(os.environ.get("CRM_KEYMAP") or
                user_config_path(APP_NAME, appauthor=False) / "keys.toml")
