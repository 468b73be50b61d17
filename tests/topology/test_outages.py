"""PostgreSQL or Redis stopped for 10 s under load: 503 naming it meanwhile, recovery by itself, nothing accepted lost.

The servers are the test's own (the shared ones of `make test` are never stopped): a PostgreSQL stopped with
`pg_ctl stop -m fast` and started again on its data directory and port, and a Redis with AOF (the broker's kind)
stopped and started again on its port. A real gunicorn, Celery worker and beat run on them and are never restarted.
A bounded client at ~10 requests/s reads the job list, asks for exports (jobs on the `exports` queue) and posts
signed Make.com callbacks (inbound webhooks). What was accepted (2xx) is counted against what reached its final
state: they must be equal.
"""

from __future__ import annotations

import collections
import json
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

import psycopg
import pytest
from psycopg import sql
from standardwebhooks.webhooks import Webhook

from integrations.webhooks.models import InboundWebhook
from platform_core.models import Job
from tests.support.servers import (
    PrivatePostgres,
    PrivateRedis,
    database_copy,
    durable_redis_server,
    postgres_server,
)
from tests.support.web import WebServer
from tests.support.worker import CeleryBeat, CeleryWorker, platform_env, wait_for
from tests.support.worker import test_database_url as database_url  # not collected as a test

# pytest-django creates the test database (copied below) only for a session with a test marked so.
pytestmark = pytest.mark.django_db

MAKE_SECRET = "whsec_b3V0YWdlLXRlc3Qtc2VjcmV0LW5vdC1zZWNyZXQ="
RATE = 10.0  # requests/s, from THREADS threads
THREADS = 4
STEADY, OUTAGE, AFTER = 3.0, 10.0, 10.0  # seconds of load before, during and after the outage
MAX_ANSWER_SECONDS = 3.0  # no request hangs longer, even while a dependency is down
RECOVERED_WITHIN = 5.0  # after the restart, every answer from then on is 2xx
# Six reads, two exports and two webhooks in every ten requests.
MIX = ("read", "export", "read", "webhook", "read", "read", "export", "read", "webhook", "read")

SETUP = """
import json
import uuid
from assessments.services.costs import cost_calculation_save
from platform_core.services.sessions import session_create
from tests.platform_core.factories import UserFactory
user = UserFactory(email=f"outage-{uuid.uuid4().hex}@example.com")
inputs = {"potential_deals": 100, "average_deal_size": 50000, "conversion_rate": "0.2", "delay_months": 6,
          "current_operating_cost": 1000000, "inefficiency_rate": "0.1", "employee_count": 20,
          "average_salary": 100000, "market_share": "0.05"}
cost_calculation_save(customer=user.customer, user=user, inputs=inputs, scenario="realistic", name="Outage")
print("SETUP " + json.dumps({"token": session_create(user=user).access, "customer": user.customer_id}))
"""


class Restartable(Protocol):
    def stop(self) -> None: ...
    def start(self) -> None: ...


@dataclass
class Platform:
    postgres: PrivatePostgres
    redis: PrivateRedis
    web: WebServer
    worker: _supervised
    token: str
    customer_id: int

    def logs(self) -> str:
        return f"--- gunicorn\n{self.web.log()[-4000:]}\n--- worker\n{self.worker.worker.log()[-4000:]}"


@pytest.fixture(scope="module")
def platform(django_db_setup, django_db_blocker) -> Iterator[Platform]:
    with ExitStack() as stack:
        postgres = stack.enter_context(postgres_server())
        with django_db_blocker.unblock():
            source = database_url()  # the test database, migrated already
        database_copy(source_url=source, target_url=postgres.url)
        redis = stack.enter_context(durable_redis_server())
        env = {
            "DATABASE_URL": postgres.url,
            "REDIS_URL": redis.url,
            "CELERY_BROKER_URL": f"{redis.url}/0",
            "CACHE_REDIS_URL": f"{redis.url}/1",
            "CHANNELS_REDIS_URL": f"{redis.url}/2",
            "CELERY_RESULT_BACKEND": f"{redis.url}/3",
            "INBOUND_WEBHOOK_SECRETS": json.dumps({"make": [MAKE_SECRET]}),
            # One user and one address send all the load: the limits are not what is tested here.
            "RATE_LIMIT_OVERRIDES": json.dumps(
                {"user": "100000/15m", "anon": "100000/15m", "exports_create": "100000/15m"}
            ),
            "SCHEDULED_TASKS_DISPATCH_SECONDS": "2",  # what the broker could not take is sent soon after it is back
            "WEB_ACCESS_LOG": "",
        }
        process_env = platform_env(**env)
        manage = [sys.executable, "manage.py"]
        setup = subprocess.run([*manage, "shell", "-c", SETUP], env=process_env, capture_output=True, text=True)
        assert setup.returncode == 0, setup.stderr
        created = json.loads(setup.stdout.split("SETUP ", 1)[1])
        web = stack.enter_context(_running(WebServer(WEB_WORKERS="2", WEB_THREADS="4", **env)))
        worker = stack.enter_context(_supervised(CeleryWorker(concurrency=2, env=env)))
        stack.enter_context(_running(CeleryBeat(env=env)))
        yield Platform(postgres, redis, web, worker, created["token"], created["customer"])


class _supervised:
    """The worker as supervisord (`make run`) and compose's restart policy run it: started again when it exits.

    kombu 5.7.0's Redis transport can end the worker on a lost broker connection ("Unrecoverable error:
    AttributeError" in restore_unacked); its supervisor starts it again, so nobody restarts anything by hand.
    """

    def __init__(self, worker: CeleryWorker) -> None:
        self.worker = worker
        self.restarts = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def __enter__(self) -> _supervised:
        self.worker.start()
        self._thread.start()
        return self

    def _watch(self) -> None:
        while not self._stop.wait(0.5):
            if self.worker.proc is not None and self.worker.proc.poll() is not None:
                self.restarts += 1
                self.worker.start()

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.worker.stop()


class _running:
    """Start a test server on entry, stop it on exit."""

    def __init__(self, server: WebServer | CeleryWorker | CeleryBeat) -> None:
        self.server = server

    def __enter__(self):
        self.server.start()
        return self.server

    def __exit__(self, *exc: object) -> None:
        self.server.stop()


@dataclass(frozen=True)
class Answer:
    kind: str  # read | export | webhook
    started: float  # time.monotonic()
    elapsed: float
    status: int  # 0: no answer (refused, cut, or the client's timeout)
    code: str = ""  # the error code
    dependency: str = ""  # of a 503 dependency_unavailable
    ref: str = ""  # the job id of an accepted export, the webhook-id of a webhook

    @property
    def accepted(self) -> bool:
        return 200 <= self.status < 300


class Load:
    """RATE requests/s from THREADS threads in the MIX order; every answer kept."""

    def __init__(self, platform: Platform) -> None:
        self.platform = platform
        self.answers: list[Answer] = []
        self.stopping = threading.Event()
        self.threads = [threading.Thread(target=self._run, args=(i,), daemon=True) for i in range(THREADS)]

    def __enter__(self) -> Load:
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stopping.set()
        for thread in self.threads:
            thread.join(30)

    def _run(self, index: int) -> None:
        interval, n = THREADS / RATE, index
        while not self.stopping.is_set():
            started = time.monotonic()
            self.answers.append(self.send(MIX[n % len(MIX)]))
            n += THREADS
            time.sleep(max(0.0, interval - (time.monotonic() - started)))

    def send(self, kind: str) -> Answer:
        headers = {"Authorization": f"Bearer {self.platform.token}", "Content-Type": "application/json"}
        body: bytes | None = None
        ref = ""
        if kind == "read":
            path = "/api/v1/jobs/"
        elif kind == "export":
            path, body = "/api/v1/exports/", json.dumps({"document": "cost-of-inaction", "format": "markdown"}).encode()
        else:
            path, body, headers = "/api/v1/webhooks/make/", *self.callback()
            ref = headers["webhook-id"]
        request = urllib.request.Request(self.platform.web.url + path, data=body, headers=headers)  # noqa: S310
        started = time.monotonic()
        try:
            with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - loopback
                status, payload = response.status, json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as http_error:
            status, payload = http_error.code, json.loads(http_error.read() or b"{}")
        except OSError:
            return Answer(kind, started, time.monotonic() - started, 0)
        elapsed = time.monotonic() - started
        error = payload.get("error") if isinstance(payload, dict) else None
        if isinstance(error, dict):
            dependency = str((error.get("details") or {}).get("dependency", ""))
            return Answer(kind, started, elapsed, status, str(error.get("code", "")), dependency)
        if kind == "export":
            ref = str(payload.get("jobId", ""))
        return Answer(kind, started, elapsed, status, ref=ref)

    def callback(self) -> tuple[bytes, dict[str, str]]:
        """A Make.com progress callback, signed the way Make (a Standard Webhooks sender) signs it."""
        body = json.dumps({
            "webhookType": "progress_milestone", "customerId": f"CUST_{self.platform.customer_id}",
            "processedContent": {"milestone": "initial_setup"},
        }).encode()  # fmt: skip
        msg_id, now = f"msg_{uuid.uuid4().hex}", datetime.now(tz=UTC)
        signature = Webhook(MAKE_SECRET).sign(msg_id=msg_id, timestamp=now, data=body.decode())
        headers = {"Content-Type": "application/json", "webhook-id": msg_id,
                   "webhook-timestamp": str(int(now.timestamp())), "webhook-signature": signature}  # fmt: skip
        return body, headers


def tally(answers: list[Answer]) -> str:
    counts = collections.Counter(f"{a.kind} {a.status}{' ' + a.dependency if a.dependency else ''}" for a in answers)
    slowest = max((a.elapsed for a in answers), default=0.0)
    return ", ".join(f"{key}: {n}" for key, n in sorted(counts.items())) + f" (slowest {slowest:.1f} s)"


def final_states(platform: Platform, answers: list[Answer]) -> tuple[dict[str, str], dict[str, str]]:
    """The accepted jobs' and webhooks' stored states, read straight from the platform's database."""
    jobs = [a.ref for a in answers if a.kind == "export" and a.accepted]
    hooks = [a.ref for a in answers if a.kind == "webhook" and a.accepted]
    with psycopg.connect(platform.postgres.url, connect_timeout=5) as conn:
        job_table, hook_table = sql.Identifier(Job._meta.db_table), sql.Identifier(InboundWebhook._meta.db_table)
        job_rows = conn.execute(
            sql.SQL("SELECT id::text, status FROM {} WHERE id = ANY(%s::uuid[])").format(job_table), [jobs]
        ).fetchall()
        hook_rows = conn.execute(
            sql.SQL("SELECT webhook_id, status FROM {} WHERE source = 'make' AND webhook_id = ANY(%s)").format(
                hook_table
            ),
            [hooks],
        ).fetchall()
    job_states = {ref: "missing" for ref in jobs} | {str(uuid.UUID(ref)): status for ref, status in job_rows}
    hook_states = {ref: "missing" for ref in hooks} | dict(hook_rows)
    return job_states, hook_states


def outage(platform: Platform, server: Restartable, dependencies: set[str]) -> None:
    with Load(platform) as load:
        time.sleep(STEADY)
        server.stop()
        stopped = time.monotonic()
        time.sleep(OUTAGE)
        restarting = time.monotonic()
        server.start()
        restarted = time.monotonic()
        time.sleep(AFTER)
    answers = sorted(load.answers, key=lambda a: a.started)
    during = [a for a in answers if stopped <= a.started < restarting]
    after = [a for a in answers if a.started >= restarted + RECOVERED_WITHIN]
    report = (
        f"before: {tally([a for a in answers if a.started < stopped])}\nduring: {tally(during)}\n"
        f"restarting: {tally([a for a in answers if restarting <= a.started < restarted + RECOVERED_WITHIN])}\n"
        f"after: {tally(after)}"
    )

    # Never a 500, never no answer, never a hang: either served, or 503 naming what is down.
    failed = [a for a in answers if not a.accepted and not (a.status == 503 and a.code == "dependency_unavailable")]
    assert not failed, f"{len(failed)} answers neither 2xx nor 503 dependency_unavailable\n{report}\n{platform.logs()}"
    slowest = max(answers, key=lambda a: a.elapsed)
    assert slowest.elapsed < MAX_ANSWER_SECONDS, f"slowest: {slowest}\n{report}\n{platform.logs()}"
    refused = [a for a in during if not a.accepted]
    assert refused, f"the outage was noticed\n{report}"
    assert {a.dependency for a in refused} <= dependencies, report
    # Recovered by itself: nothing was restarted by hand (the worker's supervisor may have started it again).
    assert after, report
    assert all(a.accepted for a in after), report

    accepted = [a for a in answers if a.accepted and a.kind in ("export", "webhook")]

    def settled() -> tuple[dict[str, str], dict[str, str]] | None:
        jobs, hooks = final_states(platform, answers)
        done = all(s == Job.Status.SUCCEEDED for s in jobs.values()) and all(
            s == InboundWebhook.Status.PROCESSED for s in hooks.values()
        )
        return (jobs, hooks) if done else None

    try:
        wait_for(settled, timeout=30, interval=0.5, what="every accepted job and webhook to be processed")
    except AssertionError:
        jobs, hooks = final_states(platform, answers)
        lost = {ref: s for ref, s in {**jobs, **hooks}.items() if s not in ("succeeded", "processed")}
        pytest.fail(
            f"{len(lost)} of {len(accepted)} accepted jobs and webhooks not finished: "
            f"jobs {dict(collections.Counter(jobs.values()))}, webhooks {dict(collections.Counter(hooks.values()))}"
            f"\n{report}\n{platform.logs()}"
        )
    restarts = platform.worker.restarts
    print(f"\n{report}\naccepted and finished: {len(accepted)}; worker restarts by its supervisor: {restarts}")


def test_postgres_stopped_for_10s(platform):
    outage(platform, platform.postgres, {"database"})


def test_redis_stopped_for_10s(platform):
    outage(platform, platform.redis, {"redis", "broker"})
