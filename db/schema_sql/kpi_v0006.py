"""The KPI SQL of migration 0006, verbatim: the `kpi` CHECK constraints, the
`kpi_count_filter` CHECK and the views of the rule language (plans; source x measure x
filters; `plan_code`, `weight` and `kpi_id` in the views). An auditor recomputes a computed
KPI at a date as baseline + sum(weight) of its `kpi_evidence` rows WHERE plan_code = ? AND
kpi_code = ? AND counted_on <= ?.
"""

KPI_CHECKS: dict[str, str] = {
    'kind': (
        "kind IN ('computed', 'measured')"
    ),
    'rule': (
        "rule IN ('events', 'attendees', 'agreements', 'meetings', 'companies', 'level', "
        "'annual', 'milestone')"
    ),
    'rule_matches_kind': (
        "(kind = 'computed' AND rule IN ('events', 'attendees', 'agreements', 'meetings', "
        "'companies')) OR (kind = 'measured' AND rule IN ('level', 'annual', "
        "'milestone'))"
    ),
    'count_matches_rule': (
        "(rule = 'events' AND count_source = 'events' AND count_measure = 'records') OR "
        "(rule = 'attendees' AND count_source = 'events' AND count_measure = 'attendees') "
        "OR (rule = 'agreements' AND count_source = 'agreements' AND count_measure = "
        "'records') OR (rule = 'meetings' AND count_source = 'meetings' AND count_measure "
        "= 'records') OR (rule = 'companies' AND count_source = 'meetings' AND "
        "count_measure = 'first_time_organizations') OR (rule IN ('level', 'annual', "
        "'milestone') AND count_source IS NULL AND count_measure IS NULL)"
    ),
    'formula': (
        "formula IN ('ratio', 'progress')"
    ),
    'direction': (
        "direction IN ('higher', 'lower')"
    ),
}

FILTER_CHECK = "filter IN ('organization_kind', 'event_kind', 'agreement_status', 'tag')"

VIEWS: dict[str, str] = {
    'kpi_counted_record': """
CREATE VIEW kpi_counted_record AS
SELECT k.code AS kpi_code, 'outreach_event' AS record_type, e.id AS record_id,
       e.held_on AS counted_on, CAST(NULL AS INTEGER) AS organization_id, e.title AS title,
       p.code AS plan_code, 1 AS weight, k.id AS kpi_id
FROM kpi k
JOIN plan p ON p.id = k.plan_id
JOIN outreach_event e ON e.archived_at IS NULL
WHERE k.count_source = 'events' AND k.count_measure = 'records'
  AND k.archived_at IS NULL AND p.archived_at IS NULL
  AND (NOT EXISTS (SELECT 1 FROM kpi_count_filter f
                 WHERE f.kpi_id = k.id AND f.filter = 'event_kind')
       OR EXISTS (SELECT 1 FROM kpi_count_filter f
                 WHERE f.kpi_id = k.id AND f.filter = 'event_kind'
                   AND f.value = e.kind))
  AND (NOT EXISTS (SELECT 1 FROM kpi_count_filter f
                 WHERE f.kpi_id = k.id AND f.filter = 'tag')
       OR EXISTS (SELECT 1 FROM kpi_count_filter f
                 WHERE f.kpi_id = k.id AND f.filter = 'tag'
                   AND EXISTS (SELECT 1 FROM outreach_event_tag x JOIN tag t ON t.id = x.tag_id
                               WHERE x.outreach_event_id = e.id AND t.name = f.value)))
UNION ALL
SELECT k.code, 'outreach_event', e.id, e.held_on, CAST(NULL AS INTEGER),
       e.title, p.code, COALESCE(e.attendees, 0), k.id
FROM kpi k
JOIN plan p ON p.id = k.plan_id
JOIN outreach_event e ON e.archived_at IS NULL
WHERE k.count_source = 'events' AND k.count_measure = 'attendees'
  AND k.archived_at IS NULL AND p.archived_at IS NULL
  AND (NOT EXISTS (SELECT 1 FROM kpi_count_filter f
                 WHERE f.kpi_id = k.id AND f.filter = 'event_kind')
       OR EXISTS (SELECT 1 FROM kpi_count_filter f
                 WHERE f.kpi_id = k.id AND f.filter = 'event_kind'
                   AND f.value = e.kind))
  AND (NOT EXISTS (SELECT 1 FROM kpi_count_filter f
                 WHERE f.kpi_id = k.id AND f.filter = 'tag')
       OR EXISTS (SELECT 1 FROM kpi_count_filter f
                 WHERE f.kpi_id = k.id AND f.filter = 'tag'
                   AND EXISTS (SELECT 1 FROM outreach_event_tag x JOIN tag t ON t.id = x.tag_id
                               WHERE x.outreach_event_id = e.id AND t.name = f.value)))
UNION ALL
SELECT k.code, 'agreement', a.id, a.concluded_on, CAST(NULL AS INTEGER),
       a.title, p.code, 1, k.id
FROM kpi k
JOIN plan p ON p.id = k.plan_id
JOIN agreement a ON a.concluded_on IS NOT NULL AND a.archived_at IS NULL
WHERE k.count_source = 'agreements' AND k.count_measure = 'records'
  AND k.archived_at IS NULL AND p.archived_at IS NULL
  AND (NOT EXISTS (SELECT 1 FROM kpi_count_filter f
                 WHERE f.kpi_id = k.id AND f.filter = 'agreement_status')
       OR EXISTS (SELECT 1 FROM kpi_count_filter f
                 WHERE f.kpi_id = k.id AND f.filter = 'agreement_status'
                   AND f.value = a.status))
  AND (NOT EXISTS (SELECT 1 FROM kpi_count_filter f
                 WHERE f.kpi_id = k.id AND f.filter = 'organization_kind')
       OR EXISTS (SELECT 1 FROM kpi_count_filter f
                 WHERE f.kpi_id = k.id AND f.filter = 'organization_kind'
                   AND EXISTS (SELECT 1 FROM agreement_partner ap
                               JOIN organization o ON o.id = ap.organization_id
                               WHERE ap.agreement_id = a.id
                                 AND o.archived_at IS NULL AND o.kind = f.value)))
  AND (NOT EXISTS (SELECT 1 FROM kpi_count_filter f
                 WHERE f.kpi_id = k.id AND f.filter = 'tag')
       OR EXISTS (SELECT 1 FROM kpi_count_filter f
                 WHERE f.kpi_id = k.id AND f.filter = 'tag'
                   AND EXISTS (SELECT 1 FROM agreement_tag x JOIN tag t ON t.id = x.tag_id
                               WHERE x.agreement_id = a.id AND t.name = f.value)))
UNION ALL
SELECT k.code, 'meeting', m.id, m.held_on, CAST(NULL AS INTEGER),
       m.title, p.code, 1, k.id
FROM kpi k
JOIN plan p ON p.id = k.plan_id
JOIN meeting m ON m.archived_at IS NULL
WHERE k.count_source = 'meetings' AND k.count_measure = 'records'
  AND k.archived_at IS NULL AND p.archived_at IS NULL
  AND (NOT EXISTS (SELECT 1 FROM kpi_count_filter f
                 WHERE f.kpi_id = k.id AND f.filter = 'organization_kind')
       OR EXISTS (SELECT 1 FROM kpi_count_filter f
                 WHERE f.kpi_id = k.id AND f.filter = 'organization_kind'
                   AND EXISTS (SELECT 1 FROM meeting_organization mo
                               JOIN organization o ON o.id = mo.organization_id
                               WHERE mo.meeting_id = m.id
                                 AND o.archived_at IS NULL AND o.kind = f.value)))
  AND (NOT EXISTS (SELECT 1 FROM kpi_count_filter f
                 WHERE f.kpi_id = k.id AND f.filter = 'tag')
       OR EXISTS (SELECT 1 FROM kpi_count_filter f
                 WHERE f.kpi_id = k.id AND f.filter = 'tag'
                   AND EXISTS (SELECT 1 FROM meeting_tag x JOIN tag t ON t.id = x.tag_id
                               WHERE x.meeting_id = m.id AND t.name = f.value)))
UNION ALL
SELECT k.code, 'meeting', m.id, m.held_on, fm.organization_id,
       m.title, p.code, 1, k.id
FROM (
    -- Each organization's first active meeting passing the KPI's tag filter, in one pass over
    -- the meetings: the smallest yyyymmdd * 10^10 + meeting id is the earliest meeting, the
    -- lowest id on that day.
    SELECT k1.id AS kpi_id, mo.organization_id,
           MIN(CAST(REPLACE(CAST(m1.held_on AS TEXT), '-', '') AS BIGINT) * 10000000000
               + m1.id) AS first_key
    FROM kpi k1 CROSS JOIN meeting m1 CROSS JOIN meeting_organization mo
    WHERE k1.count_measure = 'first_time_organizations' AND mo.meeting_id = m1.id
      AND m1.archived_at IS NULL
  AND (NOT EXISTS (SELECT 1 FROM kpi_count_filter f
                 WHERE f.kpi_id = k1.id AND f.filter = 'tag')
       OR EXISTS (SELECT 1 FROM kpi_count_filter f
                 WHERE f.kpi_id = k1.id AND f.filter = 'tag'
                   AND EXISTS (SELECT 1 FROM meeting_tag x JOIN tag t ON t.id = x.tag_id
                               WHERE x.meeting_id = m1.id AND t.name = f.value)))
    GROUP BY k1.id, mo.organization_id
) fm
JOIN kpi k ON k.id = fm.kpi_id
JOIN plan p ON p.id = k.plan_id
JOIN organization o ON o.id = fm.organization_id
JOIN meeting m ON m.id = fm.first_key % 10000000000
WHERE k.count_source = 'meetings' AND k.count_measure = 'first_time_organizations'
  AND k.archived_at IS NULL AND p.archived_at IS NULL
  AND o.archived_at IS NULL
  AND (NOT EXISTS (SELECT 1 FROM kpi_count_filter f
                 WHERE f.kpi_id = k.id AND f.filter = 'organization_kind')
       OR EXISTS (SELECT 1 FROM kpi_count_filter f
                 WHERE f.kpi_id = k.id AND f.filter = 'organization_kind'
                   AND f.value = o.kind))
""",
    'kpi_evidence': """
CREATE VIEW kpi_evidence AS
SELECT c.kpi_code, c.record_type, c.record_id, c.counted_on, c.organization_id, c.title,
       c.plan_code, c.weight, c.kpi_id
FROM kpi_counted_record c
JOIN kpi k ON k.id = c.kpi_id
WHERE c.counted_on > k.baseline_as_of
""",
}
