"""crm.io.opendata: the open-data CSV of outreach events and concluded agreements."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from cli.main import main
from crm.context import Context
from crm.errors import DataError
from crm.io.opendata import DATASETS, CityCode, export_opendata
from crm.models import Agreement, Organization
from crm.records import services
from db.session import Database


@pytest.fixture
def filled(database: Database, ctx: Context) -> Iterator[Database]:
    with database.writing() as session:
        def org(name: str, kind: str) -> int:
            created = services.create_organization(session, ctx, name=name, kind=kind)
            assert created.id is not None
            return created.id

        company, university, gone = (org("株式会社播磨データ", "company"),
                                     org("兵庫県立大学", "university"), org("旧社", "company"))
        services.add_contact(session, ctx, organization_id=company, name="個人 太郎",
                             email="taro@example.jp")
        for title, status, concluded, partners in [
            ("人流データ連携協定", "concluded", date(2022, 12, 5), [company, university, gone]),
            ("旧協定", "ended", date(2020, 4, 1), [university]),
            ("協議中の協定", "negotiating", None, [company]),
            ("=取りやめ", "cancelled", date(2021, 5, 1), [company]),
            ("保管した協定", "concluded", date(2022, 6, 1), [company]),
        ]:
            made = services.create_agreement(session, ctx, title=title, partner_ids=partners,
                                             status=status, concluded_on=concluded,
                                             datasets="人流データ" if concluded else None)
            if title == "保管した協定":
                assert made.id is not None
                services.archive(session, ctx, Agreement, made.id)
        services.archive(session, ctx, Organization, gone)
        staff = services.staff_ids_by_name(session, ctx, ["職員 花子"])
        services.log_event(session, ctx, held_on=date(2022, 11, 3), kind="in_city",
                           title="産業まつり", venue="日岡山公園", municipality="加古川市",
                           attendees=1234, staff_ids=staff, notes="担当: 職員 花子")
        services.log_event(session, ctx, held_on=date(2023, 1, 20), kind="lecture",
                           title="+スマホ教室", venue="公民館")
    yield database


def rows(database: Database, dataset: str, **kwargs: object) -> list[str]:
    out = io.StringIO(newline="")
    with database.reading() as session:
        count = export_opendata(session, dataset, out, **kwargs)  # type: ignore[arg-type]
    lines = out.getvalue().split("\r\n")[:-1]
    assert len(lines) == count + 1
    return lines


def test_events(filled: Database) -> None:
    assert rows(filled, "events") == [
        "全国地方公共団体コード,地方公共団体名,開催日,区分,名称,会場,開催市町村,参加者数",
        "282103,加古川市,2022-11-03,市内イベント,産業まつり,日岡山公園,加古川市,1234",
        "282103,加古川市,2023-01-20,出前講座,'+スマホ教室,公民館,,",
    ]


def test_concluded_agreements_only_with_active_partners(filled: Database) -> None:
    assert rows(filled, "agreements") == [
        "全国地方公共団体コード,地方公共団体名,協定名,締結日,開始日,終了日,状況,協定先,対象データ",
        "282103,加古川市,旧協定,2020-04-01,,,終了,兵庫県立大学,人流データ",
        "282103,加古川市,人流データ連携協定,2022-12-05,,,締結,兵庫県立大学;株式会社播磨データ,"
        "人流データ",
    ]


def test_no_personal_data(filled: Database) -> None:
    text = "\n".join(rows(filled, "events") + rows(filled, "agreements"))
    for personal in ("個人", "taro@", "職員", "花子"):
        assert personal not in text


def test_a_period_and_another_city(filled: Database) -> None:
    assert rows(filled, "events", start=date(2023, 1, 1), end=date(2023, 3, 31),
                city=CityCode("282022", "明石市"))[1:] == [
        "282022,明石市,2023-01-20,出前講座,'+スマホ教室,公民館,,",
    ]
    assert rows(filled, "agreements", start=date(2021, 4, 1), end=date(2022, 3, 31))[1:] == []


def test_an_unknown_dataset(filled: Database) -> None:
    with filled.reading() as session, pytest.raises(DataError, match="use one of: events"):
        export_opendata(session, "contacts", io.StringIO())
    assert set(DATASETS) == {"events", "agreements"}


@pytest.mark.usefixtures("english")
def test_the_opendata_command(
    filled: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    if not filled.url.startswith("sqlite"):
        pytest.skip("the CLI is tested on SQLite")
    db = ["--db", filled.engine.url.database or ""]
    target = tmp_path / "events.csv"
    assert main([*db, "opendata", "events", "--fiscal-year", "2022", "--quarter", "4",
                 "-o", str(target)]) == 0
    content = target.read_bytes()
    assert content.startswith("\ufeff全国地方公共団体コード".encode())
    assert content.decode("utf-8-sig").count("\r\n") == 2
    assert main([*db, "opendata", "agreements", "--fiscal-year", "2022", "--from",
                 "2022-04-01"]) == 2
    assert "not both" in capsys.readouterr().err
