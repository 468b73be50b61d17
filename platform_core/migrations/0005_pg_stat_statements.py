"""pg_stat_statements in this database where the server offers it (compose and production preload it).

A no-op where the server lacks the extension (the pip-shipped PostgreSQL of `make run` and the tests) or
the role may not create it (then a DBA runs CREATE EXTENSION once): statistics must never block a deploy.
Not reversed: the extension may have been created by a DBA before this migration.
"""

import logging

from django.db import DatabaseError, migrations, transaction

logger = logging.getLogger("platform.migrations")


def pg_stat_statements_create(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'pg_stat_statements'")
        if cursor.fetchone() is None:
            return
        try:
            with transaction.atomic(using=connection.alias):  # a savepoint: a refusal leaves the migration intact
                cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
        except DatabaseError as error:
            logger.warning("pg_stat_statements not created (%s): run CREATE EXTENSION as a role allowed to", error)


class Migration(migrations.Migration):
    dependencies = [("platform_core", "0004_user_email_verified_at")]

    operations = [migrations.RunPython(pg_stat_statements_create, migrations.RunPython.noop, elidable=False)]
