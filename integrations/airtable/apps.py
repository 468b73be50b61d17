from django.apps import AppConfig


class AirtableConfig(AppConfig):
    name = "integrations.airtable"
    label = "airtable"
    verbose_name = "Airtable sync"
