"""User-facing labels in Japanese (the default) and English, shared by the CLI, TUI and PDF."""

from __future__ import annotations

import os

LANGUAGES = ("ja", "en")
LANG_VARIABLE = "CRM_LANG"

LABELS: dict[str, tuple[str, str]] = {
    "basic_policy": ("基本方針", "Policy"),
    "code": ("コード", "Code"),
    "kpi": ("KPI", "KPI"),
    "name": ("名称", "Name"),
    "fiscal_years": ("年度", "Fiscal years"),
    "plan": ("計画", "Plan"),
    "kpis": ("KPI 数", "KPIs"),
    "unit": ("単位", "Unit"),
    "baseline": ("基準値", "Baseline"),
    "baseline_as_of": ("基準時点", "Baseline as of"),
    "target": ("目標値", "Target"),
    "target_by": ("目標時期", "Target by"),
    "value": ("現在値", "Value"),
    "value_at_end": ("期末値", "End value"),
    "period_count": ("期間内", "In period"),
    "achievement_rate": ("達成率", "Achieved"),
    "progress_rate": ("進捗率", "Progress"),
    "expected": ("見込線", "Expected"),
    "status": ("状況", "Status"),
    "needed_pace": ("必要ペース/月", "Needed/month"),
    "reconciliation": ("基準日以前の記録", "Records before baseline"),
    "as_of": ("時点", "As of"),
    "date": ("日付", "Date"),
    "title": ("件名", "Title"),
    "record_type": ("種類", "Type"),
    "record_id": ("ID", "ID"),
    "organizations": ("相手先", "Organizations"),
    "evidence_for": ("根拠となる記録", "Evidence for"),
    "records": ("件", "records"),
    "meeting": ("意見交換", "Meeting"),
    "agreement": ("データ連携協定", "Agreement"),
    "outreach_event": ("周知広報", "Outreach event"),
    "tag": ("タグ", "Tag"),
    "meetings": ("意見交換", "Meetings"),
    "agreements": ("協定", "Agreements"),
    "events": ("周知広報", "Events"),
    # the command line's lists: `crm orgs duplicates`, `crm audit log`
    "score": ("類似度", "score"),
    "id": ("ID", "id"),
    "org_name": ("名称", "name"),
    "reason": ("理由", "reason"),
    "changed_at": ("変更日時", "changed_at"),
    "changed_by": ("変更者", "changed_by"),
    "table": ("表", "table"),
    "row": ("行", "row"),
    "action": ("操作", "action"),
    "changes": ("変更内容", "changes"),
    "organization": ("団体", "Organization"),
    "contact": ("連絡先", "Contact"),
    "staff": ("職員", "Staff"),
}


def default_language() -> str:
    """The UI language: $CRM_LANG if it is 'ja' or 'en', else Japanese."""
    lang = os.environ.get(LANG_VARIABLE, "ja").strip().lower()
    return lang if lang in LANGUAGES else "ja"


def language_setting_problem() -> str | None:
    """A one-line complaint when $CRM_LANG is set to something other than ja or en."""
    raw = os.environ.get(LANG_VARIABLE)
    if raw is None or raw.strip().lower() in LANGUAGES or not raw.strip():
        return None
    return f"{LANG_VARIABLE}={raw[:20]!r} is not a language of this program: use ja or en"


def label(key: str, lang: str) -> str:
    """The label for `key` in `lang`."""
    ja, en = LABELS[key]
    return ja if lang == "ja" else en


class Bilingual(str):
    """A line in English (the string itself, as logs, acknowledgements and tests compare it)
    that also carries its Japanese: the problems `crm db check` and `crm audit verify` print."""

    ja: str

    def __new__(cls, en: str, ja: str) -> Bilingual:
        line = super().__new__(cls, en)
        line.ja = ja
        return line

    def __add__(self, other: str) -> Bilingual:
        """Both languages extended by `other`: its Japanese if it has one, else as it is."""
        return Bilingual(str(self) + other, self.ja + getattr(other, "ja", other))


def in_language(line: str, lang: str) -> str:
    """`line` in `lang`: a Bilingual's Japanese in Japanese, else the line as it is."""
    return line.ja if lang == "ja" and isinstance(line, Bilingual) else str(line)
