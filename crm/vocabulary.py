"""Controlled vocabularies: organization kinds, agreement statuses, event kinds, KPI statuses.

Each code is stored in the database as its English code (checked by a CHECK constraint) and
has a Japanese and an English label. `parse_*` accept the code, either label, and common
Japanese spellings used in the office's spreadsheets. The KPI rules are in crm.kpi.rules.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from crm.errors import DataError

# The KPI rules are owned by crm.kpi.rules; COMPUTED_RULES stays importable from here.
from crm.kpi.rules import COMPUTED_RULES as COMPUTED_RULES


@dataclass(frozen=True)
class Term:
    """One code of a vocabulary with its labels and extra accepted spellings."""

    code: str
    ja: str
    en: str
    aliases: tuple[str, ...] = ()

    def label(self, lang: str) -> str:
        """The label in `lang` ('ja' or 'en')."""
        return self.ja if lang == "ja" else self.en


@dataclass(frozen=True)
class Vocabulary:
    """An ordered set of terms, looked up by code or by any label or alias."""

    name: str
    terms: tuple[Term, ...]

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(t.code for t in self.terms)

    def term(self, code: str) -> Term:
        """The term with this exact code."""
        for t in self.terms:
            if t.code == code:
                return t
        raise KeyError(code)

    def label(self, code: str, lang: str) -> str:
        """The label of `code` in `lang`, or the code itself if unknown."""
        try:
            return self.term(code).label(lang)
        except KeyError:
            return code

    def parse(self, text: str) -> str:
        """The code for `text` (a code, label or alias); DataError naming the text otherwise."""
        key = _fold(text)
        for t in self.terms:
            if key in {_fold(s) for s in (t.code, t.ja, t.en, *t.aliases)}:
                return t.code
        choices = ", ".join(f"{t.code} ({t.ja})" for t in self.terms)
        raise DataError(
            f"unknown {self.name} {text!r}; use one of: {choices}",
            ja=f"{self.name} {text!r} は不明です。次のいずれか: {choices}",
        )


def _fold(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split()).casefold().replace("-", "_")


ORGANIZATION_KINDS = Vocabulary(
    "organization kind",
    (
        Term("company", "民間企業", "Private company", ("企業", "会社", "民間")),
        Term("university", "大学", "University", ("大学等", "高専", "学校")),
        Term("research_institute", "研究機関", "Research institute", ("研究所",)),
        Term(
            "government_agency",
            "国・県等",
            "National or prefectural agency",
            ("国", "県", "国県", "官公庁", "国・県", "government"),
        ),
        Term("municipality", "市町村", "Municipality", ("自治体", "他市町")),
        Term("npo", "NPO", "NPO", ("NPO法人", "特定非営利活動法人", "団体")),
        Term("other", "その他", "Other"),
    ),
)

AGREEMENT_STATUSES = Vocabulary(
    "agreement status",
    (
        Term("proposed", "提案", "Proposed", ("提案中",)),
        Term("negotiating", "協議中", "Negotiating", ("交渉中", "調整中")),
        Term("concluded", "締結", "Concluded", ("締結済", "締結済み")),
        Term("ended", "終了", "Ended", ("満了", "期間満了")),
        Term("cancelled", "中止", "Cancelled", ("取消", "取りやめ", "canceled")),
    ),
)

EVENT_KINDS = Vocabulary(
    "event kind",
    (
        Term("in_city", "市内イベント", "In-city event", ("市内", "市内イベント等")),
        Term("out_of_city", "市外イベント", "Out-of-city event", ("市外", "市外イベント等")),
        Term("lecture", "出前講座", "On-site lecture", ("講座",)),
    ),
)

#: Agreement statuses in which the agreement has been concluded (and so has `concluded_on`).
CONCLUDED_STATUSES = ("concluded", "ended")
#: Agreement statuses before conclusion (no `concluded_on`).
OPEN_STATUSES = ("proposed", "negotiating")


KPI_STATUS_LABELS = {
    "achieved": ("達成", "Achieved"),
    "on_track": ("順調", "On track"),
    "behind": ("遅れ", "Behind"),
    "not_achieved": ("未達成", "Not achieved"),
    "unknown": ("—", "—"),
}


def sql_in(codes: tuple[str, ...]) -> str:
    """A SQL `IN (...)` list of string literals for a CHECK constraint."""
    return "(" + ", ".join(f"'{c}'" for c in codes) + ")"
