"""Plans as data: list them, read one back as a `PlanSpec`, and define or update one from a
plan file, all or nothing (docs/plans.md).

Importing is idempotent (the same file twice writes nothing) and never rewrites history: a
KPI's original target stays on its row, and a changed target must come as a new revision.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import delete, func, insert, select
from sqlmodel import Session, col

from crm.context import Context
from crm.errors import DataError, NotFoundError
from crm.kpi.catalog import SHIPPED_PLAN
from crm.kpi.plan_file import KpiSpec, PlanFileError, PlanSpec, TargetRevision
from crm.kpi.rules import CountRule, rule
from crm.models import Kpi, KpiCountFilter, KpiTargetRevision, Plan, PlanGrade


@dataclass(frozen=True)
class PlanSummary:
    """A plan as `crm plan list` shows it."""

    code: str
    name_ja: str
    name_en: str
    first_fiscal_year: int
    last_fiscal_year: int
    kpi_count: int

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {"code": self.code, "name_ja": self.name_ja, "name_en": self.name_en,
                "first_fiscal_year": self.first_fiscal_year,
                "last_fiscal_year": self.last_fiscal_year, "kpi_count": self.kpi_count}


def list_plans(session: Session) -> list[PlanSummary]:
    """The active plans, oldest first, with their active KPIs counted."""
    kpis = (select(func.count()).where(col(Kpi.plan_id) == Plan.id, col(Kpi.archived_at).is_(None))
            .scalar_subquery())
    query = (select(Plan, kpis).where(col(Plan.archived_at).is_(None))
             .order_by(col(Plan.first_fiscal_year), col(Plan.code)))
    return [PlanSummary(p.code, p.name_ja, p.name_en, p.first_fiscal_year, p.last_fiscal_year,
                        int(n)) for p, n in session.execute(query)]


def plan_by_code(session: Session, code: str) -> Plan:
    """The active plan with this code; NotFoundError naming the known codes otherwise."""
    plan = session.scalars(select(Plan).where(col(Plan.code) == code.strip(),
                                              col(Plan.archived_at).is_(None))).first()
    if plan is None:
        codes = ", ".join(p.code for p in list_plans(session))
        raise NotFoundError(f"unknown plan {code!r}; known: {codes}",
                            ja=f"計画 {code!r} は存在しません。既知のコード: {codes}",
                            field="plan")
    return plan


# --- reading a plan back --------------------------------------------------------------------


def _count_rules(session: Session, kpis: list[Kpi]) -> dict[int, CountRule]:
    rows: dict[int, list[tuple[str, str]]] = {}
    ids = [k.id for k in kpis if k.count_source is not None]
    query = (select(KpiCountFilter).where(col(KpiCountFilter.kpi_id).in_(ids))
             .order_by(col(KpiCountFilter.kpi_id), col(KpiCountFilter.filter),
                       col(KpiCountFilter.value)))
    for row in session.scalars(query):
        rows.setdefault(row.kpi_id, []).append((row.filter, row.value))
    return {
        k.id: CountRule.from_rows(k.count_source, k.count_measure or "records", rows.get(k.id, []))
        for k in kpis if k.id is not None and k.count_source is not None
    }


def _revisions(session: Session, kpi_ids: list[int]) -> dict[int, list[TargetRevision]]:
    query = (select(KpiTargetRevision)
             .where(col(KpiTargetRevision.kpi_id).in_(kpi_ids),
                    col(KpiTargetRevision.archived_at).is_(None))
             .order_by(col(KpiTargetRevision.kpi_id), col(KpiTargetRevision.revised_on)))
    found: dict[int, list[TargetRevision]] = {}
    for r in session.scalars(query):
        found.setdefault(r.kpi_id, []).append(
            TargetRevision(revised_on=r.revised_on, target=r.target, target_by=r.target_by,
                           reason=r.reason))
    return found


def _grading(session: Session, plan_id: int) -> tuple[tuple[str, float], ...]:
    query = (select(col(PlanGrade.grade), col(PlanGrade.threshold))
             .where(col(PlanGrade.plan_id) == plan_id)
             .order_by(col(PlanGrade.threshold).desc()))
    return tuple((grade, float(threshold)) for grade, threshold in session.execute(query))


def plan_spec(session: Session, code: str) -> PlanSpec:
    """The plan with this code and its active KPIs, as a plan file would define them."""
    plan = plan_by_code(session, code)
    assert plan.id is not None
    kpis = list(session.scalars(
        select(Kpi).where(col(Kpi.plan_id) == plan.id, col(Kpi.archived_at).is_(None))
        .order_by(col(Kpi.sort_order), col(Kpi.id))))
    rules = _count_rules(session, kpis)
    revisions = _revisions(session, [k.id for k in kpis if k.id is not None])
    return PlanSpec(
        code=plan.code, name_ja=plan.name_ja, name_en=plan.name_en,
        first_fiscal_year=plan.first_fiscal_year, last_fiscal_year=plan.last_fiscal_year,
        adopted_on=plan.adopted_on, notes=plan.notes, grading=_grading(session, plan.id),
        kpis=tuple(
            KpiSpec(
                code=k.code, name_ja=k.name_ja, name_en=k.name_en, unit=k.unit,
                policy_ref=k.policy_ref, basic_policy=k.basic_policy,
                kind="computed" if k.kind == "computed" else k.rule,
                baseline=k.baseline, baseline_as_of=k.baseline_as_of, target=k.target,
                target_by=k.target_by, formula=k.formula, direction=k.direction,
                baseline_label=k.baseline_label, target_label=k.target_label, notes=k.notes,
                count=rules.get(k.id) if k.id is not None else None,
                revisions=tuple(revisions.get(k.id, [])) if k.id is not None else (),
            )
            for k in kpis
        ),
    )


def plan_text(spec: PlanSpec, lang: str) -> str:
    """A plan in plain words for `crm plan show`: its years and grading, and each KPI with its
    rule, baseline, original target and revisions."""
    ja = lang == "ja"
    grading = ", ".join(f"{g} ≥ {t:g} %" for g, t in spec.grading)
    lines = [
        f"{spec.code}: {spec.name_ja if ja else spec.name_en}",
        f"{'年度' if ja else 'Fiscal years'}: {spec.first_fiscal_year}–{spec.last_fiscal_year}",
        f"{'評価' if ja else 'Grading'}: {grading}",
    ]
    for k in spec.kpis:
        how = k.count.describe(lang) if k.count else rule(k.kind).label(lang)
        lines += [
            "",
            f"{k.policy_ref} {k.code}: {k.name_ja if ja else k.name_en} ({k.unit})",
            f"  {'集計' if ja else 'Counts'}: {how}",
            f"  {'基準値' if ja else 'Baseline'}: {k.baseline:g} ({k.baseline_as_of})"
            f"  {'目標値' if ja else 'Target'}: {k.target:g} ({k.target_by})"
            f"  {k.formula}, {k.direction}",
        ]
        lines += [f"  {'改訂' if ja else 'Revised'} {r.revised_on}: {r.target:g} ({r.target_by})"
                  f" — {r.reason}" for r in k.revisions]
    return "\n".join(lines)


# --- defining or updating a plan ------------------------------------------------------------

_LEADING_NUMBER = re.compile(r"\d+")


def _kpi_columns(spec: KpiSpec) -> dict[str, Any]:
    """The `kpi` columns a KPI spec sets (all but the plan, order and stamps)."""
    number = _LEADING_NUMBER.match(spec.policy_ref)
    basic_policy = spec.basic_policy if spec.basic_policy is not None else (
        int(number.group()) if number else 0)
    count = spec.count
    return {
        "code": spec.code, "basic_policy": basic_policy, "policy_ref": spec.policy_ref,
        "name_ja": spec.name_ja, "name_en": spec.name_en, "unit": spec.unit,
        "kind": "computed" if count else "measured", "rule": count.rule if count else spec.kind,
        "count_source": count.source if count else None,
        "count_measure": count.measure if count else None,
        "baseline": spec.baseline, "baseline_as_of": spec.baseline_as_of,
        "baseline_label": spec.baseline_label, "target": spec.target,
        "target_by": spec.target_by, "target_label": spec.target_label,
        "formula": spec.formula, "direction": spec.direction, "notes": spec.notes,
    }


def _refuse(file: str, kpi: str, key: str, problem: str, ja: str) -> PlanFileError:
    return PlanFileError(f"{file}: kpi {kpi}: {key}: {problem}",
                         ja=f"{file}: kpi {kpi}: {key}: {ja}", field=key)


def _stamped(ctx: Context, values: dict[str, Any]) -> dict[str, Any]:
    now = ctx.now()
    return {**values, "created_at": now, "created_by": ctx.user, "updated_at": now,
            "updated_by": ctx.user}


def _update(row: Any, values: dict[str, Any], ctx: Context) -> bool:
    """Set the changed `values` on a tracked row; whether anything changed."""
    changed = {k: v for k, v in values.items() if getattr(row, k) != v}
    for key, value in changed.items():
        setattr(row, key, value)
    if changed:
        row.updated_at = ctx.now()
        row.updated_by = ctx.user
        row.version += 1
    return bool(changed)


def _check_revisions(file: str, spec: KpiSpec, stored: list[TargetRevision],
                     original: tuple[float, Any]) -> list[TargetRevision]:
    """The file's revisions not yet stored; PlanFileError if the file rewrites history."""
    if (spec.target, spec.target_by) != original:
        raise _refuse(file, spec.code, "target",
                      f"the original target ({original[0]:g} by {original[1]}) cannot change:"
                      " add a [[kpi.revision]] with the new target",
                      f"当初の目標値（{original[0]:g}、{original[1]}）は変更できません。"
                      "[[kpi.revision]] を追加してください")
    in_file = {r.revised_on: r for r in spec.revisions}
    for old in stored:
        new = in_file.get(old.revised_on)
        if new is None:
            raise _refuse(file, spec.code, "revision",
                          f"the revision of {old.revised_on} is missing: revisions are never"
                          " removed",
                          f"{old.revised_on} の改訂がありません（改訂は削除できません）")
        if new != old:
            raise _refuse(file, spec.code, f"revision {old.revised_on}",
                          "differs from the stored revision: add a new [[kpi.revision]]"
                          " instead", "登録済みの改訂と異なります。新しい改訂を追加してください")
    known = {r.revised_on for r in stored}
    return [r for r in spec.revisions if r.revised_on not in known]


def import_plan(session: Session, ctx: Context, spec: PlanSpec, file: str) -> bool:
    """Define the plan `spec` (read from `file`) or bring the stored one up to it; whether
    anything changed. PlanFileError naming file, KPI and key if the file would rewrite a
    target; the caller's transaction then writes nothing."""
    plan = session.scalars(select(Plan).where(col(Plan.code) == spec.code)).first()
    plan_values = {"name_ja": spec.name_ja, "name_en": spec.name_en,
                   "first_fiscal_year": spec.first_fiscal_year,
                   "last_fiscal_year": spec.last_fiscal_year, "adopted_on": spec.adopted_on,
                   "notes": spec.notes}
    changed = False
    if plan is None:
        plan = Plan(code=spec.code, **_stamped(ctx, plan_values))
        session.add(plan)
        session.flush()
        changed = True
    else:
        changed = _update(plan, plan_values, ctx)
    assert plan.id is not None
    if _grading(session, plan.id) != spec.grading:
        session.execute(delete(PlanGrade).where(col(PlanGrade.plan_id) == plan.id))
        session.execute(insert(PlanGrade), [
            {"plan_id": plan.id, "grade": g, "threshold": t} for g, t in spec.grading])
        changed = True
    stored = {k.code: k for k in session.scalars(select(Kpi).where(col(Kpi.plan_id) == plan.id))}
    missing = sorted(set(stored) - {k.code for k in spec.kpis}
                     - {c for c, k in stored.items() if k.archived_at is not None})
    if missing:
        raise _refuse(file, missing[0], "code", "is in the plan but not in the file: a KPI is"
                      " never dropped by a file", "計画にありますがファイルにありません")
    rules = _count_rules(session, list(stored.values()))
    revisions = _revisions(session, [k.id for k in stored.values() if k.id is not None])
    for position, kpi_spec in enumerate(spec.kpis, start=1):
        values = {**_kpi_columns(kpi_spec), "sort_order": position}
        row = stored.get(kpi_spec.code)
        if row is None:
            row = Kpi(plan_id=plan.id, **_stamped(ctx, values))
            session.add(row)
            session.flush()
            new_revisions = list(kpi_spec.revisions)
            old_rule: CountRule | None = None
            changed = True
        else:
            assert row.id is not None
            new_revisions = _check_revisions(file, kpi_spec, revisions.get(row.id, []),
                                             (row.target, row.target_by))
            changed = _update(row, {**values, "archived_at": None, "archived_by": None},
                              ctx) or changed
            old_rule = rules.get(row.id)
        assert row.id is not None
        rows = set(kpi_spec.count.filter_rows()) if kpi_spec.count else set()
        if old_rule is None or set(old_rule.filter_rows()) != rows:
            session.execute(delete(KpiCountFilter).where(col(KpiCountFilter.kpi_id) == row.id))
            if rows:
                session.execute(insert(KpiCountFilter), [
                    {"kpi_id": row.id, "filter": f, "value": v} for f, v in sorted(rows)])
            changed = changed or bool(rows) or old_rule is not None
        for revision in new_revisions:
            session.add(KpiTargetRevision(
                kpi_id=row.id, revised_on=revision.revised_on, target=revision.target,
                target_by=revision.target_by, reason=revision.reason, **_stamped(ctx, {})))
            changed = True
    session.flush()
    return changed


#: The longest reason a target revision takes (the column's limit).
REASON_MAX = 500


def _revision_error(field: str, message: str, ja: str) -> DataError:
    return DataError(message, ja=ja, field=field)


def revise_target(session: Session, ctx: Context, *, plan: str, kpi: str, revised_on: date,
                  target: float, target_by: date, reason: str) -> KpiTargetRevision:
    """Record a revised target (目標値の改訂) of KPI `kpi` of `plan`, in force from
    `revised_on`; the original target and earlier revisions stay as they are.

    DataError naming the field when the reason is missing or too long, the target is not a
    finite number >= 0, `target_by` is not after `revised_on`, or `revised_on` is not after
    the KPI's baseline date and its latest revision (revisions are appended, never inserted
    into the past or rewritten)."""
    plan_row = plan_by_code(session, plan)
    row = session.scalars(select(Kpi).where(col(Kpi.plan_id) == plan_row.id,
                                            col(Kpi.code) == kpi.strip(),
                                            col(Kpi.archived_at).is_(None))).first()
    if row is None or row.id is None:
        raise NotFoundError(f"plan {plan_row.code} has no KPI {kpi!r}",
                            ja=f"計画 {plan_row.code} に KPI {kpi!r} はありません", field="kpi")
    cleaned = reason.strip()
    if not cleaned:
        raise _revision_error("reason", "reason is required: say why the target changed",
                              "改訂理由は必須です")
    if len(cleaned) > REASON_MAX:
        raise _revision_error("reason", f"reason is longer than {REASON_MAX} characters",
                              f"改訂理由は {REASON_MAX} 文字以内にしてください")
    if not math.isfinite(target) or target < 0:
        raise _revision_error("target", f"target must be a number >= 0, not {target:g}",
                              f"目標値は 0 以上の数値にしてください（{target:g}）")
    if target_by <= revised_on:
        raise _revision_error("target_by",
                              f"target date {target_by} must be after the revision date"
                              f" {revised_on}",
                              f"目標年月日 {target_by} は改訂日 {revised_on} より後にしてください")
    if revised_on <= row.baseline_as_of:
        raise _revision_error("revised_on",
                              f"revision date {revised_on} must be after the baseline date"
                              f" {row.baseline_as_of}",
                              f"改訂日 {revised_on} は基準日 {row.baseline_as_of} より"
                              "後にしてください")
    latest = _revisions(session, [row.id]).get(row.id, [])
    if latest and revised_on <= latest[-1].revised_on:
        raise _revision_error("revised_on",
                              f"revision date {revised_on} must be after the latest revision"
                              f" ({latest[-1].revised_on}): revisions are added, never"
                              " inserted before another",
                              f"改訂日 {revised_on} は最新の改訂（{latest[-1].revised_on}）より"
                              "後にしてください")
    revision = KpiTargetRevision(kpi_id=row.id, revised_on=revised_on, target=target,
                                 target_by=target_by, reason=cleaned, **_stamped(ctx, {}))
    session.add(revision)
    session.flush()
    return revision


def seed_shipped_plan(session: Session, ctx: Context) -> bool:
    """Define the shipped plan (crm.kpi.catalog) in a database with no plan; whether it did."""
    if session.scalar(select(func.count()).select_from(Plan)):
        return False
    return import_plan(session, ctx, SHIPPED_PLAN, "catalog")
