"""Japanese of the command line's help: its option and command texts, keyed by the English
text build_parser gives them (gettext-style), and argparse's own strings by their msgid.

A test walks the whole parser and fails on a help text without its Japanese here.
"""

from __future__ import annotations

from crm.supported_years import FIRST_FISCAL_YEAR, LAST_FISCAL_YEAR

_YEARS = f"{FIRST_FISCAL_YEAR}–{LAST_FISCAL_YEAR}"

HELP_JA: dict[str, str] = {
    "Partnership and outreach CRM with the city's ICT-policy KPIs.":
        "連携・周知広報の記録と市の ICT 推進計画 KPI を扱う CRM です。",
    "Database: --db PATH, else $CRM_DATABASE_URL (a SQLAlchemy URL), else <database path>."
    " With no command, `crm` opens the terminal UI.":
        "データベース: --db PATH、なければ $CRM_DATABASE_URL（SQLAlchemy の URL）、なければ"
        " <database path>。コマンドを付けずに `crm` と打つと端末画面（TUI）が開きます。",
    "show this help message and exit": "このヘルプを表示して終了する",
    "print the program's version and exit": "プログラムのバージョンを表示して終了する",
    "SQLite database file to use": "使う SQLite データベースファイル",
    "language of the output (default: $CRM_LANG, else ja)":
        "出力の言語（既定: $CRM_LANG、なければ ja）",
    "open the database read-only": "データベースを読み取り専用で開く",
    "show contacts' personal data in the UI's record histories (hidden by default)":
        "画面の変更履歴に担当者の個人情報を表示する（既定では隠す）",
    "use the demo database (<demo database path>), creating it if needed":
        "デモ用データベース（<demo database path>）を使う（なければ作成）",
    "pretend today is DATE (for reproducing a past view)":
        "今日を DATE とみなす（過去の表示を再現するため）",
    "create a new, empty database with the shipped KPI set":
        "同梱の KPI を入れた新しい空のデータベースを作る",
    "database maintenance": "データベースの保守",
    "the audit trail (監査証跡)": "監査証跡",
    "create a realistic demo database": "実際に近いデモ用データベースを作る",
    "KPI values, progress and evidence": "KPI の値・進捗・根拠",
    "plans and their KPIs: list, show, import, export":
        "計画とその KPI: 一覧・表示・取込・書出",
    "the tags of meetings, agreements, events": "意見交換・協定・周知広報のタグ",
    "import records from a CSV or .xlsx file": "CSV または .xlsx ファイルから記録を取り込む",
    "export records to CSV or .xlsx": "記録を CSV または .xlsx に書き出す",
    "open-data CSV of outreach events or concluded agreements":
        "周知広報または締結済み協定のオープンデータ CSV",
    "duplicate organizations: find, merge, undo": "重複した団体: 検出・統合・取消",
    "KPI report of a fiscal quarter or year as PDF; `report history`":
        "四半期または年度の KPI 報告書（PDF）; `report history` で発行履歴",
    "back up, then migrate to the newest schema":
        "バックアップを取ってから最新のスキーマへ移行する",
    "copy the database, even while in use": "データベースを複製する（使用中でも可）",
    "integrity_check, foreign_key_check, audit triggers and audit chain":
        "整合性検査・外部キー検査・監査トリガー・監査チェーンを確かめる",
    "the copy (a new file)": "複製先（新しいファイル）",
    "recompute the audit hash chain and check every anchor":
        "監査ハッシュチェーンを再計算し、すべてのアンカーを確かめる",
    "print the chain head (ID:HASH) to keep elsewhere":
        "チェーンの先頭（ID:HASH）を表示する（別の場所に保管するため）",
    "record the breaks verify names at a row as looked into":
        "verify が示したある行の破損を、調査済みとして記録する",
    "the changes to a table or a record": "表または記録の変更履歴",
    "a head kept outside the database (`crm audit head` printed it): the chain must still"
    " have HASH at row ID (repeatable)":
        "データベースの外に保管した先頭（`crm audit head` の出力）: 行 ID のハッシュが"
        " HASH のままであることを確かめる（複数指定可）",
    "the audit_log row id": "audit_log の行 ID",
    "what was found and done": "判明したことと行った対処",
    "an audited table, such as meeting or organization":
        "監査対象の表（meeting、organization など）",
    "the record's id (with --table); its links are included":
        "記録の ID（--table と併用）。関連付けも含む",
    "the newest N changes (default 200)": "新しい順に N 件の変更（既定 200）",
    "show contacts' personal data (hidden by default)":
        "担当者の個人情報を表示する（既定では隠す）",
    "random seed (default 2018)": "乱数の種（既定 2018）",
    "replace an existing demo database": "既存のデモ用データベースを置き換える",
    "value at DATE (default: today)": "DATE 時点の値（既定: 今日）",
    f"fiscal year N (April N to March N+1; {_YEARS})":
        f"N 年度（N 年 4 月から N+1 年 3 月まで; {_YEARS}）",
    "fiscal quarter (with --fiscal-year)": "四半期（--fiscal-year と併用）",
    "list the records behind a computed KPI instead":
        "代わりに、算出 KPI の根拠となる記録を一覧する",
    "the plan's KPIs (`all`: every plan; default: the plans in force at the date)":
        "その計画の KPI（`all`: すべての計画; 既定: その日に有効な計画）",
    "the plans: code, name, years, KPIs": "計画の一覧: コード・名称・年度・KPI 数",
    "a plan's KPIs, rules and revisions": "計画の KPI・算出規則・目標の改定",
    "define or update a plan from a TOML file (all or nothing)":
        "TOML ファイルから計画を定義・更新する（全部か、何もしないか）",
    "write a plan as a TOML plan file": "計画を TOML の計画ファイルとして書き出す",
    "file to write (default: standard output)": "書き出すファイル（既定: 標準出力）",
    "each tag and how many records carry it": "タグごとに、付いている記録の数",
    "rename a tag everywhere, KPI rules included (NEW must be unused)":
        "タグの名前をすべての箇所で変える（KPI の規則も。NEW は未使用の名前に限る）",
    "the sheet of an .xlsx file (default: the first)":
        ".xlsx ファイルのシート（既定: 最初のシート）",
    "report what would be added, updated and refused; change nothing":
        "追加・更新・拒否される件数を報告するだけで、何も変更しない",
    "create the organizations a row names that do not exist (with --kind)":
        "行に書かれた団体がなければ作成する（--kind と併用）",
    "the kind of organizations created": "作成する団体の種別",
    "write to FILE.csv or FILE.xlsx (CSV in UTF-8 with BOM) instead of standard output":
        "標準出力の代わりに FILE.csv または FILE.xlsx に書き出す（CSV は BOM 付き UTF-8）",
    f"fiscal year N (April N to March N+1; {_YEARS}) instead of --from/--to":
        f"--from/--to の代わりに N 年度（N 年 4 月から N+1 年 3 月まで; {_YEARS}）",
    "allow personal data: the contacts entity": "個人情報（contacts）の書き出しを許可する",
    "write to FILE (UTF-8 with BOM) instead of standard output":
        "標準出力の代わりに FILE に書き出す（BOM 付き UTF-8）",
    "likely duplicate pairs": "重複の疑いがある組",
    "merge DUPLICATE into KEEP (by id)": "DUPLICATE を KEEP に統合する（ID で指定）",
    "undo a merge (by its merge id)": "統合を取り消す（統合 ID で指定）",
    "leave out pairs scoring below S (0–1, default 0.6)":
        "スコアが S 未満の組を除く（0–1、既定 0.6）",
    "history: list the reports issued so far": "history: これまでに発行した報告書を一覧する",
    f"fiscal year N ({_YEARS})": f"N 年度（{_YEARS}）",
    "fiscal quarter": "四半期",
    "PDF to write (default: kpi-report-FY<N>[-Q<Q>].pdf here)":
        "書き出す PDF（既定: この場所の kpi-report-FY<N>[-Q<Q>].pdf）",
    "language of the report (default: the global --lang)": "報告書の言語（既定: 全体の --lang）",
    "generation time printed (ISO; default now): fixes the output":
        "印字する作成日時（ISO 形式; 既定は現在）: 出力を固定する",
    "leave out the approval block (決裁欄) on the cover": "表紙の決裁欄を省く",
    "issuing office printed on the report": "報告書に印字する発行部署",
    "the plan reported on (default: the plans in force in the year)":
        "報告する計画（既定: その年度に有効な計画）",
    "record the report as issued: its figures and hashes are frozen":
        "報告書を発行済みとして記録する（数値とハッシュを固定する）",
    # crm contacts erase (issue 12), crm kpi comment and report options (issue 13)
    "contacts' personal data: erase": "担当者の個人情報: 消去",
    "erase a contact's personal data, the audit log included":
        "担当者の個人情報を監査ログも含めて消去する",
    "the contact's id": "担当者の ID",
    "why (e.g. the person's request of 2024-05-01)": "理由（例: 2024-05-01 の本人からの依頼）",
    "write a KPI's analysis, issues or next steps for a year or quarter":
        "KPI の要因分析・課題・今後の方向性を年度または四半期について書く",
    "fiscal quarter (default: the whole year)": "四半期（既定: 年度全体）",
    "the KPI's plan (needed when two plans share the code)":
        "KPI の計画（二つの計画が同じコードを持つときに必要）",
    "the comment (empty: clear it)": "コメント（空にすると消去）",
    "read the comment from FILE (UTF-8 or cp932)":
        "コメントを FILE から読む（UTF-8 または cp932）",
    "approval roles on the cover, e.g. 部長,課長,係長,担当 (default: the saved roles, else"
    " 課長,係長,担当)":
        "表紙の決裁欄の役職。例: 部長,課長,係長,担当（既定: 保存した役職、なければ"
        " 課長,係長,担当）",
    "keep --approvers as the default for later reports (CLI and TUI)":
        "--approvers を以後の報告書の既定として保存する（CLI と TUI）",
    "leave names of people (staff, contacts) out: the version for disclosure":
        "人の氏名（職員・担当者）を載せない: 情報公開用の版",
    "add every meeting, event and lecture of the period (appendix 2)":
        "期間中のすべての意見交換・周知広報・出前講座を付ける（付録 2）",
}

#: argparse's own strings (Python 3.11–3.13 msgids), for `usage:`, headings and errors.
ARGPARSE_JA: dict[str, str] = {
    "usage: ": "使い方: ",
    "positional arguments": "位置引数",
    "options": "オプション",
    "show this help message and exit": "このヘルプを表示して終了する",
    "argument %(argument_name)s: %(message)s": "引数 %(argument_name)s: %(message)s",
    "unrecognized arguments: %s": "認識できない引数: %s",
    "not allowed with argument %s": "引数 %s とは同時に使えません",
    "ignored explicit argument %r": "値 %r は使われません",
    "the following arguments are required: %s": "次の引数が必要です: %s",
    "one of the arguments %s is required": "引数 %s のどれかが必要です",
    "expected one argument": "値が一つ必要です",
    "expected at most one argument": "値は一つまでです",
    "expected at least one argument": "値が一つ以上必要です",
    "expected %s argument": "値が %s 個必要です",
    "expected %s arguments": "値が %s 個必要です",
    "ambiguous option: %(option)s could match %(matches)s":
        "あいまいなオプション: %(option)s は %(matches)s のどれにも当たります",
    "unexpected option string: %s": "思いがけないオプション: %s",
    "invalid %(type)s value: %(value)r": "%(type)s として不正な値: %(value)r",
    "invalid choice: %(value)r (choose from %(choices)s)":
        "選べない値: %(value)r（%(choices)s から選んでください）",
    "%(prog)s: error: %(message)s\n": "%(prog)s: エラー: %(message)s\n",
    "unknown parser %(parser_name)r (choices: %(choices)s)":
        "不明なコマンド %(parser_name)r（選べるのは %(choices)s）",
}
