from typing import Any

from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from integrations.webhooks import selectors
from integrations.webhooks.api.serializers import (
    WebhookDeliverySerializer,
    WebhookEndpointInputSerializer,
    WebhookEndpointSerializer,
    WebhookEndpointWithSecretSerializer,
)
from integrations.webhooks.models import WebhookEndpoint
from integrations.webhooks.services import outbound
from integrations.webhooks.services.inbound import inbound_webhook_receive
from platform_core.api.errors import error_body
from platform_core.exceptions import ApplicationError
from platform_core.permissions import IsCustomerManager
from platform_core.selectors.customers import customer_for_user


@csrf_exempt
def inbound_webhook_view(request: HttpRequest, source: str) -> JsonResponse:
    """POST /api/v1/webhooks/<source>/: the signature is the authentication. Plain Django (no DRF):
    the raw body is what was signed, and this path must stay cheap under load."""
    if request.method != "POST":
        return JsonResponse(error_body("method_not_allowed", "Use POST."), status=405, headers={"Allow": "POST"})
    try:
        receipt = inbound_webhook_receive(source=source, body=request.body, headers=request.headers)
    except ApplicationError as exc:
        return JsonResponse(error_body(exc.code, exc.message, exc.details), status=exc.status_code)
    body = {"webhookId": receipt.webhook_id, "status": receipt.status, "duplicate": not receipt.created}
    return JsonResponse(body, status=202 if receipt.created else 200)


class EndpointMixin(APIView):
    # Webhook endpoints are integration settings: the customer's owners and admins manage them.
    permission_classes = [IsCustomerManager]

    def get_endpoint(self, request: Request, endpoint_id: str) -> WebhookEndpoint:
        try:
            return selectors.webhook_endpoint_get(user=request.user, endpoint_id=endpoint_id)  # type: ignore[arg-type]
        except (WebhookEndpoint.DoesNotExist, ValueError) as exc:
            raise NotFound() from exc


class WebhookEndpointListView(EndpointMixin, ListAPIView):
    serializer_class = WebhookEndpointSerializer

    def get_queryset(self) -> Any:
        return selectors.webhook_endpoint_list(user=self.request.user)  # type: ignore[arg-type]

    @extend_schema(request=WebhookEndpointInputSerializer, responses={201: WebhookEndpointWithSecretSerializer})
    def post(self, request: Request) -> Response:
        data = WebhookEndpointInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        customer = customer_for_user(user=request.user)  # type: ignore[arg-type]
        fields = {k: v for k, v in data.validated_data.items() if k != "is_active"}
        endpoint = outbound.webhook_endpoint_create(customer=customer, **fields)
        return Response(WebhookEndpointWithSecretSerializer(endpoint).data, status=status.HTTP_201_CREATED)


class WebhookEndpointDetailView(EndpointMixin):
    @extend_schema(responses=WebhookEndpointWithSecretSerializer)
    def get(self, request: Request, endpoint_id: str) -> Response:
        return Response(WebhookEndpointWithSecretSerializer(self.get_endpoint(request, endpoint_id)).data)

    @extend_schema(request=WebhookEndpointInputSerializer, responses=WebhookEndpointWithSecretSerializer)
    def patch(self, request: Request, endpoint_id: str) -> Response:
        endpoint = self.get_endpoint(request, endpoint_id)
        data = WebhookEndpointInputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        endpoint = outbound.webhook_endpoint_update(endpoint=endpoint, **data.validated_data)
        return Response(WebhookEndpointWithSecretSerializer(endpoint).data)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, endpoint_id: str) -> Response:
        outbound.webhook_endpoint_delete(endpoint=self.get_endpoint(request, endpoint_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class WebhookDeliveryListView(EndpointMixin, ListAPIView):
    serializer_class = WebhookDeliverySerializer

    def get_queryset(self) -> Any:
        endpoint = self.get_endpoint(self.request, self.kwargs["endpoint_id"])
        return selectors.webhook_delivery_list(endpoint=endpoint)
