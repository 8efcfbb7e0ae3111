"""The report screens read from a real PostgreSQL streaming replica.

The test builds its own primary cluster and, with `pg_basebackup -R`, a streaming replica of it
on two free ports, migrates and generates a small store on the primary, and asks the dashboard
through Django's test client in a separate process configured with `DATABASE_REPLICA_URL`. The
dashboard's queries must run on the replica; after the same user writes, their reads go back to
the primary. It needs PostgreSQL's server programs (initdb, pg_ctl, pg_basebackup); without them
it is skipped with a warning saying so.
"""

from __future__ import annotations

import glob
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import textwrap
import time
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest

from showroom.core import replicas
from showroom.core.replicas import ReplicaRouter, replica_reads

SHOWROOM = Path(sys.executable).parent / "showroom"


def test_router_sends_only_the_blocks_reads_to_the_replica(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    router = ReplicaRouter()
    monkeypatch.setattr(replicas, "replica_configured", lambda: True)
    assert router.db_for_read(object) == "default"
    with replica_reads():
        assert router.db_for_read(object) == "replica"
        assert router.db_for_write(object) == "default"
    assert router.db_for_read(object) == "default"
    assert router.allow_migrate("replica", "sales") is False
    assert router.allow_migrate("default", "sales") is True


def test_without_a_replica_the_block_reads_from_default(settings) -> None:  # type: ignore[no-untyped-def]
    assert "replica" not in settings.DATABASES
    with replica_reads():
        assert ReplicaRouter().db_for_read(object) == "default"


def _bin_dir() -> Path | None:
    for candidate in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        path = Path(candidate)
        if all((path / name).exists() for name in ("initdb", "pg_ctl", "pg_basebackup")):
            return path
    return None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _skip_loudly(reason: str) -> None:
    message = f"PostgreSQL replica test NOT RUN: {reason}"
    warnings.warn(message, stacklevel=2)
    print(f"\n*** {message} ***", file=sys.stderr)
    pytest.skip(message)


class Clusters:
    def __init__(self, bin_dir: Path, root: Path) -> None:
        self.bin = bin_dir
        self.root = root
        self.primary_port = _free_port()
        self.replica_port = _free_port()
        self.as_postgres: list[str] = []
        if os.geteuid() == 0:  # initdb refuses to run as root
            self.as_postgres = ["runuser", "-u", "postgres", "--"]
            shutil.chown(root, "postgres", "postgres")

    def run(self, *cmd: str) -> None:
        subprocess.run(
            [*self.as_postgres, *cmd], check=True, capture_output=True, text=True, timeout=120
        )

    def start(self) -> None:
        primary, replica = self.root / "primary", self.root / "replica"
        self.run(str(self.bin / "initdb"), "-D", str(primary), "-U", "postgres", "--auth=trust")
        with (primary / "postgresql.conf").open("a") as conf:
            conf.write("wal_level = replica\nmax_wal_senders = 4\nfsync = off\n")
        self._pg_ctl(primary, self.primary_port, "start")
        self.run(
            str(self.bin / "pg_basebackup"),
            *("-h", "127.0.0.1", "-p", str(self.primary_port), "-U", "postgres"),
            *("-D", str(replica), "-R", "-X", "stream"),
        )
        self._pg_ctl(replica, self.replica_port, "start")

    def _pg_ctl(self, data: Path, port: int, action: str) -> None:
        self.run(
            str(self.bin / "pg_ctl"),
            *("-D", str(data), "-l", str(data.with_suffix(".log")), "-w"),
            *("-o", f"-p {port} -k {self.root} -c listen_addresses=127.0.0.1"),
            action,
        )

    def stop(self) -> None:
        for name in ("replica", "primary"):
            data = self.root / name
            if (data / "postmaster.pid").exists():
                subprocess.run(
                    [
                        *self.as_postgres,
                        *(str(self.bin / "pg_ctl"), "-D", str(data)),
                        *("-m", "immediate", "stop"),
                    ],
                    capture_output=True,
                    timeout=60,
                )


@pytest.fixture
def clusters() -> Iterator[Clusters]:
    bin_dir = _bin_dir()
    if bin_dir is None:
        _skip_loudly("PostgreSQL's server programs (initdb, pg_ctl, pg_basebackup) are missing")
    assert bin_dir is not None
    if os.geteuid() == 0 and not shutil.which("runuser"):
        _skip_loudly("running as root without runuser to start PostgreSQL as postgres")
    # Not under pytest's temporary folder: its parents are closed to the postgres user.
    root = Path(tempfile.mkdtemp(prefix="showroom-replica-"))
    found = Clusters(bin_dir, root)
    try:
        found.start()
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError) as error:
        found.stop()
        shutil.rmtree(root, ignore_errors=True)
        _skip_loudly(f"could not start a primary and a replica: {getattr(error, 'stderr', error)}")
    yield found
    found.stop()
    shutil.rmtree(root, ignore_errors=True)


# Runs in a child process configured with the primary and the replica.
PROBE = textwrap.dedent(
    """
    import json, time
    import django
    django.setup()
    from django.db import connections
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from showroom.organization.models import Staff

    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()")
        target = cursor.fetchone()[0]
    for _ in range(200):  # wait until the replica has replayed everything generated
        with connections["replica"].cursor() as cursor:
            cursor.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [target])
            if cursor.fetchone()[0]:
                break
        time.sleep(0.05)

    manager = Staff.objects.filter(roles__contains="manager", store__isnull=False).first()
    client = Client()
    client.force_login(manager)

    def dashboard():
        with CaptureQueriesContext(connections["default"]) as primary:
            with CaptureQueriesContext(connections["replica"]) as replica:
                status = client.get("/kpi/dashboard/").status_code
        return {"status": status, "primary": len(primary), "replica": len(replica)}

    first = dashboard()
    status_of_write = client.post("/i18n/setlang/", {"language": "zh-hans"}).status_code
    after_write = dashboard()
    print(json.dumps({"first": first, "write": status_of_write, "after_write": after_write}))
    """
)


def test_the_dashboard_is_served_from_the_replica(clusters: Clusters, tmp_path: Path) -> None:
    primary = f"postgres://postgres@127.0.0.1:{clusters.primary_port}/showroom"
    env = {
        **os.environ,
        "DATABASE_URL": primary,
        "DATABASE_REPLICA_URL": f"postgres://postgres@127.0.0.1:{clusters.replica_port}/showroom",
        "SHOWROOM_DATA_DIR": str(tmp_path),
        "ALLOWED_HOSTS": "testserver",
        "DJANGO_SETTINGS_MODULE": "showroom.settings",
    }
    subprocess.run(
        [
            *("psql", "-h", "127.0.0.1", "-p", str(clusters.primary_port)),
            *("-U", "postgres", "-c", "CREATE DATABASE showroom"),
        ],
        check=True,
        capture_output=True,
    )
    for command in (["migrate", "-v", "0"], ["generate", "--stores", "1", "--months", "1"]):
        done = subprocess.run(
            [str(SHOWROOM), *command], env=env, capture_output=True, text=True, timeout=600
        )
        assert done.returncode == 0, done.stderr[-2000:]
    started = time.monotonic()
    probe = subprocess.run(
        [sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, timeout=300
    )
    assert probe.returncode == 0, probe.stderr[-3000:]
    result = json.loads(probe.stdout.strip().splitlines()[-1])
    print("replica probe", result, f"{time.monotonic() - started:.1f} s")

    # The dashboard's figures come from the replica; the primary serves only the session.
    assert result["first"]["status"] == 200
    assert result["first"]["replica"] >= 5
    assert result["first"]["primary"] <= 2
    # A user who has just written reads their own writes from the primary.
    assert result["write"] == 302
    assert result["after_write"]["status"] == 200
    assert result["after_write"]["replica"] == 0
    assert result["after_write"]["primary"] >= 5
