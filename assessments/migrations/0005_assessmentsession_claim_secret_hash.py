from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0004_companyrating_evidence"),
    ]

    operations = [
        migrations.AddField(
            model_name="assessmentsession",
            name="claim_secret_hash",
            field=models.CharField(blank=True, max_length=64),
        ),
    ]
