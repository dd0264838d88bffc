from django.apps import AppConfig


class XmktSiteConfig(AppConfig):
    name = "xmkt_site"
    verbose_name = "XMKT"
