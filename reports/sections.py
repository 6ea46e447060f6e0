"""The sections of the KPI report, each a function from the report's content to flowables."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    PageBreak,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from crm.calendar import FiscalPeriod, format_wareki
from crm.context import JAPAN
from crm.formatting import UNKNOWN, format_day, format_number
from crm.i18n import label
from crm.reporting.content import ReportContent
from crm.reporting.data import AgreementLine
from crm.vocabulary import AGREEMENT_STATUSES, EVENT_KINDS
from reports.charts import kpi_chart
from reports.commentary import commentary, restated_comments
from reports.glyphs import markup, needs_fallback
from reports.labels import t
from reports.styles import (
    APPENDIX_FONT_SIZE,
    APPENDIX_TABLE,
    BASE_TABLE,
    CHUNK_ROWS,
    FONT_NAME,
    FRAME_WIDTH,
    GROUP_FILL,
    INK,
    RESTATED,
    STYLES,
    TABLE_FONT_SIZE,
)
from reports.summary import summary, yearly


@dataclass(frozen=True)
class ReportOptions:
    """How a report is printed: language, generation time, issuing office, approval block
    and its roles (None: the language's default roles), and whether names of people show."""

    lang: str
    generated_at: datetime
    office: str
    approval_block: bool
    approvers: tuple[str, ...] | None = None
    personal: bool = True


def report_title(period: FiscalPeriod, lang: str) -> str:
    """The report's title, e.g. '令和4年度 第3四半期 連携・周知活動 KPI 報告'."""
    return t("title", lang, period=period.label(lang))


# --- small helpers --------------------------------------------------------------------------


def _p(text: str, style: str = "cell") -> Paragraph:
    """A paragraph of plain (escaped) text."""
    return Paragraph(markup(text), STYLES[style])


def _plain(text: str) -> Paragraph | str:
    """A one-line cell as plain text, or a paragraph where a fallback-font run needs one."""
    return Paragraph(markup(text), STYLES["small"]) if needs_fallback(text) else text


def _day(d: date | None, lang: str) -> str:
    return format_day(d, lang)


def _term(start: date | None, end: date | None, lang: str) -> str:
    if start is None and end is None:
        return UNKNOWN
    return f"{_day(start, lang)} – {_day(end, lang)}"


def fit(text: str, width: float, size: float = APPENDIX_FONT_SIZE) -> str:
    """`text` cut with … to fit on one line of `width` points."""
    if stringWidth(text, FONT_NAME, size) <= width:
        return text
    while text and stringWidth(text + "…", FONT_NAME, size) > width:
        text = text[:-1]
    return text + "…"


#: Lists longer than this get one-line cells (cut with …): wrapped cells lay out ~3x slower.
WRAP_LIMIT = 500


def _cell(text: str, width: float, wrap: bool) -> Paragraph | str:
    """A wrapping paragraph, or one line of plain text cut to `width` points."""
    return _p(text) if wrap else _plain(fit(text, width, TABLE_FONT_SIZE))


def _table(
    header: Sequence[str],
    rows: Sequence[list[Any]],
    widths_mm: Sequence[float],
    style: Sequence[tuple[Any, ...]] = BASE_TABLE,
    extra: Sequence[tuple[Any, ...]] = (),
) -> Table:
    table = Table([list(header), *rows], colWidths=[w * mm for w in widths_mm], repeatRows=1)
    table.setStyle(TableStyle([*style, *extra]))
    return table


def _list_section(
    heading: str,
    header: Sequence[str],
    rows: Sequence[list[Any]],
    widths_mm: Sequence[float],
    lang: str,
    extra: Sequence[tuple[Any, ...]] = (),
    heading_style: str = "h2",
) -> list[Flowable]:
    """A heading with its row count, then the rows as tables of at most CHUNK_ROWS each."""
    title = f"{heading}（{len(rows)}）" if lang == "ja" else f"{heading} ({len(rows)})"
    flowables: list[Flowable] = [CondPageBreak(30 * mm), _p(title, heading_style)]
    if not rows:
        return [*flowables, _p(t("none", lang), "body")]
    for start in range(0, len(rows), CHUNK_ROWS):
        flowables.append(_table(header, rows[start:start + CHUNK_ROWS], widths_mm, extra=extra))
    return flowables


# --- cover ----------------------------------------------------------------------------------


def approval_block(lang: str, approvers: Sequence[str] | None = None) -> Table:
    """決裁欄: a box for the seal of each role (default 課長, 係長, 担当)."""
    roles = list(approvers) if approvers else t("approval_roles", lang).split("|")
    table = Table(
        [[t("approval", lang), *map(_plain, roles)], ["", *([""] * len(roles))]],
        colWidths=[(10 if lang == "ja" else 16) * mm] + [19 * mm] * len(roles),
        rowHeights=[5.5 * mm, 19 * mm],
        hAlign="RIGHT",
    )
    table.setStyle(TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), FONT_NAME),
        ("FONTSIZE", (0, 0), (-1, -1), 7.5),
        ("TEXTCOLOR", (0, 0), (-1, -1), INK),
        ("ALIGN", (0, 0), (-1, -1), "CENTER"),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("GRID", (0, 0), (-1, -1), 0.6, INK),
        ("SPAN", (0, 0), (0, 1)),
        ("BACKGROUND", (1, 0), (-1, 0), GROUP_FILL),
    ]))
    return table


def _generated_text(moment: datetime, lang: str) -> str:
    local = moment.astimezone(JAPAN)
    iso = local.strftime("%Y-%m-%d %H:%M JST")
    if lang == "ja":
        return f"{format_wareki(local.date())} {local:%H:%M}（{iso}）"
    return iso


def _period_text(period: FiscalPeriod, lang: str) -> str:
    """The period's days: 和暦 with ISO dates in Japanese, Western dates only in English."""
    western = f"{period.start.isoformat()} – {period.end.isoformat()}"
    if lang != "ja":
        return western
    return f"{format_wareki(period.start)} 〜 {format_wareki(period.end)}（{western}）"


def cover(content: ReportContent, options: ReportOptions) -> list[Flowable]:
    """Title, period, issuing office, generation time, data fingerprint, approval block."""
    lang = options.lang
    flowables: list[Flowable] = []
    if options.approval_block:
        flowables.append(approval_block(lang, options.approvers))
    flowables += [
        Spacer(1, 30 * mm if options.approval_block else 55 * mm),
        _p(report_title(content.period, lang), "title"),
        _p(" / ".join(ja if lang == "ja" else en for ja, en in content.plan_names)
           or t("policy", lang), "subtitle"),
        Spacer(1, 12 * mm),
    ]
    rows = [
        (t("period", lang), _p(
            f"{content.period.label(lang)}　{_period_text(content.period, lang)}",
            "cover_value")),
        (t("issuer", lang), _p(options.office, "cover_value")),
        (t("generated", lang), _p(_generated_text(options.generated_at, lang), "cover_value")),
        (t("fingerprint", lang), [_p(content.fingerprint, "fingerprint"),
                                  _p(t("fingerprint_note", lang), "note")]),
        (t("audit_head", lang), [
            _p(f"#{content.audit_head.id or 0} {content.audit_head.hash}", "fingerprint"),
            _p(t("audit_head_note", lang), "note"),
        ]),
    ]
    table = Table([[_p(k, "cover_key"), v] for k, v in rows],
                  colWidths=[38 * mm, FRAME_WIDTH - 38 * mm])
    table.setStyle(TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), FONT_NAME),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LINEBELOW", (0, 0), (-1, -1), 0.4, GROUP_FILL),
        ("TOPPADDING", (0, 0), (-1, -1), 5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
    ]))
    flowables.append(table)
    if not options.personal:
        flowables += [Spacer(1, 6 * mm), _p(t("no_personal_notice", lang), "body")]
    changed = content.restated_figures
    if changed:
        flowables += [Spacer(1, 8 * mm), _p(t("restated_notice", lang, n=changed), "h2")]
    flowables.append(PageBreak())
    return flowables


# --- KPI summary ----------------------------------------------------------------------------


# --- restatements ---------------------------------------------------------------------------


def restatement_section(content: ReportContent, lang: str) -> list[Flowable]:
    """Published vs current figures of issued reports, with the evidence that changed."""
    if not content.restatements:
        return []
    flowables: list[Flowable] = [_p(t("restatements", lang), "h1")]
    for r in content.restatements:
        issued_at = _generated_text(r.issued_at, lang)
        intro = "restatement_intro" if r.issued_by else "restatement_intro_unnamed"
        flowables.append(_p(t(intro, lang, id=r.issued_id, period=r.period.label(lang),
                              issued_at=issued_at, issued_by=r.issued_by), "body"))
        rows = []
        for change in r.changes:
            name = change.name_ja if lang == "ja" else change.name_en
            for field in ("value", "period_count"):
                if change.published[field] != change.now[field]:
                    rows.append([_p(f"{name}（{change.code}）"), label(
                        "value_at_end" if field == "value" else "period_count", lang),
                        format_number(change.published[field]), format_number(change.now[field])])
        if rows:
            flowables.append(_table(
                [t("col_kpi", lang), t("col_figure", lang), t("col_published", lang),
                 t("col_now", lang)],
                rows, (96, 30, 26, 26),
                extra=[("ALIGN", (2, 1), (3, -1), "RIGHT"),
                       ("BACKGROUND", (0, 1), (-1, -1), RESTATED)],
            ))
        flowables += restated_comments(r, lang)
        records = [
            [t(rec.change, lang), c.code, _day(date.fromisoformat(rec.counted_on), lang),
             label(rec.record_type, lang),
             str(rec.record_id), _p(rec.title)]
            for c in r.changes for rec in c.records
        ]
        flowables += _list_section(
            t("restated_records", lang),
            [t("col_change", lang), label("code", lang), label("date", lang),
             label("record_type", lang), label("record_id", lang), label("title", lang)],
            records, (14, 36, 20, 26, 12, 70), lang, extra=[("ALIGN", (4, 1), (4, -1), "RIGHT")],
        )
    return flowables


# --- charts ---------------------------------------------------------------------------------


def charts(content: ReportContent, lang: str) -> list[Flowable]:
    """One chart per KPI (a milestone's date is in the summary instead), two to a row."""
    width = FRAME_WIDTH / 2 - 2 * mm
    drawings = [
        kpi_chart(f.kpi, content.series[f.code], content.period, lang, width=width,
                  height=62 * mm)
        for f in content.figures
        if f.code in content.series and f.kpi.rule != "milestone"
    ]
    rows = [drawings[i:i + 2] + [""] * (2 - len(drawings[i:i + 2]))
            for i in range(0, len(drawings), 2)]
    flowables: list[Flowable] = [PageBreak(), _p(t("charts", lang), "h1"),
                                 _p(t("charts_note", lang), "note")]
    if rows:
        table = Table(rows, colWidths=[FRAME_WIDTH / 2] * 2)
        table.setStyle(TableStyle([("FONTNAME", (0, 0), (-1, -1), FONT_NAME),
                                   ("VALIGN", (0, 0), (-1, -1), "TOP"),
                                   ("TOPPADDING", (0, 0), (-1, -1), 4)]))
        flowables.append(table)
    return flowables


# --- activities -----------------------------------------------------------------------------


def activities(content: ReportContent, lang: str) -> list[Flowable]:
    """Meetings, first-time companies, agreements, events and open follow-ups."""
    d = content.period.end
    flowables: list[Flowable] = [PageBreak(), _p(t("activities", lang), "h1")]
    staff = [t("col_staff", lang)] if content.personal else []
    flowables += _list_section(
        t("meetings", lang),
        [label("date", lang), label("organizations", lang), t("col_topic", lang), *staff],
        [[_day(m.held_on, lang), _p(m.organizations), _p(m.title),
          *([_p(m.staff)] if content.personal else [])] for m in content.meetings],
        (18, 55, 70, 35) if content.personal else (18, 65, 95), lang,
    )
    flowables += _list_section(
        t("first_companies", lang),
        [label("date", lang), t("col_company", lang), t("col_first_meeting", lang)],
        [[_day(c.first_on, lang), _p(c.name), str(c.meeting_id)] for c in content.first_companies],
        (22, 126, 30), lang, extra=[("ALIGN", (2, 1), (2, -1), "RIGHT")],
    )
    flowables += _list_section(
        t("agreements_changed", lang), *_agreement_table(content.agreements_changed, lang), lang,
        extra=[("ALIGN", (0, 1), (0, -1), "RIGHT")],
    )
    wrap = len(content.events) <= WRAP_LIMIT
    flowables += _list_section(
        t("events", lang),
        [label("date", lang), t("col_kind", lang), t("col_topic", lang), t("col_venue", lang),
         t("col_attendees", lang)],
        [[_day(e.held_on, lang), EVENT_KINDS.label(e.kind, lang),
          _cell(e.title, 70 * mm - 6, wrap),
          _cell(" / ".join(v for v in (e.venue, e.municipality) if v), 50 * mm - 6, wrap),
          format_number(e.attendees)] for e in content.events],
        (18, 24, 70, 50, 16), lang, extra=[("ALIGN", (4, 1), (4, -1), "RIGHT")],
    )
    follow_rows = []
    for m in content.follow_ups:
        due = _day(m.follow_up_on, lang)
        if m.follow_up_on is not None and m.follow_up_on < d:
            due += f"\n{t('overdue', lang)}"
        follow_rows.append([due, _day(m.held_on, lang), _p(m.organizations),
                            _p(m.next_action or m.title)])
    flowables += _list_section(
        t("follow_ups", lang),
        [t("col_due", lang), t("col_meeting_date", lang), label("organizations", lang),
         t("col_next_action", lang)],
        follow_rows, (20, 20, 58, 80), lang,
    )
    return flowables


def _agreement_table(
    agreements: Sequence[AgreementLine], lang: str
) -> tuple[list[str], list[list[Any]], tuple[float, ...]]:
    header = [label("record_id", lang), label("title", lang), t("col_partners", lang),
              t("col_status", lang), t("col_concluded", lang), t("col_term", lang)]
    rows: list[list[Any]] = [
        [str(a.id), _p(a.title), _p(a.partners), AGREEMENT_STATUSES.label(a.status, lang),
         _day(a.concluded_on, lang), _term(a.starts_on, a.ends_on, lang)]
        for a in agreements
    ]
    return header, rows, (10, 52, 50, 16, 18, 32)


def register(content: ReportContent, lang: str) -> list[Flowable]:
    """Every data-linkage agreement in force at the period's end."""
    return _list_section(
        t("register", lang), *_agreement_table(content.register, lang), lang,
        extra=[("ALIGN", (0, 1), (0, -1), "RIGHT")], heading_style="h1",
    )


# --- appendix -------------------------------------------------------------------------------

_APPENDIX_WIDTHS = (11, 17, 22, 12, 62, 44, 10)


def appendix(content: ReportContent, lang: str) -> list[Flowable]:
    """Every evidence record behind each computed KPI's value, with its id and date."""
    flowables: list[Flowable] = [PageBreak(), _p(t("appendix", lang), "h1"),
                                 _p(t("appendix_intro", lang), "note")]
    title_width = _APPENDIX_WIDTHS[4] * mm - 6
    org_width = _APPENDIX_WIDTHS[5] * mm - 6
    header = [t("col_no", lang), label("date", lang), label("record_type", lang),
              label("record_id", lang), label("title", lang), label("organizations", lang),
              t("col_in_period", lang)]
    for figure in content.figures:
        if figure.code not in content.evidence:
            continue
        rows = content.evidence[figure.code]
        in_period = sum(1 for r in rows if r.counted_on >= content.period.start)
        heading = t("appendix_kpi", lang, name=figure.kpi.name(lang), code=figure.code,
                    baseline=format_number(figure.kpi.baseline), count=format_number(len(rows)),
                    value=format_number(figure.value), in_period=format_number(in_period))
        flowables += [CondPageBreak(25 * mm), _p(heading, "h2")]
        cells = [
            [str(n), _day(r.counted_on, lang), label(r.record_type, lang), str(r.record_id),
             _plain(fit(r.title, title_width)), _plain(fit(r.organizations, org_width)),
             "●" if r.counted_on >= content.period.start else ""]
            for n, r in enumerate(rows, start=1)
        ]
        if not cells:
            flowables.append(_p(t("none", lang), "body"))
        for start in range(0, len(cells), CHUNK_ROWS):
            flowables.append(_table(header, cells[start:start + CHUNK_ROWS], _APPENDIX_WIDTHS,
                                    APPENDIX_TABLE,
                                    extra=[("ALIGN", (0, 1), (0, -1), "RIGHT"),
                                           ("ALIGN", (3, 1), (3, -1), "RIGHT"),
                                           ("ALIGN", (6, 0), (6, -1), "CENTER")]))
    return flowables


def story(content: ReportContent, options: ReportOptions) -> list[Flowable]:
    """The whole report in order."""
    lang = options.lang
    return [
        *cover(content, options),
        *summary(content, lang),
        *commentary(content, lang),
        *restatement_section(content, lang),
        *yearly(content, lang),
        *charts(content, lang),
        *activities(content, lang),
        *register(content, lang),
        *appendix(content, lang),
    ]

