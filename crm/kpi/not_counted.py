"""Why a record did not count: the records of a computed KPI's source in a period that add
nothing to it, each with the reason, worked out in SQL one page at a time.

The conditions are the view's own (crm.kpi.rules builds both from the same filter SQL), so a
record is listed here exactly when the `kpi_evidence` view leaves it out: the record archived,
dated on or before the KPI's baseline date, filtered out by organization kind, event kind,
agreement status or tag, its organization archived, or (first-time organizations) the
organization already met on an earlier date.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Date, Integer, bindparam, text
from sqlmodel import Session

from crm.calendar import FiscalPeriod
from crm.formatting import format_day
from crm.kpi.engine import KpiDefinition
from crm.kpi.rules import _filter, _tagged

#: Each reason code and its words (Japanese, English); {since} is the earlier meeting's date.
REASONS: dict[str, tuple[str, str]] = {
    "archived": ("記録がアーカイブ済み", "the record is archived"),
    "before_baseline": ("基準日以前の記録", "dated on or before the baseline date"),
    "organization_archived": ("団体がアーカイブ済み", "the organization is archived"),
    "organization_kind": ("団体の種別が対象外", "no organization of a counted kind"),
    "event_kind": ("種別が対象外", "an event kind not counted"),
    "status": ("状態が対象外", "a status not counted"),
    "tag": ("対象のタグなし", "none of the counted tags"),
    "already_met": ("{since} に意見交換済み", "already met on {since}"),
}

#: Rows per page of `not_counted`.
PAGE = 50


@dataclass(frozen=True)
class NotCounted:
    """A record of the KPI's source in the period that adds nothing, and why."""

    record_type: str
    record_id: int
    counted_on: date
    title: str
    organization: str | None
    reason: str
    since: date | None

    def reason_text(self, lang: str) -> str:
        """The reason in plain words, in `lang` (an earlier meeting's date in wareki in
        Japanese, as the dates beside it)."""
        ja, en = REASONS[self.reason]
        since = format_day(self.since, lang) if self.since else ""
        return (ja if lang == "ja" else en).format(since=since)


def _condition(sql: str) -> str:
    """A filter condition of crm.kpi.rules without its leading AND."""
    return sql.strip().removeprefix("AND").strip()


def _kind_of_partner(link: str, column: str) -> str:
    return _condition(_filter(
        "k", "organization_kind",
        f"EXISTS (SELECT 1 FROM {link} l2 JOIN organization o2 ON o2.id = l2.organization_id"
        f" WHERE l2.{column} = r.id AND o2.archived_at IS NULL AND o2.kind = f.value)"))


_COMMON = ("WHEN r.archived_at IS NOT NULL THEN 'archived'\n"
           "WHEN r.{date} <= k.baseline_as_of THEN 'before_baseline'\n")

#: Per rule: (record type, table, date column, extra joins, organization columns, reasons).
_NO_ORGANIZATION = ("CAST(NULL AS INTEGER)", "NULL")
_SOURCES: dict[str, tuple[str, str, str, str, tuple[str, str], list[tuple[str, str]]]] = {
    "meetings": ("meeting", "meeting", "held_on", "", _NO_ORGANIZATION, [
        ("organization_kind", _kind_of_partner("meeting_organization", "meeting_id")),
        ("tag", _condition(_tagged("k", "meeting_tag", "meeting_id", "r"))),
    ]),
    "companies": (
        "meeting", "meeting", "held_on",
        "JOIN meeting_organization mo ON mo.meeting_id = r.id\n"
        "JOIN organization o ON o.id = mo.organization_id",
        ("mo.organization_id", "o.name"), [
            ("organization_archived", "o.archived_at IS NULL"),
            ("organization_kind", _condition(_filter("k", "organization_kind",
                                                     "f.value = o.kind"))),
            ("tag", _condition(_tagged("k", "meeting_tag", "meeting_id", "r"))),
        ]),
    "agreements": ("agreement", "agreement", "concluded_on", "",
                   _NO_ORGANIZATION, [
        ("status", _condition(_filter("k", "agreement_status", "f.value = r.status"))),
        ("organization_kind", _kind_of_partner("agreement_partner", "agreement_id")),
        ("tag", _condition(_tagged("k", "agreement_tag", "agreement_id", "r"))),
    ]),
    "events": ("outreach_event", "outreach_event", "held_on", "",
               _NO_ORGANIZATION, [
        ("event_kind", _condition(_filter("k", "event_kind", "f.value = r.kind"))),
        ("tag", _condition(_tagged("k", "outreach_event_tag", "outreach_event_id", "r"))),
    ]),
}
_SOURCES["attendees"] = _SOURCES["events"]


_MEETINGS_OF = "meeting_organization mo1 JOIN meeting m1 ON m1.id = mo1.meeting_id"


def _meetings_of(organization: str, kpi: str, before: str | None = None) -> str:
    """The conditions on `_MEETINGS_OF` keeping the active meetings of `organization` that pass
    the tag filter of KPI `kpi`, held before meeting `before` (by date, then id) if given."""
    earlier = ("" if before is None else
               f" AND (m1.held_on < {before}.held_on"
               f" OR (m1.held_on = {before}.held_on AND m1.id < {before}.id))")
    return (f"mo1.organization_id = {organization} AND m1.archived_at IS NULL"
            f"{earlier}{_tagged(kpi, 'meeting_tag', 'meeting_id', 'm1')}")


# The view's first-time rule: a meeting counts an organization only if it is the earliest
# active meeting with it passing the tag filter; an earlier one means it was already met.
_ALREADY_MET = (f"WHEN EXISTS (SELECT 1 FROM {_MEETINGS_OF}"
                f" WHERE {_meetings_of('mo.organization_id', 'k', 'r')}) THEN 'already_met'\n")
# The date it was first met: looked up for the rows of one page only (a subquery per row).
_FIRST_MET = ("CASE WHEN p.reason = 'already_met' THEN (SELECT MIN(m1.held_on)"
              f" FROM kpi k CROSS JOIN {_MEETINGS_OF}"
              f" WHERE k.id = :kpi_id AND {_meetings_of('p.organization_id', 'k')}) END")


def _sql(rule: str) -> str:
    """The SELECT of a rule's records in the period that did not count, with their reason."""
    record_type, table, day, joins, organization, reasons = _SOURCES[rule]
    cases = _COMMON.format(date=day) + "".join(
        f"WHEN NOT ({condition}) THEN '{code}'\n" for code, condition in reasons)
    if rule == "companies":
        cases += _ALREADY_MET
    inner = (
        f"SELECT '{record_type}' AS record_type, r.id AS record_id, r.{day} AS counted_on,"
        f" r.title AS title,\n  {organization[0]} AS organization_id,"
        f" {organization[1]} AS organization,\n  CASE {cases}  END AS reason\n"
        f"FROM kpi k JOIN {table} r ON r.{day} BETWEEN :start AND :end\n{joins}\n"
        "WHERE k.id = :kpi_id"
    )
    return f"SELECT * FROM ({inner}) c WHERE reason IS NOT NULL"


def _params(kpi: KpiDefinition, period: FiscalPeriod) -> dict[str, Any]:
    return {"kpi_id": kpi.id, "start": period.start, "end": period.end}


_DATES = (bindparam("start", type_=Date), bindparam("end", type_=Date))


def not_counted(session: Session, kpi: KpiDefinition, period: FiscalPeriod, *,
                offset: int = 0, limit: int = PAGE) -> list[NotCounted]:
    """One page of the records of computed `kpi`'s source dated in `period` that did not
    count, oldest first, each with its reason; [] for a measured KPI."""
    if kpi.rule not in _SOURCES:
        return []
    since = _FIRST_MET if kpi.rule == "companies" else "NULL"
    # The page is cut first, so that the date first met is looked up for its rows only.
    query = text(
        f"SELECT p.*, {since} AS since FROM ({_sql(kpi.rule)}"
        " ORDER BY counted_on, record_id, organization_id LIMIT :limit OFFSET :offset) p"
        " ORDER BY p.counted_on, p.record_id, p.organization_id"
    ).bindparams(*_DATES, bindparam("limit", type_=Integer),
                 bindparam("offset", type_=Integer)).columns(counted_on=Date, since=Date)
    rows = session.execute(query, _params(kpi, period) | {"limit": limit, "offset": offset})
    return [NotCounted(r.record_type, int(r.record_id), r.counted_on, r.title, r.organization,
                       r.reason, r.since) for r in rows]


def count_not_counted(session: Session, kpi: KpiDefinition, period: FiscalPeriod) -> int:
    """How many rows `not_counted` has in all for `kpi` and `period`."""
    if kpi.rule not in _SOURCES:
        return 0
    query = text(f"SELECT count(*) FROM ({_sql(kpi.rule)}) n").bindparams(*_DATES)
    return int(session.execute(query, _params(kpi, period)).scalar_one())
