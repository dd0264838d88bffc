import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("campaigns", "0006_discount_code_unique_redemption_ref")]

    operations = [
        migrations.AddField(
            model_name="assignment",
            name="requested_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="campaigns.organization",
                verbose_name="requested by",
            ),
        ),
        migrations.AddField(
            model_name="conversion",
            name="reported_by",
            field=models.ForeignKey(
                blank=True,
                help_text="The partner whose key reported the row; empty when the platform recorded it.",
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="campaigns.organization",
                verbose_name="reported by",
            ),
        ),
        migrations.AddField(
            model_name="exposure",
            name="reported_by",
            field=models.ForeignKey(
                blank=True,
                help_text="The partner whose key reported the row; empty when the platform recorded it.",
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="campaigns.organization",
                verbose_name="reported by",
            ),
        ),
    ]
