"""Fields built once per serializer class behave as DRF's own: each instance gets its own bound copies."""

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
