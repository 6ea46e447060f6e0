"""Plans as data: every source × measure and filter counted by hand, a record counting in two
plans, revisions, interim targets, lower-is-better, both formulas, grading and the final
judgement; import, export and the round trip; the auditor's one-query recomputation for
every computed KPI of every plan.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlmodel import Session

from cli.main import main
from crm import models as m
from crm import tags
from crm.calendar import FiscalPeriod
from crm.context import Context
from crm.errors import DataError
from crm.kpi import engine, plans
from crm.kpi.plan_file import PlanFileError, plan_to_toml, read_plan
from crm.kpi.rules import CountRule
from crm.reporting.fingerprint import canonical_lines, data_fingerprint
from db.session import URL_VARIABLE, Database
from tests.conftest import BACKEND

PLAN_FILE = """
[plan]
code = "test-2021"
name_ja = "テスト計画"
name_en = "Test plan"
first_fiscal_year = 2021
last_fiscal_year = 2026
[plan.grading]
S = 120
A = 100
B = 60

[[kpi]]
code = "meet_all"
name_ja = "意見交換の回数"
name_en = "Meetings"
unit = "回"
policy_ref = "1-(1)"
kind = "computed"
baseline = 0
baseline_as_of = "2021-03-31"
target = 10
target_by = "2027-03-31"
[kpi.count]
source = "meetings"
[[kpi.revision]]
revised_on = "2022-04-01"
target = 20
target_by = "2027-03-31"
reason = "上方修正"

[[kpi]]
code = "meet_univ"
name_ja = "大学との意見交換"
name_en = "Meetings with universities"
unit = "回"
policy_ref = "1-(2)"
kind = "computed"
baseline = 0
baseline_as_of = "2021-03-31"
target = 5
target_by = "2027-03-31"
[kpi.count]
source = "meetings"
organization_kinds = ["university"]

[[kpi]]
code = "meet_sc"
name_ja = "スマートシティの意見交換"
name_en = "Smart-city meetings"
unit = "回"
policy_ref = "1-(3)"
kind = "computed"
baseline = 0
baseline_as_of = "2021-03-31"
target = 5
target_by = "2027-03-31"
[kpi.count]
source = "meetings"
tags = ["スマートシティ"]

[[kpi]]
code = "first_sc"
name_ja = "スマートシティで意見交換した企業数"
name_en = "Companies consulted on the smart city"
unit = "社"
policy_ref = "2-(1)"
kind = "computed"
baseline = 0
baseline_as_of = "2021-03-31"
target = 4
target_by = "2024-03-31"
[kpi.count]
source = "meetings"
measure = "first_time_organizations"
organization_kinds = ["company"]
tags = ["スマートシティ"]
[[kpi.revision]]
revised_on = "2024-03-01"
target = 10
target_by = "2027-03-31"
reason = "後期"

[[kpi]]
code = "first_all"
name_ja = "初めて意見交換した団体数"
name_en = "Organizations met first"
unit = "団体"
policy_ref = "2-(2)"
kind = "computed"
baseline = 0
baseline_as_of = "2021-03-31"
target = 10
target_by = "2027-03-31"
formula = "progress"
[kpi.count]
source = "meetings"
measure = "first_time_organizations"

[[kpi]]
code = "lectures_bousai"
name_ja = "防災の出前講座"
name_en = "Disaster-prevention lectures"
unit = "回"
policy_ref = "3-(1)"
kind = "computed"
baseline = 0
baseline_as_of = "2021-03-31"
target = 2
target_by = "2022-03-31"
[kpi.count]
source = "events"
event_kinds = ["lecture"]
tags = ["防災"]

[[kpi]]
code = "attendees"
name_ja = "参加者数"
name_en = "Attendees"
unit = "人"
policy_ref = "3-(2)"
kind = "computed"
baseline = 100
baseline_as_of = "2021-03-31"
target = 300
target_by = "2027-03-31"
[kpi.count]
source = "events"
measure = "attendees"

[[kpi]]
code = "agr_company"
name_ja = "企業との協定"
name_en = "Agreements with companies"
unit = "件"
policy_ref = "4-(1)"
kind = "computed"
baseline = 0
baseline_as_of = "2021-03-31"
target = 4
target_by = "2027-03-31"
[kpi.count]
source = "agreements"
organization_kinds = ["company"]

[[kpi]]
code = "agr_ended"
name_ja = "終了した協定"
name_en = "Agreements ended"
unit = "件"
policy_ref = "4-(2)"
kind = "computed"
baseline = 0
baseline_as_of = "2021-03-31"
target = 4
target_by = "2027-03-31"
[kpi.count]
source = "agreements"
statuses = ["ended"]

[[kpi]]
code = "agr_sc"
name_ja = "スマートシティの協定"
name_en = "Smart-city agreements"
unit = "件"
policy_ref = "4-(3)"
kind = "computed"
baseline = 0
baseline_as_of = "2021-03-31"
target = 4
target_by = "2027-03-31"
[kpi.count]
source = "agreements"
tags = ["スマートシティ"]

[[kpi]]
code = "waste"
name_ja = "ごみの量"
name_en = "Waste"
unit = "t"
policy_ref = "5-(1)"
kind = "level"
baseline = 100
baseline_as_of = "2021-03-31"
target = 50
target_by = "2023-03-31"
direction = "lower"
formula = "progress"
"""


def _stamp(ctx: Context) -> dict[str, Any]:
    now = ctx.now()
    return {"created_at": now, "created_by": "t", "updated_at": now, "updated_by": "t"}


def _org(s: Session, ctx: Context, name: str, kind: str) -> int:
    row = m.Organization(name=name, normalized_name=name, kind=kind, **_stamp(ctx))
    s.add(row)
    s.flush()
    assert row.id is not None
    return row.id


def _meet(s: Session, ctx: Context, on: date, orgs: Sequence[int], labels: Sequence[str] = (),
          ) -> int:
    row = m.Meeting(held_on=on, title=f"meeting {on}", **_stamp(ctx))
    s.add(row)
    s.flush()
    assert row.id is not None
    s.add_all([m.MeetingOrganization(meeting_id=row.id, organization_id=o) for o in orgs])
    tags.set_tags(s, tags.LINKS["meetings"], row.id, labels)
    return row.id


def _event(s: Session, ctx: Context, on: date, kind: str, attendees: int | None,
           labels: Sequence[str] = ()) -> int:
    row = m.OutreachEvent(held_on=on, kind=kind, title=f"{kind} {on}", attendees=attendees,
                          **_stamp(ctx))
    s.add(row)
    s.flush()
    assert row.id is not None
    tags.set_tags(s, tags.LINKS["events"], row.id, labels)
    return row.id


def _agree(s: Session, ctx: Context, on: date | None, status: str, orgs: Sequence[int],
           labels: Sequence[str] = ()) -> int:
    row = m.Agreement(title=f"{status} {on}", status=status, concluded_on=on, **_stamp(ctx))
    s.add(row)
    s.flush()
    assert row.id is not None
    s.add_all([m.AgreementPartner(agreement_id=row.id, organization_id=o) for o in orgs])
    tags.set_tags(s, tags.LINKS["agreements"], row.id, labels)
    return row.id


SC, BOUSAI = "スマートシティ", "防災"


@pytest.fixture
def plan_file(tmp_path: Path) -> Path:
    path = tmp_path / "test-2021.toml"
    path.write_text(PLAN_FILE, encoding="utf-8")
    return path


@pytest.fixture
def two_plans(database: Database, ctx: Context, plan_file: Path) -> Database:
    """The shipped plan and the test plan, with records counted by hand in the tests."""
    with database.writing(actor="t") as s:
        assert plans.import_plan(s, ctx, read_plan(plan_file), plan_file.name)
        c1, c2 = _org(s, ctx, "C1", "company"), _org(s, ctx, "C2", "company")
        u1 = _org(s, ctx, "U1", "university")
        _meet(s, ctx, date(2020, 6, 1), [c1])                      # before the baseline
        _meet(s, ctx, date(2021, 5, 1), [c1, u1], [SC])
        _meet(s, ctx, date(2021, 8, 1), [c2])
        _meet(s, ctx, date(2022, 2, 1), [c2], [SC])
        _event(s, ctx, date(2021, 6, 1), "lecture", 30, [BOUSAI])
        _event(s, ctx, date(2021, 7, 1), "lecture", 20)
        _event(s, ctx, date(2021, 9, 1), "in_city", None, [BOUSAI])
        _agree(s, ctx, date(2021, 10, 1), "concluded", [c1], [SC])
        _agree(s, ctx, date(2021, 11, 1), "ended", [u1])
        _agree(s, ctx, date(2021, 12, 1), "cancelled", [c2])
        _agree(s, ctx, None, "negotiating", [c2], [SC])
        waste = s.scalars(text("SELECT id FROM kpi WHERE code = 'waste'")).one()
        for on, value in ((date(2022, 3, 31), 60.0), (date(2023, 6, 30), 45.0)):
            s.add(m.KpiMeasurement(kpi_id=waste, measured_on=on, value=value, entered_by="t",
                                   **_stamp(ctx)))
    return database


def _figures(database: Database, as_of: date, plan: str = "test-2021") -> dict[str, Any]:
    with database.reading() as s:
        return {f.code: f for f in engine.compute_at(s, as_of, [plan])}


def test_every_source_measure_and_filter_counts_what_it_says(two_plans: Database) -> None:
    values = {c: f.value for c, f in _figures(two_plans, date(2022, 3, 31)).items()}
    assert values == {
        "meet_all": 3,           # the three meetings after the baseline
        "meet_univ": 1,          # the one with U1
        "meet_sc": 2,            # the two tagged スマートシティ
        "first_sc": 2,           # C1 first on the smart city in 2021 (met in 2020 on other
                                 # things), C2 in 2022
        "first_all": 2,          # U1 and C2; C1 was first met before the baseline
        "lectures_bousai": 1,    # a lecture tagged 防災; the in-city event is not a lecture
        "attendees": 150,        # 100 + 30 + 20 + an event with no count (0)
        "agr_company": 2,        # concluded with C1, cancelled after conclusion with C2
        "agr_ended": 1,
        "agr_sc": 1,             # the tagged agreement under negotiation has no date
        "waste": 60,
    }
    earlier = _figures(two_plans, date(2021, 12, 31))
    assert earlier["first_sc"].value == 1 and earlier["first_all"].value == 2
    assert earlier["first_all"].reconciliation == 1      # C1, before the baseline


def test_a_record_counts_in_two_plans(two_plans: Database) -> None:
    with two_plans.reading() as s:
        rows = s.execute(text(
            "SELECT plan_code, kpi_code FROM kpi_evidence WHERE record_type = 'meeting'"
            " AND counted_on = '2021-08-01' ORDER BY plan_code, kpi_code")).all()
    assert [tuple(r) for r in rows] == [
        ("ict-policy-2018", "companies_consulted"), ("test-2021", "first_all"),
        ("test-2021", "meet_all"),
    ]


def test_attendees_weigh_each_event(two_plans: Database) -> None:
    with two_plans.reading() as s:
        rows = engine.evidence(s, "attendees", plan="test-2021")
    assert [(r.counted_on, r.weight) for r in rows] == [
        (date(2021, 6, 1), 30), (date(2021, 7, 1), 20), (date(2021, 9, 1), 0)]


def test_a_revision_takes_effect_on_its_date(two_plans: Database) -> None:
    before = _figures(two_plans, date(2022, 3, 31))["meet_all"]
    after = _figures(two_plans, date(2022, 4, 1))["meet_all"]
    assert (before.target, after.target) == (10, 20)
    assert before.to_json()["original_target"] == after.to_json()["original_target"] == 10
    assert before.achievement_rate == pytest.approx(30.0)
    assert after.achievement_rate == pytest.approx(15.0)


def _revise(database: Database, ctx: Context, **values: Any) -> None:
    fields: dict[str, Any] = {"plan": "test-2021", "kpi": "meet_all",
                              "revised_on": date(2023, 4, 1), "target": 25,
                              "target_by": date(2027, 3, 31), "reason": "後期改訂"}
    with database.writing(actor="t") as s:
        plans.revise_target(s, ctx, **(fields | values))


def test_a_target_revised_without_a_file_takes_effect_and_keeps_the_original(
    two_plans: Database, ctx: Context, plan_file: Path, tmp_path: Path
) -> None:
    _revise(two_plans, ctx)
    before = _figures(two_plans, date(2023, 3, 31))["meet_all"]
    after = _figures(two_plans, date(2023, 4, 1))["meet_all"]
    assert (before.target, after.target) == (20, 25)
    assert after.to_json()["original_target"] == 10
    with two_plans.reading() as s:
        revisions = plans.plan_spec(s, "test-2021").kpis[0].revisions
        assert [(r.revised_on, r.target, r.reason) for r in revisions] == [
            (date(2022, 4, 1), 20, "上方修正"), (date(2023, 4, 1), 25, "後期改訂")]
        (logged,) = s.execute(text(
            "SELECT count(*) FROM audit_log WHERE table_name = 'kpi_target_revision'"
            " AND action = 'insert' AND row_id IN (SELECT r.id FROM kpi_target_revision r"
            " JOIN kpi k ON k.id = r.kpi_id WHERE k.code = 'meet_all')")).one()
    assert logged == 2  # the file's revision and this one, both in the audit trail
    exported = tmp_path / "exported.toml"
    with two_plans.reading() as s:
        exported.write_text(plan_to_toml(plans.plan_spec(s, "test-2021")), encoding="utf-8")
    with two_plans.writing(actor="t") as s:
        assert not plans.import_plan(s, ctx, read_plan(exported), exported.name)
        with pytest.raises(PlanFileError, match="revision of 2023-04-01 is missing"):
            plans.import_plan(s, ctx, read_plan(plan_file), plan_file.name)


@pytest.mark.parametrize(("values", "field"), [
    ({"reason": "  "}, "reason"),
    ({"reason": "x" * 501}, "reason"),
    ({"target": -1}, "target"),
    ({"target": float("nan")}, "target"),
    ({"target_by": date(2023, 4, 1)}, "target_by"),
    ({"revised_on": date(2021, 3, 31), "target_by": date(2022, 3, 31)}, "revised_on"),
    ({"revised_on": date(2022, 4, 1)}, "revised_on"),   # the day of the existing revision
    ({"revised_on": date(2022, 1, 1)}, "revised_on"),   # before it: history is appended
    ({"kpi": "nope"}, "kpi"),
    ({"plan": "nope"}, "plan"),
])
def test_a_bad_revision_is_refused_naming_the_field_and_changes_nothing(
    two_plans: Database, ctx: Context, values: dict[str, Any], field: str
) -> None:
    with pytest.raises(DataError) as refused:
        _revise(two_plans, ctx, **values)
    assert refused.value.field == field and "\n" not in refused.value.text("ja")
    with two_plans.reading() as s:
        assert s.execute(text("SELECT count(*) FROM kpi_target_revision")).scalar() == 2


def test_an_interim_target_makes_the_expected_line_piecewise(two_plans: Database) -> None:
    figures = _figures(two_plans, date(2022, 3, 31))
    kpi = figures["first_sc"].kpi
    # before the revision: straight to the 前期 target, 4 by 2024-03-31 (1096 days)
    assert engine.expected_value(kpi, date(2022, 3, 31)) == pytest.approx(4 * 365 / 1096)
    # after it: through (2024-03-31, 4) on to (2027-03-31, 10), 1095 days later
    assert engine.expected_value(kpi, date(2025, 3, 31)) == pytest.approx(4 + 6 * 365 / 1095)
    assert kpi.target_at(date(2024, 2, 29)) == (4, date(2024, 3, 31))
    assert kpi.target_at(date(2024, 3, 1)) == (10, date(2027, 3, 31))


def test_lower_is_better_with_the_progress_formula_and_the_final_judgement(
    two_plans: Database,
) -> None:
    during = _figures(two_plans, date(2022, 3, 31))["waste"]
    # progress (60 − 100) ÷ (50 − 100) = 80 % → B (B ≥ 60); ratio 50 ÷ 60
    assert during.progress_rate == pytest.approx(80.0)
    assert during.achievement_rate == pytest.approx(50 / 60 * 100)
    assert (during.grade, during.judgement) == ("B", None)
    # expected: 100 → 50 over 730 days, at day 365: 75; 60 is below it, so on track
    assert during.status == "on_track"
    before = _figures(two_plans, date(2023, 3, 30))["waste"]
    assert (before.status, before.judgement) == ("behind", None)
    on_the_day = _figures(two_plans, date(2023, 3, 31))["waste"]  # the result is known
    assert (on_the_day.status, on_the_day.judgement) == ("not_achieved", "not_achieved")
    after = _figures(two_plans, date(2023, 4, 1))["waste"]
    assert (after.status, after.judgement, after.status_label("ja")) == (
        "not_achieved", "not_achieved", "未達成")
    reached = _figures(two_plans, date(2023, 6, 30))["waste"]
    assert (reached.status, reached.judgement) == ("achieved", "achieved")
    assert reached.progress_rate == pytest.approx(110.0) and reached.grade == "A"


def test_both_formulas_and_the_plans_grading_table(two_plans: Database) -> None:
    figures = _figures(two_plans, date(2022, 3, 31))
    # ratio: 1 ÷ 2 = 50 % and 3 ÷ 10 = 30 %, below B's 60: the letter after it, C
    assert (figures["lectures_bousai"].grade, figures["meet_all"].grade) == ("C", "C")
    assert figures["agr_company"].grade == "C" and figures["agr_ended"].grade == "C"
    # progress: (150 − 100) ÷ (300 − 100) = 25 % … with formula ratio, 150 ÷ 300 = 50 %
    assert figures["attendees"].achievement_rate == pytest.approx(50.0)
    assert figures["attendees"].progress_rate == pytest.approx(25.0)
    assert figures["first_all"].grade == "C"             # progress 2 ÷ 10 = 20 %
    final = _figures(two_plans, date(2022, 4, 1))["lectures_bousai"]
    assert (final.status, final.judgement, final.grade) == ("not_achieved", "not_achieved", "C")


def test_the_shipped_plans_default_grading(two_plans: Database) -> None:
    figures = _figures(two_plans, date(2023, 3, 31), "ict-policy-2018")
    assert {f.kpi.grading for f in figures.values()} == {
        (("A", 100.0), ("B", 80.0), ("C", 50.0))}
    for f in figures.values():
        rate = f.achievement_rate
        expected = None if rate is None else (
            "A" if rate >= 100 else "B" if rate >= 80 else "C" if rate >= 50 else "D")
        assert f.grade == expected, f.code


def auditors_value(s: Session, kpi: engine.KpiDefinition, day: date) -> float:
    """docs/schema.md: baseline + sum(weight) of the KPI's evidence up to the day."""
    return float(s.execute(text(
        "SELECT k.baseline + (SELECT coalesce(sum(e.weight), 0) FROM kpi_evidence e"
        "  WHERE e.plan_code = p.code AND e.kpi_code = k.code AND e.counted_on <= :day)"
        " FROM kpi k JOIN plan p ON p.id = k.plan_id WHERE p.code = :plan AND k.code = :code"),
        {"day": day.isoformat(), "plan": kpi.plan_code, "code": kpi.code}).scalar_one())


def test_the_auditors_recomputation_holds_for_every_computed_kpi_of_every_plan(
    two_plans: Database,
) -> None:
    checked = 0
    with two_plans.reading() as s:
        for day in (date(2021, 6, 30), date(2021, 12, 31), date(2022, 3, 31), date(2026, 3, 31)):
            for figure in engine.compute_at(s, day):
                if figure.kpi.kind == "computed" and figure.value is not None:
                    assert figure.value == auditors_value(s, figure.kpi, day), figure.code
                    checked += 1
    assert checked == 4 * (6 + 10)


def test_renaming_a_tag_renames_it_in_the_rules(two_plans: Database) -> None:
    with two_plans.writing(actor="t") as s:
        tags.rename_tag(s, SC, "スマート")
    assert _figures(two_plans, date(2022, 3, 31))["first_sc"].value == 2
    with two_plans.reading() as s:
        assert plans.plan_spec(s, "test-2021").kpis[3].count == CountRule(
            source="meetings", measure="first_time_organizations",
            organization_kinds=("company",), tags=("スマート",))
        assert [(t.name, t.meetings, t.agreements, t.events) for t in tags.list_tags(s)] == [
            ("スマート", 2, 2, 0), ("防災", 0, 0, 2)]


# --- import, export ---------------------------------------------------------------------------


def _audit_rows(database: Database) -> int:
    with database.reading() as s:
        return int(s.execute(text("SELECT count(*) FROM audit_log")).scalar_one())


@pytest.fixture
def cli(two_plans: Database, monkeypatch: pytest.MonkeyPatch) -> Callable[..., tuple[int, str]]:
    """Run `crm` on the test database: exit code and standard output."""
    monkeypatch.setenv(URL_VARIABLE, two_plans.url)

    def run(*args: str) -> tuple[int, str]:
        out = io.StringIO()
        return main(list(args), out=out), out.getvalue()

    return run


def test_export_import_export_is_identical_and_importing_twice_changes_nothing(
    two_plans: Database, ctx: Context, tmp_path: Path
) -> None:
    with two_plans.reading() as s:
        first = plan_to_toml(plans.plan_spec(s, "test-2021"))
    exported = tmp_path / "exported.toml"
    exported.write_text(first, encoding="utf-8")
    before = _audit_rows(two_plans)
    with two_plans.writing(actor="t") as s:
        assert not plans.import_plan(s, ctx, read_plan(exported), exported.name)
    assert _audit_rows(two_plans) == before
    other = tmp_path / "copy.toml"
    other.write_text(first.replace('"test-2021"', '"copy-2021"'), encoding="utf-8")
    with two_plans.writing(actor="t") as s:
        assert plans.import_plan(s, ctx, read_plan(other), other.name)
    with two_plans.reading() as s:
        again = plan_to_toml(plans.plan_spec(s, "copy-2021"))
    assert again == first.replace('"test-2021"', '"copy-2021"')


def test_a_changed_target_without_a_revision_is_refused_and_nothing_changes(
    two_plans: Database, ctx: Context, plan_file: Path
) -> None:
    plan_file.write_text(PLAN_FILE.replace("target = 5\n", "target = 6\n"), encoding="utf-8")
    before = _audit_rows(two_plans)
    with pytest.raises(PlanFileError) as raised:
        with two_plans.writing(actor="t") as s:
            plans.import_plan(s, ctx, read_plan(plan_file), plan_file.name)
    assert str(raised.value).startswith("test-2021.toml: kpi meet_univ: target: the original")
    assert "\n" not in str(raised.value)
    assert _audit_rows(two_plans) == before


def test_a_new_revision_is_added_by_the_file(
    two_plans: Database, ctx: Context, plan_file: Path
) -> None:
    plan_file.write_text(PLAN_FILE.replace('reason = "上方修正"\n', 'reason = "上方修正"\n'
                                           '[[kpi.revision]]\nrevised_on = "2023-04-01"\n'
                                           'target = 25\ntarget_by = "2027-03-31"\n'
                                           'reason = "再修正"\n'), encoding="utf-8")
    with two_plans.writing(actor="t") as s:
        assert plans.import_plan(s, ctx, read_plan(plan_file), plan_file.name)
    assert _figures(two_plans, date(2023, 4, 1))["meet_all"].target == 25


def test_the_plan_commands(
    cli: Callable[..., tuple[int, str]], two_plans: Database, plan_file: Path, tmp_path: Path
) -> None:
    code, out = cli("plan", "list", "--format", "json")
    assert code == 0 and '"code": "test-2021"' in out and '"kpi_count": 11' in out
    code, out = cli("--lang", "en", "plan", "show", "test-2021")
    assert code == 0
    assert ("Counts: Organizations met for the first time (Private company), each once, on its"
            " first meeting; tagged any of スマートシティ") in out
    assert "Counts: Attendees of events held (all kinds), summed" in out
    assert "Revised 2022-04-01: 20 (2027-03-31) — 上方修正" in out
    code, out = cli("plan", "show", "test-2021")
    assert "集計: 参加団体に大学を含む意見交換の回数" in out
    assert "集計: 出前講座の開催回数（タグ: 防災 のいずれか）" in out
    assert "集計: 協定の締結件数（終了）" in out
    _, out = cli("plan", "import", str(plan_file))
    assert out == "計画 test-2021: 変更なし（ファイルのとおりです）\n"
    target = tmp_path / "out.toml"
    assert cli("plan", "export", "test-2021", "-o", str(target))[0] == 0
    with two_plans.reading() as s:
        assert read_plan(target) == plans.plan_spec(s, "test-2021")

    def plans_shown(*options: str) -> set[str]:
        code, out = cli("kpi", "--format", "json", *options)
        assert code == 0
        return {f["plan"] for f in json.loads(out)}

    assert plans_shown("--as-of", "2022-03-31") == {"ict-policy-2018", "test-2021"}
    assert plans_shown("--as-of", "2023-04-01") == {"test-2021"}        # FY2023
    assert plans_shown("--as-of", "2023-04-01", "--plan", "all") == {"ict-policy-2018",
                                                                    "test-2021"}
    assert plans_shown("--as-of", "2023-04-01", "--plan", "ict-policy-2018") == {
        "ict-policy-2018"}
    code, _ = cli("kpi", "--plan", "nope")
    assert code == 1


def test_no_plan_in_force_says_how_to_name_one(
    database: Database, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv(URL_VARIABLE, database.url)
    out = io.StringIO()
    assert main(["--lang", "en", "kpi", "--as-of", "2026-12-01", "--format", "json"],
                out=out) == 0
    assert json.loads(out.getvalue()) == []
    assert "no plan is in force in fiscal year 2026" in capsys.readouterr().err


def test_a_report_of_one_plan(
    cli: Callable[..., tuple[int, str]], two_plans: Database, tmp_path: Path
) -> None:
    from reports.publish import build_report

    with two_plans.reading() as s:
        result = build_report(s, period=FiscalPeriod(2021), lang="en",
                              generated_at=datetime(2022, 4, 1, tzinfo=UTC), plan="test-2021")
    assert {f.kpi.plan_code for f in result.content.figures} == {"test-2021"}
    assert len(result.content.figures) == 11 and result.pdf.startswith(b"%PDF")
    assert result.content.plan_names == (("テスト計画", "Test plan"),)
    pdf = tmp_path / "plan.pdf"
    code, _ = cli("report", "--fiscal-year", "2021", "--plan", "test-2021", "-o", str(pdf),
                  "--generated-at", "2022-04-01T09:00:00+09:00")
    assert code == 0 and pdf.read_bytes().startswith(b"%PDF")


def test_a_kpi_code_in_two_plans_needs_the_plan_for_its_evidence(
    cli: Callable[..., tuple[int, str]], plan_file: Path, tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    copy = tmp_path / "copy.toml"
    copy.write_text(PLAN_FILE.replace('"test-2021"', '"copy-2021"'), encoding="utf-8")
    assert cli("plan", "import", str(copy))[0] == 0
    code, _ = cli("--lang", "en", "kpi", "--evidence", "meet_all", "--as-of", "2022-03-31")
    assert code == 1
    assert "exists in plans copy-2021, test-2021: name one with --plan" in capsys.readouterr().err
    code, out = cli("kpi", "--evidence", "meet_all", "--plan", "copy-2021", "--as-of",
                    "2022-03-31", "--format", "json")
    rows = json.loads(out)
    assert code == 0 and len(rows) == 3 and {r["plan_code"] for r in rows} == {"copy-2021"}


@pytest.mark.skipif(BACKEND != "sqlite", reason="an auditor's sqlite3 reading of the file")
def test_the_documented_fingerprint_covers_revisions_weights_and_judging(
    two_plans: Database, database_path: Path
) -> None:
    docs = (Path(__file__).parent.parent / "docs" / "reports.md").read_text(encoding="utf-8")
    script = re.search(r"```python\n(import hashlib, sqlite3.*?)```", docs, flags=re.S)
    assert script is not None
    namespace: dict[str, Any] = {}
    exec(script.group(1), namespace)  # noqa: S102 - the auditor's script, as documented
    period = FiscalPeriod(2021)
    with two_plans.reading() as s:
        program = data_fingerprint(s.connection(), period)
        lines = "".join(canonical_lines(s.connection(), period))
    documented = namespace["fingerprint"](str(database_path), period.start.isoformat(),
                                          period.end.isoformat())
    assert program == documented
    assert "R|test-2021|meet_all|2022-04-01|20.0|2027-03-31\n" in lines
    assert "W|test-2021|attendees|outreach_event|" in lines
    assert "F|test-2021|waste|progress|lower\n" in lines


@pytest.mark.usefixtures("english")
def test_crm_tags_rename_renames_the_tag_in_the_rules(
    two_plans: Database, cli: Callable[..., tuple[int, str]]
) -> None:
    assert cli("tags", "rename", SC, "スマート") == (0, f"renamed tag '{SC}' to 'スマート'\n")
    with two_plans.reading() as s:
        rule = plans.plan_spec(s, "test-2021").kpis[3].count
    assert rule is not None and rule.tags == ("スマート",)
    assert _figures(two_plans, date(2022, 3, 31))["first_sc"].value == 2
