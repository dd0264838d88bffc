from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    name = "campaigns"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Registers the tasks with the Celery app, so that services can send them by name in every process.
        from campaigns import tasks  # noqa: F401
