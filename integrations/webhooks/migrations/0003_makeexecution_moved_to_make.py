# MakeExecution now belongs to integrations.make (make.0001 took over its table): state only.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("webhooks", "0002_inbound_due"),
        ("make", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="MakeExecution")],
            database_operations=[],
        ),
    ]
