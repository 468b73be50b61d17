from rest_framework import serializers

from platform_core.api.fields import ModelSerializer, Serializer
from platform_core.models import Customer, User


class CustomerSerializer(ModelSerializer[Customer]):
    class Meta:
        model = Customer
        fields = ["id", "name", "slug", "tier", "status", "created_at"]


class UserSerializer(ModelSerializer[User]):
    class Meta:
        model = User
        fields = ["id", "email", "full_name", "role", "date_joined"]


class MeSerializer(ModelSerializer[User]):
    customer = CustomerSerializer(allow_null=True)

    class Meta:
        model = User
        fields = ["id", "email", "full_name", "role", "is_staff", "customer", "date_joined"]


class RegisterInputSerializer(Serializer):
    email = serializers.EmailField(max_length=254)
    password = serializers.CharField(max_length=128, write_only=True)
    full_name = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    company_name = serializers.CharField(max_length=200)


class TokenPairSerializer(Serializer):
    access = serializers.CharField()
    refresh = serializers.CharField()


class RegisterOutputSerializer(Serializer):
    email = serializers.EmailField()
    verification_sent = serializers.BooleanField()
    message = serializers.CharField()


class EmailVerifyInputSerializer(Serializer):
    token = serializers.CharField(max_length=500)


class EmailVerifyOutputSerializer(ModelSerializer[User]):
    class Meta:
        model = User
        fields = ["email", "email_verified_at"]


class LogoutInputSerializer(Serializer):
    refresh = serializers.CharField()
