"""Whether the database's triggers are the ones the program installs (`crm db check`).

Every trigger is compared with the full SQL the program installs (whitespace aside,
db.schema_sql.installed), not only by name; on PostgreSQL the trigger functions too. A
missing, disabled, altered or unknown trigger is named, one line each.
"""

from __future__ import annotations

from sqlalchemy import Connection, text
from sqlmodel import Session

from crm.i18n import Bilingual
from db.schema_sql import audit, installed


def trigger_problems(session: Session) -> list[Bilingual]:
    """What is wrong with the audit triggers: each missing, disabled, altered or unknown one.

    Every trigger is compared with the full SQL the program installs (whitespace aside,
    db.schema_sql.installed), not only by name; on PostgreSQL the trigger functions too.
    """
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        return _postgresql_trigger_problems(connection)
    if connection.dialect.name != "sqlite":
        return []
    actual = {
        name: installed.Trigger(table, sql) for name, table, sql in connection.exec_driver_sql(
            "SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'trigger'")
    }
    expected = installed.sqlite_triggers(connection)
    problems = []
    for name, trigger in expected.items():
        found = actual.get(name)
        if found is None:
            problems.append(_missing(name, trigger.table))
        elif found.table != trigger.table or (
                installed.normalized(found.sql) != installed.normalized(trigger.sql)):
            columns = [row[1] for row in connection.exec_driver_sql(
                f'PRAGMA table_info("{trigger.table}")')
                if row[1] not in audit.NOT_AUDITED_COLUMNS]
            unrecorded = [c for c in columns if f"'{c}'" not in found.sql]
            problems.append(_altered(name, trigger.table, unrecorded))
    problems += [_unknown(name, actual[name].table) for name in actual.keys() - expected.keys()]
    return sorted(problems)


def _missing(name: str, table: str) -> Bilingual:
    if table == "audit_log":
        return Bilingual(f"trigger {name} is missing: audit_log is not protected",
                         f"トリガー {name} がありません。audit_log が保護されていません")
    if name.startswith(f"audit_{table}"):
        action = name.removeprefix(f"audit_{table}").lstrip("_")
        return Bilingual(
            f"{table}: no audit trigger{f' for {action}' if action else ''}: changes go"
            " unrecorded",
            f"{table}: {f'{action} の' if action else ''}監査トリガーがありません。変更が記録"
            "されません")
    return Bilingual(f"trigger {name} is missing: {table} is not protected",
                     f"トリガー {name} がありません。{table} が保護されていません")


def _altered(name: str, table: str, unrecorded: list[str] | None = None) -> Bilingual:
    columns = ", ".join(unrecorded or [])
    return Bilingual(
        f"trigger {name} on {table} is not the SQL the program installs (altered"
        + (f"; it does not record {columns})" if columns else ")"),
        f"{table} のトリガー {name} はこのプログラムが設置した SQL ではありません（変更されて"
        + (f"います。{columns} を記録しません）" if columns else "います）"))


def _unknown(name: str, table: str) -> Bilingual:
    return Bilingual(f"trigger {name} on {table} is not one the program installs",
                     f"{table} のトリガー {name} はこのプログラムが設置したものではありません")


def _postgresql_trigger_problems(connection: Connection) -> list[Bilingual]:
    schema = connection.execute(text("SELECT current_schema()")).scalar_one()
    actual: dict[str, tuple[installed.Trigger, bool]] = {}
    for name, table, definition, enabled in connection.execute(text(
        "SELECT t.tgname, c.relname, pg_get_triggerdef(t.oid), t.tgenabled IN ('O', 'A')"
        " FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid"
        " JOIN pg_namespace n ON n.oid = c.relnamespace"
        " WHERE NOT t.tgisinternal AND n.nspname = current_schema()"
    )):
        actual[name] = (installed.Trigger(table, definition), enabled)
    expected = installed.pg_triggers(connection, schema)
    problems = []
    for name, trigger in expected.items():
        found, enabled = actual.get(name, (None, False))
        if found is None or not enabled:
            problems.append(_missing(name, trigger.table) if found is None else
                            _missing(name, trigger.table) + Bilingual(" (disabled)", "（無効）"))
        elif found.table != trigger.table or (
                installed.normalized(found.sql) != installed.normalized(trigger.sql)):
            problems.append(_altered(name, trigger.table))
    problems += [_unknown(name, actual[name][0].table)
                 for name in actual.keys() - expected.keys()]
    functions: dict[str, str] = {row[0]: row[1] for row in connection.execute(text(
        "SELECT p.proname, pg_get_functiondef(p.oid) FROM pg_proc p"
        " JOIN pg_namespace n ON n.oid = p.pronamespace"
        " WHERE n.nspname = current_schema() AND p.prorettype = 'trigger'::regtype"
    ))}
    for name, definition in installed.pg_functions(schema).items():
        found_definition = functions.pop(name, None)
        if found_definition is None:
            problems.append(Bilingual(f"function {name}() is missing: changes go unrecorded",
                                      f"関数 {name}() がありません。変更が記録されません"))
        elif installed.normalized(found_definition) != installed.normalized(definition):
            problems.append(Bilingual(
                f"function {name}() is not the SQL the program installs (altered)",
                f"関数 {name}() はこのプログラムが設置した SQL ではありません（変更されています）"))
    problems += [Bilingual(f"function {name}() is not one the program installs",
                           f"関数 {name}() はこのプログラムが設置したものではありません")
                 for name in functions]
    return sorted(problems + _postgresql_search_problems(connection, schema))


def _postgresql_search_problems(connection: Connection, schema: str) -> list[Bilingual]:
    """The short-key search's function and indexes (migration 0015): each missing or
    altered one (an altered function would make the lists miss records)."""
    expected = installed.pg_search(schema)
    actual: dict[str, str] = {row[0]: row[1] for row in connection.execute(text(
        "SELECT p.proname, pg_get_functiondef(p.oid) FROM pg_proc p"
        " JOIN pg_namespace n ON n.oid = p.pronamespace"
        " WHERE n.nspname = current_schema() AND p.proname = ANY(:names)"
        " UNION ALL SELECT indexname, indexdef FROM pg_indexes"
        " WHERE schemaname = current_schema() AND indexname = ANY(:names)"
    ), {"names": list(expected)})}
    problems = []
    for name, definition in expected.items():
        what, what_ja = ((f"index {name}", f"索引 {name}") if name.startswith("ix_")
                         else (f"function {name}()", f"関数 {name}()"))
        if name not in actual:
            problems.append(Bilingual(f"{what} is missing: short text searches fail or scan",
                                      f"{what_ja} がありません。短い文字列の検索が失敗するか"
                                      "全件を走査します"))
        elif installed.normalized(actual[name]) != installed.normalized(definition):
            problems.append(Bilingual(
                f"{what} is not the SQL the program installs (altered)",
                f"{what_ja} はこのプログラムが設置した SQL ではありません（変更されています）"))
    return problems
