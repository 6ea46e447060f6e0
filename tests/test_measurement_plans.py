"""A KPI code in two plans: measurements name the plan (file column `plan`, service `plan=`)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlmodel import col

from crm import models as m
from crm.context import Context, fixed_clock
from crm.errors import DataError, NotFoundError
from crm.kpi import plans
from crm.kpi.plan_file import read_plan
from crm.records import services
from db.session import Database
from tests import io_databases
from tests.io_databases import filled_fixtures
from tests.test_importing import assert_names_cell, load, refused, write

database = io_databases.database

CTX = Context(user="measurer", clock=fixed_clock(datetime(2024, 5, 1, 3, 0, tzinfo=UTC)))

#: A second plan with a KPI of the same code as the shipped plan's open_data_files.
PLAN = """
[plan]
code = "next-2023"
name_ja = "次期計画"
name_en = "Next plan"
first_fiscal_year = 2023
last_fiscal_year = 2027

[[kpi]]
code = "open_data_files"
name_ja = "オープンデータ数（次期）"
name_en = "Open-data files (next)"
unit = "件"
policy_ref = "1-(1)"
kind = "level"
baseline = 2100
baseline_as_of = "2023-03-31"
target = 3000
target_by = "2028-03-31"
"""


def add_plan(database: Database, tmp_path: Path) -> None:
    path = tmp_path / "next-2023.toml"
    path.write_text(PLAN, encoding="utf-8")
    with database.writing() as s:
        assert plans.import_plan(s, CTX, read_plan(path), path.name)


def noop(database: Database) -> None:
    """The shipped plan only."""


shipped_template, shipped = filled_fixtures("shipped", CTX, noop)


def measured(database: Database) -> list[tuple[str, str, date, float]]:
    """(plan, KPI, date, value) of every measurement."""
    query = (select(col(m.Plan.code), col(m.Kpi.code), col(m.KpiMeasurement.measured_on),
                    col(m.KpiMeasurement.value))
             .join(m.Kpi, col(m.Kpi.id) == col(m.KpiMeasurement.kpi_id))
             .join(m.Plan, col(m.Plan.id) == col(m.Kpi.plan_id))
             .order_by(col(m.KpiMeasurement.id)))
    with database.reading() as s:
        return [tuple(row) for row in s.execute(query)]  # type: ignore[misc]


def test_a_code_in_one_plan_needs_no_plan_and_a_file_without_the_column_still_imports(
    shipped: Database, tmp_path: Path
) -> None:
    text = "kpi,date,value\nopen_data_files,2022-03-31,2100\n"
    load(shipped, "measurements", write(tmp_path, text))
    assert measured(shipped) == [("ict-policy-2018", "open_data_files", date(2022, 3, 31), 2100)]


def test_the_plan_column_picks_the_kpi_and_is_required_only_when_ambiguous(
    shipped: Database, tmp_path: Path
) -> None:
    add_plan(shipped, tmp_path)
    text = ("kpi,計画,date,value\n"
            "open_data_files,next-2023,2024-03-31,2400\n"
            "open_data_files,ict-policy-2018,2023-03-31,2100\n"
            "app_awareness_rate,,2023-03-31,20\n")  # in one plan only: no plan needed
    assert load(shipped, "measurements", write(tmp_path, text)).added == 3
    assert measured(shipped) == [
        ("next-2023", "open_data_files", date(2024, 3, 31), 2400),
        ("ict-policy-2018", "open_data_files", date(2023, 3, 31), 2100),
        ("ict-policy-2018", "app_awareness_rate", date(2023, 3, 31), 20),
    ]


@pytest.mark.parametrize(("text", "row", "column", "value", "reason"), [
    ("kpi,date,value\napp_awareness_rate,2023-03-31,20\nopen_data_files,2024-03-31,2400\n",
     3, "kpi", "open_data_files",
     "KPI 'open_data_files' is in more than one plan (ict-policy-2018, next-2023)"),
    ("kpi,plan,date,value\nopen_data_files,,2024-03-31,2400\n",
     2, "kpi", "open_data_files", "is in more than one plan"),
    ("kpi,plan,date,value\nopen_data_files,next-2024,2024-03-31,2400\n",
     2, "plan", "next-2024", "unknown plan 'next-2024'; known: ict-policy-2018, next-2023"),
    ("kpi,plan,date,value\napp_awareness_rate,next-2023,2024-03-31,20\n",
     2, "kpi", "app_awareness_rate", "unknown KPI 'app_awareness_rate' in plan next-2023"),
])
def test_an_ambiguous_or_wrong_plan_is_refused_at_its_cell(
    shipped: Database, tmp_path: Path, text: str, row: int, column: str, value: str,
    reason: str,
) -> None:
    add_plan(shipped, tmp_path)
    path = write(tmp_path, text)
    error = refused(shipped, "measurements", path)
    assert_names_cell(error, path, row, column, value)
    assert reason in str(error)


def test_the_service_takes_the_plan(shipped: Database, tmp_path: Path) -> None:
    add_plan(shipped, tmp_path)
    with shipped.writing() as s:
        with pytest.raises(DataError, match="more than one plan") as caught:
            services.record_measurement(s, CTX, kpi_code="open_data_files",
                                        measured_on=date(2024, 3, 31), value=2400)
        assert caught.value.field == "kpi"
        with pytest.raises(NotFoundError, match="unknown plan 'x'") as missing:
            services.kpi_by_code(s, "open_data_files", "x")
        assert missing.value.field == "plan"
        services.record_measurement(s, CTX, kpi_code=" open_data_files ", plan="next-2023",
                                    measured_on=date(2024, 3, 31), value=2400)
    assert measured(shipped) == [("next-2023", "open_data_files", date(2024, 3, 31), 2400)]
