"""The benchmark generator meets some companies for the first time after the KPI baseline, so
that the benchmarks measure the first-meeting rule on a non-zero count."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy import text

from bench.generate import LATE, first_met, generate
from crm.kpi import engine as kpi
from db.engine import sqlite_url
from db.session import Database

BASELINE = date(2018, 12, 31)


def test_late_companies_are_first_met_on_their_day_and_counted(tmp_path: Path) -> None:
    counts = generate(tmp_path / "bench.sqlite3", meetings=3000)
    database = Database.open(sqlite_url(tmp_path / "bench.sqlite3"))
    with database.reading() as session:
        firsts = dict(session.execute(text(
            "SELECT o.id, min(m.held_on) FROM organization o"
            " JOIN meeting_organization mo ON mo.organization_id = o.id"
            " JOIN meeting m ON m.id = mo.meeting_id"
            " WHERE o.kind = 'company' GROUP BY o.id")).all())
        figures = {f.code: f for f in kpi.compute_at(session, date(2025, 3, 31))}
    database.dispose()
    late = [o for o in range(1, counts["organizations"] + 1) if o % LATE == 0]
    assert late and all(o in firsts for o in late)
    for organization in late:
        day = first_met(organization)
        assert day is not None and firsts[organization] >= day > BASELINE.isoformat()
    assert all(firsts[o] <= BASELINE.isoformat() for o in firsts if o % LATE)
    consulted = figures["companies_consulted"]
    # The shipped baseline (3, crm/kpi/catalog.py) plus each late company, once.
    assert consulted.value == 3 + len(late)
