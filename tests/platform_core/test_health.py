import signal

import pytest
from django.conf import settings
from django.test import override_settings

from tests.support.servers import redis_server

pytestmark = pytest.mark.django_db


def test_healthz_answers_without_dependencies(api_client):
    response = api_client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readyz_checks_every_dependency(api_client):
    response = api_client.get("/readyz")
    assert response.status_code == 200, response.content
    assert response.json()["checks"] == {"database": "ok", "redis": "ok", "broker": "ok", "storage": "ok"}


def test_readyz_is_503_naming_redis_when_redis_goes_away(api_client):
    with redis_server() as (url, proc):
        caches = {"default": {**settings.CACHES["default"], "LOCATION": f"{url}/1"}}
        with override_settings(CACHES=caches, CELERY_BROKER_URL=f"{url}/0"):
            assert api_client.get("/readyz").status_code == 200

            proc.send_signal(signal.SIGKILL)
            proc.wait()

            response = api_client.get("/readyz")
            assert response.status_code == 503
            body = response.json()
            assert body["checks"]["database"] == "ok"
            assert body["checks"]["redis"].startswith("failed")
            assert "redis" in body["error"]["message"]
            assert body["error"]["code"] == "not_ready"
