"""Contacts' personal values kept beside the audit chain, so that a person can be erased.

From migration 0008 an audit row of `contact` holds `PERSONAL_MARKER` where a personal value
was; the value itself goes to `audit_personal_value` with a random salt, and the chain covers
sha256(salt || value) (`digest`), set when the row is sealed. Erasing a person destroys the
value and its salt and keeps the digest: the chain verifies as before, and the 128-bit salt
makes guessing a low-entropy value (an e-mail, a phone number) from its digest hopeless.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from sqlalchemy import Connection, inspect, text
from sqlmodel import Session

from crm.i18n import Bilingual

#: What an audit row of `contact` holds in place of a personal value (NULL stays null).
PERSONAL_MARKER = "#personal"
#: What an erased contact's name becomes (its other personal fields become NULL).
ERASED_NAME = "〔消去済〕"
#: The personal columns of each table whose audit rows keep them out of the chain.
PERSONAL_COLUMNS: dict[str, tuple[str, ...]] = {
    "contact": ("name", "kana", "department", "title", "email", "phone", "notes"),
}
TABLE = "audit_personal_value"


def digest(salt: str, value: str) -> str:
    """sha256 hex of the salt's bytes (`salt` is hex) followed by the value as UTF-8."""
    data = bytes.fromhex(salt) + value.encode("utf-8", "surrogateescape")
    return hashlib.sha256(data).hexdigest()


def new_salt() -> str:
    """A random 128-bit salt, as 32 hex digits."""
    return secrets.token_hex(16)


def has_values(connection: Connection) -> bool:
    """Whether the database keeps personal values beside the chain (migration 0008 on)."""
    return inspect(connection).has_table(TABLE)


def seal_values(session: Session) -> int:
    """Give every value not yet sealed its salt and digest; returns how many.

    Called before the audit rows holding them are sealed (their hashes cover the digests),
    and by an erasure before it destroys values recorded in the same transaction.
    """
    connection = session.connection()
    if not has_values(connection):
        return 0
    pending = connection.execute(text(
        f"SELECT id, value FROM {TABLE} WHERE digest IS NULL AND value IS NOT NULL ORDER BY id"
    )).all()
    updates = []
    for row_id, value in pending:
        salt = new_salt()
        updates.append({"id": row_id, "salt": salt, "digest": digest(salt, value)})
    if updates:
        connection.execute(
            text(f"UPDATE {TABLE} SET salt = :salt, digest = :digest WHERE id = :id"), updates)
    return len(updates)


@dataclass(frozen=True)
class PersonalValue:
    """One value an audit row refers to: its side ('old'/'new'), column and value (None once
    erased)."""

    audit_id: int
    side: str
    column: str
    value: str | None


def values_of(session: Session, audit_ids: Iterable[int]) -> dict[int, list[PersonalValue]]:
    """The personal values the audit rows `audit_ids` refer to, by audit row."""
    connection = session.connection()
    ids = sorted(set(audit_ids))
    found: dict[int, list[PersonalValue]] = {}
    if not ids or not has_values(connection):
        return found
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        marks = ", ".join(f":i{n}" for n in range(len(chunk)))
        rows = connection.execute(text(
            f"SELECT audit_id, side, column_name, value FROM {TABLE}"
            f" WHERE audit_id IN ({marks}) ORDER BY id"
        ), {f"i{n}": value for n, value in enumerate(chunk)})
        for audit_id, side, column, value in rows:
            found.setdefault(audit_id, []).append(PersonalValue(audit_id, side, column, value))
    return found


def value_problems(connection: Connection) -> Iterator[tuple[int, Bilingual]]:
    """(audit row, problem) for each kept value that no longer matches its digest, each value
    of a sealed row that has no digest, and each value erased without a recorded erasure."""
    if not has_values(connection):
        return
    erased = set(connection.execute(text("SELECT contact_id FROM contact_erasure")).scalars())
    rows = connection.execute(text(
        f"SELECT p.audit_id, p.side, p.column_name, p.value, p.salt, p.digest, a.chain_hash,"
        f" a.table_name, a.row_id FROM {TABLE} p LEFT JOIN audit_log a ON a.id = p.audit_id"
        " ORDER BY p.audit_id, p.id"
    )).yield_per(2000)
    for audit_id, side, column, value, salt, sealed_digest, chain, table, row_id in rows:
        where, where_ja = f"personal value {side} {column}", f"個人情報の値 {side} {column}"
        if chain is None and sealed_digest is None:
            continue  # recorded, awaiting sealing
        if sealed_digest is None:
            yield audit_id, Bilingual(
                f"{where} has no digest, but its row is sealed (written by another tool)",
                f"{where_ja} にダイジェストがありませんが、その行は封印済みです（別のツールが"
                "書き込みました）")
        elif value is None:
            if table != "contact" or row_id not in erased:
                yield audit_id, Bilingual(f"{where} was erased without a recorded erasure",
                                          f"{where_ja} が消去の記録なしに消去されています")
        elif salt is None or digest(salt, value) != sealed_digest:
            yield audit_id, Bilingual(
                f"{where} no longer matches its sealed digest (rewritten)",
                f"{where_ja} が封印されたダイジェストと一致しません（書き換えられました）")
