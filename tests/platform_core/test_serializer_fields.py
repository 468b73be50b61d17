"""Fields built once per serializer class behave as DRF's own: each instance gets its own bound copies."""

from rest_framework import serializers

from platform_core.api.fields import Serializer
from platform_core.api.jobs import JobSerializer
from platform_core.api.serializers import MeSerializer
from tests.platform_core.factories import UserFactory


def test_each_instance_has_its_own_bound_fields(db):
    first, second = MeSerializer(), MeSerializer()
    assert list(first.fields) == ["id", "email", "full_name", "role", "is_staff", "customer", "date_joined"]
    assert first.fields["email"] is not second.fields["email"]
    assert first.fields["email"].parent is first and second.fields["email"].parent is second
    assert first.fields["customer"].fields["name"] is not second.fields["customer"].fields["name"]


def test_output_is_the_models_fields(db):
    user = UserFactory()
    data = MeSerializer(user).data
    assert data["email"] == user.email and data["customer"]["id"] == user.customer_id
    assert JobSerializer().fields["error"].method_name == "get_error"


class _Tagged(Serializer):
    name = serializers.CharField(max_length=5)
    tags = serializers.JSONField(required=False, default=[])  # a mutable default, not a callable


def test_plain_serializers_get_their_own_fields_validators_and_defaults():
    first, second = _Tagged(data={"name": "too long"}), _Tagged(data={"name": "ok"})
    assert not first.is_valid() and "name" in first.errors
    assert second.is_valid(), second.errors
    assert first.fields["name"] is not second.fields["name"]
    assert first.fields["name"].validators is not second.fields["name"].validators
    assert first.fields["name"].parent is first and second.fields["name"].parent is second
    assert getattr(_Tagged._declared_fields["name"], "parent", None) is None  # the class's field stays unbound
    second.validated_data["tags"].append("mutated")
    third = _Tagged(data={"name": "ok"})
    assert third.is_valid() and third.validated_data["tags"] == []
