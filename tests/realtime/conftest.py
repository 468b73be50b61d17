import pytest

from tests.realtime.server import AsgiServer


@pytest.fixture(scope="session")
def asgi_server(django_db_setup, django_db_blocker):
    """uvicorn serving /ws/ on the test database, shared by the session (use transaction=True tests)."""
    server = AsgiServer().start()
    yield server
    server.stop()
