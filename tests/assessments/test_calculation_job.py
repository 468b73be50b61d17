"""The assessment calculation job on a real Celery worker (assessments queue), seen through the API."""

import pytest

from assessments.models import AssessmentSession
from platform_core.models import Job
from tests.assessments.factories import CompletedSessionFactory
from tests.support.worker import wait_for

SESSION = "assess_1732600000001_workerrun"


@pytest.mark.django_db(transaction=True)
def test_submit_runs_the_calculation_on_a_worker_and_results_appear(celery_worker, api_client):
    CompletedSessionFactory(answers=1)  # 25 — below
    CompletedSessionFactory(answers=4)  # 100 — above
    body = {
        "sessionId": SESSION,
        "responses": {f"q{i}": 2 for i in range(1, 15)},
        "userInfo": {"email": "ada@example.com", "company": "Acme"},
        "questionTimings": {f"q{i}": 1000 for i in range(1, 15)},
    }
    response = api_client.post("/api/v1/assessments/submit", body)
    assert response.status_code == 202
    job_id = response.json()["jobId"]

    wait_for(lambda: Job.objects.filter(pk=job_id, status="succeeded").exists(), timeout=60, what="calculation job")
    results = api_client.get(f"/api/v1/assessments/{SESSION}/results").json()
    # answers 2 → 50/50/50; one of three below, itself the only 50 → (1 + 1/2) / 3 = 50 %.
    assert results["calculationStatus"] == "done"
    assert (results["overallScore"], results["percentile"]) == (50, 50)
    assert results["professionalLevel"] == "Foundation"
    assert results["topChallenge"] == "Revenue Execution Fundamentals"  # buyer, tech ≥ 50; Developing
    # 14 answers under 3 s with overall < 70: the confidence-competence gap; 50 < 70: foundation (medium).
    assert {c["id"] for c in results["challenges"]} == {"foundation", "confidence_competence_gap"}
    job = Job.objects.get(pk=job_id)
    assert job.result is not None and job.result["percentile"] == 50
    assert AssessmentSession.objects.get(session_id=SESSION).calculation_job_id == job.pk
