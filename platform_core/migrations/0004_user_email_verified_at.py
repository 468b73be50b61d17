from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("platform_core", "0003_security"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="email_verified_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
    ]
