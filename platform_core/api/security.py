"""Login, sessions, API keys, team and audit endpoints. Thin: validate, call a service, serialize."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.generics import ListAPIView
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from platform_core.api import security_serializers as s
from platform_core.api.schema import error_responses
from platform_core.models import ApiKey, AuditEvent, User, UserSession
from platform_core.permissions import IsCustomerManager, IsPerson
from platform_core.selectors import security as selectors
from platform_core.services import api_keys as api_key_services
from platform_core.services import login as login_services
from platform_core.services import sessions as session_services
from platform_core.services import team as team_services


def _me(request: Request) -> User:
    return request.user  # type: ignore[return-value]


def _current_session_id(request: Request) -> str | None:
    auth: Any = request.auth
    return str(auth.get("sid")) if auth is not None and hasattr(auth, "get") else None


def _valid(serializer_class: type, request: Request) -> dict[str, Any]:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


class LoginView(APIView):
    """Limits per IP and per account, a 15-minute lock after repeated failures, then a new session."""

    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = []  # the login service counts per IP and per account itself

    @extend_schema(
        request=s.LoginInputSerializer, responses={200: s.TokenOutputSerializer, **error_responses(401, 403, 429)}
    )
    def post(self, request: Request) -> Response:
        data = _valid(s.LoginInputSerializer, request)
        tokens = login_services.login(email=data["email"], password=data["password"], request=request)
        return Response(s.TokenOutputSerializer(tokens).data)


class RefreshView(APIView):
    authentication_classes = []
    permission_classes = [AllowAny]

    @extend_schema(
        request=s.RefreshInputSerializer, responses={200: s.TokenOutputSerializer, **error_responses(401, 403)}
    )
    def post(self, request: Request) -> Response:
        data = _valid(s.RefreshInputSerializer, request)
        tokens = session_services.session_refresh(refresh=data["refresh"], request=request)
        return Response(s.TokenOutputSerializer(tokens).data)


class SessionListView(APIView):
    permission_classes = [IsPerson]

    @extend_schema(responses=s.SessionSerializer(many=True))
    def get(self, request: Request) -> Response:
        sessions = session_services.sessions_with_last_seen(selectors.sessions_active_for_user(user=_me(request)))
        context = {"current_session_id": _current_session_id(request)}
        return Response(s.SessionSerializer(sessions, many=True, context=context).data)


class SessionDetailView(APIView):
    permission_classes = [IsPerson]
    readonly_may_write = True

    @extend_schema(responses={204: None})
    def delete(self, request: Request, session_id: str) -> Response:
        session = selectors.session_get_for_user(user=_me(request), session_id=session_id)
        session_services.session_end(
            session=session, reason=UserSession.EndReason.REVOKED, actor=_me(request), request=request
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class SessionRevokeAllView(APIView):
    permission_classes = [IsPerson]
    readonly_may_write = True

    @extend_schema(request=s.RevokeAllInputSerializer, responses={200: s.RevokeAllOutputSerializer})
    def post(self, request: Request) -> Response:
        data = _valid(s.RevokeAllInputSerializer, request)
        keep = None if data["include_current"] else _current_session_id(request)
        revoked = session_services.sessions_end_for_user(
            user=_me(request), reason=UserSession.EndReason.REVOKED, actor=_me(request), request=request,
            keep_session_id=keep,
        )  # fmt: skip
        return Response({"revoked": revoked})


class ApiKeyListView(APIView):
    permission_classes = [IsCustomerManager]

    @extend_schema(responses=s.ApiKeySerializer(many=True))
    def get(self, request: Request) -> Response:
        return Response(s.ApiKeySerializer(selectors.api_keys_for_customer(user=_me(request)), many=True).data)

    @extend_schema(request=s.ApiKeyInputSerializer, responses={201: s.ApiKeyCreatedSerializer})
    def post(self, request: Request) -> Response:
        data = _valid(s.ApiKeyInputSerializer, request)
        api_key, key = api_key_services.api_key_create(
            actor=_me(request), name=data["name"], scopes=data["scopes"], expires_at=data["expires_at"],
            request=request,
        )  # fmt: skip
        body = {**s.ApiKeySerializer(api_key).data, "key": key}
        return Response(body, status=status.HTTP_201_CREATED)


class ApiKeyDetailView(APIView):
    permission_classes = [IsCustomerManager]

    @extend_schema(responses={204: None})
    def delete(self, request: Request, prefix: str) -> Response:
        api_key: ApiKey = selectors.api_key_get_for_customer(user=_me(request), prefix=prefix)
        api_key_services.api_key_revoke(api_key=api_key, actor=_me(request), request=request)
        return Response(status=status.HTTP_204_NO_CONTENT)


class InvitationListView(APIView):
    permission_classes = [IsCustomerManager]

    @extend_schema(responses=s.InvitationSerializer(many=True))
    def get(self, request: Request) -> Response:
        invitations = selectors.invitations_pending_for_customer(user=_me(request))
        return Response(s.InvitationSerializer(invitations, many=True).data)

    @extend_schema(
        request=s.InvitationInputSerializer, responses={201: s.InvitationCreatedSerializer, **error_responses(409)}
    )
    def post(self, request: Request) -> Response:
        data = _valid(s.InvitationInputSerializer, request)
        invitation, token = team_services.invitation_create(
            actor=_me(request), email=data["email"], role=data["role"], request=request
        )
        return Response({**s.InvitationSerializer(invitation).data, "token": token}, status=status.HTTP_201_CREATED)


class InvitationDetailView(APIView):
    permission_classes = [IsCustomerManager]

    @extend_schema(responses={204: None})
    def delete(self, request: Request, invitation_id: str) -> Response:
        invitation = selectors.invitation_get_for_customer(user=_me(request), invitation_id=invitation_id)
        team_services.invitation_revoke(invitation=invitation, actor=_me(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


class InvitationAcceptView(APIView):
    """Anonymous with a password (a new account), or signed in as the invited e-mail (an existing one)."""

    permission_classes = [AllowAny]

    @extend_schema(
        request=s.InvitationAcceptInputSerializer,
        responses={200: s.InvitationAcceptedSerializer, **error_responses(404, 409, 410)},
    )
    def post(self, request: Request) -> Response:
        data = _valid(s.InvitationAcceptInputSerializer, request)
        signed_in = _me(request) if request.user and request.user.is_authenticated else None
        user, created = team_services.invitation_accept(
            token=data["token"], user=signed_in, password=data["password"], full_name=data["full_name"],
            request=request,
        )  # fmt: skip
        body: dict[str, Any] = {"user": s.MeSerializer(User.objects.select_related("customer").get(pk=user.pk)).data}
        if created:
            body["tokens"] = s.TokenOutputSerializer(session_services.session_create(user=user, request=request)).data
        return Response(body, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


class MemberListView(ListAPIView):
    api_key_scope = "platform_core"
    serializer_class = s.MemberSerializer

    def get_queryset(self) -> Any:
        return selectors.members_for_customer(user=_me(self.request))


class MemberDetailView(APIView):
    permission_classes = [IsCustomerManager]

    @extend_schema(request=s.RoleInputSerializer, responses={200: s.MemberSerializer, **error_responses(409)})
    def patch(self, request: Request, member_id: int) -> Response:
        data = _valid(s.RoleInputSerializer, request)
        member = selectors.member_get_for_customer(user=_me(request), member_id=member_id)
        member = team_services.member_role_change(actor=_me(request), member=member, role=data["role"], request=request)
        return Response(s.MemberSerializer(member).data)

    @extend_schema(responses={204: None, **error_responses(409)})
    def delete(self, request: Request, member_id: int) -> Response:
        member = selectors.member_get_for_customer(user=_me(request), member_id=member_id)
        team_services.member_remove(actor=_me(request), member=member, request=request)
        return Response(status=status.HTTP_204_NO_CONTENT)


class AuditEventListView(ListAPIView):
    permission_classes = [IsCustomerManager]
    serializer_class = s.AuditEventSerializer

    def get_queryset(self) -> Any:
        kind = self.request.query_params.get("kind")
        if kind and kind not in AuditEvent.Kind.values:
            raise ValidationError({"kind": [f"Unknown kind; one of {', '.join(AuditEvent.Kind.values)}."]})
        return selectors.audit_events_for_customer(user=_me(self.request), kind=kind)
