"""Research API: screenshot and company research jobs (202 + job), profiles, screenshot file links."""

from typing import Any

from django.core import signing
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db.models import QuerySet
from django.http import FileResponse
from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.exceptions import NotFound
from rest_framework.generics import ListAPIView
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from integrations.research import errors, selectors, services
from integrations.research.api import serializers as s
from integrations.research.models import CompanyProfile
from integrations.research.storage import file_link_read, research_storage
from platform_core.api.jobs import JobAcceptedSerializer, job_accepted_response
from platform_core.exceptions import ApplicationError
from platform_core.models import User
from platform_core.selectors.customers import customer_for_user


def _validated(serializer_class: type, request: Request) -> dict[str, Any]:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def _user(request: Request) -> User:
    return request.user  # type: ignore[return-value]


class ScreenshotCreateView(APIView):
    @extend_schema(request=s.ScreenshotInputSerializer, responses={202: JobAcceptedSerializer})
    def post(self, request: Request) -> Response:
        customer = customer_for_user(user=_user(request))
        data = _validated(s.ScreenshotInputSerializer, request)
        job = services.screenshot_request(
            customer=customer, user=_user(request), url=data["url"], full_page=data["full_page"],
            timeout_seconds=data.get("timeout_seconds"),
        )  # fmt: skip
        return job_accepted_response(job)


class ScreenshotDetailView(APIView):
    @extend_schema(
        responses={200: OpenApiResponse(s.ScreenshotResultSerializer, description="The screenshot with a fresh link")}
    )
    def get(self, request: Request, screenshot_id: str) -> Response:
        try:
            shot = selectors.screenshot_get(user=_user(request), screenshot_id=screenshot_id)
        except (ObjectDoesNotExist, ValidationError) as exc:
            raise NotFound("No such screenshot.") from exc
        return Response(services.screenshot_result(shot))


class CompanyResearchView(ListAPIView):
    serializer_class = s.CompanyProfileSerializer

    def get_queryset(self) -> QuerySet[CompanyProfile]:
        return selectors.company_profile_list(user=_user(self.request))

    @extend_schema(request=s.CompanyResearchInputSerializer, responses={202: JobAcceptedSerializer})
    def post(self, request: Request) -> Response:
        customer = customer_for_user(user=_user(request))
        data = _validated(s.CompanyResearchInputSerializer, request)
        target = data.get("url") or data.get("domain")
        if not target:
            raise errors.invalid_url("Give the company's url or domain.")
        job = services.company_research_request(
            customer=customer, user=_user(request), url=target, depth=data["depth"], refresh=data["refresh"]
        )
        return job_accepted_response(job)


class CompanyProfileDetailView(APIView):
    @extend_schema(
        responses={200: OpenApiResponse(s.CompanyProfileResultSerializer, description="As a research job returns it")}
    )
    def get(self, request: Request, profile_id: str) -> Response:
        try:
            profile = selectors.company_profile_get(user=_user(request), profile_id=profile_id)
        except (ObjectDoesNotExist, ValidationError) as exc:
            raise NotFound("No such company profile.") from exc
        return Response(services.profile_result(profile))


class ScreenshotFileView(APIView):
    """The filesystem storage's signed link: no login, the signature is the permission."""

    permission_classes = [AllowAny]
    authentication_classes = []
    throttle_classes = []

    @extend_schema(responses={200: OpenApiResponse(description="The PNG"), 410: OpenApiResponse()})
    def get(self, request: Request, token: str) -> FileResponse:
        try:
            key, expires_at = file_link_read(token)
        except signing.BadSignature as exc:
            raise NotFound("No such file.") from exc
        if expires_at <= timezone.now():
            raise ApplicationError("This link has expired.", code="link_expired", status_code=410)
        try:
            file = research_storage().open(key, "rb")
        except FileNotFoundError:
            raise NotFound("No such file.") from None
        return FileResponse(file, content_type="image/png")
