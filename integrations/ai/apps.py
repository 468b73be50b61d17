from django.apps import AppConfig


class AIConfig(AppConfig):
    name = "integrations.ai"
    label = "ai"
    verbose_name = "AI gateway"
