"""Plan files (計画ファイル): a plan and its KPIs as TOML, read with every key checked.

The format is documented in docs/plans.md. Reading validates the whole file and raises one
`PlanFileError` naming the file, the KPI and the key at fault; `plan_to_toml` writes a file
that reads back to an equal `PlanSpec`.
"""

from __future__ import annotations

import json
import math
import re
import tomllib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, TypeVar

from crm.calendar import (
    FIRST_FISCAL_YEAR,
    LAST_FISCAL_YEAR,
    DateParseError,
    parse_date,
)
from crm.errors import DataError
from crm.kpi.rules import (
    DEFAULT_GRADING,
    DIRECTIONS,
    FORMULAS,
    PLAN_KINDS,
    SOURCE_FILTERS,
    SOURCE_MEASURES,
    SOURCES,
    CountRule,
)
from crm.vocabulary import AGREEMENT_STATUSES, EVENT_KINDS, ORGANIZATION_KINDS

_CODE = re.compile(r"[a-z0-9][a-z0-9_.-]{0,59}")
_GRADE = re.compile(r"[A-Z][A-Z+-]{0,2}")

T = TypeVar("T")


class PlanFileError(DataError):
    """A plan file that cannot be read: names the file, the KPI and the key."""


@dataclass(frozen=True)
class TargetRevision:
    """A revised target (目標値の改訂), in force from `revised_on`."""

    revised_on: date
    target: float
    target_by: date
    reason: str


@dataclass(frozen=True)
class KpiSpec:
    """One KPI of a plan as its file defines it."""

    code: str
    name_ja: str
    name_en: str
    unit: str
    policy_ref: str
    kind: str
    baseline: float
    baseline_as_of: date
    target: float
    target_by: date
    formula: str = "ratio"
    direction: str = "higher"
    basic_policy: int | None = None
    baseline_label: str | None = None
    target_label: str | None = None
    notes: str | None = None
    count: CountRule | None = None
    revisions: tuple[TargetRevision, ...] = ()


@dataclass(frozen=True)
class PlanSpec:
    """A plan (計画) with its grading table and KPIs."""

    code: str
    name_ja: str
    name_en: str
    first_fiscal_year: int
    last_fiscal_year: int
    adopted_on: date | None = None
    notes: str | None = None
    grading: tuple[tuple[str, float], ...] = DEFAULT_GRADING
    kpis: tuple[KpiSpec, ...] = field(default_factory=tuple)


# --- reading --------------------------------------------------------------------------------


class _Reader:
    """Takes keys out of one TOML table, naming where a problem is."""

    def __init__(self, file: str, where: str, table: Any) -> None:
        self.file = file
        self.where = where
        if not isinstance(table, Mapping):
            raise self.error("", "must be a table")
        self.table: dict[str, Any] = dict(table)

    def error(self, key: str, problem: str, ja: str | None = None) -> PlanFileError:
        at = f"{self.where}: {key}" if key else self.where
        return PlanFileError(f"{self.file}: {at}: {problem}",
                             ja=f"{self.file}: {at}: {ja or problem}", field=key or None)

    def _take(self, key: str, required: bool) -> Any:
        if key not in self.table:
            if required:
                raise self.error(key, "is missing", "がありません")
            return None
        return self.table.pop(key)

    def text(self, key: str, *, required: bool = True, max_length: int = 200) -> Any:
        value = self._take(key, required)
        if value is None:
            return None
        if not isinstance(value, str) or not value.strip():
            raise self.error(key, "must be a non-empty string", "空でない文字列にしてください")
        if len(value) > max_length:
            raise self.error(key, f"is longer than {max_length} characters",
                             f"{max_length} 文字以内にしてください")
        return value.strip()

    def code(self, key: str) -> str:
        value: str = self.text(key, max_length=60)
        if not _CODE.fullmatch(value):
            raise self.error(key, f"{value!r} is not a code (lower-case letters, digits, _ . -)",
                             f"{value!r} はコードになりません（英小文字・数字・_ . -）")
        return value

    def number(self, key: str, *, required: bool = True) -> Any:
        value = self._take(key, required)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(
            value
        ):
            raise self.error(key, f"{value!r} is not a number", f"{value!r} は数値ではありません")
        return float(value)

    def year(self, key: str) -> int:
        value = self._take(key, True)
        if isinstance(value, bool) or not isinstance(value, int) or not (
            FIRST_FISCAL_YEAR <= value <= LAST_FISCAL_YEAR
        ):
            raise self.error(key, f"{value!r} is not a fiscal year in"
                             f" {FIRST_FISCAL_YEAR}–{LAST_FISCAL_YEAR}")
        return value

    def whole(self, key: str) -> Any:
        value = self._take(key, False)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int)
                                  or not 0 <= value <= 99):
            raise self.error(key, f"{value!r} is not a whole number 0–99",
                             f"{value!r} は 0〜99 の整数ではありません")
        return value

    def day(self, key: str, *, required: bool = True) -> Any:
        value = self._take(key, required)
        if value is None:
            return None
        if isinstance(value, datetime):
            raise self.error(key, "must be a date, not a date and time", "日付のみにしてください")
        if isinstance(value, date):
            return value
        if isinstance(value, str):
            try:
                return parse_date(value)
            except DateParseError as exc:
                raise self.error(key, str(exc)) from exc
        raise self.error(key, f"{value!r} is not a date", f"{value!r} は日付ではありません")

    def choice(self, key: str, choices: Sequence[str], default: str | None = None) -> str:
        value = self._take(key, default is None)
        if value is None and default is not None:
            return default
        if value not in choices:
            raise self.error(key, f"{value!r} is not one of {', '.join(choices)}",
                             f"{value!r} は {', '.join(choices)} のいずれかにしてください")
        return str(value)

    def codes(self, key: str, parse: Callable[[str], str]) -> tuple[str, ...]:
        value = self._take(key, False)
        if value is None:
            return ()
        if not isinstance(value, list) or not value or not all(
            isinstance(v, str) and v.strip() for v in value
        ):
            raise self.error(key, "must be a non-empty list of strings",
                             "空でない文字列のリストにしてください")
        parsed: list[str] = []
        for item in value:
            try:
                code = parse(item.strip())
            except DataError as exc:
                raise self.error(key, str(exc), exc.text("ja")) from exc
            if code not in parsed:
                parsed.append(code)
        return tuple(parsed)

    def tables(self, key: str) -> list[Any]:
        value = self._take(key, False)
        if value is None:
            return []
        if not isinstance(value, list):
            raise self.error(key, "must be an array of tables ([[…]])")
        return value

    def done(self) -> None:
        """Refuse keys nobody asked for: a misspelt key must not be dropped silently."""
        if self.table:
            key = sorted(self.table)[0]
            raise self.error(key, "is not a key of this table (misspelt?)",
                             "この表のキーではありません（綴りの誤り？）")


def _tag(text: str) -> str:
    if len(text) > 50:
        raise DataError(f"tag {text[:20]!r}… is longer than 50 characters",
                        ja=f"タグ {text[:20]!r}… は 50 文字以内にしてください")
    return text


def _rule(file: str, where: str, table: Any) -> CountRule:
    reader = _Reader(file, f"{where}: count", table)
    source = reader.choice("source", SOURCES)
    measure = reader.choice("measure", SOURCE_MEASURES[source], default="records")
    allowed = SOURCE_FILTERS[source]
    for key in ("organization_kinds", "event_kinds", "statuses", "tags"):
        if key in reader.table and key not in allowed:
            raise reader.error(key, f"does not apply to source {source!r}",
                               f"source {source!r} には使えません")
    rule = CountRule(
        source=source,
        measure=measure,
        organization_kinds=reader.codes("organization_kinds", ORGANIZATION_KINDS.parse),
        event_kinds=reader.codes("event_kinds", EVENT_KINDS.parse),
        statuses=reader.codes("statuses", AGREEMENT_STATUSES.parse),
        tags=reader.codes("tags", _tag),
    )
    reader.done()
    return rule


def _revision(file: str, where: str, table: Any) -> TargetRevision:
    reader = _Reader(file, where, table)
    revision = TargetRevision(
        revised_on=reader.day("revised_on"),
        target=reader.number("target"),
        target_by=reader.day("target_by"),
        reason=reader.text("reason", max_length=500),
    )
    reader.done()
    return revision


def _kpi(file: str, index: int, table: Any) -> KpiSpec:
    reader = _Reader(file, f"kpi #{index}", table)
    code = reader.code("code")
    reader.where = f"kpi {code}"
    kind = reader.choice("kind", PLAN_KINDS)
    count_table = reader._take("count", False)
    revisions = reader.tables("revision")
    spec = KpiSpec(
        code=code,
        name_ja=reader.text("name_ja"),
        name_en=reader.text("name_en"),
        unit=reader.text("unit", max_length=20),
        policy_ref=reader.text("policy_ref", max_length=20),
        kind=kind,
        baseline=reader.number("baseline"),
        baseline_as_of=reader.day("baseline_as_of"),
        target=reader.number("target"),
        target_by=reader.day("target_by"),
        formula=reader.choice("formula", FORMULAS, default="ratio"),
        direction=reader.choice("direction", DIRECTIONS, default="higher"),
        basic_policy=reader.whole("basic_policy"),
        baseline_label=reader.text("baseline_label", required=False, max_length=100),
        target_label=reader.text("target_label", required=False, max_length=100),
        notes=reader.text("notes", required=False, max_length=2000),
        count=None if count_table is None else _rule(file, reader.where, count_table),
        revisions=tuple(
            _revision(file, f"kpi {code}: revision #{n}", r)
            for n, r in enumerate(revisions, start=1)
        ),
    )
    reader.done()
    if (spec.kind == "computed") != (spec.count is not None):
        raise reader.error("count", "is required for a computed KPI and only for one",
                           "computed の KPI にだけ必要です")
    if spec.target_by <= spec.baseline_as_of:
        raise reader.error("target_by", "must be after baseline_as_of",
                           "baseline_as_of より後にしてください")
    previous = spec.baseline_as_of
    for n, revision in enumerate(spec.revisions, start=1):
        if revision.revised_on <= previous:
            raise reader.error(f"revision #{n}: revised_on",
                               "must be after baseline_as_of and the revision before it",
                               "baseline_as_of と前の改訂より後にしてください")
        if revision.target_by <= revision.revised_on:
            raise reader.error(f"revision #{n}: target_by", "must be after revised_on",
                               "revised_on より後にしてください")
        previous = revision.revised_on
    return spec


def _grading(file: str, table: Any) -> tuple[tuple[str, float], ...]:
    if table is None:
        return DEFAULT_GRADING
    reader = _Reader(file, "plan: grading", table)
    grades: list[tuple[str, float]] = []
    for letter in list(reader.table):
        if not _GRADE.fullmatch(letter):
            raise reader.error(letter, "a grade is a capital letter (A, B, C…)",
                               "評価は英大文字にしてください（A, B, C…）")
        grades.append((letter, reader.number(letter)))
    thresholds = [threshold for _, threshold in grades]
    if not grades or thresholds != sorted(thresholds, reverse=True) or len(
        set(thresholds)
    ) != len(thresholds):
        raise reader.error("", "grades must go from the highest threshold down, each lower",
                           "評価は基準の高い順に、重複なく並べてください")
    return tuple(grades)


def parse_plan(data: Mapping[str, Any], file: str) -> PlanSpec:
    """The plan in `data` (a parsed TOML document); PlanFileError naming the key at fault."""
    document = _Reader(file, "file", data)
    plan_table = document._take("plan", True)
    kpi_tables = document.tables("kpi")
    document.done()
    reader = _Reader(file, "plan", plan_table)
    grading = _grading(file, reader._take("grading", False))
    plan = PlanSpec(
        code=reader.code("code"),
        name_ja=reader.text("name_ja"),
        name_en=reader.text("name_en"),
        first_fiscal_year=reader.year("first_fiscal_year"),
        last_fiscal_year=reader.year("last_fiscal_year"),
        adopted_on=reader.day("adopted_on", required=False),
        notes=reader.text("notes", required=False, max_length=2000),
        grading=grading,
        kpis=tuple(_kpi(file, n, t) for n, t in enumerate(kpi_tables, start=1)),
    )
    reader.done()
    if plan.last_fiscal_year < plan.first_fiscal_year:
        raise reader.error("last_fiscal_year", "is before first_fiscal_year",
                           "first_fiscal_year より前です")
    seen: set[str] = set()
    for kpi in plan.kpis:
        if kpi.code in seen:
            raise PlanFileError(f"{file}: kpi {kpi.code}: code: appears twice in the plan",
                                ja=f"{file}: kpi {kpi.code}: code: 計画内で重複しています",
                                field="code")
        seen.add(kpi.code)
    return plan


def read_plan(path: Path) -> PlanSpec:
    """Read and check the plan file at `path` (UTF-8 TOML)."""
    file = path.name
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise PlanFileError(f"{file}: cannot be read: {exc.strerror}",
                            ja=f"{file}: 読み込めません: {exc.strerror}") from exc
    try:
        data = tomllib.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise PlanFileError(f"{file}: is not UTF-8 text",
                            ja=f"{file}: UTF-8 のテキストではありません") from exc
    except tomllib.TOMLDecodeError as exc:
        raise PlanFileError(f"{file}: not valid TOML: {exc}",
                            ja=f"{file}: TOML として読めません: {exc}") from exc
    return parse_plan(data, file)


# --- writing --------------------------------------------------------------------------------


def _value(value: object) -> str:
    if isinstance(value, str):
        # A JSON string with non-ASCII kept is a valid TOML basic string.
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, tuple | list):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    return str(value)


def _lines(pairs: Sequence[tuple[str, object]]) -> list[str]:
    return [f"{key} = {_value(value)}" for key, value in pairs if value not in (None, ())]


def plan_to_toml(plan: PlanSpec) -> str:
    """The plan as a TOML file that `read_plan` reads back to an equal PlanSpec."""
    out = ["[plan]", *_lines([
        ("code", plan.code), ("name_ja", plan.name_ja), ("name_en", plan.name_en),
        ("first_fiscal_year", plan.first_fiscal_year),
        ("last_fiscal_year", plan.last_fiscal_year), ("adopted_on", plan.adopted_on),
        ("notes", plan.notes),
    ])]
    out += ["", "[plan.grading]", *_lines(list(plan.grading))]
    for kpi in plan.kpis:
        out += ["", "[[kpi]]", *_lines([
            ("code", kpi.code), ("name_ja", kpi.name_ja), ("name_en", kpi.name_en),
            ("unit", kpi.unit), ("policy_ref", kpi.policy_ref),
            ("basic_policy", kpi.basic_policy), ("kind", kpi.kind),
            ("baseline", kpi.baseline), ("baseline_as_of", kpi.baseline_as_of),
            ("baseline_label", kpi.baseline_label), ("target", kpi.target),
            ("target_by", kpi.target_by), ("target_label", kpi.target_label),
            ("formula", kpi.formula), ("direction", kpi.direction), ("notes", kpi.notes),
        ])]
        if kpi.count is not None:
            rule = kpi.count
            out += ["[kpi.count]", *_lines([
                ("source", rule.source), ("measure", rule.measure),
                ("organization_kinds", rule.organization_kinds),
                ("event_kinds", rule.event_kinds), ("statuses", rule.statuses),
                ("tags", rule.tags),
            ])]
        for revision in kpi.revisions:
            out += ["[[kpi.revision]]", *_lines([
                ("revised_on", revision.revised_on), ("target", revision.target),
                ("target_by", revision.target_by), ("reason", revision.reason),
            ])]
    return "\n".join(out) + "\n"
