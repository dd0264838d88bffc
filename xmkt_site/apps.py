from django.apps import AppConfig


class XmktSiteConfig(AppConfig):
    name = "xmkt_site"
    verbose_name = "XMKT"

    def ready(self) -> None:
        from xmkt_site import checks  # noqa: F401  (registers the deployment checks)
