"""Building and publishing a KPI report: the only part of reports/ that touches the database.

`build_report` gathers the report's content in one pass (crm.reporting.content) and lays it
out (reports.kpi_report). `publish_report` builds it, writes the PDF and on request issues
it, in one unit of work; the CLI (`crm report … [--issue]`) and the TUI dashboard (`p`, `i`)
both publish through it. Issuing writes the file inside the transaction: if the file cannot
be written, the report is not recorded as issued.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlmodel import Session

from crm.calendar import FiscalPeriod
from crm.context import Context
from crm.errors import DataError
from crm.files import write_private
from crm.i18n import LANGUAGES
from crm.kpi.engine import select_plans
from crm.models import IssuedReport
from crm.reporting import issued
from crm.reporting.approvers import saved_approvers
from crm.reporting.content import ReportContent, gather_report
from db.maintenance import refuse_output_over_database
from db.session import Database
from reports.glyphs import check_content
from reports.kpi_report import render
from reports.labels import t
from reports.sections import ReportOptions


@dataclass(frozen=True)
class ReportResult:
    """A built report: the PDF, and what it printed (for tests, auditors and issuing)."""

    pdf: bytes
    content: ReportContent
    lang: str
    generated_at: datetime

    @property
    def period(self) -> FiscalPeriod:
        """The fiscal quarter or year reported on."""
        return self.content.period

    @property
    def fingerprint(self) -> str:
        """The data fingerprint printed on the report."""
        return self.content.fingerprint

    @property
    def published(self) -> dict[str, dict[str, Any]]:
        """What issuing the report freezes: per KPI code, its figures and evidence keys."""
        return self.content.published

    @property
    def sha256(self) -> str:
        """The SHA-256 of the PDF bytes."""
        return hashlib.sha256(self.pdf).hexdigest()


def default_filename(period: FiscalPeriod) -> str:
    """kpi-report-FY2022-Q3.pdf for a quarter, kpi-report-FY2022.pdf for a year."""
    suffix = f"-Q{period.quarter}" if period.quarter else ""
    return f"kpi-report-FY{period.fiscal_year}{suffix}.pdf"


def build_report(
    session: Session,
    *,
    period: FiscalPeriod,
    lang: str,
    generated_at: datetime,
    approval_block: bool = True,
    office: str | None = None,
    plan: str | None = None,
    approvers: Sequence[str] | None = None,
    personal: bool = True,
    detail: bool = False,
) -> ReportResult:
    """Build the KPI report for `period` in `lang` ('ja' or 'en') as of `generated_at`.

    `generated_at` must be timezone-aware; `office` defaults to the city's ICT-policy office;
    `plan` names the plan reported on (default or 'all': every plan); `approvers` the roles
    of the approval block (default 課長, 係長, 担当); without `personal` no names of people
    are printed (staff who met, who issued a restated report); `detail` adds every meeting,
    event and lecture of the period.
    """
    if lang not in LANGUAGES:
        raise DataError(f"language must be ja or en, not {lang!r}",
                        ja=f"言語は ja か en です: {lang!r}", field="lang")
    if generated_at.tzinfo is None:
        raise DataError("the generation time needs a time zone",
                        ja="作成日時にはタイムゾーンが必要です", field="generated_at")
    plans = None if plan in (None, "all") else select_plans(session, plan, period.fiscal_year)
    content = gather_report(session, period, plans, detail=detail)
    if not personal:
        content = content.without_personal()
    check_content(content, {"office": office or "", "approvers": ",".join(approvers or ())})
    options = ReportOptions(lang=lang, generated_at=generated_at,
                            office=office or t("office", lang), approval_block=approval_block,
                            approvers=tuple(approvers) if approvers else None,
                            personal=personal)
    return ReportResult(pdf=render(content, options), content=content, lang=lang,
                        generated_at=generated_at)


@dataclass(frozen=True)
class Publication:
    """A published report: what was built, where it was written, and its issue number."""

    report: ReportResult
    path: Path
    issued_id: int | None


def issue_report(session: Session, ctx: Context, result: ReportResult) -> IssuedReport:
    """Record `result` as issued now by the acting user: its figures and hashes are frozen."""
    return issued.issue(
        session, ctx, period=result.period, lang=result.lang, generated_at=result.generated_at,
        fingerprint=result.fingerprint, pdf_sha256=result.sha256, figures=result.published,
        anchor=result.content.audit_head, no_personal=not result.content.personal,
    )


def publish_report(
    database: Database, ctx: Context, *, period: FiscalPeriod, lang: str,
    generated_at: datetime | None = None, approval_block: bool = True, office: str | None = None,
    output: Path | None = None, directory: Path | None = None, issue: bool = False,
    plan: str | None = None, approvers: Sequence[str] | None = None, personal: bool = True,
    detail: bool = False,
) -> Publication:
    """Build the report of `period`, write it, and with `issue` record it as issued by ctx.user.

    The PDF goes to `output`, else to its default file name in `directory` (default: here);
    `generated_at` defaults to now; `approvers` to the saved default roles (see
    crm.reporting.approvers). Raises DataError if the file cannot be written.
    """
    path = output or (directory or Path()) / default_filename(period)
    roles = approvers or saved_approvers()
    refuse_output_over_database(path, database.url)
    if issue:
        issued.check_issuable(period)  # before building what could not be issued
    with (database.writing(actor=ctx.user) if issue else database.reading()) as session:
        result = build_report(
            session, period=period, lang=lang, generated_at=generated_at or ctx.now(),
            approval_block=approval_block, office=office, plan=plan, approvers=roles,
            personal=personal, detail=detail,
        )
        record = issue_report(session, ctx, result) if issue else None
        try:
            write_private(path, result.pdf)  # a report names people: owner only
        except OSError as exc:
            raise DataError(f"cannot write {path}: {exc.strerror}",
                            ja=f"{path} に書き込めません: {exc.strerror}") from exc
    return Publication(result, path, None if record is None else record.id)
