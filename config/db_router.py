"""Writes go to `default`; reads marked for analytics may go to `replica` when one is configured."""

from typing import Any

from django.conf import settings
from django.db import models

REPLICA = "replica"


def analytics_db() -> str:
    """The alias analytics selectors read from: the replica when configured, else the primary."""
    return REPLICA if REPLICA in settings.DATABASES else "default"


class PrimaryReplicaRouter:
    def db_for_read(self, model: type[models.Model], **hints: Any) -> str:
        # Ordinary reads stay on the primary (read-your-writes); analytics opt in with .using(analytics_db()).
        return "default"

    def db_for_write(self, model: type[models.Model], **hints: Any) -> str:
        return "default"

    def allow_relation(self, obj1: models.Model, obj2: models.Model, **hints: Any) -> bool:
        return True

    def allow_migrate(self, db: str, app_label: str, model_name: str | None = None, **hints: Any) -> bool:
        # `migrate` targets `default`; a replica gets the schema through replication (tests migrate both).
        return True
