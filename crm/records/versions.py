"""Optimistic concurrency (楽観的排他制御): every editable record carries a version, bumped by
every change the program saves. A form remembers the version it showed; saving over a
version that changed meanwhile is refused, naming who changed it and when (audit_log)."""

from __future__ import annotations

from sqlalchemy import select, text
from sqlmodel import Session, col

from crm.errors import ConflictError
from crm.models import Tracked
from crm.records import entities

#: The field a ConflictError names.
FIELD = "version"


def current(session: Session, model: type[Tracked], record_id: int) -> int | None:
    """The version of a record as the database holds it now (None if there is none)."""
    return session.scalar(select(col(model.version)).where(col(model.id) == record_id))


def claim(session: Session, record: Tracked, expected: int | None) -> None:
    """Bump `record`'s version for the change about to be saved. With `expected` (the version
    the user started from), refuse with ConflictError if the record has moved on since.

    The version is read from the database with a row lock (PostgreSQL; SQLite's write lock
    is already held), so of two saves from the same version exactly one succeeds.
    """
    model = type(record)
    with session.no_autoflush:
        current = session.scalar(
            select(col(model.version)).where(col(model.id) == record.id).with_for_update()
        )
    if current is None:  # not yet in the database: nothing to compare with
        return
    if expected is not None and current != expected:
        raise conflict(session, record, expected, current)
    record.version = current + 1


def conflict(session: Session, record: Tracked, expected: int, current: int) -> ConflictError:
    """The refusal of a save from version `expected` of `record`, now at `current`."""
    table = type(record).__tablename__
    last = session.execute(text(
        "SELECT changed_by, claimed_by, changed_at FROM audit_log"
        " WHERE table_name = :t AND row_id = :id ORDER BY id DESC LIMIT 1"
    ), {"t": table, "id": record.id}).first()
    try:
        entity = entities.by_model(type(record))
        noun, noun_ja = entity.noun, entity.noun_ja
    except KeyError:
        noun = noun_ja = str(table)
    if last is None:  # the log holds nothing for it (a database copied without history)
        who, when = "someone", "an unknown time"
        who_ja, when_ja = "誰か", "不明な日時"
    else:
        changed_by, claimed_by, when = last
        who = changed_by if claimed_by is None else f"{changed_by} (as {claimed_by})"
        who_ja = changed_by if claimed_by is None else f"{changed_by} ({claimed_by} として)"
        when_ja = when
    return ConflictError(
        f"{noun} {record.id} was changed by {who} at {when} after you opened it (version"
        f" {expected}, now {current}); nothing was saved: reload it and make your change again",
        ja=f"{noun_ja} (id {record.id}) は開いた後に {who_ja} が {when_ja} に変更しました"
           f"(版 {expected} → {current})。保存していません: 読み込み直してから変更してください",
        version=current,
    )
