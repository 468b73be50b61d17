from django.apps import AppConfig


class EmailConfig(AppConfig):
    """No models: an app so Celery finds integrations.email.tasks (queue `email`), and the sender
    of platform_core's notifications."""

    name = "integrations.email"
    label = "email"
    verbose_name = "E-mail notifications"

    def ready(self) -> None:
        from integrations.email.services import email_enqueue
        from platform_core.notifications import notification_sender_register

        notification_sender_register(email_enqueue)
