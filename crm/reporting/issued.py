"""Issued reports are frozen: what was printed is stored, and later reports restate changes.

Issuing stores the period, the printed figures per KPI (with the evidence record keys of each
computed KPI), the data fingerprint and the PDF's SHA-256 in `issued_report`. A report built
later for the same or a following period recomputes every earlier issued period; where a
published figure differs now (a record back-dated, merged or archived since), it lists both
and the evidence records added or removed.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import select
from sqlmodel import Session, col

from crm.audit.chain import ChainHead
from crm.calendar import FiscalPeriod
from crm.context import JAPAN, Context, system_clock
from crm.errors import DataError
from crm.kpi.comments import FIELDS, Comments, comments_for
from crm.kpi.engine import EvidenceRow, KpiFigure, compute_for_period, evidence
from crm.models import IssuedReport
from crm.reporting.data import record_titles
from crm.vocabulary import COMPUTED_RULES

#: The figures of each KPI that a report prints and a later report checks.
CHECKED_FIELDS = ("value", "period_count")

EvidenceKey = tuple[str, int, str]


@dataclass(frozen=True)
class ChangedRecord:
    """An evidence record that entered or left a KPI since the report was issued."""

    change: str
    record_type: str
    record_id: int
    counted_on: str
    title: str


@dataclass(frozen=True)
class FigureChange:
    """One KPI of an issued report whose printed figures differ from today's."""

    code: str
    name_ja: str
    name_en: str
    published: dict[str, float | None]
    now: dict[str, float | None]
    records: tuple[ChangedRecord, ...]


@dataclass(frozen=True)
class CommentChange:
    """A comment of an issued report (要因分析, 課題, 今後の方向性) edited since: as printed and
    now (None: none)."""

    code: str
    name_ja: str
    name_en: str
    field: str
    published: str | None
    now: str | None


@dataclass(frozen=True)
class Restatement:
    """An issued report and the figures and comments of it that have changed."""

    issued_id: int
    period: FiscalPeriod
    issued_at: datetime
    issued_by: str
    changes: tuple[FigureChange, ...]
    comment_changes: tuple[CommentChange, ...] = ()


def stored_utc(moment: datetime) -> datetime:
    """A timestamp read back from the database, as aware UTC (SQLite keeps no zone)."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def japan_time_text(moment: datetime) -> str:
    """A stored timestamp as Japan time, e.g. '2023-01-10 09:30 JST'."""
    return stored_utc(moment).astimezone(JAPAN).strftime("%Y-%m-%d %H:%M JST")


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(float(value), 4)


def evidence_through(session: Session, figures: Sequence[KpiFigure],
                     through: date) -> dict[str, list[EvidenceRow]]:
    """For each computed KPI among `figures`, its evidence dated by `through`, by KPI key
    ('plan/code')."""
    return {
        f.kpi.key: evidence(session, f.code, plan=f.kpi.plan_code, through=through)
        for f in figures
        if f.kpi.rule in COMPUTED_RULES
    }


def published_figures(
    figures: Sequence[KpiFigure], rows: Mapping[str, Sequence[EvidenceRow]],
    comments: Mapping[str, Comments] | None = None,
) -> dict[str, dict[str, Any]]:
    """The record of what a report printed: per KPI key ('plan/code'), its figures, evidence
    keys and comments (the fields that have one)."""
    published: dict[str, dict[str, Any]] = {}
    for f in figures:
        entry: dict[str, Any] = {field: _rounded(getattr(f, field)) for field in CHECKED_FIELDS}
        entry |= {
            "achievement_rate": _rounded(f.achievement_rate),
            "progress_rate": _rounded(f.progress_rate),
            "status": f.status,
        }
        if f.kpi.key in rows:
            entry["evidence"] = [
                [r.record_type, r.record_id, r.counted_on.isoformat()] for r in rows[f.kpi.key]
            ]
        printed = {k: v for k, v in (comments or {}).get(f.kpi.key, {}).items() if v}
        if printed:
            entry["comments"] = printed
        published[f.kpi.key] = entry
    return published


def comments_by_code(session: Session, period: FiscalPeriod,
                     figures: Sequence[KpiFigure]) -> dict[str, Comments]:
    """The comments for exactly `period` of the KPIs of `figures`, by KPI key ('plan/code')."""
    found = comments_for(session, period, [f.kpi.id for f in figures])
    return {f.kpi.key: found[f.kpi.id] for f in figures if f.kpi.id in found}


def issue(
    session: Session,
    ctx: Context,
    *,
    period: FiscalPeriod,
    lang: str,
    generated_at: datetime,
    fingerprint: str,
    pdf_sha256: str,
    figures: dict[str, dict[str, Any]],
    anchor: ChainHead,
    no_personal: bool = False,
) -> IssuedReport:
    """Store a report as issued by the acting user now (append-only), with the audit chain
    head it printed (`anchor`), which `crm audit verify` checks from then on, and whether it
    left staff and contact names out (`no_personal`).

    Now is the real clock, whatever `ctx`'s clock says (`--today` reproduces a view, it
    does not back-date an issue), and only a period that has ended by it can be issued.
    """
    issued_at = system_clock()
    check_issuable(period, issued_at)
    record = IssuedReport(
        fiscal_year=period.fiscal_year,
        quarter=period.quarter,
        lang=lang,
        generated_at=generated_at.astimezone(UTC),
        issued_at=issued_at,
        issued_by=ctx.user,
        fingerprint=fingerprint,
        pdf_sha256=pdf_sha256,
        figures_json=json.dumps(figures, ensure_ascii=False, sort_keys=True,
                                separators=(",", ":")),
        audit_head_id=anchor.id,
        audit_head_hash=anchor.hash,
        no_personal=no_personal,
    )
    session.add(record)
    session.flush()
    return record


def check_issuable(period: FiscalPeriod, now: datetime | None = None) -> None:
    """Raise DataError unless `period` has ended by `now` (default: the real clock) in Japan:
    a report is issued only for an ended period. Asked before a report is built, too (a
    year far ahead took a minute to build before it was refused)."""
    today = (now or system_clock()).astimezone(JAPAN).date()
    if period.end >= today:
        raise DataError(
            f"{period.label('en')} ends on {period.end.isoformat()}: a report is issued only"
            f" once its period has ended (today is {today.isoformat()}); nothing issued",
            ja=f"{period.label('ja')} は {period.end.isoformat()} までです: 期間の終了後に"
               f"のみ発行できます（本日 {today.isoformat()}）。発行していません",
            field="period",
        )


def history(session: Session) -> list[IssuedReport]:
    """Every issued report, oldest first."""
    query = select(IssuedReport).order_by(col(IssuedReport.issued_at), col(IssuedReport.id))
    return list(session.scalars(query))


def _period_of(record: IssuedReport) -> FiscalPeriod:
    return FiscalPeriod(record.fiscal_year, record.quarter)


def restatements(session: Session, period: FiscalPeriod) -> list[Restatement]:
    """Issued reports of periods ending by `period`'s end whose figures have changed.

    Only the latest issue of each period is checked; results are ordered by period.
    """
    latest: dict[FiscalPeriod, IssuedReport] = {}
    for record in history(session):
        issued_period = _period_of(record)
        if issued_period.end <= period.end:
            latest[issued_period] = record
    found = []
    for issued_period in sorted(latest):
        record = latest[issued_period]
        published = json.loads(record.figures_json)
        figures = compute_for_period(session, issued_period)
        changes = _changes(session, issued_period, published, figures)
        edited = _comment_changes(session, issued_period, published, figures)
        if changes or edited:
            assert record.id is not None
            found.append(Restatement(record.id, issued_period, stored_utc(record.issued_at),
                                     record.issued_by, tuple(changes), tuple(edited)))
    return found


def _comment_changes(
    session: Session, period: FiscalPeriod, published: dict[str, dict[str, Any]],
    figures: Sequence[KpiFigure],
) -> list[CommentChange]:
    """The comments of the KPIs an issued report printed that read otherwise now."""
    now = comments_by_code(session, period, figures)
    edited = []
    for f in figures:
        printed = _published(published, f)
        if printed is None:
            continue
        before = printed.get("comments", {})
        after = now.get(f.kpi.key, {})
        edited += [CommentChange(f.code, f.kpi.name_ja, f.kpi.name_en, field,
                                 before.get(field), after.get(field))
                   for field in FIELDS if before.get(field) != after.get(field)]
    return edited


def _published(published: dict[str, dict[str, Any]], f: KpiFigure) -> dict[str, Any] | None:
    """What an issued report printed for `f`'s KPI: by its key ('plan/code'), or by its bare
    code in reports issued before keys named the plan."""
    return published.get(f.kpi.key) or published.get(f.code)


def _changes(
    session: Session, period: FiscalPeriod, published: dict[str, dict[str, Any]],
    figures: Sequence[KpiFigure],
) -> list[FigureChange]:
    now = published_figures(figures, evidence_through(session, figures, period.end))
    changes = []
    for f in figures:
        before = _published(published, f)
        if before is None:
            continue
        after = now[f.kpi.key]
        if all(before.get(field) == after[field] for field in CHECKED_FIELDS):
            continue
        old_keys = {_key(k) for k in before.get("evidence", [])}
        new_keys = {_key(k) for k in after.get("evidence", [])}
        changed = sorted(
            [("removed", k) for k in old_keys - new_keys]
            + [("added", k) for k in new_keys - old_keys],
            key=lambda item: (item[1][2], item[1][0], item[1][1], item[0]),
        )
        titles = record_titles(session, [(k[0], k[1]) for _, k in changed])
        records = tuple(
            ChangedRecord(change, k[0], k[1], k[2], titles.get((k[0], k[1]), ""))
            for change, k in changed
        )
        changes.append(FigureChange(
            f.code, f.kpi.name_ja, f.kpi.name_en,
            {field: before.get(field) for field in CHECKED_FIELDS},
            {field: after[field] for field in CHECKED_FIELDS},
            records,
        ))
    return changes


def _key(raw: Sequence[Any]) -> EvidenceKey:
    return str(raw[0]), int(raw[1]), str(raw[2])
