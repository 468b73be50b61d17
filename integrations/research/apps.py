from django.apps import AppConfig


class ResearchConfig(AppConfig):
    name = "integrations.research"
    label = "research"
    verbose_name = "Research (browser pool, company profiles)"
