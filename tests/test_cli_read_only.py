"""--read-only (issue 15 item 3): a copy on read-only storage opens, and a dry run is allowed
under --read-only and changes nothing, on SQLite and PostgreSQL."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text

from cli.main import main
from db.engine import make_engine
from db.session import Database
from tests.conftest import BACKEND

ROOT = Path(__file__).resolve().parent.parent
MEETINGS = "日付,件名,相手先,担当\nR5.1.10,データ連携の相談,播磨データ株式会社,山田\n"


def counts(database_url: str) -> tuple[int, int]:
    """How many meetings and audit rows the database holds (read on a separate engine)."""
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            meetings = connection.execute(text("SELECT count(*) FROM meeting")).scalar_one()
            audit = connection.execute(text("SELECT count(*) FROM audit_log")).scalar_one()
    finally:
        engine.dispose()
    return meetings, audit


def run(argv: list[str]) -> tuple[int, str]:
    out = io.StringIO()
    return main(argv, out=out), out.getvalue()


def test_a_dry_run_is_allowed_under_read_only_and_changes_nothing(
    database: Database, database_url: str, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    database.dispose()
    monkeypatch.setenv("CRM_DATABASE_URL", database_url)
    source = tmp_path / "meetings.csv"
    source.write_text(MEETINGS, encoding="utf-8")
    before = counts(database_url)
    code, out = run(["--read-only", "--lang", "en", "import", "meetings", str(source),
                     "--dry-run", "--create-missing", "--kind", "company"])
    assert code == 0, capsys.readouterr().err
    assert out.startswith("dry run, nothing changed: meetings") and "would add 1" in out
    assert counts(database_url) == before
    capsys.readouterr()
    # The real import is still refused under --read-only, in one line.
    code, out = run(["--read-only", "import", "meetings", str(source), "--create-missing",
                     "--kind", "company"])
    err = capsys.readouterr().err
    assert code == 1 and err.count("\n") == 1 and "--read-only" in err
    assert counts(database_url) == before


def test_a_dry_run_does_not_touch_a_read_only_sqlite_file(
    database_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    if BACKEND != "sqlite":
        pytest.skip("a SQLite file")
    source = tmp_path / "meetings.csv"
    source.write_text(MEETINGS, encoding="utf-8")
    before = database_path.read_bytes()
    code, out = run(["--db", str(database_path), "--read-only", "import", "meetings",
                     str(source), "--dry-run", "--create-missing", "--kind", "company"])
    assert code == 0, capsys.readouterr().err
    assert out.startswith("試行のみで、何も変更していません")
    assert database_path.read_bytes() == before


def _backup(database_path: Path, folder: Path) -> Path:
    folder.mkdir()
    copy = folder / "copy.sqlite3"
    assert main(["--db", str(database_path), "db", "backup", str(copy)]) == 0
    return copy


KPI = ["--read-only", "--today", "2023-03-31", "kpi", "--format", "csv"]


def test_a_backup_in_a_read_only_directory_opens_read_only(
    database_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    if BACKEND != "sqlite":
        pytest.skip("a SQLite file")
    if os.geteuid() == 0:
        pytest.skip("root writes a chmod'ed directory: see the read-only mount test")
    copy = _backup(database_path, tmp_path / "backups")
    copy.chmod(0o444)
    copy.parent.chmod(0o555)
    try:
        code, out = run(["--db", str(copy), *KPI])
        assert code == 0, capsys.readouterr().err
        assert out.startswith("plan,code,")
        assert not list(copy.parent.glob("copy.sqlite3-*"))  # no -wal/-shm left behind
    finally:
        copy.parent.chmod(0o755)


def test_a_backup_on_a_read_only_mount_opens_read_only(
    database_path: Path, tmp_path: Path
) -> None:
    """As root, chmod does not stop writes; a read-only bind mount (in a private mount
    namespace, so nothing outside the test sees it) does."""
    if BACKEND != "sqlite":
        pytest.skip("a SQLite file")
    if os.geteuid() != 0 or shutil.which("unshare") is None:
        pytest.skip("needs root and unshare for a read-only bind mount")
    copy = _backup(database_path, tmp_path / "backups")
    mount = tmp_path / "mounted"
    mount.mkdir()
    crm = [sys.executable, "-m", "cli.main", "--db", str(mount / copy.name)]
    script = (f"mount --bind {copy.parent} {mount} && mount -o remount,ro,bind {mount} &&"
              ' "$@"')
    probe = subprocess.run(["unshare", "-m", "sh", "-c", script, "sh", "true"],
                           capture_output=True, text=True, check=False)
    if probe.returncode != 0:
        pytest.skip(f"cannot make a read-only bind mount here: {probe.stderr.strip()}")

    def in_mount(*argv: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["unshare", "-m", "sh", "-c", script, "sh", *crm, *argv],
                              capture_output=True, text=True, check=False, cwd=ROOT)

    shown = in_mount(*KPI)
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.startswith("plan,code,")
    source = tmp_path / "meetings.csv"
    source.write_text(MEETINGS, encoding="utf-8")
    rehearsed = in_mount("--read-only", "--lang", "en", "import", "meetings", str(source),
                         "--dry-run", "--create-missing", "--kind", "company")
    assert rehearsed.returncode == 0, rehearsed.stderr
    assert "would add 1" in rehearsed.stdout
    refused = in_mount("--lang", "en", "kpi")  # without --read-only: one line, no traceback
    assert refused.returncode == 1 and refused.stderr.count("\n") == 1
    assert "Traceback" not in refused.stderr
    assert not list(copy.parent.glob("copy.sqlite3-*"))
