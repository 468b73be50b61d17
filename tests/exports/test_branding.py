"""The customer's brand on exports: members read it, owners and admins set colour and logo."""

import io

import pytest
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from exports.models import Branding
from platform_core.models import User
from tests.platform_core.factories import UserFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/exports/branding/"


def png(name="logo.png", size=(60, 20)):
    data = io.BytesIO()
    Image.new("RGB", size, (200, 30, 60)).save(data, format="PNG")
    return SimpleUploadedFile(name, data.getvalue(), content_type="image/png")


def test_default_branding_until_one_is_set(auth_client):
    body = auth_client.get(URL).json()
    assert body["color"] == "#1F3A5F" and body["hasLogo"] is False


def test_owner_sets_colour_and_logo_and_a_new_logo_replaces_the_old_file(
    auth_client, user, django_capture_on_commit_callbacks
):
    response = auth_client.put(URL, {"color": "#c81e3c", "logo": png()}, format="multipart")
    assert response.status_code == 200, response.json()
    assert response.json()["color"] == "#C81E3C" and response.json()["hasLogo"] is True
    first = Branding.objects.get(customer=user.customer).logo.name or ""
    assert first.startswith(f"branding/{user.customer_id}/") and storages["default"].exists(first)

    with django_capture_on_commit_callbacks(execute=True):
        auth_client.put(URL, {"logo": png()}, format="multipart")
    second = Branding.objects.get(customer=user.customer).logo.name
    assert second != first and storages["default"].exists(second) and not storages["default"].exists(first)

    with django_capture_on_commit_callbacks(execute=True):
        body = auth_client.put(URL, {"removeLogo": True}, format="json").json()
    assert body["hasLogo"] is False and body["color"] == "#C81E3C"
    assert not storages["default"].exists(second)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"color": "red"}, "color"),
        ({"color": "#12345"}, "color"),
        ({"logo": SimpleUploadedFile("logo.png", b"not an image", content_type="image/png")}, "logo"),
    ],
)
def test_bad_branding_is_400_and_changes_nothing(auth_client, user, body, field):
    response = auth_client.put(URL, body, format="multipart")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "validation_error" and field in response.json()["error"]["details"]
    assert not Branding.objects.filter(customer=user.customer).exists()


@pytest.mark.parametrize("role", [User.Role.MEMBER, User.Role.READONLY])
def test_only_owners_and_admins_change_it(api_client, role):
    member = UserFactory(role=role)
    api_client.force_authenticate(member)
    assert api_client.get(URL).status_code == 200
    response = api_client.put(URL, {"color": "#000000"}, format="json")
    assert response.status_code == 403
    assert not Branding.objects.exists()


def test_a_logo_that_decodes_to_too_many_pixels_is_refused_and_nothing_is_stored(auth_client, user):
    """A 5,000 x 5,000 image compresses to a few kB: its size in bytes says nothing of its decoded size."""
    bomb = png(size=(5000, 5000))
    assert bomb.size < 200_000
    response = auth_client.put(URL, {"logo": bomb}, format="multipart")
    assert response.status_code == 400
    assert response.json()["error"]["details"]["logo"] == ["A logo may be at most 4096 x 4096 pixels."]
    assert not Branding.objects.filter(customer=user.customer).exclude(logo="").exists()
