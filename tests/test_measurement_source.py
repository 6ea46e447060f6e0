"""Where a measured value comes from (kpi_measurement.source, migration 0013): entered in the
service, the TUI form and import files, exported, audited, in `crm kpi --format json`, printed
in the report beside the measurement date and part of the data fingerprint."""

from __future__ import annotations

import io
import json
from datetime import date
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import inspect, select, text

from cli.main import main
from crm.audit import chain as audit
from crm.context import Context
from crm.errors import DataError
from crm.io.exporting import ExportOptions, export_csv
from crm.io.importing import ImportFileError, import_file
from crm.models import KpiMeasurement
from crm.records import services
from db.migrate import alembic_config
from db.session import Database
from db.triggers import trigger_problems
from tests.conftest import BACKEND
from tests.test_cli import cli_db  # noqa: F401  (a fixture)
from tests.test_report import _squash, build, fill, page_texts
from tests.tui_factory import Seeded, press, running, seed
from tui.app import CRMApp
from tui.kit.form import FormScreen
from tui.widgets.field import Field

SURVEY = "庁内アンケート <b>&</b>"  # markup characters are data, never markup


def _measure(database: Database, ctx: Context, source: str | None) -> None:
    with database.writing() as session:
        services.record_measurement(session, ctx, kpi_code="app_awareness_rate",
                                    measured_on=date(2022, 12, 20), value=31.5, source=source)


def test_a_source_is_stored_and_one_over_200_characters_refused(
    database: Database, ctx: Context
) -> None:
    _measure(database, ctx, SURVEY)
    with database.writing() as session, pytest.raises(DataError) as refused:
        services.record_measurement(session, ctx, kpi_code="app_awareness_rate",
                                    measured_on=date(2022, 12, 21), value=1, source="出" * 201)
    assert refused.value.field == "source"
    with database.reading() as session:
        assert session.scalars(select(KpiMeasurement.source)).all() == [SURVEY]
        if BACKEND == "sqlite":  # PostgreSQL's audit_record records the whole row
            assert trigger_problems(session) == []
        logged = session.scalar(text(
            "SELECT new_values FROM audit_log WHERE table_name = 'kpi_measurement'"))
    assert json.loads(logged)["source"] == SURVEY


def test_import_and_export_carry_the_source(
    database: Database, ctx: Context, tmp_path: Path
) -> None:
    path = tmp_path / "m.csv"
    path.write_text("kpi,date,value,出典\napp_awareness_rate,2022-12-20,31.5,"
                    "総務省 通信利用動向調査\n", encoding="utf-8")
    with database.writing() as session:
        assert import_file(session, ctx, "measurements", path).added == 1
    out = io.StringIO()
    with database.reading() as session:
        export_csv(session, "measurements", out, ExportOptions())
    assert out.getvalue().splitlines()[-1].endswith(",総務省 通信利用動向調査,1,1")  # id, version
    too_long = tmp_path / "long.csv"
    too_long.write_text(f"kpi,date,value,source\napp_awareness_rate,2022-12-21,1,{'出' * 201}\n",
                        encoding="utf-8")
    with database.writing() as session, pytest.raises(ImportFileError) as refused:
        import_file(session, ctx, "measurements", too_long)
    message = str(refused.value)
    assert "long.csv" in message and "source" in message and "\n" not in message
    with database.reading() as session:
        assert len(session.scalars(select(KpiMeasurement)).all()) == 1


def test_kpi_json_shows_the_source(database: Database, ctx: Context, cli_db: list[str]) -> None:  # noqa: F811
    _measure(database, ctx, SURVEY)
    out = io.StringIO()
    assert main([*cli_db, "kpi", "--as-of", "2022-12-31", "--format", "json"], out=out) == 0
    rows = {row["code"]: row for row in json.loads(out.getvalue())}
    assert rows["app_awareness_rate"]["measurement_source"] == SURVEY
    assert rows["open_data_files"]["measurement_source"] is None


@pytest.mark.parametrize(("lang", "measured", "label"), [
    ("ja", "31.5 R4.12.20 測定", "出典: "), ("en", "31.5 measured 2022-12-20", "Source: "),
])
def test_the_report_prints_the_source_beside_the_date_and_fingerprints_it(
    database: Database, ctx: Context, lang: str, measured: str, label: str
) -> None:
    fill(database, ctx)
    without = build(database, lang=lang)
    _measure(database, ctx, None)
    unnamed = build(database, lang=lang)
    with database.writing() as session:
        session.execute(text("UPDATE kpi_measurement SET source = :s WHERE value = 31.5"),
                        {"s": SURVEY})
    named = build(database, lang=lang)
    summary = _squash("".join(page_texts(named.pdf)))
    # the cell's lines: the value, the date measured, the source (wrapped in the cell)
    assert _squash(f"{measured}{label}{SURVEY}") in summary
    assert _squash(label) not in _squash("".join(page_texts(unnamed.pdf)))
    # A source is data the report prints: naming one changes the fingerprint; adding a
    # measurement changes it too, as before.
    assert len({without.fingerprint, unnamed.fingerprint, named.fingerprint}) == 3


def test_the_migration_undoes_and_redoes_cleanly(database: Database, ctx: Context) -> None:
    _measure(database, ctx, SURVEY)
    config = alembic_config()
    with database.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0012")
        assert "source" not in {c["name"] for c in inspect(connection).get_columns(
            "kpi_measurement")}
        assert "no_personal" not in {c["name"] for c in inspect(connection).get_columns(
            "issued_report")}
        command.upgrade(config, "head")
    _measure(database, ctx, "総務省 通信利用動向調査")
    with database.reading() as session:
        assert trigger_problems(session) == []
        assert audit.verify(session).ok
        logged = session.scalars(text(
            "SELECT new_values FROM audit_log WHERE table_name = 'kpi_measurement'"
            " ORDER BY id")).all()
    assert [json.loads(v)["source"] for v in logged] == [SURVEY, "総務省 通信利用動向調査"]
    with database.reading() as session:  # the downgrade dropped the first one's source
        assert session.scalars(select(KpiMeasurement.source).order_by(
            KpiMeasurement.id)).all() == [None, "総務省 通信利用動向調査"]


@pytest.fixture
def seeded(database: Database, ctx: Context) -> Seeded:
    return seed(database, ctx)


async def test_the_measurement_form_takes_a_source(
    database: Database, ctx: Context, seeded: Seeded
) -> None:
    app = CRMApp(database, ctx)
    async with running(app, "6", "n") as pilot:
        screen = app.screen
        screen.query_one("#kpi_code").value = "ict-policy-2018/open_data_files"  # type: ignore[attr-defined]
        screen.query_one("#value").value = "2500"  # type: ignore[attr-defined]
        screen.query_one("#source").value = "出" * 201  # type: ignore[attr-defined]
        await press(pilot, "ctrl+s", until=lambda: screen.query_one(
            "#field-source", Field).error is not None)
        screen.query_one("#source").value = "CKAN 管理画面"  # type: ignore[attr-defined]
        await press(pilot, "ctrl+s", until=lambda: not isinstance(app.screen, FormScreen))
    with database.reading() as session:
        assert session.scalars(select(KpiMeasurement.source)).all() == ["CKAN 管理画面"]
