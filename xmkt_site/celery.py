"""The Celery application. Configuration comes from Django settings (names prefixed CELERY_)."""

import os
from pathlib import Path

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xmkt_site.settings")

app = Celery("xmkt")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_after_configure.connect
def create_filesystem_broker_folders(sender: Celery, source, **kwargs) -> None:
    """kombu's filesystem transport (the embedded default) expects its folders to exist. They are made when a process
    first configures Celery to publish or consume (web, worker, beat, a command), not when settings are imported."""
    if not str(source.broker_url or "").startswith("filesystem://"):
        return
    options = source.broker_transport_options or {}
    for key in ("data_folder_in", "data_folder_out", "processed_folder", "control_folder"):
        if options.get(key):
            Path(options[key]).mkdir(parents=True, exist_ok=True)
