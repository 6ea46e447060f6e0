"""Publishing a KPI report: build the PDF, write it, and on request issue it, in one unit of work.

The CLI (`crm report … [--issue]`) and the TUI dashboard (`p`, `i`) both publish through
`publish_report`. Issuing writes the file inside the transaction: if the file cannot be
written, the report is not recorded as issued.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlmodel import Session

from crm.calendar import FiscalPeriod
from crm.context import Context
from crm.errors import DataError
from crm.models import IssuedReport
from crm.reporting import issued
from db.session import Database
from reports.kpi_report import ReportResult, build_report, default_filename


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
    )


def publish_report(
    database: Database, ctx: Context, *, period: FiscalPeriod, lang: str,
    generated_at: datetime | None = None, approval_block: bool = True, office: str | None = None,
    output: Path | None = None, directory: Path | None = None, issue: bool = False,
) -> Publication:
    """Build the report of `period`, write it, and with `issue` record it as issued by ctx.user.

    The PDF goes to `output`, else to its default file name in `directory` (default: here);
    `generated_at` defaults to now. Raises DataError if the file cannot be written.
    """
    path = output or (directory or Path()) / default_filename(period)
    with (database.writing(actor=ctx.user) if issue else database.reading()) as session:
        result = build_report(
            session, period=period, lang=lang, generated_at=generated_at or ctx.now(),
            approval_block=approval_block, office=office,
        )
        record = issue_report(session, ctx, result) if issue else None
        try:
            path.write_bytes(result.pdf)
        except OSError as exc:
            raise DataError(f"cannot write {path}: {exc.strerror}",
                            ja=f"{path} に書き込めません: {exc.strerror}") from exc
    return Publication(result, path, None if record is None else record.id)
