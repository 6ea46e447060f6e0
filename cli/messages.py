"""The command line's own lines in Japanese (the default) and English: results, dry runs and
usage errors. Values are filled with str.format; `say` picks the language."""

from __future__ import annotations

from typing import TypeVar

from crm.errors import CRMError

E = TypeVar("E", bound=CRMError)

MESSAGES: dict[str, tuple[str, str]] = {
    # argument checks (argparse types) and usage errors
    "usage_error": ("{prog}: {message}（`{prog} --help` を参照）",
                    "{prog}: {message} (see `{prog} --help`)"),
    "not_a_date": ("{value} は日付として読めません（2022-12-05、2022/12/5、令和4年12月5日、R4.12.5"
                   " などと書いてください）",
                   "{value} is not a date (write 2022-12-05, 2022/12/5, 令和4年12月5日"
                   " or R4.12.5)"),
    "date_outside": ("{value} は対応する年度 {years}（{first} から {last}）の範囲外です",
                     "{value} is outside fiscal years {years} ({first} to {last})"),
    "not_a_year": ("{value} は年度として読めません（2022 のように書いてください）",
                   "{value} is not a year like 2022"),
    "year_outside": ("{value} は対応する年度 {years} の範囲外です",
                     "{value} is outside fiscal years {years}"),
    "not_a_number": ("{value} は数値ではありません", "{value} is not a number"),
    "not_0_to_1": ("{value} は 0–1 の範囲外です", "{value} is outside 0–1"),
    "not_a_whole_number": ("{value} は整数ではありません", "{value} is not a whole number"),
    "less_than_1": ("{value} は 1 未満です", "{value} is less than 1"),
    "not_an_anchor": ("{value} はアンカー（1234:<16進64桁>）ではありません",
                      "{value} is not an anchor like 1234:<64 hex digits>"),
    "not_a_timestamp": ("{value} は ISO 形式の日時ではありません（2023-01-10T09:30+09:00 のように"
                        "書いてください）",
                        "{value} is not an ISO timestamp (use 2023-01-10T09:30+09:00)"),
    "quarter_needs_year": ("--quarter には --fiscal-year が必要です",
                           "--quarter needs --fiscal-year"),
    "period_twice": ("--from/--to と --fiscal-year のどちらか一方を使ってください",
                     "use either --from/--to or --fiscal-year, not both"),
    "from_after_to": ("--from {start} が --to {end} より後です",
                      "--from {start} is after --to {end}"),
    "id_needs_table": ("--id には --table が必要です", "--id needs --table"),
    "not_audited": ("--table {table} は監査対象の表ではありません（例: {tables}。"
                    "すべての表は docs/schema.md）",
                    "--table {table} is not an audited table (e.g. {tables}; every table is in"
                    " docs/schema.md)"),
    "missing_with_kind": ("--create-missing と --kind K は一緒に使います",
                          "--create-missing and --kind K go together"),
    "history_takes_nothing": ("`crm report history` には期間・--issue・--output を付けません",
                              "`crm report history` takes no period, --issue or --output"),
    "report_needs_year": ("report には --fiscal-year N が必要です（発行履歴は"
                          " `crm report history`）",
                          "report needs --fiscal-year N (or use `crm report history`)"),
    "demo_exists": ("{path} は既にあります。置き換えるには --force を付けてください",
                    "{path} already exists: add --force to replace it"),
    "language_setting": ("CRM_LANG={value} はこのプログラムの言語ではありません。ja か en に"
                         "してください",
                         "CRM_LANG={value} is not a language of this program: use ja or en"),
    # refusals and failures
    "read_only": ("--read-only: このコマンドはデータベースを変更するため、何もしませんでした",
                  "--read-only: this command would change the database; nothing done"),
    "no_database": ("{path} にデータベースがありません", "no database at {path}"),
    "broken_pipe": ("出力先が途中で閉じられました（broken pipe）",
                    "the output was closed before the end (broken pipe)"),
    "no_driver": ("データベースのドライバー {name} が入っていません。このプログラムが扱うのは"
                  " sqlite:// と postgresql+psycopg:// の URL です",
                  "the database driver {name} is not installed; this program works with"
                  " sqlite:// and postgresql+psycopg:// URLs"),
    "database_error": ("データベースのエラー: {reason}", "database error: {reason}"),
    "not_a_demo": ("{path} はデモ用データベースではなく、バックアップも取れなかったため、"
                   "そのままにしました（{reason}）",
                   "{path} is not a demo database and could not be backed up, so it is left as"
                   " it is ({reason})"),
    # results
    "created": ("{database} を作成しました", "created {database}"),
    "backed_up": ("{database} を {target} にバックアップしました",
                  "backed up {database} to {target}"),
    "backed_up_to": ("{target} にバックアップしました", "backed up to {target}"),
    "at_newest": ("{database} は最新のスキーマです", "{database} is at the newest schema"),
    "check_integrity": ("整合性検査 (integrity_check): {result}", "integrity_check: {result}"),
    "check_foreign_keys": ("foreign_key_check: 違反 {count} 件",
                           "foreign_key_check: {count} violation(s)"),
    "check_triggers": ("監査トリガー: 問題 {count} 件", "audit triggers: {count} problem(s)"),
    "check_chain": ("監査チェーン: {verified} 行を検証、未封印 {unsealed} 行",
                    "audit chain: {verified} row(s) verified, {unsealed} unsealed"),
    "check_replay": ("再現: 監査記録と異なる記録 {count} 件",
                     "replay: {count} record(s) differ from the audit log"),
    "acknowledged": ("調査済みとして記録: {line}", "acknowledged: {line}"),
    "chain_verified": ("監査チェーン: {verified} 行を検証しました。先頭: 行 {head_id}、{head_hash}",
                       "audit chain: {verified} row(s) verified; head: row {head_id},"
                       " {head_hash}"),
    "acknowledged_breaks": ("調査済みの破損 {count} 件: crm audit log --table audit_break",
                            "{count} acknowledged break(s): crm audit log --table audit_break"),
    "await_sealing": ("他のツールが記録した {count} 行が封印待ちです（このプログラムが次に書き込む"
                      "ときに封印します）",
                      "{count} row(s) recorded by another tool await sealing (sealed at the"
                      " program's next write)"),
    "demo_backed_up": ("{path} はデモ用データベースではないため、{copy} にバックアップしました",
                       "{path} is not a demo database: backed up to {copy}"),
    "demo_created": ("デモ用データベース（乱数の種 {seed}）を {database} に作成しました",
                     "demo database (seed {seed}) created at {database}"),
    "building_demo": ("デモ用データベースを {path} に作成しています（初回のみ、数秒かかります）…",
                      "building the demo database at {path} (first use, a few seconds)…"),
    "exported": ("{entity} {count} 件を {path} に書き出しました",
                 "exported {count} {entity} to {path}"),
    "exported_open_data": ("オープンデータ（{dataset}）{count} 行を {path} に書き出しました",
                           "exported {count} rows of open data ({dataset}) to {path}"),
    "rows_read": ("{count} 行を読みました", "{count} rows read"),
    "imported": ("{path} から {entity} {added} 件を取り込みました",
                 "imported {added} {entity} from {path}"),
    "imported_changes": ("（更新 {updated} 件、変更なし {unchanged} 件）",
                         " ({updated} updated, {unchanged} unchanged)"),
    "dry_run": ("試行のみで、何も変更していません: {path} の {entity} は追加 {added} 件、更新"
                " {updated} 件、変更なし {unchanged} 件、拒否 {refused} 件になります",
                "dry run, nothing changed: {entity} from {path} would add {added}, update"
                " {updated}, leave {unchanged} unchanged and refuse {refused}"),
    "new_organizations": ("、新しい団体 {count} 件", "; {count} new organizations"),
    "merged": ("団体 {duplicate} を {keep} に統合しました（統合 #{merge}。取り消すには"
               " `crm orgs unmerge {merge}`）",
               "merged organization {duplicate} into {keep} (merge #{merge}; undo with"
               " `crm orgs unmerge {merge}`)"),
    "unmerged": ("統合 #{merge} を取り消しました。団体 {organization} を復元しました",
                 "undid merge #{merge}: organization {organization} restored"),
    "plan_changed": ("計画 {code}: 定義または更新しました", "plan {code}: defined or updated"),
    "plan_unchanged": ("計画 {code}: 変更なし（ファイルのとおりです）",
                       "plan {code}: unchanged (already as in the file)"),
    "wrote": ("{path} に書き出しました", "wrote {path}"),
    "tag_renamed": ("タグ {old} を {new} に変更しました", "renamed tag {old} to {new}"),
    "report_written": ("{path} に書き出しました（指紋 {fingerprint}）",
                       "wrote {path} (fingerprint {fingerprint})"),
    "report_restates": ("発行済み報告書の数値 {count} 件を訂正しています",
                        "restates {count} figure(s) of issued reports"),
    "report_issued": ("報告書 #{id} として発行しました（PDF の SHA-256 {sha256}）",
                      "issued as report #{id} (PDF SHA-256 {sha256})"),
}


def say(key: str, lang: str, **values: object) -> str:
    """The line `key` in `lang` ('ja' or 'en'), `values` filled in."""
    ja, en = MESSAGES[key]
    return (ja if lang == "ja" else en).format(**values)


def refusal(kind: type[E], key: str, **values: object) -> E:
    """An error of `kind` saying line `key` in both languages."""
    return kind(say(key, "en", **values), ja=say(key, "ja", **values))
