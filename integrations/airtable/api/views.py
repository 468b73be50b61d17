"""/api/v1/integrations/airtable/: the customer's owners and admins manage their connections."""

from typing import Any

from django.core.exceptions import ObjectDoesNotExist, ValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from integrations.airtable import selectors, services
from integrations.airtable.api.serializers import (
    ConflictSerializer,
    ConnectionInputSerializer,
    ConnectionSerializer,
    ConnectionUpdateSerializer,
    RecordChangeSerializer,
    SyncInputSerializer,
    SyncRunSerializer,
)
from integrations.airtable.models import AirtableConnection
from platform_core.api.schema import error_responses
from platform_core.models import User
from platform_core.permissions import IsCustomerManager
from platform_core.selectors.customers import customer_for_user


class AirtableView(APIView):
    permission_classes = [IsCustomerManager]

    def get_connection(self, request: Request, connection_id: Any) -> AirtableConnection:
        try:
            return selectors.airtable_connection_get(user=request.user, connection_id=connection_id)  # type: ignore[arg-type]
        except (ObjectDoesNotExist, ValidationError, ValueError) as exc:
            raise NotFound() from exc


class ConnectionListView(AirtableView, ListAPIView):
    serializer_class = ConnectionSerializer

    def get_queryset(self) -> Any:
        return selectors.airtable_connection_list(user=self.request.user)  # type: ignore[arg-type]

    @extend_schema(request=ConnectionInputSerializer, responses={201: ConnectionSerializer, **error_responses(409)})
    def post(self, request: Request) -> Response:
        data = ConnectionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user: User = request.user  # type: ignore[assignment]
        customer = customer_for_user(user=user)
        connection = services.airtable_connection_create(customer=customer, user=user, **data.validated_data)
        return Response(ConnectionSerializer(connection).data, status=status.HTTP_201_CREATED)


class ConnectionDetailView(AirtableView):
    serializer_class = ConnectionSerializer

    @extend_schema(responses=ConnectionSerializer)
    def get(self, request: Request, connection_id: Any) -> Response:
        return Response(ConnectionSerializer(self.get_connection(request, connection_id)).data)

    @extend_schema(request=ConnectionUpdateSerializer, responses=ConnectionSerializer)
    def patch(self, request: Request, connection_id: Any) -> Response:
        connection = self.get_connection(request, connection_id)
        data = ConnectionUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        connection = services.airtable_connection_update(connection=connection, **data.validated_data)
        return Response(ConnectionSerializer(self.get_connection(request, connection.pk)).data)

    def delete(self, request: Request, connection_id: Any) -> Response:
        services.airtable_connection_delete(connection=self.get_connection(request, connection_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class ConnectionCheckView(AirtableView):
    """Try the token and the mapped tables now: 200, or airtable_unauthorized / airtable_schema_mismatch."""

    @extend_schema(request=None, responses={200: ConnectionSerializer, **error_responses(400, 422)})
    def post(self, request: Request, connection_id: Any) -> Response:
        connection = services.airtable_connection_check(connection=self.get_connection(request, connection_id))
        return Response(ConnectionSerializer(self.get_connection(request, connection.pk)).data)


class ConnectionSyncView(AirtableView):
    @extend_schema(request=SyncInputSerializer, responses={202: SyncRunSerializer, **error_responses(409)})
    def post(self, request: Request, connection_id: Any) -> Response:
        connection = self.get_connection(request, connection_id)
        data = SyncInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        run = services.airtable_sync_start(connection=connection, user=request.user, **data.validated_data)  # type: ignore[arg-type]
        return Response(SyncRunSerializer(run).data, status=status.HTTP_202_ACCEPTED)


class RunListView(AirtableView, ListAPIView):
    serializer_class = SyncRunSerializer

    def get_queryset(self) -> Any:
        connection = self.get_connection(self.request, self.kwargs["connection_id"])
        return selectors.airtable_run_list(user=self.request.user, connection_id=connection.pk)  # type: ignore[arg-type]


class RunDetailView(AirtableView):
    @extend_schema(responses=SyncRunSerializer)
    def get(self, request: Request, run_id: Any) -> Response:
        try:
            run = selectors.airtable_run_get(user=request.user, run_id=run_id)  # type: ignore[arg-type]
        except ObjectDoesNotExist as exc:
            raise NotFound() from exc
        return Response(SyncRunSerializer(run).data)


class RunChangeListView(AirtableView, ListAPIView):
    serializer_class = RecordChangeSerializer

    def get_queryset(self) -> Any:
        return selectors.airtable_change_list(user=self.request.user, run_id=self.kwargs["run_id"])  # type: ignore[arg-type]


class ConflictListView(AirtableView, ListAPIView):
    serializer_class = ConflictSerializer

    def get_queryset(self) -> Any:
        connection = self.get_connection(self.request, self.kwargs["connection_id"])
        return selectors.airtable_conflict_list(user=self.request.user, connection_id=connection.pk)  # type: ignore[arg-type]
