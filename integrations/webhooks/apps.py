from importlib import import_module
from typing import Any

from django.apps import AppConfig
from django.conf import settings
from django.core import checks


class WebhooksConfig(AppConfig):
    name = "integrations.webhooks"
    label = "webhooks"
    verbose_name = "Webhooks"

    def ready(self) -> None:
        for module in settings.WEBHOOK_HANDLER_MODULES:
            import_module(module)
        checks.register(_registry_check)


def _registry_check(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """After every app is ready: each registered handler answers an event some source declares."""
    from integrations.webhooks.registry import webhook_registry_problems

    return [checks.Error(problem, id="webhooks.E001") for problem in webhook_registry_problems()]
