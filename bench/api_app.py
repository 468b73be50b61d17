"""The WSGI app bench/api.py serves: the platform, plus the baseline of the same run at
/bench/plain-jobs/ — a plain DRF APIView with simplejwt's stock JWTAuthentication (one SQL query for
the user), IsAuthenticated, no session check, no rate limits, and a ModelSerializer of 20 jobs.

With BENCH_OBSERVABILITY=off (bench/api.py --observability) the platform runs without its instrumentation:
no metrics middleware, no SQL timing, django-redis's plain cache backend (and the caller turns the request
log off), so the same run can compare it with the platform as deployed."""

import os

import django
from django.conf import settings

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
OBSERVABILITY_OFF = os.environ.get("BENCH_OBSERVABILITY") == "off"
if OBSERVABILITY_OFF:  # before django.setup(): no cache exists yet
    settings.CACHES["default"]["BACKEND"] = "django_redis.cache.RedisCache"
django.setup()

# The rest needs the apps loaded.
from django.core.wsgi import get_wsgi_application  # noqa: E402
from django.db.backends.signals import connection_created  # noqa: E402
from django.urls import include, path  # noqa: E402
from rest_framework import serializers  # noqa: E402
from rest_framework.permissions import IsAuthenticated  # noqa: E402
from rest_framework.request import Request  # noqa: E402
from rest_framework.response import Response  # noqa: E402
from rest_framework.views import APIView  # noqa: E402
from rest_framework_simplejwt.authentication import JWTAuthentication  # noqa: E402

from platform_core.models import Job  # noqa: E402


class PlainJobSerializer(serializers.ModelSerializer[Job]):
    class Meta:
        model = Job
        fields = [
            "id", "kind", "status", "progress", "message", "result", "error_code", "error", "attempts",
            "max_attempts", "created_at", "started_at", "finished_at",
        ]  # fmt: skip


class PlainJobList(APIView):
    authentication_classes = [JWTAuthentication]
    permission_classes = [IsAuthenticated]
    throttle_classes = []

    def get(self, request: Request) -> Response:
        jobs = Job.objects.filter(customer_id=request.user.customer_id).order_by("-created_at")[:20]  # type: ignore[union-attr, misc]
        return Response(PlainJobSerializer(jobs, many=True).data)


urlpatterns = [path("bench/plain-jobs/", PlainJobList.as_view()), path("", include("config.urls"))]
settings.ROOT_URLCONF = __name__
if OBSERVABILITY_OFF:
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if "observability" not in m]
    connection_created.disconnect(dispatch_uid="platform_observability_query_timer")
application = get_wsgi_application()
