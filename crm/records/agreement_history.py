"""The status history of agreements (協定の状態の履歴): what is recorded, and from which day.

Each row of `agreement_status_change` holds an agreement's status and its dates as they were
from `effective_on`. The state of an agreement on a day is the row recorded last (highest id)
among those effective by that day, so a later correction overrides what it corrects from its
own date on. When anything of status, conclusion, start or end date changes, the services
and the importer call `record_changes`, which appends what the new state says:

- concluded: in force from its conclusion date;
- ended: concluded from its conclusion date (unless that is already recorded as it is), and
  ended from the day after its term's last day (or from today if the term has no end);
- cancelled: as concluded if it had been, then cancelled from today;
- proposed or negotiating: from today (Japan time).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Connection, bindparam, func, insert, select

from crm.context import Context
from crm.models import Agreement, AgreementStatusChange

_CHANGE = AgreementStatusChange.__table__  # type: ignore[attr-defined]
_AGREEMENT = Agreement.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class AgreementState:
    """An agreement's status and dates."""

    status: str
    concluded_on: date | None
    starts_on: date | None
    ends_on: date | None


def _concluded(state: AgreementState) -> tuple[str, date] | None:
    return None if state.concluded_on is None else ("concluded", state.concluded_on)


def changes_for(
    previous: AgreementState | None, current: AgreementState, today: date
) -> list[tuple[str, date]]:
    """(status, effective_on) rows to append when an agreement moves from the last recorded
    state `previous` (None: nothing recorded) to `current`; none if nothing changed."""
    if previous == current:
        return []
    status = current.status
    if status == "concluded":
        assert current.concluded_on is not None  # the agreement's CHECK constraint
        return [("concluded", current.concluded_on)]
    if status not in ("ended", "cancelled"):
        return [(status, today)]
    rows: list[tuple[str, date]] = []
    already = (previous is not None and previous.status == "concluded"
               and previous.concluded_on == current.concluded_on
               and previous.starts_on == current.starts_on)
    concluded = _concluded(current)
    if concluded is not None and not already:
        rows.append(concluded)
    if status == "ended" and current.ends_on is not None:
        rows.append(("ended", current.ends_on + timedelta(days=1)))
    else:
        rows.append((status, today))
    return rows


def _last_recorded(connection: Connection, ids: list[int]) -> dict[int, AgreementState]:
    last = (
        select(func.max(_CHANGE.c.id))
        .where(_CHANGE.c.agreement_id.in_(bindparam("ids", expanding=True)))
        .group_by(_CHANGE.c.agreement_id)
    )
    rows = connection.execute(
        select(_CHANGE.c.agreement_id, _CHANGE.c.status, _CHANGE.c.concluded_on,
               _CHANGE.c.starts_on, _CHANGE.c.ends_on).where(_CHANGE.c.id.in_(last)),
        {"ids": ids},
    )
    return {int(r[0]): AgreementState(*r[1:]) for r in rows}


def record_changes(connection: Connection, ctx: Context, agreement_ids: Iterable[int]) -> int:
    """Append the status history rows the current state of each agreement in
    `agreement_ids` calls for (compared with its last recorded state); how many."""
    ids = sorted(set(agreement_ids))
    rows: list[dict[str, Any]] = []
    now, today = ctx.now(), ctx.today()
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        previous = _last_recorded(connection, chunk)
        current = connection.execute(
            select(_AGREEMENT.c.id, _AGREEMENT.c.status, _AGREEMENT.c.concluded_on,
                   _AGREEMENT.c.starts_on, _AGREEMENT.c.ends_on)
            .where(_AGREEMENT.c.id.in_(chunk)).order_by(_AGREEMENT.c.id)
        )
        for agreement_id, *values in current:
            state = AgreementState(*values)
            rows += [
                {"agreement_id": agreement_id, "status": status, "effective_on": effective_on,
                 "concluded_on": state.concluded_on, "starts_on": state.starts_on,
                 "ends_on": state.ends_on, "recorded_at": now, "recorded_by": ctx.user}
                for status, effective_on in changes_for(previous.get(agreement_id), state, today)
            ]
    if rows:
        connection.execute(insert(_CHANGE), rows)
    return len(rows)
