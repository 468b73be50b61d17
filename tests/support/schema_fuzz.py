"""schemathesis over every operation of the OpenAPI schema the platform serves, as a signed-in owner.

Each operation gets `max_examples` generated requests per generation mode (valid data, then invalid data);
every response must pass `not_a_server_error`, `status_code_conformance` and `response_schema_conformance`.
Used by tests/platform_core/test_schema_conformance.py (a few examples per operation) and by
bench/schema_fuzz.py (many). Generation is derandomized: the same schema gives the same requests.
"""

from __future__ import annotations

import functools
import json
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from hypothesis.strategies import SearchStrategy
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import Failure, FailureGroup
from schemathesis.core.result import Err
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance

CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]
MODES = (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
SESSION_ENDED_CODES = frozenset({"session_revoked", "session_expired"})

# The web server a fuzz run talks to: limits high enough that the fuzzer's own volume is not what it tests
# (429s are still documented and accepted), and a broker database no worker consumes, so the jobs it starts
# (renders, browsers, AI calls) wait there instead of running on the test session's worker.
FUZZ_BROKER_DB = "13"
FUZZ_RATE_LIMITS = {
    name: "1000000/15m"
    for name in (
        "anon", "user", "api_key", "login_ip", "login_account", "jobs_personas", "jobs_rate_company",
        "jobs_rate_batch", "jobs_generate_icp", "job_status", "progress_track", "exports_create", "analytics_ingest",
    )
}  # fmt: skip


def fuzz_server_env(redis_url: str) -> dict[str, str]:
    return {
        "RATE_LIMIT_OVERRIDES": json.dumps(FUZZ_RATE_LIMITS),
        "CELERY_BROKER_URL": f"{redis_url.rstrip('/')}/{FUZZ_BROKER_DB}",
        "LOGIN_MAX_FAILURES": "1000000",
        "AI_TIER_QUOTAS": json.dumps({tier: [1_000_000, 86400] for tier in ("anonymous", "free", "trial", "paid")}),
    }


@dataclass
class OperationReport:
    label: str
    cases: int = 0
    unsendable: int = 0
    modes_skipped: list[str] = field(default_factory=list)
    statuses: set[int] = field(default_factory=set)
    failures: dict[str, str] = field(default_factory=dict)  # failure title -> the first report (with curl)
    seconds: float = 0.0


class BearerToken:
    """The signed-in user's access token; a fresh session when the fuzzer ended the current one
    (`POST /auth/sessions/revoke-all/ {"includeCurrent": true}` is a valid request)."""

    def __init__(self, sign_in: Callable[[], str]) -> None:
        self.sign_in = sign_in
        self.token = sign_in()
        self.renewals = 0

    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def renew_if_ended(self, response: schemathesis.Response) -> None:
        if response.status_code != 401:
            return
        try:
            code = response.json()["error"]["code"]
        except (ValueError, KeyError, TypeError):
            return
        if code in SESSION_ENDED_CODES:
            self.token = self.sign_in()
            self.renewals += 1


AUTH_HEADERS = frozenset({"authorization", "x-api-key"})
# Requests the HTTP client refuses to send (a generated header name with a space, say): not the API's answer.
UNSENDABLE = (requests.exceptions.InvalidHeader, requests.exceptions.InvalidURL, UnicodeError, ValueError)


def _signed_in(case: schemathesis.Case) -> None:
    """Drop the credentials schemathesis generates from the security schemes: the caller is our owner."""
    for name in [name for name in case.headers or {} if name.lower() in AUTH_HEADERS]:
        del case.headers[name]


def _case_send(
    case: schemathesis.Case, *, base_url: str, http: requests.Session, auth: BearerToken, report: OperationReport
) -> None:
    _signed_in(case)
    headers = auth.headers()
    try:
        response = case.call(base_url=base_url, session=http, headers=headers, timeout=60)
    except UNSENDABLE:
        report.unsendable += 1
        return
    except requests.RequestException as exc:  # no answer at all: as bad as a 500
        report.failures.setdefault(f"No response: {type(exc).__name__}", f"{case.as_curl_command()}\n{exc}")
        return
    report.cases += 1
    report.statuses.add(response.status_code)
    try:
        case.validate_response(response, checks=CHECKS, headers=headers)
    except FailureGroup as group:
        for failure in group.exceptions:
            report.failures.setdefault(failure.title, str(group))
    except Failure as failure:
        report.failures.setdefault(failure.title, str(failure))
    auth.renew_if_ended(response)


def _examples_run(
    strategy: SearchStrategy[schemathesis.Case], send: Callable[[schemathesis.Case], None], run_settings: settings
) -> None:
    @run_settings
    @given(case=strategy)
    def run(case: schemathesis.Case) -> None:
        send(case)

    run()


def schema_fuzz(
    *,
    base_url: str,
    auth: BearerToken,
    max_examples: int,
    modes: Iterable[GenerationMode] = MODES,
    only: Callable[[str], bool] = lambda label: True,
) -> list[OperationReport]:
    schema = schemathesis.openapi.from_url(f"{base_url}/api/v1/schema/?format=json")
    http = requests.Session()
    run_settings = settings(
        max_examples=max_examples,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],  # no shrinking: every failure is kept as it came
        suppress_health_check=list(HealthCheck),
    )
    reports: list[OperationReport] = []
    for result in schema.get_all_operations():
        if isinstance(result, Err):
            raise result.err()  # the served schema is invalid: nothing can be checked against it
        operation = result.ok()
        if not only(operation.label):
            continue
        report = OperationReport(label=operation.label)
        started = time.monotonic()
        for mode in modes:
            send = functools.partial(_case_send, base_url=base_url, http=http, auth=auth, report=report)
            try:
                _examples_run(operation.as_strategy(generation_mode=mode), send, run_settings)
            except Unsatisfiable:  # nothing to make invalid (no parameters, no body): the mode does not apply
                report.modes_skipped.append(mode.value)
        report.seconds = time.monotonic() - started
        reports.append(report)
    return reports


def report_table(reports: list[OperationReport]) -> str:
    width = max(len(report.label) for report in reports)
    lines = [f"{'operation':<{width}}  {'cases':>5}  {'failures':>8}  {'seconds':>7}  statuses"]
    for report in reports:
        statuses = ",".join(str(status) for status in sorted(report.statuses))
        lines.append(
            f"{report.label:<{width}}  {report.cases:>5}  {len(report.failures):>8}  {report.seconds:>7.1f}  {statuses}"
        )
    total_cases = sum(report.cases for report in reports)
    total_failures = sum(len(report.failures) for report in reports)
    lines.append(f"{f'{len(reports)} operations':<{width}}  {total_cases:>5}  {total_failures:>8}")
    return "\n".join(lines)


def failures_text(reports: list[OperationReport]) -> str:
    return "\n".join(
        f"--- {report.label}: {title}\n{text}" for report in reports for title, text in report.failures.items()
    )
