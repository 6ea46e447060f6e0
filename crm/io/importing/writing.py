"""An import's writes: the organizations, staff and tags it names created, then its new
records inserted and its changed ones updated, in batches with Core statements."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, cast

from sqlalchemy import bindparam, delete, insert, update
from sqlalchemy.exc import IntegrityError

from crm import models as m
from crm import tags
from crm.errors import DataError
from crm.io.importing import limits
from crm.io.importing.errors import ImportFileError
from crm.io.importing.matching import _Prepared, _Run
from crm.records import services
from crm.records.agreement_history import record_changes

if TYPE_CHECKING:
    from crm.io.importing.specs import _Importer


def create_named(run: _Run) -> None:
    """Create the organizations, staff and tags the file names that did not exist, and
    put their ids in place of the placeholders."""
    ids: dict[int, int] = {}
    for placeholder, (name, row, _column) in run.new_organizations.items():
        assert run.create_missing is not None  # placeholders are only made then
        try:
            organization = services.create_organization(
                run.session, run.ctx, name=name, kind=run.create_missing
            )
        except DataError as exc:
            raise row.service_error(exc) from exc
        ids[placeholder] = cast(int, organization.id)  # flushed: has an id
    for placeholder, (name, row) in run.new_staff.items():
        try:
            staff = services.create_staff(run.session, run.ctx, name=name)
        except DataError as exc:
            raise row.service_error(exc) from exc
        ids[placeholder] = cast(int, staff.id)
    names = list(run.new_tags.values())
    ids.update(zip(run.new_tags, tags.tag_ids(run.session, names), strict=True))
    if not ids:
        return
    for prepared in [*run.new, *(p for _, p in run.changed)]:
        if prepared.fields.get("organization_id", 0) in ids:
            prepared.fields["organization_id"] = ids[prepared.fields["organization_id"]]
        prepared.links = {
            column: tuple(ids.get(target, target) for target in targets)
            for column, targets in prepared.links.items()
        }


def write(run: _Run, importer: _Importer) -> None:
    """Insert the new records and update the changed ones, in batches."""
    for start in range(0, len(run.new), limits.BATCH_SIZE):
        batch = run.new[start:start + limits.BATCH_SIZE]
        with _refused_by_database(batch):
            ids = _insert(run, importer, batch)
            if importer.model is m.Agreement:
                record_changes(run.connection, run.ctx, ids)
    for start in range(0, len(run.changed), limits.BATCH_SIZE):
        changed = run.changed[start:start + limits.BATCH_SIZE]
        with _refused_by_database([prepared for _, prepared in changed]):
            _update(run, importer, changed)
    if importer.model is m.Agreement:
        matched = [record_id for record_id, _ in run.matched]
        for start in range(0, len(matched), limits.BATCH_SIZE):
            record_changes(run.connection, run.ctx, matched[start:start + limits.BATCH_SIZE])


@contextmanager
def _refused_by_database(batch: list[_Prepared]) -> Iterator[None]:
    try:
        yield
    except IntegrityError as exc:
        first, last = batch[0].row, batch[-1].row
        raise ImportFileError(
            f"{first.file}: rows {first.number}–{last.number}: refused by the database"
            f" ({exc.orig})",
            ja=f"{first.file}: {first.number}–{last.number}行目: データベースが受け付けません"
            f" ({exc.orig})",
            file=first.file, sheet=first.sheet, row=first.number,
        ) from exc


def _insert(run: _Run, importer: _Importer, batch: list[_Prepared]) -> list[int]:
    """Insert `batch`; the new records' ids, in its order."""
    table = importer.table
    statement = insert(table).returning(table.c.id, sort_by_parameter_order=True)
    ids = run.connection.execute(
        statement, [prepared.fields | run.new_stamp for prepared in batch]
    ).scalars().all()
    for link in importer.links:
        rows = [
            {link.owner: record_id, link.target: target}
            for record_id, prepared in zip(ids, batch, strict=True)
            for target in prepared.links.get(link.column, ())
        ]
        if rows:
            run.connection.execute(insert(link.table), rows)
    run.added += len(batch)
    return list(ids)


def _update(run: _Run, importer: _Importer, changed: list[tuple[int, _Prepared]]) -> None:
    table = importer.table
    compared = importer.compared(run.present)
    run.connection.execute(
        update(table).where(table.c.id == bindparam("record_id"))
        .values(version=table.c.version + 1),
        [
            {"record_id": record_id, **{f: prepared.fields[f] for f in compared},
             **run.changed_stamp}
            for record_id, prepared in changed
        ],
    )
    changed_ids = [record_id for record_id, _ in changed]
    for link in importer.updated_links(run.present):
        run.connection.execute(
            delete(link.table).where(
                link.table.c[link.owner].in_(changed_ids),
                link.table.c[link.target].in_(link.active_targets()),
            )
        )
        rows = [
            {link.owner: record_id, link.target: target}
            for record_id, prepared in changed
            for target in prepared.links.get(link.column, ())
        ]
        if rows:
            run.connection.execute(insert(link.table), rows)
    run.updated += len(changed)
