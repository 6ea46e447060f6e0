"""Schema migrations with Alembic: create a database at head, or bring an old one there.

Alembic (and Mako under it) is imported only by the functions that migrate; knowing the
revisions and reading a database's revision need neither, so every command that only opens a
database starts without them.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, inspect, text

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).parent / "migrations"

#: The `revision = '00NN'` line of a migration file.
_REVISION_LINE = re.compile(r"""^revision(?:\s*:\s*str)?\s*=\s*['"]([^'"]+)['"]""", re.M)


def alembic_config() -> Config:
    """An Alembic configuration pointing at this package's migrations."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


@cache
def known_revisions() -> frozenset[str]:
    """Every migration's revision id, read from the migration files (without Alembic)."""
    found = set()
    for script in (MIGRATIONS / "versions").glob("*.py"):
        match = _REVISION_LINE.search(script.read_text(encoding="utf-8"))
        if match is not None:
            found.add(match.group(1))
    return frozenset(found)


def head_revision() -> str:
    """The newest migration's revision id (revisions are numbered 0001, 0002, … in one line)."""
    return max(known_revisions())


def is_known_revision(revision: str) -> bool:
    """Whether `revision` is one of this program's migrations (else a newer program wrote it)."""
    return revision in known_revisions()


def newer_schema_problem(revision: str | None, where: str, lang: str = "en") -> str | None:
    """One line in `lang` when `revision` comes from a newer version of the program, else
    None."""
    if revision is None or is_known_revision(revision):
        return None
    if lang == "ja":
        return (f"{where} のスキーマ {revision} はこのプログラムが知るものより新しい版です（この"
                f"プログラムの最新は {head_revision()}）。新しいプログラムを使ってください。"
                "何も変更していません")
    return (f"{where} is at schema {revision}, newer than this program knows (its newest is"
            f" {head_revision()}): use the newer program; nothing was changed")


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at, or None for an empty database."""
    with engine.connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            return None
        return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Migrate the database to `revision` (head by default) in one transaction."""
    from alembic import command

    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def autogenerate(engine: Engine, message: str) -> None:
    """Write a new migration from the difference between the models and the database."""
    from alembic import command

    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.revision(config, message=message, autogenerate=True)
