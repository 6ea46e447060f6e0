"""Nothing entered is lost: kills, concurrent writers, busy locks, backups, upgrades, read-only.

The figures the issue asks for are printed with `pytest -s` (lines starting `safety:`).
"""

from __future__ import annotations

import io
import os
import random
import signal
import sqlite3
import stat
import time
import traceback
from datetime import date
from pathlib import Path
from typing import NoReturn

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import bindparam, text

import db.engine
from cli.main import main
from crm.audit import chain as audit
from crm.context import Context
from crm.io.importing import import_file
from crm.records import services as s
from db.engine import make_engine, sqlite_url
from db.migrate import alembic_config, current_revision, head_revision, upgrade
from db.schema_sql.search import is_search_table
from db.session import Database
from tests.conftest import BACKEND

pytestmark = pytest.mark.skipif(
    BACKEND != "sqlite", reason="kills, file locks, backups and file modes are SQLite matters"
)

KILLS = 30
CONCURRENT_SAVES = 200
IMPORT_ROWS = 40


def run(argv: list[str]) -> tuple[int, str]:
    out = io.StringIO()
    return main(argv, out=out), out.getvalue()


def audit_rows(path: Path) -> int:
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return connection.execute("SELECT count(*) FROM audit_log").fetchone()[0]
    finally:
        connection.close()


# --- writers in other processes -------------------------------------------------------------


def _partners(database: Database, ctx: Context) -> tuple[list[int], list[int]]:
    with database.writing() as session:
        a = s.create_organization(session, ctx, name="株式会社甲", kind="company").id or 0
        b = s.create_organization(session, ctx, name="乙大学", kind="university").id or 0
        staff = s.create_staff(session, ctx, name="職員甲").id or 0
    return [a, b], [staff]


def _writer(url: str, tag: str, report: int, saves: int | None, work: Path,
            organizations: list[int], staff: list[int]) -> NoReturn:
    """A child process: unit after unit of work (a meeting with its links, or every fifth a
    CSV import of IMPORT_ROWS events), writing B before each and C after its commit."""
    try:
        database = Database.open(url)
        ctx = Context(user=f"writer-{tag}")
        number = 0
        while saves is None or number < saves:
            number += 1
            csv_file = work / f"events-{tag}-{number}.csv"
            if saves is None and number % 5 == 0:
                csv_file.write_text("date,kind,title\n" + "".join(
                    f"2023-01-10,lecture,imp-{tag}-{number}#{n}\n" for n in range(IMPORT_ROWS)
                ), encoding="utf-8")
            os.write(report, b"B")
            with database.writing(actor=ctx.user) as session:
                if csv_file.exists():
                    import_file(session, ctx, "events", csv_file)
                else:
                    s.log_meeting(session, ctx, held_on=date(2023, 5, 1),
                                  title=f"save-{tag}-{number}", organization_ids=organizations,
                                  staff_ids=staff)
            os.write(report, b"C")
        os._exit(0)
    except BaseException:  # noqa: BLE001 - a child reports any failure through its exit code
        traceback.print_exc()
        os._exit(1)


def _fork_writer(database: Database, tag: str, saves: int | None, work: Path,
                 partners: tuple[list[int], list[int]]) -> tuple[int, int]:
    """Start `_writer` in a forked process; returns its pid and the read end of its reports."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read)
        _writer(database.url, tag, write, saves, work, *partners)
    os.close(write)
    return pid, read


def _exit_code(pid: int, *, timeout: float) -> int:
    """The child's exit code; a child still running after `timeout` s is killed (-9)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return os.waitstatus_to_exitcode(status)
        time.sleep(0.05)
    os.kill(pid, signal.SIGKILL)
    return os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])


def assert_consistent(database: Database) -> None:
    """integrity_check passes, the chain verifies, and every unit of work is whole or absent."""
    with database.reading() as session:
        assert session.scalar(text("PRAGMA integrity_check")) == "ok"
        report = audit.verify(session)
        assert report.ok and report.unsealed == 0, report.problems()
        partial_meetings = session.scalars(text("""
            SELECT m.id FROM meeting m WHERE m.title LIKE 'save-%' AND (
              (SELECT count(*) FROM meeting_organization l WHERE l.meeting_id = m.id) <> 2
              OR (SELECT count(*) FROM meeting_staff l WHERE l.meeting_id = m.id) <> 1
              OR (SELECT count(*) FROM audit_log a WHERE a.row_id = m.id AND a.table_name
                  IN ('meeting', 'meeting_organization', 'meeting_staff')) <> 4)
        """)).all()
        assert partial_meetings == []
        import_sizes = set(session.scalars(text(
            "SELECT count(*) FROM outreach_event WHERE title LIKE 'imp-%'"
            " GROUP BY substr(title, 1, instr(title, '#'))"
        )))
        assert import_sizes <= {IMPORT_ROWS}
        unrecorded = session.scalar(text(
            "SELECT (SELECT count(*) FROM meeting) + (SELECT count(*) FROM outreach_event)"
            " - (SELECT count(*) FROM audit_log WHERE action = 'insert'"
            "    AND table_name IN ('meeting', 'outreach_event'))"
        ))
        assert unrecorded == 0


def test_killing_a_writer_at_random_moments_loses_nothing_committed(
    database: Database, ctx: Context, tmp_path: Path
) -> None:
    partners = _partners(database, ctx)
    rng = random.Random(6)
    committed = in_transaction = 0
    for kill in range(KILLS):
        pid, reports = _fork_writer(database, f"k{kill}", None, tmp_path, partners)
        time.sleep(rng.uniform(0.05, 0.4))
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        with os.fdopen(reports, "rb") as pipe:
            steps = pipe.read()
        committed += steps.count(b"C")
        in_transaction += steps.endswith(b"B")
        assert_consistent(database)
    with database.reading() as session:
        saved = session.scalar(text(
            "SELECT (SELECT count(*) FROM meeting WHERE title LIKE 'save-%')"
            " + (SELECT count(DISTINCT substr(title, 1, instr(title, '#')))"
            "    FROM outreach_event WHERE title LIKE 'imp-%')"
        ))
    assert in_transaction >= KILLS // 3  # the kills do land inside units of work
    # A unit whose commit landed just before the kill may lack its C: at most one per kill.
    assert committed <= saved <= committed + KILLS
    print(f"\nsafety: {KILLS} kills survived ({in_transaction} inside a unit of work);"
          f" {saved} units committed, none partial")


def test_two_processes_writing_at_once_lose_nothing(
    database: Database, ctx: Context, tmp_path: Path
) -> None:
    partners = _partners(database, ctx)
    started = time.perf_counter()
    writers = [_fork_writer(database, tag, CONCURRENT_SAVES, tmp_path, partners)
               for tag in ("a", "b")]
    for pid, reports in writers:
        assert _exit_code(pid, timeout=90) == 0
        os.close(reports)
    elapsed = time.perf_counter() - started
    with database.reading() as session:
        counts = dict(session.execute(text(
            "SELECT substr(title, 1, 6), count(*) FROM meeting WHERE title LIKE 'save-%'"
            " GROUP BY 1"
        )).all())
    assert counts == {"save-a": CONCURRENT_SAVES, "save-b": CONCURRENT_SAVES}
    assert_consistent(database)
    print(f"\nsafety: {2 * CONCURRENT_SAVES} concurrent saves by 2 processes in {elapsed:.1f} s,"
          " 0 lost")


@pytest.mark.usefixtures("english")
def test_a_writer_that_cannot_get_the_lock_in_time_says_so_in_one_line(
    database_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    source = tmp_path / "events.csv"
    source.write_text("date,kind,title\n2023-01-10,lecture,講座\n", encoding="utf-8")
    monkeypatch.setattr(db.engine, "BUSY_TIMEOUT_MS", 100)
    before = audit_rows(database_path)
    holder = sqlite3.connect(database_path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        code, _ = run(["--db", str(database_path), "import", "events", str(source)])
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    # The file is read (its progress line) before the lock is asked for; then one line.
    lines = [line for line in capsys.readouterr().err.splitlines()
             if not line.endswith(" rows read")]
    assert code == 1 and len(lines) == 1
    assert "is busy" in lines[0] and "nothing was changed" in lines[0]
    assert audit_rows(database_path) == before


# --- backups and upgrades -------------------------------------------------------------------


@pytest.mark.usefixtures("english")
def test_a_backup_is_a_private_consistent_copy_of_a_database_in_use(
    database: Database, database_path: Path, tmp_path: Path, ctx: Context,
    capsys: pytest.CaptureFixture[str],
) -> None:
    with database.writing() as session:
        s.create_organization(session, ctx, name="保存株式会社", kind="company")
    writer = sqlite3.connect(database_path, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("UPDATE organization SET notes = 'uncommitted'")
    target = tmp_path / "copy.sqlite3"
    try:
        code, out = run(["--db", str(database_path), "db", "backup", str(target)])
    finally:
        writer.execute("COMMIT")
        writer.close()
    assert code == 0 and str(target) in out
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    copy = Database.open(sqlite_url(target), read_only=True)
    with copy.reading() as session:
        assert session.scalar(text("SELECT notes FROM organization")) is None
        assert audit.verify(session).ok
    copy.dispose()
    assert run(["--db", str(database_path), "db", "check"])[0] == 0

    code, _ = run(["--db", str(database_path), "db", "backup", str(target)])
    assert code == 1 and "already exists" in capsys.readouterr().err


FILL_STAMP = "'2023-01-01 00:00:00.000000', 'old', '2023-01-01 00:00:00.000000', 'old'"
TRACKED = "id, created_at, created_by, updated_at, updated_by"
# Rows for every table, in an order the foreign keys accept; a table is filled once it exists.
FILL = {
    "organization": f"INSERT INTO organization ({TRACKED}, name, normalized_name, kind)"
                    f" VALUES (1, {FILL_STAMP}, '株式会社旧', '株式会社旧', 'company'),"
                    f" (2, {FILL_STAMP}, '旧二株式会社', '旧二株式会社', 'company')",
    "staff": f"INSERT INTO staff ({TRACKED}, name, active) VALUES (1, {FILL_STAMP}, '旧職員', 1)",
    "contact": f"INSERT INTO contact ({TRACKED}, organization_id, name)"
               f" VALUES (1, {FILL_STAMP}, 1, '旧担当者')",
    "meeting": f"INSERT INTO meeting ({TRACKED}, held_on, title)"
               f" VALUES (1, {FILL_STAMP}, '2022-05-01', '旧意見交換')",
    "meeting_organization": "INSERT INTO meeting_organization VALUES (1, 1)",
    "meeting_staff": "INSERT INTO meeting_staff VALUES (1, 1)",
    "meeting_contact": "INSERT INTO meeting_contact VALUES (1, 1)",
    "agreement": f"INSERT INTO agreement ({TRACKED}, title, status, concluded_on)"
                 f" VALUES (1, {FILL_STAMP}, '旧協定', 'concluded', '2022-06-01')",
    "agreement_partner": "INSERT INTO agreement_partner VALUES (1, 1)",
    "outreach_event": f"INSERT INTO outreach_event ({TRACKED}, held_on, kind, title, attendees)"
                      f" VALUES (1, {FILL_STAMP}, '2022-07-01', 'lecture', '旧講座', 30)",
    "outreach_event_staff": "INSERT INTO outreach_event_staff VALUES (1, 1)",
    "plan": f"INSERT INTO plan ({TRACKED}, code, name_ja, name_en, first_fiscal_year,"
            f" last_fiscal_year) VALUES (50, {FILL_STAMP}, 'old-plan', '旧計画', 'Old plan',"
            " 2018, 2022)",
    "plan_grade": "INSERT INTO plan_grade VALUES (50, 'A', 100)",
    "kpi": f"INSERT INTO kpi ({TRACKED}, code, basic_policy, policy_ref, name_ja, name_en,"
           " unit, kind, rule, baseline, baseline_as_of, target, target_by, sort_order)"
           f" VALUES (1, {FILL_STAMP}, 'old_kpi', 1, '1-(1)', '旧', 'old', '件', 'measured',"
           " 'level', 0, '2018-12-31', 10, '2024-03-31', 0)",
    "tag": "INSERT INTO tag (id, name) VALUES (1, '旧タグ')",
    "meeting_tag": "INSERT INTO meeting_tag VALUES (1, 1)",
    "agreement_tag": "INSERT INTO agreement_tag VALUES (1, 1)",
    "outreach_event_tag": "INSERT INTO outreach_event_tag VALUES (1, 1)",
    "kpi_count_filter": "INSERT INTO kpi_count_filter VALUES (1, 'tag', '旧タグ')",
    "kpi_target_revision": f"INSERT INTO kpi_target_revision ({TRACKED}, kpi_id, revised_on,"
                           f" target, target_by, reason) VALUES (1, {FILL_STAMP}, 1,"
                           " '2020-04-01', 12, '2024-03-31', '旧改訂')",
    "kpi_measurement": f"INSERT INTO kpi_measurement ({TRACKED}, kpi_id, measured_on, value,"
                       f" entered_by) VALUES (1, {FILL_STAMP}, 1, '2022-08-01', 5.5, 'old')",
    "audit_break": "INSERT INTO audit_break (id, row_id, problem, reason, acknowledged_at,"
                   " acknowledged_by) VALUES (1, 1, 'missing', '旧調査', '2023-09-01 00:00:00',"
                   " 'old')",
    "kpi_comment": f"INSERT INTO kpi_comment ({TRACKED}, kpi_id, fiscal_year, quarter, field,"
                   f" text) VALUES (1, {FILL_STAMP}, 1, 2022, 3, 'analysis', '旧コメント')",
    "issued_report": "INSERT INTO issued_report (id, fiscal_year, quarter, lang, generated_at,"
                     " issued_at, issued_by, fingerprint, pdf_sha256, figures_json) VALUES"
                     " (1, 2022, 1, 'ja', '2023-07-01 00:00:00', '2023-07-01 00:00:00', 'old',"
                     " printf('%064d', 1), printf('%064d', 2), '{}')",
    "contact_erasure": "INSERT INTO contact_erasure (id, contact_id, reason, values_erased,"
                       " erased_at, erased_by) VALUES (1, 1, '旧消去', 0,"
                       " '2023-09-01 00:00:00', 'old')",
    "agreement_status_change": "INSERT INTO agreement_status_change (id, agreement_id, status,"
                               " effective_on, concluded_on, recorded_at, recorded_by) VALUES"
                               " (1, 1, 'concluded', '2022-06-01', '2022-06-01',"
                               " '2023-01-01 00:00:00', 'old')",
    "organization_merge": "INSERT INTO organization_merge (id, kept_id, merged_id, merged_at,"
                          " merged_by, moved_json) VALUES (1, 1, 2, '2023-08-01 00:00:00',"
                          " 'old', '{}')",
}


#: Columns a later migration retired, with their content moved: 0006 turned `kpi.rule_param`
#: into rows of `kpi_count_filter` (tests/test_plan_migration.py checks the figures stay).
RETIRED = {"kpi": {"rule_param"}}
#: Who migrations that write records sign as: the actor (0006; 0008, restating contacts'
#: audit rows), or the claimed name beside the login once logins are recorded (0010).
MIGRATION_SIGNERS = ("migration 0006", "migration 0008", "migration 0010")


#: The audit log's side tables (0008): written by its triggers and by sealing, checked by
#: `audit verify` with the log, not compared row by row.
AUDIT_SIDE_TABLES = {"audit_personal_value", "audit_restatement"}


def _snapshot(path: Path) -> dict[str, list[dict[str, object]]]:
    connection = sqlite3.connect(path)
    connection.row_factory = sqlite3.Row
    try:
        tables = [name for (name,) in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            " AND name NOT IN ('alembic_version', 'audit_log', 'audit_personal_value',"
            " 'audit_restatement')")
            if not is_search_table(name)]  # the text-search index: derived from the rows
        return {t: [dict(r) for r in connection.execute(f'SELECT * FROM "{t}" ORDER BY rowid')]
                for t in tables}
    finally:
        connection.close()


def _database_at(path: Path, revision: str) -> dict[str, list[dict[str, object]]]:
    """A database migrated to `revision` and filled with raw SQL; returns what it holds."""
    engine = make_engine(sqlite_url(path))
    upgrade(engine, revision)
    with engine.begin() as connection:
        tables = {name for name in connection.exec_driver_sql(
            "SELECT name FROM sqlite_master WHERE type = 'table'").scalars()
            if not is_search_table(name)}  # the text-search index: derived from the rows
        filled = [sql for table, sql in FILL.items() if table in tables]
        for table, sql in FILL.items():
            if table == "kpi" and "plan" in tables:  # from 0006 on a KPI belongs to a plan
                sql = sql.replace("sort_order)", "sort_order, plan_id)").replace(
                    "'2024-03-31', 0)", "'2024-03-31', 0, 50)")
            if table in tables:
                connection.exec_driver_sql(sql)
    engine.dispose()
    assert len(filled) == len(tables - {"alembic_version", "audit_log", "audit_actor"}
                              - AUDIT_SIDE_TABLES)
    return _snapshot(path)


def earlier_revisions() -> list[str]:
    """Every revision before head, oldest first."""
    script = ScriptDirectory.from_config(alembic_config())
    return [r.revision for r in reversed(list(script.walk_revisions()))][:-1]


@pytest.mark.parametrize("revision", earlier_revisions())
def test_a_database_from_every_earlier_revision_keeps_every_row_when_upgraded(
    revision: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "old.sqlite3"
    before = _database_at(path, revision)
    code, out = run(["--db", str(path), "db", "upgrade"])
    assert code == 0, capsys.readouterr().err
    after = _snapshot(path)
    for table, rows in before.items():
        assert rows, table
        kept = [k for k in rows[0] if k not in RETIRED.get(table, set())]
        assert [{k: row[k] for k in kept} for row in after[table]] == [
            {k: row[k] for k in kept} for row in rows], table

    backups = list(tmp_path.glob(f"old.sqlite3.before-upgrade-from-{revision}-*.bak"))
    assert len(backups) == 1 and str(backups[0]) in out
    assert _snapshot(backups[0]) == before
    assert stat.S_IMODE(backups[0].stat().st_mode) == 0o600

    database = Database.open(sqlite_url(path))
    assert current_revision(database.engine) == head_revision()
    with database.reading() as session:
        report = audit.verify(session)
        recorded = session.execute(text(
            "SELECT table_name, count(*) FROM audit_log WHERE changed_by NOT IN :signers"
            " AND coalesce(claimed_by, '') NOT IN :signers GROUP BY table_name"
        ).bindparams(bindparam("signers", expanding=True)),
            {"signers": list(MIGRATION_SIGNERS)}).all()
    database.dispose()
    assert report.ok and report.unsealed == 0
    assert dict(recorded) == {
        table: len(rows) for table, rows in before.items() if table != "audit_actor"
    }


# --- read-only ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "command",
    [
        ["init"],
        ["demo", "--force"],
        ["db", "upgrade"],
        ["import", "events", "{csv}"],
        ["report", "--fiscal-year", "2022", "--issue", "-o", "{pdf}"],
    ],
)
@pytest.mark.usefixtures("english")
def test_read_only_refuses_every_write_in_one_line(
    command: list[str], database_path: Path, tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    source = tmp_path / "events.csv"
    source.write_text("date,kind,title\n2023-01-10,lecture,講座\n", encoding="utf-8")
    argv = [a.format(csv=source, pdf=tmp_path / "r.pdf") for a in command]
    before = _snapshot(database_path), audit_rows(database_path)
    code, _ = run(["--db", str(database_path), "--read-only", *argv])
    err = capsys.readouterr().err
    assert code == 1 and err.count("\n") == 1 and "read-only" in err
    assert (_snapshot(database_path), audit_rows(database_path)) == before
    assert not (tmp_path / "r.pdf").exists()


def test_read_only_is_enforced_by_sqlite_and_reading_commands_work(
    database_path: Path, tmp_path: Path
) -> None:
    database = Database.open(sqlite_url(database_path), read_only=True)
    with database.reading() as session, pytest.raises(Exception, match="readonly database"):
        session.execute(text("UPDATE kpi SET target = 0"))
    database.dispose()
    base = ["--db", str(database_path), "--read-only"]
    for command in (["kpi", "--as-of", "2023-03-31"], ["export", "events"], ["audit", "verify"],
                    ["audit", "log", "--table", "kpi", "--id", "1"], ["db", "check"],
                    ["db", "backup", str(tmp_path / "auditor-copy.sqlite3")]):
        assert run([*base, *command])[0] == 0, command


def test_contacts_personal_data_stays_out_of_exports_and_the_audit_listing(
    database: Database, database_path: Path, ctx: Context
) -> None:
    with database.writing() as session:
        org = s.create_organization(session, ctx, name="株式会社個人情報", kind="company").id or 0
        contact = s.add_contact(session, ctx, organization_id=org, name="秘密太郎",
                                email="himitsu@example.jp", phone="079-111-2222")
        s.log_meeting(session, ctx, held_on=date(2023, 5, 1), title="面談",
                      organization_ids=[org], contact_ids=[contact.id or 0])
    base = ["--db", str(database_path)]
    outputs = [run([*base, "export", entity])[1]
               for entity in ("organizations", "meetings", "agreements", "events", "measurements")]
    outputs.append(run([*base, "audit", "log"])[1])
    outputs.append(run([*base, "audit", "log", "--table", "meeting", "--id", "1",
                        "--format", "json"])[1])
    for output in outputs:
        assert "秘密" not in output and "himitsu" not in output and "111-2222" not in output
