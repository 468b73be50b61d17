from channels.auth import AuthMiddlewareStack
from django.urls import path

from realtime.consumers import JobEventsConsumer

# The session cookie authenticates staff pages (the admin); other clients bring a ticket.
websocket_urlpatterns = [
    path("ws/", AuthMiddlewareStack(JobEventsConsumer.as_asgi())),
]
