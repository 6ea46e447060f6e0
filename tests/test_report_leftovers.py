"""Three things the council report got wrong beside the figures: an issued report's record of
--no-personal, one judgement on the target day for `crm kpi` and the PDF, and the evidence
labels of a meeting that first counts two companies."""

from __future__ import annotations

import io
import json
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from cli.main import main
from crm.calendar import FiscalPeriod
from crm.context import Context
from crm.kpi import engine
from crm.models import IssuedReport
from crm.records import services
from db.session import Database
from tests.test_cli import cli_db  # noqa: F401  (a fixture)
from tests.test_report import _squash, build, fill, page_texts

STAMP = "2023-01-10T09:30+09:00"
TARGET_DAY = date(2023, 3, 31)  # the shipped plan's target date


def run(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    return main(list(argv), out=out), out.getvalue()


@pytest.mark.usefixtures("english")
def test_an_issued_report_records_whether_names_were_left_out(
    database: Database, ctx: Context, cli_db: list[str], tmp_path: Path  # noqa: F811
) -> None:
    fill(database, ctx)
    for extra in (["--no-personal"], []):
        code, out = run(*cli_db, "report", "--fiscal-year", "2022", "--quarter", "3",
                        "--generated-at", STAMP, "--issue", "-o", str(tmp_path / "q3.pdf"),
                        *extra)
        assert code == 0, out
    code, out = run(*cli_db, "--lang", "en", "report", "history")
    assert code == 0
    header, _rule, first, second = out.splitlines()[:4]
    assert header.split()[-1] == "Names"
    assert first.endswith("left out (--no-personal)") and second.endswith("printed")
    code, out = run(*cli_db, "--lang", "ja", "report", "history")
    assert out.splitlines()[2].endswith("省略（--no-personal）")
    with database.reading() as session:
        stored = session.scalars(select(IssuedReport.no_personal).order_by(IssuedReport.id))
        assert list(stored) == [True, False]


def test_on_the_target_day_crm_kpi_and_the_report_give_one_judgement(
    database: Database, ctx: Context, cli_db: list[str]  # noqa: F811
) -> None:
    fill(database, ctx)
    code, out = run(*cli_db, "kpi", "--as-of", TARGET_DAY.isoformat(), "--format", "json")
    assert code == 0
    shown = {row["code"]: row for row in json.loads(out)}
    with database.reading() as session:
        annual = {f.code: f for f in engine.compute_for_period(session, FiscalPeriod(2022))}
    due = [code for code, row in shown.items() if row["target_by"] == TARGET_DAY.isoformat()]
    assert len(due) >= 10
    for code in due:
        assert shown[code]["status"] in ("achieved", "not_achieved"), code
        assert shown[code]["status"] == annual[code].status, code
        assert shown[code]["judgement"] == shown[code]["status"], code
    # the table prints the same word as the PDF's summary (lectures: 4 of 10, not achieved)
    code, table = run(*cli_db, "kpi", "--as-of", TARGET_DAY.isoformat())
    lectures = next(line for line in table.splitlines() if "出前講座の開催回数" in line)
    assert "未達成" in lectures and "遅れ" not in table
    summary = _squash("".join(page_texts(build(database, FiscalPeriod(2022)).pdf)[1:3]))
    table_rows = summary.split("評価:A")[0]  # the notes below explain every word
    missed = [code for code in due if shown[code]["status"] == "not_achieved"]
    assert "遅れ" not in table_rows and table_rows.count("未達成") == len(missed)


def test_a_meeting_that_first_counts_two_companies_names_each(
    database: Database, ctx: Context
) -> None:
    with database.writing() as session:
        ids = [services.create_organization(session, ctx, name=name, kind="company").id or 0
               for name in ("株式会社一番", "株式会社二番")]
        services.log_meeting(session, ctx, held_on=date(2022, 10, 5), title="合同の意見交換",
                             organization_ids=ids)
    with database.reading() as session:
        rows = engine.evidence(session, "companies_consulted", since=date(2022, 10, 1))
    assert sorted(r.organizations for r in rows) == ["株式会社一番", "株式会社二番"]
    assert {r.title for r in rows} == {"合同の意見交換"}
