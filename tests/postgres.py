"""A throw-away PostgreSQL cluster on loopback for the test suite (CRM_TEST_BACKEND=postgresql).

Started once per test session (under pytest-xdist, once per worker: each its own cluster,
port and directory) with initdb + pg_ctl from Debian's packages, removed at the end.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def server_bin_dir() -> Path:
    """The directory of initdb and pg_ctl: on PATH, else Debian's newest /usr/lib/postgresql."""
    found = shutil.which("pg_ctl")
    if found:
        return Path(found).parent
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    if not candidates:
        raise RuntimeError("PostgreSQL server binaries not found: apt-get install postgresql")
    return Path(candidates[-1]).parent


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _as_server_user(command: list[str]) -> list[str]:
    # initdb and postgres refuse to run as root: run them as the `postgres` system user.
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *command]
    return command


@contextmanager
def postgres_cluster() -> Iterator[str]:
    """Start a cluster; yield the SQLAlchemy URL of its `postgres` database; stop it."""
    bin_dir = server_bin_dir()
    root = Path(tempfile.mkdtemp(prefix="crm-pg-"))
    data = root / "data"
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
    subprocess.run(
        _as_server_user([str(bin_dir / "initdb"), "-D", str(data), "-U", "postgres",
                         "--auth=trust", "--encoding=UTF8", "--locale=C.UTF-8"]),
        check=True, capture_output=True,
    )
    # Clusters of parallel test workers start at the same moment: a port another one took
    # between the probe and the start is tried again with a new one.
    for attempt in range(3):
        port = _free_port()
        options = f"-h 127.0.0.1 -p {port} -k {root} -F -c fsync=off -c full_page_writes=off"
        started = subprocess.run(
            _as_server_user([str(bin_dir / "pg_ctl"), "-D", str(data), "-o", options,
                             "-l", str(root / "server.log"), "-w", "start"]),
            check=attempt == 2, capture_output=True,
        )
        if started.returncode == 0:
            break
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(
            _as_server_user([str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate",
                             "stop"]),
            check=False, capture_output=True,
        )
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    # `python -m tests.postgres`: .ci/run finds the server exactly as the tests will.
    try:
        print(server_bin_dir())
    except RuntimeError as exc:
        raise SystemExit(str(exc)) from None
