"""The WSGI app the Sentry tests serve: the platform, plus two test-only routes (an unhandled error
and a job that fails for good), as bench/api_app.py adds its baseline."""

import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()

from django.conf import settings  # noqa: E402
from django.core.wsgi import get_wsgi_application  # noqa: E402
from django.http import HttpRequest, JsonResponse  # noqa: E402
from django.urls import include, path  # noqa: E402
from django.views.decorators.csrf import csrf_exempt  # noqa: E402

from platform_core.services.jobs import job_create  # noqa: E402


@csrf_exempt
def boom(request: HttpRequest) -> JsonResponse:
    password = request.headers.get("X-Test-Password", "")
    authorization = request.headers.get("Authorization", "")
    raise RuntimeError(f"boom while checking password={password} with {authorization}")


@csrf_exempt
def failing_job(request: HttpRequest) -> JsonResponse:
    job = job_create(kind="test", task_name="tests.support.tasks.invalid_input_job", customer=None, user=None)
    return JsonResponse({"jobId": str(job.id)}, status=202)


urlpatterns = [
    path("test/boom", boom, name="test-boom"),
    path("test/failing-job", failing_job, name="test-failing-job"),
    path("", include("config.urls")),
]
handler404 = "platform_core.api.errors.json_not_found"
handler500 = "platform_core.api.errors.json_server_error"
settings.ROOT_URLCONF = __name__
application = get_wsgi_application()
