from importlib import import_module

from django.apps import AppConfig
from django.conf import settings


class WebhooksConfig(AppConfig):
    name = "integrations.webhooks"
    label = "webhooks"
    verbose_name = "Webhooks and Make.com"

    def ready(self) -> None:
        # Make.com is part of this app: its callbacks are declared in the registry, its tasks found.
        from integrations.make import callbacks, tasks  # noqa: F401

        for module in settings.WEBHOOK_HANDLER_MODULES:
            import_module(module)
