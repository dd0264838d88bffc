from django.db import migrations, models


class Migration(migrations.Migration):
    """The difference check compares matched people, not uploads: the uploaded audience's digests are no longer kept
    (old rows would mean something else), the matched people's digests are, until they expire."""

    dependencies = [
        ("analytics", "0005_event_indexes"),
    ]

    operations = [
        migrations.RemoveField(model_name="overlapquery", name="audience_set"),
        migrations.AddField(
            model_name="overlapquery",
            name="matched_set",
            field=models.JSONField(blank=True, default=list),
        ),
        migrations.AddField(
            model_name="overlapquery",
            name="matched_size",
            field=models.PositiveIntegerField(default=0, verbose_name="matched people"),
        ),
        migrations.AddField(
            model_name="overlapquery",
            name="sets_expired_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="stored sets cleared"),
        ),
        migrations.AlterField(
            model_name="overlapquery",
            name="audience_fingerprint",
            field=models.CharField(blank=True, max_length=64, verbose_name="audience fingerprint"),
        ),
        migrations.AddIndex(
            model_name="overlapquery",
            index=models.Index(fields=["agreement", "created_at"], name="overlap_query_agreement_time"),
        ),
    ]
