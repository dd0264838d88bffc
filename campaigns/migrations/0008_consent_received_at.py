import django.utils.timezone
from django.db import migrations, models

# Records stored before this column existed all receive the one time the migration runs: their receipt order is
# unknown, so they tie and keep the stated-time order they had; every record received afterwards comes after them.


class Migration(migrations.Migration):
    dependencies = [("campaigns", "0007_experiment_rows_reported_by")]

    operations = [
        migrations.AddField(
            model_name="consentrecord",
            name="received_at",
            field=models.DateTimeField(
                default=django.utils.timezone.now,
                editable=False,
                help_text="When the server stored the record.",
                verbose_name="received at",
            ),
        ),
        migrations.AlterField(
            model_name="consentrecord",
            name="recorded_at",
            field=models.DateTimeField(
                db_index=True, help_text="The time the caller states.", verbose_name="recorded at"
            ),
        ),
        migrations.AlterModelOptions(
            name="consentrecord",
            options={
                "ordering": ["-received_at", "-recorded_at", "granted", "-id"],
                "verbose_name": "consent record",
                "verbose_name_plural": "consent records",
            },
        ),
        migrations.RemoveIndex(model_name="consentrecord", name="campaigns_c_consume_59f567_idx"),
        migrations.AddIndex(
            model_name="consentrecord",
            index=models.Index(fields=["consumer", "purpose", "received_at"], name="consent_in_force_idx"),
        ),
    ]
