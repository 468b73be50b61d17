from django.apps import AppConfig


class EmailConfig(AppConfig):
    """No models: an app so Celery finds integrations.email.tasks (queue `email`)."""

    name = "integrations.email"
    label = "email"
    verbose_name = "E-mail notifications"
