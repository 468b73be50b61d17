from django.apps import AppConfig


class AIConfig(AppConfig):
    name = "integrations.ai"
    label = "ai"
    verbose_name = "AI gateway"

    def ready(self) -> None:
        from integrations.ai.metrics import ai_metrics_collect
        from platform_core.observability.scrape import scrape_source_register

        scrape_source_register("ai", ai_metrics_collect)
