"""The KPI rules, in one place: their codes, kinds and labels, and the SQL that enforces and
counts them (../shared/spec/kpis.md, docs/schema.md).

A KPI's `rule` says how its value is obtained. Computed rules count records: each is one
`CountingRule` entry that yields its own branch of the `kpi_counted_record` view (which
records, and the day each counts). Measured rules read values entered in `kpi_measurement`.
The `kpi` table's CHECK constraints and the views auditors query are generated from these
entries; migrations keep the SQL of each schema version as text (db/schema_sql/), and a test
holds the newest version to what this module generates, so changing a rule needs a migration.
"""

from __future__ import annotations

from dataclasses import dataclass

#: How a KPI's value is obtained: computed from records, or measured and entered.
KPI_KINDS = ("computed", "measured")

#: The columns of `kpi_counted_record`: one row per record that counts toward a KPI.
COUNTED_COLUMNS = ("kpi_code", "record_type", "record_id", "counted_on", "organization_id",
                   "title")


@dataclass(frozen=True, kw_only=True)
class Rule:
    """A way of obtaining a KPI's value, with its labels."""

    code: str
    kind: str
    ja: str
    en: str

    def label(self, lang: str) -> str:
        """The label in `lang` ('ja' or 'en')."""
        return self.ja if lang == "ja" else self.en


@dataclass(frozen=True, kw_only=True)
class CountingRule(Rule):
    """A computed rule: the records that count toward each KPI of the rule, and when.

    The records are rows of the table `record_type`, joined as `alias` to the KPI row `k` by
    `source` (the KPI's `rule_param` picks them) and kept by `filters` (conditions after the
    rule's own); each counts on its date column `counted_on`. `organization_id` names the one
    organization a record counts for, where there is one.
    """

    kind: str = "computed"
    record_type: str
    alias: str
    counted_on: str
    organization_id: str = "CAST(NULL AS INTEGER)"
    source: str
    filters: str

    def counted_sql(self, *, named: bool = False) -> str:
        """This rule's SELECT of `kpi_counted_record` rows; `named` aliases the columns (the
        first SELECT of the view's UNION names them)."""
        a = self.alias
        values = ("k.code", f"'{self.record_type}'", f"{a}.id", f"{a}.{self.counted_on}",
                  self.organization_id, f"{a}.title")
        if named:
            aliased = [f"{v} AS {c}" for v, c in zip(values, COUNTED_COLUMNS, strict=True)]
            select = f"{', '.join(aliased[:3])},\n       {', '.join(aliased[3:])}"
        else:
            select = ", ".join(values)
        return (
            f"SELECT {select}\nFROM kpi k\n{self.source}\n"
            f"WHERE k.rule = '{self.code}' AND k.archived_at IS NULL{self.filters}\n"
        )


#: Events of the kind in `rule_param`, on the day they were held.
EVENTS = CountingRule(
    code="events", ja="イベント・講座の回数", en="Events of a kind held",
    record_type="outreach_event", alias="e", counted_on="held_on",
    source="JOIN outreach_event e ON e.kind = k.rule_param",
    filters=" AND e.archived_at IS NULL",
)

#: Concluded agreements with an active partner of the class in `rule_param` (`private`: a
#: private company; `external`: any other kind), on the day they were concluded.
AGREEMENTS = CountingRule(
    code="agreements", ja="締結した協定の件数", en="Agreements concluded with a class of partner",
    record_type="agreement", alias="a", counted_on="concluded_on",
    source="JOIN agreement a ON a.concluded_on IS NOT NULL",
    filters=""" AND a.archived_at IS NULL
  AND EXISTS (
    SELECT 1 FROM agreement_partner p
    JOIN organization o ON o.id = p.organization_id
    WHERE p.agreement_id = a.id AND o.archived_at IS NULL
      AND ((k.rule_param = 'private' AND o.kind = 'company')
        OR (k.rule_param = 'external' AND o.kind <> 'company')))""",
)

#: Distinct active private companies met, each once, on the day of its first meeting.
COMPANIES = CountingRule(
    code="companies", ja="意見交換した民間企業の数", en="Distinct private companies met",
    record_type="meeting", alias="m", counted_on="held_on", organization_id="f.organization_id",
    source="""CROSS JOIN (
    -- Each organization's first active meeting in one pass over the meetings: the smallest
    -- yyyymmdd * 10^10 + meeting id is the earliest meeting, the lowest id on that day.
    SELECT mo.organization_id,
           MIN(CAST(REPLACE(CAST(m1.held_on AS TEXT), '-', '') AS BIGINT) * 10000000000
               + m1.id) AS first_key
    FROM meeting m1 CROSS JOIN meeting_organization mo
    WHERE mo.meeting_id = m1.id AND m1.archived_at IS NULL
    GROUP BY mo.organization_id
) f
JOIN organization o ON o.id = f.organization_id
JOIN meeting m ON m.id = f.first_key % 10000000000""",
    filters="\n  AND o.kind = 'company' AND o.archived_at IS NULL",
)

#: The computed rules, in the order of the view's UNION.
COUNTING_RULES: tuple[CountingRule, ...] = (EVENTS, AGREEMENTS, COMPANIES)

#: The measured rules: the latest value, a sum over each fiscal year, reached (1) or not (0).
MEASURED_RULES: tuple[Rule, ...] = (
    Rule(code="level", kind="measured", ja="最新の計測値", en="Latest measurement"),
    Rule(code="annual", kind="measured", ja="年度の合計", en="Sum over the fiscal year"),
    Rule(code="milestone", kind="measured", ja="達成・未達成", en="Milestone reached or not"),
)

RULES: tuple[Rule, ...] = (*COUNTING_RULES, *MEASURED_RULES)
KPI_RULES = tuple(r.code for r in RULES)
COMPUTED_RULES = tuple(r.code for r in COUNTING_RULES)


def rule(code: str) -> Rule:
    """The rule with this code; KeyError if there is none."""
    for r in RULES:
        if r.code == code:
            return r
    raise KeyError(code)


def kind_of(rule_code: str) -> str:
    """'computed' or 'measured': the kind of KPI a rule belongs to."""
    return rule(rule_code).kind


def _sql_list(codes: tuple[str, ...]) -> str:
    return "(" + ", ".join(f"'{c}'" for c in codes) + ")"


#: The `kpi` table's CHECK constraints on kind and rule, by constraint name.
KPI_CHECKS: dict[str, str] = {
    "kind": f"kind IN {_sql_list(KPI_KINDS)}",
    "rule": f"rule IN {_sql_list(KPI_RULES)}",
    "rule_matches_kind": " OR ".join(
        f"(kind = '{kind}' AND rule IN {_sql_list(tuple(r.code for r in RULES if r.kind == kind))})"
        for kind in KPI_KINDS
    ),
}

# The records that add to each computed KPI after its baseline date: an auditor recomputes
# any value as baseline + count(*) WHERE kpi_code = ? AND counted_on <= ?.
_EVIDENCE_VIEW = """
CREATE VIEW kpi_evidence AS
SELECT c.kpi_code, c.record_type, c.record_id, c.counted_on, c.organization_id, c.title
FROM kpi_counted_record c
JOIN kpi k ON k.code = c.kpi_code
WHERE c.counted_on > k.baseline_as_of
"""


def view_sql() -> dict[str, str]:
    """CREATE VIEW of `kpi_counted_record` (a UNION of every counting rule's SELECT) and of
    `kpi_evidence` (its rows after each KPI's baseline date), by view name, in creation order."""
    counted = "UNION ALL\n".join(
        r.counted_sql(named=i == 0) for i, r in enumerate(COUNTING_RULES)
    )
    return {
        "kpi_counted_record": f"\nCREATE VIEW kpi_counted_record AS\n{counted}",
        "kpi_evidence": _EVIDENCE_VIEW,
    }
