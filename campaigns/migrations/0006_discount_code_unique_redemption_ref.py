from django.db import migrations, models


def mark_repeated_refs(apps, schema_editor):
    """Codes handed out twice for one reference before the constraint existed: the first keeps the reference, the
    later ones keep it with a suffix naming their row, so the history stays readable and the constraint can hold."""
    DiscountCode = apps.get_model("campaigns", "DiscountCode")
    repeated = (
        DiscountCode.objects.exclude(redemption_ref="")
        .values("pool_id", "redemption_ref")
        .annotate(n=models.Count("id"))
        .filter(n__gt=1)
    )
    for group in repeated:
        codes = DiscountCode.objects.filter(pool_id=group["pool_id"], redemption_ref=group["redemption_ref"])
        for code in codes.order_by("redeemed_at", "id")[1:]:
            code.redemption_ref = f"{code.redemption_ref[:110]}#repeat-{code.pk}"
            code.save(update_fields=["redemption_ref"])


class Migration(migrations.Migration):
    dependencies = [("campaigns", "0005_task_names_follow_modules")]

    operations = [
        migrations.RunPython(mark_repeated_refs, migrations.RunPython.noop, elidable=True),
        migrations.AddConstraint(
            model_name="discountcode",
            constraint=models.UniqueConstraint(
                condition=models.Q(("redemption_ref", ""), _negated=True),
                fields=("pool", "redemption_ref"),
                name="discount_code_unique_redemption_ref",
            ),
        ),
    ]
