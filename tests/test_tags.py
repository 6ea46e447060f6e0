"""Tags on meetings, agreements and events: the services, the `tags` column of import files
(all or nothing; left out: tags kept) and `crm tags`."""

from __future__ import annotations

import io
import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlmodel import Session, col

from cli.main import main
from crm import models as m
from crm import tags
from crm.context import Context, fixed_clock
from crm.records import services
from db.session import URL_VARIABLE, Database
from tests import io_databases
from tests.io_databases import filled_fixtures
from tests.test_importing import assert_names_cell, counts, load, refused, write

database = io_databases.database

CTX = Context(user="tagger", clock=fixed_clock(datetime(2024, 5, 1, 3, 0, tzinfo=UTC)))
KOBE = "株式会社神戸製鋼所"


def seed(database: Database) -> None:
    with database.writing() as session:
        services.create_organization(session, CTX, name=KOBE, kind="company")


seeded_template, seeded = filled_fixtures("seeded", CTX, seed)


def record_tags(session: Session, entity: str, model: type[m.Tracked]) -> dict[str, list[str]]:
    """Each record's title -> its tags, by name."""
    return {
        record.title: tags.tags_of(session, tags.LINKS[entity], record.id or 0)
        for record in session.scalars(select(model).order_by(col(model.id)))
    }


def test_the_services_take_tags_and_keep_them_when_left_out(seeded: Database) -> None:
    with seeded.writing() as s:
        kobe = services.find_organization(s, KOBE)
        assert kobe is not None and kobe.id is not None
        meeting = services.log_meeting(s, CTX, held_on=date(2024, 4, 2), title="協議",
                                       organization_ids=[kobe.id], tags=[" 防災", "防災", ""])
        event = services.log_event(s, CTX, held_on=date(2024, 4, 3), kind="lecture",
                                   title="講座", tags=["スマートシティ"])
        agreement = services.create_agreement(s, CTX, title="協定", partner_ids=[kobe.id])
        assert meeting.id and event.id and agreement.id
        services.update_meeting(s, CTX, meeting.id, held_on=date(2024, 4, 2), title="協議",
                                organization_ids=[kobe.id])
        services.update_event(s, CTX, event.id, held_on=date(2024, 4, 3), kind="lecture",
                              title="講座", tags=[])
        services.update_agreement(s, CTX, agreement.id, title="協定", partner_ids=[kobe.id],
                                  tags=["防災", "データ"])
    with seeded.reading() as s:
        assert record_tags(s, "meetings", m.Meeting) == {"協議": ["防災"]}
        assert record_tags(s, "events", m.OutreachEvent) == {"講座": []}
        assert record_tags(s, "agreements", m.Agreement) == {"協定": ["データ", "防災"]}
        assert [(t.name, t.meetings, t.agreements, t.events) for t in tags.list_tags(s)] == [
            ("スマートシティ", 0, 0, 0), ("データ", 0, 1, 0), ("防災", 1, 1, 0)]


MEETINGS = (
    "日付,件名,相手先,タグ\n"
    f"2024-04-02,協議,{KOBE},防災;スマートシティ\n"
    f"2024-04-09,報告,{KOBE},\n"
    f"2024-04-16,相談,{KOBE},防災\\;訓練、防災\n"
)


def test_tags_are_imported_created_on_first_use_and_reimported_unchanged(
    seeded: Database, tmp_path: Path
) -> None:
    path = write(tmp_path, MEETINGS)
    assert load(seeded, "meetings", path).added == 3
    again = load(seeded, "meetings", path)
    assert (again.added, again.updated, again.unchanged) == (0, 0, 3)
    with seeded.reading() as s:
        assert record_tags(s, "meetings", m.Meeting) == {
            "協議": ["スマートシティ", "防災"], "報告": [], "相談": ["防災", "防災;訓練"]}
        assert sorted(s.scalars(select(col(m.Tag.name)))) == ["スマートシティ", "防災", "防災;訓練"]


def test_changed_tags_update_and_a_file_without_the_column_keeps_them(
    seeded: Database, tmp_path: Path
) -> None:
    load(seeded, "meetings", write(tmp_path, MEETINGS))
    changed = (
        "date,title,organizations,tags\n"
        f"2024-04-02,協議,{KOBE},防災\n"
        f"2024-04-09,報告,{KOBE},データ\n"
        f"2024-04-16,相談,{KOBE},防災;防災\\;訓練\n"
    )
    result = load(seeded, "meetings", write(tmp_path, changed, name="changed.csv"))
    assert (result.added, result.updated, result.unchanged) == (0, 2, 1)
    without = f"date,title,organizations,summary\n2024-04-02,協議,{KOBE},要旨\n"
    assert load(seeded, "meetings", write(tmp_path, without, name="without.csv")).updated == 1
    with seeded.reading() as s:
        assert record_tags(s, "meetings", m.Meeting) == {
            "協議": ["防災"], "報告": ["データ"], "相談": ["防災", "防災;訓練"]}


def test_agreements_and_events_take_tags(seeded: Database, tmp_path: Path) -> None:
    agreements = f"title,partners,status,tags\n協定,{KOBE},proposed,スマートシティ\n"
    events = ("date,kind,title,attendees,タグ\n"
              "2024-05-01,lecture,講座,12,スマートシティ；防災\n"
              "2024-05-02,in_city,まつり,100,\n")
    load(seeded, "agreements", write(tmp_path, agreements, name="a.csv"))
    load(seeded, "events", write(tmp_path, events, name="e.csv"))
    with seeded.reading() as s:
        assert record_tags(s, "agreements", m.Agreement) == {"協定": ["スマートシティ"]}
        assert record_tags(s, "events", m.OutreachEvent) == {
            "講座": ["スマートシティ", "防災"], "まつり": []}


def test_a_tag_too_long_is_refused_at_its_cell_and_nothing_is_kept(
    seeded: Database, tmp_path: Path
) -> None:
    long = "長" * 51
    text = ("date,title,organizations,tags\n"
            f"2024-04-02,協議,{KOBE},新しいタグ\n"
            f"2024-04-09,報告,{KOBE},防災;{long}\n")
    path = write(tmp_path, text)
    error = refused(seeded, "meetings", path)
    assert_names_cell(error, path, 3, "tags", f"防災;{long}")
    assert "longer than 50 characters" in str(error)
    with seeded.reading() as s:
        assert list(s.scalars(select(m.Tag))) == []


def test_a_dry_run_creates_no_tag(seeded: Database, tmp_path: Path) -> None:
    from crm.io.importing import import_file

    before = counts(seeded)
    with seeded.writing() as s:
        result = import_file(s, CTX, "meetings", write(tmp_path, MEETINGS), dry_run=True)
    assert result.added == 3
    assert counts(seeded) == before


@pytest.mark.parametrize("entity", ["meetings", "agreements", "events"])
def test_tags_survive_an_export_and_import(
    seeded: Database, tmp_path: Path, entity: str
) -> None:
    from crm.io.exporting import ExportOptions, export_csv

    files = {
        "meetings": MEETINGS,
        "agreements": f"title,partners,tags\n協定,{KOBE},防災\\;訓練;データ\n",
        "events": "date,kind,title,tags\n2024-05-01,lecture,講座,スマートシティ\n",
    }
    load(seeded, entity, write(tmp_path, files[entity]))
    exported = tmp_path / "out.csv"
    with seeded.reading() as s, exported.open("w", encoding="utf-8", newline="") as out:
        export_csv(s, entity, out, ExportOptions(include_personal=True))
    again = load(seeded, entity, exported)
    assert (again.added, again.updated) == (0, 0)
    assert "tags" in exported.read_text(encoding="utf-8").splitlines()[0].split(",")


# --- crm tags --------------------------------------------------------------------------------


@pytest.fixture
def tagged(seeded: Database, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Database:
    """Two meetings, an agreement and an event with tags; `crm` runs on this database."""
    load(seeded, "meetings", write(tmp_path, MEETINGS, name="m.csv"))
    events = "date,kind,title,tags\n2024-05-01,lecture,講座,スマートシティ\n"
    load(seeded, "events", write(tmp_path, events, name="e.csv"))
    monkeypatch.setenv(URL_VARIABLE, seeded.url)
    return seeded


def crm(*args: str) -> tuple[int, str]:
    out = io.StringIO()
    return main(list(args), out=out), out.getvalue()


def test_tags_list_counts_each_kind_of_record(tagged: Database) -> None:
    code, text = crm("--lang", "en", "tags", "list")
    assert code == 0
    assert text.splitlines() == [
        "Tag             Meetings  Agreements  Events",
        "--------------  --------  ----------  ------",
        "スマートシティ         1           0       1",
        "防災                   2           0       0",
        "防災;訓練              1           0       0",
    ]
    code, text = crm("tags", "list", "--format", "json")
    assert (code, json.loads(text)) == (0, [
        {"name": "スマートシティ", "meetings": 1, "agreements": 0, "events": 1},
        {"name": "防災", "meetings": 2, "agreements": 0, "events": 0},
        {"name": "防災;訓練", "meetings": 1, "agreements": 0, "events": 0},
    ])


@pytest.mark.usefixtures("english")
def test_tags_rename_and_its_refusals(
    tagged: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    renamed = crm("tags", "rename", "防災;訓練", " 訓練 ")
    assert renamed == (0, "renamed tag '防災;訓練' to '訓練'\n")
    before = counts(tagged)
    assert crm("--lang", "en", "tags", "rename", "訓練", "防災") == (1, "")
    assert capsys.readouterr().err == "crm: tag '防災' exists already\n"
    assert crm("--lang", "en", "tags", "rename", "訓", "x") == (1, "")
    assert capsys.readouterr().err == "crm: no tag '訓'\n"
    assert counts(tagged) == before
    with tagged.reading() as s:
        assert record_tags(s, "meetings", m.Meeting)["相談"] == ["訓練", "防災"]
