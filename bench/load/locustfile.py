"""What the simulated people do: members (sign in, read, calculate, export, AI jobs) and visitors (assessment).

Run by bench/load/run.py (`locust --headless` with this file); not meant to be run by hand, though
`locust -f bench/load/locustfile.py` works with LOADBENCH_DIR set. The driver passes, in the environment:

- LOADBENCH_DIR: the run's directory. Every process appends here: `requests-<pid>.jsonl` (one line per
  request: class, name, ms, ok, status, code), `jobs-<pid>.jsonl` (every job the run created, with the
  token that may read it), `users-<pid>.jsonl` (every simulated person started), `sockets.jsonl`
  (tickets for bench/load/ws_clients.py, which opens one socket per member).
- LOADBENCH_PHASE: `signup` (each member registers, then signs in) or `steady` (each member takes one
  of the accounts in `accounts.json`, made by the driver before the run, already signed in).
- LOADBENCH_VISITOR_WEIGHT / LOADBENCH_MEMBER_WEIGHT: the mix of anonymous visitors (1 in 10 by default).

Each person sends an X-Forwarded-For address of its own (the server runs with TRUSTED_PROXY_COUNT=1), so
per-IP limits see distinct people. Think time 1-3 s between actions.
"""

from __future__ import annotations

import fcntl
import itertools
import json
import os
import random
import threading
import time
import uuid
from pathlib import Path
from typing import Any

from locust import FastHttpUser, between, events, task
from locust.exception import StopUser

RUN_DIR = Path(os.environ["LOADBENCH_DIR"]) if "LOADBENCH_DIR" in os.environ else Path.cwd() / "var/loadbench"
PHASE = os.environ.get("LOADBENCH_PHASE", "signup")
RUN_ID = os.environ.get("LOADBENCH_RUN_ID", uuid.uuid4().hex[:8])
API = "/api/v1"
POLL_SECONDS = 2.0  # as the old frontend polled /api/jobs/:id (and job_status allows 60/min)
JOB_WAIT_SECONDS = float(os.environ.get("LOADBENCH_JOB_WAIT", "60"))  # a person stops watching after this
# A member asks for a file about once per 10-minute session, and starts an AI job about as often (the
# first at a random moment of the first period, so arrivals don't bunch); never more than 2 AI jobs per
# run (jobs_generate_icp allows 5/h, the free tier 5 AI operations a day; exports_create 30/15m).
EXPORT_EVERY_SECONDS = float(os.environ.get("LOADBENCH_EXPORT_EVERY", "600"))
AI_EVERY_SECONDS = float(os.environ.get("LOADBENCH_AI_EVERY", "600"))
AI_JOBS_PER_MEMBER = 2
ACCESS_REFRESH_AFTER = 12 * 60  # access tokens live 15 min (JWT_ACCESS_MINUTES)
PASSWORD = os.environ.get("LOADBENCH_PASSWORD", "load-bench-" + RUN_ID + "-Xy9!")

# Endpoint class of each request name (the checklist's "API p95 per endpoint class").
CLASSES = {
    "auth": ("POST /auth/register/", "POST /auth/token/", "POST /auth/token/refresh/", "POST /realtime/ticket/"),
    "reads": (
        "GET /auth/me/", "GET /jobs/", "GET /progress", "GET /resources/", "GET /exports/",
        "GET /cost-calculator/history", "GET /business-case/", "GET /exports/documents/",
    ),
    "calculations": (
        "POST /cost-calculator/calculate", "POST /cost-calculator/save", "POST /business-case/generate",
    ),
    "job submit": ("POST /exports/", "POST /jobs/generate-icp"),
    "job poll": ("GET /jobs/{id}/", "GET /exports/{id}/"),
    "assessment": ("POST /assessments/start", "POST /assessments/submit", "GET /assessments/{id}/results"),
}  # fmt: skip
CLASS_OF = {name: cls for cls, names in CLASSES.items() for name in names}
FINISHED = {"succeeded", "failed", "cancelled"}

COST_INPUTS = {
    "potentialDeals": 100, "averageDealSize": 10_000, "conversionRate": 0.2, "delayMonths": 6,
    "currentOperatingCost": 1_000_000, "inefficiencyRate": 0.1, "employeeCount": 10, "averageSalary": 100_000,
    "marketShare": 0.05,
}  # fmt: skip
BUSINESS_CASE = {
    "type": "pilot",
    "requirements": {"timeline": 6, "budget": 50_000, "successMetrics": ["Win rate up 10 points"]},
    "context": {"industry": "technology", "companySize": "mid-market", "currentChallenges": ["Long sales cycles"]},
}
RNG = random.Random()  # noqa: S311 - a load mix, not a secret
COMPANIES = ["Acme", "Globex", "Initech", "Umbrella", "Hooli", "Stark", "Wayne", "Tyrell", "Cyberdyne", "Soylent"]


# --- What every process writes for the driver ----------------------------------------------------


class _Sink:
    """Append-only JSON lines, one file per process (no locking between processes)."""

    def __init__(self, stem: str) -> None:
        self.stem = stem
        self.lock = threading.Lock()
        self.file: Any = None

    def write(self, record: dict[str, Any]) -> None:
        with self.lock:
            if self.file is None:
                RUN_DIR.mkdir(parents=True, exist_ok=True)
                # Line-buffered: a locust worker process may end without running `quitting` listeners.
                self.file = open(RUN_DIR / f"{self.stem}-{os.getpid()}.jsonl", "a", buffering=1)  # noqa: SIM115
            self.file.write(json.dumps(record, separators=(",", ":")) + "\n")

    def flush(self) -> None:
        with self.lock:
            if self.file is not None:
                self.file.flush()


REQUESTS, JOBS, USERS = _Sink("requests"), _Sink("jobs"), _Sink("users")


def _socket_ticket(record: dict[str, Any]) -> None:
    """One line for ws_clients.py, which tails the file: O_APPEND writes of one short line don't interleave."""
    line = (json.dumps(record, separators=(",", ":")) + "\n").encode()
    fd = os.open(RUN_DIR / "sockets.jsonl", os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, line)
    finally:
        os.close(fd)


@events.request.add_listener
def _record(request_type: str, name: str, response_time: float, response: Any, exception: Any, **kw: Any) -> None:
    status = getattr(response, "status_code", 0) or 0
    context = kw.get("context") or {}
    if exception is not None and not status and not context.get("code"):  # no answer: say why
        context = {"code": type(exception).__name__}
    REQUESTS.write({
        "t": round(time.time() - response_time / 1000, 3), "class": CLASS_OF.get(name, "other"), "name": name,
        "ms": round(response_time, 2), "ok": exception is None, "status": status, "code": context.get("code"),
    })  # fmt: skip


@events.test_stop.add_listener
@events.quitting.add_listener
def _flush(**_: Any) -> None:
    for sink in (REQUESTS, JOBS, USERS):
        sink.flush()


def _take_index(name: str) -> int:
    """0, 1, 2, ... across every locust process of the run (a counter file under flock)."""
    path = RUN_DIR / f"{name}.counter"
    with open(path, "a+") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        f.seek(0)
        value = int(f.read() or 0)
        f.seek(0)
        f.truncate()
        f.write(str(value + 1))
        return value


_addresses = itertools.count(1)


def _address() -> str:
    """A distinct client address per simulated person (10.x.y.z), for per-IP limits."""
    n = os.getpid() % 200 * 60_000 + next(_addresses)
    return f"10.{n >> 16 & 255}.{n >> 8 & 255}.{n & 255 or 1}"


def _error_code(response: Any) -> str | None:
    try:
        return str(response.json()["error"]["code"])
    except Exception:  # any body that is not the platform's error shape
        return None


class Person(FastHttpUser):
    abstract = True
    wait_time = between(1, 3)
    # One connection per person, as a browser keeps one; no retries (an error must count).
    connection_timeout = 30.0
    network_timeout = 60.0

    def on_start(self) -> None:
        self.headers: dict[str, str] = {"X-Forwarded-For": _address(), "Content-Type": "application/json"}

    def reached(self) -> None:
        """This person is in: a visitor at once, a member once signed in."""
        USERS.write({"t": time.time(), "kind": type(self).__name__})

    def call(self, method: str, path: str, name: str, body: Any = None, expect: tuple[int, ...] = (200,)) -> Any:
        """One request; a status outside `expect` is a failure (recorded with the error's code)."""
        kwargs: dict[str, Any] = {"headers": self.headers, "name": name, "catch_response": True}
        if body is not None:
            kwargs["data"] = json.dumps(body)
        with self.client.request(method, API + path, **kwargs) as response:
            if response.status_code in expect:
                response.success()
                try:
                    return response.json() if response.content else {}
                except ValueError:
                    response.failure("not JSON")
                    return None
            cause = response.request_meta.get("exception")
            cause = getattr(cause, "original", None) or cause  # geventhttpclient wraps it in RetriesExceeded
            code = _error_code(response) if response.status_code else type(cause).__name__ if cause else None
            response.request_meta["context"] = {"code": code}
            response.failure(f"{response.status_code} {code or ''}".strip())
            return None


class Member(Person):
    """A signed-in member of a customer: mostly reads, sometimes a calculation, a file or an AI job."""

    weight = int(os.environ.get("LOADBENCH_MEMBER_WEIGHT", "9"))

    def on_start(self) -> None:
        super().on_start()
        self.tokens: dict[str, str] = {}
        self.token_at = 0.0
        self.has_cost = self.has_case = False
        self.next_export = time.time() + RNG.uniform(0, EXPORT_EVERY_SECONDS)
        self.next_ai = time.time() + RNG.uniform(0, AI_EVERY_SECONDS)
        self.ai_jobs = 0
        self.ai_budget = AI_JOBS_PER_MEMBER
        if PHASE == "steady":
            self._take_account()
        else:
            self._sign_up_and_in()
        if not self.tokens:
            raise StopUser()
        self.reached()
        ticket = self.call("POST", "/realtime/ticket/", "POST /realtime/ticket/", expect=(201,))
        if ticket:
            _socket_ticket({"email": self.email, "ticket": ticket["ticket"], "t": time.time()})

    def _take_account(self) -> None:
        accounts = json.loads((RUN_DIR / "accounts.json").read_text())
        index = _take_index("accounts")
        if index >= len(accounts):
            raise StopUser()  # the driver made one account per member; more users than accounts stop here
        account = accounts[index]
        self.email = account["email"]
        self._use(account["tokens"], at=account["at"])
        # A reused account (run.py --accounts) may have spent some of its AI quota in earlier runs:
        # 5 a day on the free tier, 5 ICP jobs an hour.
        now = time.time()
        spent = account.get("aiJobs", [])
        day, hour = sum(t > now - 86400 for t in spent), sum(t > now - 3600 for t in spent)
        self.ai_budget = max(0, min(AI_JOBS_PER_MEMBER, 5 - day, 5 - hour))
        self.has_cost = self.has_case = False

    def _sign_up_and_in(self) -> None:
        self.email = f"load-{RUN_ID}-{os.getpid()}-{uuid.uuid4().hex[:10]}@bench.example.com"
        company = f"{RNG.choice(COMPANIES)} {uuid.uuid4().hex[:6]}"
        body = {"email": self.email, "password": PASSWORD, "fullName": "Load Bench", "companyName": company}
        if self.call("POST", "/auth/register/", "POST /auth/register/", body, expect=(201,)) is None:
            return
        tokens = self.call("POST", "/auth/token/", "POST /auth/token/", {"email": self.email, "password": PASSWORD})
        if tokens:
            self._use(tokens, at=time.time())

    def _use(self, tokens: dict[str, str], *, at: float) -> None:
        self.tokens = {"access": tokens["access"], "refresh": tokens["refresh"]}
        self.token_at = at
        self.headers["Authorization"] = f"Bearer {tokens['access']}"

    def _fresh(self) -> None:
        """Refresh the access token before it expires (15 min), as the frontend does."""
        if time.time() - self.token_at < ACCESS_REFRESH_AFTER:
            return
        body = {"refresh": self.tokens["refresh"]}
        tokens = self.call("POST", "/auth/token/refresh/", "POST /auth/token/refresh/", body)
        if tokens:
            self._use({"access": tokens["access"], "refresh": tokens.get("refresh", body["refresh"])}, at=time.time())

    def get(self, path: str, name: str) -> Any:
        self._fresh()
        return self.call("GET", path, name)

    # --- reads (most of what a member does) ---

    @task(6)
    def me(self) -> None:
        self.get("/auth/me/", "GET /auth/me/")

    @task(4)
    def jobs_list(self) -> None:
        self.get("/jobs/", "GET /jobs/")

    @task(4)
    def progress(self) -> None:
        self.get("/progress", "GET /progress")

    @task(3)
    def resources(self) -> None:
        self.get("/resources/", "GET /resources/")

    @task(1)
    def exports_history(self) -> None:
        self.get("/exports/", "GET /exports/")

    @task(1)
    def cost_history(self) -> None:
        self.get("/cost-calculator/history", "GET /cost-calculator/history")

    @task(1)
    def business_cases(self) -> None:
        self.get("/business-case/", "GET /business-case/")

    # --- calculations ---

    @task(3)
    def cost_calculate(self) -> None:
        self._fresh()
        scenario = RNG.choice(["conservative", "realistic", "aggressive"])
        body = {**COST_INPUTS, "potentialDeals": RNG.randint(10, 500), "scenario": scenario}
        self.call("POST", "/cost-calculator/calculate", "POST /cost-calculator/calculate", body)

    @task(1)
    def cost_save(self) -> None:
        self._fresh()
        body = {**COST_INPUTS, "averageDealSize": RNG.randint(1_000, 50_000), "name": "Pipeline"}
        if self.call("POST", "/cost-calculator/save", "POST /cost-calculator/save", body, expect=(200, 201)):
            self.has_cost = True

    @task(1)
    def business_case(self) -> None:
        self._fresh()
        if self.call("POST", "/business-case/generate", "POST /business-case/generate", BUSINESS_CASE, (200, 201)):
            self.has_case = True

    # --- background jobs: a file, an AI job; the person waits for them by polling ---

    @task(1)
    def export(self) -> None:
        if time.time() < self.next_export:
            return self.me()
        if not (self.has_cost or self.has_case):
            self.cost_save()  # a file needs something in it: save the analysis, then ask for its file
            if not self.has_cost:
                return None
        self._fresh()
        self.next_export = time.time() + EXPORT_EVERY_SECONDS
        document = RNG.choice(
            [d for d, ok in (("cost-of-inaction", self.has_cost), ("business-case", self.has_case)) if ok]
        )
        body = {"document": document, "format": RNG.choice(["pdf", "docx"])}
        started = time.time()
        accepted = self.call("POST", "/exports/", "POST /exports/", body, expect=(202,))
        if not accepted:
            return None
        self._record_job({"jobId": accepted["jobId"], "kind": "export", "exportId": accepted["exportId"], "t": started})
        link_at = None
        while time.time() - started < JOB_WAIT_SECONDS:
            self.wait_poll()
            detail = self.get(f"/exports/{accepted['exportId']}/", "GET /exports/{id}/")
            if detail and detail.get("downloadUrl"):
                link_at = time.time()
                break
            if detail and detail.get("status") == "failed":
                break
        if link_at:  # seen by the person; otherwise the driver reads the export's own times after the run
            JOBS.write({"jobId": accepted["jobId"], "linkSeconds": round(link_at - started, 3)})
        return None

    @task(1)
    def ai_job(self) -> None:
        if self.ai_jobs >= self.ai_budget or time.time() < self.next_ai:
            return self.jobs_list()
        self._fresh()
        self.ai_jobs += 1
        self.next_ai = time.time() + AI_EVERY_SECONDS
        body = {"productInfo": {"name": "Deal Desk", "description": "Scores B2B deals"}, "industry": "SaaS"}
        started = time.time()
        accepted = self.call("POST", "/jobs/generate-icp", "POST /jobs/generate-icp", body, expect=(202,))
        if not accepted:
            return None
        self._record_job({"jobId": accepted["jobId"], "kind": "generate_icp", "t": started})
        while time.time() - started < JOB_WAIT_SECONDS:
            self.wait_poll()
            detail = self.get(f"/jobs/{accepted['jobId']}/", "GET /jobs/{id}/")
            if detail and detail.get("status") in FINISHED:
                break
        return None

    def wait_poll(self) -> None:
        time.sleep(POLL_SECONDS)  # gevent-patched: other people go on meanwhile

    def _record_job(self, job: dict[str, Any]) -> None:
        """A job this run created, written when it is accepted (a person cut short by the end still counts)."""
        JOBS.write({**job, "email": self.email, "access": self.tokens["access"]})


class Visitor(Person):
    """An anonymous visitor taking the public assessment: start, answer, submit, read the results."""

    weight = int(os.environ.get("LOADBENCH_VISITOR_WEIGHT", "1"))

    def on_start(self) -> None:
        super().on_start()
        self.reached()

    @task
    def take_assessment(self) -> None:
        self.headers["X-Forwarded-For"] = _address()  # each pass is a new visitor
        session_id = f"assess_{int(time.time() * 1000)}_{uuid.uuid4().hex[:10]}"
        start = {
            "sessionId": session_id,
            "startTime": time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime()),
            "productInfo": {"businessModel": "b2b-subscription", "productDescription": "Deal scoring"},
        }
        if self.call("POST", "/assessments/start", "POST /assessments/start", start, expect=(201,)) is None:
            return
        time.sleep(RNG.uniform(1, 3))  # answering 14 questions, compressed
        body = {
            "sessionId": session_id,
            "responses": {f"q{i}": RNG.randint(1, 4) for i in range(1, 15)},
            "userInfo": {"name": "Visitor", "email": f"v-{uuid.uuid4().hex[:8]}@bench.example.com", "company": "Acme"},
        }
        submitted = self.call("POST", "/assessments/submit", "POST /assessments/submit", body, expect=(202,))
        if submitted is None:
            return
        started = time.time()
        JOBS.write(
            {"jobId": submitted["jobId"], "kind": "assessment_calculation", "sessionId": session_id, "t": started}
        )
        while time.time() - started < JOB_WAIT_SECONDS:
            time.sleep(POLL_SECONDS)
            results = self.call("GET", f"/assessments/{session_id}/results", "GET /assessments/{id}/results")
            if results is None or results.get("calculationStatus") != "pending":
                break
