"""/readyz writes to the storage: a storage that cannot be written makes the instance not ready."""

import subprocess
from pathlib import Path

import pytest

pytestmark = pytest.mark.django_db


def test_readyz_writes_a_probe_and_leaves_nothing_behind(api_client, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    response = api_client.get("/readyz")
    assert response.status_code == 200, response.content
    assert response.json()["checks"]["storage"] == "ok"
    assert list((tmp_path / "readyz").iterdir()) == []  # written, then deleted


@pytest.fixture
def read_only_dir(tmp_path: Path):
    """A directory nobody may write, root included (the tests run as root, so chmod is not enough)."""
    target = tmp_path / "media"
    (target / "readyz").mkdir(parents=True)
    subprocess.run(["chattr", "+i", str(target / "readyz")], check=True)
    yield target
    subprocess.run(["chattr", "-i", str(target / "readyz")], check=True)


def test_a_read_only_storage_turns_readyz_503_naming_it(api_client, settings, read_only_dir):
    settings.MEDIA_ROOT = str(read_only_dir)
    response = api_client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["checks"]["storage"].startswith("failed: ")
    assert body["checks"]["database"] == "ok"
    assert body["error"]["code"] == "not_ready"
    assert body["error"]["details"]["failed"] == ["storage"]
