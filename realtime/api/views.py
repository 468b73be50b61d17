from django.conf import settings
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from platform_core.permissions import RoleWritePermission
from realtime.services import ticket_issue

TicketSerializer = inline_serializer(
    "RealtimeTicket",
    {"ticket": serializers.CharField(), "expires_in": serializers.IntegerField(), "url": serializers.CharField()},
)


class TicketView(APIView):
    """A single-use ticket for /ws/ (browsers cannot send an Authorization header on a socket)."""

    permission_classes = [RoleWritePermission]
    readonly_may_write = True  # a ticket only lets read-only members follow their jobs

    @extend_schema(request=None, responses={201: TicketSerializer})
    def post(self, request: Request) -> Response:
        session_id = str(request.auth.get("sid", "")) if hasattr(request.auth, "get") else ""
        ticket = ticket_issue(user=request.user, session_id=session_id)  # type: ignore[arg-type]
        body = {"ticket": ticket, "expires_in": settings.REALTIME_TICKET_TTL_SECONDS, "url": f"/ws/?ticket={ticket}"}
        return Response(body, status=status.HTTP_201_CREATED)
