from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    name = "assessments"

    def ready(self) -> None:
        from assessments import airtable_sync, webhook_handlers  # noqa: F401 - register Airtable entities, Make.com handlers
        from assessments.services.sessions import assessment_sessions_link_for_user
        from platform_core.services.accounts import account_registered_hooks

        # Registering with the e-mail of completed assessments links them to the new customer.
        if assessment_sessions_link_for_user not in account_registered_hooks:
            account_registered_hooks.append(assessment_sessions_link_for_user)
