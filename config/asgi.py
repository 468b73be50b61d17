"""ASGI entry point: WebSockets only (HTTP is served by gunicorn; see DESIGN.md)."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django_asgi_app = get_asgi_application()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402 - needs Django set up

from platform_core.observability.metrics import process_kind_set  # noqa: E402
from realtime.routing import websocket_urlpatterns  # noqa: E402

process_kind_set("ws")

application = ProtocolTypeRouter({"http": django_asgi_app, "websocket": URLRouter(websocket_urlpatterns)})
