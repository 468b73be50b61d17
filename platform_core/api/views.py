from django.core.exceptions import ObjectDoesNotExist
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound
from rest_framework.generics import ListAPIView
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.tokens import RefreshToken

from platform_core.api.schema import error_responses
from platform_core.api.serializers import (
    EmailVerifyInputSerializer,
    EmailVerifyOutputSerializer,
    LogoutInputSerializer,
    MeSerializer,
    RegisterInputSerializer,
    RegisterOutputSerializer,
    UserSerializer,
)
from platform_core.exceptions import ApplicationError
from platform_core.models import User, UserSession
from platform_core.selectors import accounts as account_selectors
from platform_core.services import accounts as account_services
from platform_core.services import sessions as session_services


class RegisterView(APIView):
    """The same 201 whether or not the e-mail already has an account (that account's owner is e-mailed
    instead): registering does not reveal who has an account. Then sign in at /auth/token/."""

    permission_classes = [AllowAny]
    authentication_classes = []

    @extend_schema(request=RegisterInputSerializer, responses={201: RegisterOutputSerializer, **error_responses(409)})
    def post(self, request: Request) -> Response:
        data = RegisterInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        account_services.customer_register(**data.validated_data)
        body = {
            "email": data.validated_data["email"].strip().lower(),
            "verification_sent": True,
            "message": "Check your e-mail to verify the address; you can sign in meanwhile.",
        }
        return Response(RegisterOutputSerializer(body).data, status=status.HTTP_201_CREATED)


class EmailVerifyView(APIView):
    """The signed link of the verification e-mail; verifying links the assessments taken with the address."""

    permission_classes = [AllowAny]
    authentication_classes = []

    @extend_schema(
        request=EmailVerifyInputSerializer, responses={200: EmailVerifyOutputSerializer, **error_responses(410)}
    )
    def post(self, request: Request) -> Response:
        data = EmailVerifyInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = account_services.user_email_verify(token=data.validated_data["token"])
        return Response(EmailVerifyOutputSerializer(user).data)


class LogoutView(APIView):
    """Ends the session of the given refresh token (the caller's own): its tokens stop working at once."""

    readonly_may_write = True

    @extend_schema(request=LogoutInputSerializer, responses={204: None})
    def post(self, request: Request) -> Response:
        data = LogoutInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            token = RefreshToken(data.validated_data["refresh"])
        except TokenError as exc:
            raise ApplicationError(str(exc), code="token_not_valid", status_code=400) from exc
        if str(token.payload.get("user_id")) != str(request.user.pk):
            raise ApplicationError("That refresh token is not yours.", code="token_not_valid", status_code=400)
        session = UserSession.objects.select_related("user__customer").filter(pk=token.get("sid")).first()
        if session is not None:
            session_services.session_end(session=session, reason=UserSession.EndReason.LOGOUT, request=request)
        return Response(status=status.HTTP_204_NO_CONTENT)


# The User columns MeSerializer shows (its nested customer through customer_id).
ME_FIELDS = frozenset("customer_id" if name == "customer" else name for name in MeSerializer.Meta.fields)


class MeView(APIView):
    api_key_scope = "platform_core"

    @extend_schema(responses=MeSerializer)
    def get(self, request: Request) -> Response:
        me = request.user
        # The session's snapshot carries the profile (services drop it when the user changes); a user
        # without those fields loaded (an older snapshot) is read in one query.
        if not isinstance(me, User) or ME_FIELDS & me.get_deferred_fields():
            me = User.objects.select_related("customer").get(pk=request.user.pk or 0)
        return Response(MeSerializer(me).data)


class TeamMemberListView(ListAPIView):
    api_key_scope = "platform_core"
    serializer_class = UserSerializer

    def get_queryset(self) -> QuerySet[User]:
        return account_selectors.user_list_for_customer(user=self.request.user)  # type: ignore[arg-type]


class TeamMemberDetailView(APIView):
    api_key_scope = "platform_core"

    @extend_schema(responses=UserSerializer)
    def get(self, request: Request, user_id: int) -> Response:
        try:
            member = account_selectors.user_get_for_customer(user=request.user, user_id=user_id)  # type: ignore[arg-type]
        except ObjectDoesNotExist as exc:
            raise NotFound() from exc
        return Response(UserSerializer(member).data)
