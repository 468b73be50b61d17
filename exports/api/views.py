from typing import Any

from django.core import signing
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import FileResponse, HttpResponse, HttpResponseBase
from django.utils import timezone
from django.utils.http import http_date
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound
from rest_framework.generics import ListAPIView
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from exports.api.serializers import (
    BrandingInputSerializer,
    BrandingSerializer,
    DocumentTypeSerializer,
    DownloadLinkSerializer,
    ExportRequestSerializer,
    ExportSerializer,
)
from exports.documents import document_types_available
from exports.models import Export
from exports.selectors import branding_get_for_customer, export_get_for_user, export_list_for_user
from exports.services import branding_update, export_download, export_request
from exports.storage import cache_control, content_disposition, export_storage, file_link_read
from platform_core.api.jobs import JobAcceptedSerializer, job_accepted_response
from platform_core.api.schema import error_responses
from platform_core.exceptions import ApplicationError
from platform_core.permissions import HasCustomer, IsCustomerManager
from platform_core.selectors.customers import customer_for_user


def _export_for(request: Request, export_id: str) -> Export:
    try:
        return export_get_for_user(user=request.user, export_id=export_id)  # type: ignore[arg-type]
    except (Export.DoesNotExist, ValidationError) as exc:
        raise NotFound("No such export.") from exc


class ExportListCreateView(ListAPIView):
    api_key_scope = "exports"
    permission_classes = [HasCustomer]
    serializer_class = ExportSerializer
    readonly_may_write = True  # an export only reads the customer's data: read-only members may ask for one

    @property
    def throttle_scope(self) -> str | None:  # the history is read often; renders are counted
        return "exports_create" if self.request.method == "POST" else None

    @extend_schema(parameters=[OpenApiParameter("document", str)])
    def get(self, request: Request, *args: object, **kwargs: object) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[Export]:
        return export_list_for_user(user=self.request.user, document=self.request.query_params.get("document"))  # type: ignore[arg-type]

    @extend_schema(request=ExportRequestSerializer, responses={202: JobAcceptedSerializer, **error_responses(404, 409)})
    def post(self, request: Request) -> Response:
        data = ExportRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = data.validated_data
        params = {key: fields[key] for key in ("ids", "sections") if key in fields}
        export = export_request(
            user=request.user,  # type: ignore[arg-type]
            document=fields["document"], format=fields["format"], params=params,
        )  # fmt: skip
        assert export.job is not None
        response = job_accepted_response(export.job)
        response.data["export_id"] = export.id
        response.data["export_url"] = f"/api/v1/exports/{export.id}/"
        return response


class ExportDetailView(APIView):
    api_key_scope = "exports"

    @extend_schema(responses=ExportSerializer)
    def get(self, request: Request, export_id: str) -> Response:
        return Response(ExportSerializer(_export_for(request, export_id)).data)


class ExportDownloadView(APIView):
    api_key_scope = "exports"

    @extend_schema(
        responses={
            302: OpenApiResponse(DownloadLinkSerializer, description="Redirect to a signed link"),
            409: OpenApiResponse(description="Not ready, or failed"),
            410: OpenApiResponse(description="Expired"),
        }
    )
    def get(self, request: Request, export_id: str) -> Response:
        export = _export_for(request, export_id)
        url, expires_at = export_download(export=export, user=request.user, request=request)  # type: ignore[arg-type]
        location = request.build_absolute_uri(url)
        body = DownloadLinkSerializer({"url": location, "expires_at": expires_at}).data
        # The redirect is per user and counted: never cached; the signed link behind it is.
        return Response(body, status=status.HTTP_302_FOUND, headers={"Location": location, "Cache-Control": "no-store"})


class DocumentTypeListView(APIView):
    api_key_scope = "exports"
    permission_classes = [HasCustomer]

    @extend_schema(responses=DocumentTypeSerializer(many=True))
    def get(self, request: Request) -> Response:
        documents = document_types_available(customer_for_user(user=request.user))  # type: ignore[arg-type]
        return Response(DocumentTypeSerializer(documents, many=True).data)


class BrandingView(APIView):
    """Colour and logo on the customer's PDF and DOCX exports: members read, owners and admins change."""

    api_key_scope = "exports"
    permission_classes = [HasCustomer]

    def get_permissions(self) -> Any:
        return [IsCustomerManager()] if self.request.method == "PUT" else super().get_permissions()

    def _customer(self, request: Request) -> Any:
        return customer_for_user(user=request.user)  # type: ignore[arg-type]

    @extend_schema(responses=BrandingSerializer)
    def get(self, request: Request) -> Response:
        return Response(BrandingSerializer(branding_get_for_customer(customer=self._customer(request))).data)

    @extend_schema(request=BrandingInputSerializer, responses=BrandingSerializer)
    def put(self, request: Request) -> Response:
        data = BrandingInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        branding = branding_update(customer=self._customer(request), **data.validated_data)
        return Response(BrandingSerializer(branding).data)


class ExportFileView(APIView):
    """The filesystem storage's signed link: no login, the signature is the permission."""

    permission_classes = [AllowAny]
    authentication_classes = []
    # Not counted per IP like other anonymous calls: a CDN or an office NAT fetches many links from one
    # address, and each link was already issued (and counted) to a signed-in user.
    throttle_classes = []

    @extend_schema(responses={200: OpenApiResponse(description="The file"), 410: OpenApiResponse()})
    def get(self, request: Request, token: str) -> HttpResponseBase:
        try:
            export_id, link_expires_at = file_link_read(token)
        except signing.BadSignature as exc:
            raise NotFound("No such file.") from exc
        if link_expires_at <= timezone.now():
            raise ApplicationError("This download link has expired.", code="link_expired", status_code=410)
        export = Export.objects.filter(pk=export_id).first()
        if export is None:
            raise NotFound("No such file.")
        if export.status != Export.Status.READY:
            raise ApplicationError("This export has expired.", code="export_expired", status_code=410)
        headers = {
            "ETag": f'"{export.etag}"',
            "Cache-Control": cache_control(link_expires_at),
            "Last-Modified": http_date(export.ready_at.timestamp()) if export.ready_at else "",
        }
        if request.headers.get("If-None-Match") == headers["ETag"]:
            return HttpResponse(status=status.HTTP_304_NOT_MODIFIED, headers=headers)
        try:
            file = export_storage().open(export.file_key, "rb")
        except FileNotFoundError:  # purged a moment ago
            raise ApplicationError("This export has expired.", code="export_expired", status_code=410) from None
        response = FileResponse(file, content_type=export.content_type)
        response["Content-Disposition"] = content_disposition(export.file_name)
        response["Content-Length"] = str(export.size)
        for name, value in headers.items():
            response[name] = value
        return response
