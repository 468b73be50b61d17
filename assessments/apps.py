from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    name = "assessments"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from assessments import airtable_sync, webhook_handlers  # noqa: F401 - register Airtable entities, Make.com handlers
        from assessments.ai_selectors import resource_catalog_forget
        from assessments.models import ResourceDefinition
        from assessments.services.sessions import assessment_sessions_link_for_user
        from platform_core.services.accounts import email_verified_hooks

        # Verifying the e-mail of completed assessments links them to the account's customer (not
        # registering: anyone can register someone else's address).
        if assessment_sessions_link_for_user not in email_verified_hooks:
            email_verified_hooks.append(assessment_sessions_link_for_user)

        for signal in (post_save, post_delete):
            signal.connect(resource_catalog_forget, sender=ResourceDefinition, dispatch_uid="resource_catalog_forget")
