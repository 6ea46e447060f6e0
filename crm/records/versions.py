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
    noun, noun_ja = nouns(type(record))
    (who, when), (who_ja, when_ja) = last_changed(session, type(record), record.id)
    return ConflictError(
        f"{noun} {record.id} was changed by {who} at {when} after you opened it (version"
        f" {expected}, now {current}); nothing was saved: reload it and make your change again",
        ja=f"{noun_ja} (id {record.id}) は開いた後に {who_ja} が {when_ja} に変更しました"
           f"(版 {expected} → {current})。保存していません: 読み込み直してから変更してください",
        version=current,
    )


def nouns(model: type[Tracked]) -> tuple[str, str]:
    """What a record of `model` is called, in English and Japanese."""
    try:
        entity = entities.by_model(model)
    except KeyError:
        return str(model.__tablename__), str(model.__tablename__)
    return entity.noun, entity.noun_ja


def last_changed(
    session: Session, model: type[Tracked], record_id: int | None
) -> tuple[tuple[str, str], tuple[str, str]]:
    """Who last changed a record and when, as (who, when) in English and in Japanese, from
    the audit log."""
    last = session.execute(text(
        "SELECT changed_by, claimed_by, changed_at FROM audit_log"
        " WHERE table_name = :t AND row_id = :id ORDER BY id DESC LIMIT 1"
    ), {"t": model.__tablename__, "id": record_id}).first()
    if last is None:  # the log holds nothing for it (a database copied without history)
        return ("someone", "an unknown time"), ("誰か", "不明な日時")
    changed_by, claimed_by, when = last
    who = changed_by if claimed_by is None else f"{changed_by} (as {claimed_by})"
    who_ja = changed_by if claimed_by is None else f"{changed_by} ({claimed_by} として)"
    return (who, str(when)), (who_ja, str(when))
