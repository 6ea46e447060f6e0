"""Alembic environment: runs on the connection handed over by db.migrate."""

from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel

import crm.models  # noqa: F401  (registers every table on SQLModel.metadata)
from db.schema_sql.search import include_object

config = context.config
target_metadata = SQLModel.metadata


def run_migrations() -> None:
    connection = config.attributes["connection"]
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        compare_type=True,
        include_object=include_object,
        render_as_batch=True,
        # New migrations name sqlmodel's AutoString as imported by script.py.mako: mypy
        # --strict cannot see `sqlmodel.sql.sqltypes` through a bare `import sqlmodel`.
        user_module_prefix="",
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("offline migrations are not supported: use `crm db upgrade`")
run_migrations()
