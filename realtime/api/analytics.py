"""/api/v1/analytics/: the frontend's own events (batched) and the customer's dashboard."""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from platform_core.analytics import event_record
from platform_core.api.fields import Serializer
from platform_core.permissions import HasCustomer
from platform_core.selectors.customers import customer_for_user
from realtime.analytics.catalogue import CLIENT_TYPES
from realtime.analytics.selectors import DEFAULT_RANGE, RANGES, customer_dashboard
from realtime.analytics.services import event_window
from realtime.api.analytics_serializers import AnalyticsDashboardSerializer


class IngestEventSerializer(Serializer):
    type = serializers.CharField(max_length=64)
    occurred_at = serializers.DateTimeField(required=False)
    properties = serializers.DictField(required=False, default=dict)

    def validate_type(self, value: str) -> str:
        if value not in CLIENT_TYPES:
            raise serializers.ValidationError(
                f"Unknown event type; send one of: {', '.join(sorted(CLIENT_TYPES))}.", code="unknown_event_type"
            )
        return value

    def validate_occurred_at(self, value: Any) -> Any:
        oldest, newest = event_window()
        if value > newest:
            raise serializers.ValidationError("The event is in the future.", code="timestamp_in_future")
        if value < oldest:
            raise serializers.ValidationError(
                f"Events older than {settings.ANALYTICS_EVENT_MAX_AGE_HOURS} hours are refused.",
                code="timestamp_too_old",
            )
        return value

    def validate_properties(self, value: dict[str, Any]) -> dict[str, Any]:
        if len(json.dumps(value, separators=(",", ":"))) > settings.ANALYTICS_PROPERTIES_MAX_BYTES:
            raise serializers.ValidationError(
                f"Properties are limited to {settings.ANALYTICS_PROPERTIES_MAX_BYTES} bytes of JSON.",
                code="properties_too_large",
            )
        return value


class IngestSerializer(Serializer):
    events = IngestEventSerializer(many=True, allow_empty=False)

    def validate_events(self, value: list[dict[str, Any]]) -> list[dict[str, Any]]:
        if len(value) > settings.ANALYTICS_INGEST_MAX_BATCH:
            raise serializers.ValidationError(
                f"At most {settings.ANALYTICS_INGEST_MAX_BATCH} events per request.", code="batch_too_large"
            )
        return value


class EventIngestView(APIView):
    """Record a batch of the frontend's events for the caller (all or none of the batch)."""

    permission_classes = [HasCustomer]
    throttle_scope = "analytics_ingest"
    readonly_may_write = True  # page views of read-only members are usage too

    @extend_schema(
        request=IngestSerializer,
        responses={202: inline_serializer("AnalyticsIngested", {"accepted": serializers.IntegerField()})},
    )
    def post(self, request: Request) -> Response:
        serializer = IngestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        events = serializer.validated_data["events"]
        for event in events:
            event_record(
                event["type"],
                user=request.user,
                properties=event["properties"],
                occurred_at=event.get("occurred_at"),
                source="client",
            )
        return Response({"accepted": len(events)}, status=status.HTTP_202_ACCEPTED)


class DashboardView(APIView):
    """The caller's customer's usage: series per event type, totals, active users and metrics."""

    permission_classes = [HasCustomer]

    @extend_schema(
        parameters=[OpenApiParameter("range", str, enum=list(RANGES), default=DEFAULT_RANGE)],
        responses={200: AnalyticsDashboardSerializer},
    )
    def get(self, request: Request) -> Response:
        customer = customer_for_user(user=request.user)  # type: ignore[arg-type]
        range_key = request.query_params.get("range", DEFAULT_RANGE)
        if range_key not in RANGES:
            raise serializers.ValidationError({"range": [f"One of: {', '.join(RANGES)}."]}, code="invalid_choice")
        return Response(customer_dashboard(customer=customer, range_key=range_key))
