"""Issue 13 item 10: a suspended customer's sessions, keys and jobs are refused (403 customer_suspended).

Where: the session's user snapshot in Redis carries the customer's status (read in the same gate
round trip, no query per request; platform_core.authentication); the API key's one query loads its
customer; job_start fails the job. Sockets: tests/security/test_sockets.py.
"""

import pytest

from platform_core.models import Customer, Job
from platform_core.services.accounts import customer_status_set
from platform_core.services.jobs import job_create, job_start
from tests.platform_core.factories import UserFactory
from tests.platform_core.security_support import bearer, error_code, login
from tests.security.test_api_keys import key_client, make_key

pytestmark = pytest.mark.django_db


def test_suspension_refuses_open_sessions_and_keys_at_once_and_reactivation_restores_them():
    user, bystander = UserFactory(), UserFactory()
    session = bearer(login(user.email)["access"])
    key = key_client(make_key(user, ["read"]))
    other = bearer(login(bystander.email)["access"])
    assert session.get("/api/v1/auth/me/").status_code == 200  # the snapshot is in Redis now

    customer_status_set(customer=user.customer, status=Customer.Status.SUSPENDED)

    for response in (session.get("/api/v1/auth/me/"), key.get("/api/v1/jobs/")):
        assert response.status_code == 403
        assert error_code(response) == "customer_suspended"
    assert error_code(bearer(login(user.email)["access"]).get("/api/v1/jobs/")) == "customer_suspended"
    assert other.get("/api/v1/auth/me/").status_code == 200  # the other customer is untouched

    customer_status_set(customer=user.customer, status=Customer.Status.ACTIVE)
    assert session.get("/api/v1/auth/me/").status_code == 200
    assert key.get("/api/v1/jobs/").status_code == 200


def test_a_suspended_customers_job_fails_instead_of_running():
    user = UserFactory()
    job = job_create(kind="export", task_name="tests.support.tasks.stepped_job", customer=user.customer, user=user)
    customer_status_set(customer=user.customer, status=Customer.Status.SUSPENDED)

    assert job_start(job_id=str(job.pk), task_id=job.task_id, lease_seconds=60) is None  # what the worker runs first

    job.refresh_from_db()
    assert (job.status, job.error_code) == (Job.Status.FAILED, "customer_suspended")
