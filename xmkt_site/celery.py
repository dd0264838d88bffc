"""The Celery application. Configuration comes from Django settings (names prefixed CELERY_)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xmkt_site.settings")

app = Celery("xmkt")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
