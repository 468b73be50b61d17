import pytest

from tests.platform_core.factories import CustomerFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_a_user_gets_404_for_another_customers_user(auth_client, user):
    teammate = UserFactory(customer=user.customer, role="member")
    stranger = UserFactory(customer=CustomerFactory())

    assert auth_client.get(f"/api/v1/users/{teammate.pk}/").status_code == 200
    response = auth_client.get(f"/api/v1/users/{stranger.pk}/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"

    listed = auth_client.get("/api/v1/users/").json()
    assert {row["email"] for row in listed["results"]} == {user.email, teammate.email}


def test_request_id_is_echoed_when_valid_and_generated_otherwise(api_client):
    echoed = api_client.get("/healthz", HTTP_X_REQUEST_ID="abc-123")
    assert echoed["X-Request-ID"] == "abc-123"
    forged = api_client.get("/healthz", HTTP_X_REQUEST_ID="bad id\nwith newline")
    assert forged["X-Request-ID"] != "bad id\nwith newline"
    assert len(forged["X-Request-ID"]) == 32


def test_unknown_api_path_answers_json_404(api_client):
    response = api_client.get("/api/v1/no-such-thing/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_openapi_schema_and_docs_are_served(api_client):
    schema = api_client.get("/api/v1/schema/", HTTP_ACCEPT="application/json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert "/api/v1/auth/register/" in paths
    assert "/api/v1/auth/token/refresh/" in paths
    assert api_client.get("/api/docs/").status_code == 200


def test_admin_lists_customers_and_users_for_staff(client):
    staff = UserFactory(is_staff=True, is_superuser=True, customer=None)
    client.force_login(staff)
    for url in ["/admin/", "/admin/platform_core/customer/", "/admin/platform_core/user/?q=example"]:
        assert client.get(url).status_code == 200, url
    # Static files carry hashed names (far-future cacheable).
    page = client.get("/admin/").content.decode()
    assert "/static/admin/css/base." in page
    assert "/static/admin/css/base.css" not in page


def test_admin_lists_jobs_and_dead_letters_with_filters(client):
    from platform_core.models import DeadLetter
    from platform_core.services.jobs import job_create

    staff = UserFactory(is_staff=True, is_superuser=True, customer=None)
    owner = UserFactory()
    job = job_create(kind="export.render", task_name="exports.tasks.export_render", customer=owner.customer, user=owner)
    DeadLetter.objects.create(task_name="exports.tasks.export_render", job=job, error="boom", attempts=3)
    client.force_login(staff)
    pages = {
        "/admin/platform_core/job/?status__exact=queued": "export.render",
        f"/admin/platform_core/job/?customer__id__exact={owner.customer_id}": str(job.id),
        "/admin/platform_core/deadletter/?status__exact=open": "boom",
        f"/admin/platform_core/job/{job.pk}/change/": "export.render",
    }
    for url, expected in pages.items():
        response = client.get(url)
        assert response.status_code == 200, url
        assert expected in response.content.decode(), url


def test_a_list_that_fits_one_page_is_read_in_one_query_and_longer_lists_still_count(
    auth_client, user, django_assert_num_queries
):
    from platform_core.services.jobs import job_create

    for _ in range(3):
        job_create(kind="k", task_name="exports.tasks.export_render", customer=user.customer, user=user)

    with django_assert_num_queries(1):  # no COUNT(*): the page was not full
        short = auth_client.get("/api/v1/jobs/").json()
    assert short["count"] == 3
    assert len(short["results"]) == 3
    assert short["next"] is None

    paged = auth_client.get("/api/v1/jobs/?pageSize=2").json()
    assert paged["count"] == 3
    assert len(paged["results"]) == 2
    assert "page=2" in paged["next"]
    last = auth_client.get("/api/v1/jobs/?pageSize=2&page=2").json()
    assert [len(last["results"]), last["count"], last["next"]] == [1, 3, None]
    assert auth_client.get("/api/v1/jobs/?pageSize=2&page=3").status_code == 404


@pytest.mark.parametrize("accept", ["*/*", "application/json", "application/json, text/plain, */*", "application/*"])
def test_the_accept_headers_clients_send_get_json(auth_client, accept):
    response = auth_client.get("/api/v1/auth/me/", HTTP_ACCEPT=accept)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json()["email"]


def test_a_format_or_media_type_no_renderer_speaks_is_refused_with_a_stable_code(auth_client):
    assert auth_client.get("/api/v1/auth/me/?format=json", HTTP_ACCEPT="*/*").status_code == 200
    refused = auth_client.get("/api/v1/auth/me/", HTTP_ACCEPT="text/html")
    assert refused.status_code == 406
    assert refused.json()["error"]["code"] == "not_acceptable"
