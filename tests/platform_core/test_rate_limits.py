"""Rate limits: counted in Redis after authentication (per user, key, IP, endpoint class), shared by processes."""

import json
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from rest_framework.test import APIClient

from platform_core.models import AuditEvent, Job
from scripts.stack import free_port, stop
from tests.platform_core.factories import PASSWORD, UserFactory
from tests.platform_core.security_support import bearer, login
from tests.support.worker import platform_env


def rates(settings, **overrides: str) -> None:
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, **overrides}


@pytest.mark.django_db
def test_a_user_limit_answers_429_with_retry_after_and_headers(settings):
    rates(settings, user="3/15m")
    client = bearer(login(UserFactory().email)["access"])

    responses = [client.get("/api/v1/auth/me/") for _ in range(4)]

    assert [r.status_code for r in responses] == [200, 200, 200, 429]
    assert [r["X-RateLimit-Remaining"] for r in responses] == ["2", "1", "0", "0"]
    assert all(r["X-RateLimit-Limit"] == "3" for r in responses)
    reset = int(responses[0]["X-RateLimit-Reset"])
    assert time.time() < reset <= time.time() + 15 * 60
    limited = responses[-1]
    assert 1 <= int(limited["Retry-After"]) <= 15 * 60
    error = limited.json()["error"]
    assert error["code"] == "rate_limited"
    assert error["details"]["limit"] == "user"
    assert error["details"]["max"] == 3
    assert abs(error["details"]["retryAfter"] - int(limited["Retry-After"])) <= 1  # a second may tick between


@pytest.mark.django_db
def test_one_users_limit_is_not_consumed_by_another_user_behind_the_same_ip(settings):
    rates(settings, user="2/15m")
    alice = bearer(login(UserFactory().email, ip="203.0.113.7")["access"])
    bob = bearer(login(UserFactory().email, ip="203.0.113.7")["access"])

    alice_codes = [alice.get("/api/v1/auth/me/", REMOTE_ADDR="203.0.113.7").status_code for _ in range(3)]
    bob_codes = [bob.get("/api/v1/auth/me/", REMOTE_ADDR="203.0.113.7").status_code for _ in range(2)]

    assert alice_codes == [200, 200, 429]
    assert bob_codes == [200, 200]


@pytest.mark.django_db
def test_an_endpoint_class_has_its_own_limit(settings):
    rates(settings, job_status="2/m")
    user = UserFactory()
    job = Job.objects.create(customer_id=user.customer_id, user_id=user.pk, kind="export", task_name="x.y")
    client = bearer(login(user.email)["access"])

    polls = [client.get(f"/api/v1/jobs/{job.id}/") for _ in range(3)]

    assert [p.status_code for p in polls] == [200, 200, 429]
    assert polls[-1].json()["error"]["details"]["limit"] == "job_status"
    assert polls[-1]["X-RateLimit-Limit"] == "2"
    assert client.get("/api/v1/jobs/").status_code == 200  # the list is another class


@pytest.mark.django_db
def test_anonymous_calls_are_limited_per_ip(settings):
    rates(settings, anon="2/15m")
    client = APIClient()
    bad = {"refresh": "not-a-token"}

    codes = [client.post("/api/v1/auth/token/refresh/", bad, format="json").status_code for _ in range(3)]
    elsewhere = client.post("/api/v1/auth/token/refresh/", bad, format="json", REMOTE_ADDR="198.51.100.1")

    assert codes == [401, 401, 429]
    assert elsewhere.status_code == 401


@pytest.mark.django_db
def test_an_api_key_is_counted_as_itself(settings):
    rates(settings, api_key="1/15m", user="100/15m")
    owner = UserFactory()
    owner_client = bearer(login(owner.email)["access"])
    key = owner_client.post("/api/v1/api-keys/", {"name": "ci", "scopes": ["read"]}, format="json").json()["key"]
    machine = APIClient()
    machine.credentials(HTTP_X_API_KEY=key)

    assert [machine.get("/api/v1/jobs/").status_code for _ in range(2)] == [200, 429]
    assert owner_client.get("/api/v1/jobs/").status_code == 200  # the person's own limit is separate


@pytest.mark.django_db
def test_repeated_login_failures_lock_the_account(settings):
    user, bystander = UserFactory(), UserFactory()
    client = APIClient()

    failures = [
        client.post("/api/v1/auth/token/", {"email": user.email, "password": "wrong"}, format="json")
        for _ in range(settings.LOGIN_MAX_FAILURES)
    ]
    locked = client.post("/api/v1/auth/token/", {"email": user.email, "password": PASSWORD}, format="json")

    assert {f.status_code for f in failures} == {401}
    assert locked.status_code == 429
    error = locked.json()["error"]
    assert error["code"] == "account_locked"
    assert 14 * 60 < error["details"]["retryAfter"] <= 15 * 60
    assert locked["Retry-After"] == str(error["details"]["retryAfter"])
    login(bystander.email)  # other accounts are not locked
    assert AuditEvent.objects.filter(kind="login_failed", actor_email=user.email).count() == 5
    assert AuditEvent.objects.filter(kind="account_locked", customer_id=user.customer_id).count() == 1


@pytest.mark.django_db
def test_the_token_endpoint_is_limited_per_ip(settings):
    rates(settings, login_ip="3/15m")
    client = APIClient()
    emails = [UserFactory().email for _ in range(4)]
    codes = [
        client.post("/api/v1/auth/token/", {"email": e, "password": PASSWORD}, format="json").status_code
        for e in emails
    ]
    assert codes == [200, 200, 200, 429]


# --- across real processes ------------------------------------------------------------------


def _call(url: str, token: str = "", body: dict | None = None) -> tuple[int, dict]:
    """One request on a new connection to the loopback test server: (status, JSON body)."""
    headers = {"Content-Type": "application/json", **({"Authorization": f"Bearer {token}"} if token else {})}
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, headers=headers)  # noqa: S310 - http://127.0.0.1 only
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return int(response.status), json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as exc:
        return int(exc.code), {}
    except OSError:
        return 0, {}


@pytest.mark.django_db(transaction=True)
def test_a_limit_holds_across_two_gunicorn_worker_processes():
    limit = 30
    user = UserFactory()
    port = free_port()
    access_log = Path(tempfile.mkstemp(prefix="mp-gunicorn-", suffix=".log")[1])
    env = platform_env(RATE_LIMIT_OVERRIDES=json.dumps({"user": f"{limit}/15m"}), DJANGO_ENV="test")
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "config.wsgi", "--workers", "2", "--bind", f"127.0.0.1:{port}",
         "--access-logfile", str(access_log), "--access-logformat", "%(p)s %(s)s %(U)s"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while len(_pids(access_log, "/healthz")) < 2:  # both workers booted and answering
            assert server.poll() is None and time.monotonic() < deadline, "gunicorn workers did not start"
            with ThreadPoolExecutor(max_workers=4) as pool:
                list(pool.map(lambda _: _call(f"{base}/healthz"), range(8)))
            time.sleep(0.1)
        token = _call(f"{base}/api/v1/auth/token/", body={"email": user.email, "password": PASSWORD})[1]["access"]

        url = f"{base}/api/v1/auth/me/"
        with ThreadPoolExecutor(max_workers=8) as pool:
            codes = [status for status, _ in pool.map(lambda _: _call(url, token), range(limit + 10))]
    finally:
        stop(server)

    assert codes.count(200) == limit
    assert codes.count(429) == 10
    assert len(_pids(access_log, "/api/v1/auth/me/")) == 2, "both workers must have answered for the test to mean it"


def _pids(access_log: Path, path: str) -> set[str]:
    return {line.split()[0] for line in access_log.read_text().splitlines() if line.endswith(f" {path}")}
