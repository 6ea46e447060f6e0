"""The audit trail (監査証跡): who changed what and when, sealed into a SHA-256 hash chain.

Database triggers (migration 0003) append a row to `audit_log` for every insert, update and
delete on every table, whoever makes it. SQLite cannot compute SHA-256, so the rows arrive
unsealed (`chain_hash` NULL) and the program seals them, in id order, when it commits its
next write (`seal`, called by `db.session.Database.writing`):

    chain_hash(n) = sha256_hex(chain_hash(n-1) + canonical(n)),   chain_hash(0) = '0' * 64

where `canonical(n)` is the row's content as SQLite's
`json_array(id, table_name, row_id, action, old_values, new_values, changed_at, changed_by)`
writes it (compact JSON, UTF-8; `claimed_by` appended when set, from migration 0007). From
migration 0008 a contact's personal values are kept beside the chain (crm.audit.personal): the
row holds a marker, and its canonical text ends with `claimed_by` and the sorted list of
[side, column, sha256(salt || value)] of the values it refers to, so that erasing a value
leaves the chain whole.
`verify` recomputes the chain and names every break; the head (`chain_head`) is printed
and stored with every issued report, and `verify` checks each such anchor, so that an old
report anchors the history up to its day.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import Connection, inspect, text
from sqlmodel import Session, SQLModel

import crm.models  # noqa: F401  (registers every table on SQLModel.metadata)
from crm.audit import personal as store
from crm.context import os_login, system_clock
from crm.errors import DataError
from crm.i18n import Bilingual
from crm.models import AuditBreak

GENESIS = "0" * 64
HEX_DIGITS = "0123456789abcdef"
SEAL_BATCH = 5000
NOT_AUDITED = frozenset({"audit_log", "audit_actor", "alembic_version", store.TABLE})
# Contacts are personal data: their values are shown only when asked for.
PERSONAL_COLUMNS: dict[str, frozenset[str]] = {
    table: frozenset(columns) for table, columns in store.PERSONAL_COLUMNS.items()
}
HIDDEN = "***"
#: What a history shows for a personal value that was erased.
ERASED = store.ERASED_NAME

_CONTENT = "id, table_name, row_id, action, old_values, new_values, changed_at, changed_by"


@dataclass(frozen=True)
class AuditEntry:
    """One row of `audit_log`."""

    id: int
    table_name: str
    row_id: int
    action: str
    old_values: str | None
    new_values: str | None
    changed_at: str
    changed_by: str
    chain_hash: str | None
    claimed_by: str | None = None
    #: (side, column, digest) of each personal value the row refers to (from 0008).
    digests: tuple[tuple[str, str, str | None], ...] = ()
    #: The personal values themselves, where read (`history`): (side, column) -> value.
    kept: tuple[tuple[str, str, str | None], ...] = ()

    def canonical(self) -> str:
        """The text hashed into the chain (what SQLite's json_array gives for the row);
        `claimed_by` is hashed only when set (rows before 0007 have none), and with the
        digests of the personal values the row refers to (from 0008)."""
        content = (self.id, self.table_name, self.row_id, self.action, self.old_values,
                   self.new_values, self.changed_at, self.changed_by)
        if self.digests:
            return canonical((*content, self.claimed_by,
                              [list(d) for d in sorted(self.digests)]))
        return canonical(content if self.claimed_by is None else (*content, self.claimed_by))

    def values(self, *, personal: bool = False) -> tuple[dict[str, Any], dict[str, Any]]:
        """Old and new values as dicts, personal data masked unless `personal` (then the
        kept value, or ERASED once the person was erased)."""
        hidden = frozenset() if personal else PERSONAL_COLUMNS.get(self.table_name, frozenset())
        kept = {(side, column): value for side, column, value in self.kept}

        def decode(raw: str | None, side: str) -> dict[str, Any]:
            values: dict[str, Any] = json.loads(raw) if raw else {}
            shown: dict[str, Any] = {}
            for key, value in values.items():
                if key in hidden and value is not None:
                    value = HIDDEN
                elif value == store.PERSONAL_MARKER and (side, key) in kept:
                    value = kept[(side, key)]
                    value = ERASED if value is None else value
                shown[key] = value
            return shown

        return decode(self.old_values, "old"), decode(self.new_values, "new")


@dataclass(frozen=True)
class ChainBreak:
    """One place where the log is not what the program wrote: the row, and what is wrong."""

    row_id: int
    text: str

    def line(self) -> Bilingual:
        """The break as `verify` reports it (an acknowledgement keeps the English)."""
        return Bilingual(f"audit chain broken at row {self.row_id}: {self.text}",
                         f"監査チェーンが行 {self.row_id} で壊れています: "
                         + getattr(self.text, "ja", self.text))


@dataclass(frozen=True)
class ChainReport:
    """What `verify` found: rows checked, the head, rows awaiting sealing, every break."""

    verified: int
    head_id: int | None
    head_hash: str
    unsealed: int
    breaks: tuple[ChainBreak, ...] = ()
    acknowledged: tuple[ChainBreak, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.breaks

    def problems(self) -> list[Bilingual]:
        """One line per break not acknowledged, in row order (empty when the chain holds)."""
        return [b.line() for b in self.breaks]


def canonical(content: Sequence[Any]) -> str:
    """Compact JSON of a row's content, byte-identical to SQLite's json_array."""
    return json.dumps(list(content), ensure_ascii=False, separators=(",", ":"))


def chain_hash(previous: str, content: str) -> str:
    """sha256 hex of the previous hash followed by the row's canonical text.

    Text that another tool wrote as bytes that are not UTF-8 arrives with those bytes as
    surrogate escapes, and is hashed as the very bytes stored.
    """
    return hashlib.sha256((previous + content).encode("utf-8", "surrogateescape")).hexdigest()


def is_utf8(value: str) -> bool:
    """Whether `value` came from valid UTF-8 (holds no surrogate escapes of stray bytes)."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def set_actor(session: Session, actor: str) -> None:
    """Name who the current write transaction's changes are recorded for: the OS login as
    `changed_by` (on PostgreSQL the database login), `actor` (CRM_USER) as `claimed_by`."""
    session.execute(text("UPDATE audit_actor SET actor = :login, claimed = :actor WHERE id = 1"),
                    {"login": os_login(), "actor": actor})


def seal(session: Session) -> int:
    """Clear the actor and seal every unsealed row into the chain; returns how many.

    Call it last in a write transaction, so that the rows the transaction's triggers wrote
    are committed sealed (rows from other tools are sealed with them). A row another tool
    slipped in below sealed ones (id 0, a reused gap) is sealed where it stands, after the
    sealed row before it: writes go on, and `verify` names it as inserted into the history.
    """
    session.execute(text("UPDATE audit_actor SET actor = NULL, claimed = NULL WHERE id = 1"))
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        # Wait for every other transaction that has written audit rows (a psql session, say)
        # to end, so that no row with a lower id can appear after this seal.
        session.execute(text("LOCK TABLE audit_log IN SHARE ROW EXCLUSIVE MODE"))
    store.seal_values(session)
    after: int | None = None
    previous = GENESIS
    sealed = 0
    writer = _SealWriter(session)
    while True:
        # In batches, so that sealing a 100,000-row import does not hold every row at once.
        where = "chain_hash IS NULL" if after is None else "chain_hash IS NULL AND id > :after"
        batch = list(_entries(connection, f"WHERE {where} ORDER BY id LIMIT :size",
                              {"after": after, "size": SEAL_BATCH}))
        if not batch:
            writer.finish()
            return sealed
        if after is None:
            previous = session.execute(
                text("SELECT chain_hash FROM audit_log WHERE id < :id AND chain_hash IS NOT NULL"
                     " ORDER BY id DESC LIMIT 1"),
                {"id": batch[0].id},
            ).scalar() or GENESIS
        # Sealed rows among the batch's ids (or since the last batch): normally none
        # (unsealed rows follow the head).
        between = list(session.execute(
            text("SELECT id, chain_hash FROM audit_log WHERE chain_hash IS NOT NULL"
                 " AND id > :low AND id < :high ORDER BY id"),
            {"low": batch[0].id if after is None else after, "high": batch[-1].id},
        ).all())
        hashes = []
        for entry in batch:
            while between and between[0][0] < entry.id:
                previous = between.pop(0)[1]
            previous = chain_hash(previous, entry.canonical())
            hashes.append({"hash": previous, "id": entry.id})
        writer.add(hashes)
        after = batch[-1].id
        sealed += len(batch)


class _SealWriter:
    """Writes the seals. SQLite: each batch as it comes. PostgreSQL: into a temporary table,
    then every row in one UPDATE at the end, so that the statement-level order check of
    migration 0012 runs once per seal (its cost grows with the rows sealed before it in the
    transaction: once per batch would make a large import's sealing grow as n²)."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.postgresql = session.connection().dialect.name == "postgresql"
        if self.postgresql:
            session.execute(text(
                "CREATE TEMPORARY TABLE IF NOT EXISTS audit_seal"
                " (id bigint PRIMARY KEY, hash text NOT NULL) ON COMMIT DELETE ROWS"))

    def add(self, hashes: list[dict[str, Any]]) -> None:
        """Seal (or keep to seal) each row `id` with `hash`."""
        if not self.postgresql:
            self.session.execute(text("UPDATE audit_log SET chain_hash = :hash WHERE id = :id"),
                                 hashes)
            return
        self.session.execute(
            text("INSERT INTO audit_seal (id, hash)"
                 " SELECT * FROM unnest(CAST(:ids AS bigint[]), CAST(:hashes AS text[]))"),
            {"ids": [h["id"] for h in hashes], "hashes": [h["hash"] for h in hashes]},
        )

    def finish(self) -> None:
        """Write what was kept, in one statement."""
        if self.postgresql:
            self.session.execute(text("UPDATE audit_log SET chain_hash = s.hash"
                                      " FROM audit_seal s WHERE audit_log.id = s.id"))
            self.session.execute(text("DELETE FROM audit_seal"))


_TEXT_COLUMNS = ("table_name", "action", "old_values", "new_values", "changed_at",
                 "changed_by", "chain_hash", "claimed_by")


def _raw(column: str) -> str:
    if column == "NULL":
        return column
    # SQLite hands text that is not UTF-8 to Python as an error: read text as its bytes.
    return f"CASE typeof({column}) WHEN 'text' THEN CAST({column} AS BLOB) ELSE {column} END"


def _decoded(value: Any) -> Any:
    return value.decode("utf-8", "surrogateescape") if isinstance(value, bytes) else value


def _entries(connection: Connection, tail: str = "", params: dict[str, Any] | None = None
             ) -> Iterator[AuditEntry]:
    columns = ["id", "row_id", *_TEXT_COLUMNS]
    if "claimed_by" not in {c["name"] for c in inspect(connection).get_columns("audit_log")}:
        columns[-1] = "NULL"  # a database before 0007 (`crm db check` reads any)
    if connection.dialect.name == "sqlite":
        columns = [_raw(c) if c in _TEXT_COLUMNS else c for c in columns]
    columns.append(_digests_column(connection))
    result = connection.execute(
        text(f"SELECT {', '.join(columns)} FROM audit_log {tail or 'ORDER BY id'}"),
        params or {},
    )
    for row in result.yield_per(2000):
        entry_id, row_id, *texts, digests = (_decoded(v) for v in row)
        table_name, action, old_values, new_values, changed_at, changed_by, sealed, claimed = texts
        yield AuditEntry(entry_id, table_name, row_id, action, old_values, new_values,
                         changed_at, changed_by, sealed, claimed, _parsed_digests(digests))


def _digests_column(connection: Connection) -> str:
    """Each row's personal values as 'side column digest' items joined by commas (from 0008)."""
    if not store.has_values(connection):
        return "NULL"
    item = "p.side || ' ' || p.column_name || ' ' || coalesce(p.digest, '-')"
    joined = (f"string_agg({item}, ',')" if connection.dialect.name == "postgresql"
              else f"group_concat({item}, ',')")
    return (f"(SELECT {joined} FROM {store.TABLE} p WHERE p.audit_id = audit_log.id)")


def _parsed_digests(joined: str | None) -> tuple[tuple[str, str, str | None], ...]:
    if not joined:
        return ()
    items = (item.split(" ") for item in joined.split(","))
    return tuple(sorted((side, column, None if found == "-" else found)
                        for side, column, found in items))


@dataclass(frozen=True)
class Anchor:
    """A chain head kept elsewhere: the row id and hash, and who kept it."""

    row_id: int
    hash: str
    source: str


def parse_anchor(value: str) -> Anchor:
    """An anchor written as ID:HASH (as `crm audit head` prints it); ValueError if not."""
    row, _, digest = value.strip().partition(":")
    digest = digest.strip().lower()
    if not row.strip().isdigit() or len(digest) != 64 or set(digest) - set(HEX_DIGITS):
        raise ValueError(f"{value!r} is not an anchor like 1234:<64 hex digits>")
    return Anchor(int(row), digest, f"anchor {row.strip()}:{digest}")


def stored_anchors(session: Session) -> list[Anchor]:
    """The heads issued reports printed, as stored with them (none before 0007)."""
    connection = session.connection()
    columns = {c["name"] for c in inspect(connection).get_columns("issued_report")}
    if "audit_head_hash" not in columns:
        return []
    rows = connection.execute(text(
        "SELECT id, audit_head_id, audit_head_hash FROM issued_report"
        " WHERE audit_head_id IS NOT NULL AND audit_head_hash IS NOT NULL ORDER BY id"))
    return [Anchor(row_id, digest, f"issued report #{report}") for report, row_id, digest in rows]


def _anchor_breaks(anchors: list[Anchor], entry_id: int, stored: str | None) -> list[ChainBreak]:
    return [
        ChainBreak(entry_id, Bilingual(
            f"{anchor.source} anchored hash {anchor.hash} here, the chain now has"
            f" {stored or 'no seal'} (rewritten since)",
            f"{anchor.source} がここに固定したハッシュ {anchor.hash} が、いまは"
            f" {stored or '封印なし'} です（その後に書き換えられました）"))
        for anchor in anchors if anchor.hash != stored
    ]


def verify(session: Session, anchors: Sequence[Anchor] = ()) -> ChainReport:
    """Recompute the chain over every sealed row and name every break, not only the first.

    Reads only (it works on a read-only database). Unsealed rows must all follow the sealed
    ones; they are counted, and sealed at the program's next write. After a break the check
    goes on from the stored hash, so each later break is named on its own: a rewritten row,
    a row inserted into the sealed history, a row sealed out of order, bytes that are not
    UTF-8, an id that is not positive. Every anchor (`anchors`, and the head each issued
    report stored) must still be the hash at its row.
    """
    expected_at: dict[int, list[Anchor]] = {}
    restated = restatements(session)
    for anchor in [*stored_anchors(session), *anchors]:
        expected_at.setdefault(anchor.row_id, []).append(anchor)
    previous = recomputed = before_previous = GENESIS
    last_sealed: int | None = None
    pending: list[int] = []
    breaks: list[ChainBreak] = []
    verified = 0
    for entry in _entries(session.connection()):
        content = entry.canonical()
        breaks += _anchor_breaks(expected_at.pop(entry.id, []), entry.id, entry.chain_hash)
        if not is_utf8(content):
            breaks.append(ChainBreak(entry.id, Bilingual(
                "it holds bytes that are not UTF-8 (written by another tool)",
                "UTF-8 でないバイトを含みます（別のツールが書き込みました）")))
        if entry.id < 1:
            breaks.append(ChainBreak(entry.id, Bilingual(
                "its id is not positive (written by another tool)",
                "id が正の数ではありません（別のツールが書き込みました）")))
        if entry.chain_hash is None:
            pending.append(entry.id)
            continue
        breaks += [ChainBreak(row, Bilingual(
            f"it is unsealed, below sealed row {entry.id} (inserted out of order by another"
            " tool)", f"封印済みの行 {entry.id} より前にある未封印の行です（別のツールが順序外に"
            "挿入しました）")) for row in pending]
        pending.clear()
        expected = chain_hash(previous, content)
        restatement = restated.pop(entry.id, None)
        if restatement is not None:
            # Restated by migration 0008: its seal stays, its content is the restated one.
            problem = restatement.problem(entry, content)
            if problem is None:
                verified += 1
            else:
                breaks.append(ChainBreak(entry.id, problem))
            expected = entry.chain_hash
        # A row whose stored hash alone was replaced breaks once: the next row still chains
        # to its content.
        elif entry.chain_hash in (expected, chain_hash(recomputed, content)):
            verified += 1
        elif last_sealed is not None and entry.chain_hash == chain_hash(before_previous,
                                                                         content):
            breaks.append(ChainBreak(last_sealed, Bilingual(
                f"it was inserted into the sealed history (row {entry.id} chains past it)",
                f"封印済みの履歴に挿入されました（行 {entry.id} はこの行を飛ばして連鎖して"
                "います）")))
        else:
            gap = last_sealed is not None and entry.id != last_sealed + 1
            where = f"{entry.table_name} {entry.row_id}, {entry.action}, {entry.changed_at}"
            breaks.append(ChainBreak(entry.id, Bilingual(
                f"{where}: stored hash {entry.chain_hash}, recomputed {expected}"
                + (f" (no row between {last_sealed} and {entry.id}: deleted?)" if gap else ""),
                f"{where}: 保存されたハッシュ {entry.chain_hash}、再計算 {expected}"
                + (f"（行 {last_sealed} と {entry.id} の間に行がありません。削除？）"
                   if gap else ""))))
        before_previous, previous, recomputed = previous, entry.chain_hash, expected
        last_sealed = entry.id
    breaks += [ChainBreak(row, Bilingual(
        f"{anchor.source} anchored this row, but the log has no such row (rewritten since)",
        f"{anchor.source} がこの行を固定しましたが、ログにその行がありません（その後に書き換え"
        "られました）")) for row, kept in expected_at.items() for anchor in kept]
    breaks += [ChainBreak(row, Bilingual(
        "migration 0008 restated this row, but the log has no such sealed row (deleted?)",
        "マイグレーション 0008 がこの行を書き直しましたが、ログにその封印済みの行がありません"
        "（削除？）")) for row in restated]
    breaks += [ChainBreak(row, problem)
               for row, problem in store.value_problems(session.connection())]
    known = acknowledged_lines(session)
    breaks.sort(key=lambda b: b.row_id)
    return ChainReport(verified, last_sealed, previous, len(pending),
                       tuple(b for b in breaks if b.line() not in known),
                       tuple(b for b in breaks if b.line() in known))


@dataclass(frozen=True)
class Restatement:
    """A sealed row migration 0008 restated (personal values moved out of its content)."""

    sealed_hash: str
    content_hash: str
    matched: bool

    def problem(self, entry: AuditEntry, content: str) -> Bilingual | None:
        """What is wrong with the restated row now, or None."""
        where = f"{entry.table_name} {entry.row_id}, {entry.action}, {entry.changed_at}"
        if entry.chain_hash != self.sealed_hash:
            return Bilingual(f"{where}: its seal is not the one migration 0008 kept (rewritten)",
                             f"{where}: 封印がマイグレーション 0008 の保持したものではありません"
                             "（書き換えられました）")
        if hashlib.sha256(content.encode("utf-8", "surrogateescape")).hexdigest() != (
                self.content_hash):
            return Bilingual(
                f"{where}: its content is not what migration 0008 restated (rewritten)",
                f"{where}: 内容がマイグレーション 0008 の書き直したものではありません（書き換え"
                "られました）")
        if not self.matched:
            return Bilingual(
                f"{where}: it was already broken when migration 0008 restated it",
                f"{where}: マイグレーション 0008 が書き直した時点で既に壊れていました")
        return None


def restatements(session: Session) -> dict[int, Restatement]:
    """The rows migration 0008 restated, by audit row id (none before 0008)."""
    connection = session.connection()
    if not inspect(connection).has_table("audit_restatement"):
        return {}
    rows = connection.execute(text(
        "SELECT audit_id, sealed_hash, content_hash, matched FROM audit_restatement"))
    return {audit_id: Restatement(sealed, content, bool(matched))
            for audit_id, sealed, content, matched in rows}


def acknowledged_lines(session: Session) -> set[str]:
    """The break lines the office has acknowledged (none before 0007)."""
    connection = session.connection()
    if not inspect(connection).has_table("audit_break"):
        return set()
    return set(connection.execute(text("SELECT problem FROM audit_break")).scalars())


def acknowledge(session: Session, actor: str, row_id: int, reason: str) -> list[str]:
    """Record every current break at `row_id` as looked into, for `reason`; the lines kept.

    Nothing in the log changes: the acknowledgement is a new record, audited and sealed
    after the break like any change. A later, different break at the row still fails.
    """
    lines: list[str] = [b.line() for b in verify(session).breaks if b.row_id == row_id]
    if not lines:
        raise DataError(f"audit log row {row_id} has no break to acknowledge",
                        ja=f"監査ログの行 {row_id} に確認すべき破損はありません", field="row")
    if not reason.strip():
        raise DataError("an acknowledgement needs a reason", ja="確認には理由が必要です",
                        field="reason")
    session.add_all(AuditBreak(row_id=row_id, problem=line, reason=reason.strip(),
                               acknowledged_at=system_clock(), acknowledged_by=actor)
                    for line in lines)
    session.flush()
    return lines


@dataclass(frozen=True)
class ChainHead:
    """The newest sealed row: its id and hash (printed on reports as an anchor)."""

    id: int | None
    hash: str


def chain_head(session: Session) -> ChainHead:
    """The id and hash of the newest sealed row (GENESIS for an empty log)."""
    row = session.execute(
        text("SELECT id, chain_hash FROM audit_log WHERE chain_hash IS NOT NULL"
             " ORDER BY id DESC LIMIT 1")
    ).first()
    return ChainHead(None, GENESIS) if row is None else ChainHead(row[0], row[1])


def link_tables() -> dict[str, list[str]]:
    """Parent table -> the link tables whose `row_id` in the log is that parent's id."""
    links: dict[str, list[str]] = {}
    for table in SQLModel.metadata.sorted_tables:
        if "id" in table.columns or table.name in NOT_AUDITED:
            continue
        first = table.primary_key.columns.values()[0]
        for foreign_key in first.foreign_keys:
            links.setdefault(foreign_key.column.table.name, []).append(table.name)
    return links


def audited_tables() -> list[str]:
    """Every table the triggers record, by name."""
    return sorted(t for t in SQLModel.metadata.tables if t not in NOT_AUDITED)


def history(
    session: Session, *, table: str | None = None, row_id: int | None = None, limit: int = 200
) -> list[AuditEntry]:
    """The newest `limit` changes, oldest first: of a table, or of one record and its links.

    A record's history includes its link rows (a meeting's organizations, staff, contacts).
    """
    if row_id is not None and table is None:
        raise ValueError("a row id needs its table")
    clauses: list[str] = []
    params: dict[str, Any] = {"limit": limit}
    if table is not None:
        tables = [table, *link_tables().get(table, [])] if row_id is not None else [table]
        names = ", ".join(f":t{i}" for i in range(len(tables)))
        clauses.append(f"table_name IN ({names})")
        params.update({f"t{i}": name for i, name in enumerate(tables)})
    if row_id is not None:
        clauses.append("row_id = :row_id")
        params["row_id"] = row_id
    where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
    newest = list(_entries(session.connection(), f"{where} ORDER BY id DESC LIMIT :limit",
                           params))
    kept = store.values_of(session, (e.id for e in newest if e.digests))
    return [replace(e, kept=tuple((v.side, v.column, v.value) for v in kept.get(e.id, ())))
            for e in reversed(newest)]
