"""`make cluster`: the production topology on one machine, without Docker.

    nginx (TLS, HTTP -> HTTPS, HSTS)  ->  2 gunicorn (API)   ->  PgBouncer (transaction mode) -> PostgreSQL
                                      ->  2 uvicorn (/ws/, sticky)                              -> Redis
    + a Celery worker (every queue) and beat

DJANGO_ENV=production with local secrets generated once into <data>/secrets.env; a self-signed
certificate generated at start into <data>/certs (or TLS_CERT / TLS_KEY given). nginx's config is
docker/nginx.conf.template, the same file compose renders. Processes that die are restarted (a killed
instance comes back and nginx routes to it again). Ports (env): CLUSTER_HTTPS_PORT (8443),
CLUSTER_HTTP_PORT (8080), CLUSTER_WEB_PORTS (8101,8102), CLUSTER_WS_PORTS (8201,8202).

    python scripts/cluster.py --data var/cluster        # make cluster
"""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import signal
import string
import subprocess
import sys
import time
from contextlib import ExitStack, suppress
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scripts.stack import (  # noqa: E402 - runs as a script too
    chown_for_service,
    free_port,
    run_as_service_user,
    start_postgres,
    start_redis,
    stop,
    wait_for_port,
)

TEMPLATE = ROOT / "docker" / "nginx.conf.template"
DEFAULT_BODY_MAX = 10 * 1024 * 1024  # = config/settings.py REQUEST_BODY_MAX_BYTES default


def _ports(name: str, default: str) -> list[int]:
    return [int(p) for p in os.environ.get(name, default).split(",")]


def generate_certificate(cert_dir: Path, *, host: str = "localhost") -> tuple[Path, Path]:
    """A self-signed certificate for `host` (and 127.0.0.1), valid 30 days, made with openssl."""
    cert_dir.mkdir(parents=True, exist_ok=True)
    cert, key = cert_dir / "fullchain.pem", cert_dir / "privkey.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "30", "-subj", f"/CN={host}",
         "-addext", f"subjectAltName=DNS:{host},IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    key.chmod(0o600)
    return cert, key


def local_secrets(path: Path) -> dict[str, str]:
    """DJANGO_SECRET_KEY and JWT_SIGNING_KEY, generated once and kept (0600) so sessions survive restarts."""
    if not path.exists():
        path.write_text(f"DJANGO_SECRET_KEY={secrets.token_urlsafe(64)}\nJWT_SIGNING_KEY={secrets.token_urlsafe(64)}\n")
        path.chmod(0o600)
    return dict(line.split("=", 1) for line in path.read_text().splitlines() if "=" in line)


def render_nginx(
    *, out_dir: Path, web: list[str], ws: list[str], http_port: int, https_port: int, cert: Path, key: Path,
    body_max: int, user: str | None,
) -> Path:  # fmt: skip
    """docker/nginx.conf.template with this machine's addresses, inside a minimal main nginx.conf."""
    site = string.Template(TEMPLATE.read_text()).safe_substitute(
        MP_WEB_1=web[0], MP_WEB_2=web[1], MP_WS_1=ws[0], MP_WS_2=ws[1],
        MP_HTTP_LISTEN=f"127.0.0.1:{http_port}", MP_HTTPS_LISTEN=f"127.0.0.1:{https_port}",
        MP_HTTPS_REDIRECT_PORT="" if https_port == 443 else f":{https_port}",
        MP_TLS_CERT=str(cert), MP_TLS_KEY=str(key), MP_BODY_MAX_BYTES=str(body_max),
        MP_ACCESS_LOG=str(out_dir / "access.log"),
    )  # fmt: skip
    (out_dir / "site.conf").write_text(site)
    for temp in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (out_dir / "tmp" / temp).mkdir(parents=True, exist_ok=True)
    main = f"""{f"user {user};" if user else ""}
worker_processes 1;
pid {out_dir}/nginx.pid;
error_log {out_dir}/error.log warn;
events {{ worker_connections 4096; }}
http {{
    client_body_temp_path {out_dir}/tmp/body;
    proxy_temp_path {out_dir}/tmp/proxy;
    fastcgi_temp_path {out_dir}/tmp/fastcgi;
    uwsgi_temp_path {out_dir}/tmp/uwsgi;
    scgi_temp_path {out_dir}/tmp/scgi;
    default_type application/octet-stream;
    sendfile on;
    include {out_dir}/site.conf;
}}
"""
    conf = out_dir / "nginx.conf"
    conf.write_text(main)
    return conf


@dataclass
class Service:
    name: str
    argv: list[str]
    env: dict[str, str]
    log: Path
    port: int | None = None
    proc: subprocess.Popen[bytes] | None = None
    restarts: int = 0
    extra: dict[str, object] = field(default_factory=dict)

    def start(self) -> None:
        with self.log.open("ab") as log:
            self.proc = subprocess.Popen(  # type: ignore[call-overload]
                self.argv, env=self.env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
                **self.extra,
            )  # fmt: skip

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None


class Cluster:
    """The processes of the topology; `supervise()` restarts any that die."""

    def __init__(
        self, *, data: Path, database_url: str, redis_url: str, https_port: int, http_port: int,
        web_ports: list[int], ws_ports: list[int], workers: bool = True, extra_env: dict[str, str] | None = None,
    ) -> None:  # fmt: skip
        self.data = data
        self.https_port, self.http_port = https_port, http_port
        self.web_ports, self.ws_ports = web_ports, ws_ports
        self.database_url, self.redis_url = database_url, redis_url
        self.workers = workers
        self.extra_env = extra_env or {}
        self.services: list[Service] = []
        self.pgbouncer_url = ""
        self.stack = ExitStack()
        self.cert = Path(os.environ.get("TLS_CERT", "")) if os.environ.get("TLS_CERT") else None
        self.key = Path(os.environ.get("TLS_KEY", "")) if os.environ.get("TLS_KEY") else None

    # -- pieces -------------------------------------------------------------------------------------
    def start_pgbouncer(self) -> str:
        """PgBouncer in transaction mode before PostgreSQL; statement_timeout set on every server connection."""
        from urllib.parse import urlparse

        url = urlparse(self.database_url)
        dbname = url.path.lstrip("/")
        workdir = self.data / "pgbouncer"
        workdir.mkdir(parents=True, exist_ok=True)
        port = free_port()
        timeout_ms = int(os.environ.get("DB_STATEMENT_TIMEOUT_MS", "30000"))
        server = f"host={url.hostname} port={url.port} dbname={dbname} user={url.username or 'postgres'}"
        (workdir / "pgbouncer.ini").write_text(
            f"""[databases]
{dbname} = {server} connect_query='SET statement_timeout = {timeout_ms}'

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {port}
unix_socket_dir =
auth_type = any
pool_mode = transaction
default_pool_size = 40
reserve_pool_size = 10
max_client_conn = 1000
server_reset_query =
; PgBouncer forwards no startup `options`: connect_query (above) sets the timeout on each server connection.
ignore_startup_parameters = extra_float_digits,options
logfile = {workdir}/pgbouncer.log
pidfile = {workdir}/pgbouncer.pid
"""
        )
        chown_for_service(workdir)
        binary = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"
        service = Service("pgbouncer", [binary, str(workdir / "pgbouncer.ini")], dict(os.environ),
                          self.data / "pgbouncer.out", port=port, extra=run_as_service_user())  # fmt: skip
        self._launch(service)
        return f"postgres://{url.username or 'postgres'}@127.0.0.1:{port}/{dbname}"

    def app_env(self, pgbouncer_url: str) -> dict[str, str]:
        env = {
            **os.environ,
            **local_secrets(self.data / "secrets.env"),
            "DJANGO_ENV": "production",
            "DJANGO_ALLOWED_HOSTS": "localhost,127.0.0.1",
            "CSRF_TRUSTED_ORIGINS": f"https://localhost:{self.https_port},https://127.0.0.1:{self.https_port}",
            "TRUSTED_PROXY_COUNT": "1",
            "DATABASE_URL": pgbouncer_url,
            "DB_PGBOUNCER": "true",
            "REDIS_URL": self.redis_url,
            "BIND_HOST": "127.0.0.1",
            "PYTHONUNBUFFERED": "1",
            "PATH": f"{Path(sys.executable).parent}:{os.environ.get('PATH', '')}",
        }
        env.pop("DATABASE_REPLICA_URL", None)
        env.update(self.extra_env)
        return env

    def _launch(self, service: Service, *, wait: bool = True) -> Service:
        service.start()
        self.services.append(service)
        self.stack.callback(self._stop_service, service)
        if wait and service.port is not None:
            assert service.proc is not None
            wait_for_port(service.port, proc=service.proc, name=service.name, timeout=90)
        return service

    @staticmethod
    def _stop_service(service: Service) -> None:
        if service.proc is not None:
            stop(service.proc)

    # -- whole --------------------------------------------------------------------------------------
    def start(self, *, migrate: bool = True) -> Cluster:
        self.data.mkdir(parents=True, exist_ok=True)
        self.pgbouncer_url = pgbouncer_url = self.start_pgbouncer()
        env = self.app_env(pgbouncer_url)
        python = sys.executable
        if migrate:  # straight to PostgreSQL: migrations are not for transaction pooling
            subprocess.run([python, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, check=True,
                           env={**env, "DATABASE_URL": self.database_url, "DB_PGBOUNCER": "false"})  # fmt: skip
        for index, port in enumerate(self.web_ports, start=1):
            argv = [python, "-m", "gunicorn", "config.wsgi", "--config", "config/gunicorn.conf.py"]
            web_env = {**env, "HTTP_PORT": str(port), "WEB_WORKERS": env.get("WEB_WORKERS", "2")}
            self._launch(Service(f"web-{index}", argv, web_env, self.data / f"web-{index}.log", port=port), wait=False)
        for index, port in enumerate(self.ws_ports, start=1):
            argv = [python, "-m", "uvicorn", "config.asgi:application", "--host", "127.0.0.1", "--port", str(port),
                    "--ws-ping-interval", "20", "--ws-ping-timeout", "30", "--ws-max-size", "65536", "--no-access-log",
                    "--proxy-headers", "--forwarded-allow-ips", "127.0.0.1"]  # fmt: skip
            self._launch(Service(f"ws-{index}", argv, env, self.data / f"ws-{index}.log", port=port), wait=False)
        if self.workers:
            queues = "default,assessments,ai,exports,email,airtable,research,webhooks"
            worker = [python, "-m", "celery", "--app", "config", "worker", "--queues", queues, "--concurrency", "2",
                      "--loglevel", "INFO", "--without-mingle", "--without-gossip"]  # fmt: skip
            self._launch(Service("worker", worker, env, self.data / "worker.log"))
            beat = [python, "-m", "celery", "--app", "config", "beat", "--loglevel", "INFO",
                    "--schedule", str(self.data / "celerybeat-schedule")]  # fmt: skip
            self._launch(Service("beat", beat, env, self.data / "beat.log"))
        for service in self.services:
            if service.port is not None and service.proc is not None:
                wait_for_port(service.port, proc=service.proc, name=service.name, timeout=120)
        self.start_nginx()
        return self

    def start_nginx(self) -> None:
        if self.cert is None or self.key is None:
            self.cert, self.key = generate_certificate(self.data / "certs")
        nginx_dir = self.data / "nginx"
        nginx_dir.mkdir(parents=True, exist_ok=True)
        user = None
        if os.geteuid() == 0:  # workers drop root (to the same user as PostgreSQL)
            user = "pgserver"
            run_as_service_user()  # creates the user
            chown_for_service(nginx_dir)
        conf = render_nginx(
            out_dir=nginx_dir,
            web=[f"127.0.0.1:{p}" for p in self.web_ports],
            ws=[f"127.0.0.1:{p}" for p in self.ws_ports],
            http_port=self.http_port,
            https_port=self.https_port,
            cert=self.cert,
            key=self.key,
            body_max=int(
                self.extra_env.get("REQUEST_BODY_MAX_BYTES")
                or os.environ.get("REQUEST_BODY_MAX_BYTES")
                or DEFAULT_BODY_MAX
            ),
            user=user,
        )
        if user:
            chown_for_service(nginx_dir)
        binary = shutil.which("nginx") or "/usr/sbin/nginx"
        subprocess.run([binary, "-t", "-q", "-c", str(conf), "-p", str(nginx_dir)], check=True)
        service = Service("nginx", [binary, "-c", str(conf), "-p", str(nginx_dir), "-g", "daemon off;"],
                          dict(os.environ), self.data / "nginx.out", port=self.https_port)  # fmt: skip
        self._launch(service)

    def service(self, name: str) -> Service:
        return next(s for s in self.services if s.name == name)

    def supervise_once(self) -> None:
        """Restart whatever died (a killed web or WebSocket instance rejoins nginx's upstream by itself)."""
        for service in self.services:
            if service.proc is not None and not service.alive():
                # Its children (gunicorn's workers after a kill -9 of the master) would hold the port: end them.
                with suppress(ProcessLookupError, PermissionError):
                    os.killpg(service.proc.pid, signal.SIGKILL)
                service.restarts += 1
                print(f"cluster: {service.name} exited ({service.proc.returncode}); restarting", flush=True)
                service.start()

    def stop(self) -> None:
        self.stack.close()


def compose_files(docker_dir: Path = ROOT / "docker") -> list[Path]:
    """The files compose mounts that are not in git: PgBouncer's userlist (from POSTGRES_PASSWORD in the
    environment or ../.env), Alertmanager's SMTP password (ALERTMANAGER_SMTP_PASSWORD) and the TLS
    certificate (TLS_CERT/TLS_KEY copied, else a self-signed one)."""
    values = dict(os.environ)
    dotenv = ROOT / ".env"
    if dotenv.exists():
        for line in dotenv.read_text().splitlines():
            if "=" in line and not line.lstrip().startswith("#"):
                name, value = line.split("=", 1)
                values.setdefault(name.strip(), value.strip().strip('"'))
    password = values.get("POSTGRES_PASSWORD", "")
    if not password:
        raise SystemExit("set POSTGRES_PASSWORD (environment or .env) first")
    userlist = docker_dir / "userlist.txt"
    userlist.write_text(f'"platform" "{password}"\n')
    userlist.chmod(0o600)
    # Alertmanager's SMTP password (docker/prometheus/alertmanager.yml), empty when mail needs none.
    smtp_password = docker_dir / "prometheus" / "smtp_password"
    smtp_password.write_text(values.get("ALERTMANAGER_SMTP_PASSWORD", ""))
    smtp_password.chmod(0o600)
    certs = docker_dir / "certs"
    if values.get("TLS_CERT") and values.get("TLS_KEY"):
        certs.mkdir(exist_ok=True)
        shutil.copy(values["TLS_CERT"], certs / "fullchain.pem")
        shutil.copy(values["TLS_KEY"], certs / "privkey.pem")
    elif not (certs / "fullchain.pem").exists():
        generate_certificate(certs, host=values.get("TLS_HOST", "localhost"))
    return [userlist, smtp_password, certs / "fullchain.pem", certs / "privkey.pem"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=ROOT / "var" / "cluster")
    parser.add_argument("--compose-files", action="store_true", help="write docker/userlist.txt and docker/certs/")
    args = parser.parse_args()
    if args.compose_files:
        for path in compose_files():
            print(f"wrote {path.relative_to(ROOT)}")
        return 0
    data = args.data.resolve()
    with ExitStack() as stack:
        database_url = os.environ.get("DATABASE_URL", "")
        if not database_url:
            database_url = start_postgres(data, durable=True, databases=["platform"], stack=stack) + "/platform"
        redis_url = os.environ.get("REDIS_URL", "") or start_redis(data, durable=True, stack=stack)
        web_ports = _ports("CLUSTER_WEB_PORTS", "8101,8102")
        ws_ports = _ports("CLUSTER_WS_PORTS", "8201,8202")
        https_port = int(os.environ.get("CLUSTER_HTTPS_PORT", "8443"))
        http_port = int(os.environ.get("CLUSTER_HTTP_PORT", "8080"))
        cluster = Cluster(data=data, database_url=database_url, redis_url=redis_url, https_port=https_port,
                          http_port=http_port, web_ports=web_ports, ws_ports=ws_ports)  # fmt: skip
        stack.callback(cluster.stop)
        cluster.start()
        print(
            f"\n  HTTPS        https://localhost:{https_port}/api/v1/   (self-signed: {cluster.cert})\n"
            f"  HTTP         http://localhost:{http_port}/  -> redirects to HTTPS\n"
            f"  API          {', '.join(f'127.0.0.1:{p}' for p in web_ports)}  (gunicorn)\n"
            f"  WebSocket    wss://localhost:{https_port}/ws/  -> {', '.join(map(str, ws_ports))}  (uvicorn, sticky)\n"
            f"  Logs         {data}/*.log\n\n  Ctrl-C stops everything.\n",
            flush=True,
        )
        stopping = False

        def on_signal(signum: int, frame: object) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGTERM, on_signal)
        signal.signal(signal.SIGINT, on_signal)
        while not stopping:
            cluster.supervise_once()
            time.sleep(0.5)
    return 0


if __name__ == "__main__":
    sys.exit(main())
