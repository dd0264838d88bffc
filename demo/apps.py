from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo generator and its commands. It reads and writes every other app, so it sits above all of them."""

    name = "demo"
    default_auto_field = "django.db.models.BigAutoField"
