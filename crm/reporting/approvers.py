"""The approval roles printed in the report's 決裁欄, and the saved default.

`crm report --approvers 部長,課長,係長,担当 --save-approvers` keeps the roles in
`report.toml` in the user's config directory (platformdirs; `$XDG_CONFIG_HOME` on Linux);
every later report, from the CLI or the TUI, prints them unless told otherwise.
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Sequence
from pathlib import Path

from platformdirs import user_config_path

from crm.errors import DataError

APP_NAME = "kakogawa-crm"
#: At most this many seals fit across the page beside the label.
MAX_ROLES = 7
MAX_ROLE_LENGTH = 8


def settings_path() -> Path:
    """The report settings file in the user's config directory."""
    return user_config_path(APP_NAME, appauthor=False) / "report.toml"


def parse_approvers(text: str) -> tuple[str, ...]:
    """Roles from '部長,課長,係長,担当' (、 also separates); DataError naming the bad one."""
    roles = tuple(r.strip() for r in text.replace("、", ",").split(","))
    if not roles or any(not r for r in roles):
        raise DataError(f"--approvers needs roles separated by commas, not {text!r}",
                        ja=f"--approvers には役職をカンマ区切りで指定します: {text!r}",
                        field="approvers")
    if len(roles) > MAX_ROLES:
        raise DataError(f"--approvers takes at most {MAX_ROLES} roles, not {len(roles)}",
                        ja=f"--approvers の役職は {MAX_ROLES} 個までです（{len(roles)} 個）",
                        field="approvers")
    for role in roles:
        if len(role) > MAX_ROLE_LENGTH or any(not c.isprintable() for c in role):
            raise DataError(
                f"approval role {role!r} must be printable and at most {MAX_ROLE_LENGTH}"
                " characters", ja=f"役職 {role!r} は {MAX_ROLE_LENGTH} 文字以内の表示可能な"
                "文字で指定します", field="approvers")
    return roles


def saved_approvers(path: Path | None = None) -> tuple[str, ...] | None:
    """The saved default roles, None when none are saved; DataError naming the file if it
    cannot be read."""
    path = path or settings_path()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise DataError(f"cannot read {path}: {exc}", ja=f"{path} を読めません: {exc}",
                        field="approvers") from exc
    roles = data.get("approvers")
    if roles is None:
        return None
    if not isinstance(roles, list) or not all(isinstance(r, str) for r in roles):
        raise DataError(f"{path}: approvers must be a list of strings",
                        ja=f"{path}: approvers は文字列のリストです", field="approvers")
    return parse_approvers(",".join(roles))


def save_approvers(roles: Sequence[str], path: Path | None = None) -> Path:
    """Keep `roles` as the default approval roles; returns the file written."""
    path = path or settings_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    items = ", ".join(json.dumps(r, ensure_ascii=False) for r in roles)
    path.write_text("# crm report: the approval roles printed on the cover (決裁欄)\n"
                    f"approvers = [{items}]\n", encoding="utf-8")
    return path
