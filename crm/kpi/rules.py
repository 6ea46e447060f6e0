"""The KPI rule language, in one place: what a computed KPI counts and how, the kinds and
codes of every rule, the SQL that enforces and counts them, and their plain-language
descriptions (docs/plans.md, docs/schema.md).

A computed KPI counts records of one `source` (meetings, agreements, events) by one
`measure` (records, first-time organizations, attendees), kept by filters: organization
kinds, event kinds, agreement statuses and tags. The rule is data: the columns
`kpi.count_source` and `kpi.count_measure` and the rows of `kpi_count_filter`. Each
(source, measure) pair is one `CountingBranch` yielding its rows of the `kpi_counted_record`
view. The `kpi` CHECK constraints and the views auditors query are generated here;
migrations keep the SQL of each schema version as text (db/schema_sql/), and a test holds the
newest version to what this module generates, so changing the SQL needs a migration.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

#: How a KPI's value is obtained: computed from records, or measured and entered.
KPI_KINDS = ("computed", "measured")
#: The kinds a plan file names: computed, or one of the measured rules.
PLAN_KINDS = ("computed", "level", "annual", "milestone")

#: The records a computed KPI counts, and how it measures them.
SOURCES = ("meetings", "agreements", "events")
MEASURES = ("records", "first_time_organizations", "attendees")
#: Which measures each source allows.
SOURCE_MEASURES: dict[str, tuple[str, ...]] = {
    "meetings": ("records", "first_time_organizations"),
    "agreements": ("records",),
    "events": ("records", "attendees"),
}
#: The filters (plan-file keys) each source allows.
SOURCE_FILTERS: dict[str, tuple[str, ...]] = {
    "meetings": ("organization_kinds", "tags"),
    "agreements": ("organization_kinds", "statuses", "tags"),
    "events": ("event_kinds", "tags"),
}
#: Each filter's plan-file key and its code in `kpi_count_filter.filter`.
FILTERS: dict[str, str] = {
    "organization_kinds": "organization_kind",
    "event_kinds": "event_kind",
    "statuses": "agreement_status",
    "tags": "tag",
}
#: Agreement statuses that count when a rule names none: concluded, ended, and cancelled
#: after conclusion (an agreement counts only with a conclusion date, on that date).
DEFAULT_STATUSES = ("concluded", "ended", "cancelled")

#: Achievement formulas (ratio = value ÷ target; progress = (value − baseline) ÷ (target −
#: baseline)) and which way is better.
FORMULAS = ("ratio", "progress")
DIRECTIONS = ("higher", "lower")
#: The grading table a plan has unless it names one: A ≥ 100 %, B ≥ 80 %, C ≥ 50 %, else D.
DEFAULT_GRADING: tuple[tuple[str, float], ...] = (("A", 100.0), ("B", 80.0), ("C", 50.0))

#: The columns of `kpi_counted_record`: one row per record that counts toward a KPI.
COUNTED_COLUMNS = ("kpi_code", "record_type", "record_id", "counted_on", "organization_id",
                   "title", "plan_code", "weight", "kpi_id")


@dataclass(frozen=True, kw_only=True)
class Rule:
    """A way of obtaining a KPI's value (`kpi.rule`), with its labels."""

    code: str
    kind: str
    ja: str
    en: str

    def label(self, lang: str) -> str:
        """The label in `lang` ('ja' or 'en')."""
        return self.ja if lang == "ja" else self.en


@dataclass(frozen=True)
class FilterMatch:
    """How a filter's values match a record: `column` is one of them, compared inside
    `within` (an EXISTS over a link table, `{}` where the comparison goes) when the column is
    not the record's own."""

    column: str
    within: str = "{}"
    value_first: bool = False

    def sql(self, values: str | None = None) -> str:
        """The match: against the filter row `f` (the view), or `column IN (values)`."""
        if values is not None:
            test = f"{self.column} IN ({values})"
        elif self.value_first:
            test = f"f.value = {self.column}"
        else:
            test = f"{self.column} = f.value"
        return self.within.replace("{}", test)


@dataclass(frozen=True, kw_only=True)
class CountingBranch(Rule):
    """A (source, measure) pair of the rule language: the records it counts (`records`, an
    active one being `present`), each filter's match, and the SELECT of its
    `kpi_counted_record` rows, from the KPI row `k` and its plan `p`, `alias` being the
    counted record."""

    kind: str = "computed"
    source: str
    measure: str
    record_type: str
    alias: str
    records: str
    present: str
    counted_on: str
    organization_id: str = "CAST(NULL AS INTEGER)"
    weight: str = "1"
    filters: tuple[tuple[str, FilterMatch], ...]
    #: The view's FROM and JOINs, when not the KPI joined with the present records.
    from_sql: str = ""

    @property
    def joins(self) -> str:
        """The view's FROM clause of this branch."""
        return self.from_sql or f"{_KPI}\nJOIN {self.records} ON {self.present}"

    @property
    def conditions(self) -> str:
        """The view's conditions of this branch's filters, on the KPI row `k` (after the
        present records' condition, where `from_sql` does not join them on it)."""
        present = f"\n  AND {self.present}" if self.from_sql else ""
        return present + "".join(_filter("k", name, match.sql()) for name, match in self.filters)

    def counted_sql(self, *, named: bool = False) -> str:
        """This branch's SELECT; `named` aliases the columns (the UNION's first SELECT)."""
        a = self.alias
        values = ("k.code", f"'{self.record_type}'", f"{a}.id", f"{a}.{self.counted_on}",
                  self.organization_id, f"{a}.title", "p.code", self.weight, "k.id")
        if named:
            aliased = [f"{v} AS {c}" for v, c in zip(values, COUNTED_COLUMNS, strict=True)]
            select = ",\n       ".join(", ".join(aliased[i:i + 3]) for i in range(0, 9, 3))
        else:
            select = f"{', '.join(values[:5])},\n       {', '.join(values[5:])}"
        return (
            f"SELECT {select}\n{self.joins}\n"
            f"WHERE k.count_source = '{self.source}' AND k.count_measure = '{self.measure}'\n"
            f"  AND k.archived_at IS NULL AND p.archived_at IS NULL{self.conditions}\n"
        )


def _filter(kpi: str, name: str, matches: str) -> str:
    """The condition of filter `name` of KPI `kpi`: none given, or one of them `matches`
    (a condition on the filter row `f`)."""
    rows = (f"SELECT 1 FROM kpi_count_filter f\n"
            f"                 WHERE f.kpi_id = {kpi}.id AND f.filter = '{name}'")
    return (f"\n  AND (NOT EXISTS ({rows})\n       OR EXISTS ({rows}\n"
            f"                   AND {matches}))")


def _tag_match(link: str, column: str, record: str) -> FilterMatch:
    """The tag filter's match on `record` through the link table `link`."""
    return FilterMatch("t.name", f"EXISTS (SELECT 1 FROM {link} x JOIN tag t ON t.id = x.tag_id\n"
                       f"                               WHERE x.{column} = {record}.id"
                       " AND {})")


def _tagged(kpi: str, link: str, column: str, record: str) -> str:
    """The tag filter of KPI `kpi` on `record` through the link table `link`."""
    return _filter(kpi, "tag", _tag_match(link, column, record).sql())


def _partner_kind(link: str, alias: str, column: str, record: str) -> FilterMatch:
    """The organization-kind filter's match on `record`'s organizations through `link`."""
    return FilterMatch("o.kind", f"EXISTS (SELECT 1 FROM {link} {alias}\n"
                       f"                               JOIN organization o ON o.id ="
                       f" {alias}.organization_id\n"
                       f"                               WHERE {alias}.{column} = {record}.id\n"
                       "                                 AND o.archived_at IS NULL AND {})")


_KPI = "FROM kpi k\nJOIN plan p ON p.id = k.plan_id"

EVENTS = CountingBranch(
    code="events", ja="イベント・講座の回数", en="Events held",
    source="events", measure="records", record_type="outreach_event", alias="e",
    records="outreach_event e", present="e.archived_at IS NULL", counted_on="held_on",
    filters=(("event_kind", FilterMatch("e.kind", value_first=True)),
             ("tag", _tag_match("outreach_event_tag", "outreach_event_id", "e"))),
)

ATTENDEES = CountingBranch(
    code="attendees", ja="イベント・講座の参加者数", en="Attendees of events",
    source="events", measure="attendees", record_type="outreach_event", alias="e",
    records=EVENTS.records, present=EVENTS.present, counted_on="held_on",
    weight="COALESCE(e.attendees, 0)", filters=EVENTS.filters,
)

AGREEMENTS = CountingBranch(
    code="agreements", ja="締結した協定の件数", en="Agreements concluded",
    source="agreements", measure="records", record_type="agreement", alias="a",
    records="agreement a", present="a.concluded_on IS NOT NULL AND a.archived_at IS NULL",
    counted_on="concluded_on",
    filters=(("agreement_status", FilterMatch("a.status", value_first=True)),
             ("organization_kind", _partner_kind("agreement_partner", "ap",
                                                 "agreement_id", "a")),
             ("tag", _tag_match("agreement_tag", "agreement_id", "a"))),
)

MEETINGS = CountingBranch(
    code="meetings", ja="意見交換の回数", en="Meetings held",
    source="meetings", measure="records", record_type="meeting", alias="m",
    records="meeting m", present="m.archived_at IS NULL", counted_on="held_on",
    filters=(("organization_kind", _partner_kind("meeting_organization", "mo",
                                                  "meeting_id", "m")),
             ("tag", _tag_match("meeting_tag", "meeting_id", "m"))),
)

#: The tag filter of the first-time organizations, on the meetings `m1` that may come first.
FIRST_MEETING_TAG = _tag_match("meeting_tag", "meeting_id", "m1")

COMPANIES = CountingBranch(
    code="companies", ja="初めて意見交換した団体の数", en="Organizations met for the first time",
    source="meetings", measure="first_time_organizations", record_type="meeting", alias="m",
    records="organization o", present="o.archived_at IS NULL",
    counted_on="held_on", organization_id="fm.organization_id",
    filters=(("organization_kind", FilterMatch("o.kind", value_first=True)),),
    from_sql=f"""FROM (
    -- Each organization's first active meeting passing the KPI's tag filter, in one pass over
    -- the meetings: the smallest yyyymmdd * 10^10 + meeting id is the earliest meeting, the
    -- lowest id on that day.
    SELECT k1.id AS kpi_id, mo.organization_id,
           MIN(CAST(REPLACE(CAST(m1.held_on AS TEXT), '-', '') AS BIGINT) * 10000000000
               + m1.id) AS first_key
    FROM kpi k1 CROSS JOIN meeting m1 CROSS JOIN meeting_organization mo
    WHERE k1.count_measure = 'first_time_organizations' AND mo.meeting_id = m1.id
      AND m1.archived_at IS NULL{_filter("k1", "tag", FIRST_MEETING_TAG.sql())}
    GROUP BY k1.id, mo.organization_id
) fm
JOIN kpi k ON k.id = fm.kpi_id
JOIN plan p ON p.id = k.plan_id
JOIN organization o ON o.id = fm.organization_id
JOIN meeting m ON m.id = fm.first_key % 10000000000""",
)

#: The computed rules, in the order of the view's UNION.
COUNTING_BRANCHES: tuple[CountingBranch, ...] = (EVENTS, ATTENDEES, AGREEMENTS, MEETINGS,
                                                 COMPANIES)

#: The measured rules: the latest value, a sum over each fiscal year, reached (1) or not (0).
MEASURED_RULES: tuple[Rule, ...] = (
    Rule(code="level", kind="measured", ja="最新の計測値", en="Latest measurement"),
    Rule(code="annual", kind="measured", ja="年度の合計", en="Sum over the fiscal year"),
    Rule(code="milestone", kind="measured", ja="達成・未達成", en="Milestone reached or not"),
)

RULES: tuple[Rule, ...] = (*COUNTING_BRANCHES, *MEASURED_RULES)
KPI_RULES = tuple(r.code for r in RULES)
COMPUTED_RULES = tuple(r.code for r in COUNTING_BRANCHES)


def rule(code: str) -> Rule:
    """The rule with this code; KeyError if there is none."""
    for r in RULES:
        if r.code == code:
            return r
    raise KeyError(code)


def kind_of(rule_code: str) -> str:
    """'computed' or 'measured': the kind of KPI a rule belongs to."""
    return rule(rule_code).kind


def branch(source: str, measure: str) -> CountingBranch:
    """The counting branch of (source, measure); KeyError if the pair is not allowed."""
    for b in COUNTING_BRANCHES:
        if (b.source, b.measure) == (source, measure):
            return b
    raise KeyError((source, measure))


def _sql_list(codes: Sequence[str]) -> str:
    return "(" + ", ".join(f"'{c}'" for c in codes) + ")"


#: The `kpi` table's CHECK constraints on kind, rule, count and grading, by constraint name.
KPI_CHECKS: dict[str, str] = {
    "kind": f"kind IN {_sql_list(KPI_KINDS)}",
    "rule": f"rule IN {_sql_list(KPI_RULES)}",
    "rule_matches_kind": " OR ".join(
        f"(kind = '{kind}' AND rule IN {_sql_list([r.code for r in RULES if r.kind == kind])})"
        for kind in KPI_KINDS
    ),
    "count_matches_rule": " OR ".join(
        [f"(rule = '{b.code}' AND count_source = '{b.source}'"
         f" AND count_measure = '{b.measure}')" for b in COUNTING_BRANCHES]
        + [f"(rule IN {_sql_list([r.code for r in MEASURED_RULES])}"
           " AND count_source IS NULL AND count_measure IS NULL)"]
    ),
    "formula": f"formula IN {_sql_list(FORMULAS)}",
    "direction": f"direction IN {_sql_list(DIRECTIONS)}",
}

#: `kpi_count_filter.filter` values.
FILTER_CHECK = f"filter IN {_sql_list(list(FILTERS.values()))}"

# The records that add to each computed KPI after its baseline date: an auditor recomputes
# any value as baseline + sum(weight) WHERE plan_code = ? AND kpi_code = ? AND counted_on <= ?.
_EVIDENCE_VIEW = """
CREATE VIEW kpi_evidence AS
SELECT c.kpi_code, c.record_type, c.record_id, c.counted_on, c.organization_id, c.title,
       c.plan_code, c.weight, c.kpi_id
FROM kpi_counted_record c
JOIN kpi k ON k.id = c.kpi_id
WHERE c.counted_on > k.baseline_as_of
"""


def view_sql() -> dict[str, str]:
    """CREATE VIEW of `kpi_counted_record` (a UNION of every counting branch's SELECT) and of
    `kpi_evidence` (its rows after each KPI's baseline date), by view name, in creation order."""
    counted = "UNION ALL\n".join(
        b.counted_sql(named=i == 0) for i, b in enumerate(COUNTING_BRANCHES)
    )
    return {
        "kpi_counted_record": f"\nCREATE VIEW kpi_counted_record AS\n{counted}",
        "kpi_evidence": _EVIDENCE_VIEW,
    }


# --- plain-language descriptions ------------------------------------------------------------


@dataclass(frozen=True)
class CountRule:
    """A computed KPI's rule as data: source, measure and filters (empty: no filter)."""

    source: str
    measure: str = "records"
    organization_kinds: tuple[str, ...] = ()
    event_kinds: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()

    @property
    def rule(self) -> str:
        """The `kpi.rule` code of this source and measure."""
        return branch(self.source, self.measure).code

    def filter_rows(self) -> list[tuple[str, str]]:
        """(filter, value) rows of `kpi_count_filter`, in the order given."""
        return [(FILTERS[key], value) for key in FILTERS for value in getattr(self, key)]

    @classmethod
    def from_rows(cls, source: str, measure: str,
                  rows: Sequence[tuple[str, str]]) -> CountRule:
        """The rule of a KPI from its columns and its `kpi_count_filter` rows (in order)."""
        values: dict[str, list[str]] = {key: [] for key in FILTERS}
        keys = {code: key for key, code in FILTERS.items()}
        for name, value in rows:
            values[keys[name]].append(value)
        return cls(source=source, measure=measure,
                   **{key: tuple(v) for key, v in values.items()})

    def describe(self, lang: str) -> str:
        """What this rule counts, in plain words (for reports and `crm plan show`)."""
        from crm.vocabulary import AGREEMENT_STATUSES, EVENT_KINDS, ORGANIZATION_KINDS

        ja = lang == "ja"

        def words(codes: Sequence[str], vocabulary: Any) -> str:
            ordered = sorted(codes, key=lambda c: vocabulary.codes.index(c)
                             if c in vocabulary.codes else len(vocabulary.codes))
            return ("・" if ja else ", ").join(
                _COUNTED_STATUS[c][0 if ja else 1] if vocabulary is AGREEMENT_STATUSES
                and c in _COUNTED_STATUS else vocabulary.label(c, lang) for c in ordered)

        orgs = words(self.organization_kinds, ORGANIZATION_KINDS)
        kinds = words(self.event_kinds, EVENT_KINDS)
        statuses = words(self.statuses or DEFAULT_STATUSES, AGREEMENT_STATUSES)
        if self.source == "events" and self.measure == "attendees":
            text = (f"{kinds or 'イベント・講座'}の参加者数の合計（記録のないものは0）" if ja
                    else f"Attendees of events held ({kinds or 'all kinds'}), summed")
        elif self.source == "events":
            text = (f"{kinds or 'イベント・講座'}の開催回数" if ja
                    else f"Events held ({kinds or 'all kinds'})")
        elif self.source == "agreements":
            text = (f"{'相手方に' + orgs + 'を含む' if orgs else ''}協定の締結件数（{statuses}）"
                    if ja else f"Agreements concluded ({statuses})"
                    + (f" with a partner of kind {orgs}" if orgs else ""))
        elif self.measure == "first_time_organizations":
            text = (f"初めて意見交換した{orgs or '団体'}の数（各団体の最初の意見交換の日に1）" if ja
                    else "Organizations met for the first time"
                    + (f" ({orgs})" if orgs else "") + ", each once, on its first meeting")
        else:
            text = (f"{'参加団体に' + orgs + 'を含む' if orgs else ''}意見交換の回数" if ja
                    else "Meetings held" + (f" with a participant of kind {orgs}" if orgs else ""))
        if self.tags:
            tags = ("・" if ja else ", ").join(self.tags)
            text += f"（タグ: {tags} のいずれか）" if ja else f"; tagged any of {tags}"
        return text


#: How the statuses that count read: an agreement counts only with a conclusion date.
_COUNTED_STATUS = {
    "concluded": ("締結済", "concluded"),
    "ended": ("終了", "ended"),
    "cancelled": ("締結後の中止", "cancelled after conclusion"),
}
