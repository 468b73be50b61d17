import pytest

from tests.security.gunicorn_server import GunicornServer


@pytest.fixture(scope="module")
def web_server(django_db_setup, django_db_blocker):
    """gunicorn serving the API on the test database for one module (use transaction=True tests); stopped
    after it, so it never runs beside another test's gunicorn (they share gunicorn's control socket)."""
    server = GunicornServer().start()
    yield server
    server.stop()
