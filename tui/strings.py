"""Every label the terminal UI shows, in Japanese (default) and English."""

from __future__ import annotations

from crm.i18n import LABELS
from crm.vocabulary import Vocabulary

STRINGS: dict[str, tuple[str, str]] = {
    # app and navigation
    "app_title": ("加古川市 連携・広報 CRM", "Kakogawa partnership CRM"),
    "read_only": ("読み取り専用", "read-only"),
    "read_only_refused": (
        "読み取り専用で開いているため変更できません", "Open read-only: nothing can be changed"
    ),
    "dashboard": ("ダッシュボード", "Dashboard"),
    "organizations": ("団体", "Organizations"),
    "meetings": ("意見交換", "Meetings"),
    "agreements": ("協定", "Agreements"),
    "events": ("周知広報・講座", "Events"),
    "measurements": ("KPI測定値", "Measurements"),
    "follow_ups": ("フォローアップ", "Follow-ups"),
    "tab_dashboard": ("ホーム", "Home"),
    "tab_organizations": ("団体", "Organizations"),
    "tab_meetings": ("意見交換", "Meetings"),
    "tab_agreements": ("協定", "Agreements"),
    "tab_events": ("広報・講座", "Events"),
    "tab_measurements": ("測定値", "Measures"),
    "tab_follow_ups": ("フォロー", "Follow-ups"),
    "go_to": ("移動", "Go to"),
    "go_to_help": ("画面を開く", "Open the screen"),
    "help": ("ヘルプ", "Help"),
    "quit": ("終了", "Quit"),
    "palette": ("コマンド", "palette"),
    "help_title": ("キー操作: {screen}", "Keys: {screen}"),
    "help_key": ("キー", "Key"),
    "help_action": ("操作", "Action"),
    "help_close": ("閉じる: esc / ? / F1", "Close: esc / ? / F1"),
    # actions
    "new": ("新規", "New"),
    "edit": ("編集", "Edit"),
    "search": ("検索", "Search"),
    "archive": ("保管/復元", "Archive/restore"),
    "back": ("戻る", "Back"),
    "open": ("開く", "Open"),
    "save": ("保存", "Save"),
    "cancel": ("取消", "Cancel"),
    "sort": ("並べ替え", "Sort"),
    "reverse": ("昇順/降順", "Reverse"),
    "show_archived": ("保管済みも表示", "Show archived"),
    "refresh": ("再読込", "Refresh"),
    "status_change": ("状況変更", "Change status"),
    "complete": ("完了", "Done"),
    "undo": ("元に戻す", "Undo"),
    "previous_period": ("前の期間", "Previous period"),
    "next_period": ("次の期間", "Next period"),
    "pdf": ("PDF出力", "PDF report"),
    "issue_report": ("発行", "Issue report"),
    "audit_history": ("履歴", "Audit history"),
    "duplicates": ("重複候補", "Duplicates"),
    "merge": ("統合", "Merge"),
    "swap_kept": ("残す側を入替", "Swap kept"),
    "undo_merge": ("統合取消", "Undo merge"),
    "yes": ("はい", "Yes"),
    "no": ("いいえ", "No"),
    "ok": ("OK", "OK"),
    # messages
    "saved": ("保存しました", "Saved"),
    "archived_done": ("保管しました", "Archived"),
    "restored_done": ("復元しました", "Restored"),
    "confirm_archive": ("「{title}」を保管しますか？（後で復元できます）",
                        "Archive “{title}”? (It can be restored later.)"),
    "confirm_restore": ("「{title}」を復元しますか？", "Restore “{title}”?"),
    "confirm_quit": ("保存していない変更があります。破棄して終了しますか？",
                     "There are unsaved changes. Discard them and quit?"),
    "confirm_discard": ("保存していない変更があります。破棄しますか？",
                        "There are unsaved changes. Discard them?"),
    "no_selection": ("行が選ばれていません", "No row selected"),
    "fix_errors": ("入力に誤りがあります", "Please correct the marked fields"),
    "loading": ("読み込み中…", "Loading…"),
    "rows_count": ("{shown:,} / {total:,} 件", "{shown:,} of {total:,}"),
    "sorted_by": ("並び順: {column} {direction}", "Sorted by {column} {direction}"),
    "ascending": ("▲", "▲"),
    "descending": ("▼", "▼"),
    "confirm_complete": ("「{title}」（期日 {due}）のフォローアップを完了にしますか？",
                         "Mark the follow-up of “{title}” (due {due}) done?"),
    "followup_done": ("「{title}」のフォローアップを完了にしました（z で元に戻す）",
                      "Follow-up of “{title}” marked done (z to undo)"),
    "followup_reopened": ("「{title}」のフォローアップを未完了に戻しました",
                          "Follow-up of “{title}” is open again"),
    "nothing_to_reopen": ("元に戻せる完了はありません", "No follow-up marked done to undo"),
    "status_changed": ("状況を変更しました", "Status changed"),
    "pdf_written": ("PDFを書き出しました: {path}", "PDF written: {path}"),
    "confirm_issue": ("{period} の報告書を発行しますか？（発行した数値は記録され、変更できません）",
                      "Issue the report for {period}? (Its figures are recorded for good.)"),
    "issued_done": ("報告書 #{id} を発行しました: {path}", "Issued report #{id}: {path}"),
    "confirm_merge": ("「{duplicate}」を「{keep}」に統合しますか？"
                      "（「{duplicate}」は保管されます）",
                      "Merge “{duplicate}” into “{keep}”? (“{duplicate}” is archived.)"),
    "merged_done": ("統合しました（z で取り消し）", "Merged (z to undo)"),
    "confirm_unmerge": ("直前の統合（「{duplicate}」→「{keep}」）を取り消しますか？",
                        "Undo the last merge (“{duplicate}” into “{keep}”)?"),
    "unmerged_done": ("統合を取り消しました", "Merge undone"),
    "nothing_to_undo": ("取り消せる統合はありません", "No merge to undo"),
    "no_duplicates": ("重複候補はありません", "No likely duplicates"),
    "pairs_count": ("{count:,} 組", "{count:,} pairs"),
    # filters
    "whole_year": ("通年", "Whole year"),
    "fiscal_year": ("年度", "Fiscal year"),
    "quarter": ("四半期", "Quarter"),
    "kind": ("種別", "Kind"),
    "staff": ("担当職員", "Staff"),
    "search_placeholder": ("検索 (/)", "Search (/)"),
    "scope_due": ("期限切れ・今週", "Overdue or this week"),
    "scope_overdue": ("期限切れ", "Overdue"),
    "scope_week": ("今週期限", "Due this week"),
    "scope_open": ("未完了すべて", "All open"),
    # columns and fields
    "held_on": ("日付", "Date"),
    "title": ("件名", "Title"),
    "organizations_col": ("相手先", "Organizations"),
    "summary": ("概要", "Summary"),
    "next_action": ("次の対応", "Next action"),
    "follow_up_on": ("フォローアップ日", "Follow-up"),
    "done_on": ("対応済み日", "Done on"),
    "name": ("名称", "Name"),
    "kana": ("よみがな", "Kana"),
    "corporate_number": ("法人番号", "Corporate no."),
    "address": ("所在地", "Address"),
    "website": ("ウェブサイト", "Website"),
    "notes": ("備考", "Notes"),
    "partners": ("相手先", "Partners"),
    "status": ("状況", "Status"),
    "concluded_on": ("締結日", "Concluded"),
    "starts_on": ("開始日", "Starts"),
    "ends_on": ("終了日", "Ends"),
    "datasets": ("対象データ", "Datasets"),
    "venue": ("会場", "Venue"),
    "municipality": ("市町", "Municipality"),
    "attendees": ("参加者数", "Attendees"),
    "measured_on": ("測定日", "Measured on"),
    "kpi": ("KPI", "KPI"),
    "value": ("値", "Value"),
    "note": ("備考", "Note"),
    "date_hint": ("例: 2023-04-01 / R5.4.1", "e.g. 2023-04-01 or R5.4.1"),
    "org_search_placeholder": ("団体名・よみで検索して Enter", "Type a name or kana, Enter"),
    "create_organization": ("＋ 新しい団体「{name}」を作成", "+ Create organization “{name}”"),
    "new_organization": ("新しい団体", "New organization"),
    "will_create": ("（新規）", "(new)"),
    "remove_last_hint": ("Backspace で最後の相手先を外す", "Backspace removes the last one"),
    "record_type": ("種類", "Type"),
    "detail": ("詳細", "Detail"),
    "contact": ("担当者", "Contact"),
    "history": ("これまでの経緯", "History"),
    # audit history
    "audit_title": ("変更履歴: {title}", "Audit history: {title}"),
    "audit_when": ("日時", "When"),
    "audit_who": ("変更者", "Who"),
    "audit_action": ("操作", "Action"),
    "audit_changes": ("変更内容", "Changes"),
    "audit_insert": ("登録", "insert"),
    "audit_update": ("更新", "update"),
    "audit_delete": ("削除", "delete"),
    "audit_count": ("{count:,} 件（新しい順）", "{count:,} entries, newest first"),
    "audit_limited": ("最新 {limit:,} 件まで表示", "only the latest {limit:,} shown"),
    "table_organization": ("団体", "Organization"),
    "table_contact": ("担当者", "Contact"),
    "table_meeting": ("意見交換", "Meeting"),
    "table_meeting_organization": ("意見交換の相手先", "Meeting partner"),
    "table_meeting_contact": ("意見交換の担当者", "Meeting contact"),
    "table_meeting_staff": ("意見交換の職員", "Meeting staff"),
    "table_agreement": ("協定", "Agreement"),
    "table_agreement_partner": ("協定の相手先", "Agreement partner"),
    "table_outreach_event": ("周知広報・講座", "Event"),
    "table_outreach_event_staff": ("周知広報・講座の職員", "Event staff"),
    "archived_at": ("保管日時", "Archived at"),
    "archived_by": ("保管者", "Archived by"),
    "organization_id": ("団体ID", "Organization id"),
    "meeting_id": ("意見交換ID", "Meeting id"),
    "contact_id": ("担当者ID", "Contact id"),
    "staff_id": ("職員ID", "Staff id"),
    "agreement_id": ("協定ID", "Agreement id"),
    "outreach_event_id": ("広報・講座ID", "Event id"),
    "follow_up_done_on": ("フォローアップ完了日", "Follow-up done"),
    "document_ref": ("文書番号", "Document ref."),
    "audience": ("対象", "Audience"),
    # duplicates
    "duplicates_title": ("重複候補の団体", "Likely duplicate organizations"),
    "score": ("類似度", "Score"),
    "keep": ("残す団体", "Keep"),
    "duplicate": ("統合する団体", "Merge in"),
    "reason": ("理由", "Reason"),
    # errors
    "required": ("必須です", "Required"),
    "bad_date": ("日付を読めません（例: 2023-04-01、R5.4.1）",
                 "Not a date (e.g. 2023-04-01, R5.4.1)"),
    "follow_up_before": ("意見交換の日より前の日付です", "Before the meeting date"),
    "bad_count": ("0以上の整数を入力してください（例: 35）",
                  "Enter a whole number, 0 or more (e.g. 35)"),
    "bad_number": ("数値を入力してください", "Enter a number"),
    "done_without_follow_up": ("フォローアップ日がありません", "There is no follow-up to be done"),
    "need_organization": ("相手先を1つ以上選んでください", "Pick at least one organization"),
    # dashboard
    "period": ("期間", "Period"),
    "plan": ("計画", "Plan"),
    "plans_in_force": ("期間中の計画", "Plans in force"),
    "every_plan": ("すべての計画", "Every plan"),
    "no_plan_in_force": ("この期間の計画はありません。計画を選んでください",
                         "No plan in this period: choose one"),
    "trend": ("推移（四半期末）", "Trend (quarter ends)"),
    "trend_col": ("推移", "Trend"),
    "in_period": ("期間内", "In period"),
    "target": ("目標値", "Target"),
    "policy": ("方針", "Policy"),
    "form_meeting": ("意見交換の記録", "Log a meeting"),
    "form_agreement": ("データ連携協定", "Data-linkage agreement"),
    "form_event": ("周知広報・出前講座", "Outreach event or lecture"),
    "form_measurement": ("KPI測定値の入力", "Enter a KPI measurement"),
    "form_organization": ("団体", "Organization"),
    "form_contact": ("担当者の追加", "Add a contact"),
    "contact_name": ("氏名", "Name"),
    "contact_kana": ("よみがな", "Kana"),
    "contact_department": ("部署", "Department"),
    "contact_title": ("役職", "Title"),
    "contact_email": ("メール", "E-mail"),
    "contact_phone": ("電話", "Phone"),
    "contact_notes": ("備考", "Notes"),
}

#: Textual's own English labels (its bindings and palette commands) in Japanese.
TEXTUAL_JA: dict[str, str] = {
    "Quit": "終了",
    "Quit the app and return to the command prompt.": "アプリを終了します",
    "Quit the application as soon as possible": "アプリを終了します",
    "Open the command palette": "コマンドパレットを開く",
    "Dismiss menu": "選択肢を閉じる",
    "Theme": "配色",
    "Change the current theme": "画面の配色を変える",
    "Keys": "キー一覧",
    "Show help for the focused widget and a summary of available keys":
        "選択中の項目の説明と使えるキーを表示",
    "Hide the keys and widget help panel": "キー一覧を閉じる",
    "Maximize": "最大化",
    "Maximize the focused widget": "選択中の項目を最大化",
    "Minimize": "元の大きさ",
    "Minimize the widget and restore to normal size": "最大化を戻す",
    "Screenshot": "スクリーンショット",
    "Save an SVG 'screenshot' of the current screen": "今の画面を SVG で保存",
}

#: KPI units (the KPI data is Japanese) in English, short enough for the figures' columns
#: (a plain count, 件, needs none).
UNITS_EN: dict[str, str] = {
    "件": "", "回": "x", "社": " cos", "人": " ppl", "セット": " sets", "%": "%",
}


def textual_text(label: str, lang: str) -> str:
    """One of Textual's own labels in `lang` (itself when not known)."""
    return TEXTUAL_JA.get(label, label) if lang == "ja" else label


def unit_label(unit: str, lang: str) -> str:
    """A KPI unit as shown after a figure in `lang` ("" for none)."""
    if unit == "—":
        return ""
    return unit if lang == "ja" else UNITS_EN.get(unit, unit)


def text(key: str, lang: str, **values: object) -> str:
    """The label `key` in `lang`, formatted with `values`; falls back to crm.i18n labels."""
    ja, en = STRINGS[key] if key in STRINGS else LABELS[key]
    chosen = ja if lang == "ja" else en
    return chosen.format(**values) if values else chosen


def term_options(vocabulary: Vocabulary, lang: str) -> list[tuple[str, str]]:
    """A vocabulary's terms as (label in `lang`, code) options for a Select."""
    return [(term.label(lang), term.code) for term in vocabulary.terms]
