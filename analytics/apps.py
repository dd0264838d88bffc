from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "analytics"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # receivers connects the signal receivers; tasks registers the tasks with the Celery app, so that services
        # can send them by name in every process.
        from analytics import receivers, tasks  # noqa: F401
