"""An import read in full with reads only (`read_import`), then written in one transaction
(`ImportPlan.write`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select
from sqlmodel import Session, col

from crm import models as m
from crm.context import Context
from crm.io.importing import limits, writing
from crm.io.importing.columns import ENTITIES
from crm.io.importing.errors import unknown_choice
from crm.io.importing.limits import MAX_XLSX_BYTES, MAX_XLSX_CELLS
from crm.io.importing.matching import _Run
from crm.io.importing.reading import _open_source, _rows
from crm.io.importing.result import ImportResult
from crm.io.importing.specs import _IMPORTERS, _Importer
from crm.vocabulary import ORGANIZATION_KINDS

Progress = Callable[[int], None]
"""Called with the number of rows read so far, after each batch and at the end."""


def _last_change(session: Session) -> int | None:
    """The id of the newest audit row: every change to the records writes one (docs/schema.md),
    so while it stays the same, nothing a read import relies on has changed."""
    return session.execute(select(func.max(col(m.AuditLog.id)))).scalar()


@dataclass
class ImportPlan:
    """A file read, validated and matched, not written yet (`read_import`)."""

    entity: str
    path: Path
    dry_run: bool
    _run: _Run
    _importer: _Importer
    _last_change: int | None

    def still_current(self, session: Session) -> bool:
        """Whether nothing was changed in the database since the file was read."""
        return _last_change(session) == self._last_change

    def write(self, session: Session) -> ImportResult:
        """Create what the file names that is missing, then insert and update its records, in
        the caller's transaction (never committed; a dry run's writes are rolled back, and so
        is everything on error)."""
        run = self._run
        savepoint = session.begin_nested()
        try:
            # The connection is taken inside the savepoint, so every write is undone with it.
            run.bind(session)
            writing.create_named(run)
            writing.write(run, self._importer)
        except BaseException:
            savepoint.rollback()
            raise
        if self.dry_run:
            savepoint.rollback()
        else:
            savepoint.commit()
        return ImportResult(
            entity=self.entity, path=self.path, added=run.added, updated=run.updated,
            unchanged=run.unchanged, refused=run.refused, errors=tuple(run.errors),
            created_organizations=run.created_organizations, dry_run=self.dry_run,
        )


def read_import(
    session: Session,
    ctx: Context,
    entity: str,
    path: Path,
    *,
    sheet: str | None = None,
    dry_run: bool = False,
    create_missing: str | None = None,
    progress: Progress | None = None,
    max_bytes: int = MAX_XLSX_BYTES,
    max_cells: int = MAX_XLSX_CELLS,
) -> ImportPlan:
    """Read, validate and match every row of a CSV or .xlsx file as records of `entity`, with
    reads only (no write lock is taken); `ImportPlan.write` writes them.

    `create_missing` is the organization kind for organizations a row names that do not
    exist (refused otherwise). The first bad row raises ImportFileError (an unknown entity or
    option: DataError); a dry run counts refused rows instead.
    """
    importer_class = _IMPORTERS.get(entity)
    if importer_class is None:
        raise unknown_choice("entity", entity, ENTITIES, ja=f"{entity!r} は取り込めません",
                             field="entity")
    kind = ORGANIZATION_KINDS.parse(create_missing) if create_missing else None
    source = _open_source(path, sheet, max_bytes, max_cells)
    last_change = _last_change(session)
    run = _Run(session, ctx, dry_run=dry_run, create_missing=kind)
    importer = importer_class(run)
    for row in _rows(source, entity):
        if not run.present:
            run.present = frozenset(row.headers)
        run.process(importer, row)
        if progress is not None and run.read % limits.BATCH_SIZE == 0:
            progress(run.read)
    run.compare(importer)
    if progress is not None:
        progress(run.read)
    return ImportPlan(entity, path, dry_run, run, importer, last_change)


def import_file(
    session: Session,
    ctx: Context,
    entity: str,
    path: Path,
    *,
    sheet: str | None = None,
    dry_run: bool = False,
    create_missing: str | None = None,
    progress: Progress | None = None,
    max_bytes: int = MAX_XLSX_BYTES,
    max_cells: int = MAX_XLSX_CELLS,
) -> ImportResult:
    """Import every row of a CSV or .xlsx file as records of `entity`, or none of them, read
    and written in the caller's transaction (`read_import` then `ImportPlan.write`).

    Rows matching a record by id or natural key update it (or are skipped if nothing changed).
    Never commits; on error it raises ImportFileError (an unknown entity or option:
    DataError) with what the file did already rolled back. A dry run rolls back in any case
    and counts refused rows.
    """
    plan = read_import(
        session, ctx, entity, path, sheet=sheet, dry_run=dry_run,
        create_missing=create_missing, progress=progress, max_bytes=max_bytes,
        max_cells=max_cells,
    )
    return plan.write(session)
