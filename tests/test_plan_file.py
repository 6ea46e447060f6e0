"""Plan files: the documented example reads, every mistake names file, KPI and key, and a
written file reads back to the same plan."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from crm.kpi.plan_file import (
    DEFAULT_GRADING,
    CountRule,
    PlanFileError,
    TargetRevision,
    plan_to_toml,
    read_plan,
)

EXAMPLE = """\
[plan]
code = "smartcity-2021"
name_ja = "スマートシティ構想（例）"
name_en = "Smart city plan (example)"
first_fiscal_year = 2021
last_fiscal_year = 2026
[plan.grading]          # optional
A = 100
B = 80
C = 50

[[kpi]]
code = "sc_companies"
name_ja = "スマートシティで意見交換した企業数"
name_en = "Companies consulted on the smart city"
unit = "社"
policy_ref = "1-(1)"
kind = "computed"       # computed | level | annual | milestone
baseline = 0
baseline_as_of = "2021-03-31"
target = 20
target_by = "2027-03-31"
formula = "ratio"       # ratio | progress
direction = "higher"
[kpi.count]             # computed KPIs only
source = "meetings"
measure = "first_time_organizations"
organization_kinds = ["company"]
tags = ["スマートシティ"]
[[kpi.revision]]
revised_on = "2024-03-29"
target = 30
target_by = "2027-03-31"
reason = "後期改訂"
"""

MEASURED = """
[[kpi]]
code = "sc_app_users"
name_ja = "アプリ登録者数"
name_en = "App users"
unit = "人"
policy_ref = "2-(1)"
kind = "level"
baseline = 2618.5
baseline_as_of = 2021-03-31
target = 5000
target_by = "R8.3.31"
direction = "lower"
formula = "progress"
"""


def _write(tmp_path: Path, text: str, name: str = "plan.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_the_documented_example_reads(tmp_path: Path) -> None:
    plan = read_plan(_write(tmp_path, EXAMPLE))
    assert (plan.code, plan.first_fiscal_year, plan.last_fiscal_year) == (
        "smartcity-2021", 2021, 2026)
    assert plan.grading == DEFAULT_GRADING
    [kpi] = plan.kpis
    assert kpi.kind == "computed" and kpi.target == 20 and kpi.baseline_as_of == date(2021, 3, 31)
    assert kpi.count == CountRule(source="meetings", measure="first_time_organizations",
                                  organization_kinds=("company",), tags=("スマートシティ",))
    assert kpi.revisions == (TargetRevision(date(2024, 3, 29), 30.0, date(2027, 3, 31),
                                            "後期改訂"),)


def test_kinds_and_dates_take_every_form_people_type(tmp_path: Path) -> None:
    text = EXAMPLE.replace('organization_kinds = ["company"]', 'organization_kinds = ["民間企業"]')
    plan = read_plan(_write(tmp_path, text + MEASURED))
    assert plan.kpis[0].count is not None
    assert plan.kpis[0].count.organization_kinds == ("company",)
    level = plan.kpis[1]
    assert (level.baseline, level.target_by, level.direction, level.formula) == (
        2618.5, date(2026, 3, 31), "lower", "progress")
    assert level.count is None


def test_a_written_plan_reads_back_the_same(tmp_path: Path) -> None:
    plan = read_plan(_write(tmp_path, EXAMPLE + MEASURED))
    written = plan_to_toml(plan)
    again = read_plan(_write(tmp_path, written, "again.toml"))
    assert again == plan
    assert plan_to_toml(again) == written
    assert "[[kpi.revision]]" in written and "[kpi.count]" in written


def test_text_that_needs_escaping_survives(tmp_path: Path) -> None:
    text = EXAMPLE.replace('reason = "後期改訂"', 'reason = "後期 \\"改訂\\"\\n2行目 \\\\ 𠮷"')
    plan = read_plan(_write(tmp_path, text))
    assert plan.kpis[0].revisions[0].reason == '後期 "改訂"\n2行目 \\ 𠮷'
    assert read_plan(_write(tmp_path, plan_to_toml(plan), "again.toml")) == plan


@pytest.mark.parametrize(("old", "new", "expected"), [
    ('code = "sc_companies"', 'code = "SC Companies"', "kpi #1: code: 'SC Companies' is not a"),
    ('unit = "社"', "", "kpi sc_companies: unit: is missing"),
    ('kind = "computed"', 'kind = "count"', "kpi sc_companies: kind: 'count' is not one of"),
    ("target = 20\n", 'target = "twenty"\n', "kpi sc_companies: target: 'twenty' is not a number"),
    ('baseline_as_of = "2021-03-31"', 'baseline_as_of = "2021-02-30"',
     "kpi sc_companies: baseline_as_of:"),
    ('target_by = "2027-03-31"\nformula', 'target_by = "2020-03-31"\nformula',
     "kpi sc_companies: target_by: must be after baseline_as_of"),
    ('source = "meetings"', 'source = "calls"', "kpi sc_companies: count: source: 'calls'"),
    ('measure = "first_time_organizations"', 'measure = "attendees"',
     "kpi sc_companies: count: measure: 'attendees' is not one of records,"
     " first_time_organizations"),
    ('organization_kinds = ["company"]', 'organization_kinds = ["startup"]',
     "kpi sc_companies: count: organization_kinds:"),
    ('tags = ["スマートシティ"]', 'event_kinds = ["lecture"]',
     "kpi sc_companies: count: event_kinds: does not apply to source 'meetings'"),
    ('tags = ["スマートシティ"]', "tags = []",
     "kpi sc_companies: count: tags: must be a non-empty"),
    ('direction = "higher"', 'direction = "higher"\ntarget_date = 2027-03-31',
     "kpi sc_companies: target_date: is not a key of this table"),
    ('revised_on = "2024-03-29"', 'revised_on = "2020-03-29"',
     "kpi sc_companies: revision #1: revised_on: must be after baseline_as_of"),
    ('reason = "後期改訂"', "", "kpi sc_companies: revision #1: reason: is missing"),
    ("last_fiscal_year = 2026", "last_fiscal_year = 2020",
     "plan: last_fiscal_year: is before first_fiscal_year"),
    ("first_fiscal_year = 2021", "first_fiscal_year = 1800", "plan: first_fiscal_year: 1800"),
    ("B = 80", "B = 120", "plan: grading: grades must go from the highest threshold down"),
    ("C = 50", "c = 50", "plan: grading: c: a grade is a capital letter"),
    ("[plan]", "[plans]", "file: plans: is not a key of this table"),
])
def test_a_mistake_names_the_file_kpi_and_key(
    tmp_path: Path, old: str, new: str, expected: str
) -> None:
    assert old in EXAMPLE
    path = _write(tmp_path, EXAMPLE.replace(old, new, 1))
    with pytest.raises(PlanFileError) as raised:
        read_plan(path)
    message = str(raised.value)
    assert message.startswith("plan.toml: ")
    assert expected in message
    assert "\n" not in message


def test_a_computed_kpi_needs_a_rule_and_a_measured_one_takes_none(tmp_path: Path) -> None:
    no_rule = EXAMPLE[:EXAMPLE.index("[kpi.count]")]
    with pytest.raises(PlanFileError, match="kpi sc_companies: count: is required"):
        read_plan(_write(tmp_path, no_rule))
    with pytest.raises(PlanFileError, match="kpi sc_companies: count: is required"):
        read_plan(_write(tmp_path, EXAMPLE.replace('kind = "computed"', 'kind = "level"')))


def test_a_code_twice_in_one_plan_is_refused(tmp_path: Path) -> None:
    with pytest.raises(PlanFileError, match="kpi sc_app_users: code: appears twice"):
        read_plan(_write(tmp_path, EXAMPLE + MEASURED + MEASURED))


def test_broken_files_are_named(tmp_path: Path) -> None:
    with pytest.raises(PlanFileError, match=r"^plan\.toml: not valid TOML"):
        read_plan(_write(tmp_path, "[plan\ncode = 1"))
    cp932 = tmp_path / "sjis.toml"
    cp932.write_bytes(EXAMPLE.encode("cp932"))
    with pytest.raises(PlanFileError, match=r"^sjis\.toml: is not UTF-8"):
        read_plan(cp932)
    with pytest.raises(PlanFileError, match=r"^missing\.toml: cannot be read"):
        read_plan(tmp_path / "missing.toml")
    japanese = pytest.raises(PlanFileError)
    with japanese as raised:
        read_plan(_write(tmp_path, EXAMPLE.replace('unit = "社"', "")))
    assert raised.value.text("ja") == "plan.toml: kpi sc_companies: unit: がありません"
