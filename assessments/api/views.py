"""Thin views: validate, call one service or selector, shape the answer."""

from collections.abc import Callable
from typing import Any, TypeVar

from django.core.exceptions import ObjectDoesNotExist
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound
from rest_framework.generics import ListAPIView
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from assessments import formulas, selectors
from assessments.api import serializers as s
from assessments.services import business_cases as business_case_services
from assessments.services import costs as cost_services
from assessments.services import products as product_services
from assessments.services import progress as progress_services
from assessments.services import sessions as session_services
from platform_core.api.schema import error_responses
from platform_core.exceptions import ApplicationError
from platform_core.models import Customer, User
from platform_core.selectors.customers import customer_for_user

T = TypeVar("T")


def customer_of(request: Request) -> Customer:
    return customer_for_user(user=request.user)  # type: ignore[arg-type]


def user_of(request: Request) -> User:
    return request.user  # type: ignore[return-value]


def get_or_404(select: Callable[..., T], **kwargs: Any) -> T:
    try:
        return select(**kwargs)
    except (ObjectDoesNotExist, ValueError) as exc:
        raise NotFound() from exc


def validated(serializer_class: type, request: Request) -> dict[str, Any]:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


# --- Assessment sessions (public) --------------------------------------------------------------


class PublicAPIView(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list[type] = []


class AssessmentStartView(PublicAPIView):
    @extend_schema(request=s.AssessmentStartInputSerializer, responses={201: s.StartOutputSerializer})
    def post(self, request: Request) -> Response:
        data = validated(s.AssessmentStartInputSerializer, request)
        session, secret = session_services.assessment_start(
            session_id=data["session_id"], product_info=data.get("product_info")
        )
        body = {"session_id": session.session_id, "record_id": session.pk, "status": session.status}
        if secret:  # only to the browser whose call created the session: its proof for claiming
            body["claim_secret"] = secret
        return Response(body, status=status.HTTP_201_CREATED)


class AssessmentSubmitView(PublicAPIView):
    @extend_schema(
        request=s.AssessmentSubmitInputSerializer, responses={202: s.SubmitOutputSerializer, **error_responses(409)}
    )
    def post(self, request: Request) -> Response:
        data = validated(s.AssessmentSubmitInputSerializer, request)
        session, secret = session_services.assessment_submit(
            session_id=data["session_id"], responses=data["responses"], user_info=data["user_info"],
            product_info=data.get("product_info"), question_timings=data.get("question_timings"),
            generated_content=data.get("generated_content"),
        )  # fmt: skip
        body = {
            "session_id": session.session_id,
            "record_id": session.pk,
            "status": session.status,
            "scores": {
                "buyer_score": session.buyer_score,
                "tech_score": session.tech_score,
                "overall_score": session.overall_score,
                "qualification": session.qualification,
            },
            "job_id": session.calculation_job_id,
            "results_url": reverse("assessment-results", args=[session.session_id]),
        }
        if secret:
            body["claim_secret"] = secret
        return Response(body, status=status.HTTP_202_ACCEPTED)


class AssessmentResultsView(PublicAPIView):
    @extend_schema(responses={200: s.ResultsOutputSerializer, **error_responses(409)})
    def get(self, request: Request, session_id: str) -> Response:
        return Response(selectors.assessment_results_get(session_id=session_id))


class AssessmentClaimTokenView(PublicAPIView):
    """With the session's claim secret (`X-Assessment-Secret` or `{"secret"}`): 201 with the token.
    Without: 202, the token is e-mailed to the respondent only."""

    @extend_schema(
        request=s.ClaimTokenInputSerializer,
        responses={201: s.ClaimTokenOutputSerializer, 202: s.ClaimTokenSentSerializer, **error_responses(403, 409)},
    )
    def post(self, request: Request, session_id: str) -> Response:
        data = validated(s.ClaimTokenInputSerializer, request)
        secret = request.headers.get("X-Assessment-Secret", "")[:200] or data["secret"]
        token, row = session_services.assessment_claim_token_create(session_id=session_id, secret=secret)
        if token is None:
            return Response({"delivered": "email", "expires_at": row.expires_at}, status=status.HTTP_202_ACCEPTED)
        return Response({"token": token, "expires_at": row.expires_at}, status=status.HTTP_201_CREATED)


class AssessmentClaimView(APIView):
    @extend_schema(
        request=s.ClaimInputSerializer, responses={200: s.AssessmentSessionSerializer, **error_responses(404, 409, 410)}
    )
    def post(self, request: Request) -> Response:
        data = validated(s.ClaimInputSerializer, request)
        session = session_services.assessment_claim(token=data["token"], user=user_of(request))
        return Response(s.AssessmentSessionSerializer(session).data)


class AssessmentListView(ListAPIView):
    api_key_scope = "assessments"
    serializer_class = s.AssessmentSessionSerializer

    def get_queryset(self) -> Any:
        return selectors.assessment_session_list_for_customer(customer=customer_of(self.request))


class AssessmentDetailView(APIView):
    api_key_scope = "assessments"

    @extend_schema(responses=s.AssessmentSessionSerializer)
    def get(self, request: Request, session_id: str) -> Response:
        session = get_or_404(
            selectors.assessment_session_get_for_customer, customer=customer_of(request), session_id=session_id
        )
        return Response(s.AssessmentSessionSerializer(session).data)


# --- Products ----------------------------------------------------------------------------------


class ProductListCreateView(ListAPIView):
    api_key_scope = "assessments"
    serializer_class = s.ProductSerializer

    def get_queryset(self) -> Any:
        return selectors.product_list_for_customer(customer=customer_of(self.request))

    @extend_schema(request=s.ProductSerializer, responses={201: s.ProductSerializer})
    def post(self, request: Request) -> Response:
        data = validated(s.ProductSerializer, request)
        product = product_services.product_create(customer=customer_of(request), user=user_of(request), data=data)
        return Response(s.ProductSerializer(product).data, status=status.HTTP_201_CREATED)


class ProductPrimaryView(APIView):
    api_key_scope = "assessments"

    @extend_schema(responses=s.PrimaryProductOutputSerializer)
    def get(self, request: Request) -> Response:
        product = selectors.product_get_primary_for_customer(customer=customer_of(request))
        return Response({"product": s.ProductSerializer(product).data if product else None})


class ProductDetailView(APIView):
    api_key_scope = "assessments"

    def _product(self, request: Request, product_id: int) -> Any:
        return get_or_404(selectors.product_get_for_customer, customer=customer_of(request), product_id=product_id)

    @extend_schema(responses=s.ProductSerializer)
    def get(self, request: Request, product_id: int) -> Response:
        return Response(s.ProductSerializer(self._product(request, product_id)).data)

    @extend_schema(request=s.ProductSerializer, responses=s.ProductSerializer)
    def patch(self, request: Request, product_id: int) -> Response:
        product = self._product(request, product_id)
        serializer = s.ProductSerializer(product, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        product = product_services.product_update(product=product, data=serializer.validated_data)
        return Response(s.ProductSerializer(product).data)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, product_id: int) -> Response:
        product_services.product_delete(product=self._product(request, product_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- Cost of inaction --------------------------------------------------------------------------


def _cost_inputs(data: dict[str, Any]) -> dict[str, Any]:
    return {field: data[field] for field in formulas.COST_INPUT_RANGES}


class CostCalculateView(APIView):
    api_key_scope = "assessments"

    @extend_schema(request=s.CostCalculateInputSerializer, responses=s.CostResultOutputSerializer)
    def post(self, request: Request) -> Response:
        data = validated(s.CostCalculateInputSerializer, request)
        inputs = _cost_inputs(data)
        result = cost_services.cost_calculate(
            customer=customer_of(request), user=user_of(request), inputs=inputs, scenario=data["scenario"]
        )
        return Response({**result, "inputs": {k: float(v) for k, v in inputs.items()}, "generated_at": timezone.now()})


class CostSaveView(APIView):
    api_key_scope = "assessments"

    @extend_schema(request=s.CostSaveInputSerializer, responses={201: s.CostCalculationSerializer})
    def post(self, request: Request) -> Response:
        data = validated(s.CostSaveInputSerializer, request)
        calculation = cost_services.cost_calculation_save(
            customer=customer_of(request), user=user_of(request), inputs=_cost_inputs(data),
            scenario=data["scenario"], name=data["name"], notes=data["notes"],
        )  # fmt: skip
        return Response(s.CostCalculationSerializer(calculation).data, status=status.HTTP_201_CREATED)


class CostHistoryView(ListAPIView):
    api_key_scope = "assessments"
    serializer_class = s.CostCalculationSerializer

    def get_queryset(self) -> Any:
        return selectors.cost_calculation_list_for_customer(customer=customer_of(self.request))


class CostDetailView(APIView):
    api_key_scope = "assessments"

    @extend_schema(responses=s.CostCalculationSerializer)
    def get(self, request: Request, calculation_id: int) -> Response:
        calculation = get_or_404(
            selectors.cost_calculation_get_for_customer, customer=customer_of(request), calculation_id=calculation_id
        )
        return Response(s.CostCalculationSerializer(calculation).data)


class CostCompareView(APIView):
    api_key_scope = "assessments"

    @extend_schema(request=s.CostCompareInputSerializer, responses=s.CostCompareOutputSerializer)
    def post(self, request: Request) -> Response:
        data = validated(s.CostCompareInputSerializer, request)
        comparisons = cost_services.cost_scenarios_compare(base_inputs=data["base_inputs"], scenarios=data["scenarios"])
        return Response({"comparisons": comparisons})


# --- Business case -----------------------------------------------------------------------------


class BusinessCaseTemplatesView(APIView):
    api_key_scope = "assessments"

    @extend_schema(
        parameters=[OpenApiParameter("type", enum=["pilot", "full", "full_implementation"])],
        responses=s.TemplatesOutputSerializer,
    )
    def get(self, request: Request) -> Response:
        case_type = request.query_params.get("type") or None
        if case_type not in (None, "pilot", "full", "full_implementation"):
            raise ApplicationError(
                "Unknown business case type.", code="validation_error",
                details={"type": ["Must be pilot, full or full_implementation."]},
            )  # fmt: skip
        case_type = "full_implementation" if case_type == "full" else case_type
        return Response({"templates": selectors.business_case_templates(case_type=case_type)})


class BusinessCaseGenerateView(APIView):
    api_key_scope = "assessments"

    @extend_schema(request=s.BusinessCaseGenerateInputSerializer, responses={201: s.BusinessCaseSerializer})
    def post(self, request: Request) -> Response:
        data = validated(s.BusinessCaseGenerateInputSerializer, request)
        requirements, context = data["requirements"], data["context"]
        case = business_case_services.business_case_generate(
            customer=customer_of(request), user=user_of(request), case_type=data["type"],
            budget=requirements["budget"], timeline_months=requirements["timeline"],
            team_size=requirements.get("team_size"), success_metrics=requirements["success_metrics"],
            industry=context["industry"], company_size=context["company_size"],
            current_challenges=context["current_challenges"],
        )  # fmt: skip
        return Response(s.BusinessCaseSerializer(case).data, status=status.HTTP_201_CREATED)


class BusinessCaseGenerateSimpleView(APIView):
    api_key_scope = "assessments"

    @extend_schema(request=s.BusinessCaseSimpleInputSerializer, responses={201: s.BusinessCaseSerializer})
    def post(self, request: Request) -> Response:
        data = validated(s.BusinessCaseSimpleInputSerializer, request)
        case = business_case_services.business_case_generate_simple(
            customer=customer_of(request), user=user_of(request),
            cost_analysis=data.get("cost_analysis"), icp=data.get("icp_data"),
        )  # fmt: skip
        return Response(s.BusinessCaseSerializer(case).data, status=status.HTTP_201_CREATED)


class BusinessCaseListView(ListAPIView):
    api_key_scope = "assessments"
    serializer_class = s.BusinessCaseListSerializer

    def get_queryset(self) -> Any:
        return selectors.business_case_list_for_customer(customer=customer_of(self.request))


class BusinessCaseDetailView(APIView):
    api_key_scope = "assessments"

    @extend_schema(responses=s.BusinessCaseSerializer)
    def get(self, request: Request, business_case_id: int) -> Response:
        case = get_or_404(
            selectors.business_case_get_for_customer, customer=customer_of(request), business_case_id=business_case_id
        )
        return Response(s.BusinessCaseSerializer(case).data)


class BusinessCaseSaveView(APIView):
    api_key_scope = "assessments"

    @extend_schema(request=s.BusinessCaseSaveInputSerializer, responses=s.BusinessCaseSerializer)
    def post(self, request: Request, business_case_id: int) -> Response:
        data = validated(s.BusinessCaseSaveInputSerializer, request)
        case = get_or_404(
            selectors.business_case_get_for_customer, customer=customer_of(request), business_case_id=business_case_id
        )
        case = business_case_services.business_case_save(
            business_case=case, user=user_of(request), title=data.get("title")
        )
        return Response(s.BusinessCaseSerializer(case).data)


# --- Progress and search -----------------------------------------------------------------------


class ProgressView(APIView):
    api_key_scope = "assessments"

    @extend_schema(responses=s.ProgressOutputSerializer)
    def get(self, request: Request) -> Response:
        return Response(selectors.progress_get_for_customer(customer=customer_of(request)))


class ProgressTrackView(APIView):
    """Browser events from a catalogue (progress_services.CLIENT_EVENTS); they never complete milestones."""

    api_key_scope = "assessments"
    throttle_scope = "progress_track"

    @extend_schema(request=s.ProgressTrackInputSerializer, responses={201: s.ProgressTrackOutputSerializer})
    def post(self, request: Request) -> Response:
        data = validated(s.ProgressTrackInputSerializer, request)
        customer = customer_of(request)
        entry = progress_services.progress_client_event_record(
            customer=customer, user=user_of(request), action=data["action"], metadata=data["metadata"]
        )
        body = {
            "action": entry.action,
            "milestones_triggered": entry.milestones_triggered,
            "tracked_at": entry.created_at,
            "progress": selectors.progress_get_for_customer(customer=customer),
        }
        return Response(body, status=status.HTTP_201_CREATED)


class SearchView(APIView):
    api_key_scope = "assessments"

    @extend_schema(parameters=[OpenApiParameter("q", str, required=True)], responses=s.SearchOutputSerializer)
    def get(self, request: Request) -> Response:
        serializer = s.SearchInputSerializer(data=request.query_params)
        serializer.is_valid(raise_exception=True)
        query = serializer.validated_data["q"]
        return Response(
            {"query": query, "results": selectors.search_for_customer(customer=customer_of(request), query=query)}
        )
