import pytest

from tests.realtime.server import SERVERS, AsgiServer


@pytest.fixture(scope="session")
def asgi_server(django_db_setup, django_db_blocker):
    """uvicorn serving /ws/ on the test database, shared by the session (use transaction=True tests)."""
    server = AsgiServer().start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def daphne_server(django_db_setup, django_db_blocker):
    """daphne serving /ws/ the same way (WS_SERVER=daphne), started by the first test that asks for it."""
    server = AsgiServer(server="daphne").start()
    yield server
    server.stop()


@pytest.fixture(params=SERVERS)
def ws_server(request):
    """Each WebSocket server make run can start (WS_SERVER): a test using this runs once per server."""
    return request.getfixturevalue("asgi_server" if request.param == "uvicorn" else "daphne_server")
