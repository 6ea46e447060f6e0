"""The KPI SQL of migration 0001, verbatim: the `kpi` CHECK constraints and the views.

How each computed KPI counts (docs/schema.md, ../shared/spec/kpis.md): `kpi_counted_record`
has one row per record that counts toward a KPI, on the day it counts, whatever the baseline
date; `kpi_evidence` the records that add to each computed KPI after its baseline date, so
that an auditor recomputes any value as baseline + count(*) WHERE kpi_code = ? AND
counted_on <= ?.
"""

KPI_CHECKS: dict[str, str] = {
    "kind": "kind IN ('computed', 'measured')",
    "rule": "rule IN ('events', 'agreements', 'companies', 'level', 'annual', 'milestone')",
    "rule_matches_kind": (
        "(kind = 'computed' AND rule IN ('events', 'agreements', 'companies'))"
        " OR (kind = 'measured' AND rule IN ('level', 'annual', 'milestone'))"
    ),
}

VIEWS: dict[str, str] = {
    "kpi_counted_record": """
CREATE VIEW kpi_counted_record AS
SELECT k.code AS kpi_code, 'outreach_event' AS record_type, e.id AS record_id,
       e.held_on AS counted_on, CAST(NULL AS INTEGER) AS organization_id, e.title AS title
FROM kpi k
JOIN outreach_event e ON e.kind = k.rule_param
WHERE k.rule = 'events' AND k.archived_at IS NULL AND e.archived_at IS NULL
UNION ALL
SELECT k.code, 'agreement', a.id, a.concluded_on, CAST(NULL AS INTEGER), a.title
FROM kpi k
JOIN agreement a ON a.concluded_on IS NOT NULL
WHERE k.rule = 'agreements' AND k.archived_at IS NULL AND a.archived_at IS NULL
  AND EXISTS (
    SELECT 1 FROM agreement_partner p
    JOIN organization o ON o.id = p.organization_id
    WHERE p.agreement_id = a.id AND o.archived_at IS NULL
      AND ((k.rule_param = 'private' AND o.kind = 'company')
        OR (k.rule_param = 'external' AND o.kind <> 'company')))
UNION ALL
SELECT k.code, 'meeting', m.id, m.held_on, f.organization_id, m.title
FROM kpi k
CROSS JOIN (
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
JOIN meeting m ON m.id = f.first_key % 10000000000
WHERE k.rule = 'companies' AND k.archived_at IS NULL
  AND o.kind = 'company' AND o.archived_at IS NULL
""",
    "kpi_evidence": """
CREATE VIEW kpi_evidence AS
SELECT c.kpi_code, c.record_type, c.record_id, c.counted_on, c.organization_id, c.title
FROM kpi_counted_record c
JOIN kpi k ON k.code = c.kpi_code
WHERE c.counted_on > k.baseline_as_of
""",
}
