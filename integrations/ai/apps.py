from django.apps import AppConfig


class AIConfig(AppConfig):
    name = "integrations.ai"
    label = "ai"
    verbose_name = "AI gateway"

    def ready(self) -> None:
        from integrations.ai.metrics import ai_metrics_collect, ai_spend_today_usd
        from platform_core.observability.health_page import health_figure_register
        from platform_core.observability.scrape import scrape_source_register

        scrape_source_register("ai", ai_metrics_collect)
        health_figure_register("ai_spend_today_usd", ai_spend_today_usd)
