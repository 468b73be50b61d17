from django.apps import AppConfig


class PlatformCoreConfig(AppConfig):
    name = "platform_core"
    verbose_name = "Platform"

    def ready(self) -> None:
        from platform_core.observability.db import query_timing_install

        query_timing_install()
