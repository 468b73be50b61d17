"""The WSGI app bench/api.py serves: the platform, plus the baseline of the same run at
/bench/plain-jobs/ — a plain DRF APIView with simplejwt's stock JWTAuthentication (one SQL query for
the user), IsAuthenticated, no session check, no rate limits, and a ModelSerializer of 20 jobs."""

import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()

# The rest needs the apps loaded.
from django.conf import settings  # noqa: E402
from django.core.wsgi import get_wsgi_application  # noqa: E402
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
application = get_wsgi_application()
