"""The replay check: every record's latest audited state must be the row in its table.

A change made with the audit triggers dropped (or disabled) leaves the table and the log
apart; this check finds each such record and names its table, id and the columns that
differ. It compares in SQL, table by table: the log's newest entry per record joined to
the row, as the trigger would have written it (SQLite's json_object, PostgreSQL's
to_jsonb); only rows that differ come back to Python. Link tables (keyed by their parent)
are replayed one parent at a time, streaming both sides in key order.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import Connection, inspect, text

from crm.audit import personal as store
from crm.audit.chain import is_utf8
from crm.i18n import Bilingual
from db.schema_sql.audit import audited_tables
from db.schema_sql.row_versions import VERSION_COLUMN

_LATEST = ("SELECT row_id, max(id) AS last_id FROM audit_log WHERE table_name = :t"
           " GROUP BY row_id")


def _row_json(connection: Connection, alias: str, columns: Sequence[str],
              personal: Sequence[str] = ()) -> str:
    """The row as the audit trigger writes it (personal values as the marker)."""
    def masked(column: str) -> str:
        return (f"CASE WHEN {alias}.\"{column}\" IS NULL THEN NULL"
                f" ELSE '{store.PERSONAL_MARKER}' END")

    if connection.dialect.name == "postgresql":
        base = f"(to_jsonb({alias}) - '{VERSION_COLUMN}')"
        if not personal:
            return f"{base}::text"
        pairs = ", ".join(f"'{c}', {masked(c)}" for c in personal)
        return f"({base} || jsonb_build_object({pairs}))::text"
    def value(column: str) -> str:
        return masked(column) if column in personal else f'{alias}."{column}"'

    pairs = ", ".join(f"'{c}', {value(c)}" for c in columns)
    return f"json_object({pairs})"


def _fetched(connection: Connection, expression: str) -> str:
    # SQLite hands text that is not UTF-8 to Python as an error: fetch it as bytes.
    return expression if connection.dialect.name != "sqlite" else f"CAST({expression} AS BLOB)"


def _text(value: Any) -> str | None:
    return value.decode("utf-8", "surrogateescape") if isinstance(value, bytes) else value


def _values(raw: str | None) -> dict[str, Any] | None:
    try:
        values = json.loads(raw) if raw else None
    except ValueError:
        return None
    return values if isinstance(values, dict) else None


#: What `_differing` names when the logged state cannot be compared column by column.
NOT_JSON = "(the logged state is not a JSON object)"


def _unrecorded_change(where: str, changed: Sequence[str]) -> Bilingual:
    columns = ", ".join(changed)
    columns_ja = columns.replace(NOT_JSON, "（記録された状態が JSON オブジェクトではありません）")
    return Bilingual(f"{where}: {columns} differ(s) from its last audited state (changed"
                     " without being recorded)",
                     f"{where}: {columns_ja} が最後の監査記録と異なります（記録なしに変更"
                     "されました）")


def _differing(table: str, logged: str | None, current: str | None) -> list[str]:
    """Columns whose value differs; columns only one side knows (added or dropped by a
    migration since) are left out."""
    old, new = _values(logged), _values(current)
    if old is None or new is None:
        return [NOT_JSON] if new is not None else []
    return sorted(c for c in old.keys() & new.keys() if old[c] != new[c])


def replay_problems(connection: Connection) -> Iterator[Bilingual]:
    """One line per record whose table row differs from its latest audited state."""
    kept = store.PERSONAL_COLUMNS if store.has_values(connection) else {}
    for table, key, columns in audited_tables(connection):
        if key == "id":
            personal = [c for c in kept.get(table, ()) if c in columns]
            yield from _record_problems(connection, table, columns, personal)
            if personal:
                yield from _personal_problems(connection, table, personal)
        else:
            yield from _link_problems(connection, table, key, columns)


def _personal_problems(connection: Connection, table: str, personal: Sequence[str]
                       ) -> Iterator[Bilingual]:
    """Records whose personal values differ from the ones their latest audit row keeps
    (an erased value is not compared: it is gone)."""
    column = " ".join(f"WHEN '{c}' THEN t.\"{c}\"" for c in personal)
    differ = connection.execute(text(
        f"SELECT t.id, p.column_name FROM \"{table}\" t JOIN ({_LATEST}) l ON l.row_id = t.id"
        f" JOIN {store.TABLE} p ON p.audit_id = l.last_id AND p.side = 'new'"
        f" WHERE p.value IS NOT NULL AND p.value IS DISTINCT FROM (CASE p.column_name {column}"
        " END) ORDER BY t.id, p.column_name"), {"t": table})
    for row_id, names in itertools.groupby(differ, key=lambda r: r[0]):
        yield _unrecorded_change(f"{table} {row_id}", [name for _id, name in names])


def _record_problems(connection: Connection, table: str, columns: Sequence[str],
                     personal: Sequence[str] = ()) -> Iterator[Bilingual]:
    row = _row_json(connection, "t", columns, personal)
    differ = connection.execute(text(
        f"SELECT t.id, a.action, {_fetched(connection, 'a.new_values')},"
        f" {_fetched(connection, row)}"
        f' FROM "{table}" t LEFT JOIN ({_LATEST}) l ON l.row_id = t.id'
        " LEFT JOIN audit_log a ON a.id = l.last_id"
        f" WHERE a.id IS NULL OR a.action = 'delete' OR a.new_values IS DISTINCT FROM {row}"
        " ORDER BY t.id"
    ), {"t": table})
    for row_id, action, logged_raw, current_raw in differ.yield_per(500):
        logged, current = _text(logged_raw), _text(current_raw)
        where = f"{table} {row_id}"
        if current is not None and not is_utf8(current):
            yield Bilingual(f"{where}: it holds bytes that are not UTF-8 (written by another"
                            " tool)", f"{where}: UTF-8 でないバイトを含みます（別のツールが"
                            "書き込みました）")
        if action is None:
            yield Bilingual(f"{where}: not in the audit log (added without being recorded)",
                            f"{where}: 監査ログにありません（記録なしに追加されました）")
        elif action == "delete":
            yield Bilingual(f"{where}: the audit log records its deletion, but it exists",
                            f"{where}: 監査ログでは削除済みですが、存在します")
        elif changed := _differing(table, logged, current):
            yield _unrecorded_change(where, changed)
    missing = connection.execute(text(
        f"SELECT l.row_id FROM ({_LATEST}) l JOIN audit_log a ON a.id = l.last_id"
        f" WHERE a.action <> 'delete' AND NOT EXISTS"
        f' (SELECT 1 FROM "{table}" t WHERE t.id = l.row_id) ORDER BY l.row_id'
    ), {"t": table})
    for (row_id,) in missing:
        yield Bilingual(f"{table} {row_id}: missing, but the audit log has no record of its"
                        " deletion", f"{table} {row_id}: ありません。監査ログに削除の記録が"
                        "ありません")


def _link_problems(connection: Connection, table: str, parent: str, columns: Sequence[str]
                   ) -> Iterator[Bilingual]:
    key_columns = inspect(connection).get_pk_constraint(table)["constrained_columns"]

    def identity(values: dict[str, Any]) -> tuple[Any, ...]:
        return tuple(values.get(c) for c in key_columns)

    logged = connection.execute(text(
        f"SELECT row_id, action, {_fetched(connection, 'old_values')},"
        f" {_fetched(connection, 'new_values')} FROM audit_log WHERE table_name = :t"
        " ORDER BY row_id, id"
    ), {"t": table}).yield_per(2000)
    current = connection.execute(text(
        f'SELECT t."{parent}", {_fetched(connection, _row_json(connection, "t", columns))}'
        f' FROM "{table}" t ORDER BY t."{parent}"'
    )).yield_per(2000)

    def replayed(entries: Iterator[Any]) -> dict[tuple[Any, ...], dict[str, Any]]:
        rows: dict[tuple[Any, ...], dict[str, Any]] = {}
        for _row_id, action, old_raw, new_raw in entries:
            old, new = _values(_text(old_raw)), _values(_text(new_raw))
            if old is not None:
                rows.pop(identity(old), None)
            if new is not None and action != "delete":
                rows[identity(new)] = new
        return rows

    log_groups = ((p, replayed(e)) for p, e in itertools.groupby(logged, key=lambda r: r[0]))
    row_groups = ((p, [_values(_text(raw)) or {} for _p, raw in rows])
                  for p, rows in itertools.groupby(current, key=lambda r: r[0]))
    for parent_id, expected, present in _merged(log_groups, row_groups):
        for values in present:
            if expected.pop(identity(values), None) != values:
                yield Bilingual(
                    f"{table} of {parent} {parent_id}: {_describe(key_columns, values)}"
                    " differs from the audit log (changed without being recorded)",
                    f"{parent} {parent_id} の {table}: {_describe(key_columns, values)} が監査"
                    "ログと異なります（記録なしに変更されました）")
        for values in expected.values():
            yield Bilingual(
                f"{table} of {parent} {parent_id}: {_describe(key_columns, values)} is"
                " missing, but the audit log has no record of its deletion",
                f"{parent} {parent_id} の {table}: {_describe(key_columns, values)} がありません。"
                "監査ログに削除の記録がありません")


def _merged(
    log_groups: Iterator[tuple[Any, dict[tuple[Any, ...], dict[str, Any]]]],
    row_groups: Iterator[tuple[Any, list[dict[str, Any]]]],
) -> Iterator[tuple[Any, dict[tuple[Any, ...], dict[str, Any]], list[dict[str, Any]]]]:
    """Both streams, ordered by parent id, joined on it (either side may lack a parent)."""
    log_next, row_next = next(log_groups, None), next(row_groups, None)
    while log_next is not None or row_next is not None:
        if row_next is None or (log_next is not None and log_next[0] < row_next[0]):
            assert log_next is not None
            yield log_next[0], log_next[1], []
            log_next = next(log_groups, None)
        elif log_next is None or row_next[0] < log_next[0]:
            yield row_next[0], {}, row_next[1]
            row_next = next(row_groups, None)
        else:
            yield log_next[0], log_next[1], row_next[1]
            log_next, row_next = next(log_groups, None), next(row_groups, None)


def _describe(key_columns: Sequence[str], values: dict[str, Any]) -> str:
    return ", ".join(f"{c}={values.get(c)}" for c in key_columns)
