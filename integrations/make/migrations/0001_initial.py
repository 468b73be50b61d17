# MakeExecution moves from integrations.webhooks to its own app: state only, the table
# (webhooks_makeexecution), its rows and indexes stay as they are.

import uuid

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


def _content_type_move(apps, schema_editor, old="webhooks", new="make"):
    """Admin history and permissions follow the model to its new app label."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.using(schema_editor.connection.alias).filter(app_label=old, model="makeexecution").update(
        app_label=new
    )


def _content_type_move_back(apps, schema_editor):
    _content_type_move(apps, schema_editor, old="make", new="webhooks")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("platform_core", "0002_jobs"),
        ("webhooks", "0002_inbound_due"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="MakeExecution",
                    fields=[
                        ("id", models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                        (
                            "scenario",
                            models.CharField(
                                choices=[
                                    ("icp_analysis", "ICP analysis"),
                                    ("cost_calculation", "Cost calculation"),
                                    ("business_case_generation", "Business case"),
                                ],
                                max_length=30,
                            ),
                        ),
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("sent", "Sent"),
                                    ("acknowledged", "Acknowledged"),
                                    ("completed", "Completed"),
                                    ("failed", "Failed"),
                                    ("timed_out", "Timed out"),
                                ],
                                default="sent",
                                max_length=12,
                            ),
                        ),
                        (
                            "response",
                            models.JSONField(blank=True, help_text="What Make answered to the trigger.", null=True),
                        ),
                        ("sent_at", models.DateTimeField(default=django.utils.timezone.now)),
                        ("acknowledged_at", models.DateTimeField(blank=True, null=True)),
                        ("completed_at", models.DateTimeField(blank=True, null=True)),
                        ("deadline_at", models.DateTimeField(help_text="Timed out when no callback came by then.")),
                        (
                            "callback",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                to="webhooks.inboundwebhook",
                            ),
                        ),
                        (
                            "customer",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="make_executions",
                                to="platform_core.customer",
                            ),
                        ),
                        (
                            "delivery",
                            models.OneToOneField(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="make_execution",
                                to="webhooks.webhookdelivery",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "webhooks_makeexecution",
                        "ordering": ["-sent_at"],
                        "indexes": [
                            models.Index(fields=["customer", "scenario", "status"], name="make_customer_scenario"),
                            models.Index(fields=["status", "deadline_at"], name="make_status_deadline"),
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(_content_type_move, _content_type_move_back),
    ]
