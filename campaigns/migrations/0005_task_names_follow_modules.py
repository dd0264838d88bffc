from django.db import migrations

# Task names now equal their module path (analytics.tasks.pipeline.build_profiles); runs recorded under the old
# names keep their label, retry and pipeline grouping on the Jobs page.
RENAMES = {
    "analytics.tasks.rollup_events_all_organizations": "analytics.tasks.rollup.rollup_events_all_organizations",
    "analytics.tasks.rollup_events": "analytics.tasks.rollup.rollup_events",
    "analytics.tasks.build_profiles": "analytics.tasks.pipeline.build_profiles",
    "analytics.tasks.segment_consumers": "analytics.tasks.pipeline.segment_consumers",
    "analytics.tasks.forecast_demand": "analytics.tasks.pipeline.forecast_demand",
    "analytics.tasks.run_analytics_pipeline": "analytics.tasks.pipeline.run_analytics_pipeline",
    "analytics.tasks.campaigns_reweight": "analytics.tasks.experiments.campaigns_reweight",
    "campaigns.tasks.retention_apply": "campaigns.tasks.retention.retention_apply",
    "campaigns.tasks.campaigns_start_end_due": "campaigns.tasks.campaigns.campaigns_start_end_due",
    "recommender.tasks.train_recommenders_nightly": "recommender.tasks.training.train_recommenders_nightly",
    "recommender.tasks.train_recommender": "recommender.tasks.training.train_recommender",
}


def rename(apps, schema_editor, mapping):
    TaskRun = apps.get_model("campaigns", "TaskRun")
    for old, new in mapping.items():
        TaskRun.objects.filter(task_name=old).update(task_name=new)


class Migration(migrations.Migration):
    dependencies = [("campaigns", "0004_campaign_workflow")]

    operations = [
        migrations.RunPython(
            lambda apps, editor: rename(apps, editor, RENAMES),
            lambda apps, editor: rename(apps, editor, {new: old for old, new in RENAMES.items()}),
        )
    ]
