import pytest

from tests.security.gunicorn_server import GunicornServer


@pytest.fixture(scope="session")
def web_server(django_db_setup, django_db_blocker):
    """gunicorn serving the API on the test database, shared by the session (use transaction=True tests)."""
    server = GunicornServer().start()
    yield server
    server.stop()
