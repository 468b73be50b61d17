from django.apps import AppConfig


class MakeConfig(AppConfig):
    """Make.com: owns its executions and plugs into the generic webhooks app, which never imports it."""

    name = "integrations.make"
    label = "make"
    verbose_name = "Make.com"

    def ready(self) -> None:
        from integrations.make import tasks  # noqa: F401 - the time-out task
        from integrations.make.callbacks import MAKE_SOURCE
        from integrations.make.services import make_delivery_finished
        from integrations.webhooks.registry import webhook_source_register
        from integrations.webhooks.services.outbound import webhook_delivery_finished_subscribe

        webhook_source_register(MAKE_SOURCE)
        webhook_delivery_finished_subscribe(make_delivery_finished)
