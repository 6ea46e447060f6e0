"""Personal values beside the audit chain, measured (a script, not part of the test suite).

    .venv/bin/python -m bench.erase_bench [--contacts 20000] [--postgresql]

On a fresh database: adding N contacts (name, e-mail, phone: three kept values each) in one
write, sealed, against N staff (no personal column); `crm audit verify` and `crm db check`
over the result; erasing one contact (with the SQLite file rewritten after). On a database
at 0007 holding N contacts: migration 0008 restating their rows. Prints one line per figure.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, insert, select
from sqlalchemy.engine import make_url

from crm.audit import chain as audit
from crm.context import Context, fixed_clock
from crm.models import Contact, Organization, Staff
from crm.records.erasure import erase_contact
from db.engine import make_engine, sqlite_url
from db.maintenance import check, purge_freed_space
from db.migrate import upgrade
from db.session import Database, create_database

CTX = Context(user="bench", clock=fixed_clock(datetime(2024, 4, 1, tzinfo=UTC)))
STAMP = {"created_at": CTX.now(), "created_by": "bench", "updated_at": CTX.now(),
         "updated_by": "bench"}


def timed(label: str, action: Callable[[], Any]) -> Any:
    """Run `action`, print how long it took under `label`, return its result."""
    start = time.perf_counter()
    result = action()
    print(f"{label}: {time.perf_counter() - start:.2f} s", flush=True)
    return result


def _add_contacts(database: Database, count: int) -> None:
    with database.writing(actor="bench") as session:
        org = session.execute(insert(Organization).returning(Organization.id), [
            {**STAMP, "name": "ベンチ株式会社", "normalized_name": "ベンチ", "kind": "company"}
        ]).scalar_one()
        session.execute(insert(Contact), [
            {**STAMP, "organization_id": org, "name": f"氏名 {i:06d}",
             "email": f"person{i:06d}@example.jp", "phone": f"079-{i:06d}"}
            for i in range(count)
        ])


def _add_staff(database: Database, count: int) -> None:
    with database.writing(actor="bench") as session:
        session.execute(insert(Staff), [
            {**STAMP, "name": f"職員 {i:06d}", "active": True} for i in range(count)])


def measure(url_for: Callable[[str], Iterator[str]], count: int) -> None:
    """Every figure, on databases made by `url_for(name)`."""
    with contextmanager(url_for)("fresh") as url:
        database = create_database(url, CTX)
        timed(f"{count:,} staff added and sealed (no personal column)",
              lambda: _add_staff(database, count))
        timed(f"{count:,} contacts added and sealed ({3 * count:,} kept values)",
              lambda: _add_contacts(database, count))
        with database.reading() as session:
            report = timed("audit verify", lambda: audit.verify(session))
            assert report.ok, report.problems()
            first = session.scalars(select(Contact.id).limit(1)).one()
        assert timed("db check", lambda: check(database)).problems == []

        def erase() -> None:
            with database.writing(actor="bench") as session:
                erase_contact(session, CTX, first, reason="bench")
            purge_freed_space(database)

        timed("erase one contact (file rewritten on SQLite)", erase)
        database.dispose()
    with contextmanager(url_for)("old") as url:
        engine = make_engine(url)
        upgrade(engine, "0007")
        engine.dispose()
        old = Database(url=url, engine=make_engine(url))
        _add_contacts(old, count)
        old.dispose()
        engine = make_engine(url)
        timed(f"migration 0008 restating {count:,} contact rows",
              lambda: upgrade(engine))
        engine.dispose()
        database = Database.open(url)
        with database.writing(actor="bench"):
            pass  # seals the restatement rows
        with database.reading() as session:
            assert audit.verify(session).ok
        database.dispose()


def main() -> None:
    """Run the measurements on SQLite, or on a throw-away PostgreSQL cluster."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--contacts", type=int, default=20_000)
    parser.add_argument("--postgresql", action="store_true")
    args = parser.parse_args()
    if not args.postgresql:
        with tempfile.TemporaryDirectory() as directory:
            def sqlite_file(name: str) -> Iterator[str]:
                yield sqlite_url(Path(directory) / f"{name}.sqlite3")

            print("SQLite", flush=True)
            measure(sqlite_file, args.contacts)
        return
    from tests.postgres import postgres_cluster

    with postgres_cluster() as admin_url:
        admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")

        def pg_database(name: str) -> Iterator[str]:
            with admin.connect() as connection:
                connection.exec_driver_sql(f"CREATE DATABASE bench_{name}")
            yield make_url(admin_url).set(database=f"bench_{name}").render_as_string(
                hide_password=False)

        print("PostgreSQL", flush=True)
        measure(pg_database, args.contacts)
        admin.dispose()


if __name__ == "__main__":
    main()
