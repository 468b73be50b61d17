"""The public assessment: start, submit (server-side scores), results, calculation, expiry."""

from datetime import timedelta

import pytest
from django.db.models import Count
from django.utils import timezone

from assessments.models import AssessmentScoreCount, AssessmentSession
from assessments.services.sessions import COMPLETED, assessment_calculate, assessment_sessions_expire
from platform_core.models import Job
from tests.assessments.factories import CompletedSessionFactory
from tests.platform_core.factories import CustomerFactory

pytestmark = pytest.mark.django_db

SESSION = "assess_1732600000000_k3j4h5g6f"


def submit_body(session_id=SESSION, answer=4, **extra):
    return {
        "sessionId": session_id,
        "responses": {f"q{i}": answer for i in range(1, 15)},
        "userInfo": {"name": "Ada", "email": "Ada@Example.com", "company": "Acme", "role": "CEO"},
        "questionTimings": {"q1": 1200, "q2": 45000},
        **extra,
    }


def test_start_creates_a_started_session(api_client):
    response = api_client.post(
        "/api/v1/assessments/start",
        {"sessionId": SESSION, "startTime": "2026-11-26T09:00:00.000Z",
         "productInfo": {"businessModel": "b2b-subscription", "productDescription": "Deal scoring"}},
    )  # fmt: skip
    assert response.status_code == 201, response.json()
    assert response.json()["sessionId"] == SESSION
    assert response.json()["status"] == "started"
    session = AssessmentSession.objects.get(session_id=SESSION)
    assert (session.business_model, session.product_description) == ("b2b-subscription", "Deal scoring")


@pytest.mark.parametrize("session_id", ["short", "has spaces in it!", "x" * 101])
def test_start_rejects_a_malformed_session_id(api_client, session_id):
    response = api_client.post("/api/v1/assessments/start", {"sessionId": session_id})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "validation_error"
    assert "sessionId" in response.json()["error"]["details"]
    assert not AssessmentSession.objects.exists()


def test_submit_scores_on_the_server_and_ignores_client_scores(api_client):
    api_client.post("/api/v1/assessments/start", {"sessionId": SESSION})
    body = submit_body(
        answer=1, results={"buyerScore": 99, "techScore": 99, "overallScore": 99, "qualification": "Qualified"}
    )
    response = api_client.post("/api/v1/assessments/submit", body)
    assert response.status_code == 202, response.json()
    data = response.json()
    assert data["scores"] == {"buyerScore": 25, "techScore": 25, "overallScore": 25, "qualification": "Early Stage"}
    assert data["resultsUrl"] == f"/api/v1/assessments/{SESSION}/results"
    session = AssessmentSession.objects.get(session_id=SESSION)
    assert session.status == "completed_awaiting_signup"
    assert (session.overall_score, session.user_email, session.q14_response) == (25, "ada@example.com", 1)
    job = Job.objects.get(pk=data["jobId"])
    assert (job.kind, job.task_name, job.status) == (
        "assessment_calculation",
        "assessments.tasks.assessment_calculate",
        "queued",
    )


def test_submit_without_start_creates_the_session(api_client):
    response = api_client.post("/api/v1/assessments/submit", submit_body(answer=4))
    assert response.status_code == 202
    assert response.json()["scores"]["overallScore"] == 100


def test_submit_mixed_answers_scores_by_hand(api_client):
    """Same hand-computed case as test_formulas.test_mixed_answers_by_hand: 70 / 63 / 67 Promising."""
    answers = dict(q1=4, q2=3, q3=2, q4=1, q5=4, q6=3, q7=2, q8=2, q9=3, q10=4, q11=1, q12=1, q13=4, q14=4)
    body = {**submit_body(), "responses": answers}
    response = api_client.post("/api/v1/assessments/submit", body)
    assert response.json()["scores"] == {
        "buyerScore": 70,
        "techScore": 63,
        "overallScore": 67,
        "qualification": "Promising",
    }


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"responses": {**{f"q{i}": 3 for i in range(1, 14)}}}, "responses"),  # q14 missing
        ({"responses": {**{f"q{i}": 3 for i in range(1, 14)}, "q14": 5}}, "responses"),
        ({"responses": {**{f"q{i}": 3 for i in range(1, 14)}, "q14": 0}}, "responses"),
        ({"userInfo": {"company": "Acme"}}, "userInfo"),
        ({"userInfo": {"email": "not-an-email", "company": "Acme"}}, "userInfo"),
        ({"questionTimings": {"q99": 10}}, "questionTimings"),
        ({"questionTimings": {"q1": -1}}, "questionTimings"),
    ],
)
def test_submit_rejects_bad_input_and_saves_nothing(api_client, change, field):
    response = api_client.post("/api/v1/assessments/submit", {**submit_body(), **change})
    assert response.status_code == 400, response.json()
    assert field in response.json()["error"]["details"]
    assert not AssessmentSession.objects.exists()
    assert not Job.objects.exists()


def test_submit_twice_is_a_conflict(api_client):
    assert api_client.post("/api/v1/assessments/submit", submit_body()).status_code == 202
    response = api_client.post("/api/v1/assessments/submit", submit_body(answer=1))
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "assessment_already_submitted"
    assert AssessmentSession.objects.get().overall_score == 100


def test_results_before_and_after_the_calculation(api_client):
    CompletedSessionFactory(answers=1)
    CompletedSessionFactory(answers=2)
    api_client.post("/api/v1/assessments/submit", submit_body(answer=3))

    pending = api_client.get(f"/api/v1/assessments/{SESSION}/results")
    assert pending.status_code == 200
    assert pending.json()["calculationStatus"] == "pending"
    assert pending.json()["percentile"] is None

    assessment_calculate(session_id=SESSION)  # what the job runs (a real worker: test_calculation_job.py)

    done = api_client.get(f"/api/v1/assessments/{SESSION}/results").json()
    # answers 3 → 75/75/75; two completed below it → (2 + 1/2) / 3 = 83 %.
    assert (done["overallScore"], done["percentile"], done["calculationStatus"]) == (75, 83, "done")
    assert done["professionalLevel"] == "Proficient"
    assert done["topChallenge"] == "Advanced Revenue Scaling"
    assert done["toolUnlocks"] == {
        "canGenerateIcp": True,
        "canBuildBusinessCase": True,
        "canAccessAdvancedFeatures": True,
    }
    assert [c["id"] for c in done["challenges"]] == []  # 75 ≥ 70, gap 0, one slow answer only


def test_the_percentile_counts_follow_every_way_a_session_is_written(api_client):
    """The per-score counts the percentile reads are kept by the database, whoever writes the session."""

    def counted() -> dict[int, int]:
        return {s: n for s, n in AssessmentScoreCount.objects.values_list("score", "completed") if n}

    def exact() -> dict[int, int]:
        completed = AssessmentSession.objects.filter(status__in=COMPLETED)
        return dict(completed.values_list("overall_score").annotate(n=Count("pk")).order_by())

    low, _, high = (
        CompletedSessionFactory(answers=1),
        CompletedSessionFactory(answers=1),
        CompletedSessionFactory(answers=4),
    )
    api_client.post("/api/v1/assessments/start", {"sessionId": "assess_1732600000009_stillopen"})  # not completed
    assert api_client.post("/api/v1/assessments/submit", submit_body(answer=3)).status_code == 202
    assert counted() == exact() == {25: 2, 75: 1, 100: 1}

    high.status, high.customer = AssessmentSession.Status.LINKED, CustomerFactory()  # still completed
    high.save()
    low.overall_score = 50  # a staff correction in the admin
    low.save()
    assert counted() == exact() == {25: 1, 50: 1, 75: 1, 100: 1}
    AssessmentSession.objects.filter(pk=low.pk).update(status=AssessmentSession.Status.EXPIRED)
    high.delete()
    assert counted() == exact() == {25: 1, 75: 1}


def test_results_of_unknown_and_open_sessions(api_client):
    assert api_client.get("/api/v1/assessments/assess_nothing_here/results").status_code == 404
    api_client.post("/api/v1/assessments/start", {"sessionId": SESSION})
    response = api_client.get(f"/api/v1/assessments/{SESSION}/results")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "assessment_not_completed"


def test_sessions_abandoned_for_seven_days_expire():
    old = AssessmentSession.objects.create(
        session_id="assess_old_session_1", started_at=timezone.now() - timedelta(days=8)
    )
    fresh = AssessmentSession.objects.create(
        session_id="assess_new_session_1", started_at=timezone.now() - timedelta(days=6)
    )
    done = CompletedSessionFactory(started_at=timezone.now() - timedelta(days=30))
    assert assessment_sessions_expire() == 1
    statuses = dict(AssessmentSession.objects.values_list("session_id", "status"))
    assert statuses == {
        old.session_id: "expired",
        fresh.session_id: "started",
        done.session_id: "completed_awaiting_signup",
    }


def test_an_expired_session_cannot_be_submitted(api_client):
    AssessmentSession.objects.create(session_id=SESSION, status="expired")
    response = api_client.post("/api/v1/assessments/submit", submit_body())
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "assessment_expired"
    assert AssessmentSession.objects.get().overall_score is None


def test_a_customers_assessments_are_listed_only_to_that_customer(auth_client, user):
    mine = CompletedSessionFactory(status="linked", customer=user.customer)
    theirs = CompletedSessionFactory(status="linked", customer=CustomerFactory())
    unclaimed = CompletedSessionFactory()
    listed = auth_client.get("/api/v1/assessments/").json()["results"]
    assert [row["sessionId"] for row in listed] == [mine.session_id]
    assert auth_client.get(f"/api/v1/assessments/{mine.session_id}/").json()["overallScore"] == 75
    assert auth_client.get(f"/api/v1/assessments/{theirs.session_id}/").status_code == 404
    assert auth_client.get(f"/api/v1/assessments/{unclaimed.session_id}/").status_code == 404


def test_results_say_failed_when_the_calculation_job_failed_for_good(api_client):
    job_id = api_client.post("/api/v1/assessments/submit", submit_body()).json()["jobId"]
    url = f"/api/v1/assessments/{SESSION}/results"
    assert api_client.get(url).json()["calculationStatus"] == "pending"  # now cached
    Job.objects.filter(pk=job_id).update(status="failed", error_code="internal_error")
    assert api_client.get(url).json()["calculationStatus"] == "failed"
