"""The report's commentary: each KPI's 要因分析・課題・今後の方向性 for the period, and the
comments of issued reports edited since (their restatement)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, Flowable, KeepTogether, Paragraph, Table, TableStyle

from crm.kpi.comments import FIELDS, field_label
from crm.reporting.content import ReportContent
from crm.reporting.issued import Restatement
from reports.labels import t
from reports.styles import BASE_TABLE, GROUP_FILL, RESTATED, STYLES

#: Widths (mm) of the label and text columns of a KPI's comment block.
_BLOCK_WIDTHS = (28, 150)
#: Widths (mm) of the restated comments' columns: KPI, field, as printed, now.
_RESTATED_WIDTHS = (40, 22, 58, 58)


def _text(text: str | None, style: str = "cell") -> Paragraph:
    """User text as a paragraph: escaped (never markup), its line breaks kept."""
    return Paragraph(escape(text or "—").replace("\n", "<br/>"), STYLES[style])


def _table(rows: list[list[Flowable | str]], widths: tuple[float, ...],
           extra: list[tuple[Any, ...]], style: Sequence[tuple[Any, ...]] = BASE_TABLE) -> Table:
    table = Table(rows, colWidths=[w * mm for w in widths], repeatRows=1)
    table.setStyle(TableStyle([*style, *extra]))
    return table


def commentary(content: ReportContent, lang: str) -> list[Flowable]:
    """A block per commented KPI, in the summary's order: its analysis, issues and next
    steps for the period. Nothing when no KPI has a comment."""
    blocks: list[Flowable] = []
    for figure in content.figures:
        comments = content.comments.get(figure.kpi.key)
        if not comments:
            continue
        kpi = figure.kpi
        heading = f"{kpi.policy_ref} {kpi.name(lang)}（{kpi.code}）" if lang == "ja" else (
            f"{kpi.policy_ref} {kpi.name(lang)} ({kpi.code})")
        rows: list[list[Flowable | str]] = [[_text(heading), ""]]
        rows += [[field_label(field, lang), _text(comments.get(field))] for field in FIELDS]
        blocks.append(KeepTogether(_table(rows, _BLOCK_WIDTHS, [
            ("SPAN", (0, 0), (-1, 0)), ("BACKGROUND", (0, 0), (-1, 0), GROUP_FILL),
            ("VALIGN", (0, 1), (-1, -1), "TOP")])))
    if not blocks:
        return []
    return [CondPageBreak(40 * mm),
            Paragraph(escape(t("commentary", lang, period=content.period.label(lang))),
                      STYLES["h1"]),
            *blocks]


def restated_comments(restatement: Restatement, lang: str) -> list[Flowable]:
    """The comments of an issued report that read otherwise now: as printed, and now."""
    if not restatement.comment_changes:
        return []
    rows: list[list[Flowable | str]] = [[
        t("col_kpi", lang), t("col_comment_field", lang), t("col_published", lang),
        t("col_now", lang)]]
    for change in restatement.comment_changes:
        name = change.name_ja if lang == "ja" else change.name_en
        named = f"{name}（{change.code}）" if lang == "ja" else f"{name} ({change.code})"
        rows.append([_text(named), field_label(change.field, lang), _text(change.published),
                     _text(change.now)])
    return [Paragraph(escape(t("restated_comments", lang)), STYLES["h2"]),
            _table(rows, _RESTATED_WIDTHS, [("BACKGROUND", (0, 1), (-1, -1), RESTATED),
                                            ("VALIGN", (0, 1), (-1, -1), "TOP")])]
