"""Export speed and memory: render time per document x format, 200-page memory, request -> link.

Runs against the database and Redis of the environment, so start it through the stack script:

    .venv/bin/python scripts/stack.py --ephemeral -- .venv/bin/python bench/exports.py
    ... bench/exports.py --iterations 30 --requests 40 --pages 200

Phases (one table each):
1. Render: each document type built from records the assessments services saved, rendered in
   every format to a temporary file (what the worker does before the upload), in this process.
   Also a 10-page report PDF through exports.renderers next to bare reportlab building the same
   pages (perf-baseline.md: headings, paragraphs and a 31-row table per page), as the baseline.
2. Memory: a fresh process renders a long report (--pages PDF pages' worth of sections); peak RSS
   growth = ru_maxrss after the render minus ru_maxrss after imports and a warm-up render.
3. End to end: gunicorn (sync, 2 workers) and a Celery worker on the `exports` queue started here;
   from `POST /api/v1/exports/` to the redirect of `/download` (polling the export every 10 ms).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from exports.content import Value

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import percentiles  # noqa: E402 - after the path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

COST_INPUTS = {
    "potential_deals": Decimal(100), "average_deal_size": Decimal(50_000), "conversion_rate": Decimal("0.2"),
    "delay_months": Decimal(6), "current_operating_cost": Decimal(1_000_000), "inefficiency_rate": Decimal("0.1"),
    "employee_count": 20, "average_salary": Decimal(100_000), "market_share": Decimal("0.05"),
}  # fmt: skip
LOREM = (
    "Founders who quantify the cost of inaction close larger deals sooner, because the buyer's CFO sees "
    "the price of waiting next to the price of acting. "
) * 3


def max_rss_mb() -> float:
    """Peak RSS of this process image (VmHWM: unlike ru_maxrss, not inherited from the parent across exec)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# --- data -------------------------------------------------------------------------------------


def setup_customer() -> tuple[Any, Any, str]:
    import django

    django.setup()
    from django.core.management import call_command

    from assessments.services.business_cases import business_case_generate, business_case_generate_simple
    from assessments.services.costs import cost_calculation_save
    from assessments.services.products import product_create
    from platform_core.models import Customer, User

    call_command("migrate", verbosity=0)
    run = uuid.uuid4().hex[:8]
    customer = Customer.objects.create(name=f"Bench Exports {run}", slug=f"bench-exports-{run}")
    password = uuid.uuid4().hex
    user = User.objects.create_user(f"bench-{run}@example.com", password, customer=customer, role="owner")
    product_create(
        customer=customer, user=user,
        data={"product_name": "RoboQuote", "product_description": "Quotes for robot fleets",
              "distinguishing_feature": "Prices every fleet in one click", "business_model": "b2b-subscription",
              "industry": "Robotics", "target_market": "Warehouses with 50+ robots"},
    )  # fmt: skip
    cost_calculation_save(customer=customer, user=user, inputs=COST_INPUTS, scenario="realistic", name="FY27")
    business_case_generate(
        customer=customer, user=user, case_type="full_implementation", budget=Decimal(250_000), timeline_months=12,
        industry="technology", company_size="enterprise", success_metrics=["Win rate up 10 points"],
        current_challenges=["Long sales cycles", "Low conversion"],
    )  # fmt: skip
    business_case_generate_simple(customer=customer, user=user, cost_analysis=None, icp=None)
    _assessment(customer, user)
    _ai_content(customer)
    return customer, user, password


def _assessment(customer: Any, user: Any) -> None:
    from assessments.formulas import QUESTION_IDS
    from assessments.models import AssessmentSession
    from assessments.services.sessions import assessment_calculate, assessment_submit

    session_id = f"assess_{int(time.time() * 1000)}_bench{uuid.uuid4().hex[:4]}"
    assessment_submit(
        session_id=session_id, responses={qid: 2 + i % 3 for i, qid in enumerate(QUESTION_IDS)},
        user_info={"email": user.email, "company": customer.name}, product_info={"product_name": "RoboQuote"},
    )  # fmt: skip
    AssessmentSession.objects.filter(session_id=session_id).update(customer=customer, status="linked")
    assessment_calculate(session_id=session_id)


def _ai_content(customer: Any) -> None:
    """Rows shaped as the AI services store them (assessments.ai_schemas), without calling a model."""
    from assessments.models import CompanyRating, GeneratedResource, IcpAnalysis, PersonaSet, ResourceDefinition

    meta = {"customer": customer, "source": "offline", "model": "bench"}
    segments = [{"name": f"Segment {i}", "score": 90 - 15 * i, "criteria": ["200-2000 staff", "WMS"]} for i in range(4)]
    IcpAnalysis.objects.create(
        title="Logistics ICP", **meta,
        content={"title": "Logistics ICP", "description": LOREM, "segments": segments,
                 "keyIndicators": [f"Indicator {i}" for i in range(6)], "redFlags": ["No WMS", "No budget", "Tiny"],
                 "ratingCriteria": [{"name": f"C{i}", "weight": 25, "description": LOREM[:80]} for i in range(4)]},
    )  # fmt: skip
    persona = {
        "title": "VP Operations", "level": "VP",
        "demographics": {"companySize": "500+", "revenue": "$50M", "industryVertical": "Logistics",
                         "region": "EMEA", "yearsExperience": "10+"},
        "psychographics": {k: [LOREM[:60]] * 3 for k in ("goals", "challenges", "motivations", "fears", "values")},
        "buyingBehavior": {"decisionCriteria": ["TCO"], "budgetAuthority": "Approves", "buyingProcessRole": "Signer",
                           "informationSources": ["Peers"], "preferredChannels": ["Email"]},
    }  # fmt: skip
    PersonaSet.objects.create(company_context=LOREM, industry="Logistics", personas=[persona] * 4, **meta)
    parts = ("industryFit", "companySizeFit", "painPointAlignment", "buyerPersonaMatch")
    breakdown = {p: {"score": 20, "explanation": LOREM[:90]} for p in parts}
    CompanyRating.objects.bulk_create(
        CompanyRating(
            company_url=f"https://company{i}.example.com",
            company_name=f"company{i}.example.com",
            score=80,
            fit_level="Excellent",
            reasoning=LOREM[:200],
            breakdown=breakdown,
            strengths=["Fleet size"],
            concerns=["Budget"],
            recommendation="Call next week",
            **meta,
        )
        for i in range(50)
    )
    resource = ResourceDefinition.objects.order_by("asset_number").first()
    if resource is not None:
        GeneratedResource.objects.create(
            resource=resource, **meta,
            content={"title": resource.title, "summary": LOREM,
                     "sections": [{"heading": f"Part {i}", "body": f"{LOREM}\n\n{LOREM}"} for i in range(6)]},
        )  # fmt: skip


# --- phase 1: render time ------------------------------------------------------------------------


def render_times(customer: Any, user: Any, iterations: int) -> list[tuple[str, str, float, float, int]]:
    from exports.documents import DOCUMENT_TYPES, DocumentRequest
    from exports.renderers import FORMATS

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, document_type in DOCUMENT_TYPES.items():
            if not document_type.available(customer):
                continue
            params = document_type.clean_params(customer, {})
            for fmt in document_type.formats:
                path = Path(tmp) / f"{name}.{FORMATS[fmt].extension}"
                times = []
                for _ in range(iterations + 2):
                    started = time.perf_counter()
                    document = document_type.build(DocumentRequest(customer=customer, user=user, params=params))
                    FORMATS[fmt].render(document, path)
                    times.append((time.perf_counter() - started) * 1000)
                p50, p95 = percentiles(times[2:])  # the first two warm caches and imports
                rows.append((name, fmt, p50, p95, path.stat().st_size))
    return rows


def long_report(pages: int) -> Any:
    """About one A4 page per section: a heading, two paragraphs and a 31-row table (the baseline's page)."""
    from exports.content import Column, Document, Heading, Paragraph, Section, Table

    def section(i: int) -> Section:
        rows: Iterator[list[Value]] = ([f"Account {i}-{r}", r * 7, r * 1250.5, 40 + r % 60] for r in range(31))
        columns = [Column("Account"), Column("Deals", "number"), Column("Pipeline", "money"), Column("Fit", "score")]
        return Section(f"Territory {i}", [Heading("Pipeline"), Paragraph(LOREM), Table(columns, rows)])

    return Document(
        kind="bench-report", title="Territory Report", customer_name="Bench", generated_at=datetime.now(UTC),
        sections=(section(i) for i in range(1, pages + 1)),
    )  # fmt: skip


def bare_reportlab(path: Path, pages: int) -> None:
    """The baseline: platypus with no content model, one heading, paragraphs and a 31-row table per page."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Table

    styles = getSampleStyleSheet()
    story: list[Any] = []
    for i in range(1, pages + 1):
        story += [Paragraph(f"Territory {i}", styles["Heading1"]), Paragraph(LOREM, styles["BodyText"])]
        story += [Table([[f"Account {i}-{r}", r * 7, f"${r * 1250.5:,.0f}", 40 + r % 60] for r in range(31)])]
        story.append(PageBreak())
    SimpleDocTemplate(str(path), pagesize=A4).build(story)


def ten_page_report(iterations: int) -> list[tuple[str, float, float, int]]:
    import pypdf

    from exports.renderers import FORMATS

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for label, render in (
            ("exports.renderers PDF, 10 sections", lambda p: FORMATS["pdf"].render(long_report(10), p)),
            ("bare reportlab, 10 pages (baseline)", lambda p: bare_reportlab(p, 10)),
        ):
            path = Path(tmp) / "report.pdf"
            times = []
            for _ in range(iterations + 2):
                started = time.perf_counter()
                render(path)
                times.append((time.perf_counter() - started) * 1000)
            p50, p95 = percentiles(times[2:])
            rows.append((label, p50, p95, len(pypdf.PdfReader(path).pages)))
    return rows


# --- phase 2: memory of a long render, in a fresh process ------------------------------------------


def memory_child(fmt: str, pages: int) -> None:
    import django

    django.setup()
    import pypdf

    from exports.renderers import FORMATS

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"long.{FORMATS[fmt].extension}"
        FORMATS[fmt].render(long_report(2), path)  # warm-up: imports, fonts, caches
        before = max_rss_mb()
        started = time.perf_counter()
        FORMATS[fmt].render(long_report(pages), path)
        seconds = time.perf_counter() - started
        after = max_rss_mb()
        page_count = len(pypdf.PdfReader(path).pages) if fmt == "pdf" else None
        size = path.stat().st_size
    print(json.dumps({"before": before, "after": after, "seconds": seconds, "pages": page_count, "size": size}))


def memory_growth(fmt: str, pages: int) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, __file__, "--memory-child", fmt, "--pages", str(pages)],
        capture_output=True, text=True, check=True, cwd=ROOT,
    )  # fmt: skip
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


# --- phase 3: request -> link with a running worker ------------------------------------------------


def start_processes(port: int) -> list[subprocess.Popen[bytes]]:
    from scripts.stack import wait_for_port

    unlimited = {"user": "1000000/15m", "exports_create": "1000000/15m"}
    env = {**os.environ, "RATE_LIMIT_OVERRIDES": json.dumps(unlimited), "PYTHONUNBUFFERED": "1"}
    bin_dir = Path(sys.executable).parent
    log = open(Path(tempfile.gettempdir()) / "bench-exports-worker.log", "wb")  # noqa: SIM115 - lives with the process
    web = subprocess.Popen(
        [str(bin_dir / "gunicorn"), "config.wsgi", "--workers", "2", "--bind", f"127.0.0.1:{port}"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    worker = subprocess.Popen(
        [str(bin_dir / "celery"), "--app", "config", "worker", "--queues", "exports", "--concurrency", "2",
         "--loglevel", "INFO", "--without-mingle", "--without-gossip", "--hostname", f"bench-{port}@%h"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    wait_for_port(port, proc=web, name="gunicorn")
    deadline = time.monotonic() + 60
    while " ready." not in Path(log.name).read_text(errors="replace"):
        if time.monotonic() > deadline or worker.poll() is not None:
            raise RuntimeError(f"celery worker did not start: {Path(log.name).read_text()}")
        time.sleep(0.1)
    return [web, worker]


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def http(opener: Any, method: str, url: str, token: str = "", body: dict | None = None) -> tuple[int, Any, Any]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method)  # noqa: S310 - loopback
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with opener.open(request) as response:
            return response.status, response.headers, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, error.headers, json.loads(error.read() or b"null")


def request_to_link(email: str, password: str, requests: int, body: dict[str, Any]) -> dict[str, Any]:
    from scripts.stack import free_port, stop

    port = free_port()
    procs = start_processes(port)
    base = f"http://127.0.0.1:{port}/api/v1"
    opener = urllib.request.build_opener(NoRedirect)
    try:
        status, _, tokens = http(opener, "POST", f"{base}/auth/token/", body={"email": email, "password": password})
        assert status == 200, tokens
        token = tokens["access"]
        times, file_ok = [], 0
        for _ in range(requests + 2):
            started = time.perf_counter()
            status, _, accepted = http(opener, "POST", f"{base}/exports/", token, body)
            assert status == 202, accepted
            while True:
                _, _, export = http(opener, "GET", f"{base}/exports/{accepted['exportId']}/", token)
                if export["status"] in ("ready", "failed"):
                    break
                time.sleep(0.01)
            status, headers, _ = http(opener, "GET", f"{base}/exports/{accepted['exportId']}/download", token)
            assert status == 302, export
            times.append((time.perf_counter() - started) * 1000)
            link = headers["Location"]
            with urllib.request.urlopen(link) as file:  # noqa: S310 - the link gunicorn just gave
                file_ok += file.status == 200 and len(file.read()) == export["size"]
        p50, p95 = percentiles(times[2:])
        return {"p50": p50, "p95": p95, "n": requests, "links_ok": file_ok}
    finally:
        for proc in procs:
            stop(proc)


# --- main ------------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--iterations", type=int, default=20, help="renders per document x format")
    parser.add_argument("--requests", type=int, default=30, help="POST -> link round trips")
    parser.add_argument("--pages", type=int, default=200)
    parser.add_argument("--phases", default="render,memory,e2e", help="comma-separated subset to run")
    parser.add_argument("--memory-child", choices=["pdf", "docx", "csv", "markdown", "json"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.memory_child:
        memory_child(args.memory_child, args.pages)
        return 0

    phases = set(args.phases.split(","))
    customer, user, password = setup_customer()
    print(f"\nexports bench · {os.cpu_count()} CPUs · {datetime.now(UTC):%Y-%m-%d %H:%M} UTC\n", flush=True)
    if "render" in phases:
        render_phase(customer, user, args.iterations)
    if "memory" in phases:
        memory_phase(args.pages)
    if "e2e" in phases:
        e2e_phase(user.email, password, args.requests)
    return 0


def render_phase(customer: Any, user: Any, iterations: int) -> None:

    print("1. Render (build from records + render to a temporary file), ms")
    print(f"{'document':<22} {'format':<9} {'p50':>7} {'p95':>7} {'bytes':>9}")
    for name, fmt, p50, p95, size in render_times(customer, user, iterations):
        print(f"{name:<22} {fmt:<9} {p50:7.1f} {p95:7.1f} {size:9,}")
    print(f"peak RSS of this process after all renders: {max_rss_mb():.0f} MB\n")

    print("   10-page report PDF, ms (goal p95 < 150)")
    print(f"{'renderer':<38} {'p50':>7} {'p95':>7} {'pages':>6}")
    ten = ten_page_report(iterations)
    for label, p50, p95, pages in ten:
        print(f"{label:<38} {p50:7.1f} {p95:7.1f} {pages:6}")
    print(f"ratio p95 exports / bare reportlab: {ten[0][2] / ten[1][2]:.2f}\n", flush=True)


def memory_phase(pages: int) -> None:
    print(f"2. Memory: a {pages}-section report in a fresh process (goal for PDF: growth < 100 MB)")
    print(f"{'format':<9} {'pages':>6} {'seconds':>8} {'RSS before':>11} {'RSS after':>10} {'growth MB':>10}")
    for fmt in ("pdf", "docx", "csv", "markdown", "json"):
        m = memory_growth(fmt, pages)
        page_count = m["pages"] if m["pages"] is not None else "-"
        growth = m["after"] - m["before"]
        print(f"{fmt:<9} {page_count!s:>6} {m['seconds']:8.2f} {m['before']:11.0f} {m['after']:10.0f} {growth:10.1f}")

    print(flush=True)


def e2e_phase(email: str, password: str, requests: int) -> None:
    print("3. End to end: POST /api/v1/exports/ -> ready -> /download redirect, ms (goal p95 < 1000)")
    cases: list[tuple[str, dict[str, Any]]] = [
        ("cost-of-inaction pdf", {"document": "cost-of-inaction", "format": "pdf"}),
        ("business-case docx", {"document": "business-case", "format": "docx"}),
        ("icp-analysis pdf", {"document": "icp-analysis", "format": "pdf"}),
        ("comprehensive pdf, 3 parts", {"document": "comprehensive-report", "format": "pdf",
                                        "sections": ["assessment", "cost-of-inaction", "business-case"]}),
        ("comprehensive pdf, all 8", {"document": "comprehensive-report", "format": "pdf"}),
    ]  # fmt: skip
    for label, body in cases:
        e2e = request_to_link(email, password, requests, body)
        print(
            f"{label:<28} p50 {e2e['p50']:6.0f}  p95 {e2e['p95']:6.0f}  "
            f"(n={e2e['n']}, links downloaded: {e2e['links_ok']}/{e2e['n'] + 2})",
            flush=True,
        )


if __name__ == "__main__":
    sys.exit(main())
