from django.apps import AppConfig


class RecommenderConfig(AppConfig):
    name = "recommender"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # receivers connects the signal receivers; tasks registers the tasks with the Celery app, so that services
        # can send them by name in every process.
        from recommender import receivers, tasks  # noqa: F401
