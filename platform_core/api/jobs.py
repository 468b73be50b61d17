from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.urls import reverse
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from platform_core.api.fields import ModelSerializer
from platform_core.api.schema import error_responses
from platform_core.models import Job
from platform_core.selectors.jobs import job_get_for_user, job_list_for_user
from platform_core.services.jobs import job_cancel


class JobSerializer(ModelSerializer[Job]):
    error = serializers.SerializerMethodField()

    class Meta:
        model = Job
        fields = [
            "id", "kind", "status", "progress", "message", "result", "error", "attempts", "max_attempts",
            "created_at", "started_at", "finished_at",
        ]  # fmt: skip

    def get_error(self, job: Job) -> dict[str, str] | None:
        return {"code": job.error_code, "message": job.error} if job.error_code else None


# The columns JobSerializer reads (`error` shows error_code too): a page skips each job's input (JSON)
# and bookkeeping columns.
JOB_SERIALIZER_COLUMNS = (*JobSerializer.Meta.fields, "error_code")


JobAcceptedSerializer = inline_serializer(
    "JobAccepted",
    {"job_id": serializers.UUIDField(), "status": serializers.CharField(), "status_url": serializers.CharField()},
)


def job_accepted_response(job: Job) -> Response:
    """What every endpoint that starts slow work answers: 202 and where to follow it."""
    body = {"job_id": job.id, "status": job.status, "status_url": reverse("job-detail", args=[job.id])}
    return Response(body, status=status.HTTP_202_ACCEPTED)


def _job_for(request: Request, job_id: str) -> Job:
    try:
        return job_get_for_user(user=request.user, job_id=job_id)  # type: ignore[arg-type]
    except (Job.DoesNotExist, ValidationError) as exc:
        raise NotFound("No such job.") from exc


class JobListView(ListAPIView):
    api_key_scope = "platform_core"
    serializer_class = JobSerializer

    @extend_schema(
        parameters=[
            OpenApiParameter("status", enum=Job.Status.values),
            OpenApiParameter("kind", str),
        ]
    )
    def get(self, request: Request, *args: object, **kwargs: object) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[Job]:
        status_filter = self.request.query_params.get("status")
        if status_filter and status_filter not in Job.Status.values:
            raise serializers.ValidationError({"status": [f"Must be one of {', '.join(Job.Status.values)}."]})
        return job_list_for_user(
            user=self.request.user,  # type: ignore[arg-type]
            status=status_filter,
            kind=self.request.query_params.get("kind"),
        ).only(*JOB_SERIALIZER_COLUMNS)


class JobDetailView(APIView):
    api_key_scope = "platform_core"

    @extend_schema(responses=JobSerializer)
    def get(self, request: Request, job_id: str) -> Response:
        return Response(JobSerializer(_job_for(request, job_id)).data)


class JobCancelView(APIView):
    api_key_scope = "platform_core"

    @extend_schema(request=None, responses={200: JobSerializer, **error_responses(409)})
    def post(self, request: Request, job_id: str) -> Response:
        job = job_cancel(job=_job_for(request, job_id))
        return Response(JobSerializer(job).data)
