"""The report's own wording in Japanese and English (KPI column labels come from crm.i18n)."""

from __future__ import annotations

TEXT: dict[str, tuple[str, str]] = {
    "title": ("{period} 連携・周知活動 KPI 報告", "{period} Partnership and Outreach KPI Report"),
    "policy": (
        "情報通信技術基盤等の利活用に関する推進方針",
        "Policy on the utilization of ICT infrastructure",
    ),
    "office": ("加古川市 企画部 情報政策課", "Information Policy Division, Kakogawa City"),
    "period": ("対象期間", "Period"),
    "issuer": ("発行元", "Issued by"),
    "generated": ("作成日時", "Generated"),
    "fingerprint": ("データ指紋 (SHA-256)", "Data fingerprint (SHA-256)"),
    "fingerprint_note": (
        "報告に用いた根拠記録・測定値・KPI 定義から算出（算出方法は docs/reports.md、方式 1）。",
        "Computed from the evidence records, measurements and KPI definitions this report "
        "used (recipe 1 in docs/reports.md).",
    ),
    "audit_head": ("監査ログの先頭", "Audit log head"),
    "audit_head_note": (
        "作成時点で封印済みの最新の監査ログ行とそのハッシュ。これ以前の履歴が改ざんされていないことを"
        " crm audit verify で確かめられます（docs/auditing.md）。",
        "The newest sealed audit-log row and its chain hash when this report was made: it anchors"
        " the history up to this day (check with crm audit verify, docs/auditing.md).",
    ),
    "approval": ("決裁欄", "Approval"),
    "approval_roles": ("課長|係長|担当", "Director|Chief|Officer"),
    "restated_notice": (
        "この報告には、発行済み報告の数値の訂正（再表示）が {n} 件あります。",
        "This report restates {n} figure(s) of previously issued reports.",
    ),
    "summary": ("1. KPI の状況", "1. KPI summary"),
    "basic_policy": ("基本方針 {n}", "Basic policy {n}"),
    "col_ref": ("施策", "Ref."),
    "col_kpi": ("KPI（コード）", "KPI (code)"),
    "summary_note": (
        "達成率 = 期末値 ÷ 目標値。進捗率 = (期末値 − 基準値) ÷ (目標値 − 基準値)。"
        "状況: 達成 = 目標値以上、順調 = 基準値から目標値への直線以上、遅れ = 直線未満。"
        "年間 KPI は当該年度の合計。"
        "— は値なし。自動集計 KPI の期末値 = 基準値 + 基準時点より後の根拠記録数（付録）。",
        "Achieved = value at end ÷ target. Progress = (value − baseline) ÷ (target − baseline)."
        " Status: achieved = at or above target; on track = at or above the straight line from"
        " baseline to target; behind = below it. Annual KPIs: this fiscal year's sum. — = no"
        " value. A computed KPI's value = baseline + evidence records after the baseline date"
        " (appendix).",
    ),
    "restatements": ("訂正（再表示）", "Restatements"),
    "restatement_intro": (
        "発行済み報告 #{id}（{period}、{issued_at} {issued_by} 発行）の数値が変わっています。",
        "Figures of issued report #{id} ({period}, issued {issued_at} by {issued_by}) have"
        " changed.",
    ),
    "col_figure": ("数値", "Figure"),
    "col_published": ("発行時", "Published"),
    "col_now": ("現在", "Now"),
    "col_change": ("変更", "Change"),
    "added": ("追加", "added"),
    "removed": ("除外", "removed"),
    "restated_records": ("変わった根拠記録", "Evidence records that changed"),
    "charts": ("2. 自動集計 KPI の推移", "2. Computed KPIs over time"),
    "charts_note": (
        "網掛けは対象期間。累計は基準時点から期末まで、棒は四半期ごとの件数（右軸）。",
        "Shaded: the report period. Cumulative value from the baseline to the period's end;"
        " bars: records counted per quarter (right axis).",
    ),
    "activities": ("3. 期間中の活動", "3. Activities in the period"),
    "meetings": ("3.1 意見交換", "3.1 Meetings"),
    "first_companies": (
        "3.2 初めて意見交換を行った民間企業", "3.2 Companies consulted for the first time"
    ),
    "agreements_changed": (
        "3.3 データ連携協定（締結・開始・終了）", "3.3 Agreements concluded, started or ended"
    ),
    "events": ("3.4 周知広報・出前講座", "3.4 Outreach events and lectures"),
    "follow_ups": ("3.5 未完了のフォローアップ（期末時点）",
                   "3.5 Follow-ups still open at the period's end"),
    "register": ("4. データ連携協定 登録簿（期末時点で有効）",
                 "4. Register of data-linkage agreements in force at the period's end"),
    "appendix": ("付録 根拠記録", "Appendix: evidence records"),
    "appendix_intro": (
        "自動集計 KPI の期末値を構成する全記録（基準時点の翌日から期末まで）。"
        "● は対象期間内の記録。",
        "Every record that makes up each computed KPI's value at the period's end (after the"
        " baseline date, up to the period's end). ● marks records in the report period.",
    ),
    "appendix_kpi": (
        "{name}（{code}）: 基準値 {baseline} + 記録 {count} 件 = {value}"
        "（うち期間内 {in_period} 件）",
        "{name} ({code}): baseline {baseline} + {count} records = {value}"
        " ({in_period} in the period)",
    ),
    "none": ("該当なし", "None"),
    "col_no": ("No.", "No."),
    "col_in_period": ("期間内", "In period"),
    "col_staff": ("担当職員", "Staff"),
    "col_topic": ("件名", "Topic"),
    "col_company": ("企業名", "Company"),
    "col_first_meeting": ("意見交換 ID", "Meeting ID"),
    "col_partners": ("相手先", "Partners"),
    "col_status": ("状態", "Status"),
    "col_concluded": ("締結日", "Concluded"),
    "col_term": ("協定期間", "Term"),
    "col_kind": ("区分", "Kind"),
    "col_venue": ("会場", "Venue"),
    "col_attendees": ("参加者数", "Attendees"),
    "col_due": ("期限", "Due"),
    "col_next_action": ("次の対応", "Next action"),
    "col_meeting_date": ("意見交換日", "Meeting date"),
    "overdue": ("期限超過", "overdue"),
    "count_suffix": ("{n} 件", "{n}"),
    "history_columns": (
        "ID|期間|言語|作成日時|発行日時|発行者|データ指紋|PDF SHA-256",
        "ID|Period|Lang|Generated|Issued|Issued by|Data fingerprint|PDF SHA-256",
    ),
    "page": ("{page} / {pages}", "{page} / {pages}"),
    "subject": ("{period} KPI 報告 データ指紋 {fingerprint}",
                "{period} KPI report, data fingerprint {fingerprint}"),
}


def t(key: str, lang: str, **values: object) -> str:
    """The text for `key` in `lang`, with `values` filled in."""
    ja, en = TEXT[key]
    return (ja if lang == "ja" else en).format(**values)
