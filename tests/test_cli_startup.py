"""Start-up of the `crm` command: the parser imports no database code; each command imports
only what it uses (issue 15 item 7). Timings are in bench/cli_bench.py, not here."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory

from cli import main as cli_main
from crm.io.importing import ENTITIES
from crm.io.opendata import DATASETS
from db import migrate
from tests.conftest import BACKEND

pytestmark = pytest.mark.skipif(BACKEND != "sqlite", reason="start-up: backend-neutral")

DATABASE_CODE = ("sqlalchemy", "sqlmodel", "alembic", "mako", "reportlab", "textual",
                 "crm.models", "db.session", "db.engine", "cli.database")


def imported_modules(*argv: str) -> tuple[set[str], subprocess.CompletedProcess[str]]:
    """The modules a fresh `python -m cli.main ARGV` imported (from -X importtime)."""
    run = subprocess.run([sys.executable, "-X", "importtime", "-m", "cli.main", *argv],
                         capture_output=True, text=True, check=False)
    modules = {line.rsplit("|", 1)[1].strip() for line in run.stderr.splitlines()
               if line.startswith("import time:") and "|" in line}
    return modules, run


def loaded(modules: set[str], package: str) -> bool:
    """Whether `package` or a module of it is among `modules`."""
    return any(m == package or m.startswith(package + ".") for m in modules)


@pytest.mark.parametrize("argv", [["--help"], ["--version"], ["kpi", "--help"],
                                  ["db", "upgrade", "--help"], ["--lang", "en", "--help"]])
def test_help_and_version_import_no_database_code(argv: list[str]) -> None:
    modules, run = imported_modules(*argv)
    assert run.returncode == 0, run.stderr[-2000:]
    assert loaded(modules, "argparse") and run.stdout  # importtime saw the program
    assert [p for p in DATABASE_CODE if loaded(modules, p)] == []


def test_version_names_the_installed_program() -> None:
    from importlib.metadata import version

    _, run = imported_modules("--version")
    assert run.stdout == f"crm {version('kakogawa-crm')}\n"


#: What `crm kpi` reads without: the ORM, SQLModel with pydantic and the table models.
MODELS = ("sqlmodel", "pydantic", "sqlalchemy.orm", "crm.models")


@pytest.fixture(scope="module")
def commented_database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A new database (the shipped plan's KPIs) with a comment on a computed KPI for FY2022."""
    path = tmp_path_factory.mktemp("kpi") / "crm.sqlite3"
    assert cli_main.main(["--db", str(path), "--today", "2022-06-01", "init"]) == 0
    assert cli_main.main(["--db", str(path), "--today", "2022-06-01", "kpi", "comment",
                          "outreach_in_city", "--fiscal-year", "2022", "--field", "issues",
                          "--text", "会場の確保"]) == 0
    return path


@pytest.mark.parametrize(("argv", "shows"), [
    (["--format", "json", "--fiscal-year", "2022"], "会場の確保"),
    (["--format", "table"], "市内イベント等における周知広報回数"),
    (["--lang", "en", "--as-of", "2022-09-30"], "Promotions at in-city events"),
    (["--evidence", "outreach_in_city", "--format", "csv", "--fiscal-year", "2022"], ""),
])
def test_kpi_reads_without_the_orm_alembic_or_the_faces(
        commented_database: Path, argv: list[str], shows: str) -> None:
    modules, run = imported_modules("--db", str(commented_database), "--today", "2023-03-31",
                                    "kpi", *argv)
    assert run.returncode == 0, run.stderr[-2000:]
    assert shows in run.stdout
    assert loaded(modules, "sqlalchemy")  # it does read the database
    for package in (*MODELS, "alembic", "mako", "reportlab", "textual", "tui", "reports",
                    "openpyxl", "cli.cmd_report", "cli.cmd_import", "crm.io"):
        assert not loaded(modules, package), package


def test_upgrade_is_what_loads_alembic(tmp_path: Path) -> None:
    path = tmp_path / "crm.sqlite3"
    assert cli_main.main(["--db", str(path), "init"]) == 0
    modules, run = imported_modules("--db", str(path), "db", "upgrade")
    assert run.returncode == 0, run.stderr[-2000:]
    assert loaded(modules, "alembic")


def test_parser_choices_are_the_programs() -> None:
    assert cli_main.ENTITIES == ENTITIES
    assert cli_main.OPEN_DATASETS == tuple(DATASETS)


def test_revisions_read_without_alembic_match_alembics() -> None:
    script = ScriptDirectory.from_config(migrate.alembic_config())
    assert migrate.head_revision() == script.get_current_head()
    assert migrate.known_revisions() == {s.revision for s in script.walk_revisions()}


def test_every_command_has_a_handler() -> None:
    parser = cli_main.build_parser()
    commands = next(a for a in parser._actions if a.dest == "command")
    assert isinstance(commands.choices, dict)
    assert set(commands.choices) == set(cli_main.COMMANDS)
    for command in cli_main.COMMANDS:
        assert callable(cli_main.handler_of(command))
