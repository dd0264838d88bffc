"""The first published version ("2026-01") of each consent purpose's policy text, so that consent can be recorded
on a fresh installation. Later versions are published with `consent_policy_publish`."""

from datetime import datetime, timezone

from django.db import migrations

VERSION = "2026-01"
PUBLISHED_AT = datetime(2026, 1, 1, tzinfo=timezone.utc)
TEXTS = {
    "personalization": (
        "我们会根据您的学习和购买记录为您推荐课程和商品。您可以随时撤回此同意，撤回后您将收到非个性化的推荐。",
        "We use your learning and purchase history to recommend courses and products to you. You may withdraw this "
        "consent at any time; you will then receive recommendations that are not personalised.",
    ),
    "partner_sharing": (
        "经您单独同意，我们会将同意书中列明的数据类型，按列明的目的提供给列明的合作方。您可以随时撤回此同意。",
        "With your separate consent we share the data types named in this consent with the partner named in it, for "
        "the purpose named in it. You may withdraw this consent at any time.",
    ),
    "marketing_contact": (
        "我们可能通过短信或电子邮件向您发送活动和优惠信息。您可以随时撤回此同意。",
        "We may send you news of campaigns and offers by text message or e-mail. You may withdraw this consent at "
        "any time.",
    ),
}


def publish(apps, schema_editor):
    ConsentPolicy = apps.get_model("campaigns", "ConsentPolicy")
    for purpose, (text_zh, text_en) in TEXTS.items():
        ConsentPolicy.objects.get_or_create(
            purpose=purpose,
            version=VERSION,
            defaults={"text_zh": text_zh, "text_en": text_en, "published_at": PUBLISHED_AT},
        )


class Migration(migrations.Migration):
    dependencies = [("campaigns", "0002_privacy")]
    operations = [migrations.RunPython(publish, migrations.RunPython.noop)]
