"""Every project task is named after the module that defines it, so a name found in a TaskRun row, a route or the beat
schedule tells where its code lives."""

from django.conf import settings

from xmkt_site.celery import app

PROJECT_APPS = ("campaigns.", "analytics.", "recommender.", "demo.")


def _project_tasks() -> dict:
    app.loader.import_default_modules()
    return {name: task for name, task in app.tasks.items() if name.startswith(PROJECT_APPS)}


def test_every_project_task_is_named_after_its_module():
    tasks = _project_tasks()
    assert len(tasks) >= 11  # the nightly, beat and on-demand jobs of the three apps
    misnamed = {
        name: task.run.__module__ for name, task in tasks.items() if name.rpartition(".")[0] != task.run.__module__
    }
    assert misnamed == {}


def test_every_beat_entry_and_route_names_a_registered_task():
    registered = set(_project_tasks())
    beat_tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert beat_tasks - registered == set()
    for pattern in settings.CELERY_TASK_ROUTES:
        prefix = pattern.removesuffix("*")
        assert any(name.startswith(prefix) for name in registered), pattern
