"""The shipped plan: the 19 KPIs of the city's ICT promotion policy (FY2018–FY2022).

This is only what a new database starts with (plan `ict-policy-2018`): plans and their KPIs
live in the `plan` and `kpi` tables, so a later plan is entered as data (docs/plans.md). See
../shared/spec/kpis.md for the source.
"""

from __future__ import annotations

from datetime import date

from crm.kpi.plan_file import KpiSpec, PlanSpec
from crm.kpi.rules import CountRule
from crm.vocabulary import ORGANIZATION_KINDS

H30_12 = date(2018, 12, 31)
R2_12 = date(2020, 12, 31)
R4_FY_END = date(2023, 3, 31)

#: How the policy's three counting rules read in the rule language.
_EVENTS_OF = {kind: CountRule(source="events", event_kinds=(kind,))
              for kind in ("in_city", "lecture", "out_of_city")}
_AGREEMENTS_WITH = {
    "private": CountRule(source="agreements", organization_kinds=("company",)),
    "external": CountRule(source="agreements", organization_kinds=tuple(
        c for c in ORGANIZATION_KINDS.codes if c != "company")),
}
_COMPANIES = CountRule(source="meetings", measure="first_time_organizations",
                       organization_kinds=("company",))


def _kpi(
    code: str,
    basic_policy: int,
    policy_ref: str,
    name_ja: str,
    name_en: str,
    unit: str,
    kind: str,
    baseline: float,
    baseline_as_of: date,
    target: float,
    *,
    count: CountRule | None = None,
    baseline_label: str | None = None,
    target_label: str | None = None,
) -> KpiSpec:
    return KpiSpec(
        code=code, basic_policy=basic_policy, policy_ref=policy_ref, name_ja=name_ja,
        name_en=name_en, unit=unit, kind=kind, count=count, baseline=baseline,
        baseline_as_of=baseline_as_of, baseline_label=baseline_label, target=target,
        target_by=R4_FY_END, target_label=target_label,
    )


_KPIS: tuple[KpiSpec, ...] = (
    _kpi("data_disclosure_review", 1, "1-(1)", "保有情報の公開範囲の検討",
         "Review of disclosure scope of held data", "—", "milestone", 0, H30_12, 1,
         baseline_label="未実施", target_label="実施"),
    _kpi("open_data_files", 1, "1-(2)", "オープンデータの提供ファイル数",
         "Open-data files published", "件", "level", 645, H30_12, 2000),
    _kpi("open_data_catalog_access", 1, "1-(2)", "オープンデータカタログサイトのアクセス件数",
         "Open-data catalogue site accesses", "件", "annual", 56641, R2_12, 50000,
         target_label="年間"),
    _kpi("internal_data_sharing", 1, "1-(3)", "データの内部共有件数",
         "Data sets shared inside the city office", "件", "level", 0, H30_12, 10,
         baseline_label="0, 未実施", target_label="累計"),
    _kpi("app_targeted_notices", 2, "2-(1)", "ユーザー属性に応じた情報発信",
         "App notices targeted by user attributes", "件", "level", 1, H30_12, 20,
         target_label="累計"),
    _kpi("app_notices", 2, "2-(1)", "かこがわアプリの情報発信件数",
         "Notices sent through the Kakogawa app", "件", "level", 187, R2_12, 310,
         baseline_label="累計", target_label="累計"),
    _kpi("dashboard_datasets", 2, "2-(2)", "ダッシュボードで可視化したデータ数",
         "Data sets visualised on the dashboard", "セット", "level", 34, H30_12, 45),
    _kpi("app_downloads", 2, "2-(3)", "かこがわアプリダウンロード数",
         "Kakogawa app downloads", "件", "level", 9958, H30_12, 20000, target_label="累計"),
    _kpi("app_registered_users", 2, "2-(3)", "かこがわアプリユーザー登録者数",
         "Kakogawa app registered users", "人", "level", 2618, H30_12, 5000),
    _kpi("app_awareness_rate", 2, "2-(3)", "かこがわアプリを知っている市民の割合",
         "Citizens who know the Kakogawa app", "%", "level", 15.5, H30_12, 25.0),
    _kpi("outreach_in_city", 2, "2-(3)", "市内イベント等における周知広報回数",
         "Promotions at in-city events", "回", "computed", 4, H30_12, 20,
         count=_EVENTS_OF["in_city"], target_label="累計"),
    _kpi("lectures_in_city", 2, "2-(3)", "市内における出前講座の開催回数",
         "On-site lectures (出前講座) held in the city", "回", "computed", 1, H30_12, 60,
         count=_EVENTS_OF["lecture"], target_label="累計"),
    _kpi("decidim_projects", 2, "2-(4)", "Decidim による意見交換を実施した事業件数",
         "Projects consulted on through Decidim", "件", "level", 1, R2_12, 20,
         baseline_label="累計", target_label="累計"),
    _kpi("decidim_registrations", 2, "2-(4)", "Decidim の登録者数",
         "Decidim registered users", "人", "level", 196, R2_12, 1000),
    _kpi("decidim_posts", 2, "2-(4)", "Decidim の意見投稿件数",
         "Opinions posted on Decidim", "件", "level", 261, R2_12, 5000,
         baseline_label="累計", target_label="累計"),
    _kpi("linkage_external", 3, "3-(1)", "外部機関や大学等とのデータ連携件数",
         "Data linkages with external agencies, universities etc.", "件", "computed", 3,
         H30_12, 15, count=_AGREEMENTS_WITH["external"], target_label="累計"),
    _kpi("companies_consulted", 3, "3-(2)", "意見交換を行った民間企業数",
         "Private companies we exchanged views with", "社", "computed", 3, H30_12, 65,
         count=_COMPANIES,
         target_label="累計"),
    _kpi("linkage_private", 3, "3-(2)", "民間企業とのデータ連携件数",
         "Data linkages with private companies", "件", "computed", 0, H30_12, 10,
         count=_AGREEMENTS_WITH["private"], target_label="累計"),
    _kpi("outreach_out_of_city", 3, "3-(3)", "市外イベント等における周知広報回数",
         "Promotions at out-of-city events", "回", "computed", 3, H30_12, 30,
         count=_EVENTS_OF["out_of_city"], target_label="累計"),
)

SHIPPED_PLAN = PlanSpec(
    code="ict-policy-2018",
    name_ja="情報通信技術基盤等の利活用に関する推進方針",
    name_en="ICT promotion policy",
    first_fiscal_year=2018,
    last_fiscal_year=2022,
    kpis=_KPIS,
)

