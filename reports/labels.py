"""The report's own wording in Japanese and English, kept as data in labels.toml.

KPI column labels come from crm.i18n; this catalog holds what only the PDF says.
"""

from __future__ import annotations

import tomllib
from importlib.resources import files


def _catalog() -> dict[str, tuple[str, str]]:
    """Every key's (Japanese, English) text, read from the shipped labels.toml."""
    raw = tomllib.loads((files("reports") / "labels.toml").read_text(encoding="utf-8"))
    return {key: (str(entry["ja"]), str(entry["en"])) for key, entry in raw.items()}


TEXT = _catalog()


def t(key: str, lang: str, **values: object) -> str:
    """The text for `key` in `lang`, with `values` filled in."""
    ja, en = TEXT[key]
    return (ja if lang == "ja" else en).format(**values)
