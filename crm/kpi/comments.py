"""Comments on a KPI per fiscal year or quarter: 要因分析 (analysis), 課題 (issues) and
今後の方向性 (next steps), the commentary of a progress sheet (進捗管理シート).

One `kpi_comment` row per KPI, period and field; writing empty text deletes the row. The
CLI (`crm kpi comment`), the TUI's KPI screen and the report read and write them here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import delete, select, text

from crm.calendar import FiscalPeriod
from crm.context import Context
from crm.errors import DataError, NotFoundError
from crm.reader import Reader, by_ids

if TYPE_CHECKING:
    from sqlmodel import Session

#: The comment fields, in the order a progress sheet prints them.
FIELDS = ("analysis", "issues", "next")
#: Each field's label (Japanese, English).
FIELD_LABELS: dict[str, tuple[str, str]] = {
    "analysis": ("要因分析", "Analysis"),
    "issues": ("課題", "Issues"),
    "next": ("今後の方向性", "Next steps"),
}
#: The longest comment accepted, in characters.
MAX_LENGTH = 2000

#: A KPI's comments for one period: field -> text (None where there is none).
Comments = dict[str, str | None]


def field_label(field: str, lang: str) -> str:
    """The label of a comment field in `lang`."""
    ja, en = FIELD_LABELS[field]
    return ja if lang == "ja" else en


def no_comments() -> Comments:
    """Comments with every field empty."""
    return dict.fromkeys(FIELDS)


@dataclass(frozen=True)
class CommentedKpi:
    """The KPI a comment is written on: its id, code, plan and the plan's fiscal years."""

    id: int
    code: str
    plan_code: str
    first_fiscal_year: int
    last_fiscal_year: int


def commented_kpi(session: Reader, code: str, plan: str | None = None) -> CommentedKpi:
    """The active KPI `code` (of `plan`, needed where two plans share the code); DataError in
    one line otherwise."""
    in_plan = "" if plan is None else " AND p.code = :plan"
    query = text(
        "SELECT k.id, k.code, p.code, p.first_fiscal_year, p.last_fiscal_year"
        " FROM kpi k JOIN plan p ON p.id = k.plan_id"
        " WHERE k.code = :code AND k.archived_at IS NULL AND p.archived_at IS NULL"
        f"{in_plan} ORDER BY p.code")
    params = {"code": code.strip()} | ({} if plan is None else {"plan": plan.strip()})
    found = [CommentedKpi(int(r[0]), r[1], r[2], int(r[3]), int(r[4]))
             for r in session.execute(query, params)]
    if len(found) == 1:
        return found[0]
    if found:
        plans = ", ".join(k.plan_code for k in found)
        raise DataError(f"KPI {code!r} exists in plans {plans}: name one with --plan",
                        ja=f"KPI {code!r} は複数の計画（{plans}）にあります。"
                           "--plan で指定してください", field="plan")
    where = f" in plan {plan!r}" if plan is not None else ""
    raise NotFoundError(f"no KPI {code!r}{where} (see `crm plan show PLAN`)",
                        ja=f"KPI {code!r} が{f'計画 {plan!r} に' if plan else ''}ありません"
                           "（`crm plan show 計画` で確認できます）", field="kpi")


def _check(kpi: CommentedKpi, period: FiscalPeriod, field: str, text: str) -> None:
    if field not in FIELDS:
        raise DataError(f"field {field!r} is not one of {', '.join(FIELDS)}",
                        ja=f"項目 {field!r} は {', '.join(FIELDS)} のいずれかです", field="field")
    if not kpi.first_fiscal_year <= period.fiscal_year <= kpi.last_fiscal_year:
        years = f"{kpi.first_fiscal_year}–{kpi.last_fiscal_year}"
        raise DataError(
            f"fiscal year {period.fiscal_year} is outside plan {kpi.plan_code} ({years})",
            ja=f"{period.fiscal_year}年度は計画 {kpi.plan_code} の期間（{years}年度）外です",
            field="fiscal_year")
    if len(text) > MAX_LENGTH:
        raise DataError(f"the comment has {len(text)} characters; at most {MAX_LENGTH}",
                        ja=f"コメントが {len(text)} 文字です（{MAX_LENGTH} 文字まで）",
                        field=field)


def set_comment(session: Session, ctx: Context, *, kpi: CommentedKpi, period: FiscalPeriod,
                field: str, text: str) -> bool:
    """Write one comment of `kpi` for `period` (a year or a quarter); empty text clears it.

    Returns whether anything changed. DataError (one line, naming the field) on a mistake.
    """
    from sqlmodel import col

    from crm.models import KpiComment  # here: reading comments (`crm kpi`) needs no models

    text = text.strip()
    _check(kpi, period, field, text)
    key = (col(KpiComment.kpi_id) == kpi.id, col(KpiComment.fiscal_year) == period.fiscal_year,
           col(KpiComment.quarter).is_(None) if period.quarter is None
           else col(KpiComment.quarter) == period.quarter,
           col(KpiComment.field) == field)
    row = session.scalars(select(KpiComment).where(*key)).first()
    if not text:
        if row is None:
            return False
        session.execute(delete(KpiComment).where(*key))
        return True
    now = ctx.now()
    if row is None:
        session.add(KpiComment(kpi_id=kpi.id, fiscal_year=period.fiscal_year,
                               quarter=period.quarter, field=field, text=text,
                               created_at=now, created_by=ctx.user, updated_at=now,
                               updated_by=ctx.user))
    elif row.text != text:
        row.text, row.updated_at, row.updated_by = text, now, ctx.user
    else:
        return False
    session.flush()
    return True


def comments_for(session: Reader, period: FiscalPeriod,
                 kpi_ids: Iterable[int] | None = None) -> dict[int, Comments]:
    """Each commented KPI's comments (by KPI id) for exactly `period`: a quarter's own, or the
    whole year's; KPIs without any are left out."""
    sql = ("SELECT kpi_id, field, text FROM kpi_comment WHERE fiscal_year = :year AND "
           + ("quarter IS NULL" if period.quarter is None else "quarter = :quarter"))
    params: dict[str, object] = {"year": period.fiscal_year, "quarter": period.quarter}
    query = text(sql) if kpi_ids is None else by_ids(sql + " AND kpi_id IN :ids")
    if kpi_ids is not None:
        params["ids"] = list(kpi_ids)
    found: dict[int, Comments] = {}
    for kpi_id, field, comment in session.execute(query, params):
        found.setdefault(int(kpi_id), no_comments())[field] = comment
    return found
