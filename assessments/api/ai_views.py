"""AI jobs (202 + job id, queue `ai`) and the stored AI content, scoped to the caller's customer."""

from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import NotFound
from rest_framework.generics import ListAPIView, RetrieveAPIView
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from assessments import ai_selectors
from assessments.api import ai_serializers as s
from assessments.api.views import customer_of, user_of, validated
from assessments.models import AssessmentSession, ResourceDefinition
from assessments.services.ai_content import ai_job_start
from platform_core.api.jobs import JobAcceptedSerializer, job_accepted_response
from platform_core.api.schema import error_responses
from platform_core.exceptions import ApplicationError
from platform_core.throttling import client_ip


class AIJobView(APIView):
    """POST validates the body and starts one AI job for the caller's customer."""

    api_key_scope = "assessments"

    input_serializer: type = s.GenerateIcpInputSerializer
    kind = ""
    task = ""

    def job_input(self, data: dict[str, Any]) -> dict[str, Any]:
        return data

    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = validated(self.input_serializer, request)
        job = ai_job_start(
            kind=self.kind, task=self.task, customer=customer_of(request), user=user_of(request),
            input=self.job_input(data), client_ip=client_ip(request),
        )  # fmt: skip
        return job_accepted_response(job)


@extend_schema(request=s.GenerateIcpInputSerializer, responses={202: JobAcceptedSerializer, **error_responses(402)})
class GenerateIcpJobView(AIJobView):
    input_serializer, kind, task = s.GenerateIcpInputSerializer, "icp_generation", "icp_generate"


@extend_schema(request=s.PersonasInputSerializer, responses={202: JobAcceptedSerializer, **error_responses(402)})
class PersonasJobView(AIJobView):
    input_serializer, kind, task = s.PersonasInputSerializer, "persona_generation", "personas_generate"


@extend_schema(request=s.RateCompanyInputSerializer, responses={202: JobAcceptedSerializer, **error_responses(402)})
class RateCompanyJobView(AIJobView):
    input_serializer, kind, task = s.RateCompanyInputSerializer, "company_rating", "company_rate"


@extend_schema(request=s.RateBatchInputSerializer, responses={202: JobAcceptedSerializer, **error_responses(402)})
class RateBatchJobView(AIJobView):
    input_serializer, kind, task = s.RateBatchInputSerializer, "batch_rating", "company_rate_batch"


class AssessmentInsightsView(APIView):
    """Insights during the public quiz: anyone holding the session id (anonymous quota by IP)."""

    api_key_scope = "assessments"
    permission_classes = [AllowAny]

    def _session(self, session_id: str) -> AssessmentSession:
        session = AssessmentSession.objects.filter(session_id=session_id).first()
        if session is None:
            raise NotFound("No such assessment session.")
        return session

    @extend_schema(request=s.InsightInputSerializer, responses={202: JobAcceptedSerializer, **error_responses(402)})
    def post(self, request: Request, session_id: str) -> Response:
        session = self._session(session_id)
        data = validated(s.InsightInputSerializer, request)
        numbers = sorted(int(r["question_id"][1:]) for r in data["responses"])
        user = request.user if request.user.is_authenticated else None
        job = ai_job_start(
            kind="assessment_insight", task="assessment_insight_generate",
            # The caller's own customer pays; an anonymous quiz is anonymous (IP quota), never charged to
            # the customer the session was linked to.
            customer=getattr(user, "customer", None), user=user,
            input={"session_pk": str(session.pk), "batch_number": data["batch_number"],
                   "question_range": f"{numbers[0]}-{numbers[-1]}", "responses": data["responses"]},
            client_ip=client_ip(request),
        )  # fmt: skip
        return job_accepted_response(job)

    @extend_schema(responses=s.AssessmentInsightListSerializer)
    def get(self, request: Request, session_id: str) -> Response:
        insights = ai_selectors.assessment_insight_list(session=self._session(session_id))
        return Response({"insights": s.AssessmentInsightSerializer(insights, many=True).data})


class CustomerListView(ListAPIView):
    api_key_scope = "assessments"
    select: Any = None

    def get_queryset(self) -> Any:
        return type(self).select(customer=customer_of(self.request))


class CustomerDetailView(RetrieveAPIView):
    api_key_scope = "assessments"
    select: Any = None
    lookup_url_kwarg = "pk"

    def get_queryset(self) -> Any:
        return type(self).select(customer=customer_of(self.request))


class IcpAnalysisListView(CustomerListView):
    serializer_class, select = s.IcpAnalysisSerializer, ai_selectors.icp_analysis_list_for_customer


class IcpAnalysisDetailView(CustomerDetailView):
    serializer_class, select = s.IcpAnalysisSerializer, ai_selectors.icp_analysis_list_for_customer


class PersonaSetListView(CustomerListView):
    serializer_class, select = s.PersonaSetSerializer, ai_selectors.persona_set_list_for_customer


class PersonaSetDetailView(CustomerDetailView):
    serializer_class, select = s.PersonaSetSerializer, ai_selectors.persona_set_list_for_customer


class CompanyRatingListView(CustomerListView):
    serializer_class, select = s.CompanyRatingSerializer, ai_selectors.company_rating_list_for_customer


class CompanyRatingDetailView(CustomerDetailView):
    serializer_class, select = s.CompanyRatingSerializer, ai_selectors.company_rating_list_for_customer


class ResourceLibraryView(APIView):
    api_key_scope = "assessments"

    @extend_schema(
        operation_id="resources_list",
        parameters=[OpenApiParameter("tier", enum=ResourceDefinition.Tier.values)],
        responses=s.ResourceLibrarySerializer,
    )
    def get(self, request: Request) -> Response:
        tier = request.query_params.get("tier")
        if tier and tier not in ResourceDefinition.Tier.values:
            raise ApplicationError("Unknown tier.", code="validation_error", details={"tier": ["Unknown tier."]})
        resources = ai_selectors.resource_library_for_customer(customer=customer_of(request), tier=tier)
        summary = {
            "total_resources": len(resources),
            "unlocked": sum(r["is_unlocked"] for r in resources),
            "generated": sum(r["is_generated"] for r in resources),
        }
        return Response({"resources": resources, "metadata": summary})


class ResourceGenerateView(APIView):
    api_key_scope = "assessments"

    @extend_schema(request=None, responses={202: JobAcceptedSerializer, **error_responses(402)})
    def post(self, request: Request, code: str) -> Response:
        customer = customer_of(request)
        resource = ResourceDefinition.objects.filter(code=code).first()
        if resource is None:
            raise NotFound("No such resource.")
        if not ai_selectors.resource_unlocked_for_customer(customer=customer, resource=resource):
            raise ApplicationError(
                f"{resource.title} unlocks at {resource.unlock_threshold}% progress.", code="resource_locked",
                status_code=403, details={"unlockThreshold": resource.unlock_threshold},
            )  # fmt: skip
        job = ai_job_start(
            kind="resource_generation", task="resource_generate", customer=customer, user=user_of(request),
            input={"code": code}, client_ip=client_ip(request),
        )  # fmt: skip
        return job_accepted_response(job)


class GeneratedResourceView(APIView):
    api_key_scope = "assessments"

    @extend_schema(operation_id="resources_generated_retrieve", responses=s.GeneratedResourceSerializer)
    def get(self, request: Request, code: str) -> Response:
        try:
            row = ai_selectors.generated_resource_latest_for_customer(customer=customer_of(request), code=code)
        except ObjectDoesNotExist as exc:
            raise NotFound("Resource not found or not generated yet.") from exc
        return Response(s.GeneratedResourceSerializer(row).data)
