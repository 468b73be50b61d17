from rest_framework import serializers

from platform_core.api.fields import ModelSerializer, Serializer
from platform_core.api.serializers import MeSerializer
from platform_core.models import ApiKey, AuditEvent, TeamInvitation, User, UserSession
from platform_core.services.api_keys import SCOPES


class StrictCharField(serializers.CharField):
    """A string, never a number or a boolean turned into one."""

    def to_internal_value(self, data: object) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictBooleanField(serializers.BooleanField):
    """true or false, not "yes", 1 or "on"."""

    def to_internal_value(self, data: object) -> bool:
        if not isinstance(data, bool):
            self.fail("invalid", input=data)
        return data


class LoginInputSerializer(Serializer):
    email = StrictCharField(max_length=254)
    password = StrictCharField(max_length=128, trim_whitespace=False)


class RefreshInputSerializer(Serializer):
    refresh = StrictCharField(max_length=2000)


class TokenOutputSerializer(Serializer):
    access = serializers.CharField()
    refresh = serializers.CharField()
    session_id = serializers.UUIDField(source="session.id")


class SessionSerializer(ModelSerializer[UserSession]):
    current = serializers.SerializerMethodField()

    class Meta:
        model = UserSession
        fields = ["id", "ip", "user_agent", "created_at", "last_seen_at", "expires_at", "current"]

    def get_current(self, session: UserSession) -> bool:
        return str(session.id) == self.context.get("current_session_id")


class RevokeAllInputSerializer(Serializer):
    include_current = StrictBooleanField(required=False, default=False)


class RevokeAllOutputSerializer(Serializer):
    revoked = serializers.IntegerField(help_text="How many sessions were ended")


class ApiKeyInputSerializer(Serializer):
    name = StrictCharField(max_length=50)
    scopes = serializers.ListField(child=serializers.ChoiceField(choices=sorted(SCOPES)), min_length=1, max_length=20)
    expires_at = serializers.DateTimeField(required=False, allow_null=True, default=None)


class ApiKeySerializer(ModelSerializer[ApiKey]):
    created_at = serializers.DateTimeField(source="created")
    expires_at = serializers.DateTimeField(source="expiry_date", allow_null=True, help_text="Null: never expires.")

    class Meta:
        model = ApiKey
        fields = ["prefix", "name", "scopes", "created_at", "expires_at", "last_used_at", "revoked", "revoked_at"]


class ApiKeyCreatedSerializer(ApiKeySerializer):
    key = serializers.CharField(help_text="Shown once: store it now.")

    class Meta(ApiKeySerializer.Meta):
        fields = [*ApiKeySerializer.Meta.fields, "key"]


class InvitationInputSerializer(Serializer):
    email = serializers.EmailField(max_length=254)
    role = serializers.ChoiceField(choices=User.Role.choices, default=User.Role.MEMBER)


class InvitationSerializer(ModelSerializer[TeamInvitation]):
    class Meta:
        model = TeamInvitation
        fields = ["id", "email", "role", "created_at", "expires_at"]


class InvitationCreatedSerializer(InvitationSerializer):
    token = serializers.CharField(help_text="Shown once: send it to the invitee.")

    class Meta(InvitationSerializer.Meta):
        fields = [*InvitationSerializer.Meta.fields, "token"]


class InvitationAcceptInputSerializer(Serializer):
    token = StrictCharField(max_length=200)
    password = StrictCharField(max_length=128, required=False, default="", trim_whitespace=False)
    full_name = StrictCharField(max_length=200, required=False, allow_blank=True, default="")


class InvitationAcceptedSerializer(Serializer):
    user = MeSerializer()
    tokens = TokenOutputSerializer(required=False)


class MemberSerializer(ModelSerializer[User]):
    class Meta:
        model = User
        fields = ["id", "email", "full_name", "role", "date_joined"]


class RoleInputSerializer(Serializer):
    role = serializers.ChoiceField(choices=User.Role.choices)


class AuditEventSerializer(ModelSerializer[AuditEvent]):
    class Meta:
        model = AuditEvent
        fields = ["id", "kind", "actor_id", "actor_email", "ip", "user_agent", "target", "details", "created_at"]
