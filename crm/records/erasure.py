"""Erasing a contact's personal data (個人情報の消去), as a person may ask under the APPI.

The contact's row keeps its id, organization and links (the meetings it attended still count)
but its name becomes `ERASED_NAME` and its other personal fields empty; every personal value
the audit log kept for it is destroyed (crm.audit.personal: the digest the chain covers
stays), and the erasure itself is recorded, without any value, in the audited
`contact_erasure`. The faces then rewrite the file's freed space
(db.maintenance.purge_freed_space), where the old bytes would otherwise linger.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import text
from sqlmodel import Session, select

from crm.audit import personal as store
from crm.context import Context
from crm.errors import DataError
from crm.models import Contact, ContactErasure
from crm.records.services import get

ERASED_NAME = store.ERASED_NAME


@dataclass(frozen=True)
class Erasure:
    """What an erasure did: the contact, its fields that held a value, the log values erased."""

    contact_id: int
    fields: tuple[str, ...]
    values_erased: int


def is_erased(session: Session, contact_id: int) -> bool:
    """Whether the contact's personal data has been erased."""
    found = session.exec(select(ContactErasure.id).where(ContactErasure.contact_id == contact_id))
    return found.first() is not None


def erase_contact(session: Session, ctx: Context, contact_id: int, *, reason: str) -> Erasure:
    """Erase the contact's personal values from its row and from the audit log, for `reason`.

    Refuses an unknown contact, an empty reason and a contact already erased (DataError).
    """
    if not reason.strip():
        raise DataError("an erasure needs a reason (--reason)", ja="消去には理由が必要です",
                        field="reason")
    contact = get(session, Contact, contact_id)
    if is_erased(session, contact_id):
        raise DataError(f"contact {contact_id} is already erased",
                        ja=f"連絡先 {contact_id} は消去済みです", field="id")
    columns = store.PERSONAL_COLUMNS["contact"]
    fields = tuple(c for c in columns if getattr(contact, c) not in (None, ""))
    for column in columns:
        setattr(contact, column, ERASED_NAME if column == "name" else None)
    contact.updated_at = ctx.now()
    contact.updated_by = ctx.user
    session.add(contact)
    session.flush()
    store.seal_values(session)  # the values this update recorded get their digests first
    erased = session.execute(text(
        f"UPDATE {store.TABLE} SET value = NULL, salt = NULL"
        " WHERE audit_id IN (SELECT id FROM audit_log WHERE table_name = 'contact'"
        " AND row_id = :id) AND value IS NOT NULL AND value <> :kept"
    ), {"id": contact_id, "kept": ERASED_NAME})
    count = int(getattr(erased, "rowcount", 0) or 0)
    session.add(ContactErasure(contact_id=contact_id, reason=reason.strip(), values_erased=count,
                               erased_at=ctx.now(), erased_by=ctx.user))
    session.flush()
    return Erasure(contact_id, fields, count)
